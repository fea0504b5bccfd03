"""The ledger across periods: last year imported, Q1, Q2, a late Q1 correction.

The plan is 丁山镇's with 生产安全事故死亡人数 made a relative target
(下降10%, 上年同期) that continues last year's series under another name
(the plan's `series` mapping). Every expected figure below is worked out by
hand from the numbers typed, not by the code under test."""

from __future__ import annotations

import copy
import datetime as dt
import json
import sqlite3

import pytest

import toolkit
from toolkit.periods import parse_period
from toolkit.simulate import fill_template
from toolkit.templates import build_templates

from .test_consolidate import values_for

VILLAGES = ("DS-V01", "DS-V02", "DS-V03", "DS-V04")
OLD_KEY = "core:安全生产事故死亡人数:人"  # last year's name of the series
# 本年累计 of 生产安全事故死亡人数 typed per village, and the baselines typed (None: blank)
Q1_CUMULATIVE = {"DS-V01": 1, "DS-V02": 2, "DS-V03": 0, "DS-V04": 1}
Q2_CUMULATIVE = {"DS-V01": 2, "DS-V02": 1, "DS-V03": 1, "DS-V04": 1}  # DS-V02 lower than in Q1
Q1_BASELINE = {"DS-V03": 2}
Q2_BASELINE = {"DS-V03": 9}  # DS-V03 changes its baseline
LAST_YEAR = {"2025Q1": {"DS-V01": 3, "DS-V02": 1, "DS-V03": 2, "DS-V04": 0},
             "2025Q2": {"DS-V01": 5, "DS-V02": 2, "DS-V03": 2, "DS-V04": 1}}


@pytest.fixture(scope="module")
def plans(dingshan_plan):
    """(this year's plan, last year's plan): deaths relative this year, under another name last year."""
    plan = copy.deepcopy(dingshan_plan)
    deaths = plan.indicator("core-3")
    deaths.op, deaths.value, deaths.relative, deaths.baseline = ">=", 0.1, "decrease", "same-period-last-year"
    deaths.series = OLD_KEY
    last = copy.deepcopy(dingshan_plan)
    last.id = "dingshan-2025"
    old = last.indicator("core-3")
    old.name, old.key = "安全生产事故死亡人数", OLD_KEY
    return plan, last


@pytest.fixture(scope="module")
def units(example_units):
    return [u for u in example_units if u.code in VILLAGES]


def last_year_json(period: str) -> dict:
    """Last year's consolidation as `consolidate --json` wrote it (only what an import reads)."""
    values = [{"unit": unit, "indicator": "安全生产事故死亡人数", "indicator_id": "core-3", "row_id": "core-3",
               "field": field, "value": n, "typed": "integer", "file": f"{unit}.xlsx", "sheet": "核心指标", "cell": "E5",
               "sha256": "0" * 64}
              for unit, n in LAST_YEAR[period].items() for field in ("value", "cumulative")]
    return {"plan": "dingshan-2025", "period": period, "values": values,
            "aggregates": [{"indicator_id": "core-3", "indicator": "安全生产事故死亡人数", "unit": "人", "rollup": "sum",
                            "value": float(sum(LAST_YEAR[period].values()))}]}


def write_returns(plan, units, period: str, folder, cumulative, baselines, statuses, saved, only=None):
    templates = build_templates(plan, units, parse_period(period), folder / "templates").templates
    for seed, template in enumerate(templates, start=1):
        unit = template.unit_code
        if only and unit not in only:
            continue
        default = values_for(seed)
        first_status = []

        def value_for(spot, unit=unit, default=default, first_status=first_status):
            if spot.indicator_id == "core-3" and spot.field in ("value", "cumulative"):
                return cumulative[unit]
            if spot.indicator_id == "core-3" and spot.field == "baseline":
                return baselines.get(unit)
            if spot.indicator_id == "core-3" and spot.field == "reason":
                return "说明"
            if spot.field == "status" and spot.row_id == "rect-2" and not first_status:
                first_status.append(spot.cell)
                return statuses.get(unit, "推进中")
            return default(spot)

        fill_template(template.path, folder / "returns" / f"{unit}.xlsx", value_for, saved_at=saved)
    return folder / "returns"


