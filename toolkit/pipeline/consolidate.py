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
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from toolkit.model.consolidation import (
    AreaValue,
    Consolidation,
    FileEntry,
    TaskProgress,
    UnitStatus,
)
from toolkit.errors import ToolkitError


class BaselineError(ToolkitError):
    """The baseline file cannot be read."""


def consolidate(plan, paths, *, units, period, due: dt.date | None = None, baseline: str | Path | None = None,
                rules=None, limits=None) -> Consolidation:
    """Validate and consolidate the returns in `paths` for `period`."""
    from toolkit.assign import assign_rows
    from toolkit.intake import read_returns
    from toolkit.pipeline.validate import check_returns
    from toolkit.rules.packs import load_rule_packs

    rules = load_rule_packs() if rules is None else rules
    unit_baselines, area_baselines = read_baselines(baseline, plan, units) if baseline else ({}, {})
    returns = read_returns(paths, plan, limits=limits)
    report = check_returns(plan, returns, units=units, period=period, rules=rules, baselines=unit_baselines,
                           with_outcomes=False)
    assignment = assign_rows(plan, units)
    return build_consolidation(plan, units, period, returns, report, assignment, due=due,
                               area_baselines=area_baselines, baseline_source=str(baseline) if baseline else None)


def build_consolidation(plan, units, period, returns, report, assignment, *, due=None, area_baselines=None,
                        baseline_source=None) -> Consolidation:
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
    result.aggregates = _roll_up(plan, period, frame, used, outcomes, area_baselines or {})
    result.tasks = _tasks(plan, period, frame, used, returns, {u.code: u.name for u in units})
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


# ------------------------------------------------------------------ roll-up


def _roll_up(plan, period, frame, used, outcomes, area_baselines) -> list[AreaValue]:
    from toolkit.model.validation import number_kind
    from toolkit.templates.layout import target_words
    from toolkit.rules.judge import compare, judgement

    # the used returns' cells of each indicator, split once (the frame can hold millions)
    of_indicator = {}
    if not frame.empty:
        inputs = frame.loc[frame["file"].isin(used) & (frame["indicator_id"] != ""), ["file", "indicator_id", "field", "number"]]
        of_indicator = dict(tuple(inputs.groupby("indicator_id", sort=False, observed=True)))
    nothing = frame.iloc[:0]
    by_indicator = defaultdict(list)
    for outcome in outcomes:
        by_indicator[outcome.indicator_id].append(outcome)
    aggregates = []
    for table, row, indicator in plan.indicators():
        unit_outcomes = by_indicator.get(indicator.id, [])
        counts = Counter(o.status for o in unit_outcomes)
        area = AreaValue(
            indicator_id=indicator.id, indicator=indicator.name, table=table.title, row=row.label,
            target=target_words(indicator), unit=indicator.unit, measure=indicator.measure, rollup=indicator.rollup,
            zero_tolerance=indicator.zero_tolerance, value=None,
            units_reporting=sum(1 for o in unit_outcomes if o.actual is not None),
            units_met=counts["met"], units_missed=counts["missed"], units_review=counts["review"], units_no_data=counts["no-data"],
            leader=table.cell(row, "leader"), office=table.cell(row, "office") or table.cell(row, "responsible"),
            kind=number_kind(indicator),
        )
        mine = of_indicator.get(indicator.id, nothing)
        j = judgement(indicator, period)
        figure = _area_figure(indicator, j, mine[mine["field"] != "result"], mine[mine["field"] == "result"],
                              area, area_baselines.get(indicator.id))
        area.value = figure
        # status: the same rule as for a unit, on the area's figure
        if not unit_outcomes:
            area.status, area.note = "no-data", "无单位填报"
        elif indicator.zero_tolerance and area.units_missed:
            area.status, area.note = "missed", f"零容忍指标：{area.units_missed} 个单位未达标"
        elif not j.checkable:
            area.status, area.note = "review", indicator.note or "定性目标，需人工判断"
        elif indicator.rollup == "none":
            area.status, area.note = _status_from_units(area)
        elif figure is None:
            area.status = "review" if indicator.relative else "no-data"
            area.note = "缺少全域基线，无法计算升降幅度" if indicator.relative else "无可汇总的数据"
        else:
            met = bool(compare(np.array([figure]), np.array([j.op], dtype=object), np.array([j.target]))[0])
            if met:
                area.status = "met"
            elif j.due:
                area.status = "missed"
            else:
                area.status, area.note = "review", "尚未到期，目前未达到目标"
        aggregates.append(area)
    return aggregates


def _area_figure(indicator, j, inputs, results, area: AreaValue, area_baseline) -> float | None:
    """The area's figure for an indicator, from the used returns' inputs."""
    def total(field):
        values = inputs.loc[inputs["field"] == field, "number"].dropna() if not inputs.empty else []
        return float(np.sum(values)) if len(values) else None

    if indicator.rollup == "ratio":
        wide = _per_file(inputs, ["numerator", "denominator"])
        if wide is None:
            return None
        both = wide.dropna(subset=["numerator", "denominator"])
        both = both[both["denominator"] > 0]
        if both.empty:
            return None
        area.numerator, area.denominator = float(both["numerator"].sum()), float(both["denominator"].sum())
        rate = area.numerator / area.denominator
        return _change(indicator, rate, area_baseline) if indicator.relative else rate
    if indicator.rollup == "sum":
        figures = results["number"].dropna() if not results.empty else []
        if indicator.relative:
            actual = _unit_actual_totals(inputs)
            base = area_baseline if area_baseline is not None else total("baseline")
            return _change(indicator, actual, base)
        return float(np.sum(figures)) if len(figures) else None
    return None


