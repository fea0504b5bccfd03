"""Reading annex documents: tables, headings and merged cells, .docx and .xlsx."""

from __future__ import annotations

import docx
import openpyxl
import pytest

from toolkit.errors import AnnexError
from toolkit.plan.annex import read_annex

from .conftest import ANNEXES


def test_docx_tables_and_headings():
    document = read_annex(ANNEXES / "dianjiang-2026.docx")
    assert [t.heading for t in document.tables] == ["一、核心绩效指标", "二、重点整治", "三、重点应用/平台"]
    assert document.tables[0].rows[0] == ["序号", "名称", "2026年目标", "责任单位"]
    assert document.tables[0].rows[3][1:3] == ["生产安全事故死亡人数", "保持低位运行"]
    assert len(document.tables[1].rows) == 24


def test_docx_vertical_and_horizontal_merges_are_resolved():
    table = read_annex(ANNEXES / "fenghuang-2024-2026.docx").tables[0]
    assert table.rows[0] == ["行动名称", "重点任务", "重点任务", "完成时间", "责任科室"]
    assert (0, 2) in table.merged_cells  # 重点任务 spans two columns
    # a vertically merged action name is repeated on every row it covers
    assert table.rows[2][0] == table.rows[1][0] == "一、开展重大安全风险源头管控行动"
    assert (2, 0) in table.merged_vertical and (1, 0) not in table.merged_cells
    assert (0, 2) not in table.merged_vertical
    assert table.rows[19][3] == "2025年\n2026年"


def _docx_with_table(path, header, rows, heading="一、核心绩效指标", merge=None):
    document = docx.Document()
    document.add_paragraph("附件")
    document.add_paragraph(heading)
    table = document.add_table(rows=1 + len(rows), cols=len(header))
    for c, text in enumerate(header):
        table.cell(0, c).text = text
    for r, row in enumerate(rows, start=1):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    if merge:
        (r0, c0), (r1, c1) = merge
        table.cell(r0, c0).merge(table.cell(r1, c1))
    document.save(str(path))
    return path


def test_docx_made_with_merged_cells(tmp_path):
    path = _docx_with_table(tmp_path / "a.docx", ["行动", "任务", "完成时间"],
                            [["一、行动", "任务1", "2024年"], ["", "任务2", "2025年"]], merge=((1, 0), (2, 0)))
    table = read_annex(path).tables[0]
    assert table.rows[2] == ["一、行动", "任务2", "2025年"]
    assert (2, 0) in table.merged_cells


def test_xlsx_tables_with_title_line_and_merges(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "附件"
    sheet.append(["核心绩效指标"])
    sheet.merge_cells("A1:D1")
    sheet.append(["序号", "名称", "2026年目标", "责任单位"])
    sheet.append([1, "较大生产安全事故起数", 0, "各村、社区"])
    sheet.append([2, "森林火灾受害率", "3‰以内", None])
    sheet.merge_cells("D3:D4")
    sheet.append([])
    sheet.append(["重点整治"])
    sheet.append(["序号", "名称", "目标（内容）", "责任单位"])
    sheet.append([1, "消防领域", "覆盖率达100%。", "应急办"])
    path = tmp_path / "annex.xlsx"
    workbook.save(path)
    document = read_annex(path)
    assert [t.heading for t in document.tables] == ["核心绩效指标", "重点整治"]
    first = document.tables[0]
    assert first.rows[1] == ["1", "较大生产安全事故起数", "0", "各村、社区"]
    assert first.rows[2][3] == "各村、社区" and (2, 3) in first.merged_vertical
    assert document.tables[1].rows[1][2] == "覆盖率达100%。"


@pytest.mark.parametrize("name, content, message", [
    ("missing.docx", None, "找不到文件"),
    ("broken.docx", b"not a zip", "不是可读取的 Word 文档"),
    ("old.doc", b"\xd0\xcf\x11\xe0", "旧版 Word/WPS/Excel 格式"),
    ("notes.txt", b"hello", "不是 .docx 或 .xlsx 文件"),
    ("broken.xlsx", b"PK\x03\x04junk", "不是可读取的 Excel 工作簿"),
])
def test_unreadable_files_are_clear_errors(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(AnnexError) as info:
        read_annex(path)
    assert message in str(info.value)
    assert name in str(info.value)