def area(result, indicator_id="core-3"):
    return next(a for a in result.aggregates if a.indicator_id == indicator_id)


def codes(result_or_report, code):
    return sorted((f.unit, f.cell) for f in result_or_report.findings if f.code == code)


@pytest.fixture(scope="module")
def run(tmp_path_factory, plans, units):
    """The whole year through one ledger; every step's result kept."""
    plan, last = plans
    work = tmp_path_factory.mktemp("ledger")
    db = work / "台账.db"
    steps = {}
    for period in LAST_YEAR:
        path = work / f"{period}.json"
        path.write_text(json.dumps(last_year_json(period), ensure_ascii=False), encoding="utf-8")
        steps[f"import {period}"] = toolkit.history_import(db, last, path)
    q1 = write_returns(plan, units, "2026Q1", work / "q1", Q1_CUMULATIVE, Q1_BASELINE, {"DS-V01": "已完成"},
                       dt.datetime(2026, 4, 5, 9))
    steps["q1"] = toolkit.consolidate(plan, [q1], units=units, period="2026Q1", json=work / "q1.json", db=db)
    q2 = write_returns(plan, units, "2026Q2", work / "q2", Q2_CUMULATIVE, Q2_BASELINE, {"DS-V01": "未启动"},
                       dt.datetime(2026, 7, 5, 9))
    steps["q2"] = toolkit.consolidate(plan, [q2], units=units, period="2026Q2", json=work / "q2.json",
                                      output=work / "q2.xlsx", db=db)
    # DS-V04 corrects its Q1 return after the Q1 summary went out: 本年累计 3, not 1
    late = write_returns(plan, units, "2026Q1", work / "late", {**Q1_CUMULATIVE, "DS-V04": 3}, Q1_BASELINE,
                         {"DS-V01": "已完成"}, dt.datetime(2026, 7, 20, 9), only={"DS-V04"})
    steps["late"] = toolkit.validate(plan, [late], units=units, period="2026Q1", db=db)
    steps["periods"] = toolkit.history_periods(db)
    steps["rerender q1"] = toolkit.consolidate(plan, [], units=units, period="2026Q1", json=work / "q1-again.json", db=db)
    steps["q2 again"] = toolkit.consolidate(plan, [q2], units=units, period="2026Q2", db=db)
    return work, db, steps


def test_import_of_last_year(run):
    _, db, steps = run
    assert steps["import 2025Q1"] == {"period": "2025Q1", "units": 4, "values": 8, "series": 1}
    series = toolkit.history_indicator(db, OLD_KEY)
    assert [s["key"] for s in series] == [OLD_KEY]
    assert series[0]["history"][:2] == [{"period": "2025Q1", "value": 6.0}, {"period": "2025Q2", "value": 10.0}]


def test_baselines_come_from_last_year_in_the_ledger(run):
    _, _, steps = run
    q1, q2 = steps["q1"], steps["q2"]
    # the area: Σ last year's same-quarter 本年累计, against Σ this year's
    assert area(q1).baseline == {"period": "2025Q1", "value": 6.0, "source": "ledger:import:2025Q1.json"}
    assert area(q1).value == pytest.approx((6 - 4) / 6)
    assert area(q2).baseline["value"] == 10.0 and area(q2).value == pytest.approx((10 - 5) / 10)
    # each unit: its own last-year figure where it left the baseline blank; its typed one otherwise
    actual = {o.unit: o.actual for o in q1.outcomes if o.indicator_id == "core-3"}
    assert actual["DS-V01"] == pytest.approx((3 - 1) / 3)
    assert actual["DS-V02"] == pytest.approx((1 - 2) / 1)
    assert actual["DS-V03"] == pytest.approx((2 - 0) / 2)  # typed 2
    assert actual["DS-V04"] is None  # last year 0: no change can be computed
    assert not [f for f in q1.findings if f.code == "baseline-missing" and f.unit != "DS-V04"]


