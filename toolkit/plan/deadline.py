"""When a target or task is due: one date, several dates, recurring, or ongoing.

The plan file writes a deadline as a canonical string ("2026-11-30",
"2025-12-31;2026-12-31", "every:year", "ongoing"); in memory it is a
`Deadline`, and every stage asks it questions (due in this period? passed by
this day? which milestone applies to this year?) instead of re-parsing text.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

FREQUENCIES = ("year", "half-year", "quarter", "month")
EVERY_WORDS = {"year": "每年", "half-year": "每半年", "quarter": "每季度", "month": "每月"}


def month_end(y: int, m: int) -> datetime.date:
    return datetime.date(y, m, calendar.monthrange(y, m)[1])


@dataclass(frozen=True)
class Deadline:
    """When a target or task is due."""

    kind: str  # "date" | "dates" | "recurring" | "ongoing"
    dates: tuple[datetime.date, ...] = ()  # date/dates: due dates, sorted
    every: str | None = None  # recurring: "year" | "half-year" | "quarter" | "month"
    # Deadlines meaning the same dates are equal however they were worded.
    text: str = field(default="", compare=False)

    # ------------------------------------------------------------ text forms

    def canonical(self) -> str:
        if self.kind in ("date", "dates"):
            return ";".join(d.isoformat() for d in self.dates)
        if self.kind == "recurring":
            return f"every:{self.every}"
        return "ongoing"

    def __str__(self) -> str:
        return self.canonical()

    @classmethod
    def from_canonical(cls, s: str) -> Deadline:
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

    @classmethod
    def parse(cls, value: Deadline | str | None) -> Deadline | None:
        """A Deadline from a Deadline, a canonical string or None."""
        if value is None or isinstance(value, Deadline):
            return value
        return cls.from_canonical(value)

    def words(self) -> str:
        """In Chinese: 2026年6月30日、2026年12月31日 / 每年 / 长期坚持."""
        if self.kind == "ongoing":
            return "长期坚持"
        if self.kind == "recurring":
            return EVERY_WORDS.get(self.every or "", "每年")
        return "、".join(f"{d.year}年{d.month}月{d.day}日" for d in self.dates)

    # ------------------------------------------------------------ questions

    @property
    def has_dates(self) -> bool:
        return self.kind in ("date", "dates")

    @property
    def milestones(self) -> tuple[datetime.date, ...]:
        """The due dates (none for recurring and ongoing deadlines)."""
        return self.dates if self.has_dates else ()

    def due_by(self, day: datetime.date) -> bool:
        """True once a due date has been reached; recurring/ongoing never are."""
        return self.has_dates and any(d <= day for d in self.dates)

    passed_by = due_by

    def current(self, year: int) -> datetime.date | None:
        """The latest due date in or before `year` (what a task owes by then)."""
        earlier = [d for d in self.milestones if d.year <= year]
        return earlier[-1] if earlier else None

    def next_from(self, year: int) -> datetime.date | None:
        """The first due date in or after `year`, else the last one."""
        for d in self.milestones:
            if d.year >= year:
                return d
        return self.milestones[-1] if self.milestones else None

    def due_in(self, start: datetime.date, end: datetime.date) -> bool:
        """A due date falls within [start, end]."""
        return any(start <= d <= end for d in self.milestones)
