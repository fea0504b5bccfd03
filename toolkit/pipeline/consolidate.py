"""Stage 4: consolidate valid returns into the leaders' workbook.

    result = consolidate(plan, ["returns/"], units=units, period=period)
    write_consolidated_workbook(result, "汇总.xlsx")

Everything handed in is validated with the same engine as `validate`. Per
unit the newest valid return for the period is used; every other file is
accounted for with the reason it was not used. Roll-ups are arithmetic on the
used returns' figures: counts and amounts add up, rates are Σnumerator ÷
Σdenominator (never an average of unit rates), and a zero-tolerance indicator
fails for the area as soon as one unit fails it.
"""

from __future__ import annotations

import datetime as dt

from pathlib import Path

import numpy as np

from toolkit.bulk import bulk_work
from toolkit.model.consolidation import (
    Consolidation,
    FileEntry,
    TaskProgress,
    UnitStatus,
)
from toolkit.pipeline.baselines import BaselineError, read_baselines  # noqa: F401 (BaselineError: importable from here as before)
from toolkit.pipeline.rollup import roll_up


@bulk_work
def consolidate(plan, paths, *, units, period, due: dt.date | None = None, baseline: str | Path | None = None,
                rules=None, limits=None, ledger=None) -> Consolidation:
    """Validate and consolidate the returns in `paths` for `period`.

    ledger: a toolkit.store Ledger: baselines of relative targets come from it
    where no baseline file gives them, the returns are checked against the
    unit's previous period, and the aggregates carry their history; the
    returns and report are kept on `result.sources` for the ledger to record."""
    from toolkit.assign import assign_rows
    from toolkit.intake import read_returns
    from toolkit.pipeline.validate import check_returns
    from toolkit.rules.packs import load_rule_packs

    rules = load_rule_packs() if rules is None else rules
    unit_baselines, area_baselines = read_baselines(baseline, plan, units, period) if baseline else ({}, {})
    from_file = set(area_baselines)
    if ledger is not None:  # the ledger's levels where the file gives none
        from toolkit.store.queries import baselines as ledger_baselines

        known_units, known_area, ledger_info = ledger_baselines(ledger, plan, period)
        unit_baselines, area_baselines = {**known_units, **unit_baselines}, {**known_area, **area_baselines}
    returns = read_returns(paths, plan, limits=limits)
    assignment = assign_rows(plan, units)
    report = check_returns(plan, returns, units=units, period=period, rules=rules, baselines=unit_baselines,
                           keep_cells=False, with_outcomes=False, assignment=assignment, ledger=ledger)
    if ledger is not None:
        from toolkit.pipeline.crossperiod import add_cross_period_findings

        add_cross_period_findings(plan, report, ledger, period)
    result = build_consolidation(plan, units, period, returns, report, assignment, due=due,
                                 area_baselines=area_baselines, baseline_source=str(baseline) if baseline else None,
                                 history=ledger is not None)
    if ledger is not None:
        from toolkit.store.history import annotate

        annotate(result, ledger, plan, period, ledger_info, {i: area_baselines[i] for i in from_file}, str(baseline or ""))
        result.sources = (returns, report)
    return result


def build_consolidation(plan, units, period, returns, report, assignment, *, due=None, area_baselines=None,
                        baseline_source=None, history: bool = False) -> Consolidation:
    """history: the returns were checked with the ledger's earlier periods
    (check_returns with a ledger): the area is judged the same way."""
    from toolkit.pipeline.validate import outcomes_for

    chosen, entries = _intake(returns, report, period)
    used = set(chosen.values())
    outcomes = outcomes_for(plan, report, returns, used)
    frame = report.values
    expected = [u for u in units if assignment.rows_for(u.code)]
    result = Consolidation(
        plan_id=plan.id, plan_title=plan.title, plan_issuer=plan.issuer, plan_doc_number=plan.doc_number,
        period=period.code, period_label=period.label, period_end=period.end.isoformat(),
        due=due.isoformat() if due else None, outcomes=outcomes, files=entries,
        findings=report.findings, baseline_source=baseline_source, notices=report.notices,
    )
    result.units = _unit_statuses(expected, chosen, returns, report, period, due, assignment)
    result.aggregates = roll_up(plan, period, frame, used, outcomes, area_baselines or {},
                                territorial={u.code for u in units if u.is_territorial}, assignment=assignment,
                                history=history)
    result.tasks = _tasks(plan, period, frame, used, returns, {u.code: u.name for u in units}, assignment.lead_names)
    from toolkit.xlsx import style

    result.values_table = _values_table(plan, frame, used, returns)
    if len(result.values_table) <= style.DATA_SHEET_LIMIT:  # small enough to hand out as records
        result.values = result.value_records()
    return result


