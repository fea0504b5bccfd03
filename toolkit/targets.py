"""Target phrases from work-safety plans -> checkable rules.

A plan states its targets in Chinese prose: "覆盖率达 100%", "3‰以内",
"下降10%", "改造老旧小区12个", "每季度至少组织1次…", "11月底前，…达80%以上".
This module turns such phrases into `Rule`s (comparator, value in natural
units, unit, relative change, deadline, frequency) and task-list 完成时间
cells into `Deadline`s.

It never guesses. A number whose comparator the grammar cannot settle becomes
a rule with status "review" (a clerk decides) or "unparsed" (the grammar did
not understand it); qualitative targets ("保持低位运行") are "review".

Public API: normalize, parse_target, extract_targets, parse_deadline,
canonical_phrase, Rule, Deadline.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation, localcontext

__all__ = [
    "Comparator", "COMPARATORS", "FREQUENCIES", "Deadline", "Rule",
    "normalize", "parse_target", "extract_targets", "parse_deadline", "canonical_phrase",
]

Comparator = str  # one of "==", "<=", "<", ">=", ">", "qualitative"
COMPARATORS = ("==", "<=", "<", ">=", ">", "qualitative")
FREQUENCIES = ("year", "half-year", "quarter", "month")


# ================================================================ data


@dataclass(frozen=True)
class Deadline:
    """When a target or task is due."""

    kind: str  # "date" | "dates" | "recurring" | "ongoing"
    dates: tuple[datetime.date, ...] = ()
    every: str | None = None  # recurring: "year" | "half-year" | "quarter" | "month"
    # Two deadlines that mean the same dates are equal however they were worded.
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
    name: str | None
    text: str
    op: Comparator
    value: float | None
    scale: str | None  # "percent" | "permille" | None
    unit: str | None
    relative: str | None  # None | "decrease" | "increase"
    deadline: Deadline | None
    frequency: str | None
    status: str  # "parsed" | "review" | "unparsed"
    note: str | None = None


# ================================================================ normalize

_HSPACE = re.compile(r"[^\S\n]")
# ASCII punctuation that the parser treats as clause boundaries gets its
# Chinese form, so one regex serves both typings.
_TO_CHINESE = {";": "；", ":": "：", "(": "（", ")": "）", "!": "！", "?": "？"}
_SPECIAL = {"﹪": "%", "≧": "≥", "≦": "≤", "\r": "\n", "\x0b": "\n", "\u2028": "\n"}


def _normalize_map(text: str) -> tuple[str, list[tuple[int, int]]]:
    """normalize() plus, for every output char, the span of input it came from."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:  # 1. character mapping (full-width block -> ASCII)
        c = text[i]
        if 0xFF01 <= ord(c) <= 0xFF5E:
            c = chr(ord(c) - 0xFEE0)
        elif c == "\u3000":
            c = " "
        c = _SPECIAL.get(c, c)
        if c == "\n" and text[i] == "\r" and text[i + 1:i + 2] == "\n":
            i += 1  # CRLF -> one newline
            continue
        nxt = text[i + 1:i + 2]
        if c in "<>" and nxt and (nxt == "=" or nxt == "＝"):
            out.append("≥" if c == ">" else "≤")
            spans.append((i, i + 2))
            i += 2
            continue
        out.append(c)
        spans.append((i, i + 1))
        i += 1

    res: list[str] = []  # 2. drop horizontal space unless it separates two ASCII words
    rspans: list[tuple[int, int]] = []
    k = 0
    while k < len(out):
        if _HSPACE.match(out[k]):
            j = k
            while j < len(out) and _HSPACE.match(out[j]):
                j += 1
            prev = res[-1] if res else ""
            nxt = out[j] if j < len(out) else ""
            if prev.isascii() and prev.isalnum() and nxt.isascii() and nxt.isalnum():
                res.append(" ")
                rspans.append(spans[k])
            k = j
            continue
        res.append(out[k])
        rspans.append(spans[k])
        k += 1

    for k, c in enumerate(res):  # 3. commas: thousands separator or clause boundary
        if c == ",":
            thousands = (k > 0 and res[k - 1].isdigit() and k + 3 < len(res) + 1
                         and all(x.isdigit() for x in res[k + 1:k + 4]) and len(res[k + 1:k + 4]) == 3
                         and not (k + 4 < len(res) and res[k + 4].isdigit()))
            res[k] = "," if thousands else "，"
        elif c in _TO_CHINESE:
            res[k] = _TO_CHINESE[c]
    return "".join(res), rspans


