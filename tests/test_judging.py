"""Every target judged at the right level and at the right time (issue 14).

Each expected number is computed here from the values typed into the
returns (read back with openpyxl) and the plan's rule, never taken from the
toolkit's own roll-up: the towns' sum for a county's counts of events, the
lead unit's figure for an area amount, the task status for a target of an
earlier year, the window's figure for a frequency."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re

import openpyxl
import pytest

from toolkit.periods import parse_period
from toolkit.pipeline.consolidate import consolidate
from toolkit.plan import load_plan
from toolkit.rules.judge import judgement
from toolkit.simulate import fill_template, input_spots, simulate_returns
from toolkit.templates import build_templates
from toolkit.units import Unit, load_units
from toolkit.xlsx.leaders import write_consolidated_workbook

from .conftest import ROOT

COUNTY_UNITS = ROOT / "examples" / "dianjiang-units.csv"


def _kinds():
    """Each county unit's kind, read from the CSV itself (not through toolkit.units)."""
    with open(COUNTY_UNITS, encoding="utf-8-sig") as f:
        return {row["code"]: row["kind"] for row in csv.DictReader(f)}


def _typed(paths):
    """{(unit code, indicator id, field): value} as typed into the returns."""
    typed = {}
    for path in paths:
        workbook = openpyxl.load_workbook(path)
        unit = next(row[1] for row in workbook["_toolkit_id"].iter_rows(values_only=True) if row[0] == "unit_code")
        for spot in input_spots(workbook):
            typed[(unit, spot.indicator_id or spot.row_id, spot.field)] = workbook[spot.sheet][spot.cell].value
    return typed


def _overview_rows(path):
    """领导总览's indicator table as {indicator name: {column title: value}}."""
    ws = openpyxl.load_workbook(path)["领导总览"]
    rows = list(ws.iter_rows(values_only=True))
    top = next(i for i, r in enumerate(rows) if r[0] == "序号")
    titles = rows[top]
    table = {}
    for r in rows[top + 1:]:
        if isinstance(r[0], str) and r[0].startswith("状态说明"):
            break
        if isinstance(r[0], int):  # an indicator (the others: a title row per annex table)
            table[r[1]] = dict(zip(titles, r))
    return table


def _filler(changes=None):
    """A plausible return: no events, every rate 9/10, amounts 1, tasks in progress."""
    changes = changes or {}

    def value_for(spot):
        for key in ((spot.indicator_id, spot.field), (spot.row_id, spot.field)):
            if key in changes:
                return changes[key]
        if spot.field in ("value", "cumulative"):
            return 0 if (spot.indicator_id or "").startswith("core") else 1
        if spot.field == "baseline":
            return 0.1 if spot.kind == "percent" else 10
        return {"numerator": 9, "denominator": 10, "status": "推进中", "progress": "按计划推进",
                "reporter": "张三", "phone": "1", "approver": "李四"}.get(spot.field)

    return value_for


# ------------------------------------------------------------------ a county: towns and departments


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """垫江县 2026M03: every town and department returns, as `toolkit simulate` fills them."""
    out = tmp_path_factory.mktemp("county")
    plan, units, period = load_plan("dianjiang-2026"), load_units(COUNTY_UNITS), parse_period("2026M03")
    simulate_returns(plan, units, period, out / "returns", seed=3, due=dt.date(2026, 4, 10))
    result = consolidate(plan, [out / "returns"], units=units, period=period, due=dt.date(2026, 4, 10))
    write_consolidated_workbook(result, out / "汇总.xlsx")
    (out / "汇总.json").write_text("".join(result.json_chunks()), encoding="utf-8")
    return plan, result, out