# ------------------------------------------------------------------ intake


def _intake(returns, report, period) -> tuple[dict[str, str], list[FileEntry]]:
    """Per unit, the file that counts for the period (toolkit.rules.choose,
    as validation decided it); why every other file is not used."""
    from toolkit.model.validation import REJECTED, SUPERSEDED, UNRECOGNISED, USED
    from toolkit.pipeline.validate import _identity_errors

    by_id = report.by_id()
    choice = report.choice
    chosen = {unit: file_id for (unit, code), file_id in choice.used.items() if code == period.code}
    name_of = {ret.id: Path(ret.display).name for ret in returns}
    entries = []
    for ret in returns:
        file_report = by_id[ret.id]
        decision = choice.decisions.get(ret.id)
        errors = len(file_report.errors)
        if decision is not None and decision.status == USED:
            state, why = USED, "该单位本期最新的有效报表"
        elif decision is not None and decision.status == SUPERSEDED:
            note = f"（此版本有 {errors} 个错误）" if errors else ""
            if decision.tied_with:
                state, why = SUPERSEDED, f"与“{name_of[decision.by]}”保存时间相同，无法判断哪个较新；暂采用后者{note}"
            else:
                state, why = SUPERSEDED, f"已被较新的“{name_of[decision.by]}”替代{note}"
        elif decision is not None:
            state = REJECTED
            why = f"有 {errors} 个错误，已退回修改" + ("；采用该单位较早的有效报表" if decision.by else "")
        elif not ret.recognised:
            state = UNRECOGNISED
            first = (file_report.errors or file_report.warnings or [None])[0]
            why = f"{first.title}：{first.message}" if first else "不是本计划的填报模板"
        else:  # ours, but another period or a unit not in the list
            state = REJECTED
            why = "；".join(f.title for f in _identity_errors(file_report)) or "有错误"
        entries.append(FileEntry(
            path=ret.display, unit=file_report.unit, unit_name=file_report.unit_name, period=file_report.period,
            status=state, why=why, errors=errors, warnings=len(file_report.warnings),
            sha256=ret.sha256, saved=file_report.modified, values_digest=ret.values_digest,
        ))
    return chosen, entries


def _unit_statuses(expected, chosen, returns, report, period, due, assignment) -> list[UnitStatus]:
    by_id = report.by_id()
    return_of = {ret.id: ret for ret in returns}
    newest = {unit: file_id for (unit, code), file_id in report.choice.newest.items() if code == period.code}
    statuses = []
    for unit in expected:
        status = UnitStatus(code=unit.code, name=unit.name, kind=unit.kind, status="missing",
                            expected_rows=len(assignment.rows_for(unit.code)))
        file_id = chosen.get(unit.code)
        if file_id is not None:
            status.status = "received"
        elif unit.code in newest:
            status.status = "rejected"
            file_id = newest[unit.code]
        if file_id is not None:
            ret = return_of[file_id]
            status.file = ret.display
            status.saved = ret.modified.isoformat(timespec="seconds") if ret.modified else None
            status.errors = len(by_id[file_id].errors)
            status.warnings = len(by_id[file_id].warnings)
            if due is not None and ret.modified is not None:
                status.on_time = ret.modified.date() <= due
        statuses.append(status)
    return statuses


# ------------------------------------------------------------------ tasks and values