def normalize(text: str) -> str:
    """Full-width digits, letters and ％ to ASCII, spaces around numbers removed,
    ASCII clause punctuation to its Chinese form; keeps ‰ and 。；，、."""
    return _normalize_map(text if isinstance(text, str) else str(text))[0]


# ================================================================ vocabulary

_NUM = re.compile(r"(?<![\d.A-Za-z])\d+(?:,\d{3})*(?:\.\d+)?")
CLASSIFIERS = ("公里", "千米", "人次", "km", "个", "口", "套", "座", "处", "条", "名", "家", "所",
               "台", "户", "次", "人", "项", "支", "场", "辆", "艘", "起", "件", "例")
_UNIT = re.compile(r"(?P<mult>万|亿)?(?P<unit>%|‰|公里|千米|人次|km(?![A-Za-z])|个(?!百分点)"
                   r"|[口套座处条名家所台户人项支场辆艘件例]|起(?![草步])|次(?!性))")
# "10%-20%", "10~20%": a range is not one comparator.
_RANGE_NEXT = re.compile(r"(?:-|~|—|–|－|至|到)\d+(?:\.\d+)?(?:%|‰)?")
# Numbers that are dates, durations or ages: never targets.
_TIME_UNIT = re.compile(r"(?:年|月|日|号|小时|时|分钟|分|秒|天|周岁|岁|周)")
_SUFFIX = re.compile(r"及以上|或以上|以上|及以下|或以下|以下|及以内|以内|之内|左右|上下")
_SUFFIX_OP = {"及以上": ">=", "或以上": ">=", "以上": ">=", "及以下": "<=", "或以下": "<=",
              "以下": "<=", "及以内": "<=", "以内": "<=", "之内": "<="}

# Comparator words directly before the number. "~ge"/"~le" lean one way but
# give way to an explicit 以上/以内 suffix; "approx" is never a comparator.
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
_CMP = re.compile("(?:" + "|".join(sorted(map(re.escape, _CMP_OF), key=len, reverse=True))
                  + r"|(?<![行作认成因称视更改转以])为)$")
_REL = re.compile(r"(?:同比|环比|较上年|比上年|较去年|较\d{4}年)?"
                  r"(?P<rel>下降|降低|减少|减低|压降|压减|降幅|上升|提高|提升|增长|增加|增幅)了?$")
_FREQ = re.compile(r"每(?P<f>年度|年|半年|季度|季|月|周|日|天)")
_FREQ_OF = {"年度": "year", "年": "year", "半年": "half-year", "季度": "quarter", "季": "quarter", "月": "month"}
_FREQ_WORD = {"year": "每年", "half-year": "每半年", "quarter": "每季度", "month": "每月"}
_FREQ_CMP = re.compile(_FREQ.pattern + "(?P<c>至少|不少于|最少|至多|不超过|最多)?")
# "达到施工现场总人数50%以上": a share of a named total.
_SHARE = re.compile(r"(?P<cmp>达到|达|占|不低于|不少于|高于|超过|低于|不高于|不超过)"
                    r"(?P<denom>[^，；。、\d]{1,20}?(?:总人数|总户数|总面积|总里程|总长度|总规模|总数|总量|总额))的?$")
# Words before a number with a non-target unit that make it look like a target.
_REVIEW_TRIGGER = re.compile(r"(?:到|至|达|为|在)$")
_REVIEW_MORE = re.compile(r"[^\d，；。、]*(?:、\d+(?:\.\d+)?[^\d，；。、]*)*")  # "500米、5分钟"
_DECREASE = ("下降", "降低", "减少", "减低", "压降", "压减", "降幅")
_PAREN_EXCEPTION = re.compile(r"（(?P<q>[^（）\d]*?)" + _FREQ.pattern + r"(?P<c>至少|不少于)?(?P<n>\d+)次）")

