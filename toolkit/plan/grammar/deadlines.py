"""完成时间 cells and deadline phrases ("2024年6月底前", "每年", "长期坚持") -> `Deadline`."""

from __future__ import annotations

import dataclasses
import datetime
import re

from toolkit.plan.deadline import Deadline
from toolkit.plan.deadline import month_end as _month_end
from toolkit.plan.grammar.words import (
    _FREQ_OF,
    normalize,
)


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
    d, state = _deadline(normalize(text), year)
    return dataclasses.replace(d, text=text) if state == "ok" and d is not None else None