def test_county_count_of_events_is_the_towns_sum_with_the_departments_sum_beside_it(county):
    plan, result, out = county
    kinds = _kinds()
    typed = _typed(sorted((out / "returns").glob("*.xlsx")))
    data = json.loads((out / "汇总.json").read_text(encoding="utf-8"))
    aggregates = {a["indicator_id"]: a for a in data["aggregates"]}
    overview = _overview_rows(out / "汇总.xlsx")
    checked = 0
    for _, _, indicator in plan.indicators():
        if indicator.measure != "count" or not indicator.id.startswith("core"):
            continue
        towns = sum(v for (u, i, f), v in typed.items() if i == indicator.id and f == "cumulative" and kinds[u] in ("乡镇", "街道"))
        sectoral = [v for (u, i, f), v in typed.items() if i == indicator.id and f == "cumulative" and kinds[u] == "部门"]
        departments = sum(sectoral) if sectoral else None  # no department reports it: no sectoral view
        area = aggregates[indicator.id]
        assert (area["value"], area["sectoral"], area["source"], area["basis"]) == (towns, departments, "territorial",
                                                                                     "year-to-date"), indicator.name
        row = overview[indicator.name]
        assert (row["全域数值"], row["口径"], row["行业口径合计"]) == (towns, "本年累计", departments)
        if departments is not None and towns != departments:  # flagged for a person, with both figures
            assert f"属地合计{towns:g}" in area["note"] and f"行业口径合计{departments:g}" in area["note"]
        checked += 1
    assert checked == 6
    assert any(a["sectoral"] for a in data["aggregates"])  # the simulated departments did report some events


def test_a_zero_tolerance_count_misses_for_the_area_when_any_unit_misses(county):
    _, result, _ = county
    for area in result.aggregates:
        if area.zero_tolerance and area.units_missed:
            assert area.status == "missed"


def test_simulated_cooperating_units_leave_area_figures_to_their_lead(county):
    plan, result, out = county
    from toolkit.assign import assign_rows

    assignment = assign_rows(plan, load_units(COUNTY_UNITS))
    typed = _typed(sorted((out / "returns").glob("*.xlsx")))
    amounts = [(row, i) for _, row, i in plan.indicators() if i.measure == "amount" and i.scope == "area"]
    assert amounts
    for row, indicator in amounts:
        lead = assignment.lead_for(row.id)
        for unit in assignment.units_for(row.id):
            value = typed.get((unit, indicator.id, "cumulative"))
            assert (value is not None) == (unit == lead), (indicator.name, unit)
        area = next(a for a in result.aggregates if a.indicator_id == indicator.id)
        assert area.value == typed[(lead, indicator.id, "cumulative")] and area.lead == lead


def test_no_unit_is_missed_or_asked_for_a_reason_on_an_area_target(county):
    plan, result, _ = county
    area_ids = {i.id for _, _, i in plan.indicators() if i.scope == "area"}
    statuses = {(o.status, o.note) for o in result.outcomes if o.indicator_id in area_ids}
    assert {s for s, _ in statuses} <= {"contribution", "no-data"}
    assert {n for s, n in statuses if s == "no-data"} <= {"填报单位选择“不适用”"}  # the unit marked its row 不适用
    assert not [f for f in result.findings if f.code == "reason-missing" and f.indicator_id in area_ids]
    assert not [f for f in result.findings if f.code == "required-missing"]


# ------------------------------------------------------------------ an area amount and its lead


@pytest.fixture(scope="module")
def amount(tmp_path_factory):
    """垫江县 2026Q4: 改造老旧小区 ≥12个 is led by 县住房城乡建设委; two towns cooperate."""
    out = tmp_path_factory.mktemp("amount")
    plan, units, period = load_plan("dianjiang-2026"), load_units(COUNTY_UNITS), parse_period("2026Q4")
    built = {t.unit_code: t.path for t in build_templates(plan, units, period, out / "t").templates}
    houses = next(i.id for _, _, i in plan.indicators() if i.name == "改造老旧小区")
    fill_template(built["DJ-D03"], out / "r" / "D03.xlsx", _filler({(houses, "value"): 3, (houses, "cumulative"): 9,
                                                                    (houses, "reason"): "旧改资金下半年到位"}))
    fill_template(built["DJ-T01"], out / "r" / "T01.xlsx", _filler({(houses, "value"): 5, (houses, "cumulative"): 5}))
    fill_template(built["DJ-T02"], out / "r" / "T02.xlsx", _filler({(houses, "value"): None, (houses, "cumulative"): None}))
    result = consolidate(plan, [out / "r"], units=units, period=period)
    write_consolidated_workbook(result, out / "汇总.xlsx")
    return plan, result, out, houses