# Verbs of doing, for naming counts ("安装11套气象测风仪" -> "安装气象测风仪").
_ACTION = re.compile("新建|改建|扩建|新增|增设|建设|建成|建立|改造|安装|加装|实施|开展|完成|整治|治理|配备|配置|"
                     "设置|开通|组织|举办|培训|排查|检查|督查|搬迁|修复|维修|更新|打造|创建|招录|布设|购置|铺设|"
                     "清理|拆除|落实")
# Leading verbs/connectors that are not part of a measured thing's name.
_LEAD = re.compile(r"^(?:进一步|同时|并且|以及|全面|持续|继续|切实|积极|加快|努力|全力|逐步|不断|按计划|按时|"
                   r"力争|确保|实现|推动|推进|落实|牵头|基本|有效|常态化|使(?!用)|并(?![网联行发购列])|且|"
                   r"对(?![讲接口象策照比外应])|将|把|和(?!谐)|及(?!时)|与|[、，：])")
_QUAL_LEAD = re.compile(_LEAD.pattern[:-1] + r"|开展|组织|强化|加强|深化|完善|做好|抓好)")
# Where a rate's name starts when a clause opens with an action ("…危险区实现隐患排查率").
_CUT = re.compile(r"实现|确保|力争|推动|推进|落实|做到|保证")
_RATE_END = ("率", "度", "比", "比例", "比重", "指数")
_QUALITATIVE = re.compile(r"保持|低位|下降|减少|降低|稳中有降|不发生|杜绝|遏制|消除|清零|全覆盖|明显|持续|"
                          r"有效|提升|提高|增强|完善|控制|防范|确保|坚决|零|减少|平稳|好转|加强|达标")
_OPEN_CLOSE = {"“": "”", "《": "》", "‘": "’", "「": "」", "『": "』", "〈": "〉"}
_SENTENCE_END = "。；！？\n"
_CLAUSE_END = "，："


# ================================================================ deadlines

_ONGOING = re.compile(r"长期坚持|长期|持续推进|持续开展|常态化|持续|长期开展|常态化开展")
_RECURRING = re.compile(r"每(?P<f>年度|年|半年|季度|季|月)(?:底|末)?(?:前)?")
_RANGE = re.compile(r"(?P<a>\d{4})年?(?:—|–|－|-|~|至|到)+(?P<b>\d{4})年(?:底|末)?(?:前|以前|之前)?")
_BEFORE = r"(?:前|以前|之前|止)?"
_DATE_TOKENS = [
    (re.compile(r"(?P<y>\d{4})年(?:底|末|内|度)?" + _BEFORE), "year"),
    (re.compile(r"(?P<y>\d{4})年(?P<h>上|下)半年(?:底|末)?" + _BEFORE), "half"),
    (re.compile(r"(?P<y>\d{4})年第?(?P<q>[1-4一二三四])季度(?:末|底)?" + _BEFORE), "quarter"),
    (re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?:份)?(?:底|末)?" + _BEFORE), "month"),
    (re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]" + _BEFORE), "day"),
    (re.compile(r"(?P<y>\d{4})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})" + _BEFORE), "day"),
    (re.compile(r"(?:年底|年末|年内|今年底|本年底)" + _BEFORE), "year"),
    (re.compile(r"(?P<h>上|下)半年(?:底|末)?" + _BEFORE), "half"),
    (re.compile(r"(?P<m>\d{1,2})月(?:份)?(?:底|末)?" + _BEFORE), "month"),
    (re.compile(r"(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]" + _BEFORE), "day"),
]
_QUARTER = {"1": 1, "2": 2, "3": 3, "4": 4, "一": 1, "二": 2, "三": 3, "四": 4}
_UNRESOLVED = "unresolved"


def _month_end(y: int, m: int) -> datetime.date:
    return datetime.date(y, m, calendar.monthrange(y, m)[1])


def _date_token(tok: str, year: int | None):
    """One due date: a date, _UNRESOLVED (needs the plan year), or None."""
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
        except (ValueError, calendar.IllegalMonthError):
            return None
    return None


