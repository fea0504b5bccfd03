"""Fill-in templates, read back with openpyxl: sheets, annex cells, input cells
with validation and protection, the hidden identification, print settings,
determinism, and a filled template read back cell by cell."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import zipfile

import openpyxl
import pytest

from toolkit.cli import cli
from toolkit.periods import parse_period
from toolkit.plan import load_plan
from toolkit.templates import build_templates, make_context, render_for_unit, template_filename
from toolkit.templates.layout import CELLS_SHEET, ID_SHEET, INSTRUCTIONS_SHEET, TASK_STATUSES, build_layout, parse_ref
from toolkit.units import Unit, load_units

from .conftest import ROOT

UNITS_CSV = ROOT / "examples" / "dingshan-units.csv"


@pytest.fixture(scope="module")
def dingshan(dingshan_plan):
    return dingshan_plan


@pytest.fixture(scope="module")
def built(tmp_path_factory, dingshan):
    out = tmp_path_factory.mktemp("templates")
    units = load_units(UNITS_CSV)
    result = build_templates(dingshan, units, parse_period("2026Q2"), out, due=dt.date(2026, 7, 10),
                             contact="镇平安法治办公室 023-00000000")
    return units, result


def _template(built, name):
    units, result = built
    return next(t for t in result.templates if t.unit_name == name)


def test_one_workbook_per_reporting_unit(built):
    units, result = built
    assert result.templates
    assert {t.unit_code for t in result.templates} | set(result.without_rows) == {u.code for u in units}
    for template in result.templates:
        assert template.path.name == template_filename(template.unit_code, template.unit_name, "2026Q2")
        assert template.path.exists()
    # every unit reports the six core indicators
    assert all({f"core-{i}" for i in range(1, 7)} <= set(t.rows) for t in result.templates)


def test_sheets_mirror_the_annex(built, dingshan):
    template = _template(built, "镇平安法治办公室")
    workbook = openpyxl.load_workbook(template.path)
    assert workbook.sheetnames == [INSTRUCTIONS_SHEET, "核心绩效指标", "重点整治", ID_SHEET, CELLS_SHEET]
    core = workbook["核心绩效指标"]
    header = [c.value for c in core[2]]
    assert header[:4] == ["序号", "名称", "2026年目标", "责任单位"]
    assert header[4:] == ["计量单位", "填报口径", "本期数值", "本年累计", "分子", "分母", "比率（自动计算）", "未达标原因说明"]
    assert [core.cell(r, 2).value for r in range(3, 9)] == [r.cells["名称"] for r in dingshan.tables[0].rows]
    assert core.cell(7, 3).value == "3‰以内"
    assert core["A1"].value == "核心绩效指标（镇平安法治办公室，2026年第二季度）"
    rect = workbook["重点整治"]
    header = [c.value for c in rect[2]]
    assert header[:6] == ["序号", "名称", "2026年目标（内容）", "责任领导", "责任办公室", "配合单位"]
    assert header[6:9] == ["量化指标", "指标目标", "计量单位"]
    # a row with two targets spans two lines: its annex cells are merged over them
    assert rect.cell(3, 2).value == "危险化学品领域"
    assert rect.cell(3, 7).value == "危险化学品全链条安全监管系统使用率"
    assert rect.cell(4, 7).value == "重大危险源安全风险在线监测率"
    assert "B3:B4" in {str(r) for r in rect.merged_cells.ranges}


def test_input_cells_are_unlocked_shaded_and_validated(built):
    template = _template(built, "青坪村") if any(t.unit_name == "青坪村" for t in built[1].templates) else built[1].templates[-1]
    workbook = openpyxl.load_workbook(template.path)
    cells = _cell_map(workbook[CELLS_SHEET])
    assert cells, "the hidden sheet lists every input cell"
    for sheet_name, ref, row_id, indicator_id, field, kind in cells:
        sheet = workbook[sheet_name]
        cell = sheet[ref]
        assert cell.protection.locked is False, (sheet_name, ref)
        assert cell.fill.fgColor.rgb.endswith("FFF2CC")
        validations = [dv for dv in sheet.data_validations.dataValidation if ref in dv.sqref]
        assert len(validations) == 1, (sheet_name, ref)
        dv = validations[0]
        assert dv.showInputMessage and dv.showErrorMessage and dv.prompt and dv.error
        expected = {"integer": ("whole", "greaterThanOrEqual"), "decimal": ("decimal", "greaterThanOrEqual"),
                    "percent": ("decimal", "between"), "status": ("list", None), "text": ("textLength", "lessThanOrEqual")}[kind]
        assert (dv.type, dv.operator) == expected, (ref, kind)
        if kind == "status":
            assert dv.formula1 == '"' + ",".join(TASK_STATUSES) + '"'
    core = workbook["核心绩效指标"]
    assert core["G3"].protection.locked is False and core["A3"].protection.locked is True
    # a count of accidents is a whole number; the rate's inputs are numerator and denominator
    kinds = {(s, i, f): k for s, _, _, i, f, k in cells}
    assert kinds[("核心绩效指标", "core-1", "value")] == "integer"
    assert ("核心绩效指标", "core-5", "numerator") in kinds and ("核心绩效指标", "core-5", "value") not in kinds


def test_sheets_are_protected_and_print_on_a4_landscape(built):
    workbook = openpyxl.load_workbook(_template(built, "镇平安法治办公室").path)
    for sheet in workbook.worksheets:
        if sheet.title in (ID_SHEET, CELLS_SHEET):
            assert sheet.sheet_state == "veryHidden"
            continue
        assert sheet.protection.sheet is True
        assert sheet.page_setup.paperSize == 9
        assert "镇平安法治办公室" in sheet.oddHeader.left.text
        assert "&P" in sheet.oddFooter.center.text
        if sheet.sheet_properties.pageSetUpPr.fitToPage:  # one page wide, if that keeps the text legible
            assert sheet.page_setup.fitToWidth in (None, 1)  # 1 is the default, left out of the file
        else:  # a wide table: across pages at 80%, its number and name columns on each
            assert sheet.page_setup.scale == 80 and sheet.print_title_cols == "$A:$B"
        if sheet.title != INSTRUCTIONS_SHEET:
            assert sheet.page_setup.orientation == "landscape"
            assert sheet.page_setup.fitToHeight in (None, 0)  # as many pages tall as needed
            assert sheet.print_title_rows == "$1:$2"
            assert sheet.freeze_panes == "A3"


def test_hidden_identification(built, dingshan):
    template = _template(built, "镇平安法治办公室")
    workbook = openpyxl.load_workbook(template.path)
    ident = {row[0]: row[1] for row in workbook[ID_SHEET].iter_rows(values_only=True) if row[0] and row[1] is not None and row[0] != "sheet"}
    assert ident["format"] == "toolkit-template/1"
    assert ident["plan_id"] == "dingshan-2026"
    assert ident["plan_fingerprint"] == dingshan.fingerprint()
    assert ident["unit_code"] == template.unit_code and ident["unit_name"] == "镇平安法治办公室"
    assert ident["period"] == "2026Q2" and ident["due"] == "2026-07-10"
    assert ident["rows"].split(";") == template.rows
    props = {p.name: p.value for p in workbook.custom_doc_props.props}
    assert props["toolkit_plan"] == "dingshan-2026" and props["toolkit_unit"] == template.unit_code
    intro = workbook[INSTRUCTIONS_SHEET]
    assert intro["B4"].value == "dingshan-2026" and intro["B5"].value == "镇平安法治办公室"
    assert intro["B6"].value == template.unit_code and intro["B7"].value == "2026年第二季度（2026Q2）"
    assert intro["B8"].value == "2026年7月10日前"


def test_hidden_cell_map_matches_the_layout(built, dingshan):
    template = _template(built, "镇平安法治办公室")
    workbook = openpyxl.load_workbook(template.path)
    layout = build_layout(dingshan, template.rows, period_is_year=False)
    expected = [(c.sheet, c.ref, c.row_id, c.indicator_id or "", c.field, c.kind) for c in layout.inputs()]
    assert _cell_map(workbook[CELLS_SHEET]) == expected


def test_same_inputs_give_byte_identical_files(tmp_path, dingshan, dingshan_build):
    units = load_units(UNITS_CSV)
    period = parse_period("2026Q2")
    first = dingshan_build  # the same plan, units and period, built earlier in the session
    second = build_templates(dingshan, units, period, tmp_path / "b")
    assert first.templates and len(first.templates) == len(second.templates)
    for a, b in zip(first.templates, second.templates):
        assert a.path.name == b.path.name
        assert a.path.read_bytes() == b.path.read_bytes()


def test_stamped_workbook_equals_a_direct_build(built, dingshan):
    # (a unit whose name also stands in the annex text, like 镇平安法治办公室,
    # gets the same cells but a differently numbered shared-string table)
    template = _template(built, "青坪村")
    ctx = make_context(dingshan, parse_period("2026Q2"), due=dt.date(2026, 7, 10), contact="镇平安法治办公室 023-00000000")
    unit = Unit(code=template.unit_code, name=template.unit_name, kind=None, parent=None, contact=None)
    direct = render_for_unit(dingshan, unit, template.rows, ctx)
    stamped = template.path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(direct)) as a, zipfile.ZipFile(io.BytesIO(stamped)) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            assert a.read(name) == b.read(name), name


def test_unit_names_with_xml_characters_are_escaped(tmp_path, dingshan):
    # (a units list refuses < and > in names, as Windows file names cannot
    # hold them; the stamper escapes whatever it is given all the same)
    from toolkit.templates import Stamper, skeletons

    units = [Unit(code="X&1", name="A&B村", kind="村", parent=None, contact=None)]
    result = build_templates(dingshan, units, parse_period("2026"), tmp_path)
    workbook = openpyxl.load_workbook(result.templates[0].path)
    assert workbook[INSTRUCTIONS_SHEET]["B5"].value == "A&B村"
    assert workbook[INSTRUCTIONS_SHEET]["B6"].value == "X&1"
    assert workbook["核心绩效指标"].oddHeader.left.text == "A&&B村"
    [(_, _, skeleton)], _ = skeletons(dingshan, units, parse_period("2026"))
    (tmp_path / "odd.xlsx").write_bytes(Stamper(skeleton).stamp("X<1", "A&B<村>"))
    workbook = openpyxl.load_workbook(tmp_path / "odd.xlsx")
    assert workbook[INSTRUCTIONS_SHEET]["B5"].value == "A&B<村>"
    assert workbook["核心绩效指标"].oddHeader.left.text == "A&&B<村>"


def test_yearly_period_has_no_cumulative_column(tmp_path, dingshan):
    units = [Unit(code="V1", name="青坪村", kind="村", parent=None, contact=None)]
    result = build_templates(dingshan, units, parse_period("2026"), tmp_path)
    workbook = openpyxl.load_workbook(result.templates[0].path)
    header = [c.value for c in workbook["核心绩效指标"][2]]
    assert "本期数值" in header and "本年累计" not in header
    assert workbook[INSTRUCTIONS_SHEET]["B7"].value == "2026年度（2026）"


@pytest.mark.slow
@pytest.mark.parametrize("plan_id", ["dingshan-2026", "dianjiang-2026", "fenghuang-2024-2026"])
def test_every_builtin_plan_builds_for_the_example_units(tmp_path, plan_id):
    plan = load_plan(plan_id)
    units = load_units(UNITS_CSV)
    # the example units are 丁山镇's; other plans are built for one unit that reports every row
    if plan_id != "dingshan-2026":
        every_row = tuple(r.id for t in plan.tables for r in t.rows)
        units = [Unit(code="U1", name="测试单位", kind=None, parent=None, contact=None, rows=every_row)]
    result = build_templates(plan, units, parse_period("2026H1"), tmp_path)
    assert result.templates
    for template in result.templates:
        workbook = openpyxl.load_workbook(template.path)
        assert workbook.sheetnames[0] == INSTRUCTIONS_SHEET and workbook.sheetnames[-2:] == [ID_SHEET, CELLS_SHEET]


def test_task_list_template_keeps_the_annex_merges(tmp_path):
    plan = load_plan("fenghuang-2024-2026")
    every_row = tuple(r.id for t in plan.tables for r in t.rows)
    units = [Unit(code="U1", name="应急办", kind="办公室", parent=None, contact=None, rows=every_row)]
    result = build_templates(plan, units, parse_period("2026"), tmp_path)
    sheet = openpyxl.load_workbook(result.templates[0].path).worksheets[1]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert any(r.startswith("A3:A") for r in merged)  # 行动名称 一、… spans its tasks
    assert sheet["A3"].value == "一、开展重大安全风险源头管控行动"
    header = [c.value for c in sheet[2]]
    assert header[:5] == ["行动名称", "重点任务", "重点任务", "完成时间", "责任科室"]
    assert "完成状态" in header and "进展情况" in header


def test_filled_template_reads_back_cell_by_cell(tmp_path, dingshan):
    from python_calamine import CalamineWorkbook

    units = [Unit(code="V1", name="青坪村", kind="村", parent=None, contact=None)]
    template = build_templates(dingshan, units, parse_period("2026Q2"), tmp_path).templates[0]
    workbook = openpyxl.load_workbook(template.path)
    cells = _cell_map(workbook[CELLS_SHEET])
    typed = {}
    for n, (sheet, ref, _, _, field, kind) in enumerate(cells):
        value = {"integer": n, "decimal": n + 0.5, "percent": 0.9, "status": "推进中", "text": f"说明{n}"}[kind]
        workbook[sheet][ref] = value
        typed[(sheet, ref)] = value
    assert typed
    filled = tmp_path / "filled.xlsx"
    workbook.save(filled)
    book = CalamineWorkbook.from_path(str(filled))
    for (sheet, ref), value in typed.items():
        r, c = parse_ref(ref)
        assert book.get_sheet_by_name(sheet).to_python()[r][c] == value


def test_cli_build_and_dry_run(runner, tmp_path):
    result = runner.invoke(cli, ["templates", "build", "dingshan-2026", "--units", str(UNITS_CSV), "--period", "2026Q2", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "镇平安法治办公室" in result.output
    assert not any(tmp_path.iterdir())
    out = tmp_path / "out"
    result = runner.invoke(cli, ["templates", "build", "dingshan-2026", "--units", str(UNITS_CSV), "--period", "2026Q2",
                                 "--due", "2026-07-10", "-o", str(out)])
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("*.xlsx"))
    assert result.output.strip().splitlines()[-1] == f"已生成 {len(files)} 个模板（2026年第二季度）→ {out}"


@pytest.mark.parametrize("args, message", [
    (["--period", "2026Q5"], "错误："),
    (["--period", "2026Q2", "--due", "next week"], "错误："),
])
def test_cli_bad_options_exit_2_without_traceback(runner, tmp_path, args, message):
    result = runner.invoke(cli, ["templates", "build", "dingshan-2026", "--units", str(UNITS_CSV), "-o", str(tmp_path), *args])
    assert result.exit_code == 2
    assert result.output.startswith(message) and "Traceback" not in result.output


def test_cli_bad_units_file_exits_1(runner, tmp_path):
    units = tmp_path / "units.csv"
    units.write_text("code,name\nV1,青坪村\nV1,长田村\n", encoding="utf-8")
    result = runner.invoke(cli, ["templates", "build", "dingshan-2026", "--units", str(units), "--period", "2026Q2", "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "V1" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def _cell_map(sheet):
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == "sheet")
    return [tuple("" if v is None else v for v in row) for row in rows[start + 1:]]


@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_template_opens_in_libreoffice_and_converts_to_pdf(built, tmp_path):
    template = _template(built, "镇平安法治办公室")
    source = tmp_path / "t.xlsx"
    shutil.copy(template.path, source)
    profile = tmp_path / "profile"
    completed = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        capture_output=True, text=True, timeout=180,
    )
    assert completed.returncode == 0, completed.stderr
    pdf = tmp_path / "t.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    # and it re-saves as .xlsx with the identification and inputs intact
    completed = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xlsx:Calc MS Excel 2007 XML",
         "--outdir", str(tmp_path / "resaved"), str(source)],
        capture_output=True, text=True, timeout=180,
    )
    assert completed.returncode == 0, completed.stderr
    resaved = openpyxl.load_workbook(tmp_path / "resaved" / "t.xlsx")
    assert resaved.sheetnames[:3] == [INSTRUCTIONS_SHEET, "核心绩效指标", "重点整治"]
    assert resaved[INSTRUCTIONS_SHEET]["B6"].value == template.unit_code
