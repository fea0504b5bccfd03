"""Reporting periods (报送期) and due dates, as typed on the command line.

A period has a canonical code ("2026", "2026H1", "2026Q2", "2026M05") used
in file names and in the hidden identification of a workbook, and a Chinese
label ("2026年第二季度") shown to people.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass

from toolkit.errors import UsageError

KINDS = ("year", "half", "quarter", "month")
_MAX_INDEX = {"year": 1, "half": 2, "quarter": 4, "month": 12}
_MONTHS_PER = {"year": 12, "half": 6, "quarter": 3, "month": 1}
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_CN_ORDINALS = "一二三四"
MIN_YEAR, MAX_YEAR = 2000, 2100

PERIOD_FORMS = "2026（全年）、2026H1 / 2026-H1（半年）、2026Q2 / 2026-Q2（季度）、2026M05 / 2026M5 / 2026-05（月），" \
               "或中文：2026年度、2026年上半年、2026年第二季度、2026年5月"
DATE_FORMS = "2026-07-10、2026/7/10 或 2026年7月10日"


@dataclass(frozen=True)
class Period:
    code: str  # canonical: "2026", "2026H1", "2026Q2", "2026M05"
    year: int
    kind: str  # "year" | "half" | "quarter" | "month"
    index: int  # 1 for year; 1-2 half; 1-4 quarter; 1-12 month

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, (self.index - 1) * _MONTHS_PER[self.kind] + 1, 1)

    @property
    def end(self) -> dt.date:
        """The last day of the period (inclusive)."""
        month = self.index * _MONTHS_PER[self.kind]
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def label(self) -> str:
        if self.kind == "year":
            return f"{self.year}年度"
        if self.kind == "half":
            return f"{self.year}年{'上' if self.index == 1 else '下'}半年"
        if self.kind == "quarter":
            return f"{self.year}年第{_CN_ORDINALS[self.index - 1]}季度"
        return f"{self.year}年{self.index}月"

    def contains(self, day: dt.date) -> bool:
        if isinstance(day, dt.datetime):
            day = day.date()
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return self.code


def make_period(year: int, kind: str, index: int = 1) -> Period:
    """A period from its parts; raises UsageError when they are out of range."""
    if kind not in KINDS:
        raise UsageError(f"未知的报送期类型 {kind!r}", hint=f"请用其中之一：{'、'.join(KINDS)}")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise UsageError(f"年份 {year} 超出范围", hint=f"报送期写作 {PERIOD_FORMS}")
    if not 1 <= index <= _MAX_INDEX[kind]:
        what = {"year": "年", "half": "半年（1-2）", "quarter": "季度（1-4）", "month": "月（1-12）"}[kind]
        raise UsageError(f"没有第 {index} 个{what}", hint=f"报送期写作 {PERIOD_FORMS}")
    code = {"year": f"{year}", "half": f"{year}H{index}", "quarter": f"{year}Q{index}", "month": f"{year}M{index:02d}"}[kind]
    return Period(code=code, year=year, kind=kind, index=index)


_LATIN = re.compile(r"^(\d{4})(?:[-_/.]?([HQM])(\d{1,2})|[-/.](\d{1,2}))?$")
_CHINESE = (
    (re.compile(r"^(\d{4})年?(?:度|全年|全年度)?$"), lambda m: ("year", 1)),
    (re.compile(r"^(\d{4})年?([上下])半年度?$"), lambda m: ("half", 1 if m[2] == "上" else 2)),
    (re.compile(r"^(\d{4})年?第?([一二三四1-4])季度?$"), lambda m: ("quarter", _CN_DIGITS[m[2]])),
    (re.compile(r"^(\d{4})年(\d{1,2})月份?$"), lambda m: ("month", int(m[2]))),
)


def parse_period(text: str) -> Period:
    """Parse a period as typed by a person; raises UsageError with the accepted forms."""
    try:
        return _parse_period(text)
    except UsageError as exc:
        if exc.message.startswith("not a reporting period") or exc.message.startswith("empty"):
            raise
        raise UsageError(f"不是报送期：{text!r}（{exc.message}）", hint=exc.hint) from None


def _parse_period(text: str) -> Period:
    return _parse_text("" if text is None else str(text))


@functools.lru_cache(maxsize=256)  # a batch of returns names the same few periods thousands of times
def _parse_text(raw: str) -> Period:
    squashed = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw)).upper()
    if not squashed:
        raise UsageError("报送期为空", hint=f"报送期写作 {PERIOD_FORMS}")
    match = _LATIN.match(squashed)
    if match:
        year = int(match[1])
        if match[2]:
            kind = {"H": "half", "Q": "quarter", "M": "month"}[match[2]]
            return make_period(year, kind, int(match[3]))
        if match[4]:
            return make_period(year, "month", int(match[4]))
        return make_period(year, "year")
    for pattern, parts in _CHINESE:
        match = pattern.match(squashed)
        if match:
            kind, index = parts(match)
            return make_period(int(match[1]), kind, index)
    raise UsageError(f"不是报送期：{raw!r}", hint=f"报送期写作 {PERIOD_FORMS}")


_DATE = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def period_label(code: str | None) -> str:
    """The Chinese label of a period code ("2026Q2" -> 2026年第二季度); an odd
    code (from a hand-edited workbook) is shown as it is."""
    if not code:
        return ""
    try:
        return parse_period(code).label
    except UsageError:
        return str(code)


def parse_due_date(text: str) -> dt.date:
    """Parse a due date ("2026-07-10", "2026/7/10", "2026年7月10日"); raises UsageError."""
    raw = "" if text is None else str(text)
    squashed = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw))
    for pattern in _DATE:
        match = pattern.match(squashed)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                date = dt.date(year, month, day)
            except ValueError:
                raise UsageError(f"没有这个日期：{raw!r}", hint=f"日期写作 {DATE_FORMS}") from None
            if not MIN_YEAR <= year <= MAX_YEAR:
                raise UsageError(f"{raw!r} 中的年份 {year} 超出范围", hint=f"日期写作 {DATE_FORMS}")
            return date
    raise UsageError(f"不是日期：{raw!r}", hint=f"日期写作 {DATE_FORMS}")