def _tasks(plan, period, frame, used, returns, unit_names, leads) -> list[TaskProgress]:
    """One TaskProgress per used file and task row; `leads`: row id → who leads it, as the plan names it."""
    if frame.empty:
        return []
    rows = {row.id: (table, row) for table in plan.tables for row in table.rows}
    task_cells = frame[frame["file"].isin(used) & frame["field"].isin(["status", "progress"])]
    # what a task row says is the same for every unit: worked out once per row
    fixed = {}
    for row_id in task_cells["row_id"].unique():
        table, row = rows[row_id]
        due = _due_in_period(row, table, plan, period)
        fixed[row_id] = dict(
            table=table.title, row_id=row_id, row=row.label,
            task=table.cell(row, "name") or table.cell(row, "subtask") or table.cell(row, "target"),
            deadline=row.deadline.canonical() if row.deadline else None, due=due.isoformat() if due else None, leader=table.cell(row, "leader"),
            office=table.cell(row, "office") or table.cell(row, "responsible"), action=table.cell(row, "action"),
            lead_name=leads.get(row_id, ""),
        ), due is not None and due <= period.end
    # one line per file and task row: its status and progress side by side
    keys = ["file", "row_id"]
    status = task_cells[task_cells["field"] == "status"].drop_duplicates(keys, keep="last")
    progress = task_cells[task_cells["field"] == "progress"].drop_duplicates(keys, keep="last")
    lines = status[[*keys, "text", "unit", "sheet", "cell"]].merge(
        progress[[*keys, "text", "unit", "sheet", "cell"]], on=keys, how="outer", suffixes=("", "_progress"), sort=False)
    for name in ("unit", "sheet", "cell"):  # where the status cell is missing, the progress cell
        lines[name] = lines[name].where(lines[name].notna(), lines[f"{name}_progress"])
    displays = {ret.id: ret.display for ret in returns if ret.id in used}
    tasks = []
    for file_id, row_id, status_text, progress_text, unit, sheet, cell in zip(
            lines["file"].tolist(), lines["row_id"], lines["text"], lines["text_progress"], lines["unit"],
            lines["sheet"], lines["cell"]):
        status_text = status_text if isinstance(status_text, str) else None
        words, due_now = fixed[row_id]
        tasks.append(TaskProgress(
            unit=unit, unit_name=unit_names.get(unit, unit), status=status_text,
            progress=progress_text if isinstance(progress_text, str) else None,
            overdue=due_now and status_text not in ("已完成", "不适用"), file=displays[file_id], sheet=sheet, cell=cell,
            **words,
        ))
    order = {row_id: k for k, row_id in enumerate(rows)}
    tasks.sort(key=lambda t: (order[t.row_id], t.unit))
    return tasks


def _due_in_period(row, table, plan, period) -> dt.date | None:
    """The due date of a task that applies by the end of `period`: the last
    milestone already passed (a task not 已完成 by then is overdue), else its
    deadline in or before the period's year; rows with no deadline are due at
    the end of the plan year; recurring and ongoing tasks are never overdue."""
    deadline = row.deadline
    if deadline is None:
        return dt.date(plan.year, 12, 31) if plan.year and table.kind != "tasks" else None
    passed = [day for day in deadline.milestones if day <= period.end]
    return passed[-1] if passed else deadline.current(period.year)


def _values_table(plan, frame, used, returns):
    """Every input value of the used returns with its provenance, as a
    DataFrame with the fields of ValueRecord (built without a Python object
    per value: a province's returns hold millions)."""
    import pandas as pd

    columns = ["unit", "indicator_id", "indicator", "row_id", "field", "value", "typed", "file", "sha256", "sheet", "cell"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    names = {ind.id: ind.name for _, _, ind in plan.indicators()}
    rows = frame[frame["file"].isin(used) & (frame["field"] != "result")]
    is_text = rows["text"].notna().to_numpy()
    number = rows["number"].to_numpy(float)
    value = np.where(is_text, rows["text"].to_numpy(object), number.astype(object))
    value[~is_text & np.isnan(number)] = None
    # each return's path and sha256, spread to its cells by the frame's codes
    categories = rows["file"].cat.categories
    return_of = {ret.id: ret for ret in returns}
    displays = np.array([return_of[i].display for i in categories], dtype=object)
    shas = np.array([return_of[i].sha256 for i in categories], dtype=object)
    file_ids = rows["file"].cat.codes.to_numpy()
    codes, ids = pd.factorize(rows["indicator_id"].to_numpy(object))
    ids = np.array(list(ids), dtype=object)
    data = {
        "unit": rows["unit"].to_numpy(object), "indicator_id": np.array([i or None for i in ids], dtype=object)[codes],
        "indicator": np.array([names.get(i) for i in ids], dtype=object)[codes], "row_id": rows["row_id"].to_numpy(object),
        "field": rows["field"].astype(str).to_numpy(object), "value": value, "typed": rows["typed"].to_numpy(object),
        "file": displays[file_ids], "sha256": shas[file_ids],
        "sheet": rows["sheet"].to_numpy(object), "cell": rows["cell"].to_numpy(object),
    }
    # object columns: pandas 3 would turn None into NaN in inferred string columns
    return pd.DataFrame({name: pd.Series(column, dtype=object) for name, column in data.items()}, columns=columns)
