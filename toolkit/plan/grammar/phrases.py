"""Targets written without a number: 零X, 杜绝X, 确保不发生X (== 0), and
decreases with no threshold ("同比持续下降", "双下降": any decrease meets them).

Also the test for "target-like" sentences: a sentence that reads like a target
but yields no rule is listed for review, never silently dropped.
"""

from __future__ import annotations

import re

from toolkit.plan.grammar.scan import _DESCRIBES, _Hit
from toolkit.plan.grammar.words import _FREQ_OF, BASE_WORDS, baseline_of

# 零X: what is zero. "零发生" names no thing: the subject is before it.
_ZERO_WHAT = {"发生": "", "事故": "事故", "火灾": "火灾", "事件": "事件", "案件": "案件",
              "死亡": "死亡人数", "伤亡": "伤亡人数", "伤害": "伤害人数"}
_ZERO = re.compile(r"零(?P<w>" + "|".join(sorted(_ZERO_WHAT, key=len, reverse=True)) + ")")
# A quoted 零X is a target only after a verb of achieving ("实现“零事故”"); "对“零处罚”…单位" is not.
_ACHIEVE = re.compile(r"(?:实现|确保|保持|力争|做到|达到|保证)[^，；。：]{0,12}[“\"]$")
# 杜绝X, (确保)不发生X: what is zero follows.
_BAN = re.compile(r"(?:坚决|严防|确保|全力|努力|力争)?(?P<w>杜绝|不发生)(?P<x>[^，；。：！？\n]{1,40})")
_BAN_TAIL = re.compile(r"(?:的?(?:发生|现象|情况|问题|行为))+$")
# 杜绝X / 不发生X is a zero target only where X is an event that can be counted;
# "杜绝一哄而上", "杜绝“资料达标”" are ways of working.
_EVENT = re.compile(r"事故|事件|火灾|伤亡|死亡|亡人|伤人|案件|灾害|险情|失火|溺亡|中毒")
# "实现镇党政领导干部培训全覆盖": a rate of 100%; only where 全覆盖 ends its clause
# ("全覆盖检查", "全覆盖进行培训" say how something is done).
_COVER = re.compile(r"(?:(?:基本)?(?:实现|做到|达到)?全覆盖|覆盖(?:所有|全部|每个)[^，；。：！？\n\d]{1,8})(?=[，；。：！？\n]|$)")
# "每季度约谈…", "每月组织开展隐患排查": a frequency with no number is at least once per period.
_EVERY = re.compile(r"每(?P<f>年度|年|半年|季度|季|月)(?:均|都|要|应|至少|定期)?"
                    r"(?P<v>(?:组织|牵头|带队)?(?:开展|召开|约谈|检查|督查|巡查|演练|会商|研判|通报|分析|评估|调度|培训|排查|讲评|晾晒)"
                    r"[^，；。：！？\n\d]{0,20})(?=[，；。：！？\n]|$)")
# "控制在上级下达的控制目标以内": a target whose figure is set elsewhere; the office enters it.
_SET_ELSEWHERE = re.compile(r"(?P<c>控制在|不超过|不高于|低于|达到|完成|不低于)(?:上级|市级|区级|县级|镇级|区里|县里|市里|上年)?"
                            r"(?:下达|确定|核定|分解)的[^，；。：]{0,10}?(?:目标|指标)(?:值|数)?(?P<s>以内|以下|之内|以上)?")
_SET_OP = {"控制在": "<=", "不超过": "<=", "不高于": "<=", "低于": "<", "达到": ">=", "完成": ">=", "不低于": ">="}
SET_ELSEWHERE_NOTE = "目标值由上级下达，计划中没有数字：请在计划文件中填写 value（如 3 或 0.003），再运行 toolkit plan check"

# A decrease that ends its clause: "事故起数和死亡人数同比持续下降", "实现“双下降”".
_DECREASE = re.compile(
    r"(?P<base>" + BASE_WORDS + r")?"
    r"(?:持续|继续|明显|稳步|大幅|进一步|逐年|均|有所|实现|保持)*[“\"]?"
    r"(?P<w>双下降|稳中有降|下降|减少|降低)[”\"]?(?=[，；。、：！？\n]|$|的?(?:目标|态势|趋势))")

