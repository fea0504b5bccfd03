"""Stage 3: validate returned workbooks against the plan.

    report = validate_returns(plan, ["returns/"], units=units, period=period)

Each file is read and identified (toolkit.read), then the inputs of all files
are checked together in one long DataFrame (toolkit.rules.checks). The
report lists every file with what became of it and every finding with its
file, sheet and cell, and each target's outcome per unit.
"""

from __future__ import annotations

from pathlib import Path

from toolkit.bulk import bulk_work
from toolkit.findings import make_finding
from toolkit.model.validation import (
    REJECTED,
    UNRECOGNISED,
    USED,
    FileReport,
    Outcome,
    ValidationReport,
)

from toolkit.words import FIELD_WORDS as _FIELD_WORDS
from toolkit.words import actual_words as _format_actual
from toolkit.xlsx.style import TEXT_LIMIT


@bulk_work
def validate_returns(plan, paths, *, units=None, period=None, rules=None, limits=None, timeout: float = 60.0,
                     ledger=None) -> ValidationReport:
    """Check every workbook in `paths` (files or folders) against `plan`.

    units: the units list (toolkit.units.Unit); returns from other units are errors.
    period: the period being collected (toolkit.periods.Period); others are errors.
    rules: rule packs (default: the built-in validators/).
    limits: toolkit.gate.Limits for the check before parsing; timeout: seconds per file.
    ledger: a toolkit.store Ledger: the returns are checked against the unit's
    previous period, then every file and the accepted returns' cells recorded.
    """
    from toolkit.intake import read_returns
    from toolkit.rules.packs import load_rule_packs

    rules = load_rule_packs() if rules is None else rules
    returns = read_returns(paths, plan, limits=limits, timeout=timeout)
    report = check_returns(plan, returns, units=units, period=period, rules=rules, keep_cells=False, ledger=ledger)
    if ledger is not None:
        from toolkit.pipeline.crossperiod import add_cross_period_findings

        add_cross_period_findings(plan, report, ledger, period)
        ledger.record_validation(plan, returns, report, period)
    return report