def test_an_area_amount_is_its_lead_units_figure_never_the_sum_with_cooperating_units(amount):
    plan, result, out, houses = amount
    typed = _typed([out / "r" / "D03.xlsx", out / "r" / "T01.xlsx"])
    lead_figure = typed[("DJ-D03", houses, "cumulative")]  # 9: 12 are due by the year end
    area = next(a for a in result.aggregates if a.indicator_id == houses)
    assert (area.value, area.lead, area.source, area.status) == (lead_figure, "DJ-D03", "lead", "missed")
    assert area.value != lead_figure + typed[("DJ-T01", houses, "cumulative")]
    # the cooperating towns are not judged: their figures are contributions
    outcomes = {o.unit: o for o in result.outcomes if o.indicator_id == houses}
    assert {u: o.status for u, o in outcomes.items()} == {"DJ-D03": "contribution", "DJ-T01": "contribution",
                                                          "DJ-T02": "contribution"}
    assert area.units_missed == 0 and area.units_contribution == 3
    assert not [f for f in result.findings if f.indicator_id == houses]  # no reason-missing, no required-missing
    assert "牵头单位说明：旧改资金下半年到位" in area.note  # the lead's own explanation of its figure
    row = _overview_rows(out / "汇总.xlsx")["改造老旧小区"]
    assert (row["全域数值"], row["状态"], row["未达标单位数"], row["口径"]) == (9, "未达标", 0, "本年累计")


def test_the_grid_shows_cooperating_figures_as_contributions(amount):
    plan, result, out, houses = amount
    ws = openpyxl.load_workbook(out / "汇总.xlsx")["指标明细"]
    rows = list(ws.iter_rows(values_only=True))
    column = rows[2].index("改造老旧小区")
    helper = rows[2].index("状态代码")
    position = column - 2
    by_unit = {r[0]: r for r in rows[4:] if r[0]}
    assert by_unit["DJ-T01"][column] == 5 and by_unit["DJ-T01"][helper][position] == "c"
    assert by_unit["全域"][column] == 9 and by_unit["全域"][helper][position] == "x"
    assert rows[3][column].endswith("（本年累计）")


# ------------------------------------------------------------------ targets of earlier years and milestones


def _fenghuang(tmp_path, statuses: dict[str, str], period="2026M03"):
    """Two offices report 凤凰镇's task rows 19 (milestones 2025年、2026年) and 20
    (a training due in 2024); `statuses`: unit code -> the status typed for row 20."""
    plan = load_plan("fenghuang-2024-2026")
    units = [Unit(code=code, name=name, kind="办公室", parent=None, contact=None, rows=("task-19", "task-20"))
             for code, name in (("U1", "应急办"), ("U2", "安监办"))]
    built = build_templates(plan, units, parse_period(period), tmp_path / "t").templates
    for template in built:
        status = statuses[template.unit_code]
        fill_template(template.path, tmp_path / "r" / f"{template.unit_code}.xlsx", _filler({
            ("task-20", "status"): status, ("task-20", "progress"): "已于2024年完成培训",
            ("task-20.1", "value"): 0, ("task-20.1", "cumulative"): 0,  # no training this year: none was due
            ("task-19", "status"): "推进中"}))
    result = consolidate(plan, [tmp_path / "r"], units=units, period=parse_period(period))
    return plan, result


