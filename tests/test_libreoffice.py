"""A real spreadsheet program in the loop: LibreOffice opens filled templates
and re-saves them (.xlsx and .xls) the way a unit's office suite does, and
toolkit reads the re-saved files with the same values and identification."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from toolkit.periods import parse_period
from toolkit.plan import load_plan
from toolkit.simulate import simulate_returns
from toolkit.units import Unit
from toolkit.pipeline.validate import validate_returns

pytestmark = [pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed"),
              pytest.mark.slow, pytest.mark.libreoffice]

PERIOD = parse_period("2026Q2")
UNITS = [Unit(code="DS-V01", name="青坪村", kind="村", parent=None, contact=None),
         Unit(code="DS-O02", name="镇平安法治办公室", kind="办公室", parent=None, contact=None)]


def soffice(tmp_path: Path, *args: str) -> None:
    profile = tmp_path / "lo-profile"
    completed = subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", *args],
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr


@pytest.fixture(scope="module")
def returns(tmp_path_factory):
    folder = tmp_path_factory.mktemp("returns")
    simulate_returns(load_plan("dingshan-2026"), UNITS, PERIOD, folder, seed=3)
    return folder


def _values(report):
    frame = report.values
    frame = frame[frame["field"] != "result"]
    return {(r.unit, r.sheet, r.cell): (r.number if r.number == r.number else r.text) for r in frame.itertuples()}


@pytest.mark.parametrize("target, filter_name", [("xlsx", "Calc MS Excel 2007 XML"), ("xls", "MS Excel 97")])
def test_resaved_returns_read_back_the_same(tmp_path, returns, target, filter_name):
    plan = load_plan("dingshan-2026")
    original = validate_returns(plan, [returns], units=UNITS, period=PERIOD)
    out = tmp_path / target
    soffice(tmp_path, "--convert-to", f"{target}:{filter_name}", "--outdir", str(out), *map(str, sorted(returns.glob("*.xlsx"))))
    resaved = validate_returns(plan, [out], units=UNITS, period=PERIOD)
    assert sorted(f.unit for f in resaved.files) == ["DS-O02", "DS-V01"]
    for file_report in resaved.files:
        assert file_report.status == "used", [x.message for x in file_report.findings]
        assert file_report.period == "2026Q2"
        assert not file_report.errors
    assert _values(resaved) == _values(original)
    assert [(o.unit, o.indicator_id, o.status) for o in resaved.outcomes] == \
        [(o.unit, o.indicator_id, o.status) for o in original.outcomes]


def test_consolidated_workbook_recalculates_and_converts_to_pdf(tmp_path, returns):
    from toolkit.pipeline.consolidate import consolidate
    from toolkit.xlsx.leaders import write_consolidated_workbook

    plan = load_plan("dingshan-2026")
    result = consolidate(plan, [returns], units=UNITS, period=PERIOD)
    workbook = tmp_path / "汇总.xlsx"
    write_consolidated_workbook(result, workbook)
    soffice(tmp_path, "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), str(workbook))
    pdf = tmp_path / "pdf" / "汇总.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    # recalculated and saved by LibreOffice, it still reads as a workbook with the same sheets
    soffice(tmp_path, "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(tmp_path / "recalc"), str(workbook))
    import openpyxl

    again = openpyxl.load_workbook(tmp_path / "recalc" / "汇总.xlsx")
    assert again.sheetnames == openpyxl.load_workbook(workbook).sheetnames


@pytest.mark.parametrize("target, filter_name", [("xls", "MS Excel 97"), ("ods", "calc8")])
def test_an_error_value_and_true_in_count_cells_of_a_resaved_return_are_findings(tmp_path, target, filter_name):
    """#DIV/0! in an .xls/.ods is an error value at its cell (not "blank"), TRUE is not a number (not 1),
    and a formula is read as its result with a warning, as in an .xlsx."""
    from toolkit.simulate import Formula, fill_template
    from toolkit.templates import build_templates

    plan = load_plan("dingshan-2026")
    (template,) = build_templates(plan, UNITS[:1], PERIOD, tmp_path / "t").templates

    def value_for(spot):
        if (spot.indicator_id, spot.field) == ("core-1", "value"):
            return Formula("=1/0")
        if (spot.indicator_id, spot.field) == ("core-2", "value"):
            return True
        if (spot.indicator_id, spot.field) == ("core-1", "cumulative"):
            return Formula("=2+3")
        return {"value": 0, "cumulative": 0, "numerator": 9, "denominator": 10, "baseline": 10,
                "status": "推进中", "progress": "按计划推进"}.get(spot.field)

    filled = fill_template(template.path, tmp_path / "filled.xlsx", value_for)
    out = tmp_path / target
    soffice(tmp_path, "--convert-to", f"{target}:{filter_name}", "--outdir", str(out), str(filled))
    report = validate_returns(plan, [out], units=UNITS, period=PERIOD)
    found = {(x.code, x.cell) for x in report.findings if x.sheet == "核心绩效指标"}
    assert ("error-value", "G3") in found
    assert ("not-a-number", "G4") in found
    assert ("required-missing", "G3") not in found
    assert ("formula-in-input", "H3") in found
    assert not [x for x in report.findings if x.code == "formula-in-input" and x.cell in ("G3", "G4")]
    assert "#DIV/0!" in next(x.message for x in report.findings if x.code == "error-value")
