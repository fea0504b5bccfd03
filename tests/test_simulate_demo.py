"""Simulated returns (every mistake produces its finding) and the demo."""

from __future__ import annotations

import json

import openpyxl
import pytest

from toolkit.cli import cli
from toolkit.periods import parse_period
from toolkit.plan import load_plan
from toolkit.simulate import MISTAKES, simulate_returns
from toolkit.units import load_units
from toolkit.pipeline.validate import validate_returns

from .conftest import ROOT

UNITS_CSV = ROOT / "examples" / "dingshan-units.csv"

# every test here simulates a corpus or runs the demo: seconds each
pytestmark = pytest.mark.slow


def test_every_mistake_produces_its_finding_and_correct_returns_are_clean(tmp_path):
    plan = load_plan("dingshan-2026")
    units = load_units(UNITS_CSV)
    period = parse_period("2026Q2")
    codes = [u.code for u in units]
    simulation = simulate_returns(plan, units, period, tmp_path, seed=11, mistakes=dict(zip(codes, MISTAKES)))
    report = validate_returns(plan, [tmp_path], units=units, period=period)
    found = {f.path: {x.code for x in f.findings} for f in report.files}
    errors = {f.path: {x.code for x in f.errors} for f in report.files}
    assert [r.mistake for r in simulation.returns[: len(MISTAKES)]] == list(MISTAKES)
    for ret in simulation.returns:
        if ret.expected_finding:
            assert ret.expected_finding in found[ret.path], (ret.mistake, found[ret.path])
        elif ret.mistake:  # a harmless variation, normalised without an error
            assert errors[ret.path] == set(), (ret.mistake, found[ret.path])
        else:
            assert errors[ret.path] == set(), (ret.unit, found[ret.path])


def test_same_seed_same_returns(tmp_path):
    plan = load_plan("dingshan-2026")
    units = load_units(UNITS_CSV)[:4]
    period = parse_period("2026Q2")
    a = simulate_returns(plan, units, period, tmp_path / "a", seed=5, error_rate=0.5)
    b = simulate_returns(plan, units, period, tmp_path / "b", seed=5, error_rate=0.5)
    assert [r.mistake for r in a.returns] == [r.mistake for r in b.returns]
    report_a = validate_returns(plan, [tmp_path / "a"])
    report_b = validate_returns(plan, [tmp_path / "b"])
    assert [o.actual for o in report_a.outcomes] == [o.actual for o in report_b.outcomes]


def test_fast_variants_are_valid_returns_for_every_unit(tmp_path):
    plan = load_plan("dingshan-2026")
    units = load_units(UNITS_CSV)
    period = parse_period("2026Q2")
    simulation = simulate_returns(plan, units, period, tmp_path, seed=1, variants=2)
    report = validate_returns(plan, [tmp_path], units=units, period=period)
    assert sorted(f.unit for f in report.files) == sorted(u.code for u in units)
    assert len(simulation.returns) == len(units)
    assert all(not f.errors for f in report.files)


def test_cli_simulate_writes_a_manifest(runner, tmp_path):
    returns = tmp_path / "回收"
    result = runner.invoke(cli, ["simulate", "dingshan-2026", "--units", str(UNITS_CSV), "--period", "2026Q2",
                                 "-n", "5", "--seed", "3", "--error-rate", "1", "--due", "2026-07-10", "-o", str(returns)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"已生成 5 份报表（其中 5 份有错误）→ {returns}；说明文件 → {tmp_path / 'simulation.json'}"
    # the manifest sits beside the returns, so validating the folder sees only returns
    assert not list(returns.glob("*.json"))
    manifest = json.loads((tmp_path / "simulation.json").read_text(encoding="utf-8"))
    assert len(manifest["returns"]) == 5 and all(r["mistake"] in MISTAKES for r in manifest["returns"])
    report = validate_returns(load_plan("dingshan-2026"), [returns])
    assert len(report.files) == 5 and all(f.status != "unrecognised" for f in report.files)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from click.testing import CliRunner

    folder = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(cli, ["demo", str(folder)])
    assert result.exit_code == 0, result.output
    return folder, result.output


def test_demo_runs_the_whole_job(demo):
    folder, output = demo
    assert output.startswith("toolkit 演示：2026年綦江区丁山镇安全生产和防灾减灾救灾工作要点（2026年第二季度）")
    assert (folder / "4-汇总" / "通报_2026Q2.docx").exists() and "通报（草稿）" in output
    assert len(list((folder / "1-模板").glob("*.xlsx"))) == 23
    returns = {p.name for p in (folder / "2-回收报表").iterdir()}
    assert "会议签到表.xlsx" in returns and any(name.endswith(".xls") for name in returns)
    assert any("（更正）" in name for name in returns)
    assert not any(name.startswith("DS-V10") for name in returns)  # never returned
    copies = list((folder / "3-退回修改").glob("*_退回修改.xlsx"))
    assert copies and (folder / "3-退回修改" / "校验报告.xlsx").exists()
    summary = json.loads((folder / "4-汇总" / "汇总_2026Q2.json").read_text(encoding="utf-8"))
    statuses = {f["status"] for f in summary["files"]}
    assert statuses == {"used", "superseded", "rejected", "unrecognised"}
    assert {u["status"] for u in summary["units"]} == {"received", "rejected", "missing"}
    assert any(a["status"] == "missed" for a in summary["aggregates"])
    assert "DS-V10" in [u["code"] for u in summary["units"] if u["status"] == "missing"]
    # the county: a sectoral view beside the towns' count, and an area amount from its lead
    assert "5. 县级汇总" in output and "（行业口径）" in output and "由牵头单位" in output
    assert "6. 台账" in output and (folder / "6-台账" / "台账.db").exists()
    assert (folder / "5-县级汇总" / "汇总_2026M03.xlsx").exists()


def test_demo_leaders_workbook_shows_misses_rejections_and_missing_units(demo):
    folder, _ = demo
    workbook = openpyxl.load_workbook(folder / "4-汇总" / "汇总_2026Q2.xlsx")
    assert workbook.sheetnames[0] == "领导总览"
    texts = {str(c.value) for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.value is not None}
    assert "未达标" in texts and "未报送" in texts and "已被新版本替代" in texts and "退回修改" in texts


def test_demo_input_returns_are_not_modified_by_validation(demo, tmp_path):
    folder, _ = demo
    import hashlib

    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (folder / "2-回收报表").iterdir()}
    validate_returns(load_plan("dingshan-2026"), [folder / "2-回收报表"])
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (folder / "2-回收报表").iterdir()}
    assert before == after