def _deadline(text: str, year: int | None) -> tuple[Deadline | None, str]:
    """(deadline, state) with state "ok", "unresolved" or "bad"; text is normalised."""
    t = text.strip(" 。，；：、")
    t = re.sub(r"^(?:到|至|于|在|截至|截止|截止到)", "", t)
    if not t:
        return None, "bad"
    if _ONGOING.fullmatch(t):
        return Deadline("ongoing", text=text), "ok"
    m = _RECURRING.fullmatch(t)
    if m:
        return Deadline("recurring", every=_FREQ_OF[m["f"]], text=text), "ok"
    m = _RANGE.fullmatch(t)
    if m:
        a, b = int(m["a"]), int(m["b"])
        if not (1900 <= a < b <= 2200 and b - a <= 20):
            return None, "bad"
        return Deadline("dates", dates=tuple(datetime.date(y, 12, 31) for y in range(a, b + 1)), text=text), "ok"
    # "2025年\n2026年", "2025年 2026年", "2025年、2026年", "2025年底前、2026年6月底前"
    tokens = [p for p in re.split(r"[、，,\s/和及]+|(?<=[年前底末])(?=\d{4}年)", t) if p]
    dates = [_date_token(p, year) for p in tokens]
    if not dates or any(d is None for d in dates):
        return None, "bad"
    if any(d == _UNRESOLVED for d in dates):
        return None, "unresolved"
    uniq = tuple(sorted(set(dates)))
    return Deadline("date" if len(uniq) == 1 else "dates", dates=uniq, text=text), "ok"


