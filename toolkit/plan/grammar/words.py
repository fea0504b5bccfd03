"""Words of the target grammar: normalising text, the vocabulary of
comparators, units, frequencies, and the `Rule` a phrase becomes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from toolkit.plan.deadline import FREQUENCIES, Deadline  # noqa: F401 (FREQUENCIES: re-exported)

Comparator = str  # one of "==", "<=", "<", ">=", ">", "qualitative"
COMPARATORS = ("==", "<=", "<", ">=", ">", "qualitative")
# Units of things a plan delivers or counts: a number with one of these is a target.
CLASSIFIERS = ("公里", "千米", "人次", "场次", "家次", "户次", "km", "个", "口", "套", "座", "处", "条", "名", "家", "所",
               "台", "户", "次", "人", "项", "支", "场", "辆", "艘", "起", "件", "例", "份", "栋")


# The fields of a rule that the scanner's hits, a `Rule` and a plan `Indicator`
# share: declared on each (their other fields differ), copied by these names.
RULE_FIELDS = ("op", "value", "scale", "unit", "relative", "frequency", "status", "note", "baseline")


def rule_fields(obj, **overrides) -> dict:
    """The RULE_FIELDS of a hit, rule or indicator, with overrides."""
    return {**{f: getattr(obj, f) for f in RULE_FIELDS}, **overrides}


@dataclass(frozen=True)
class Rule:
    """One checkable target."""

    name: str | None  # the measured thing
    text: str  # the source phrase / fragment, un-normalised
    op: Comparator
    value: float | None  # natural units: 100% -> 1.0, 3‰ -> 0.003, 12个 -> 12.0
    scale: str | None  # "percent" | "permille" | None
    unit: str | None  # "%", "‰", "个", "公里", "次", ...; None for a bare number
    relative: str | None  # None | "decrease" | "increase": value is the required change
    deadline: Deadline | None
    frequency: str | None  # "year" | "half-year" | "quarter" | "month": at least N per period
    status: str  # "parsed" | "review" | "unparsed"
    note: str | None = None  # for review/unparsed: why, for a clerk
    baseline: str | None = None  # relative rules: BASELINES; what the change is measured against


# What a relative target is compared with (上年同期 unless the plan says otherwise).
BASELINES = ("same-period-last-year", "last-year-total", "previous-period")


# ================================================================ normalize

_HSPACE = re.compile(r"[^\S\n]")
# ASCII punctuation the parser uses as boundaries gets its Chinese form, so one
# pattern serves both typings. "." stays: it is a decimal point.
_TO_CHINESE = {";": "；", ":": "：", "(": "（", ")": "）", "!": "！", "?": "？"}
_SPECIAL = {"\u3000": " ", "﹪": "%", "≧": "≥", "≦": "≤", "\r": "\n", "\x0b": "\n", "\x85": "\n",
            "\u2028": "\n", "\u2029": "\n"}


def _normalize_map(text: str) -> tuple[str, list[tuple[int, int]]]:
    """normalize(), plus for every output char the span of input it came from
    (so a rule can quote its source fragment un-normalised)."""
    chars: list[tuple[str, int, int]] = []
    for i, c in enumerate(text):  # 1. full-width block -> ASCII; CRLF -> one newline
        if c == "\r" and text[i + 1:i + 2] == "\n":
            continue
        if 0xFF01 <= ord(c) <= 0xFF5E:
            c = chr(ord(c) - 0xFEE0)
        chars.append((_SPECIAL.get(c, c), i, i + 1))
    chars = _chinese_numerals(chars)

    spaced: list[tuple[str, int, int]] = []  # 2. drop horizontal space, except between two ASCII words/numbers
    k = 0
    while k < len(chars):
        if not _HSPACE.match(chars[k][0]):
            spaced.append(chars[k])
            k += 1
            continue
        j = k
        while j < len(chars) and _HSPACE.match(chars[j][0]):
            j += 1
        prev = spaced[-1][0] if spaced else ""
        nxt = chars[j][0] if j < len(chars) else ""
        if prev.isascii() and nxt.isascii() and (
                (prev.isalpha() and nxt.isalpha()) or (prev.isdigit() and nxt.isdigit())):
            spaced.append((" ", chars[k][1], chars[k][2]))
        k = j

    merged: list[tuple[str, int, int]] = []  # 3. ">=" -> "≥", "<=" -> "≤"
    for item in spaced:
        if item[0] == "=" and merged and merged[-1][0] in "<>":
            merged[-1] = ("≥" if merged[-1][0] == ">" else "≤", merged[-1][1], item[2])
        else:
            merged.append(item)

    out = [c for c, _, _ in merged]
    for k, c in enumerate(out):  # 4. a comma is a thousands separator or a clause boundary
        if c == ",":
            after = out[k + 1:k + 5]
            thousands = (k > 0 and out[k - 1].isdigit() and len(after) >= 3
                         and all(x.isdigit() for x in after[:3]) and not (len(after) > 3 and after[3].isdigit()))
            out[k] = "," if thousands else "，"
        elif c in _TO_CHINESE:
            out[k] = _TO_CHINESE[c]
    return "".join(out), [(a, b) for _, a, b in merged]


def normalize(text: str) -> str:
    """Full-width digits/letters/％/．to ASCII, spaces in and around numbers
    removed, ASCII clause punctuation to Chinese; keeps ‰ and 。；，、. Idempotent."""
    return _normalize_map(text if isinstance(text, str) else str(text))[0]


# ================================================================ vocabulary

_NUM = re.compile(r"(?<![\d.A-Za-z])\d+(?:,\d{3})*(?:\.\d+)?")  # not "G243", "v1.2"
# "300余人", "20多个": about that many (a number, but no comparator: for review).
_UNIT = re.compile(r"(?P<approx>余|多)?(?P<mult>万|亿)?(?P<unit>%|‰|公里|千米|人次|场次|家次|户次|km(?![A-Za-z])"
                   r"|个(?!百分点|工作日|自然日|月|小时|季度|星期)"
                   r"|[口套座处条名家所台户人项支场辆艘件例份栋]|起(?![草步])|次(?!性))")
# Dates, durations and ages are never targets.
_TIME_UNIT = re.compile(r"个?(?:工作日|自然日|月|小时|季度|星期)|年|日|号|时|分钟|分|秒|天|周岁|岁|周")
_SUFFIX = re.compile(r"及以上|或以上|以上|及以下|或以下|以下|及以内|以内|之内|左右|上下")
_SUFFIX_OP = {"及以上": ">=", "或以上": ">=", "以上": ">=", "及以下": "<=", "或以下": "<=",
              "以下": "<=", "及以内": "<=", "以内": "<=", "之内": "<="}
_RANGE_NEXT = re.compile(r"(?:-|~|—|–|－|至|到)\d+(?:\.\d+)?(?:%|‰)?")  # "10%-20%": no single comparator

# Comparator words right before the number. "~ge"/"~le" lean one way but give
# way to an explicit 以上/以内; "~" leans nowhere; "approx" is never a comparator.
_CMP_WORDS = {
    ">=": "大于或等于 大于等于 不低于 不少于 不小于 不下于 至少 最少 最低 ≥",
    "<=": "小于或等于 小于等于 不高于 不超过 未超过 不大于 不多于 至多 最多 最高 ≤",
    "<": "未达到 未达 不足 不到 低于 小于 少于 <",
    ">": "高于 大于 超过 超出 多于 >",
    "==": "等于 =",
    "~ge": "提高到 提高至 提升到 提升至 上升到 上升至 增加到 增加至 增长到 增长至 增至 达到 达",
    "~le": "下降到 下降至 降低到 降低至 减少到 减少至 压降至 压减至 降到 降至 减至 控制到 控制在",
    "~": "保持在 维持在",
    "approx": "大约 约为 约 接近 近",
}
_CMP_OF = {w: op for op, words in _CMP_WORDS.items() for w in words.split()}
# Leftmost match wins, so "不低于" beats "低于" and "未达" beats "达"; "为" only
# when it is not the end of a word (行为, 作为, 认为...).
_CMP = re.compile("(?:" + "|".join(sorted(map(re.escape, _CMP_OF), key=len, reverse=True))
                  + r"|(?<![行作认成因称视更改转以])为)$")
_DECREASE = ("下降", "降低", "减少", "减低", "压降", "压减", "降幅")
_INCREASE = ("上升", "提高", "提升", "增长", "增加", "增幅")
# Words naming a baseline: 同比 / 较上年 / 较2025年 … (see baseline_of).
BASE_WORDS = (r"同比|环比|较上年同期|较去年同期|比上年同期|与上年同期相比|较上年|比上年|较去年|比去年|与上年相比"
              r"|较上一年|较\d{4}年")
_REL = re.compile(r"(?P<base>" + BASE_WORDS + r")?(?:分别|均|都|各)?(?P<rel>"
                  + "|".join(_DECREASE + _INCREASE) + ")了?$")
_FREQ = re.compile(r"每(?P<f>年度|年|半年|季度|季|月|周|日|天)")
_FREQ_OF = {"年度": "year", "年": "year", "半年": "half-year", "季度": "quarter", "季": "quarter", "月": "month"}
_FREQ_WORD = {"year": "每年", "half-year": "每半年", "quarter": "每季度", "month": "每月"}
_FREQ_CMP = re.compile(_FREQ.pattern + "(?P<c>至少|不少于|最少|至多|不超过|最多)?")  # "每年至少开展1次"
# "检查至少1次（高危行业领域每月至少1次）": an exception with its own frequency.
_PAREN_EXCEPTION = re.compile(r"（(?P<q>[^（）\d]*?)" + _FREQ.pattern + r"(?P<c>至少|不少于)?(?P<n>\d+)次）")
# "达到施工现场总人数50%以上": a share of a named total.
_SHARE = re.compile(r"(?P<cmp>达到|达|占|不低于|不少于|高于|超过|低于|不高于|不超过)"
                    r"(?P<denom>[^，；。、\d]{1,20}?(?:总人数|总户数|总面积|总里程|总长度|总规模|总数|总量|总额))的?$")
# "分辨率精细到500米、5分钟": a non-target unit after such a word is flagged for review, not dropped.
_REVIEW_TRIGGER = re.compile(r"(?:到|至|达|为|在)$")
_REVIEW_MORE = re.compile(r"[^\d，；。、]*(?:、\d+(?:\.\d+)?[^\d，；。、]*)*")

# Verbs of doing, for naming counts ("安装11套气象测风仪" -> "安装气象测风仪").
_ACTION = re.compile("新建|改建|扩建|新增|增设|建设|建成|建立|改造|安装|加装|实施|开展|完成|整治|治理|配备|配置|"
                     "设置|开通|组织|举办|培训|排查|检查|督查|搬迁|修复|维修|更新|打造|创建|招录|布设|购置|铺设|"
                     "清理|拆除|落实")
# Leading verbs and connectors that are not part of a measured thing's name;
# single characters only where they do not start a word (使用率, 及时率, 对接率).
_LEAD_WORDS = (r"进一步|同时|并且|以及|全面|持续|继续|切实|积极|加快|努力|全力|逐步|不断|按计划|按时|力争|确保|"
               r"实现|做到|推动|推进|落实|牵头|基本|有效|常态化|完成(?!率)|其中|使(?!用)|并(?![网联行发购列])|且|"
               r"对(?![讲接口象策照比外应])|将|把|和(?!谐)|及(?!时)|与|[、，：]")
_LEAD = re.compile(f"^(?:{_LEAD_WORDS})")
# ... and, for the clause that qualifies a generic name, the actions too.
_QUAL_LEAD = re.compile(f"^(?:{_LEAD_WORDS}|开展|组织|强化|加强|深化|完善|做好|抓好)")
# Where a rate's name starts when its clause opens with an action ("…危险区实现隐患排查率").
_CUT = re.compile(r"实现|确保|力争|推动|推进|落实|做到|保证")
_RATE_END = ("率", "度", "比", "比例", "比重", "指数")
_QUALITATIVE = re.compile(r"保持|低位|下降|减少|降低|稳中有降|不发生|杜绝|遏制|消除|清零|全覆盖|明显|持续|"
                          r"有效|提升|提高|增强|完善|控制|防范|确保|坚决|零|平稳|好转|加强|达标")
_OPEN_CLOSE = {"“": "”", "《": "》", "‘": "’", "「": "」", "『": "』", "〈": "〉"}
_SENTENCE_END = "。；！？\n"
_CLAUSE_END = "，："


def baseline_of(word: str | None) -> str:
    """The baseline a relative target names: 同比/上年同期 -> same-period-last-year,
    较上年/较去年 -> last-year-total, 环比 -> previous-period, 较2025年 -> year:2025;
    a target that names none (下降10%) is compared with the same period last year."""
    if not word or word == "同比" or "同期" in word:
        return "same-period-last-year"
    if word == "环比":
        return "previous-period"
    m = re.search(r"\d{4}", word)
    return f"year:{m.group()}" if m else "last-year-total"


# ================================================================ Chinese numerals

_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMERAL = re.compile(r"(?<![第一二两三四五六七八九十百零〇几数届])[一二两三四五六七八九十百]+(?![一二两三四五六七八九十百])")
# A Chinese numeral is a quantity only with a classifier after it and either a
# floor before it ("每月至少开展一次") or nothing after it ("改造老旧小区十个"):
# "十条措施", "两个责任人", "一批设施", "一次性" name things; they are no targets.
_CN_FLOOR_BEFORE = re.compile(r"(?:至少|不少于|不低于|最少|每(?:年度|年|半年|季度|季|月|周))[^，；。：\n]{0,12}$")
_CN_CLASSIFIER = re.compile(r"(?:人次|公里|[次个座处条名家所台户项支场辆艘起件例口套])(?!性|别|人|百分点|工作日|自然日|月|小时|季度|星期)")
# not "、": "二次、三次、四次全会" are ordinals in a list
# ... or a verb of doing right before it ("组织开展两次综合应急演练"); not 落实/明确 (两个责任人).
_CN_VERB_BEFORE = re.compile(r"(?:开展|组织|召开|举办|举行|新建|建成|建设|改造|完成|检查|演练|督查)$")
_CN_END_AFTER = re.compile(r"(?:及以上|以上)?(?:[，；。：）\n]|$)")


def cn_to_int(text: str) -> int | None:
    """一 -> 1, 十 -> 10, 十二 -> 12, 二十 -> 20, 一百零五 -> 105; None if not a numeral."""
    total, current = 0, None
    for c in text:
        if c in _CN_DIGIT:
            current = _CN_DIGIT[c]
        elif c in "十百":
            unit = 10 if c == "十" else 100
            total += (1 if current is None else current) * unit
            current = None
        else:
            return None
    return total + (current or 0)


def _chinese_numerals(chars: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Chinese numerals that are quantities become digits, each digit keeping
    the span of the numeral it came from."""
    text = "".join(c for c, _, _ in chars)
    out, last = [], 0
    for m in _CN_NUMERAL.finditer(text):
        cls = _CN_CLASSIFIER.match(text, m.end())
        if not cls:
            continue
        floor = _CN_FLOOR_BEFORE.search(text, 0, m.start()) or _CN_VERB_BEFORE.search(text, 0, m.start())
        end = _CN_END_AFTER.match(text, cls.end())
        number = cn_to_int(m.group())
        if number is None or not (floor or end):
            continue
        out.extend(chars[last:m.start()])
        a, b = chars[m.start()][1], chars[m.end() - 1][2]
        out.extend((d, a, b) for d in str(number))
        last = m.end()
    out.extend(chars[last:])
    return out
