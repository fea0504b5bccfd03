"""When a target is judged, where, and against what.

Scope: an area target ("改造老旧小区12个", an area rate, a relative decrease)
is judged on the area figure only; a unit's figure of it is a contribution,
never a miss of that unit. A unit target (zero tolerance, 每季度至少组织1次检查)
is judged for every unit that reports it, and for the area.

Time: a floor ("达100%", "≥12个") is something to reach by its deadline (the
year end when the plan gives none): before then, reaching it already counts
as met, falling short is "in progress", not a miss. A ceiling ("0起",
"3‰以内") can be broken at any time, so it is judged in every period. A target
due in an earlier year was judged in that year: later periods show the
unit's task status (已完成 is done), never this year's running total. A
frequency is judged when its window (the quarter of 每季度, the year of
每年) closes, from the figures of that window: a period that is the window
(or holds whole windows) by its own figure; a window that began on 1 January
by the year so far; a window of several shorter periods that began later
(2026年第二季度 of monthly returns) by the sum of its periods' own figures,
the earlier ones from the ledger (`history`). Reaching the target before the
window closes already counts as met; falling short is "in progress" until
the window's last period, then a miss.

Basis: every figure is 本期 (the period's own) or 本年累计 (year to date).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from toolkit.plan.model import Indicator
from toolkit.words import FREQUENCY_WORDS, date_words, window_label

_FREQUENCY_MONTHS = {"year": 12, "half-year": 6, "quarter": 3, "month": 1}
_PERIOD_MONTHS = {"year": 12, "half": 6, "quarter": 3, "month": 1}

# What a target's figure is: the period's own, or the year so far.
BASES = ("period", "year-to-date", "quarter-to-date", "half-year-to-date")
# Why a target is not compared in a period (Judgement.state); "incomplete" is
# set per return where a closed window's earlier periods are not all in the ledger.
STATES = (None, "qualitative", "in-progress", "past", "incomplete")


@dataclass(frozen=True)
class Judgement:
    """How to judge one indicator in one period."""

    checkable: bool  # there is a rule to apply to this period's figure
    due: bool  # a miss now is a miss (else: in progress)
    source: str  # which figure is compared: value | cumulative | rate | change
    op: str
    target: float  # in natural units, scaled to the period for frequencies
    review_note: str | None = None  # why it is not compared, or what "in progress" waits for
    per_unit: bool = True  # each unit is judged (scope unit); else only the area figure is
    state: str | None = None  # not compared this period: qualitative | in-progress | past (see STATES)
    basis: str | None = None  # period | year-to-date: what the figure is
    deadline: dt.date | None = None  # past targets: the due date they were judged at
    window: str | None = None  # a frequency judged over several periods: its window (2026年第二季度)


def judgement(indicator: Indicator, period, *, history: bool = False) -> Judgement:
    """How `indicator` is judged in a return for `period` (toolkit.periods.Period).

    history: the figures of the unit's earlier periods are at hand (the
    ledger), so a frequency's window that began after 1 January is judged on
    the sum of its periods' own figures (source "window")."""
    source = _source(indicator, period)
    per_unit = indicator.scope == "unit"
    basis = _basis(indicator, source, period)

    def held(state, note, **more):
        return Judgement(False, False, source, indicator.op, np.nan, note, per_unit, state, basis, **more)

    if indicator.status != "parsed" or indicator.op == "qualitative" or indicator.value is None:
        return held("qualitative", indicator.note or "定性目标，需人工判断")
    dates = _deadline_dates(indicator)
    if dates and max(dates).year < period.year:
        last = max(dates)
        return held("past", f"{date_words(last)}到期，已在当年考核；本期按完成状态判断", deadline=last)
    target = indicator.value
    due = True
    note = None
    window_name = None
    if indicator.frequency:
        window = _FREQUENCY_MONTHS[indicator.frequency]
        months = _PERIOD_MONTHS[period.kind]
        name = window_label(indicator.frequency, period.year, period.end.month)
        closes = period.end.month % window == 0
        if months >= window:  # the period holds whole windows: its own figure
            target = indicator.value * (months // window)
            source, basis = "value", "period"
        elif period.end.month <= window:  # the window started on 1 January: the year so far is the window so far
            source, basis = "cumulative", "year-to-date"
            due = closes
            if not due:
                note = f"按{FREQUENCY_WORDS[indicator.frequency]}考核，{name}结束时判断"
        elif history:  # the window's earlier periods from the ledger, with this one
            source, basis, due = "window", f"{indicator.frequency}-to-date", closes
            window_name = name
            note = (f"按{FREQUENCY_WORDS[indicator.frequency]}考核：{name}各期本期数值之和" if due
                    else f"按{FREQUENCY_WORDS[indicator.frequency]}考核，{name}结束时判断")
        elif closes:
            return held("in-progress", f"按{FREQUENCY_WORDS[indicator.frequency]}考核（{name}），"
                                       f"本期只有本报送期和本年累计数，请汇总{name}各期数据后判断")
        else:
            return held("in-progress", f"按{FREQUENCY_WORDS[indicator.frequency]}考核，{name}结束时判断")
    elif indicator.op in (">=", ">") and not indicator.relative:
        deadline = _due_date(indicator, period)
        due = period.end >= deadline
        if not due:
            note = f"{date_words(deadline)}到期，目前尚未达到目标"
    else:
        # a ceiling (or a relative target): judged in every period, unless its deadline is later
        if dates and period.end < min(dates):
            due = False
            note = f"{date_words(min(dates))}到期，目前尚未达到目标"
    return Judgement(True, due, source, indicator.op, float(target), note, per_unit, None, basis, window=window_name)


def window_before(indicator: Indicator, period) -> list:
    """The earlier periods of `period`'s kind in the window its frequency is
    judged over, when that window began after 1 January and holds more than
    `period` (2026M04 and 2026M05 for 每季度 in 2026M06); else []."""
    from toolkit.periods import make_period

    if not indicator.frequency or period.kind == "year":
        return []
    window = _FREQUENCY_MONTHS[indicator.frequency]
    months = _PERIOD_MONTHS[period.kind]
    if months >= window or period.end.month <= window:
        return []
    first_month = (period.end.month - 1) // window * window + 1  # the window's first month
    first_index = (first_month - 1) // months + 1
    return [make_period(period.year, period.kind, i) for i in range(first_index, period.index)]


def _source(indicator: Indicator, period) -> str:
    if indicator.relative:
        return "change"
    if indicator.measure == "rate":
        return "rate"
    if indicator.measure in ("count", "amount", "frequency") and period.kind != "year":
        return "cumulative"
    return "value"


def _basis(indicator: Indicator, source: str, period) -> str | None:
    """本期 or 本年累计: a period of a whole year is both, and said as 本期."""
    if indicator.measure == "qualitative":
        return None
    if source == "cumulative" or (source == "change" and indicator.measure in ("count", "amount")
                                  and period.kind != "year"):
        return "year-to-date"
    return "period"


def _deadline_dates(indicator: Indicator) -> list[dt.date]:
    return list(indicator.deadline.milestones) if indicator.deadline else []


def _due_date(indicator: Indicator, period) -> dt.date:
    """When a floor target must be reached: its deadline within or after the
    period's year, else the end of the period's year."""
    dates = sorted(_deadline_dates(indicator))
    for date in dates:
        if date.year >= period.year:
            return date
    if dates:
        return dates[-1]
    return dt.date(period.year, 12, 31)


def compare(values: np.ndarray, ops: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Element-wise: does value `op` target hold? (NaN values: False)."""
    values = np.asarray(values, dtype=float)
    targets = np.asarray(targets, dtype=float)
    result = np.zeros(len(values), dtype=bool)
    tolerance = 1e-9
    for op, test in (
        ("==", lambda v, t: np.abs(v - t) <= tolerance),
        ("<=", lambda v, t: v <= t + tolerance),
        ("<", lambda v, t: v < t - tolerance),
        (">=", lambda v, t: v >= t - tolerance),
        (">", lambda v, t: v > t + tolerance),
    ):
        mask = ops == op
        if mask.any():
            with np.errstate(invalid="ignore"):
                result[mask] = test(values[mask], targets[mask])
    return result