# Words that make a sentence read like a target.
TARGET_LIKE = re.compile(
    r"\d+(?:\.\d+)?(?:余|多)?(?:万|亿)?(?:%|‰|公里|千米|人次|[个口套座处条名家所台户次人项支场辆艘起件例份栋])(?!" + _DESCRIBES.pattern + ")"
    r"|零(?:发生|事故|火灾|事件|案件|死亡|伤亡|伤害)|(?:杜绝|不发生)[^，；。]{0,20}?(?:" + _EVENT.pattern + ")"
    r"|下降|以内|(?<=[\d%‰个次])以上|达到\d|全覆盖|覆盖(?:所有|全部|每个)|下达的[^，；。]{0,10}?(?:目标|指标)"
    r"|每(?:年度|年|半年|季度|季|月|周)[^，；。]{0,10}至少")


_BAN_ALONE = re.compile(r"(?:确保|坚决)?(?:不发生|杜绝)[。；]?")


def phrase_hits(text: str, s: int, e: int, masked: list[bool], taken: list[_Hit], *,
                whole: bool = False) -> list[_Hit]:
    """Number-less targets in text[s:e] that overlap no hit in `taken`; whole:
    text[s:e] is a target cell, where "不发生"/"杜绝" alone refer to its indicator."""
    if whole and not taken and _BAN_ALONE.fullmatch(text, s, e):
        return [_Hit(s, s, e, "==", 0.0, kind="zero", name="", status="parsed")]
    spans = [(h.start, h.end) for h in taken]
    out: list[_Hit] = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in spans)

    for m in _ZERO.finditer(text, s, e):
        a = m.start()
        if text[a - 1:a] == "清" or (masked[a] and not _ACHIEVE.search(text, s, a)):
            continue
        end = m.end() + (1 if m.end() < e and text[m.end()] in "”\"" else 0)
        if free(a, end):
            out.append(_Hit(a, a, end, "==", 0.0, kind="zero", obj=_ZERO_WHAT[m["w"]], status="parsed"))
            spans.append((a, end))
    for m in _BAN.finditer(text, s, e):
        if masked[m.start("w")]:
            continue
        subject = _BAN_TAIL.sub("", m["x"]).strip()
        if subject and _EVENT.search(subject) and free(m.start(), m.end()):
            out.append(_Hit(m.start(), m.start(), m.end(), "==", 0.0, kind="zero", name=subject, status="parsed"))
            spans.append(m.span())
    for m in _DECREASE.finditer(text, s, e):
        a = m.start()
        w = m.start("w")
        if (masked[w] and text[w - 1] not in "“\"") or not free(a, m.end()):
            continue
        out.append(_Hit(a, a, m.end(), ">", 0.0, relative="decrease", kind="decrease", status="parsed",
                        baseline=baseline_of(m["base"])))
        spans.append(m.span())
    for m in _COVER.finditer(text, s, e):
        if not masked[m.start()] and free(m.start(), m.end()):
            out.append(_Hit(m.start(), m.start(), m.end(), ">=", 1.0, "percent", "%", kind="cover", status="parsed"))
            spans.append(m.span())
    for m in _EVERY.finditer(text, s, e):
        clause = max(text.rfind(c, s, m.start()) for c in "，；：") + 1
        if masked[m.start()] or re.search(r"\d", text[max(clause, s):m.end()]) or not free(m.start(), m.end()):
            continue
        out.append(_Hit(m.start(), m.start(), m.end(), ">=", 1.0, None, "次", kind="count", frequency=_FREQ_OF[m["f"]],
                        name=m["v"], status="parsed"))
        spans.append(m.span())
    for m in _SET_ELSEWHERE.finditer(text, s, e):
        if masked[m.start()] or not free(m.start(), m.end()):
            continue
        op = _SET_OP[m["c"]] if not m["s"] else (">=" if m["s"] == "以上" else "<=")
        out.append(_Hit(m.start(), m.start(), m.end(), op, None, kind="elsewhere", status="review", note=SET_ELSEWHERE_NOTE))
        spans.append(m.span())
    return out


def target_like(sentence: str) -> bool:
    return bool(TARGET_LIKE.search(sentence))
