"""Marked-up copies for the units (feedback) and the report workbook
(toolkit.xlsx.report), written to real files and read back with openpyxl."""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from toolkit.xlsx.feedback import FEEDBACK_SHEET, write_feedback
from toolkit.findings import make_finding
from toolkit.periods import parse_period
from toolkit.plan import load_plan
from toolkit.model.validation import (
    REJECTED,
    SUPERSEDED,
    UNRECOGNISED,
    USED,
    FileReport,
    Outcome,
    ValidationReport,
)
from toolkit.xlsx.report import write_report_workbook
from toolkit.templates import build_templates
from toolkit.templates.layout import CELLS_SHEET, ID_SHEET

INJECTIONS = ('=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)")
ERROR_RGB, WARNING_RGB = "FFC7CE", "FFEB9C"


@pytest.fixture(scope="module")
def plan(dingshan_plan):
    return dingshan_plan


@pytest.fixture(scope="module")
def template(dingshan_build):
    (village,) = [t for t in dingshan_build.templates if t.unit_code == "DS-V01"]  # 青坪村
    return village


def input_cells(wb) -> list[tuple[str, str, str, str]]:
    """(sheet, cell, field, kind) of every input cell, from the hidden sheet."""
    cells, in_map = [], False
    for row in wb[CELLS_SHEET].iter_rows(values_only=True):
        if in_map and row[0]:
            cells.append((row[0], row[1], row[4], row[5]))
        elif row[0] == "sheet" and row[1] == "cell":
            in_map = True
    return cells


@pytest.fixture
def filled(template, tmp_path) -> Path:
    """A return as a clerk would fill it: numbers, one word in a number cell,
    a status typed by hand in a merged status cell, an injection attempt."""
    wb = openpyxl.load_workbook(template.path)
    for sheet, ref, field, kind in input_cells(wb):
        if kind == "integer":
            wb[sheet][ref] = 0
    wb["核心绩效指标"]["G3"] = "三起"
    wb["核心绩效指标"]["L4"] = INJECTIONS[0]
    wb["重点整治"]["P5"] = "搞完了"
    path = tmp_path / "returns" / template.path.name
    path.parent.mkdir()
    wb.save(path)
    return path


def findings_for(path: Path, display: str):
    unit = "DS-V01"
    return [
        make_finding("not-a-number", display, unit=unit, sheet="核心绩效指标", cell="G3", indicator="生产安全事故起数",
                     field="本期数值", value="三起"),
        make_finding("not-whole", display, unit=unit, sheet="核心绩效指标", cell="G3", indicator="生产安全事故起数",
                     field="本期数值", value="三起"),
        make_finding("text-too-long", display, unit=unit, sheet="核心绩效指标", cell="$H$4", indicator="火灾起数",
                     field="本年累计", value=INJECTIONS[1], expected=500),
        make_finding("error-value", display, unit=unit, sheet="核心绩效指标", cell="L4", value=INJECTIONS[0]),
        # P6 is a continuation of the merged status cell P5:P7
        make_finding("bad-status", display, unit=unit, sheet="重点整治", cell="P6", value=INJECTIONS[2]),
        make_finding("reporter-missing", display, unit=unit, sheet="填报说明", cell="B13", value=INJECTIONS[3]),
        make_finding("rows-changed", display, unit=unit, sheet="重点整治", detail="第 9 行被删除"),
        make_finding("identified-from-content", display, unit=unit, found="青坪村"),
    ]


def make_report(path: Path, display: str | None = None, **kw) -> ValidationReport:
    display = display or str(path)
    fr = FileReport(path=display, sha256="0" * 64, unit="DS-V01", unit_name="青坪村", period="2026Q2",
                    findings=findings_for(path, display), status=REJECTED, modified="2026-07-01T09:30:00", **kw)
    return ValidationReport(plan_id="dingshan-2026", period="2026Q2", files=[fr])


def sheet_xml(path: Path, title: str) -> str:
    """The XML part of sheet `title` in a workbook."""
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(rf'<sheet [^>]*name="{re.escape(title)}"[^>]*r:id="([^"]+)"', workbook).group(1)
        target = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*Target="([^"]+)"', rels) or \
            re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels)
        name = target.group(1).lstrip("/")
        return archive.read(name if name.startswith("xl/") else "xl/" + name).decode()