def parse_deadline(text: str, *, year: int | None = None) -> Deadline | None:
    """A 完成时间 cell -> Deadline, or None when not understood (or, like
    "11月底前" without a plan year, not resolvable)."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        d, state = _deadline(normalize(text), year)
    except Exception:  # never raise on odd input
        return None
    return d if state == "ok" and d is not None else None


# ================================================================ scanning


@dataclass
class _Hit:
    """One target expression found in normalised text."""

    start: int  # first char of the expression (comparator / relative words)
    num: int  # first char of the number
    end: int  # after suffix / object
    op: str = "qualitative"
    value: float | None = None
    scale: str | None = None
    unit: str | None = None
    relative: str | None = None
    kind: str = "rate"  # rate | count | bare | review
    obj: str = ""  # count: object after the classifier; rate: verb phrase after 100%
    denom: str = ""  # share of a total
    freq: str | None = None
    status: str = "parsed"
    note: str | None = None
    qualifier: str | None = None  # "（高危行业领域每月至少1次）" exceptions


def _decimal(s: str) -> Decimal | None:
    try:
        return Decimal(s.replace(",", ""))
    except InvalidOperation:
        return None


def _to_float(d: Decimal, scale: str | None, mult: str | None) -> float:
    with localcontext() as ctx:
        ctx.prec = 60
        if mult:
            d = d * (10000 if mult == "万" else 100000000)
        if scale == "percent":
            d = d / 100
        elif scale == "permille":
            d = d / 1000
        return float(d)


def _mask(text: str) -> list[bool]:
    """Chars inside quotes or 《titles》: numbers there ("1530") are names, not targets."""
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
        elif c in _SENTENCE_END:
            stack.clear()
            ascii_open = False
        masked[i] = bool(stack) or ascii_open
    return masked


def _take_object(text: str, pos: int, end: int) -> int:
    """End of the object after a classifier ("1次应急演练和1次…" -> before 和)."""
    i = pos
    while i < end:
        c = text[i]
        if c in "，；。、：！？\n" or c.isdigit():
            break
        if c == "（":
            close = text.find("）", i, end)
            if close < 0 or re.search(r"[\d每]", text[i:close]):
                break
            i = close + 1
            continue
        i += 1
    j = i
    if j < end and text[j].isdigit():
        m = re.search(r"(?:以及|和|及|与|并)$", text[pos:j])
        if m:
            j = pos + m.start()
    return j


def _resolve(cmp_op: str | None, suffix: str | None, *, relative: bool, value: float,
             unit: str | None, scale: str | None) -> tuple[str, str, str | None]:
    """(op, status, note) from the comparator word and the suffix."""
    sop = _SUFFIX_OP.get(suffix) if suffix else None
    if cmp_op == "approx" or suffix in ("左右", "上下"):
        return "qualitative", "review", "目标为约数（约、左右），没有明确的比较方式，需人工判断"
    if cmp_op in (">=", ">", "<=", "<", "=="):
        if sop and cmp_op != "==" and (sop == ">=") != (cmp_op in (">=", ">")):
            return "qualitative", "review", "比较词与“以上/以内”方向矛盾，需人工判断"
        return (sop if cmp_op == "==" and sop else cmp_op), "parsed", None
    if sop:
        return sop, "parsed", None
    if cmp_op == "~ge":
        return ">=", "parsed", None
    if cmp_op == "~le":
        return "<=", "parsed", None
    if relative:
        return ">=", "parsed", None  # "下降10%": at least 10% below the baseline
    if value == 0:
        return "==", "parsed", None
    if unit is not None and scale is None:
        return ">=", "parsed", None  # a count to deliver
    if scale == "percent" and value == 1.0:
        return ">=", "parsed", None  # nothing exceeds 100%
    return "qualitative", "review", "目标只写了数值，未写明“达到/以上/以内/不高于”等比较方式，需人工确认"


def _scan(text: str, s: int, e: int, masked: list[bool], *, whole: bool) -> list[_Hit]:
    """Every target expression in text[s:e] (one sentence), in order.

    whole: the span is a bare target cell, where a lone number ("0") counts.
    """
    hits: list[_Hit] = []
    consumed = s
    for m in _NUM.finditer(text, s, e):
        a, b = m.span()
        if a < consumed or masked[a] or text[a - 1:a] == "第":
            continue
        boundary = max(text.rfind(c, s, a) for c in _CLAUSE_END)
        anchor = max(boundary + 1, s, hits[-1].end if hits else s)
        pre = text[anchor:a]
        number = _decimal(m.group())
        if number is None:
            continue
        cm = _CMP.search(pre)
        cmp_word = cm.group() if cm else None
        cmp_op = _CMP_OF.get(cmp_word, "==") if cmp_word else None
        head = pre[:cm.start()] if cm else pre
        rm = _REL.search(head)
        relative = None
        if rm:
            relative = "decrease" if rm["rel"] in _DECREASE else "increase"
            head = head[:rm.start()]
        rest_at = b
        if text.startswith("个百分点", b):  # a change in points, not a relative change
            hits.append(_Hit(anchor + len(head), a, b + 4, kind="review", status="review",
                             note="以“百分点”表示的变化，需人工判断"))
            consumed = b + 4
            continue
        um = _UNIT.match(text, b, e)
        rng = _RANGE_NEXT.match(text, um.end() if um else b, e)
        if rng and (um or rng.group()[-1] in "%‰" or _UNIT.match(text, rng.end(), e)):
            hits.append(_Hit(anchor + len(head), a, rng.end(), kind="review", status="review",
                             note="目标是一个区间，需人工判断"))
            consumed = rng.end()
            continue
        if um:
            unit = um["unit"]
            scale = {"%": "percent", "‰": "permille"}.get(unit)
            mult = um["mult"]
            rest_at = um.end()
        elif _TIME_UNIT.match(text, b, e):
            continue
        elif b < e and text[b].isalpha():  # another unit (米, kV, 元): not a target ...
            if _REVIEW_TRIGGER.search(pre):  # ... unless the clause reads like one
                more = _REVIEW_MORE.match(text, b, e)
                hits.append(_Hit(a, a, more.end(), kind="review", status="review",
                                 note="数值的单位不是目标计量单位（如米、分钟），比较方式不明确，需人工判断"))
                consumed = more.end()
            continue
        elif b < e and text[b] not in "，：）":  # "2024-06-30", "1.": not a lone number
            continue
        elif text[a - 1:a] in ("-", "/", "~", "—", "–", "－", "：", ":") and a > s:
            continue
        else:
            unit = scale = mult = None
        kind = "rate" if scale else ("count" if unit else "bare")

        denom = ""
        if kind == "rate" and not cm and not rm:
            sm = _SHARE.search(pre)
            if sm:
                cmp_word, cmp_op, denom = sm["cmp"], _CMP_OF.get(sm["cmp"], "~ge"), sm["denom"]
                head = pre[:sm.start()]
        freq = None
        note = None
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
            continue  # a lone number in prose: list numbering, codes
        if relative and cmp_word == "为":
            op, status, note = "qualitative", "review", "“下降为/提高为”是目标水平还是降幅不明确，需人工判断"
        else:
            value = _to_float(number, scale, mult)
            op, status, note2 = _resolve(cmp_op, None, relative=bool(relative), value=value, unit=unit, scale=scale)
            sfx = _SUFFIX.match(text, rest_at, e)
            if sfx:
                op, status, note2 = _resolve(cmp_op, sfx.group(), relative=bool(relative), value=value,
                                             unit=unit, scale=scale)
                rest_at = sfx.end()
            note = note or note2
        if note and status == "parsed":
            status = "review"
        value = _to_float(number, scale, mult) if op != "qualitative" else None
        end = rest_at
        obj = ""
        if kind in ("count", "rate"):
            end = _take_object(text, rest_at, e)
            obj = text[rest_at:end]
            if kind == "rate" and obj.startswith("的"):
                obj, end = "", rest_at
        hit = _Hit(anchor + len(head), a, end, op, value, scale, unit, relative, kind, obj, denom, freq,
                   status, note)
        hits.append(hit)
        consumed = end
        pm = _PAREN_EXCEPTION.match(text, end, e) if kind == "count" and unit == "次" and freq else None
        if pm:  # "检查至少1次（高危行业领域每月至少1次）"
            f = _FREQ_OF.get(pm["f"])
            exc = _Hit(pm.start(), pm.start("n"), pm.end(), ">=", float(pm["n"]), None, "次", None, "count",
                       freq=f, qualifier=pm["q"].strip() or None,
                       status="parsed" if f else "review",
                       note=None if f else f"频次“每{pm['f']}”暂不支持，需人工判断")
            hits.append(exc)
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
    """Drop leading verbs/connectors and a leading locative ("在…新建" -> "新建")."""
    name = _strip_lead(seg.strip())
    if name.startswith("在"):
        v = _ACTION.search(name, 1)
        if v:
            name = name[v.start():]
    return name


def _cut_rate(name: str) -> str:
    """"防洪薄弱点和…危险区实现隐患排查率" -> "隐患排查率"."""
    last = None
    for last in _CUT.finditer(name):
        pass
    if last and len(name) - last.end() >= 3:
        return _strip_lead(name[last.end():])
    return name


def _split_list(name: str) -> list[str]:
    """"“两客一危”年检率和年审率" -> both, the second borrowing the first's qualifier."""
    parts, depth, cur = [], 0, ""
    for c in name:
        if c in "（“《‘":
            depth += 1
        elif c in "）”》’":
            depth = max(0, depth - 1)
        if depth == 0 and c in "和、及与":
            parts.append(cur)
            cur = ""
        else:
            cur += c
    parts.append(cur)
    if len(parts) < 2 or not all(p.endswith(_RATE_END) and p for p in parts):
        return [name]
    first = parts[0]
    out = [first]
    for p in parts[1:]:
        out.append(first[:len(first) - len(p)] + p if len(p) < len(first) else p)
    return out


