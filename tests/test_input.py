"""What clerks type, read as they meant it: a percent format in a quantity
cell, a note row inserted into a table, messages that fit the kind of cell,
and the marked-up copy showing what was typed."""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pytest

from toolkit.periods import parse_period
from toolkit.pipeline.validate import validate_returns
from toolkit.simulate import fill_template
from toolkit.units import Unit
from toolkit.xlsx.feedback import write_feedback

PERIOD = parse_period("2026Q2")
VILLAGE = Unit(code="DS-V01", name="青坪村", kind="村", parent=None, contact=None)
CORE = "核心绩效指标"
RECT = "重点整治"


@pytest.fixture(scope="module")
def plan(dingshan_plan):
    return dingshan_plan


@pytest.fixture(scope="module")
def template(dingshan_templates):
    return dingshan_templates[VILLAGE.code]


def good(spot):
    """A correct return; each count a different number, so that a value read from the wrong row shows."""
    if spot.field in ("value", "cumulative") and spot.indicator_id and spot.indicator_id.startswith("core"):
        return 0
    if spot.field in ("value", "cumulative"):
        return 2 if spot.field == "value" else 3
    return {"numerator": 9, "denominator": 10, "baseline": 10, "status": "推进中", "progress": "按计划推进",
            "reason": None, "reporter": "张三", "phone": "138-0000-0000", "approver": "李四"}.get(spot.field)


def fill(tmp_path, template, changes=None, edit=None, name="r.xlsx"):
    changes = changes or {}

    def value_for(spot):
        for key in ((spot.indicator_id, spot.field), (spot.row_id, spot.field), (spot.sheet, spot.cell)):
            if key in changes:
                return changes[key]
        if spot.indicator_id == "core-5":
            return {"numerator": 0, "denominator": 1000}.get(spot.field, good(spot))
        return good(spot)

    return fill_template(template, tmp_path / name, value_for, edit=edit)


def findings(report, code=None):
    return [x for f in report.files for x in f.findings if code is None or x.code == code]


# ------------------------------------------------------------------ a percent format in a quantity cell


def _percent_formats(workbook):
    """What Excel and LibreOffice store when "100%" is typed into a count cell (G3,
    built-in 0%), "50%" into a numerator (I7, a custom 0.0% format)."""
    ws = workbook[CORE]
    ws["G3"].value, ws["G3"].number_format = 1, "0%"
    ws["I7"].value, ws["I7"].number_format = 0.5, "0.0%"
    ws["H3"].number_format = '0"%"'  # a literal % sign in quotes does not make a percentage


def test_a_number_with_a_percent_format_in_a_count_or_numerator_cell_is_unexpected_percent(tmp_path, plan, template):
    path = fill(tmp_path, template, edit=_percent_formats)
    report = validate_returns(plan, [path], period=PERIOD, units=[VILLAGE])
    got = {(f.cell, f.value) for f in findings(report, "unexpected-percent")}
    assert got == {("G3", "100%"), ("I7", "50%")}
    message = next(f.message for f in findings(report, "unexpected-percent") if f.cell == "G3")
    assert message.startswith("“100%”是百分比") and "本期数值" in message and "如 3" in message


@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize("target, filter_name", [("ods", "calc8"), ("xls", "MS Excel 97")])
def test_a_percent_formatted_count_resaved_as_ods_or_xls_is_unexpected_percent(tmp_path, plan, template, target,
                                                                              filter_name):
    path = fill(tmp_path, template, edit=_percent_formats)
    out = tmp_path / target
    profile = tmp_path / "lo-profile"
    completed = subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                                f"{target}:{filter_name}", "--outdir", str(out), str(path)],
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    (resaved,) = out.iterdir()
    report = validate_returns(plan, [resaved], period=PERIOD, units=[VILLAGE])
    assert {(f.cell, f.value) for f in findings(report, "unexpected-percent")} == {("G3", "100%"), ("I7", "50%")}


# ------------------------------------------------------------------ a note row inserted