# --- feedback: the marked copy


def test_marked_copy_name_and_input_untouched(filled, tmp_path):
    before = hashlib.sha256(filled.read_bytes()).hexdigest()
    mtime = filled.stat().st_mtime_ns
    out = write_feedback(make_report(filled), {str(filled): filled}, tmp_path / "out")
    assert [p.name for p in out] == ["DS-V01_青坪村_2026Q2_退回修改.xlsx"]
    assert out[0].is_file()
    assert hashlib.sha256(filled.read_bytes()).hexdigest() == before
    assert filled.stat().st_mtime_ns == mtime
    assert not list((tmp_path / "out").glob(".*.tmp"))


def test_marked_cells_fills_and_comments(filled, tmp_path):
    out = write_feedback(make_report(filled), {str(filled): filled}, tmp_path / "out")
    wb = openpyxl.load_workbook(out[0])
    core = wb["核心绩效指标"]

    g3 = core["G3"]
    assert g3.fill.fill_type == "solid" and g3.fill.fgColor.rgb.endswith(ERROR_RGB)
    assert g3.comment.author == "toolkit"
    assert "不是数字" in g3.comment.text and "不是整数" in g3.comment.text  # two findings, one comment
    with zipfile.ZipFile(out[0]) as archive:  # comment boxes sized to be read (openpyxl does not read them back)
        vml = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".vml"))
    sizes = [(int(w), int(h)) for w, h in re.findall(r"width:(\d+)px;height:(\d+)px", vml)]
    assert len(sizes) == 5 and all(w >= 300 and h >= 50 for w, h in sizes)
    assert g3.value == "三起"  # the unit's value is kept

    h4 = core["H4"]  # $H$4, a warning only
    assert h4.fill.fgColor.rgb.endswith(WARNING_RGB)
    assert "说明文字超过 500 字" in h4.comment.text

    # the merged continuation P6 is shown on the merge's top-left P5
    rect = wb["重点整治"]
    assert rect["P5"].fill.fgColor.rgb.endswith(ERROR_RGB)
    assert "完成状态" in rect["P5"].comment.text
    assert "P5:P7" in {str(r) for r in rect.merged_cells.ranges}

    assert wb["填报说明"]["B13"].fill.fgColor.rgb.endswith(WARNING_RGB)

    # cells without findings keep the input shading and have no comment
    assert core["G4"].comment is None
    assert core["G4"].fill.fgColor.rgb.endswith("FFF2CC")
    commented = [(ws.title, c.coordinate) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.comment]
    assert sorted(commented) == sorted([("核心绩效指标", "G3"), ("核心绩效指标", "H4"), ("核心绩效指标", "L4"),
                                        ("重点整治", "P5"), ("填报说明", "B13")])