def _qualify(name: str, clause: str) -> str:
    """A generic name ("排查率") qualified by the clause before it."""
    clause = _strip_lead(clause.strip(), _QUAL_LEAD)
    if not clause:
        return name
    stem = name.rstrip("率度")
    if stem and stem != name and stem in clause:
        k = clause.rfind(stem)
        return clause[:k + len(stem)] + name[len(stem):]
    return clause + name


def _last_action(seg: str) -> int | None:
    last = None
    for last in _ACTION.finditer(seg):
        pass
    return last.start() if last else None


def _dui_object(seg: str) -> str | None:
    """"对场镇排水设施开展" -> "场镇排水设施": what a 次-count is done to."""
    k = seg.rfind("对")
    if k < 0 or re.match(r"对(?:讲|接|口|象|策|照|比|外|应)", seg[k:]):
        return None
    rest = seg[k + 1:]
    v = _ACTION.search(rest)
    return rest[:v.start()] if v else rest


def _name_hit(hit: _Hit, seg: str, continues: bool, ctx: dict) -> list[str]:
    """Names for a hit, given the text between its clause/list anchor and it."""
    seg = _FREQ_CMP.sub("", seg) if hit.kind == "count" else seg
    ctx["qualified"] = False
    if hit.kind == "review":
        name = re.sub(r"(?:精细到|缩短到|缩短至|控制在|达到|到|至|达|为|在)$", "", seg)
        k = max(name.rfind(r) for r in ("率", "度"))
        return [_clean(name[:k + 1] if k >= 0 else name)]
    if hit.kind == "count":
        if hit.unit == "次":
            dui = _dui_object(seg)
            if dui is None and continues:
                dui = ctx.get("dui")
            ctx["dui"] = dui
            if hit.obj:
                return [(dui or "") + hit.obj]
            if dui is not None:
                return [seg[seg.rfind("对") + 1:]]
            return [_clean(seg)]
        if hit.obj:
            v = _last_action(seg)
            if v is not None:
                lead = seg[v:]
            elif seg.endswith("等"):  # "对坪山观音桥、白家双河口等4座渡口": examples, not a name
                lead = ""
            else:
                lead = _clean(seg)
            name = lead + hit.obj
        else:
            name = _clean(seg)
            if continues and ctx.get("verb") and not _ACTION.match(name):
                name = ctx["verb"] + name  # "新建…54口、消防管网108公里": share the verb
        v = _ACTION.match(name)
        ctx["verb"] = v.group() if v else None
        return [name]
    base = _clean(seg)
    if hit.obj:  # "辖区新安装电梯100%接入物联感知系统"
        return [base + hit.obj + "比例"]
    if hit.denom:  # "…施工人数达到施工现场总人数50%以上"
        return [base + "占" + hit.denom + "比例"]
    names = _split_list(_cut_rate(base))
    out = []
    ctx["qualified"] = False
    for name in names:
        if len(name) <= 3 and ctx.get("prev_clause"):
            name = _qualify(name, ctx["prev_clause"])
            ctx["qualified"] = True
        if hit.scale and name and not name.endswith(_RATE_END):
            name += "比例"
        out.append(name)
    return out