def test_cross_period_findings_at_their_cells(run):
    _, _, steps = run
    q2 = steps["q2"]
    decreased = [f for f in q2.findings if f.code == "cumulative-decreased"]
    assert [(f.unit, f.indicator_id, f.field) for f in decreased] == [("DS-V02", "core-3", "cumulative")]
    assert decreased[0].cell and decreased[0].sheet and "2人" in decreased[0].message
    changed = [f for f in q2.findings if f.code == "baseline-changed"]
    assert [(f.unit, f.field) for f in changed] == [("DS-V03", "baseline")]
    reopened = [f for f in q2.findings if f.code == "task-reopened"]
    assert [(f.unit, f.row_id) for f in reopened] == [("DS-V01", "rect-2")]
    assert all(f.severity == "warning" for f in decreased + changed + reopened)
    assert not [f for f in steps["q1"].findings if f.code in ("cumulative-decreased", "baseline-changed", "task-reopened")]
    # after DS-V04's late Q1 correction (3), its Q2 本年累计 of 1 is lower too
    again = steps["q2 again"]
    assert sorted(f.unit for f in again.findings if f.code == "cumulative-decreased") == ["DS-V02", "DS-V04"]


def test_history_of_the_aggregates(run):
    work, _, steps = run
    assert area(steps["q2"]).history == [{"period": "2026Q1", "value": 4.0}, {"period": "2026Q2", "value": 5.0}]
    data = json.loads((work / "q2.json").read_text(encoding="utf-8"))
    deaths = next(a for a in data["aggregates"] if a["indicator_id"] == "core-3")
    assert deaths["history"][-1] == {"period": "2026Q2", "value": 5.0}
    assert deaths["baseline"] == {"period": "2025Q2", "value": 10.0, "source": "ledger:import:2025Q2.json"}
    # a count that is not relative: its 上年同期 only where last year has it
    assert "baseline" not in next(a for a in data["aggregates"] if a["indicator_id"] == "core-1")


def test_leaders_workbook_shows_levels_and_trend(run):
    import openpyxl

    work, _, _ = run
    wb = openpyxl.load_workbook(work / "q2.xlsx")
    assert wb.sheetnames[:2] == ["领导总览", "趋势"]
    overview = wb["领导总览"]
    header = next(r for r in overview.iter_rows(values_only=True) if r[0] == "序号")
    at = {name: header.index(name) for name in ("指标", "本期水平", "上期", "较上期增减", "上年同期/基线", "较基线增减")}
    deaths = next(r for r in overview.iter_rows(values_only=True) if r[at["指标"]] == "生产安全事故死亡人数")
    # Q2's Σ本年累计 5, Q1's 4; last year's Q2 10: −50%
    assert [deaths[at[k]] for k in ("本期水平", "上期", "较上期增减", "上年同期/基线")] == [5, 4, 1, 10]
    assert deaths[at["较基线增减"]] == pytest.approx(-0.5)
    # too wide for a legible portrait page with the ledger's columns: landscape, one page wide
    assert overview.page_setup.orientation == "landscape"
    assert overview.sheet_properties.pageSetUpPr.fitToPage and (overview.page_setup.fitToWidth or 1) == 1  # 1: the default
    trend = wb["趋势"]
    header = next(r for r in trend.iter_rows(values_only=True) if r[0] == "序号")
    assert header[1:5] == ("指标", "计量单位", "2026年第一季度", "2026年第二季度")
    row = next(r for r in trend.iter_rows(values_only=True) if r[1] == "生产安全事故死亡人数")
    assert row[3:5] == (4, 5)
    assert trend._charts  # the line chart


def test_late_correction_marks_the_period_and_rerender_is_as_issued(run):
    work, db, steps = run
    periods = {p["period"]: p for p in steps["periods"]}
    assert periods["2026Q1"]["changed_since_issued"] == ["DS-V04"]
    assert periods["2026Q2"]["changed_since_issued"] == []
    assert periods["2025Q1"]["issued"] is None and periods["2026Q1"]["used"] == 4
    again = steps["rerender q1"]
    assert (work / "q1-again.json").read_bytes() == (work / "q1.json").read_bytes()
    assert [unit for unit, _, _ in again.since_issued] == ["DS-V04"]
    assert steps["q2 again"].changed_periods == {"2026Q1": ["DS-V04"]}
    # the superseded Q1 return of DS-V04 names the correction
    with sqlite3.connect(db) as conn:
        rows = conn.execute("""SELECT f.status, g.path FROM files f JOIN units u ON u.id = f.unit
                               JOIN periods p ON p.id = f.period LEFT JOIN files g ON g.id = f.superseded_by
                               WHERE u.code = 'DS-V04' AND p.code = '2026Q1' ORDER BY f.id""").fetchall()
    assert [r[0] for r in rows] == ["superseded", "used"]  # the Q1 return, the correction
    assert rows[0][1].endswith("DS-V04.xlsx") and "late" in rows[0][1]