@bulk_work
def check_returns(plan, returns, *, units=None, period=None, rules=(), baselines=None,
                  with_outcomes: bool = True, assignment=None, keep_cells: bool = True, ledger=None) -> ValidationReport:
    """The checks after reading: identity against units and period, duplicates,
    then the two pandera passes over all recognised returns at once.

    baselines: {(unit code, indicator id): value} for baseline cells a unit left
    blank (from the office's baseline file).
    with_outcomes: also judge each target of the used returns (consolidation
    judges those of the returns it chooses instead, with `outcomes_for`).
    assignment: who reports which rows (toolkit.assign), worked out from
    `units` when not given: a cooperating unit may leave blank an area figure
    its row's lead unit reports (without units, any unit may).
    keep_cells: leave each return's `cells` as they are; else they are
    released once the report's frame holds them (for callers that own the returns).
    ledger: a toolkit.store Ledger: a frequency's window of several periods is
    judged on their figures, the earlier ones from it (toolkit.rules.judge)."""
    from toolkit.identity import identity_notices
    from toolkit.periods import parse_period, period_label
    from toolkit.rules import checks as engine

    known_units = {u.code: u for u in units} if units is not None else None
    reports = {}
    for ret in returns:
        ident = ret.ident
        report = FileReport(path=ret.display, sha256=ret.sha256, unit=ident.unit_code if ident else None,
                            unit_name=ident.unit_name if ident else None, period=ident.period if ident else None,
                            findings=list(ret.findings), modified=ret.modified.isoformat(timespec="seconds") if ret.modified else None,
                            id=ret.id, values_digest=ret.values_digest)
        if ret.recognised:
            if known_units is not None and ident.unit_code not in known_units:
                report.findings.append(make_finding("unknown-unit", ret.display, unit=ident.unit_code,
                                                    found=f"{ident.unit_name}（{ident.unit_code}）"))
            elif known_units is not None and not report.unit_name:
                report.unit_name = known_units[ident.unit_code].name
            if period is not None and ident.period != period.code:
                report.findings.append(make_finding("wrong-period", ret.display, unit=ident.unit_code,
                                                    found=period_label(ident.period), expected=period.label))
        reports[ret.id] = report

    # The files whose inputs are checked: ours, for this plan, readable.
    period_of_file = {}
    for ret in returns:
        if not ret.recognised:
            continue
        try:
            period_of_file[ret.id] = parse_period(ret.ident.period)
        except Exception:  # a hand-edited identification; treated as not ours
            ret.recognised = False
            reports[ret.id].findings.append(make_finding("not-our-template", ret.display))
    checked = [ret for ret in returns if ret.recognised]

    frame = engine.build_frame(checked)
    if not keep_cells:  # the frame is the one table of every cell from now on (a province's returns: millions)
        for ret in checked:
            ret.cells = None
    if baselines:
        engine.fill_baselines(frame, baselines)
    names = {ind.id: ind.name for _, _, ind in plan.indicators()}
    for failure in engine.run_types_pass(frame):
        _add_cell_finding(reports, frame, failure.index, failure.code, names, {})
    windows = None
    if ledger is not None:
        from toolkit.store.queries import window_figures

        windows = window_figures(ledger, plan, list({p.code: p for p in period_of_file.values()}.values()))
    frame = engine.add_results(frame, plan, period_of_file, windows)
    missed_index = set()
    peers = _Peers(frame)
    from toolkit.assign import assign_rows, lead_reported

    if assignment is None and units is not None:
        assignment = assign_rows(plan, units)
    if assignment is not None:
        lead_only = lead_reported(plan, assignment)
    else:  # who leads is unknown without the units list: no unit is held to an area figure
        area_figures = [i.id for _, _, i in plan.indicators() if i.scope == "area" and i.reporters == "lead"]
        lead_only = {(unit, i) for unit in frame["unit"].dropna().unique() for i in area_figures}
    for failure in engine.run_values_pass(frame, rules, lead_only):
        if failure.code == "target-missed":
            missed_index.add(failure.index)
            continue
        _add_cell_finding(reports, frame, failure.index, failure.code, names, peers, plan=plan)

    choice = choose_files(returns, reports)
    for ret in returns:
        report = reports[ret.id]
        if not ret.recognised:
            report.status = UNRECOGNISED
        elif ret.id in choice.decisions:
            report.status = choice.decisions[ret.id].status
        else:  # ours, but for a unit not in the list or another period
            report.status = REJECTED
        report.findings.sort(key=_finding_order(ret))
    used = {i for i, r in reports.items() if r.status in (USED, REJECTED) and i in period_of_file}
    outcomes = _outcomes(plan, frame, returns, used, missed_index) if with_outcomes else []
    return ValidationReport(plan_id=plan.id, period=period.code if period else None, files=list(reports.values()),
                            outcomes=outcomes, values=frame, missed=missed_index, choice=choice,
                            notices=identity_notices(returns))


def choose_files(returns, reports):
    """Which file counts per unit and period (toolkit.rules.choose), said in
    each file's findings: a superseded file names the one that replaced it, a
    tie says that neither can be called newer."""
    from toolkit.rules.choose import SUPERSEDED as GONE
    from toolkit.rules.choose import Candidate, choose

    candidates = [Candidate(ret.id, ret.ident.unit_code, ret.ident.period, ret.display, ret.saved, ret.file_time,
                            not reports[ret.id].errors)
                  for ret in returns if ret.recognised and not _identity_errors(reports[ret.id])]
    choice = choose(candidates)
    for file_id, decision in choice.decisions.items():
        report = reports[file_id]
        if decision.tied_with:
            names = "、".join(f"“{Path(reports[other].path).name}”" for other in decision.tied_with)
            report.findings.append(make_finding("tied-return", report.path, unit=report.unit, found=names))
        elif decision.status == GONE:
            report.superseded_by = reports[decision.by].path
            report.findings.append(make_finding("duplicate-return", report.path, unit=report.unit,
                                                found=Path(report.superseded_by).name))
    return choice


def _identity_errors(file_report):
    return [f for f in file_report.findings if f.code in ("unknown-unit", "wrong-period")]


