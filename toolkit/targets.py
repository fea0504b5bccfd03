"""Target phrases from work-safety plans -> checkable rules.

A plan states its targets in Chinese prose: "覆盖率达 100%", "3‰以内",
"下降10%", "改造老旧小区12个", "每季度至少组织1次…", "11月底前，…达80%以上".
This module turns such phrases into `Rule`s (comparator, value in natural
units, unit, relative change, deadline, frequency) and task-list 完成时间
cells into `Deadline`s.

It never guesses. A number whose comparator the grammar cannot settle gives a
rule with status "review" (a clerk decides); what the grammar does not
understand at all is "unparsed"; qualitative targets ("保持低位运行") are
"review". The parsers never raise: odd input becomes an unparsed rule.

How free text is read (extract_targets): sentences end at 。；！？ and newlines,
clauses at ，：. Every number is looked at with its unit (%, ‰ or a classifier
such as 个/套/公里/次), the comparator words before it (达/不低于/下降…) and the
suffix after it (以上/以内…). The measured thing's name is the text between the
clause start (or the previous target) and the comparator, cleaned of leading
verbs; counts are named by their verb and object ("安装11套气象测风仪" ->
"安装气象测风仪"). Numbers that are dates, durations, codes (G243, 110kV) or
inside quotes and 《titles》 are not targets.
"""

from __future__ import annotations

import bisect
import calendar
import dataclasses
import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation, localcontext

__all__ = [
    "CLASSIFIERS", "COMPARATORS", "FREQUENCIES", "Comparator", "Deadline", "Rule",
    "canonical_phrase", "extract_targets", "normalize", "parse_deadline", "parse_target",
]

Comparator = str  # one of "==", "<=", "<", ">=", ">", "qualitative"
COMPARATORS = ("==", "<=", "<", ">=", ">", "qualitative")
FREQUENCIES = ("year", "half-year", "quarter", "month")
# Units of things a plan delivers or counts: a number with one of these is a target.
CLASSIFIERS = ("公里", "千米", "人次", "km", "个", "口", "套", "座", "处", "条", "名", "家", "所",
               "台", "户", "次", "人", "项", "支", "场", "辆", "艘", "起", "件", "例")


# ================================================================ data


