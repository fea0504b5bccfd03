"""Stage 3: validate returned workbooks against the plan.

    report = validate_returns(plan, ["returns/"], units=units, period=period)

Each file is read and identified (toolkit.read), then the inputs of all files
are checked together in one long DataFrame (toolkit.rules.checks). The
report lists every file with what became of it and every finding with its
file, sheet and cell, and each target's outcome per unit.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from toolkit.findings import make_finding
from toolkit.model.validation import (
    REJECTED,
    SUPERSEDED,
    UNRECOGNISED,
    USED,
    FileReport,
    Outcome,
    ValidationReport,
)

from toolkit.words import FIELD_WORDS as _FIELD_WORDS
from toolkit.words import actual_words as _format_actual
from toolkit.xlsx.style import TEXT_LIMIT


def validate_returns(plan, paths, *, units=None, period=None, rules=None, limits=None, timeout: float = 60.0) -> ValidationReport:
    """Check every workbook in `paths` (files or folders) against `plan`.

    units: the units list (toolkit.units.Unit); returns from other units are errors.
    period: the period being collected (toolkit.periods.Period); others are errors.
    rules: rule packs (default: the built-in validators/).
    limits: toolkit.gate.Limits for the check before parsing; timeout: seconds per file.
    """
    from toolkit.intake import read_returns
    from toolkit.rules.packs import load_rule_packs

    rules = load_rule_packs() if rules is None else rules
    returns = read_returns(paths, plan, limits=limits, timeout=timeout)
    return check_returns(plan, returns, units=units, period=period, rules=rules)


def check_returns(plan, returns, *, units=None, period=None, rules=(), baselines=None,
                  with_outcomes: bool = True) -> ValidationReport:
    """The checks after reading: identity against units and period, duplicates,
    then the two pandera passes over all recognised returns at once.

    baselines: {(unit code, indicator id): value} for baseline cells a unit left
    blank (from the office's baseline file).
    with_outcomes: also judge each target of the used returns (consolidation
    judges those of the returns it chooses instead, with `outcomes_for`)."""
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
    if baselines:
        engine.fill_baselines(frame, baselines)
    names = {ind.id: ind.name for _, _, ind in plan.indicators()}
    for failure in engine.run_types_pass(frame):
        _add_cell_finding(reports, frame, failure.index, failure.code, names, {})
    frame = engine.add_results(frame, plan, period_of_file)
    missed_index = set()
    peers = _Peers(frame)
    for failure in engine.run_values_pass(frame, rules):
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
    context = {"field_words": _FIELD_WORDS.get(row["field"], row["field"])}
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


def outcomes_for(plan, report: ValidationReport, returns, used: set[str]) -> list[Outcome]:
    """The outcomes of the returns `used` (return ids), e.g. as chosen by consolidation."""
    return _outcomes(plan, report.values, returns, used, report.missed)


def _outcomes(plan, frame, returns, used: set[str], missed_index: set[int]) -> list[Outcome]:
    """Each target of each used return: met, missed, review or no-data."""
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
    # the status of each, in the order the rules apply (first match wins)
    not_applicable = np.array([status_of_row.get(key) == "不适用" for key in zip(file_ids, row_ids)], dtype=bool)
    checkable = results["checkable"].to_numpy(bool)
    blank = np.isnan(number)
    relative = np.array([bool(indicators[i].relative) for i in indicator_ids], dtype=bool)
    missed = results.index.isin(list(missed_index)) if missed_index else np.zeros(len(results), dtype=bool)
    conditions = [not_applicable, ~checkable, blank & relative, blank, missed, met]
    status = np.select(conditions, ["no-data", "review", "review", "no-data", "missed", "met"], "review")
    review_note = {i: ind.note or "定性目标，需人工判断" for i, ind in indicators.items()}
    notes = np.select(conditions, ["填报单位选择“不适用”", "", "缺少基线（上年同期）或本期数值，无法计算升降幅度", "", "", ""],
                      "尚未到期，目前未达到目标").astype(object)
    notes[notes == ""] = None
    unchecked = ~not_applicable & ~checkable
    notes[unchecked] = [review_note[i] for i in indicator_ids[unchecked]]
    # the other fields as columns too, then one Outcome per row
    codes, unique_ids = pd.factorize(indicator_ids)
    names = np.array([indicators[i].name for i in unique_ids], dtype=object)[codes]
    targets = np.array([words[i] for i in unique_ids], dtype=object)[codes]
    kinds = np.array([number_kind(indicators[i]) for i in unique_ids], dtype=object)[codes]
    actual = number.astype(object)
    actual[blank] = None
    reason = [reason_of.get(key) for key in zip(file_ids.tolist(), indicator_ids)] if reason_of else [None] * len(results)
    display_of = {ret.id: ret.display for ret in returns}
    displays = [display_of[i] for i in file_ids.tolist()]
    return list(map(Outcome, results["unit"], indicator_ids, names, status.tolist(), actual, targets, reason, notes,
                    displays, results["sheet"], results["cell"], kinds))