def insert_row(ws, row: int, note: str | None, column: str = "B") -> None:
    """Insert a sheet row before `row` the way Excel does (merges below move
    down, merges across it grow), the unit's protection removed to do it."""
    ranges = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges]
    for r in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(r))
    ws.insert_rows(row)
    for r0, c0, r1, c1 in ranges:
        r0, r1 = (r0 + 1, r1 + 1) if r0 >= row else (r0, r1 + 1 if r1 >= row else r1)
        ws.merge_cells(start_row=r0, start_column=c0, end_row=r1, end_column=c1)
    ws.protection.sheet = False
    if note is not None:
        ws[f"{column}{row}"] = note


def _count_changes():
    """Each core count a number of its own, so that a shifted read shows."""
    return {("core-3", "value"): 3, ("core-3", "cumulative"): 3, ("core-4", "value"): 4, ("core-4", "cumulative"): 4,
            ("core-3", "reason"): "三人", ("core-4", "reason"): "四人"}


def test_an_inserted_note_row_is_a_warning_and_values_are_read_by_their_annex_row(tmp_path, plan, template):
    note = "备注：3月份事故已上报县局"
    path = fill(tmp_path, template, _count_changes(), edit=lambda wb: insert_row(wb[CORE], 5, note))
    report = validate_returns(plan, [path], period=PERIOD, units=[VILLAGE])
    (file_report,) = report.files
    assert not file_report.errors, [f.message for f in file_report.errors]
    (inserted,) = findings(report, "row-inserted")
    assert (inserted.severity, inserted.sheet, inserted.cell) == ("warning", CORE, "A5")
    assert "第 5 行" in inserted.message and note in inserted.message
    frame = report.values
    read = {(r.indicator_id, r.field): (r.cell, r.number) for r in frame.itertuples() if r.sheet == CORE}
    # core-3 was on row 5 of the template, and is on row 6 now
    assert read[("core-3", "value")] == ("G6", 3) and read[("core-4", "cumulative")] == ("H7", 4)
    assert read[("core-2", "value")] == ("G4", 0)


def test_a_row_inserted_inside_a_merged_task_row_keeps_its_status_merge(tmp_path, plan, template):
    def edit(wb):
        ws = wb[RECT]
        merged = next(r for r in ws.merged_cells.ranges if r.min_col == r.max_col and r.max_row - r.min_row >= 2
                      and ws.cell(2, r.min_col).value == "完成状态")
        reason = next(c.column_letter for c in ws[2] if c.value == "未达标原因说明")  # not merged over the lines
        insert_row(ws, merged.min_row + 1, "说明：第二项下半年完成", column=reason)
        edit.row = merged.min_row + 1

    path = fill(tmp_path, template, edit=edit)
    report = validate_returns(plan, [path], period=PERIOD, units=[VILLAGE])
    (file_report,) = report.files
    assert not file_report.errors, [f.message for f in file_report.errors]
    assert [f.cell for f in findings(report, "row-inserted")] == [f"A{edit.row}"]
    assert not findings(report, "merged-input-cells")


def test_an_inserted_row_does_not_hide_a_changed_annex_cell_or_a_deleted_row(tmp_path, plan, template):
    def changed(wb):
        insert_row(wb[CORE], 5, "备注")
        wb[CORE]["B7"] = "改过的名称"  # core-4's name, one row down

    report = validate_returns(plan, [fill(tmp_path, template, edit=changed, name="c.xlsx")], period=PERIOD,
                              units=[VILLAGE])
    assert [(f.cell, f.severity) for f in findings(report, "annex-cell-changed")] == [("B7", "error")]

    def deleted(wb):
        insert_row(wb[CORE], 5, "备注")
        wb[CORE].delete_rows(7)

    report = validate_returns(plan, [fill(tmp_path, template, edit=deleted, name="d.xlsx")], period=PERIOD,
                              units=[VILLAGE])
    assert findings(report, "rows-changed") and not findings(report, "row-inserted")