def test_problem_list_first_active_with_links(filled, tmp_path):
    report = make_report(filled)
    out = write_feedback(report, {str(filled): filled}, tmp_path / "out")
    wb = openpyxl.load_workbook(out[0])
    assert wb.sheetnames[0] == FEEDBACK_SHEET
    assert wb.active.title == FEEDBACK_SHEET
    assert [ws.title for ws in wb.worksheets if ws.sheet_view.tabSelected] == [FEEDBACK_SHEET]
    ws = wb[FEEDBACK_SHEET]
    assert ws["A1"].value == "青坪村 2026年第二季度报表问题清单：错误 5 项，提示 3 项。请按下表修改后重新报送。"
    header = [c.value for c in ws[3]]
    assert header == ["序号", "级别", "工作表", "单元格", "指标", "填写内容", "问题说明及修改方法"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    findings = report.files[0].findings
    assert len(rows) == len(findings)
    assert [r[0] for r in rows] == list(range(1, len(findings) + 1))
    assert [r[1] for r in rows] == ["错误", "错误", "提示", "错误", "错误", "提示", "错误", "提示"]
    assert [r[6] for r in rows] == [f.message for f in findings]
    assert rows[0][2:6] == ["核心绩效指标", "G3", "生产安全事故起数", "三起"]
    assert rows[7][2] == "（整个文件）" and rows[7][3] is None  # file-level finding listed too

    links = [ws.cell(row=r, column=4).hyperlink for r in range(4, 4 + len(rows))]
    assert links[0].location == "'核心绩效指标'!G3"
    assert links[2].location == "'核心绩效指标'!H4"
    assert links[4].location == "'重点整治'!P5"
    assert links[5].location == "'填报说明'!B13"
    assert links[6].location == "'重点整治'!A1"  # sheet-level: to the sheet
    assert links[7] is None
    assert all(link is None or not link.target for link in links)  # inside the workbook, no external target

    assert ws.freeze_panes == "A4"
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.column_dimensions["G"].width >= 40
    assert ws.cell(row=4, column=7).alignment.wrap_text


def test_protection_validation_and_hidden_sheet_kept(filled, template, tmp_path):
    out = write_feedback(make_report(filled), {str(filled): filled}, tmp_path / "out")
    original = openpyxl.load_workbook(template.path)
    wb = openpyxl.load_workbook(out[0])
    assert wb.sheetnames[1:] == original.sheetnames
    for title in ("填报说明", "核心绩效指标", "重点整治"):
        assert wb[title].protection.sheet is True
        assert len(wb[title].data_validations.dataValidation) == len(original[title].data_validations.dataValidation)
        assert {str(r) for r in wb[title].merged_cells.ranges} == {str(r) for r in original[title].merged_cells.ranges}
    assert wb[ID_SHEET].sheet_state == "veryHidden"
    assert input_cells(wb) == input_cells(original)
    # the marked cells stay unlocked inputs; locked cells stay locked
    assert wb["核心绩效指标"]["G3"].protection.locked is False
    assert wb["核心绩效指标"]["A3"].protection.locked is True
    assert "toolkit_unit" in wb.custom_doc_props.names


def test_marked_copy_reads_back_as_the_same_return(filled, plan, tmp_path):
    """The unit corrects the marked copy and sends it back as it is."""
    from toolkit.intake import read_return

    out = write_feedback(make_report(filled), {str(filled): filled}, tmp_path / "out")
    original = read_return(filled, str(filled), plan)
    copy = read_return(out[0], str(out[0]), plan)
    assert copy.recognised and copy.unit == "DS-V01"
    assert [f.code for f in copy.findings] == [f.code for f in original.findings]
    assert [(r.sheet, r.cell, r.raw) for r in copy.records] == [(r.sheet, r.cell, r.raw) for r in original.records]


def test_marked_copy_of_a_marked_copy(filled, tmp_path):
    """A marked copy sent back unchanged: old marks and the old list go, new ones come."""
    first = write_feedback(make_report(filled), {str(filled): filled}, tmp_path / "round1")[0]
    display = str(first)
    fr = FileReport(path=display, sha256="", unit="DS-V01", unit_name="青坪村", period="2026Q2", status=REJECTED,
                    findings=[make_finding("bad-status", display, sheet="重点整治", cell="P5", value="搞完了")])
    second = write_feedback(ValidationReport("dingshan-2026", "2026Q2", [fr]), {display: first}, tmp_path / "round2")
    assert [p.name for p in second] == ["DS-V01_青坪村_2026Q2_退回修改.xlsx"]
    wb = openpyxl.load_workbook(second[0])
    assert wb.sheetnames.count(FEEDBACK_SHEET) == 1 and wb.sheetnames[0] == FEEDBACK_SHEET
    assert wb[FEEDBACK_SHEET].max_row == 4
    assert wb["核心绩效指标"]["G3"].comment is None
    assert wb["核心绩效指标"]["G3"].fill.fgColor.rgb.endswith("FFF2CC")
    assert wb["核心绩效指标"].sheet_properties.tabColor is None
    assert wb["重点整治"]["P5"].comment.text.count("【错误】") == 1


def test_injection_values_stay_text(filled, tmp_path):
    out = write_feedback(make_report(filled), {str(filled): filled}, tmp_path / "out")
    xml = sheet_xml(out[0], FEEDBACK_SHEET)
    assert "<f>" not in xml and "<f " not in xml
    wb = openpyxl.load_workbook(out[0])
    ws = wb[FEEDBACK_SHEET]
    typed = {ws.cell(row=r, column=6).value: ws.cell(row=r, column=6) for r in range(4, ws.max_row + 1)}
    for value in INJECTIONS:
        assert value in typed
        assert typed[value].data_type == "s"
        cell_xml = re.search(rf'<c r="{typed[value].coordinate}"[^>]*>', xml).group(0)
        assert 't="s"' in cell_xml or 't="inlineStr"' in cell_xml


def test_same_stem_twice_gets_distinct_outputs(filled, tmp_path):
    other_dir = tmp_path / "wechat"
    other_dir.mkdir()
    second = other_dir / filled.name
    second.write_bytes(filled.read_bytes())
    r1, r2 = make_report(filled), make_report(second)
    report = ValidationReport("dingshan-2026", "2026Q2", [r1.files[0], r2.files[0]])
    out = write_feedback(report, {str(filled): filled, str(second): second}, tmp_path / "out")
    assert len(out) == 2 and len(set(out)) == 2
    assert all(p.name.startswith("DS-V01_青坪村_2026Q2_") and p.name.endswith("_退回修改.xlsx") for p in out)
    assert all(p.is_file() for p in out)
    # the names come from each file itself, not from the order they were read in
    report.files.reverse()
    again = write_feedback(report, {str(filled): filled, str(second): second}, tmp_path / "again")
    assert [p.name for p in again] == [p.name for p in reversed(out)]


def test_not_xlsx_gets_list_only(tmp_path):
    bad = tmp_path / "青坪村报表.xls"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    broken = tmp_path / "青坪村报表2.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    text = tmp_path / "notes.txt"
    text.write_text("hello", encoding="utf-8")
    files = [
        FileReport(path="u盘/青坪村报表.xls", sha256="", unit=None, unit_name=None, period=None, status=UNRECOGNISED,
                   findings=[make_finding("unsupported-format", "u盘/青坪村报表.xls", detail="Excel 97-2003（.xls）")]),
        FileReport(path=str(broken), sha256="", unit=None, unit_name=None, period=None, status=UNRECOGNISED,
                   findings=[make_finding("file-unreadable", str(broken), detail="不是 zip 文件")]),
        FileReport(path=str(text), sha256="", unit=None, unit_name=None, period=None, status=UNRECOGNISED,
                   findings=[make_finding("not-a-workbook", str(text), detail="文本文件", value="=1+1")]),
        FileReport(path="fine.xlsx", sha256="", unit="DS-V02", unit_name="石龙村", period="2026Q2", status=USED),
    ]
    report = ValidationReport("dingshan-2026", "2026Q2", files)
    out = write_feedback(report, {files[0].path: bad, files[1].path: broken, files[2].path: text}, tmp_path / "out")
    assert [p.name for p in out] == ["青坪村报表_问题清单.xlsx", "青坪村报表2_问题清单.xlsx", "notes_问题清单.xlsx"]
    for path, fr in zip(out, files):
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames == [FEEDBACK_SHEET]
        ws = wb[FEEDBACK_SHEET]
        assert "报表问题清单：错误 1 项，提示 0 项" in ws["A1"].value
        assert ws["G4"].value == fr.findings[0].message
        assert ws["D4"].hyperlink is None
    assert "<f>" not in sheet_xml(out[2], FEEDBACK_SHEET)
    assert openpyxl.load_workbook(out[2])[FEEDBACK_SHEET]["F4"].value == "=1+1"


def test_files_without_findings_get_nothing(filled, tmp_path):
    fr = FileReport(path=str(filled), sha256="", unit="DS-V01", unit_name="青坪村", period="2026Q2", status=USED)
    assert write_feedback(ValidationReport("dingshan-2026", "2026Q2", [fr]), {str(filled): filled}, tmp_path / "o") == []
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").iterdir())


def test_missing_sheet_and_bad_cell_are_listed_not_marked(filled, tmp_path):
    display = str(filled)
    fr = FileReport(path=display, sha256="", unit="DS-V01", unit_name="青坪村", period="2026Q2", status=REJECTED, findings=[
        make_finding("sheet-missing", display, sheet="重点应用", expected="重点应用"),
        make_finding("not-a-number", display, sheet="重点应用", cell="G3", value="x"),
        make_finding("not-a-number", display, sheet="核心绩效指标", cell="not a cell", value="y"),
    ])
    out = write_feedback(ValidationReport("dingshan-2026", "2026Q2", [fr]), {display: filled}, tmp_path / "out")
    wb = openpyxl.load_workbook(out[0])
    ws = wb[FEEDBACK_SHEET]
    assert ws.max_row == 6
    assert all(ws.cell(row=r, column=4).hyperlink is None for r in range(4, 7))
    assert not any(c.comment for w in wb.worksheets for row in w.iter_rows() for c in row)


# --- the report workbook


def full_report(filled: Path) -> ValidationReport:
    report = make_report(filled, display="收件/青坪村.xlsx")
    report.files.append(FileReport(path="收件/旧版.xlsx", sha256="a" * 64, unit="DS-V01", unit_name="青坪村",
                                   period="2026Q2", status=SUPERSEDED, superseded_by="收件/青坪村.xlsx",
                                   findings=[make_finding("duplicate-return", "收件/旧版.xlsx", found="收件/青坪村.xlsx")]))
    report.files.append(FileReport(path="收件/石龙村.xlsx", sha256="b" * 64, unit="DS-V02", unit_name="石龙村",
                                   period="2026Q2", status=USED, modified="2026-06-30T18:00:00"))
    report.files.append(FileReport(path="=cmd|' /C calc'!A0", sha256="c" * 64, unit=None, unit_name=None, period=None,
                                   status=UNRECOGNISED, findings=[make_finding("not-our-template", "=cmd|' /C calc'!A0")]))
    report.outcomes = [
        Outcome("DS-V02", "core-1", "生产安全事故起数", "met", 0.0, "=0起", kind="count", file="收件/石龙村.xlsx", sheet="核心绩效指标", cell="G3"),
        Outcome("DS-V02", "core-5", "森林火灾受害率", "missed", 0.005, "≤3‰", kind="rate-permille", reason="山火", note=None),
        Outcome("DS-V02", "rect-2", "覆盖率", "in-progress", 0.95, "≥100%", kind="rate-percent"),
        Outcome("DS-V01", "core-2", "火灾起数", "no-data", None, "=0起", kind="count"),
    ]
    return report


def test_report_workbook_sheets_and_rows(filled, tmp_path):
    report = full_report(filled)
    path = tmp_path / "报告.xlsx"
    write_report_workbook(report, path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["文件", "问题", "目标"]

    files = wb["文件"]
    assert [c.value for c in files[1]] == ["文件", "单位编码", "单位", "报送期", "结果", "错误数", "提示数", "最后保存时间", "sha256"]
    rows = [[c.value for c in row] for row in files.iter_rows(min_row=2)]
    assert len(rows) == 4
    assert [r[4] for r in rows] == ["退回修改", "已被新版本替代", "可用", "无法识别"]
    assert rows[0][:4] == ["收件/青坪村.xlsx", "DS-V01", "青坪村", "2026年第二季度"]
    assert rows[0][5:7] == [5, 3]
    assert rows[0][7].year == 2026 and rows[0][8] == "0" * 64
    assert rows[3][0] == "=cmd|' /C calc'!A0"  # text, not a formula
    assert files.auto_filter.ref == "A1:I5" and files.freeze_panes == "A2"

    problems = wb["问题"]
    assert [c.value for c in problems[1]] == ["文件", "单位", "工作表", "单元格", "级别", "代码", "指标", "填写内容", "说明"]
    rows = [[c.value for c in row] for row in problems.iter_rows(min_row=2)]
    assert len(rows) == len(report.findings) == 10
    # the file's name (its full path is on the 文件 sheet, once: long paths do not run past the page)
    assert rows[0][:6] == ["青坪村.xlsx", "青坪村", "核心绩效指标", "G3", "错误", "not-a-number"]
    assert {r[7] for r in rows} >= set(INJECTIONS)
    assert problems.auto_filter.ref == "A1:I11"
    assert len(problems.conditional_formatting) >= 1
    rules = [rule for cf in problems.conditional_formatting for rule in cf.rules]
    assert {'"错误"', '"提示"'} <= {f for rule in rules for f in rule.formula}
    assert any("E" in str(cf.sqref) for cf in problems.conditional_formatting)

    targets = wb["目标"]
    assert [c.value for c in targets[1]] == ["单位", "指标", "目标", "实际值", "结果", "原因", "说明", "文件", "工作表", "单元格"]
    rows = [[c.value for c in row] for row in targets.iter_rows(min_row=2)]
    assert [r[4] for r in rows] == ["达标", "未达标", "进行中（未到期）", "无数据"]
    assert rows[0][0] == "石龙村" and rows[0][7:] == ["石龙村.xlsx", "核心绩效指标", "G3"]
    assert rows[1][3] == 0.005 and rows[1][5] == "山火"
    assert targets["D4"].number_format == "0.0%"
    rules = [rule for cf in targets.conditional_formatting for rule in cf.rules]
    assert {'"未达标"', '"达标"', '"进行中（未到期）"', '"待填基线"', '"需人工判断"', '"无数据"', '"计入全域（不单独考核）"'} <= {f for rule in rules for f in rule.formula}

    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
        assert ws.print_title_rows == "$1:$1"
        assert ws.sheet_properties.pageSetUpPr.fitToPage

    for title in ("文件", "问题"):
        assert "<f>" not in sheet_xml(path, title)


def test_report_workbook_deterministic_and_empty(filled, tmp_path):
    report = full_report(filled)
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_report_workbook(report, a)
    write_report_workbook(report, b)
    assert a.read_bytes() == b.read_bytes()

    empty = tmp_path / "empty.xlsx"
    write_report_workbook(ValidationReport("dingshan-2026", None, []), empty)
    wb = openpyxl.load_workbook(empty)
    assert wb.sheetnames == ["文件", "问题", "目标"] and wb["问题"].max_row == 1
    assert len(wb["问题"].conditional_formatting) >= 1 and len(wb["目标"].conditional_formatting) >= 1


def test_xlsm_return_is_marked_as_xlsx(filled, tmp_path):
    xlsm = tmp_path / "青坪村.xlsm"
    xlsm.write_bytes(filled.read_bytes())
    report = make_report(xlsm)
    out = write_feedback(report, {str(xlsm): xlsm}, tmp_path / "out")
    assert [p.name for p in out] == ["青坪村_退回修改.xlsx"]
    with zipfile.ZipFile(out[0]) as archive:
        assert "sheet.main+xml" in archive.read("[Content_Types].xml").decode()
    assert openpyxl.load_workbook(out[0])["核心绩效指标"]["G3"].comment is not None
