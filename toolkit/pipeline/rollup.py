"""The area's figure of each indicator, from the right units, and its status.

| what | the area figure | judged |
|---|---|---|
| counts of events (起数, 人数) and rates of them | Σ over territorial units (村、社区; 乡镇、街道); the sectoral Σ (行业口径) beside it, a note when they differ | on the area figure; unit-scope (zero tolerance): also any unit's miss |
| area amounts (个, 公里: scope area) with a lead unit | the lead unit's figure; cooperating units' figures are contributions, never added | on the area figure only |
| other rates | Σnumerator ÷ Σdenominator over the units that report them | on the area figure (unit scope: also per unit) |
| unit-scope targets that do not add up (frequencies, percentages) | none | every unit: the area meets it when every unit does |
| an area's frequency (scope area: 全镇每季度至少开展1次) | the lead unit's count, else Σ over the units; over a window of several periods, their sum | on the area figure only |
| other area targets that do not add up (scope area: 游客满意度达90%) | the lead unit's figure; none without a lead unit | on the area figure only |

When a target is judged (its deadline, its frequency's window, an earlier
year's target) is toolkit.rules.judge's; here the same judgement is applied
to the area's figure.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
import pandas as pd

from toolkit.model.consolidation import AreaValue
from toolkit.words import actual_words

_FIELDS = ["value", "cumulative", "numerator", "denominator", "baseline", "result"]


def roll_up(plan, period, frame, used, outcomes, area_baselines, *, territorial: set[str], assignment,
            history: bool = False) -> list[AreaValue]:
    """One AreaValue per indicator of `plan`: its area figure and status.

    history: the returns were judged with the ledger's earlier periods (a
    frequency's window of several periods), and so is the area.

    territorial: codes of the units that partition the area (toolkit.units.Unit.is_territorial).
    assignment: who reports which rows (toolkit.assign.Assignment): the lead unit of each row, and who
    leads it as the plan names it (AreaValue.lead_name)."""
    from toolkit.model.validation import number_kind
    from toolkit.rules.judge import judgement
    from toolkit.templates.layout import target_words

    # the used returns' cells of each indicator, split once (the frame can hold millions)
    of_indicator = {}
    if not frame.empty:
        inputs = frame.loc[frame["file"].isin(used) & (frame["indicator_id"] != ""),
                           ["file", "unit", "indicator_id", "field", "number"]]
        of_indicator = dict(tuple(inputs.groupby("indicator_id", sort=False, observed=True)))
    statuses = _task_statuses(frame, used)
    unknown = _unknown_windows(frame, used)
    by_indicator = defaultdict(list)
    for outcome in outcomes:
        by_indicator[outcome.indicator_id].append(outcome)
    aggregates = []
    for table, row, indicator in plan.indicators():
        unit_outcomes = by_indicator.get(indicator.id, [])
        counts = Counter(o.status for o in unit_outcomes)
        j = judgement(indicator, period, history=history)
        area = AreaValue(
            indicator_id=indicator.id, indicator=indicator.name, table=table.title, row=row.label,
            target=target_words(indicator), unit=indicator.unit, measure=indicator.measure, rollup=indicator.rollup,
            zero_tolerance=indicator.zero_tolerance, value=None,
            units_reporting=sum(1 for o in unit_outcomes if o.actual is not None),
            units_met=counts["met"], units_missed=counts["missed"], units_in_progress=counts["in-progress"],
            units_needs_baseline=counts["needs-baseline"], units_qualitative=counts["qualitative"],
            units_no_data=counts["no-data"], units_contribution=counts["contribution"],
            leader=table.cell(row, "leader"), office=table.cell(row, "office") or table.cell(row, "responsible"),
            kind=number_kind(indicator), basis=j.basis,
            deadline=str(indicator.deadline) if indicator.deadline else None,
            bare_target=target_words(indicator, with_deadline=False),
            lead_name=assignment.lead_names.get(row.id, "") if assignment is not None else "",
        )
        wide = _per_file(of_indicator.get(indicator.id))
        lead = assignment.lead_for(row.id) if assignment is not None else None
        if j.state != "past":  # a target of an earlier year: never this year's running total
            area.value = _area_figure(indicator, j, wide, area, area_baselines.get(indicator.id), territorial, lead)
        else:
            area.basis = None
        if j.state == "past" and not j.per_unit:
            area.status, note = _past_status(j, statuses.get(row.id, {}), lead)
        else:
            area.status, note = _area_status(indicator, j, area, unit_outcomes, unknown.get(indicator.id, 0))
        reason = next((o.reason for o in unit_outcomes if o.unit == area.lead and o.reason and o.reason.strip()), None)
        if area.status == "missed" and reason:  # the lead unit's own figure: its explanation goes with it
            note = "；".join(x for x in (note, f"牵头单位说明：{reason}") if x)
        area.note = "；".join(x for x in (note, area.note) if x) or None
        aggregates.append(area)
    return aggregates


def _task_statuses(frame, used) -> dict[str, dict[str, str]]:
    """{row id: {unit: task status}} of the used returns."""
    if frame.empty:
        return {}
    rows = frame.loc[frame["file"].isin(used) & (frame["field"] == "status") & frame["text"].notna(),
                     ["unit", "row_id", "text"]]
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for unit, row_id, text in zip(rows["unit"], rows["row_id"], rows["text"]):
        found[row_id][unit] = text
    return found


def _unknown_windows(frame, used) -> dict[str, int]:
    """{indicator id: units} whose frequency window closed with a period missing
    from the ledger (toolkit.rules.checks: state "incomplete")."""
    if frame.empty or "state" not in frame:
        return {}
    rows = frame.loc[frame["file"].isin(used) & (frame["state"] == "incomplete"), "indicator_id"]
    return rows.value_counts().to_dict()


def _past_status(j, statuses: dict[str, str], lead) -> tuple[str, str | None]:
    """An area target due in an earlier year: judged then; now its task's
    status says whether it was done (the lead unit's, or every reporting
    unit's where the row has no lead), never this year's figures."""
    if lead is not None:
        statuses = {lead: statuses[lead]} if lead in statuses else {}
    statuses = {unit: text for unit, text in statuses.items() if text != "不适用"}
    if not statuses:
        return "no-data", j.review_note
    open_units = [unit for unit, text in statuses.items() if text != "已完成"]
    if open_units:
        return "missed", f"{j.review_note}；{len(open_units)} 个单位尚未完成（逾期）"
    return "met", f"{j.review_note}；已完成"


def _per_file(inputs) -> pd.DataFrame | None:
    """One row per used return of an indicator: its unit and a column per field
    (the number; NaN where blank), or None when no return has any."""
    if inputs is None or inputs.empty:
        return None
    cells = inputs.assign(field=inputs["field"].astype(str)).drop_duplicates(["file", "field"])
    wide = cells.pivot(index="file", columns="field", values="number")
    wide = wide.reindex(columns=_FIELDS).astype(float)
    units = cells.drop_duplicates("file").set_index("file")["unit"]
    wide.insert(0, "unit", units.reindex(wide.index).to_numpy(object))
    return wide


def _area_figure(indicator, j, wide, area: AreaValue, area_baseline, territorial, lead) -> float | None:
    """The area's figure, from the units the rules in the module docstring name."""
    area_frequency = indicator.measure == "frequency" and indicator.scope == "area"
    # an area target its lead unit reports: an amount, a frequency, or a figure that does not add up (a percentage)
    from_lead = indicator.scope == "area" and lead is not None and (
        indicator.measure in ("amount", "frequency") or indicator.rollup == "none")
    if wide is None or (indicator.rollup not in ("sum", "ratio") and not area_frequency and not from_lead):
        if indicator.scope == "area" and indicator.rollup == "none" and not area_frequency and lead is None \
                and indicator.measure != "qualitative":
            area.note = (f"全域数值应由牵头单位{area.lead_name}填报，单位名单中没有该单位（可在名单中加入，或给它设别名）"
                         if area.lead_name else "计划未写明牵头单位，各单位数值不能相加，全域数值无从得出")
        return None
    rows = wide
    if indicator.counts_events:
        is_territorial = wide["unit"].isin(territorial).to_numpy()
        mine, theirs = wide[is_territorial], wide[~is_territorial]
        if _has_figures(indicator, mine):
            rows, area.source = mine, "territorial"
            if _has_figures(indicator, theirs):
                area.sectoral = _figure(indicator, j, theirs, None, area=None)
        elif lead is not None and (wide["unit"] == lead).any():
            rows, area.source, area.lead = wide[wide["unit"] == lead], "lead", lead
        else:
            area.source = "sectoral"
    elif from_lead:
        rows, area.source, area.lead = wide[wide["unit"] == lead], "lead", lead
        if rows.empty or not _has_figures(indicator, rows):
            area.note = "牵头单位未报送该数值"
            return None
    else:
        area.source = "all"
    figure = _figure(indicator, j, rows, area_baseline, area=area)
    if area.sectoral is not None and figure is not None and not indicator.relative \
            and abs(area.sectoral - figure) > 1e-9 * max(1.0, abs(figure)):
        area.note = (f"属地合计{actual_words(figure, indicator)}，行业口径合计{actual_words(area.sectoral, indicator)}，"
                     "两者不一致，请核实")
    return figure


def _has_figures(indicator, rows) -> bool:
    if rows.empty:
        return False
    if indicator.rollup == "ratio":
        return bool((rows["numerator"].notna() & (rows["denominator"] > 0)).any())
    return bool(rows["cumulative"].notna().any() or rows["value"].notna().any())


def _figure(indicator, j, rows, area_baseline, *, area: AreaValue | None) -> float | None:
    """Σ (or Σnumerator ÷ Σdenominator) of `rows`, or its change against the
    baseline for a relative target; a rate's sums go to `area`."""
    if indicator.rollup == "ratio":
        both = rows.dropna(subset=["numerator", "denominator"])
        both = both[both["denominator"] > 0]
        if both.empty:
            return None
        numerator, denominator = float(both["numerator"].sum()), float(both["denominator"].sum())
        if area is not None:
            area.numerator, area.denominator = numerator, denominator
        rate = numerator / denominator
        if not indicator.relative:
            return rate
        return _change(indicator, rate, area_baseline) if area is not None else rate
    # counts and amounts: the figure the target is judged on (本期 or 本年累计, as judged)
    if j.source == "value":
        figures = rows["value"]
    elif j.source == "window":  # each unit's window so far (toolkit.rules.checks: its periods' sum)
        figures = rows["result"]
    else:  # cumulative (or the change of the year so far): the period's value where no cumulative is asked
        figures = rows["cumulative"].fillna(rows["value"])
    figures = figures.dropna()
    if figures.empty:
        return None
    actual = float(figures.sum())
    if j.source == "window" and area is not None and j.due:
        from toolkit.rules.judge import compare

        unknown = int((rows["result"].isna() & rows["value"].notna()).sum())  # a unit's window with a period missing
        if unknown and not compare(np.array([actual]), np.array([j.op], dtype=object), np.array([j.target]))[0]:
            area.note = f"{unknown} 个单位{j.window}缺少部分报送期数据，全域合计无法判断"
            return None
    if not indicator.relative or area is None:
        return actual
    baselines = rows.loc[figures.index, "baseline"].dropna()
    base = area_baseline if area_baseline is not None else (float(baselines.sum()) if len(baselines) else None)
    return _change(indicator, actual, base)


def _change(indicator, actual, baseline) -> float | None:
    if actual is None or baseline is None or baseline <= 0:
        return None
    return (baseline - actual) / baseline if indicator.relative == "decrease" else (actual - baseline) / baseline


def _area_status(indicator, j, area: AreaValue, unit_outcomes, unknown: int = 0) -> tuple[str, str | None]:
    """The area's status, by the rules of toolkit.rules.judge applied to its figure."""
    from toolkit.rules.judge import compare

    if not unit_outcomes:
        return "no-data", "无单位填报"
    if j.per_unit and area.units_missed and (indicator.zero_tolerance or indicator.rollup == "none"):
        what = "零容忍指标" if indicator.zero_tolerance else "每个单位均须达到"
        return "missed", f"{what}：{area.units_missed} 个单位未达标"
    if j.state == "qualitative":
        return "qualitative", j.review_note
    # targets that do not add up are judged on each unit's outcome when each unit is judged (scope unit); an
    # area's own (全镇每季度至少1次, 游客满意度达90%: its units' figures only contributions) on the area's figure
    if j.state in ("past", "in-progress") or (indicator.rollup == "none" and j.per_unit):
        return _status_from_units(area, j, unknown)
    if area.value is None:
        if indicator.relative:
            return "needs-baseline", "缺少全域基线或本期数值，无法计算升降幅度"
        return "no-data", "无可汇总的数据"
    met = bool(compare(np.array([area.value]), np.array([j.op], dtype=object), np.array([j.target]))[0])
    if met:
        if j.per_unit and area.units_missed:
            return "missed", f"全域达到目标，但 {area.units_missed} 个单位未达标"
        return "met", None
    if j.due:
        return "missed", None
    return "in-progress", j.review_note


def _status_from_units(area: AreaValue, j, unknown: int = 0) -> tuple[str, str | None]:
    """A target judged on units' outcomes only (a frequency, a percentage, a
    past target's task status): the area meets it when every unit does."""
    if area.units_missed:
        return "missed", f"{area.units_missed} 个单位未达标"
    waiting = area.units_in_progress + area.units_needs_baseline + area.units_qualitative
    if unknown:  # a unit's window that cannot be judged (a period missing from the ledger) is not met
        return "no-data", f"{unknown} 个单位{j.window}缺少部分报送期数据，无法判断"
    if area.units_met and not waiting:
        return "met", "各填报单位均达标"
    for status, count in (("in-progress", area.units_in_progress), ("needs-baseline", area.units_needs_baseline),
                          ("qualitative", area.units_qualitative)):
        if count:
            return status, j.review_note or f"{count} 个单位尚无结果"
    if j.state == "in-progress":
        return "in-progress", j.review_note
    return "no-data", j.review_note