# ================================================================ rules


def _rules_in(text: str, spans: list[tuple[int, int]], original: str, s: int, e: int,
              year: int | None, *, whole: bool, masked: list[bool]) -> list[Rule]:
    """Rules of one sentence text[s:e] (normalised; spans map back to original)."""

    def orig(a: int, b: int) -> str:
        return original[spans[a][0]:spans[b - 1][1]] if b > a else ""

    while s < e and text[s] in " 、，：":
        s += 1
    s0 = s
    deadline, dl_state, dl_head = None, None, ""
    k = text.find("，", s, e)
    if k > s and k - s <= 24 and re.search(r"[年月日前底]|长期|常态", text[s:k]):
        d, state = _deadline(text[s:k], year)
        if state != "bad":
            deadline, dl_state, dl_head = d, state, text[s:k]
            s = k + 1
    hits = _scan(text, s, e, masked, whole=whole)
    if not hits:
        if dl_state and not whole:  # "2026年底前，镇专业应急救援队伍建设达标并通过区级验收。"
            goal = text[s:e].strip(" 。；，")
            if goal:
                return [Rule(goal, orig(s0, e).strip(" 。；，"), "qualitative", None, None, None, None,
                             deadline, None, "review", "有期限但无量化指标的任务，需人工判断是否完成")]
        return []

    clause_starts = [s] + [i + 1 for i in range(s, e) if text[i] in _CLAUSE_END]
    rules: list[Rule] = []
    ctx: dict = {}
    prev: _Hit | None = None
    base_names: list[str] = []
    list_start = s
    for hit in hits:
        cs = max(c for c in clause_starts if c <= hit.num)
        same_clause = prev is not None and prev.end >= cs
        anchor = prev.end if same_clause else cs
        seg = text[anchor:hit.start]
        # "54口、消防管网108公里", "1次应急演练和1次宣传培训": a list sharing verb and frequency
        continues = same_clause and (not seg or seg[0] in "、和及与并")
        if continues and hit.kind == "count" and prev.kind == "count" and hit.freq is None:
            hit.freq = prev.freq
        ci = clause_starts.index(cs)
        ctx["prev_clause"] = None
        if ci > 0:
            ps = clause_starts[ci - 1]
            if not any(ps <= h.num < cs for h in hits):
                ctx["prev_clause"] = text[ps:cs - 1]
        if hit.qualifier is not None:  # the exception in parentheses names the same thing
            names = [f"{n}（{hit.qualifier}）" for n in base_names]
        else:
            names = _name_hit(hit, seg, continues, ctx)
            base_names = names
        if not (continues or hit.qualifier is not None):
            list_start = anchor
            if ctx.get("qualified"):  # show the clause the generic name borrowed from
                list_start = clause_starts[ci - 1]
        frag = orig(list_start, hit.end).lstrip("、，和及与 ")
        for name in names or [None]:
            st, nt = hit.status, hit.note
            if not name and not whole and st == "parsed":
                st, nt = "unparsed", "找不到指标名称"
            if dl_state == "unresolved" and st == "parsed":
                st, nt = "review", f"截止时间“{dl_head}”没有年份，无法换算为日期"
            rules.append(Rule(name or None, frag, hit.op, hit.value, hit.scale, hit.unit, hit.relative,
                              deadline, hit.freq, st, nt))
        prev = hit
    return rules