@dataclass(frozen=True)
class Deadline:
    """When a target or task is due."""

    kind: str  # "date" | "dates" | "recurring" | "ongoing"
    dates: tuple[datetime.date, ...] = ()  # date/dates: due dates, sorted
    every: str | None = None  # recurring: "year" | "half-year" | "quarter" | "month"
    # Deadlines meaning the same dates are equal however they were worded.
    text: str = field(default="", compare=False)

    def canonical(self) -> str:
        if self.kind in ("date", "dates"):
            return ";".join(d.isoformat() for d in self.dates)
        if self.kind == "recurring":
            return f"every:{self.every}"
        return "ongoing"

    @classmethod
    def from_canonical(cls, s: str) -> "Deadline":
        """Inverse of canonical(); raises ValueError on anything else."""
        s = (s or "").strip()
        if s == "ongoing":
            return cls("ongoing", text=s)
        if s.startswith("every:"):
            every = s[len("every:"):]
            if every not in FREQUENCIES:
                raise ValueError(f"unknown recurrence {every!r}")
            return cls("recurring", every=every, text=s)
        try:
            dates = tuple(sorted({datetime.date.fromisoformat(p.strip()) for p in s.split(";")}))
        except ValueError as exc:
            raise ValueError(f"not a canonical deadline: {s!r}") from exc
        return cls("date" if len(dates) == 1 else "dates", dates=dates, text=s)

    def due_by(self, day: datetime.date) -> bool:
        """True once a due date has been reached; recurring/ongoing never are."""
        return self.kind in ("date", "dates") and any(d <= day for d in self.dates)


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
_UNIT = re.compile(r"(?P<mult>万|亿)?(?P<unit>%|‰|公里|千米|人次|km(?![A-Za-z])"
                   r"|个(?!百分点|工作日|自然日|月|小时|季度|星期)"
                   r"|[口套座处条名家所台户人项支场辆艘件例]|起(?![草步])|次(?!性))")
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
_REL = re.compile(r"(?:同比|环比|较上年|比上年|较去年|较\d{4}年)?(?P<rel>"
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
               r"实现|推动|推进|落实|牵头|基本|有效|常态化|完成(?!率)|其中|使(?!用)|并(?![网联行发购列])|且|"
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


# ================================================================ deadlines

_ONGOING = re.compile(r"长期坚持|长期开展|长期|持续推进|持续开展|持续|常态化开展|常态化")
_RECURRING = re.compile(r"每(?P<f>年度|年|半年|季度|季|月)(?:底|末)?前?")
_YEAR_RANGE = re.compile(r"(?P<a>\d{4})年?(?:—|–|－|-|~|至|到)+(?P<b>\d{4})年(?:底|末)?(?:前|以前|之前)?")
_BEFORE = r"(?:前|以前|之前|止)?"
_DATE_TOKENS = [  # (pattern, what the due date is)
    (re.compile(r"(?P<y>\d{4})年(?:底|末|内|度)?" + _BEFORE), "year"),
    (re.compile(r"(?P<y>\d{4})年(?P<h>上|下)半年(?:底|末)?" + _BEFORE), "half"),
    (re.compile(r"(?P<y>\d{4})年第?(?P<q>[1-4一二三四])季度(?:末|底)?" + _BEFORE), "quarter"),
    (re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月份?(?:底|末)?" + _BEFORE), "month"),
    (re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]" + _BEFORE), "day"),
    (re.compile(r"(?P<y>\d{4})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})" + _BEFORE), "day"),
    (re.compile(r"(?:年底|年末|年内|今年底|本年底)" + _BEFORE), "year"),
    (re.compile(r"(?P<h>上|下)半年(?:底|末)?" + _BEFORE), "half"),
    (re.compile(r"(?P<m>\d{1,2})月份?(?:底|末)?" + _BEFORE), "month"),
    (re.compile(r"(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]" + _BEFORE), "day"),
]
# A deadline inside a clause ("确保2026年底前完成…"); "2023年以前建成的" describes, it is no deadline.
_INLINE_DEADLINE = re.compile(r"(?:\d{4}年(?:\d{1,2}月)?|\d{1,2}月)(?:底|末)(?:前|之前)"
                              r"|(?:\d{4}年)?\d{1,2}月\d{1,2}日(?:前|之前)|年底前|年末前")
_QUARTER = {"1": 1, "2": 2, "3": 3, "4": 4, "一": 1, "二": 2, "三": 3, "四": 4}
_UNRESOLVED = "unresolved"


def _month_end(y: int, m: int) -> datetime.date:
    return datetime.date(y, m, calendar.monthrange(y, m)[1])


def _date_token(tok: str, year: int | None):
    """One due date: a date, _UNRESOLVED (it needs the plan year), or None."""
    for rx, kind in _DATE_TOKENS:
        m = rx.fullmatch(tok)
        if not m:
            continue
        g = m.groupdict()
        y = int(g["y"]) if g.get("y") else year
        if y is None:
            return _UNRESOLVED
        if not 1900 <= y <= 2200:
            return None
        try:
            if kind == "year":
                return datetime.date(y, 12, 31)
            if kind == "half":
                return datetime.date(y, 6, 30) if g["h"] == "上" else datetime.date(y, 12, 31)
            if kind == "quarter":
                return _month_end(y, 3 * _QUARTER[g["q"]])
            if kind == "month":
                return _month_end(y, int(g["m"]))
            return datetime.date(y, int(g["m"]), int(g["d"]))
        except ValueError:  # 13月, 2月30日
            return None
    return None


def _deadline(text: str, year: int | None) -> tuple[Deadline | None, str]:
    """(deadline, state), state "ok", "unresolved" (needs a year) or "bad"; text is normalised."""
    t = re.sub(r"^(?:截止到|截至|截止|到|至|于|在)", "", text.strip(" 。，；：、"))
    if not t:
        return None, "bad"
    if _ONGOING.fullmatch(t):
        return Deadline("ongoing", text=text), "ok"
    m = _RECURRING.fullmatch(t)
    if m:
        return Deadline("recurring", every=_FREQ_OF[m["f"]], text=text), "ok"
    m = _YEAR_RANGE.fullmatch(t)  # "2025—2026年": due at the end of each year
    if m:
        a, b = int(m["a"]), int(m["b"])
        if not (1900 <= a < b <= 2200 and b - a <= 20):
            return None, "bad"
        return Deadline("dates", dates=tuple(datetime.date(y, 12, 31) for y in range(a, b + 1)), text=text), "ok"
    # "2025年\n2026年", "2025年2026年" (normalize drops the space), "2025年、2026年", "2025年底前、2026年6月底前"
    tokens = [p for p in re.split(r"[、，,\s/和及]+|(?<=[年前底末])(?=\d{4}年)", t) if p]
    dates = [_date_token(p, year) for p in tokens]
    if not dates or any(d is None for d in dates):
        return None, "bad"
    if _UNRESOLVED in dates:
        return None, "unresolved"
    uniq = tuple(sorted(set(dates)))
    return Deadline("date" if len(uniq) == 1 else "dates", dates=uniq, text=text), "ok"


def parse_deadline(text: str, *, year: int | None = None) -> Deadline | None:
    """A 完成时间 cell -> Deadline; None when not understood or, like "11月底前"
    without a plan year, not resolvable."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        d, state = _deadline(normalize(text), year)
    except Exception:  # never raise on odd input
        return None
    return dataclasses.replace(d, text=text) if state == "ok" and d is not None else None


# ================================================================ finding targets


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
    freq: str | None = None
    status: str = "review"
    note: str | None = None
    qualifier: str | None = None  # set on a parenthesised exception: "高危行业领域"


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
        relative = None
        if rm:
            relative = "decrease" if rm["rel"] in _DECREASE else "increase"
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
                obj, end = "", rest_at
            if kind == "count" and obj and sfx and not _ACTION.search(head) and status == "parsed":
                status, note = "review", "数量后接“以上/以下”和名词，可能是范围描述（如“10人以上企业”）而不是目标，需人工判断"
        hits.append(_Hit(anchor + len(head), a, end, op, value if op != "qualitative" else None, scale, unit,
                         relative, kind, obj, denom, freq, status, note))
        consumed = end

        pm = _PAREN_EXCEPTION.match(text, end, e) if unit == "次" and freq else None
        if pm:  # "检查至少1次（高危行业领域每月至少1次）"
            f = _FREQ_OF.get(pm["f"])
            hits.append(_Hit(pm.start(), pm.start("n"), pm.end(), ">=", float(pm["n"]), None, "次", None, "count",
                             freq=f, qualifier=pm["q"].strip(), status="parsed" if f else "review",
                             note=None if f else f"频次“每{pm['f']}”暂不支持，需人工判断"))
            consumed = pm.end()
    return hits


# ================================================================ naming


def _strip_lead(name: str, rx: re.Pattern = _LEAD) -> str:
    while True:
        m = rx.match(name)
        if not m or m.end() == len(name):
            return name
        name = name[m.end():]


def _clean(seg: str) -> str:
    """Drop leading verbs/connectors, an unbalanced "（", and a leading locative
    ("在“三山”重点林区新建" -> "新建")."""
    seg = seg.strip()
    if seg.count("（") > seg.count("）"):
        seg = seg.lstrip("（")
    name = _strip_lead(seg)
    if name.startswith("在"):
        v = _ACTION.search(name, 1)
        if v:
            name = name[v.start():]
    return name


def _cut_rate(name: str) -> str:
    """"防洪薄弱点和…危险区实现隐患排查率" -> "隐患排查率"; not "整改落实率"."""
    last = None
    for last in _CUT.finditer(name):
        pass
    if last and len(name) - last.end() >= 3:
        return _strip_lead(name[last.end():])
    return name


def _split_list(name: str) -> list[str]:
    """"“两客一危”年检率和年审率" -> both, the shorter borrowing the first's
    qualifier. Only lists of rates split: "金属粉尘和铝加工…监测率" is one name."""
    parts, depth, cur = [], 0, ""
    for c in name:
        depth += (c in "（“《‘") - (c in "）”》’")
        if depth <= 0 and c in "和、及与":
            parts.append(cur)
            cur = ""
        else:
            cur += c
    parts.append(cur)
    if len(parts) < 2 or not all(p and p.endswith(_RATE_END) for p in parts):
        return [name]
    first = parts[0]
    return [first] + [first[:len(first) - len(p)] + p if len(p) < len(first) else p for p in parts[1:]]


def _qualify(name: str, clause: str) -> str:
    """A generic name ("排查率") qualified by the clause before it:
    "牵头开展大型商业综合体安全隐患排查，排查率100%" -> "大型商业综合体安全隐患排查率"."""
    clause = _strip_lead(clause.strip(), _QUAL_LEAD)
    stem = name.rstrip("率度")
    if stem and stem != name and stem in clause:
        k = clause.rfind(stem)
        return clause[:k + len(stem)] + name[len(stem):]
    return clause + name


def _dui_object(seg: str) -> str | None:
    """"对场镇排水设施开展" -> "场镇排水设施": what an activity (次) is done to."""
    k = seg.rfind("对")
    if k < 0 or re.match(r"对(?:讲|接|口|象|策|照|比|外|应)", seg[k:]):
        return None
    rest = seg[k + 1:]
    v = _ACTION.search(rest)
    return rest[:v.start()] if v else rest


def _name_count(hit: _Hit, seg: str, continues: bool, ctx: dict) -> str:
    """Activities (次) are named by what is done ("农业有限空间作业应急演练");
    other counts by verb and object ("安装气象测风仪", "新建消防管网")."""
    seg = _FREQ_CMP.sub("", seg)
    if hit.unit == "次":
        dui = _dui_object(seg)
        if dui is None and continues:  # "1次应急演练和1次宣传培训"
            dui = ctx.get("dui")
        ctx["dui"] = dui
        if hit.obj:
            return (dui or "") + hit.obj
        return seg[seg.rfind("对") + 1:] if dui is not None else _clean(seg)
    if hit.obj:  # number before its object: "按计划实施城区1个小型消防站建设"
        verbs = list(_ACTION.finditer(seg))
        if verbs:
            lead = seg[verbs[-1].start():]
        elif seg.endswith("等"):  # "对坪山观音桥、白家双河口等4座渡口…": examples, not the name
            lead = ""
        else:
            lead = _clean(seg)
        name = lead + hit.obj
    else:
        name = _clean(seg)
        if continues and ctx.get("verb") and not _ACTION.match(name):
            name = ctx["verb"] + name  # "新建消防水池54口、消防管网108公里": the verb is shared
    v = _ACTION.match(name)
    ctx["verb"] = v.group() if v else None
    return name


def _name_hit(hit: _Hit, seg: str, continues: bool, ctx: dict) -> list[str]:
    """Names for a hit; seg is the text between its clause (or the previous
    target) and its comparator."""
    ctx["qualified"] = False
    if hit.kind == "review":
        name = re.sub(r"(?:精细到|缩短到|缩短至|控制在|达到|到|至|达|为|在)$", "", seg)
        k = max(name.rfind("率"), name.rfind("度"))
        return [_clean(name[:k + 1] if k >= 0 else name)]
    if hit.kind == "count":
        return [_name_count(hit, seg, continues, ctx)]
    base = _clean(seg)
    remark = ""
    if hit.obj.startswith("（"):  # "整改率达100%（含挂牌督办隐患）": a remark, kept with the name
        remark = hit.obj
    elif hit.obj:  # "辖区新安装电梯100%接入物联感知系统"
        return [base + hit.obj + "比例"]
    if hit.denom:  # "…施工人数达到施工现场总人数50%以上"
        return [base + "占" + hit.denom + "比例"]
    names = []
    for name in _split_list(_cut_rate(base)):
        if len(name) <= 3 and ctx.get("prev_clause"):  # "覆盖率", "排查率", or nothing at all
            name = _qualify(name, ctx["prev_clause"])
            ctx["qualified"] = True
        if hit.scale and not hit.relative and name and not name.endswith(_RATE_END):
            name += "比例"  # "纳入等级动态管理的文化旅游企业达98%" measures a share
        names.append(name + remark)
    return names


# ================================================================ sentences -> rules


def _sentences(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for i, c in enumerate(text):
        if c in _SENTENCE_END:
            out.append((start, i))
            start = i + 1
    out.append((start, len(text)))
    return [(a, b) for a, b in out if text[a:b].strip()]


def _rules_in(text: str, spans: list[tuple[int, int]], original: str, s: int, e: int,
              year: int | None, *, whole: bool, masked: list[bool]) -> list[Rule]:
    """The rules of one sentence text[s:e] of the normalised text."""

    def source(a: int, b: int) -> str:  # the original (un-normalised) text of a span
        return original[spans[a][0]:spans[b - 1][1]] if b > a else ""

    while s < e and text[s] in " 、，：":
        s += 1
    s0 = s
    # "11月底前，…", "2026年底前，…": a deadline for every target of the sentence
    deadline, dl_state, dl_head = None, None, ""
    k = text.find("，", s, e)
    if s < k <= s + 40:
        d, state = _deadline(text[s:k], year)
        if state != "bad":
            deadline, dl_state, dl_head = d, state, text[s:k]
            s = k + 1
    hits = _scan(text, s, e, masked, whole=whole)
    if not hits:
        goal = text[s:e].strip(" 。；，")
        if dl_state and goal:  # "2026年底前，镇专业应急救援队伍建设达标并通过区级验收。"
            note = "有期限但无量化指标的任务，需人工判断是否完成"
            if dl_state == "unresolved":
                note += f"；截止时间“{dl_head}”没有年份，无法换算为日期"
            return [Rule(goal, source(s0, e).strip(" 。；，"), "qualitative", None, None, None, None,
                         deadline, None, "review", note)]
        return []

    clause_starts = [s] + [i + 1 for i in range(s, e) if text[i] in _CLAUSE_END]
    clause_of = {id(h): bisect.bisect_right(clause_starts, h.num) - 1 for h in hits}
    clauses_with_hits = set(clause_of.values())
    inlines = list(_INLINE_DEADLINE.finditer(text, s, e))
    rules: list[Rule] = []
    ctx: dict = {}
    prev: _Hit | None = None
    base_names: list[str] = []
    list_start = s
    for hit in hits:
        ci = clause_of[id(hit)]
        cs = clause_starts[ci]
        same_clause = prev is not None and prev.end >= cs
        anchor = prev.end if same_clause else cs
        seg = text[anchor:hit.start]
        # "54口、消防管网108公里", "1次应急演练和1次宣传培训": one list, sharing verb and frequency
        continues = same_clause and (not seg or seg[0] in "、和及与并")
        if continues and hit.kind == prev.kind == "count" and hit.freq is None:
            hit.freq = prev.freq

        hit_deadline, hit_state, hit_head = deadline, dl_state, dl_head
        inline = next((m for m in reversed(inlines) if cs <= m.start() and m.end() <= hit.start), None)
        if inline and dl_state is None:  # "确保2026年底前完成12个…"
            hit_deadline, hit_state = _deadline(inline.group(), year)
            hit_head = inline.group()
            if inline.start() >= anchor:
                seg = text[anchor:inline.start()] + text[inline.end():hit.start]

        ctx["prev_clause"] = None  # qualifies a generic name, if it holds no target itself
        if ci > 0 and ci - 1 not in clauses_with_hits:
            ctx["prev_clause"] = text[clause_starts[ci - 1]:cs - 1]
        if hit.qualifier is not None:  # the exception names the same thing as its rule
            names = [f"{n}（{hit.qualifier}）" if hit.qualifier else n for n in base_names]
        else:
            names = base_names = _name_hit(hit, seg, continues, ctx)
        if not (continues or hit.qualifier is not None):
            list_start = clause_starts[ci - 1] if ctx.get("qualified") else anchor
        fragment = source(list_start, hit.end).lstrip("、，,和及与 ")

        for name in names or [None]:
            status, note = hit.status, hit.note
            if not name and not whole and status == "parsed":
                status, note = "unparsed", "找不到指标名称"
            if hit_state == "unresolved" and status == "parsed":
                status, note = "review", f"截止时间“{hit_head}”没有年份，无法换算为日期"
            rules.append(Rule(name or None, fragment, hit.op, hit.value, hit.scale, hit.unit, hit.relative,
                              hit_deadline, hit.freq, status, note))
        prev = hit
    return rules


def _parse(text: str, year: int | None, *, whole: bool) -> list[Rule]:
    norm, spans = _normalize_map(text)
    masked = _mask(norm)
    return [r for a, b in _sentences(norm)
            for r in _rules_in(norm, spans, text, a, b, year, whole=whole, masked=masked)]


def extract_targets(text: str, *, year: int | None = None) -> list[Rule]:
    """Every quantitative target in free text (a rectification row, a task), each
    a named Rule, in order of appearance; `year` resolves 11月底前/年底前."""
    if not isinstance(text, str) or not text.strip():
        return []
    try:
        return _parse(text, year, whole=False)
    except Exception as exc:  # never raise on odd input; report it instead
        return [Rule(None, text, "qualitative", None, None, None, None, None, None, "unparsed",
                     f"解析出错（{type(exc).__name__}），需人工处理")]


def parse_target(phrase: str, *, name: str | None = None, year: int | None = None) -> list[Rule]:
    """A target cell ("达98%以上", "3‰以内", "0", "保持低位运行") -> its rules: one,
    or several when the phrase names several things ("年检率和年审率达99%以上")."""
    text = "" if phrase is None else (phrase if isinstance(phrase, str) else str(phrase))

    def single(status: str, note: str) -> list[Rule]:
        return [Rule(name, text, "qualitative", None, None, None, None, None, None, status, note)]

    try:
        body = normalize(text).strip(" 。；，、\n")
        if not body:
            return single("unparsed", "目标为空")
        rules = _parse(text, year, whole=True)
        if not rules:
            if re.search(r"\d", body):
                return single("unparsed", "含有数字，但无法识别为目标")
            if _QUALITATIVE.search(body):
                return single("review", "定性目标，需人工判断")
            return single("unparsed", "无法识别的目标表述")
        if len(rules) == 1:
            # The cell's own wording ("覆盖率达100%") yields to the indicator's name;
            # a bare verb ("每年至少开展1次" -> "开展") is no name at all.
            own = rules[0].name
            rules = [dataclasses.replace(rules[0], name=name if name or (own and _ACTION.fullmatch(own)) else own)]
        return [dataclasses.replace(r, text=text) for r in rules]
    except Exception as exc:  # never raise on odd input
        return single("unparsed", f"解析出错（{type(exc).__name__}），需人工处理")


# ================================================================ canonical form


def _fmt_number(value: float, scale: str | None) -> str:
    with localcontext() as ctx:
        ctx.prec = 60
        d = Decimal(repr(float(value))) * {"percent": 100, "permille": 1000}.get(scale or "", 1)
        return format(d.normalize(), "f")


def _fmt_date(d: datetime.date) -> str:
    if (d.month, d.day) == (12, 31):
        return f"{d.year}年底"
    if d == _month_end(d.year, d.month):
        return f"{d.year}年{d.month}月底"
    return f"{d.year}年{d.month}月{d.day}日"


def _fmt_deadline(dl: Deadline) -> str:
    if dl.kind == "ongoing":
        return "长期坚持"
    if dl.kind == "recurring":
        return _FREQ_WORD.get(dl.every or "", "每年")
    return "、".join(_fmt_date(d) + "前" for d in dl.dates)


def canonical_phrase(rule: Rule) -> str:
    """A phrase that parse_target(phrase, name=rule.name) turns back into an
    equal rule; a qualitative rule gives back its text."""
    if rule.op not in COMPARATORS[:-1] or rule.value is None:
        return rule.text or ""
    unit = {"percent": "%", "permille": "‰"}.get(rule.scale or "", rule.unit or "")
    v = _fmt_number(rule.value, rule.scale) + unit
    op = rule.op
    if rule.relative:
        verb = "下降" if rule.relative == "decrease" else "上升"
        body = {">=": f"{verb}{v}以上", ">": f"{verb}超过{v}", "<=": f"{verb}{v}以内",
                "<": f"{verb}不到{v}", "==": f"{verb}等于{v}"}[op]
    elif rule.frequency in _FREQ_WORD:
        body = _FREQ_WORD[rule.frequency] + {">=": "至少", ">": "多于", "<=": "至多", "<": "少于", "==": "等于"}[op] + v
    elif rule.unit and not rule.scale:
        body = {">=": "不少于", ">": "多于", "<=": "不超过", "<": "少于", "==": "等于"}[op] + v
    else:
        body = {">=": f"不低于{v}", ">": f"高于{v}", "<": f"低于{v}",
                "<=": f"{v}以内" if rule.scale == "permille" else f"不高于{v}",
                "==": "0" if rule.value == 0 and not unit else f"等于{v}"}[op]
    if rule.deadline is not None:
        body = _fmt_deadline(rule.deadline) + "，" + body
    return body