def test_rerender_gives_the_issued_workbook_back(run, plans, units, tmp_path):
    """The workbook a consolidation wrote is kept as written: re-rendered under its name it is
    those bytes (not drawn again); under another name it is drawn again from the stored
    consolidation, the same workbook when it names no CSV beside it."""
    import shutil

    work, db, _ = run
    plan, _ = plans
    copy_db = tmp_path / "copy.db"
    shutil.copy(db, copy_db)
    issued = tmp_path / "issued" / "汇总.xlsx"
    toolkit.consolidate(plan, [work / "q2" / "returns"], units=units, period="2026Q2", output=issued, db=copy_db)
    with sqlite3.connect(copy_db) as conn:
        assert [r[0] for r in conn.execute(
            "SELECT role FROM consolidation_outputs WHERE consolidation = (SELECT max(id) FROM consolidations)")] == ["workbook"]
    again = toolkit.consolidate(plan, [], units=units, period="2026Q2", output=tmp_path / "again" / "汇总.xlsx", db=copy_db)
    assert again.written == [tmp_path / "again" / "汇总.xlsx"]
    assert again.written[0].read_bytes() == issued.read_bytes()
    drawn = toolkit.consolidate(plan, [], units=units, period="2026Q2", output=tmp_path / "其他.xlsx", db=copy_db)
    assert drawn.written[0].read_bytes() == issued.read_bytes()
    # a stored workbook changed behind the ledger's back is not handed out
    with sqlite3.connect(copy_db) as conn:
        conn.execute("UPDATE consolidation_outputs SET sha256 = '0'")
    with pytest.raises(toolkit.ToolkitError, match="sha256"):
        toolkit.consolidate(plan, [], units=units, period="2026Q2", output=tmp_path / "bad" / "汇总.xlsx", db=copy_db)