def _finding_order(ret):
    """File-level findings first, then by sheet (in workbook order), row, column."""
    from toolkit.templates.layout import INSTRUCTIONS_SHEET, parse_ref

    sheets = [INSTRUCTIONS_SHEET, *(s.name for s in ret.layout.sheets)] if ret.layout else []

    def key(finding):
        if finding.sheet is None:
            return (0, 0, 0, 0)
        position = parse_ref(finding.cell) if finding.cell else (-1, -1)
        order = sheets.index(finding.sheet) if finding.sheet in sheets else len(sheets)
        return (1, order, *position)

    return key


# The other input a cross-field finding quotes ("分子（12）大于分母（10）").
_OTHER_FIELD = {"numerator-exceeds-denominator": "denominator", "cumulative-below-period": "value", "progress-missing": "status"}


class _Peers(dict):
    """(group, field) -> frame row, built on first use: the other cells of an
    indicator that a finding's message quotes."""

    def __init__(self, frame):
        super().__init__()
        self.frame = frame
        self.built = False
        self.task_words = None  # row id -> words, for messages about task rows

    def get(self, key, default=None):
        if not self.built:
            wanted = self.frame["field"].isin([*_OTHER_FIELD.values(), "result"])
            rows = self.frame.loc[wanted, ["group", "field"]]
            self.update(zip(zip(rows["group"], rows["field"].astype(str)), rows.index))
            self.built = True
        return super().get(key, default)


def _add_cell_finding(reports, frame, index: int, code: str, names, peers, plan=None) -> None:
    row = frame.loc[index]
    file_id = row["file"]
    indicator_id = row["indicator_id"] or None
    context = {"field_words": _FIELD_WORDS.get(row["field"], row["field"]), "cell_kind": str(row["kind"])}
    if not indicator_id and plan is not None:  # a task row's status or progress: the task names it
        words = getattr(peers, "task_words", None)
        if words is None:
            words = _task_words(plan)
            if isinstance(peers, _Peers):
                peers.task_words = words
        context["subject"] = words.get(row["row_id"], row["row_id"])
    if code in _OTHER_FIELD:
        other = peers.get((row["group"], _OTHER_FIELD[code]))
        if other is not None:
            context["other"] = frame.at[other, "typed"]
    if code == "reason-missing":
        result = peers.get((row["group"], "result"))
        if result is not None and plan is not None:
            from toolkit.templates.layout import target_words

            indicator = plan.indicator(indicator_id)
            context["target"] = target_words(indicator)
            context["actual"] = _format_actual(frame.at[result, "number"], indicator)
    if code == "text-too-long":
        context["expected"] = TEXT_LIMIT
    report = reports[file_id]
    report.findings.append(make_finding(
        code, report.path, unit=row["unit"], sheet=row["sheet"], cell=row["cell"],
        indicator=names.get(indicator_id) if indicator_id else None, indicator_id=indicator_id,
        row_id=row["row_id"], field=row["field"], value=row["typed"] or None, **context,
    ))


def _task_words(plan) -> dict[str, str]:
    """Each task row as a message names it: its 序号 and the start of its text."""
    words = {}
    for table in plan.tables:
        for row in table.rows:
            text = " ".join((table.cell(row, "subtask") or table.cell(row, "name") or table.cell(row, "target") or "").split())
            text = text if len(text) <= 24 else text[:23] + "…"
            words[row.id] = f"第 {row.label} 项 {text}".strip() if row.label else text
    return words


def outcomes_for(plan, report: ValidationReport, returns, used: set[str]) -> list[Outcome]:
    """The outcomes of the returns `used` (return ids), e.g. as chosen by consolidation."""
    return _outcomes(plan, report.values, returns, used, report.missed)