def test_a_past_year_task_reported_done_in_a_later_year_is_met_not_judged_on_this_years_total(tmp_path):
    _, result = _fenghuang(tmp_path, {"U1": "已完成", "U2": "已完成"})
    area = next(a for a in result.aggregates if a.indicator_id == "task-20.1")
    assert (area.status, area.value, area.units_missed) == ("met", None, 0)
    assert "2024年12月31日到期" in area.note
    assert {o.status for o in result.outcomes if o.indicator_id == "task-20.1"} == {"contribution"}
    assert not [f for f in result.findings if f.indicator_id == "task-20.1"]
    tasks = {(t.unit, t.row_id): t for t in result.tasks}
    assert not tasks[("U1", "task-20")].overdue
    write_consolidated_workbook(result, tmp_path / "汇总.xlsx")
    row = _overview_rows(tmp_path / "汇总.xlsx")[area.indicator]
    assert (row["状态"], row["未达标单位数"], row["全域数值"]) == ("达标", 0, "—")


def test_a_past_year_task_not_done_is_overdue_for_the_area_and_no_unit_is_missed(tmp_path):
    _, result = _fenghuang(tmp_path, {"U1": "已完成", "U2": "推进中"})
    area = next(a for a in result.aggregates if a.indicator_id == "task-20.1")
    assert area.status == "missed" and "逾期" in area.note and area.units_missed == 0
    tasks = {(t.unit, t.row_id): t for t in result.tasks}
    assert tasks[("U2", "task-20")].overdue and not tasks[("U1", "task-20")].overdue


def test_a_passed_milestone_of_a_task_not_done_is_overdue(tmp_path):
    plan, result = _fenghuang(tmp_path, {"U1": "已完成", "U2": "已完成"})
    assert str(next(r for r in plan.tables[0].rows if r.id == "task-19").deadline) == "2025-12-31;2026-12-31"
    tasks = {(t.unit, t.row_id): t for t in result.tasks}
    milestone = tasks[("U1", "task-19")]  # 推进中 in 2026M03: the 2025年 milestone has passed
    assert milestone.overdue and milestone.due == "2025-12-31"


# ------------------------------------------------------------------ frequency windows


@pytest.mark.parametrize("period, due, basis, target, window", [
    ("2026M03", True, "year-to-date", 1.0, None),  # the month closes Q1, which began on 1 January
    ("2026M02", False, "year-to-date", 1.0, "2026年第一季度"),  # Q1 still open
    ("2026M06", False, "year-to-date", None, "2026年第二季度"),  # closes Q2, but only M06 and the year so far are at hand
    ("2026M05", False, "year-to-date", None, "2026年第二季度"),
    ("2026Q2", True, "period", 1.0, None),  # the period is the window
    ("2026H1", True, "period", 2.0, None),  # two quarters: twice
    ("2026", True, "period", 4.0, None),
])
def test_a_quarterly_frequency_is_judged_when_its_quarter_closes(period, due, basis, target, window):
    plan = load_plan("dingshan-2026")
    quarterly = next(i for _, _, i in plan.indicators() if i.frequency == "quarter")
    j = judgement(quarterly, parse_period(period))
    assert (j.due, j.basis) == (due, basis)
    if target is None:
        assert not j.checkable and j.state == "in-progress" and window in j.review_note
    else:
        assert j.checkable and j.target == target
        if window:
            assert window in j.review_note


def test_a_target_due_in_an_earlier_year_is_past_and_one_due_earlier_this_year_is_judged():
    plan = load_plan("fenghuang-2024-2026")
    training = plan.indicator("task-20.1")  # 2024-12-31
    assert judgement(training, parse_period("2026M03")).state == "past"
    assert judgement(training, parse_period("2024Q4")).state is None
    later = plan.indicator("task-21.1")  # 2025-12-31
    assert judgement(later, parse_period("2025M06")).due is False
    assert judgement(later, parse_period("2025Q4")).due is True


