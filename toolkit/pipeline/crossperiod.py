"""Checks across periods, against what the ledger holds for the unit's
previous period of the same year:

- 本年累计 lower than the unit's previous 本年累计 (it only grows within a year);
- a baseline typed that differs from what the ledger knows: the unit's own
  figure for the baseline period (上年同期), or, for a baseline fixed over the
  year (上年全年, 较2025年), the one the unit gave last period;
- a task reported 已完成 last period and now 未启动.

Each is a warning at its cell of the return (toolkit.findings), added to the
file's report like every other finding.
"""

from __future__ import annotations

import math

from toolkit.findings import make_finding

DONE, NOT_STARTED = "已完成", "未启动"


def add_cross_period_findings(plan, report, ledger, period) -> int:
    """Add the cross-period findings to `report`'s files of `period`; how many were added."""
    from toolkit.model.validation import REJECTED, USED
    from toolkit.periods import period_label
    from toolkit.store import queries

    frame = report.values
    previous = queries.previous_period(ledger, period) if period is not None else None
    if previous is None or frame is None or frame.empty:
        return 0
    before = queries.period_fields(ledger, previous)
    known, _, info = queries.baselines(ledger, plan, period)
    tasks = queries.task_statuses(ledger, previous)
    by_id = report.by_id()
    files = [fid for fid, r in by_id.items() if r.status in (USED, REJECTED) and r.period == period.code]
    rows = frame[frame["file"].isin(files) & frame["field"].isin(["cumulative", "baseline", "status"])]
    if rows.empty:
        return 0
    indicators = {ind.id: ind for _, _, ind in plan.indicators()}
    label = period_label(previous)
    added = 0
    for file_id, unit, indicator_id, row_id, field, number, text, typed, sheet, cell in zip(
            rows["file"].tolist(), rows["unit"].tolist(), rows["indicator_id"].tolist(), rows["row_id"].tolist(),
            rows["field"].astype(str).tolist(), rows["number"].tolist(), rows["text"].tolist(), rows["typed"].tolist(),
            rows["sheet"].tolist(), rows["cell"].tolist()):
        code = other = None
        where = label
        ind = indicators.get(indicator_id) if indicator_id else None
        if field == "status":
            if text == NOT_STARTED and tasks.get((unit, row_id)) == DONE:
                code, other = "task-reopened", DONE
        elif ind is not None and number is not None and not math.isnan(number):
            last = before.get((unit, ind.series_key), {}).get(field)
            where = label
            if field == "baseline":
                if typed in (None, ""):
                    continue  # filled in from the ledger or a baseline file, not typed
                if (unit, ind.id) in known and ind.id in info:
                    last, where = known[(unit, ind.id)], period_label(info[ind.id]["period"])
                elif ind.baseline not in ("last-year-total",) and not str(ind.baseline).startswith("year:"):
                    continue  # a baseline that moves with the period: nothing to compare with
                else:
                    where = f"上期（{label}）"
            if last is None:
                continue
            if field == "cumulative" and number < last - 1e-9:
                code = "cumulative-decreased"
            elif field == "baseline" and abs(number - last) > 1e-9 * max(1.0, abs(last)):
                code = "baseline-changed"
            other = _level_words(last, ind) if code else None
        if code is None:
            continue
        file_report = by_id[file_id]
        file_report.findings.append(make_finding(
            code, file_report.path, unit=unit, sheet=sheet, cell=cell, indicator=ind.name if ind else None,
            indicator_id=indicator_id or None, row_id=row_id, field=field, value=str(typed if typed is not None else text),
            expected=where if field == "baseline" else label, other=other))
        added += 1
    return added


def _level_words(number: float, ind) -> str:
    """A level in its indicator's own measure (never as a change): 3人, 95%."""
    from toolkit.words import format_value

    if ind.measure in ("rate", "percentage") or ind.scale == "percent":
        return format_value(round(number, 4), "percent", None)
    return format_value(number, None, ind.unit)