def test_ledger_tables_and_export(run, tmp_path):
    _, db, steps = run
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT id, name FROM migrations").fetchall() == [(1, "initial"), (2, "consolidation outputs")]
        cells = conn.execute("SELECT count(*) FROM cells").fetchone()[0]

        def filled(result, unit=None):  # a blank cell is no value: only the filled ones are kept
            return sum(1 for v in result.value_records() if v.value is not None and unit in (None, v.unit))

        # cells: 16 imported, Q1's and Q2's filled values, the late return's: DS-V04's Q1 values but
        # the baseline it left blank, which the Q1 consolidation filled in from last year (validate does not)
        late = filled(steps["q1"], "DS-V04") - ("DS-V04" not in Q1_BASELINE)
        assert cells == 16 + filled(steps["q1"]) + filled(steps["q2"]) + late
        assert conn.execute("SELECT count(*) FROM cells WHERE number IS NULL AND text IS NULL").fetchone()[0] == 0
        kinds = [k for (k,) in conn.execute("SELECT kind FROM runs ORDER BY id")]
    assert kinds == ["import", "import", "consolidate", "consolidate", "validate", "consolidate"]
    written = toolkit.history_export(db, tmp_path / "csv")
    names = {p.name for p in written}
    assert {"cells.csv", "files.csv", "consolidations.csv", "consolidation-1.json"} <= names
    assert (tmp_path / "csv" / "consolidation-1.json").read_bytes() == (run[0] / "q1.json").read_bytes()
    lines = (tmp_path / "csv" / "cells.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == cells + 1


def test_no_db_changes_nothing(tmp_path, plans, units):
    plan, _ = plans
    folder = write_returns(plan, units, "2026Q1", tmp_path, Q1_CUMULATIVE, {}, {}, dt.datetime(2026, 4, 5))
    result = toolkit.consolidate(plan, [folder], units=units, period="2026Q1", json=tmp_path / "r.json")
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert all("history" not in a and "baseline" not in a for a in data["aggregates"])
    assert area(result).history is None and not result.changed_periods


def test_cli_history_and_rerender(runner, run, tmp_path):
    from toolkit.cli import cli

    work, db, _ = run
    out = runner.invoke(cli, ["history", "periods", "--db", str(db)])
    assert out.exit_code == 0, out.output
    assert "2026Q1" in out.output and "汇总后又收到 DS-V04 的报表" in out.output
    out = runner.invoke(cli, ["history", "indicator", "安全生产事故死亡人数", "--db", str(db)])
    assert out.exit_code == 0 and "2025Q2" in out.output and "10" in out.output
    out = runner.invoke(cli, ["history", "units"], env={"TOOLKIT_DB": str(db)})
    assert out.exit_code == 0 and "DS-V04" in out.output
    out = runner.invoke(cli, ["consolidate", "dingshan-2026", "--units", "examples/dingshan-units.csv", "--period", "2026Q1",
                              "-o", str(tmp_path / "q1.xlsx"), "--json", str(tmp_path / "q1.json"), "--db", str(db)])
    assert out.exit_code == 0, out.output
    assert "未包含在内" in out.output and "DS-V04" in out.output
    assert (tmp_path / "q1.json").read_bytes() == (work / "q1.json").read_bytes()
    out = runner.invoke(cli, ["consolidate", "dingshan-2026", "--units", "examples/dingshan-units.csv", "--period", "2026Q3",
                              "-o", str(tmp_path / "q3.xlsx"), "--db", str(db)])
    assert out.exit_code == 1 and "没有 2026Q3 的汇总记录" in out.output


def test_series_mapping_in_the_plan_file(tmp_path, plans):
    from toolkit.plan import load_plan, save_plan

    plan, _ = plans
    save_plan(plan, tmp_path / "plan.yaml")
    assert f"series: {OLD_KEY}" in (tmp_path / "plan.yaml").read_text(encoding="utf-8")
    assert load_plan(tmp_path / "plan.yaml").indicator("core-3").series_key == OLD_KEY
    plain = load_plan("dingshan-2026")
    assert plain.indicator("core-3").series is None and "series" not in json.dumps(plain.to_dict(), ensure_ascii=False)


def test_import_of_a_consolidated_workbook(run, plans, tmp_path):
    work, _, steps = run
    plan, _ = plans
    db = tmp_path / "fresh.db"
    done = toolkit.history_import(db, plan, work / "q2.xlsx", period="2025Q2")
    assert done["period"] == "2025Q2" and done["units"] == 0
    q2 = steps["q2"]
    # area figures that are levels (not the relative target's change) come over as the workbook shows them
    expected = {a.indicator: a.value for a in q2.aggregates
                if a.value is not None and a.rollup in ("sum", "ratio") and a.indicator_id != "core-3"}
    got = {s["name"]: s["history"][0]["value"] for name in expected for s in toolkit.history_indicator(db, name)
           if s["name"] == name and s["history"]}
    assert got.keys() == expected.keys()
    assert all(got[k] == pytest.approx(v, rel=1e-3) for k, v in expected.items())
    assert not any(s["history"] for s in toolkit.history_indicator(db, "生产安全事故死亡人数"))


def test_validate_with_the_ledger_checks_against_the_previous_period(run, plans, units, tmp_path):
    work, db, _ = run
    plan, _ = plans
    copy_db = tmp_path / "copy.db"
    with sqlite3.connect(db) as source, sqlite3.connect(copy_db) as target:
        source.backup(target)  # the office's backup: one file
    report = toolkit.validate(plan, [work / "q2" / "returns"], units=units, period="2026Q2", db=copy_db)
    found = sorted((f.unit, f.code) for f in report.findings
                   if f.code in ("cumulative-decreased", "baseline-changed", "task-reopened"))
    # DS-V04's Q1 is now its correction (3) and its Q2 本年累计 is 1
    assert found == [("DS-V01", "task-reopened"), ("DS-V02", "cumulative-decreased"), ("DS-V03", "baseline-changed"),
                     ("DS-V04", "cumulative-decreased")]
    with sqlite3.connect(copy_db) as conn:
        assert conn.execute("SELECT kind FROM runs ORDER BY id DESC LIMIT 1").fetchone() == ("validate",)


def test_templates_prefilled_from_the_ledger(run, plans, units, tmp_path):
    import openpyxl

    from toolkit.simulate import input_spots

    _, db, _ = run
    plan, _ = plans
    result = toolkit.build_templates(plan, units, "2026Q2", tmp_path / "t", db=db)
    assert result.prefilled > 0
    cells = {}
    for built in result.templates:
        wb = openpyxl.load_workbook(built.path)
        for spot in input_spots(wb):
            cell = wb[spot.sheet][spot.cell]
            cells[(built.unit_code, spot.row_id, spot.indicator_id, spot.field)] = (cell.value, cell.comment.text if cell.comment else None)
    # baselines: each unit's own figure for 2025Q2 (same period last year)
    for unit, value in LAST_YEAR["2025Q2"].items():
        got, note = cells[(unit, "core-3", "core-3", "baseline")]
        assert got == value and "2025年第二季度" in note
    # last period's 本年累计 beside the input (the Q1 figures, DS-V04 as corrected), the input left empty
    for unit, value in {**Q1_CUMULATIVE, "DS-V04": 3}.items():
        got, note = cells[(unit, "core-3", "core-3", "cumulative")]
        assert got is None and note.endswith(f"本年累计：{value}")
    # the task DS-V01 reported 已完成 in Q1 is shown as done; the others' are not
    status = [(k, v) for k, v in cells.items() if k[1] == "rect-2" and k[3] == "status"]
    assert [v[0] for k, v in status if k[0] == "DS-V01"][0] == "已完成"
    assert all(v[0] is None for k, v in status if k[0] != "DS-V01")
    # a pre-filled template, filled in, is read like any other: no tampering found
    path = next(t.path for t in result.templates if t.unit_code == "DS-V01")
    prefilled = {k[1:] for k, v in cells.items() if k[0] == "DS-V01" and v[0] is not None}
    fill_template(path, tmp_path / "r" / "DS-V01.xlsx",
                  lambda spot: None if (spot.row_id, spot.indicator_id, spot.field) in prefilled else values_for(1)(spot))
    report = toolkit.validate(plan, [tmp_path / "r"], units=units, period="2026Q2")
    assert not [f for f in report.findings if f.severity == "error"]
    assert not [f for f in report.findings if f.code in ("extra-content", "annex-cell-changed", "rows-changed")]
    assert report.files[0].status == "used"


def _docx_text(path):
    """A .docx read back with python-docx: its paragraphs' text, and each table's cells' text by row."""
    import docx

    document = docx.Document(path)
    return [p.text for p in document.paragraphs], [[[c.text for c in r.cells] for r in t.rows] for t in document.tables]


def test_brief_from_the_ledger_is_the_summary_issued_and_compares_with_the_period_before(runner, run, tmp_path):
    """`toolkit brief --db --period P` with no returns: the 通报 of the consolidation the ledger keeps as
    issued for P (the same as from that run's JSON), and with a period before it, a sentence on how the
    targets missed and met changed since, worked out here from the two consolidations' aggregates."""
    from toolkit.cli import cli

    work, db, steps = run
    out = runner.invoke(cli, ["brief", "--db", str(db), "--period", "2026Q1", "-o", str(tmp_path / "q1.docx")])
    assert out.exit_code == 0, out.output
    assert "未包含在内" in out.output and "DS-V04" in out.output  # the late Q1 correction came after it was issued
    paragraphs, tables = _docx_text(tmp_path / "q1.docx")
    toolkit.brief(from_json=work / "q1.json", output=tmp_path / "from-json.docx")
    assert (paragraphs, tables) == _docx_text(tmp_path / "from-json.docx")  # Q1 has no period before it
    issued = json.loads((work / "q1.json").read_text(encoding="utf-8"))
    opening = next(p for p in paragraphs if "应报送单位" in p)
    assert f"应报送单位{len(VILLAGES)}个，已报送{len(VILLAGES)}个" in opening
    missed = {a["indicator"] for a in issued["aggregates"] if a["status"] == "missed"}
    listed = next((t for t in tables if t[0][:2] == ["序号", "指标"]), [[]])
    assert {row[1] for row in listed[1:]} == missed
    assert not any(p.startswith("与上期") for p in paragraphs)

    # Q2 (TOOLKIT_DB names the ledger): against Q1
    out = runner.invoke(cli, ["brief", "--period", "2026Q2", "-o", str(tmp_path / "q2.docx")],
                        env={"TOOLKIT_DB": str(db)})
    assert out.exit_code == 0, out.output
    paragraphs, _ = _docx_text(tmp_path / "q2.docx")
    before, now = steps["q1"].aggregates, steps["q2 again"].aggregates  # Q2's latest consolidation
    since = [p for p in paragraphs if p.startswith("与上期（2026年第一季度）相比，")]
    assert len(since) == 1
    for status, word in (("missed", "未达标"), ("met", "达标")):
        then = sum(a.status == status for a in before)
        count = sum(a.status == status for a in now)
        said = f"{word}指标与上期持平（{count}项）" if then == count else f"{word}指标由{then}项"
        assert said in since[0] and (then == count or f"为{count}项" in since[0])
    missed_then = {a.indicator_id for a in before if a.status == "missed"}
    for a in now:
        if a.status == "missed" and a.indicator_id not in missed_then:
            assert a.indicator in since[0].split("本期新增未达标：")[1]

    # a period the ledger has no summary of: a Chinese message, exit 1
    out = runner.invoke(cli, ["brief", "--db", str(db), "--period", "2026Q3", "-o", str(tmp_path / "q3.docx")])
    assert out.exit_code == 1 and "没有 2026Q3 的汇总记录" in out.output and "Traceback" not in out.output
    assert not (tmp_path / "q3.docx").exists()


def test_consolidate_with_the_ledger_and_a_brief_compares_with_the_period_before(run, plans, units, tmp_path):
    import shutil

    work, db, steps = run
    copy = tmp_path / "台账.db"
    shutil.copy(db, copy)  # this run is recorded: not in the ledger the other tests read
    result = toolkit.consolidate(plans[0], [work / "q2" / "returns"], units=units, period="2026Q2", db=copy,
                                 brief=tmp_path / "通报.docx")
    paragraphs, _ = _docx_text(tmp_path / "通报.docx")
    since = next(p for p in paragraphs if p.startswith("与上期（2026年第一季度）相比，"))
    then = sum(a.status == "missed" for a in steps["q1"].aggregates)
    count = sum(a.status == "missed" for a in result.aggregates)
    assert (f"未达标指标与上期持平（{count}项）" if then == count else f"未达标指标由{then}项") in since


def test_prefilled_cells_are_locked_and_the_inputs_stay_unlocked(run, plans, units, tmp_path):
    """What the ledger filled in (the baseline, a task already 已完成, last period's 本年累计
    beside its input) cannot be edited under the sheet's protection; every other input can."""
    import openpyxl

    from toolkit.simulate import input_spots
    from toolkit.templates.prefill import BESIDE_TITLE

    _, db, _ = run
    plan, _ = plans
    result = toolkit.build_templates(plan, units, "2026Q2", tmp_path / "t", db=db)
    last_cumulative = {**Q1_CUMULATIVE, "DS-V04": 3}  # Q1 as corrected late
    for built in result.templates:
        wb = openpyxl.load_workbook(built.path)
        spots = input_spots(wb)
        for name in {spot.sheet for spot in spots}:
            assert wb[name].protection.sheet, (built.unit_code, name)
        locked = {(s.row_id, s.field) for s in spots if wb[s.sheet][s.cell].protection.locked}
        filled = {(s.row_id, s.field) for s in spots if wb[s.sheet][s.cell].value is not None}
        assert locked == filled  # exactly the cells the ledger filled, nothing else
        assert ("core-3", "baseline") in locked
        assert (("rect-2", "status") in locked) == (built.unit_code == "DS-V01")  # its 已完成 of Q1
        cumulative = next(s for s in spots if s.indicator_id == "core-3" and s.field == "cumulative")
        ws = wb[cumulative.sheet]
        entry = ws[cumulative.cell]
        assert not entry.protection.locked and entry.value is None
        header = next(c for c in ws[2] if c.value == BESIDE_TITLE)
        beside = ws.cell(entry.row, header.column)
        assert header.column > ws.max_column - 1 and header.protection.locked
        assert beside.value == last_cumulative[built.unit_code] and beside.protection.locked


def test_stored_values_give_back_the_json_the_consolidation_wrote():
    """The ledger keeps values as codes into each column's distinct values (toolkit.store.packed):
    the JSON put together from them is the text json_chunks writes, whatever the values' types
    (1, 1.0 and True are different values in JSON), and a blob of the earlier form still reads."""
    import json as jsonlib
    import zlib

    from toolkit.model.consolidation import _ENCODE, VALUE_KEYS
    from toolkit.store.packed import StoredValues, pack, unpack

    values = [1, 1.0, True, "1", None, 2.5, "已完成", 0, False, 1.0]
    columns = {key: [f"{key}{k % 3}" for k in range(len(values))] for key in VALUE_KEYS}
    columns["value"] = values
    columns["indicator"] = [None, "死亡人数", None, "死亡人数", None, "a\"b", "x", "x", "y", "y"]
    expected = "[\n    " + ",\n    ".join(
        _ENCODE(dict(zip(VALUE_KEYS, row))) for row in zip(*(columns[key] for key in VALUE_KEYS))) + "\n  ]"
    stored = StoredValues.from_columns(columns)
    assert stored.json_list() == expected
    compact, again = unpack(pack({"plan": "p"}, stored))
    assert compact == {"plan": "p"} and again.json_list() == expected
    assert [type(v) for v in again.columns()["value"]] == [type(v) for v in values]
    old = zlib.compress(jsonlib.dumps({"compact": {"plan": "p"}, "values": columns}, ensure_ascii=False).encode())
    assert unpack(old)[1].json_list() == expected
    empty = StoredValues.from_columns({key: [] for key in VALUE_KEYS})
    assert unpack(pack({}, empty))[1].json_list() == "[]"


def test_stored_values_in_pieces_join_to_the_whole_list_at_every_chunk_size():
    """json_list_chunks: the same text as json_list, whatever the piece size (a province's list is never held whole)."""
    from toolkit.model.consolidation import VALUE_KEYS
    from toolkit.store.packed import StoredValues

    for rows in (0, 1, 2, 7):
        columns = {key: [f"{key}{k % 3}" for k in range(rows)] for key in VALUE_KEYS}
        stored = StoredValues.from_columns(columns)
        whole = stored.json_list()
        for size in (1, 2, 3, 100):
            assert "".join(stored.json_list_chunks(rows_per_chunk=size)) == whole


def test_a_ledger_whose_issued_json_no_longer_matches_its_sha256_writes_nothing(runner, run, tmp_path):
    """Re-rendering checks the JSON against the sha256 issued as it writes it: a changed record is an
    error in Chinese, exit 1, and neither the JSON, nor the workbook of the same run, nor a temporary file is left."""
    import shutil

    from toolkit.cli import cli

    _, db, _ = run
    copy = tmp_path / "台账.db"
    shutil.copy(db, copy)
    with sqlite3.connect(copy) as conn:
        conn.execute("""UPDATE consolidations SET json_sha256 = ? WHERE period =
                        (SELECT id FROM periods WHERE code = '2026Q1')""", ("0" * 64,))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    result = runner.invoke(cli, ["consolidate", "dingshan-2026", "--units", "examples/dingshan-units.csv", "--period",
                                 "2026Q1", "-o", str(out_dir / "q1.xlsx"), "--json", str(out_dir / "q1.json"),
                                 "--db", str(copy)])
    assert result.exit_code == 1, result.output
    assert "sha256 不符" in result.output and "Traceback" not in result.output
    assert list(out_dir.iterdir()) == []