def _unit_actual_totals(inputs) -> float | None:
    """Σ per unit of its cumulative figure (or period value where no cumulative)."""
    wide = _per_file(inputs, ["value", "cumulative"])
    if wide is None:
        return None
    figure = wide["cumulative"].fillna(wide["value"]).dropna()
    return float(figure.sum()) if len(figure) else None


def _per_file(inputs, fields: list[str]):
    """One row per file, a column per field (its number; NaN where blank), or
    None if no file has any of them."""
    import pandas as pd

    if inputs.empty:
        return None
    columns = {}
    for name in fields:
        rows = inputs[inputs["field"] == name].drop_duplicates("file")
        columns[name] = pd.Series(rows["number"].to_numpy(float), index=rows["file"].to_numpy())
    if not any(len(c) for c in columns.values()):
        return None
    return pd.concat(columns, axis=1)


def _change(indicator, actual, baseline) -> float | None:
    if actual is None or baseline is None or baseline <= 0:
        return None
    return (baseline - actual) / baseline if indicator.relative == "decrease" else (actual - baseline) / baseline


def _status_from_units(area: AreaValue) -> tuple[str, str | None]:
    """An indicator that does not roll up (a percentage, a frequency): the
    area meets it when every reporting unit does."""
    if area.units_missed:
        return "missed", f"{area.units_missed} 个单位未达标"
    if area.units_met and not area.units_review:
        return "met", "各填报单位均达标"
    if area.units_review:
        return "review", f"{area.units_review} 个单位待人工判断"
    return "no-data", None


# ------------------------------------------------------------------ tasks and values


def _tasks(plan, period, frame, used, returns, unit_names) -> list[TaskProgress]:
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
            office=table.cell(row, "office") or table.cell(row, "responsible"),
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
    """The due date of a task that applies by the end of `period`: its
    deadline in or before the period's year; rows with no deadline are due at
    the end of the plan year; recurring and ongoing tasks are never overdue."""
    deadline = row.deadline
    if deadline is None:
        return dt.date(plan.year, 12, 31) if plan.year and table.kind != "tasks" else None
    return deadline.current(period.year)


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


# ------------------------------------------------------------------ baselines


def read_baselines(path, plan, units) -> tuple[dict, dict]:
    """Baselines (上年同期) for relative targets, from a CSV (columns unit,
    indicator, value; unit empty or 全域 for the area) or from a previous
    consolidated workbook (its 领导总览 area values).

    Returns ({(unit code, indicator id): value}, {indicator id: area value})."""
    import csv

    path = Path(path)
    if not path.exists():
        raise BaselineError("baseline file not found", where=str(path))
    by_name = {ind.name: ind.id for _, _, ind in plan.indicators()}
    ids = {ind.id for _, _, ind in plan.indicators()}
    code_of = {u.name: u.code for u in units} | {u.code: u.code for u in units}
    unit_values, area_values = {}, {}
    if path.suffix.lower() == ".xlsx":
        from python_calamine import CalamineWorkbook

        try:
            sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("领导总览").to_python(skip_empty_area=False)
        except Exception as exc:
            raise BaselineError(f"not a consolidated workbook with a 领导总览 sheet ({exc})", where=str(path),
                                hint="give the 汇总 workbook of the same period last year, or a CSV with columns unit, indicator, value") from None
        header = next((i for i, r in enumerate(sheet) if "指标" in r and "全域数值" in r), None)
        if header is None:
            raise BaselineError("no 指标 / 全域数值 columns in 领导总览", where=str(path))
        name_col, value_col = sheet[header].index("指标"), sheet[header].index("全域数值")
        unit_col = sheet[header].index("计量单位") if "计量单位" in sheet[header] else None
        for r in sheet[header + 1:]:
            if r[name_col] in by_name and isinstance(r[value_col], (int, float)) and not isinstance(r[value_col], bool):
                value = float(r[value_col])
                if unit_col is not None and r[unit_col] == "‰":  # written in permille there
                    value /= 1000
                area_values[by_name[r[name_col]]] = value
        return unit_values, area_values
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_text(encoding="gb18030")
    reader = csv.DictReader(text.splitlines())
    fields = {(f or "").strip().lower(): f for f in reader.fieldnames or []}
    missing = [c for c in ("indicator", "value") if c not in fields]
    if missing:
        raise BaselineError(f"missing column(s) {', '.join(missing)}", where=str(path),
                            hint="columns: unit (code or name; empty or 全域 for the whole area), indicator (name or id), value")
    problems = []
    for n, row in enumerate(reader, start=2):
        indicator = (row.get(fields["indicator"]) or "").strip()
        unit = (row.get(fields.get("unit", ""), "") or "").strip() if "unit" in fields else ""
        raw = (row.get(fields["value"]) or "").strip()
        indicator_id = by_name.get(indicator) or (indicator if indicator in ids else None)
        if indicator_id is None:
            problems.append(f"第{n}行: unknown indicator '{indicator}'")
            continue
        try:
            value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
        except ValueError:
            problems.append(f"第{n}行: '{raw}' is not a number")
            continue
        if unit in ("", "全域", "*"):
            area_values[indicator_id] = value
        elif unit in code_of:
            unit_values[(code_of[unit], indicator_id)] = value
        else:
            problems.append(f"第{n}行: unknown unit '{unit}'")
    if problems:
        raise BaselineError("; ".join(problems[:10]), where=str(path))
    return unit_values, area_values