@pytest.fixture(scope="module")
def village_months(tmp_path_factory, dingshan_plan):
    """One village's returns for 2026M02, M03 and M06 with nothing done for the
    quarterly target; M03 a second time with one inspection in the quarter."""
    out = tmp_path_factory.mktemp("months")
    plan = dingshan_plan
    village = Unit(code="DS-V01", name="青坪村", kind="村", parent=None, contact=None)
    quarterly = next(i for _, _, i in plan.indicators() if i.frequency == "quarter")
    results = {}
    for code, done in (("2026M02", 0), ("2026M03", 0), ("2026M03", 1), ("2026M06", 0)):
        period = parse_period(code)
        template = build_templates(plan, [village], period, out / f"t{code}").templates[0]
        folder = out / f"r{code}-{done}"
        fill_template(template.path, folder / "r.xlsx", _filler({(quarterly.id, "value"): done,
                                                                  (quarterly.id, "cumulative"): done}))
        results[(code, done)] = consolidate(plan, [folder], units=[village], period=period)
    return quarterly, results


def test_a_month_that_closes_the_quarter_judges_the_quarter_from_the_year_so_far(village_months):
    quarterly, results = village_months
    missed = next(o for o in results[("2026M03", 0)].outcomes if o.indicator_id == quarterly.id)
    met = next(o for o in results[("2026M03", 1)].outcomes if o.indicator_id == quarterly.id)
    assert (missed.status, missed.actual, missed.basis) == ("missed", 0, "year-to-date")
    assert (met.status, met.actual) == ("met", 1)
    assert [f.code for f in results[("2026M03", 0)].findings if f.indicator_id == quarterly.id] == ["reason-missing"]
    area = next(a for a in results[("2026M03", 0)].aggregates if a.indicator_id == quarterly.id)
    assert area.status == "missed"


def test_a_month_that_does_not_close_the_quarter_is_in_progress_with_its_window_named(village_months):
    quarterly, results = village_months
    for code, window in (("2026M02", "2026年第一季度"), ("2026M06", "2026年第二季度")):
        outcome = next(o for o in results[(code, 0)].outcomes if o.indicator_id == quarterly.id)
        assert outcome.status == "in-progress" and window in outcome.note, code
        area = next(a for a in results[(code, 0)].aggregates if a.indicator_id == quarterly.id)
        assert area.status == "in-progress" and window in area.note
        assert not [f for f in results[(code, 0)].findings if f.indicator_id == quarterly.id]


# ------------------------------------------------------------------ simulate and words


@pytest.mark.slow
def test_simulated_figures_vary_between_periods_and_seeds_and_are_saved_by_the_due_date(tmp_path):
    plan, units = load_plan("dingshan-2026"), load_units(ROOT / "examples" / "dingshan-units.csv")[:3]
    due = dt.date(2026, 7, 10)
    runs = {}
    for key, period, seed in (("a", "2026Q2", 1), ("b", "2026Q2", 2), ("c", "2026Q3", 1)):
        simulate_returns(plan, units, parse_period(period), tmp_path / key, seed=seed, due=due,
                         mistakes={units[2].code: "late-return"})
        runs[key] = _typed(sorted((tmp_path / key).glob("*.xlsx")))
    numbers = {k: {key[1:]: v for key, v in typed.items() if isinstance(v, (int, float))} for k, typed in runs.items()}
    assert numbers["a"] != numbers["b"] and numbers["a"] != numbers["c"]
    for path in sorted((tmp_path / "a").glob("*.xlsx")):
        saved = openpyxl.load_workbook(path).properties.modified.date()
        late = path.name.startswith(units[2].code)
        assert (saved > due) == late and saved > dt.date(2026, 6, 30), path.name
    # progress text agrees with the status it goes with
    words = {"已完成": "完成", "推进中": "", "未启动": "", "不适用": "不涉及"}
    for typed in runs.values():
        for (unit, row, field), status in typed.items():
            if field == "status":
                progress = typed[(unit, row, "progress")]
                assert words[status] in progress
                assert ("完成" in progress) == (status == "已完成") or status == "推进中"


