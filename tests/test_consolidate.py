"""Consolidation: intake and the accounting of every file, roll-up arithmetic
checked against values computed independently from the files, zero
tolerance, baselines, tasks, provenance, the JSON contract and the CLI."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest

from toolkit.cli import cli
from toolkit.pipeline.consolidate import consolidate
from toolkit.periods import parse_period
from toolkit.plan import load_plan
from toolkit.simulate import fill_template, input_spots
from toolkit.templates import build_templates
from toolkit.words import FIELD_WORDS, TASK_COUNTS
from toolkit.xlsx.leaders import write_consolidated_workbook

from .conftest import ROOT

UNITS_CSV = ROOT / "examples" / "dingshan-units.csv"
PERIOD = parse_period("2026Q2")


@pytest.fixture(scope="module")
def plan(dingshan_plan):
    return dingshan_plan


@pytest.fixture(scope="module")
def units(example_units):
    return list(example_units)


@pytest.fixture(scope="module")
def templates(dingshan_templates):
    return dingshan_templates


def values_for(seed: int, changes=None):
    """Plausible values that differ per unit."""
    changes = changes or {}

    def value_for(spot):
        if (spot.indicator_id, spot.field) in changes:
            return changes[(spot.indicator_id, spot.field)]
        if spot.field == "numerator":
            return 5 + seed % 4
        if spot.field == "denominator":
            return 10 + seed
        if spot.field in ("value", "cumulative"):
            return 0 if (spot.indicator_id or "").startswith("core") else seed % 3 + (1 if spot.field == "cumulative" else 0)
        return {"baseline": 10, "status": "推进中", "progress": "推进中", "reason": None,
                "reporter": "张三", "phone": "1", "approver": "李四"}.get(spot.field)

    return value_for


@pytest.fixture(scope="module")
def returns(tmp_path_factory, templates):
    """Eight villages and offices report; one has errors; one sends two versions;
    one file is not ours; the rest never report."""
    folder = tmp_path_factory.mktemp("returns")
    codes = ["DS-V01", "DS-V02", "DS-V03", "DS-V04", "DS-O02", "DS-O03", "DS-C02", "DS-U02"]
    for seed, code in enumerate(codes, start=1):
        changes = {}
        if code == "DS-V02":  # one accident: zero tolerance fails for the whole town
            changes = {("core-1", "value"): 1, ("core-1", "cumulative"): 1, ("core-1", "reason"): "=HYPERLINK(\"http://x\",\"y\")"}
        fill_template(templates[code], folder / f"{code}.xlsx", values_for(seed, changes),
                      saved_at=dt.datetime(2026, 7, 5, 10, 0))
    # a return with an error (text in a number cell)
    fill_template(templates["DS-V05"], folder / "DS-V05.xlsx", values_for(9, {("core-2", "value"): "不知道"}),
                  saved_at=dt.datetime(2026, 7, 5))
    # DS-V01 sends a corrected version the next day, late
    fill_template(templates["DS-V01"], folder / "DS-V01(更正).xlsx", values_for(11), saved_at=dt.datetime(2026, 7, 12))
    other = openpyxl.Workbook()
    other.active["A1"] = "会议通知"
    other.save(folder / "通知.xlsx")
    return folder


@pytest.fixture(scope="module")
def result(plan, units, returns):
    return consolidate(plan, [returns], units=units, period=PERIOD, due=dt.date(2026, 7, 10))


def test_every_file_is_accounted_for_once(result, returns):
    paths = sorted(str(p) for p in returns.iterdir())
    assert sorted(f.path for f in result.files) == paths
    status = {f.path.rsplit("/", 1)[-1]: f.status for f in result.files}
    assert status["DS-V01.xlsx"] == "superseded" and status["DS-V01(更正).xlsx"] == "used"
    assert status["DS-V05.xlsx"] == "rejected"
    assert status["通知.xlsx"] == "unrecognised"
    assert sum(1 for s in status.values() if s == "used") == 8
    why = {f.path.rsplit("/", 1)[-1]: f.why for f in result.files}
    assert "DS-V01(更正).xlsx" in why["DS-V01.xlsx"]
    assert "错误" in why["DS-V05.xlsx"]


def test_unit_statuses(result, units):
    by_code = {u.code: u for u in result.units}
    assert len(result.units) == len(units)  # every example unit reports some rows
    assert by_code["DS-V01"].status == "received" and by_code["DS-V01"].on_time is False  # the used version came late
    assert by_code["DS-V02"].status == "received" and by_code["DS-V02"].on_time is True
    assert by_code["DS-V05"].status == "rejected"
    assert by_code["DS-V06"].status == "missing" and by_code["DS-V06"].file is None
    assert result.completeness == {"expected": 23, "received": 9, "valid": 8, "rejected": 1, "missing": 14, "late": 1}


def _independent_inputs(result):
    """What the used files hold, read with openpyxl (not the toolkit reader)."""
    data = {}
    for entry in result.files:
        if entry.status != "used":
            continue
        workbook = openpyxl.load_workbook(entry.path)
        for spot in input_spots(workbook):
            data[(entry.unit, spot.indicator_id, spot.field)] = workbook[spot.sheet][spot.cell].value
    return data


def test_rates_roll_up_as_sum_of_numerators_over_sum_of_denominators(result):
    data = _independent_inputs(result)
    several = []  # rates reported by two or more units: where a mean of rates would differ
    for area in (a for a in result.aggregates if a.rollup == "ratio" and a.value is not None):
        units = {u for (u, i, f) in data if i == area.indicator_id and f == "numerator"}
        assert units, area.indicator_id
        numerator = sum(data[(u, area.indicator_id, "numerator")] for u in units)
        denominator = sum(data[(u, area.indicator_id, "denominator")] for u in units)
        assert (area.numerator, area.denominator) == (numerator, denominator)
        assert area.value == pytest.approx(numerator / denominator)
        mean_of_rates = sum(data[(u, area.indicator_id, "numerator")] / data[(u, area.indicator_id, "denominator")]
                            for u in units) / len(units)
        if len(units) > 1:
            assert area.value != pytest.approx(mean_of_rates)  # never an average of rates
            several.append(area.indicator_id)
    assert several, "no rate with two or more reporting units: the roll-up rule was not exercised"


def test_counts_add_up_and_zero_tolerance_fails_the_area(result):
    data = _independent_inputs(result)
    accidents = next(a for a in result.aggregates if a.indicator_id == "core-1")
    expected = sum(v for (u, i, f), v in data.items() if i == "core-1" and f == "cumulative")
    assert accidents.value == expected == 1
    assert accidents.status == "missed" and accidents.units_missed == 1 and accidents.zero_tolerance
    assert "零容忍" in accidents.note
    others = next(a for a in result.aggregates if a.indicator_id == "core-2")
    assert others.status == "met" and others.value == 0


def test_an_area_value_keeps_the_deadline_apart_and_the_target_whole_is_the_bare_target_with_the_deadline(result, plan):
    from toolkit.words import deadline_words

    by_id = {ind.id: ind for _, _, ind in plan.indicators()}
    with_deadline = 0
    for a in result.aggregates:
        ind = by_id[a.indicator_id]
        assert a.deadline == (ind.deadline.canonical() if ind.deadline else None)
        if ind.deadline:
            with_deadline += 1
            assert a.target == f"{a.bare_target}（{deadline_words(a.deadline)}）"
        else:
            assert a.target == a.bare_target
    assert with_deadline >= 3  # the 丁山镇 plan's 2026年12月31日 rows


def test_missed_outcome_carries_the_reason_as_typed(result):
    (miss,) = [o for o in result.outcomes if o.indicator_id == "core-1" and o.status == "missed"]
    assert miss.unit == "DS-V02" and miss.reason == "=HYPERLINK(\"http://x\",\"y\")"


def test_outcomes_only_from_used_files(result):
    used = {f.path for f in result.files if f.status == "used"}
    assert {o.file for o in result.outcomes} == used


def test_values_keep_their_provenance(result):
    sha = {f.path: f.sha256 for f in result.files}
    record = next(v for v in result.values if v.unit == "DS-V02" and v.indicator_id == "core-1" and v.field == "value")
    assert (record.value, record.typed, record.sheet, record.cell) == (1.0, "1", "核心绩效指标", "G3")
    assert record.sha256 == sha[record.file] and len(record.sha256) == 64


def test_tasks_and_overdue(tmp_path):
    from toolkit.units import Unit

    plan = load_plan("fenghuang-2024-2026")
    rows = {r.label: r for r in plan.tables[0].rows}
    chosen = ("task-5", "task-6", "task-1", "task-12")  # due 2024-06-30, ongoing, due 2024-12-31, every year
    assert [str(rows[c.split("-")[1]].deadline) for c in chosen] == ["2024-06-30", "ongoing", "2024-12-31", "every:year"]
    unit = Unit(code="U1", name="应急办", kind="办公室", parent=None, contact=None, rows=chosen)
    period = parse_period("2024Q3")
    template = build_templates(plan, [unit], period, tmp_path / "t").templates[0]
    fill_template(template.path, tmp_path / "r" / "U1.xlsx", values_for(1))
    result = consolidate(plan, [tmp_path / "r"], units=[unit], period=period)
    by_row = {t.row_id: t for t in result.tasks}
    assert by_row["task-5"].overdue and by_row["task-5"].due == "2024-06-30" and by_row["task-5"].status == "推进中"
    assert not by_row["task-6"].overdue and by_row["task-6"].due is None
    assert not by_row["task-1"].overdue and by_row["task-1"].due == "2024-12-31"  # due later in the year
    assert not by_row["task-12"].overdue


def test_baseline_file_for_relative_targets(tmp_path, complaints_template):
    plan, unit, template, complaints = complaints_template

    def value_for(spot):
        if spot.indicator_id == complaints:
            return {"numerator": 8, "denominator": 100, "baseline": None}.get(spot.field)
        if spot.field == "baseline":
            return 0.1
        return values_for(1)(spot)

    fill_template(template, tmp_path / "r" / "U1.xlsx", value_for)
    baseline = tmp_path / "baseline.csv"
    baseline.write_text("unit,indicator,value\nU1,非法营运投诉率,10%\n全域,非法营运投诉率,10%\n", encoding="utf-8")
    result = consolidate(plan, [tmp_path / "r"], units=[unit], period=parse_period("2026"), baseline=baseline)
    outcome = next(o for o in result.outcomes if o.indicator_id == complaints)
    assert outcome.status == "contribution" and outcome.actual == pytest.approx(0.2)
    area = next(a for a in result.aggregates if a.indicator_id == complaints)
    assert area.status == "met" and area.value == pytest.approx(0.2)
    assert not [f for f in result.findings if f.code == "baseline-missing"]


def test_cli_consolidate_writes_workbook_and_json(runner, tmp_path, returns):
    out, js = tmp_path / "汇总.xlsx", tmp_path / "汇总.json"
    result = runner.invoke(cli, ["consolidate", "dingshan-2026", str(returns), "--units", str(UNITS_CSV),
                                 "--period", "2026Q2", "--due", "2026-07-10", "-o", str(out), "--json", str(js)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "单位：应报 23，有效 8，退回 1，未报 14，逾期 1"
    assert out.exists()
    data = json.loads(js.read_text(encoding="utf-8"))
    assert {f["status"] for f in data["files"]} == {"used", "superseded", "rejected", "unrecognised"}
    assert all({"path", "unit", "status"} <= f.keys() for f in data["files"])
    assert {u["status"] for u in data["units"]} == {"received", "rejected", "missing"}
    assert all({"code", "status"} <= u.keys() for u in data["units"])
    assert data["values"] and all({"unit", "indicator", "field", "value", "file", "sheet", "cell"} <= v.keys() for v in data["values"])
    assert all({"indicator", "value", "status"} <= a.keys() for a in data["aggregates"])
    assert {a["status"] for a in data["aggregates"]} <= {"met", "missed", "in-progress", "needs-baseline", "qualitative",
                                                          "no-data"}
    assert data["status_counts"] == {s: sum(1 for a in data["aggregates"] if a["status"] == s)
                                     for s in ("met", "missed", "in-progress", "needs-baseline", "qualitative", "no-data")}
    plan_names = [i.name for _, _, i in load_plan("dingshan-2026").indicators()]
    assert [a["indicator"] for a in data["aggregates"]] == plan_names
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames[0] == "领导总览"


def test_too_many_values_go_to_a_csv_beside_the_workbook(result, tmp_path, monkeypatch):
    import csv

    from toolkit.xlsx import style

    monkeypatch.setattr(style, "DATA_SHEET_LIMIT", 10)
    path = tmp_path / "汇总.xlsx"
    data_file = write_consolidated_workbook(result, path)
    assert data_file == tmp_path / "汇总_数据.csv"
    rows = list(csv.reader(data_file.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][:4] == ["单位编码", "指标", "行", "字段"] and len(rows) == len(result.values) + 1
    first = result.values[0]
    assert rows[1][6:] == [first.file, first.sha256, first.sheet, first.cell]
    sheet = openpyxl.load_workbook(path)["数据"]
    assert "汇总_数据.csv" in sheet["A2"].value


def test_bad_baseline_file_is_a_clear_error(tmp_path, units):
    from toolkit.pipeline.consolidate import BaselineError, read_baselines

    path = tmp_path / "b.csv"
    path.write_text("unit,indicator,value\nDS-V01,不存在的指标,1\n", encoding="utf-8")
    with pytest.raises(BaselineError) as info:
        read_baselines(path, load_plan("dianjiang-2026"), units, parse_period("2026"))
    assert "不存在的指标" in str(info.value) and "b.csv:2" in str(info.value)


def test_many_values_stay_a_table_and_still_reach_csv_and_json(plan, units, returns, tmp_path, monkeypatch):
    import csv

    from toolkit.xlsx import style

    monkeypatch.setattr(style, "DATA_SHEET_LIMIT", 10)
    big = consolidate(plan, [returns], units=units, period=PERIOD)
    assert big.values == [] and big.value_count() == len(big.values_table) > 10
    records = big.value_records()
    assert len(records) == big.value_count()
    data_file = write_consolidated_workbook(big, tmp_path / "汇总.xlsx")
    rows = list(csv.reader(data_file.read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == big.value_count() + 1
    first = records[0]
    assert rows[1][:4] == [first.unit, first.indicator or "", first.row_id, FIELD_WORDS[first.field]]
    assert rows[1][6:] == [first.file, first.sha256, first.sheet, first.cell]
    assert len(big.to_json()["values"]) == big.value_count()
    # the streamed JSON is the same object, whichever form the values take
    monkeypatch.undo()
    small = consolidate(plan, [returns], units=units, period=PERIOD)
    assert small.values and json.loads("".join(big.json_chunks())) == json.loads(json.dumps(big.to_json()))
    assert json.loads("".join(big.json_chunks()))["values"] == json.loads(json.dumps(small.to_json()))["values"]


def test_json_has_one_line_per_record(result):
    text = "".join(result.json_chunks())
    lines = text.splitlines()
    data = json.loads(text)
    assert lines[0] == "{" and lines[-1] == "}"
    assert lines[1] == '  "plan": "dingshan-2026",'
    lists = [k for k, v in data.items() if isinstance(v, list)]
    assert {"files", "units", "values", "aggregates", "tasks", "outcomes", "findings"} <= set(lists)
    scalars = len(data) - len(lists)
    # every record on a line of its own, plus the opening and closing lines of each list (an empty one: one line)
    assert len(lines) == 2 + scalars + sum(len(data[k]) + 2 if data[k] else 1 for k in lists)
    assert data == json.loads(json.dumps(result.to_json()))


def test_many_task_rows_are_summed_up_per_task_with_the_list_in_a_csv(result, tmp_path, monkeypatch):
    import csv

    from toolkit.xlsx import style

    monkeypatch.setattr(style, "TASK_SHEET_LIMIT", 5)
    assert len(result.tasks) > style.TASK_SHEET_LIMIT  # more rows than the sheet takes
    path = tmp_path / "汇总.xlsx"
    write_consolidated_workbook(result, path)
    rows = list(csv.reader((tmp_path / "汇总_任务进度.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == len(result.tasks) + 1
    sheet = openpyxl.load_workbook(path)["任务进度"]
    header = [c.value for c in sheet[1]]
    assert header[4:10] == list(TASK_COUNTS)
    per_task = {}
    for t in result.tasks:
        per_task[t.row_id] = per_task.get(t.row_id, 0) + 1
    body = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] and r[4] is not None and isinstance(r[4], int)]
    assert sum(sum(r[4:9]) for r in body) == len(result.tasks)
    assert len(body) == len(per_task)


def test_a_consolidation_round_trips_through_its_json(result):
    """from_json(to_json()) gives back every list and figure, and writes the same JSON again."""
    import json

    from toolkit.model.consolidation import Consolidation

    data = json.loads("".join(result.json_chunks()))
    again = Consolidation.from_json(data)
    assert again.to_json() == data
    assert again.aggregates == result.aggregates and again.units == result.units and again.files == result.files
    assert again.tasks == result.tasks and again.findings == result.findings
    assert [(o.unit, o.indicator_id, o.status) for o in again.outcomes] == [(o.unit, o.indicator_id, o.status) for o in result.outcomes]
    assert again.value_records() == result.value_records()
    assert data["files"] and data["units"] and data["aggregates"] and data["values"]


def test_a_validation_report_round_trips_through_its_json(result, tmp_path):
    import json

    from toolkit.model.validation import ValidationReport
    from toolkit.pipeline.validate import validate_returns

    paths = [f.path for f in result.files]
    report = validate_returns(load_plan("dingshan-2026"), paths)
    data = json.loads(json.dumps(report.to_json(), ensure_ascii=False, allow_nan=False))
    again = ValidationReport.from_json(data)
    assert again.to_json() == data
    assert again.files == report.files
    assert again.outcomes == report.outcomes and report.outcomes
