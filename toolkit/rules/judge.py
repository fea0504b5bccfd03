"""When a target is judged, and against what.

A floor ("达100%", "≥12个", "每年至少1次") is something to reach by its
deadline (the year end when the plan gives none): before then, reaching it
already counts as met, falling short is not yet a miss but "review" (in
progress). A ceiling ("0起", "3‰以内", "低于0.5%") can be broken at any time,
so it is judged in every period. A frequency is judged per window: 每季度至少1次
in a quarterly return needs 1 in the quarter, in a yearly return 4.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from toolkit.plan.model import Indicator
from toolkit.words import WINDOW_WORDS as _WINDOW_WORDS

_FREQUENCY_MONTHS = {"year": 12, "half-year": 6, "quarter": 3, "month": 1}
_PERIOD_MONTHS = {"year": 12, "half": 6, "quarter": 3, "month": 1}


@dataclass(frozen=True)
class Judgement:
    """How to judge one indicator in one period."""

    checkable: bool  # there is a rule to apply
    due: bool  # a miss now is a miss (else: in progress)
    source: str  # which figure is compared: value | cumulative | rate | change
    op: str
    target: float  # in natural units, scaled to the period for frequencies
    review_note: str | None = None  # why it goes to a person instead


def judgement(indicator: Indicator, period) -> Judgement:
    """How `indicator` is judged in a return for `period` (toolkit.periods.Period)."""
    source = _source(indicator, period)
    if indicator.status != "parsed" or indicator.op == "qualitative" or indicator.value is None:
        note = indicator.note or "定性目标，需人工判断"
        return Judgement(False, False, source, indicator.op, np.nan, note)
    target = indicator.value
    due = True
    if indicator.frequency:
        window = _FREQUENCY_MONTHS[indicator.frequency]
        months = _PERIOD_MONTHS[period.kind]
        if months >= window:
            target = indicator.value * (months // window)
            source = "value"
        elif indicator.frequency == "year":
            source = "cumulative"
            due = period.end.month == 12
        else:
            return Judgement(False, False, source, indicator.op, np.nan,
                             f"按{_WINDOW_WORDS[indicator.frequency]}考核，本报送期较短，请人工核对")
    elif indicator.op in (">=", ">") and not indicator.relative:
        due = period.end >= _due_date(indicator, period)
    else:
        # a ceiling (or a relative target): judged in every period, unless its deadline is later
        deadline = _deadline_dates(indicator)
        if deadline and period.end < min(deadline):
            due = False
    return Judgement(True, due, source, indicator.op, float(target))




def _source(indicator: Indicator, period) -> str:
    if indicator.relative:
        return "change"
    if indicator.measure == "rate":
        return "rate"
    if indicator.measure in ("count", "amount", "frequency") and period.kind != "year":
        return "cumulative"
    return "value"


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