def test_no_english_words_in_a_task_plans_templates_or_its_leaders_overview(tmp_path):
    plan = load_plan("fenghuang-2024-2026")
    unit = Unit(code="U1", name="应急办", kind="办公室", parent=None, contact=None,
                rows=("task-5", "task-6", "task-12", "task-19", "task-20"))
    period = parse_period("2026Q2")
    template = build_templates(plan, [unit], period, tmp_path / "t").templates[0]
    fill_template(template.path, tmp_path / "r" / "U1.xlsx", _filler())
    result = consolidate(plan, [tmp_path / "r"], units=[unit], period=period)
    write_consolidated_workbook(result, tmp_path / "汇总.xlsx")
    english = re.compile(r"ongoing|every:|\btask\b|review|in-progress|year-to-date", re.IGNORECASE)
    for path, sheets in ((template.path, None), (tmp_path / "汇总.xlsx", ("领导总览", "指标明细", "任务进度"))):
        workbook = openpyxl.load_workbook(path)
        for ws in workbook.worksheets:
            if ws.sheet_state != "visible" or (sheets and ws.title not in sheets):
                continue
            for row in ws.iter_rows(values_only=True):
                for value in row:
                    assert not (isinstance(value, str) and english.search(value)), (path.name, ws.title, value)


def test_without_a_units_list_no_unit_is_held_to_an_area_figure(amount):
    from toolkit.pipeline.validate import validate_returns

    plan, _, out, houses = amount
    report = validate_returns(plan, [out / "r" / "T02.xlsx"])  # a cooperating town that left the figure blank
    assert not [f for f in report.findings if f.indicator_id == houses]


# ------------------------------------------------------------------ task counts per action and per office


def test_task_counts_per_action_and_per_office_are_the_typed_statuses_with_overdue_by_passed_deadlines(tmp_path):
    """凤凰镇's task list is grouped in actions (行动名称). Three offices share its rows; the counts per action
    and per office in 领导总览 and the 通报 are the statuses typed in the returns (不适用 counted as 已完成),
    and a task is overdue when a date of its deadline is on or before the period's end and it is not 已完成
    or 不适用, worked out here from the plan file as written."""
    import collections

    import docx
    import yaml

    from toolkit.docx.brief import write_brief

    plan = load_plan("fenghuang-2024-2026")
    period = parse_period("2026Q2")
    row_ids = [r.id for r in plan.tables[0].rows]
    units = [Unit(code=f"U{k}", name=name, kind="办公室", parent=None, contact=None, rows=tuple(row_ids[k::3]))
             for k, name in enumerate(("应急办", "经发办", "司法所"))]
    simulate_returns(plan, units, period, tmp_path / "r", seed=3)
    typed = _typed(sorted((tmp_path / "r").glob("*.xlsx")))
    written = yaml.safe_load((ROOT / "templates" / "fenghuang-2024-2026.yaml").read_text(encoding="utf-8"))
    rows = {r["id"]: r for r in written["tables"][0]["rows"]}
    by = {"action": {}, "office": {}}
    for (unit, row_id, field), status in typed.items():
        if field != "status":
            continue
        row = rows[row_id]
        dates = re.findall(r"\d{4}-\d{2}-\d{2}", str(row.get("deadline") or ""))
        late = any(d <= period.end.isoformat() for d in dates) and status not in ("已完成", "不适用")
        for kind, key in (("action", row["cells"]["行动名称"]), ("office", row["cells"]["责任科室"])):
            counts = by[kind].setdefault(key, collections.Counter())
            counts.update({"任务数": 1, "已完成" if status == "不适用" else status: 1, "逾期": int(late)})
    assert len(by["action"]) >= 6 and sum(c["逾期"] for c in by["action"].values()) > 0  # the test has something to count
    keys = ("任务数", "已完成", "推进中", "未启动", "逾期")

    def table(counts):
        return {name: tuple(c[k] for k in keys) for name, c in counts.items()}

    result = consolidate(plan, [tmp_path / "r"], units=units, period=period)
    for kind in ("action", "office"):
        got = result.task_counts(kind)
        assert got[-1][0] == "合计" and {name: tuple(c[k] for k in keys) for name, c in got[:-1]} == table(by[kind])
        assert tuple(got[-1][1][k] for k in keys) == tuple(map(sum, zip(*table(by[kind]).values())))
    # the actions in the plan's order
    actions = list(dict.fromkeys(rows[r]["cells"]["行动名称"] for r in row_ids))
    assert [name for name, _ in result.task_counts("action")[:-1]] == actions

    # 领导总览: a table per office and one per action, under 四、任务进度
    write_consolidated_workbook(result, tmp_path / "汇总.xlsx")
    sheet = list(openpyxl.load_workbook(tmp_path / "汇总.xlsx")["领导总览"].iter_rows(values_only=True))
    for kind, title in (("office", "责任办公室/单位"), ("action", "行动")):
        top = next(i for i, r in enumerate(sheet) if r[0] == title)
        assert sheet[top][2:8] == ("任务数", "已完成", "推进中", "未启动", "未填报", "逾期")
        shown = {}
        for r in sheet[top + 1:]:
            if r[0] == "合计":
                break
            shown[r[0]] = (r[2], r[3], r[4], r[5], r[7])
        assert shown == table(by[kind]), kind
    # the 通报: the same per action
    write_brief(result, tmp_path / "通报.docx")
    document = docx.Document(tmp_path / "通报.docx")
    brief = next(t for t in document.tables if t.rows[0].cells[0].text == "行动")
    assert [c.text for c in brief.rows[0].cells] == ["行动", "任务数", "已完成", "推进中", "未启动", "逾期"]
    assert {r.cells[0].text: tuple(int(c.text) for c in r.cells[1:]) for r in brief.rows[1:-1]} == table(by["action"])
    assert brief.rows[-1].cells[0].text == "合计"