def _outcomes(plan, frame, returns, used: set[str], missed_index: set[int]) -> list[Outcome]:
    """Each target of each used return, with one of OUTCOME_STATUSES (see
    toolkit.rules.judge for when and where a target is judged)."""
    import numpy as np
    import pandas as pd

    from toolkit.model.validation import number_kind
    from toolkit.templates.layout import target_words
    from toolkit.rules.judge import compare

    if frame.empty:
        return []
    results = frame[(frame["field"] == "result") & frame["file"].isin(used)]
    texts = frame[frame["field"].isin(["reason", "status"])]
    reasons = texts[texts["field"] == "reason"]
    reason_of = {key: text for key, text in zip(zip(reasons["file"], reasons["indicator_id"]), reasons["text"])
                 if isinstance(text, str)}
    statuses = texts[texts["field"] == "status"]
    status_of_row = dict(zip(zip(statuses["file"], statuses["row_id"]), statuses["text"]))
    number = results["number"].to_numpy(float)
    met = compare(number, results["op"].to_numpy(object), results["target"].to_numpy(float))
    indicators = {ind.id: ind for _, _, ind in plan.indicators()}
    words = {i: target_words(ind) for i, ind in indicators.items()}
    file_ids, indicator_ids = results["file"].to_numpy(object), results["indicator_id"].to_numpy(object)
    row_ids = results["row_id"].to_numpy(object)
    task_status = np.array([status_of_row.get(key) for key in zip(file_ids, row_ids)], dtype=object)
    baselines = frame[(frame["field"] == "baseline") & frame["file"].isin(used)]
    with_baseline = set(zip(baselines.loc[baselines["number"].notna(), "file"], baselines.loc[baselines["number"].notna(), "indicator_id"]))
    # the status of each, in the order the rules apply (first match wins)
    not_applicable = task_status == "不适用"
    state = results["state"].to_numpy(object)
    past = state == "past"
    blank = np.isnan(number)
    relative = np.array([bool(indicators[i].relative) for i in indicator_ids], dtype=bool)
    no_baseline = relative & np.array([key not in with_baseline for key in zip(file_ids.tolist(), indicator_ids)], dtype=bool)
    missed = results.index.isin(list(missed_index)) if missed_index else np.zeros(len(results), dtype=bool)
    judge_note = results["judge_note"].to_numpy(object)
    rules = [  # (condition, status, note; None: the judgement's own note)
        (not_applicable, "no-data", "填报单位选择“不适用”"),
        (~results["per_unit"].to_numpy(bool), "contribution", "全域指标：本单位数值计入全域，只考核全域数值"),
        (past & (task_status == "已完成"), "met", None),
        (past & np.isin(task_status.astype(str), ["推进中", "未启动"]), "missed", None),
        (past, "no-data", None),
        (state == "qualitative", "qualitative", None),
        (state == "in-progress", "in-progress", None),
        (state == "incomplete", "no-data", None),
        (blank & no_baseline, "needs-baseline", "缺少基线（上年同期），无法计算升降幅度"),
        (blank, "no-data", ""),
        (missed, "missed", None),
        (met, "met", None),
    ]
    conditions = [c for c, _, _ in rules]
    status = np.select(conditions, [s for _, s, _ in rules], "in-progress")
    notes = np.select(conditions, [n or "" for _, _, n in rules], "").astype(object)
    own = np.select(conditions, [n is None for _, _, n in rules], True).astype(bool)
    notes[own] = judge_note[own]
    done = past & ~not_applicable & (status != "no-data")  # a past target: the task's status, never this year's figure
    notes[done] = [f"{note}：{word}" for note, word in zip(notes[done], task_status[done])]
    notes[notes == ""] = None
    basis = results["basis"].to_numpy(object)
    # the other fields as columns too, then one Outcome per row
    codes, unique_ids = pd.factorize(indicator_ids)
    names = np.array([indicators[i].name for i in unique_ids], dtype=object)[codes]
    targets = np.array([words[i] for i in unique_ids], dtype=object)[codes]
    kinds = np.array([number_kind(indicators[i]) for i in unique_ids], dtype=object)[codes]
    actual = number.astype(object)
    actual[blank | past] = None
    reason = [reason_of.get(key) for key in zip(file_ids.tolist(), indicator_ids)] if reason_of else [None] * len(results)
    display_of = {ret.id: ret.display for ret in returns}
    displays = [display_of[i] for i in file_ids.tolist()]
    return list(map(Outcome, results["unit"], indicator_ids, names, status.tolist(), actual, targets, reason, notes,
                    displays, results["sheet"], results["cell"], kinds, basis))