def test_the_marked_up_copy_highlights_the_inserted_row(tmp_path, plan, template):
    path = fill(tmp_path, template, _count_changes(), edit=lambda wb: insert_row(wb[CORE], 5, "备注"))
    report = validate_returns(plan, [path], period=PERIOD, units=[VILLAGE])
    (out,) = write_feedback(report, {str(path): path}, tmp_path / "out")
    ws = openpyxl.load_workbook(out)[CORE]
    width = len([c for c in ws[2] if c.value])
    assert all(ws.cell(5, col).fill.fill_type == "solid" for col in range(1, width + 1))
    assert "插入" in ws["A5"].comment.text
    assert ws.cell(4, 2).fill.fill_type != "solid" or ws.cell(4, 2).fill.fgColor.rgb != ws["A5"].fill.fgColor.rgb


# ------------------------------------------------------------------ messages per kind of cell


def _message(report, code, cell):
    return next(f.message for f in findings(report, code) if f.cell == cell)


def test_messages_fit_the_kind_of_cell(tmp_path, plan, template):
    changes = {("core-1", "value"): "abc", ("core-5", "numerator"): "abc", ("rect-2", "status"): None,
               ("core-2", "value"): None}
    report = validate_returns(plan, [fill(tmp_path, template, changes)], period=PERIOD, units=[VILLAGE])
    integer = _message(report, "not-a-number", "G3")
    assert integer == "“abc”不是整数。请只填写整数（如 3），不要填写文字。没有发生的请填 0。"
    decimal = _message(report, "not-a-number", "I7")
    assert "不是数字" in decimal and "如 3 或 12.5" in decimal
    status = _message(report, "required-missing", "P3")
    task = plan.tables[1].rows[[r.id for r in plan.tables[1].rows].index("rect-2")]
    assert status.startswith(f"“第 {task.label} 项") and "完成状态未填写" in status
    assert "下拉列表" in status and "填 0" not in status and "“”" not in status
    blank_count = _message(report, "required-missing", "G4")  # core-2's 本期数值
    assert blank_count == "“因灾群死群伤责任事件”的本期数值未填写。请填写整数；没有发生的请填 0。"


def test_a_percent_cell_asks_for_a_percentage(tmp_path, complaints_template):
    plan, unit, template, complaints = complaints_template

    def value_for(spot):
        if spot.indicator_id == complaints and spot.field == "baseline":
            return "很多"
        return {"numerator": 1, "denominator": 10, "value": 0, "cumulative": 0, "status": "推进中",
                "progress": "推进中", "reporter": "张三", "phone": "1", "approver": "李四"}.get(spot.field)

    path = fill_template(template, tmp_path / "r.xlsx", value_for)
    report = validate_returns(plan, [path], period=parse_period("2026"), units=[unit])
    (finding,) = findings(report, "not-a-number")
    assert finding.message.startswith("“很多”不是百分比") and "如 95%" in finding.message


# ------------------------------------------------------------------ the marked-up copy shows what was typed


def test_the_marked_copy_shows_the_typed_decimal_in_an_integer_cell(tmp_path, plan, template):
    path = fill(tmp_path, template, {("core-1", "value"): 12.5})
    report = validate_returns(plan, [path], period=PERIOD, units=[VILLAGE])
    (finding,) = findings(report, "not-whole")
    assert finding.cell == "G3" and "“12.5”" in finding.message
    (out,) = write_feedback(report, {str(path): path}, tmp_path / "out")
    cell = openpyxl.load_workbook(out)[CORE]["G3"]
    assert cell.value == 12.5 and cell.number_format == "General"  # shown as 12.5, not rounded to 13
    # a percent-formatted count keeps its format: the copy shows the 100% the clerk typed
    path = fill(tmp_path, template, edit=_percent_formats, name="p.xlsx")
    report = validate_returns(plan, [path], period=PERIOD, units=[VILLAGE])
    (out,) = write_feedback(report, {str(path): path}, tmp_path / "out2")
    assert openpyxl.load_workbook(out)[CORE]["G3"].number_format == "0%"