# ------------------------------------------------------------------ an area's figure that does not add up


def test_an_area_percentage_its_lead_unit_reports_is_judged_on_the_lead_units_figure(tmp_path):
    """游客满意度达90%以上 (县, scope area, a percentage: the units' figures do not add up): the area's figure is
    the one its lead unit (县文化旅游委, the first named) typed, judged on the target (≥90%; due at the year's end,
    so a shortfall in March is in progress); the other units' figures are contributions. Without the lead unit in
    the units list there is no area figure, and the note says which unit is missing."""
    plan = load_plan("dianjiang-2026")
    indicator = next(i for _, _, i in plan.indicators() if i.name == "游客满意度")
    period = parse_period("2026M03")
    base = load_units(ROOT / "examples" / "dianjiang-units.csv")
    lead = Unit(code="DJ-D09", name="县文化旅游委", kind="部门", parent="垫江县", contact=None)
    simulate_returns(plan, [*base, lead], period, tmp_path / "r", seed=7)
    result = consolidate(plan, [tmp_path / "r"], units=[*base, lead], period=period)
    area = next(a for a in result.aggregates if a.indicator_id == indicator.id)
    typed = [v.value for v in result.values if v.unit == lead.code and v.indicator_id == indicator.id
             and v.field == "value" and v.value is not None]
    assert len(typed) == 1
    figure = typed[0]
    j = judgement(indicator, period)
    assert (indicator.op, j.due) == (">=", False)
    assert area.source == "lead" and area.value == pytest.approx(figure)
    assert area.status == ("met" if figure >= indicator.value else "in-progress")
    assert {o.status for o in result.outcomes if o.indicator_id == indicator.id and o.actual is not None} \
        == {"contribution"}  # every figure typed, the lead's too, is a part of the area's, not judged on its own

    without = consolidate(plan, [tmp_path / "r"], units=base, period=period)
    area = next(a for a in without.aggregates if a.indicator_id == indicator.id)
    assert area.value is None and area.status == "no-data"
    assert "县文化旅游委" in area.note and "单位名单中没有该单位" in area.note and "尚未达到目标" not in area.note