def _sentences(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for i, c in enumerate(text):
        if c in _SENTENCE_END:
            out.append((start, i))
            start = i + 1
    out.append((start, len(text)))
    return [(a, b) for a, b in out if text[a:b].strip()]


def extract_targets(text: str, *, year: int | None = None) -> list[Rule]:
    """Every quantitative target in free text (a rectification row, a task),
    each a named Rule, in order of appearance."""
    if not isinstance(text, str) or not text.strip():
        return []
    try:
        norm, spans = _normalize_map(text)
        masked = _mask(norm)
        rules: list[Rule] = []
        for a, b in _sentences(norm):
            rules.extend(_rules_in(norm, spans, text, a, b, year, whole=False, masked=masked))
        return rules
    except Exception as exc:  # never raise on odd input; report it instead
        return [Rule(None, text, "qualitative", None, None, None, None, None, None, "unparsed",
                     f"解析出错（{type(exc).__name__}），需人工处理")]


def parse_target(phrase: str, *, name: str | None = None, year: int | None = None) -> list[Rule]:
    """One target cell ("达98%以上", "3‰以内", "年检率和年审率达99%以上") -> rules."""
    text = "" if phrase is None else (phrase if isinstance(phrase, str) else str(phrase))

    def single(status: str, note: str) -> list[Rule]:
        return [Rule(name, text, "qualitative", None, None, None, None, None, None, status, note)]

    try:
        norm, spans = _normalize_map(text)
        body = norm.strip(" 。；，、\n")
        if not body:
            return single("unparsed", "目标为空")
        masked = _mask(norm)
        rules = []
        for a, b in _sentences(norm):
            rules.extend(_rules_in(norm, spans, text, a, b, year, whole=True, masked=masked))
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
            if name or (own and _ACTION.fullmatch(own)):
                own = name
            rules = [Rule(own, *astuple_tail(rules[0]))]
        return [Rule(r.name, text, *astuple_tail(r)[1:]) for r in rules]
    except Exception as exc:  # never raise on odd input
        return single("unparsed", f"解析出错（{type(exc).__name__}），需人工处理")


def astuple_tail(rule: Rule) -> tuple:
    """Every field of a rule but its name."""
    return (rule.text, rule.op, rule.value, rule.scale, rule.unit, rule.relative, rule.deadline,
            rule.frequency, rule.status, rule.note)


# ================================================================ canonical form


def _fmt_number(value: float, scale: str | None) -> str:
    with localcontext() as ctx:
        ctx.prec = 60
        d = Decimal(repr(float(value)))
        if scale == "percent":
            d *= 100
        elif scale == "permille":
            d *= 1000
        s = format(d.normalize(), "f")
    return s


def _fmt_date(d: datetime.date) -> str:
    if d.month == 12 and d.day == 31:
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
    """A phrase parse_target(…, name=rule.name) turns back into the same rule."""
    if rule.op == "qualitative" or rule.value is None:
        return rule.text or ""
    unit = {"percent": "%", "permille": "‰"}.get(rule.scale or "", rule.unit or "")
    v = _fmt_number(rule.value, rule.scale) + unit
    op = rule.op
    if rule.relative:
        verb = "下降" if rule.relative == "decrease" else "上升"
        body = {">=": f"{verb}{v}以上", ">": f"{verb}超过{v}", "<=": f"{verb}{v}以内",
                "<": f"{verb}不到{v}", "==": f"{verb}等于{v}"}[op]
    elif rule.frequency:
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
