"""Finding target expressions (number, unit, comparator, suffix) in one sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext

from toolkit.plan.grammar.words import (
    _CLAUSE_END,
    _CMP,
    _CMP_OF,
    _DECREASE,
    _FREQ_CMP,
    _FREQ_OF,
    _NUM,
    _OPEN_CLOSE,
    _PAREN_EXCEPTION,
    _RANGE_NEXT,
    _REL,
    _REVIEW_MORE,
    _REVIEW_TRIGGER,
    _SENTENCE_END,
    _SHARE,
    _SUFFIX,
    _SUFFIX_OP,
    _TIME_UNIT,
    _UNIT,
    baseline_of,
)


# ================================================================ finding targets

# "12个社区全部配齐应急物资": a number opening its clause, its subject followed by 全部/均,
# counts the subject; the target is what follows (here: nothing checkable).
_AREA_ONLY = re.compile(r"(?:全镇|全县|全区|全街道|全乡|辖区|街道|镇|县|区|乡)(?:内|范围内)?")
_ALL_OF = re.compile(r"[^，；。]{1,10}?(?:全部|均|都|各自|分别|全面)")
_ACTION = re.compile(r"建成|建立|配备|完成|实现|落实|接入|安装|覆盖|开展|纳入|达到|通过")
_END_WORDS = re.compile(r"(?:目标|要求|标准|水平|任务)")
# Objects of a count that only describe (how many aspects, points, sessions a text names).
_DESCRIBES = re.compile(r"(?:方面|环节|原则|层面|维度|全会|届|理念|要素|特点|字方针"
                        r"|(?:重点|方向|阶段|步骤|类别)(?![\u4e00-\u9fff]))")  # not "3个重点项目"


@dataclass
class _Hit:
    """One target expression found in the normalised text."""

    start: int  # first char of the expression (comparator / relative words)
    num: int  # first char of the number
    end: int  # after unit, suffix and object
    op: str = "qualitative"
    value: float | None = None
    scale: str | None = None
    unit: str | None = None
    relative: str | None = None
    kind: str = "review"  # rate (% ‰) | count (classifier) | bare (no unit) | review
    obj: str = ""  # count: object after the classifier; rate: verb phrase after "100%"
    denom: str = ""  # rate: the total of a share
    frequency: str | None = None
    status: str = "review"
    note: str | None = None
    qualifier: str | None = None  # set on a parenthesised exception: "高危行业领域"
    baseline: str | None = None  # relative: what the change is measured against
    name: str | None = None  # set when the expression names its own subject (零事故, 杜绝…)


def _to_float(number: str, scale: str | None, mult: str | None) -> float | None:
    """Exact decimal arithmetic, so "0.3‰" is the float 0.0003."""
    try:
        d = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None
    with localcontext() as ctx:
        ctx.prec = 60
        d *= {"万": 10 ** 4, "亿": 10 ** 8}.get(mult or "", 1)
        d /= {"percent": 100, "permille": 1000}.get(scale or "", 1)
        return float(d)


def _mask(text: str) -> list[bool]:
    """Chars inside quotes or 《titles》: numbers there ("1530", 《2024年要点》) are names."""
    masked = [False] * len(text)
    stack: list[str] = []
    ascii_open = False
    for i, c in enumerate(text):
        if c in _OPEN_CLOSE:
            stack.append(_OPEN_CLOSE[c])
        elif stack and c == stack[-1]:
            stack.pop()
        elif c == '"':
            ascii_open = not ascii_open
        elif c in _SENTENCE_END:  # an unclosed quote ends with its sentence
            stack.clear()
            ascii_open = False
        masked[i] = bool(stack) or ascii_open
    return masked


def _lone_number(text: str, a: int, b: int, s: int, e: int) -> bool:
    """A number without unit that may be a target ("0", "为0，", "5以上"), not
    part of "2024-06-30", "1.2.3" or "3/4"."""
    if a > s and text[a - 1] in "-/~—–－：.":
        return False
    return b == e or text[b] in "，：）" or bool(_SUFFIX.match(text, b, e)) or (text[b] == "." and b + 1 == e)


def _take_object(text: str, pos: int, end: int) -> int:
    """End of what follows a number up to the clause boundary: the object of a
    count ("1次应急演练和1次…" stops before 和) or the verb after a percentage."""
    i = pos
    while i < end:
        c = text[i]
        if c in "，；。、：！？）\n" or c.isdigit():
            break
        if c == "（":  # "（水箱）" belongs to the object; "（高危行业领域每月至少1次）" does not
            close = text.find("）", i, end)
            if close < 0 or re.search(r"[\d每]", text[i:close]):
                break
            i = close + 1
            continue
        i += 1
    if i < end and text[i].isdigit():
        m = re.search(r"(?:以及|和|及|与|并)$", text[pos:i])
        if m:
            i = pos + m.start()
    return i


def _resolve(cmp_op: str | None, suffix: str | None, *, relative: bool, value: float,
             unit: str | None, scale: str | None) -> tuple[str, str, str | None]:
    """(op, status, note) from the comparator word, the suffix and the value."""
    sop = _SUFFIX_OP.get(suffix or "")
    if cmp_op == "approx" or suffix in ("左右", "上下"):
        return "qualitative", "review", "目标为约数（约、左右），没有明确的比较方式，需人工判断"
    if cmp_op in (">=", ">", "<=", "<", "=="):
        if sop and cmp_op != "==" and (sop == ">=") != (cmp_op in (">=", ">")):
            return "qualitative", "review", "比较词与“以上/以内”方向矛盾，需人工判断"
        return (sop if cmp_op == "==" and sop else cmp_op), "parsed", None
    if sop:
        return sop, "parsed", None
    if cmp_op in ("~ge", "~le"):
        return (">=" if cmp_op == "~ge" else "<="), "parsed", None
    # No comparator word at all: only where the meaning is not in doubt.
    if relative:
        return ">=", "parsed", None  # "下降10%": at least 10% below the baseline
    if value == 0:
        return "==", "parsed", None
    if unit is not None and scale is None:
        return ">=", "parsed", None  # "改造老旧小区12个": a count to deliver
    if scale == "percent" and value == 1.0:
        return ">=", "parsed", None  # "排查率100%": nothing exceeds 100%
    return "qualitative", "review", "目标只写了数值，未写明“达到/以上/以内/不高于”等比较方式，需人工确认"


def _scan(text: str, s: int, e: int, masked: list[bool], *, whole: bool) -> list[_Hit]:
    """Every target expression in text[s:e] (one sentence), in order.
    whole: the span is a target cell, where a lone number ("0") is a target."""
    hits: list[_Hit] = []
    consumed = s
    for m in _NUM.finditer(text, s, e):
        a, b = m.span()
        if a < consumed or masked[a] or text[a - 1:a] == "第":  # 第1次: an ordinal
            continue
        boundary = max(text.rfind(c, s, a) for c in _CLAUSE_END)
        anchor = max(boundary + 1, s, hits[-1].end if hits else s)
        pre = text[anchor:a]

        # words before the number: comparator, then a relative change before it
        cm = _CMP.search(pre)
        cmp_word = cm.group() if cm else None
        cmp_op = _CMP_OF.get(cmp_word, "==") if cmp_word else None
        head = pre[:cm.start()] if cm else pre
        rm = _REL.search(head)
        relative = baseline = None
        if rm:
            relative = "decrease" if rm["rel"] in _DECREASE else "increase"
            baseline = baseline_of(rm["base"])
            head = head[:rm.start()]

        # the unit after it
        um = _UNIT.match(text, b, e)
        rng = _RANGE_NEXT.match(text, um.end() if um else b, e)
        review_note, review_end = None, b
        if text.startswith("个百分点", b):
            review_note, review_end = "以“百分点”表示的变化，需人工判断", b + 4
        elif rng and (um or rng.group()[-1] in "%‰" or _UNIT.match(text, rng.end(), e)):
            review_note, review_end = "目标是一个区间，需人工判断", rng.end()
        elif um:
            pass
        elif _TIME_UNIT.match(text, b, e):
            continue
        elif text[b:b + 1].isalpha() and not _SUFFIX.match(text, b, e):  # 米, kV, 元: no target unit ...
            if not _REVIEW_TRIGGER.search(pre):
                continue
            review_note = "数值的单位不是目标计量单位（如米、分钟），比较方式不明确，需人工判断"
            review_end, head = _REVIEW_MORE.match(text, b, e).end(), pre  # ... but it reads like a target
        elif not _lone_number(text, a, b, s, e):
            continue
        if review_note:
            hits.append(_Hit(anchor + len(head), a, review_end, note=review_note))
            consumed = review_end
            continue
        unit = um["unit"] if um else None
        if um and um["approx"] and cmp_op is None:  # "培训网格员300余人": about, not at least
            cmp_op = "approx"
        scale = {"%": "percent", "‰": "permille"}.get(unit or "")
        kind = "rate" if scale else ("count" if unit else "bare")
        rest_at = um.end() if um else b

        denom, freq, note = "", None, None
        if kind == "rate" and not cm and not rm:
            sm = _SHARE.search(pre)
            if sm:
                cmp_word, cmp_op, denom = sm["cmp"], _CMP_OF.get(sm["cmp"], "~ge"), sm["denom"]
                head = pre[:sm.start()]
        if kind == "count":
            fm = None
            for fm in _FREQ_CMP.finditer(head):
                pass
            if fm:
                freq = _FREQ_OF.get(fm["f"])
                if freq is None:
                    note = f"频次“每{fm['f']}”暂不支持，需人工判断"
                if cmp_op is None and fm["c"]:
                    cmp_op = _CMP_OF[fm["c"]]
        if kind == "bare" and cmp_op is None and not relative and not whole:
            continue  # a lone number in prose

        value = _to_float(m.group(), scale, um["mult"] if um else None)
        if value is None:
            continue
        sfx = _SUFFIX.match(text, rest_at, e)
        if relative and cmp_word == "为":
            op, status, note = "qualitative", "review", "“下降为/提高为”是目标水平还是降幅不明确，需人工判断"
        else:
            op, status, why = _resolve(cmp_op, sfx.group() if sfx else None, relative=bool(relative),
                                       value=value, unit=unit, scale=scale)
            note = note or why
        if sfx:
            rest_at = sfx.end()
        if note and status == "parsed":
            status = "review"

        end, obj = rest_at, ""
        if kind in ("count", "rate"):
            end = _take_object(text, rest_at, e)
            obj = text[rest_at:end]
            if kind == "rate" and obj.startswith("的"):
                if _ACTION.search(obj) and not _END_WORDS.match(obj, 1):  # "确保100%的村（社区）建成应急服务站"
                    obj = obj[1:]
                else:  # "达到100%的目标"
                    obj, end = "", rest_at
            clause_end = min([text.find(c, end, e) for c in "，；。" if text.find(c, end, e) >= 0] or [e])
            leading = not pre.strip() or bool(_AREA_ONLY.fullmatch(pre))
            if kind == "count" and cm is None and (_DESCRIBES.match(obj) or "以下简称" in text[b:clause_end]
                                                   or (leading and _ALL_OF.match(obj))):
                # "突出3个重点", "8个方面补短板", "16个专业委员会（以下简称专委会）": the number says how
                # many the text lists or names, it sets no target
                consumed = end
                continue
            if (kind == "count" and unit not in ("次", "人次", "场") and obj and sfx and cm is None and freq is None
                    and not relative):
                # "7座以上客车", "10人以上企业", even after a verb ("开展7座以上客车整治"): the
                # number names the subject; never a guessed target (the sentence is listed for review).
                # "开展3次以上演练" counts what is done: a target.
                consumed = end
                continue
        hits.append(_Hit(anchor + len(head), a, end, op, value if op != "qualitative" else None, scale, unit,
                         relative, kind, obj, denom, freq, status, note, baseline=baseline))
        consumed = end

        pm = _PAREN_EXCEPTION.match(text, end, e) if unit == "次" and freq else None
        if pm:  # "检查至少1次（高危行业领域每月至少1次）"
            f = _FREQ_OF.get(pm["f"])
            hits.append(_Hit(pm.start(), pm.start("n"), pm.end(), ">=", float(pm["n"]), None, "次", None, "count",
                             frequency=f, qualifier=pm["q"].strip(), status="parsed" if f else "review",
                             note=None if f else f"频次“每{pm['f']}”暂不支持，需人工判断"))
            consumed = pm.end()
    return hits
