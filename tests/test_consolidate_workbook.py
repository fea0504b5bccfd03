"""The consolidated workbook (toolkit/xlsx/leaders): a hand-built
consolidation rendered to .xlsx and read back with openpyxl and as raw XML:
sheets, the leaders' overview, live conditional formats, the chart, text
from units kept as text, print settings, determinism, and a LibreOffice PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import zipfile

import openpyxl
import pytest

from toolkit.model.consolidation import (
    AreaValue,
    Consolidation,
    FileEntry,
    TaskProgress,
    UnitStatus,
    ValueRecord,
)
from toolkit.words import STATUS_WORDS, deadline_words, status_order
from toolkit.xlsx.leaders.grid import STATUS_CODES
from toolkit.xlsx.leaders import SHEETS, render_consolidated_workbook, write_consolidated_workbook
from toolkit.findings import make_finding
from toolkit.model.validation import Outcome

INJECTED = '=HYPERLINK("http://x","y")'
SHA = "ab" * 32


def sample() -> Consolidation:
    """Four indicators (one per status), four units: one received on time,
    one received late, one rejected, one missing."""
    aggregates = [
        AreaValue("core-1", "生产安全事故起数", "附件1 核心绩效指标", "1", "=0起", "起", "count", "sum", True, 2.0,
                  kind="count", status="missed", note="零容忍：有单位未达标", units_reporting=2, units_met=1, units_missed=1,
                  basis="year-to-date", sectoral=3.0,
                  leader="王副镇长", office="镇应急办"),
        AreaValue("core-2", "隐患整改率", "附件1 核心绩效指标", "2", "≥100%", "%", "rate", "ratio", False, 1.0,
                  numerator=40, denominator=40, kind="rate-percent", status="met", units_reporting=2, units_met=2,
                  leader="李副镇长", office="镇安办"),
        AreaValue("core-3", "森林火灾受害率", "附件1 核心绩效指标", "3", "≤0.9‰", "‰", "rate", "ratio", False, 0.0004,
                  numerator=0.4, denominator=1000, kind="rate-permille", status="in-progress", note="尚未到期，目前未达到目标",
                  units_reporting=1, units_in_progress=1, leader="张镇长", office="林业站"),
        AreaValue("rect-1", "保持低位运行", "附件2 重点整治", "危险化学品领域", "定性：需人工判断", None, "qualitative",
                  "none", False, None, kind="other", status="no-data", units_no_data=2, leader="王副镇长", office="镇应急办"),
    ]
    outcomes = [
        Outcome("V01", "core-1", "生产安全事故起数", "missed", 2.0, "=0起", kind="count", reason=INJECTED, file="青坪村.xlsx",
                sheet="核心绩效指标", cell="F5"),
        Outcome("V01", "core-2", "隐患整改率", "met", 1.0, "≥100%", kind="rate-percent", file="青坪村.xlsx", sheet="核心绩效指标", cell="H6"),
        Outcome("V01", "core-3", "森林火灾受害率", "in-progress", 0.0004, "≤0.9‰", kind="rate-permille", file="青坪村.xlsx", sheet="核心绩效指标",
                cell="H7"),
        Outcome("V04", "core-1", "生产安全事故起数", "met", 0.0, "=0起", kind="count", file="镇平安法治办公室.xlsx",
                sheet="核心绩效指标", cell="F5"),
        Outcome("V04", "core-2", "隐患整改率", "missed", 0.9995, "≥100%", kind="rate-percent", reason="  ", file="镇平安法治办公室.xlsx",
                sheet="核心绩效指标", cell="H6"),
        Outcome("V04", "rect-1", "保持低位运行", "no-data", None, "定性：需人工判断", kind="other", file="镇平安法治办公室.xlsx",
                sheet="重点整治", cell="G5"),
    ]
    units = [
        UnitStatus("V01", "青坪村", "村", "received", on_time=True, file="青坪村.xlsx", saved="2026-07-03T09:15:00",
                   warnings=1, expected_rows=4),
        UnitStatus("V02", "凤鸣社区", "社区", "rejected", on_time=False, file="凤鸣社区.xlsx",
                   saved="2026-07-08T18:00:00+08:00", errors=2, expected_rows=4),
        UnitStatus("V03", "镇中心小学", "学校", "missing", expected_rows=2),
        UnitStatus("V04", "镇平安法治办公室", "办公室", "received", on_time=False, file="镇平安法治办公室.xlsx",
                   saved="2026-07-09T10:00:00", expected_rows=4),
    ]
    files = [
        FileEntry("青坪村.xlsx", "V01", "青坪村", "2026年第二季度", "used", "有效，已采用", 0, 1, SHA, "2026-07-03T09:15:00"),
        FileEntry("青坪村（旧）.xlsx", "V01", "青坪村", "2026年第二季度", "superseded", "同一单位有更新的文件", 0, 0, SHA,
                  "2026-07-01T09:00:00"),
        FileEntry("凤鸣社区.xlsx", "V02", "凤鸣社区", "2026年第二季度", "rejected", "有 2 个错误，已退回修改", 2, 0, SHA,
                  "2026-07-08T18:00:00+08:00"),
        FileEntry("镇平安法治办公室.xlsx", "V04", "镇平安法治办公室", "2026年第二季度", "used", "有效，已采用", 0, 0, SHA,
                  "2026-07-09T10:00:00"),
        FileEntry("照片.jpg", None, None, None, "unrecognised", "不是 Excel 工作簿", 1, 0, SHA, None),
    ]
    tasks = [
        TaskProgress("V01", "青坪村", "附件3 重点任务清单", "task-1", "1", "完成应急避难场所建设", "2026-03-31",
                     "2026-03-31", "推进中", "+1 进度滞后，@镇里 协调", True, leader="张镇长", office="镇应急办",
                     file="青坪村.xlsx", sheet="重点任务清单", cell="H5"),
        TaskProgress("V01", "青坪村", "附件3 重点任务清单", "task-2", "2", "开展应急演练", "every:year", None, "已完成",
                     "已开展 2 次", False, leader="张镇长", office="镇应急办", file="青坪村.xlsx", sheet="重点任务清单",
                     cell="H6"),
        TaskProgress("V04", "镇平安法治办公室", "附件3 重点任务清单", "task-3", "3", "完善隐患排查机制", "ongoing", None,
                     "未启动", None, False, leader="李副镇长", office="镇安办"),
    ]
    findings = [
        make_finding("not-a-number", "凤鸣社区.xlsx", unit="V02", sheet="核心绩效指标", cell="F5",
                     indicator="生产安全事故起数", field="value", value="@x"),
        make_finding("reason-missing", "镇平安法治办公室.xlsx", unit="V04", sheet="核心绩效指标", cell="J6",
                     indicator="隐患整改率", target="≥100%", actual="99.95%"),
    ]
    values = [
        ValueRecord("V01", "core-1", "生产安全事故起数", "core-1", "value", 2.0, "2", "青坪村.xlsx", SHA, "核心绩效指标", "F5"),
        ValueRecord("V01", "core-1", "生产安全事故起数", "core-1", "reason", INJECTED, INJECTED, "青坪村.xlsx", SHA,
                    "核心绩效指标", "J5"),
        ValueRecord("V01", "core-2", "隐患整改率", "core-2", "numerator", 20.0, "２０", "青坪村.xlsx", SHA, "核心绩效指标", "F6"),
        ValueRecord("V01", None, None, "task-1", "progress", "+1 进度滞后，@镇里 协调", "+1 进度滞后，@镇里 协调",
                    "青坪村.xlsx", SHA, "重点任务清单", "I5"),
        ValueRecord("V01", None, None, "meta", "reporter", "张三", "张三", "青坪村.xlsx", SHA, "填报说明", "B8"),
    ]
    return Consolidation(
        plan_id="dingshan-2026", plan_title="丁山镇2026年安全生产工作要点", plan_issuer="丁山镇安委办",
        plan_doc_number="丁安委〔2026〕1号", period="2026Q2", period_label="2026年第二季度", period_end="2026-06-30",
        due="2026-07-05", aggregates=aggregates, outcomes=outcomes, units=units, files=files, tasks=tasks,
        findings=findings, values=values,
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    path = tmp_path_factory.mktemp("consolidated") / "汇总表.xlsx"
    write_consolidated_workbook(sample(), path)
    return path


@pytest.fixture(scope="module")
def book(rendered):
    return openpyxl.load_workbook(rendered)


def _rows(ws):
    return [tuple(row) for row in ws.iter_rows(values_only=True)]


def _find(ws, text):
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell
    raise AssertionError(f"{text!r} not on {ws.title}")


def _rules(ws):
    """(range, type, operator, formulas, text, fill colour, font colour) of every rule."""
    out = []
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            fill = rule.dxf.fill.bgColor.rgb if rule.dxf and rule.dxf.fill is not None else None
            font = rule.dxf.font.color.rgb if rule.dxf and rule.dxf.font is not None and rule.dxf.font.color else None
            out.append((str(cf.sqref), rule.type, rule.operator, list(rule.formula), rule.text, fill, font))
    return out


def _xml(path, sheet_index):
    with zipfile.ZipFile(path) as z:
        return z.read(f"xl/worksheets/sheet{sheet_index}.xml").decode("utf-8")


# ------------------------------------------------------------------ structure


def test_sheets_in_order_and_overview_first_and_active(book):
    assert book.sheetnames == list(SHEETS) == ["领导总览", "指标明细", "未达标清单", "报送情况", "任务进度", "校验问题", "数据"]
    assert book.active.title == "领导总览"


def test_write_is_the_rendered_bytes(rendered):
    assert rendered.read_bytes() == render_consolidated_workbook(sample())
    assert not list(rendered.parent.glob(".*.tmp"))


def test_deterministic_bytes():
    first = render_consolidated_workbook(sample())
    assert first == render_consolidated_workbook(sample())
    with zipfile.ZipFile(__import__("io").BytesIO(first)) as z:
        core = z.read("docProps/core.xml").decode("utf-8")
    assert "2000-01-01T00:00:00Z" in core
    assert re.findall(r"<dcterms:modified[^>]*>([^<]+)<", core) == ["2000-01-01T00:00:00Z"]


# ------------------------------------------------------------------ 领导总览


def test_overview_title_summary_and_completeness(book):
    ws = book["领导总览"]
    assert ws["A1"].value == "丁山镇2026年安全生产工作要点执行情况汇总（2026年第二季度）"
    assert ws["A1"].font.name == "黑体"
    assert "丁安委〔2026〕1号" in ws["A2"].value and "2026年6月30日" in ws["A2"].value
    assert "未达标 1 项" in ws["A3"].value and "未报送 1 个" in ws["A3"].value
    labels = ("应报单位", "已报送", "有效", "被退回", "未报送", "逾期报送")
    label = _find(ws, "应报单位")
    got = {ws.cell(label.row + i, 1).value: ws.cell(label.row + i, 3).value for i in range(len(labels))}  # down A–C
    assert got == {"应报单位": 4, "已报送": 3, "有效": 2, "被退回": 1, "未报送": 1, "逾期报送": 2}
    assert sample().completeness == {"expected": 4, "received": 3, "valid": 2, "rejected": 1, "missing": 1, "late": 2}


def _indicator_rows(ws):
    header = _find(ws, "序号")
    rows = []
    for r in range(header.row + 1, ws.max_row + 1):
        if isinstance(ws.cell(r, 1).value, int):
            rows.append([ws.cell(r, 1 + i) for i in range(10)])
        elif ws.cell(r, 1).value and str(ws.cell(r, 1).value).startswith("状态说明"):
            break
    return header, rows


def test_overview_one_row_per_indicator(book):
    ws = book["领导总览"]
    header, rows = _indicator_rows(ws)
    heads = [ws.cell(header.row, header.column + i).value for i in range(11)]
    assert heads == ["序号", "指标", "目标", "全域数值", "口径", "行业口径合计", "计量单位", "状态", "未达标单位数",
                     "说明", None]
    assert [r[0].value for r in rows] == [1, 2, 3, 4]
    assert [r[1].value for r in rows] == ["生产安全事故起数", "隐患整改率", "森林火灾受害率", "保持低位运行"]
    assert [r[7].value for r in rows] == [STATUS_WORDS[a.status] for a in sample().aggregates]
    assert [r[8].value for r in rows] == [1, 0, 0, 0]
    # the responsible leader and office head each run of rows that shares them, with the annex table's title
    tables = ["附件1 核心绩效指标"] * 3 + ["附件2 重点整治：危险化学品领域"]
    assert [_group_title(ws, r[0].row) for r in rows] == [
        f"{t}　责任：{a.leader}／{a.office}" for t, a in zip(tables, sample().aggregates)]
    assert len({(a.leader, a.office) for a in sample().aggregates[:3]}) == 3  # so each row has its own title
    # a note's number, the notes once each under the table
    notes = [a.note for a in sample().aggregates]
    marks = [r[9].value for r in rows]
    distinct = list(dict.fromkeys(n for n in notes if n))
    assert marks == [f"注{distinct.index(n) + 1}" if n else None for n in notes]
    below = [ws.cell(r, 1).value for r in range(rows[-1][0].row + 1, rows[-1][0].row + 1 + len(distinct))]
    assert below == [f"注{k}：{n}" for k, n in enumerate(distinct, start=1)]
    # what each figure is, and the sectoral count beside the territorial one
    assert rows[0][4].value == "本年累计" and rows[0][5].value == 3 and rows[1][5].value is None
    count, rate, permille, none = (r[3] for r in rows)
    assert count.value == 2 and count.number_format == "#,##0"
    assert rate.value == 1.0 and rate.number_format == "0.0%"
    assert permille.value == pytest.approx(0.4) and "‰" in permille.number_format
    assert none.value == "—"
    # a title row before each run: the annex table (or named row) and who is responsible
    assert ws.cell(header.row + 1, 1).value == "附件1 核心绩效指标　责任：王副镇长／镇应急办"
    assert ws.cell(rows[3][0].row - 1, 1).value == "附件2 重点整治：危险化学品领域　责任：王副镇长／镇应急办"


def _group_title(ws, row: int) -> str:
    """The title row above the run of indicator rows that `row` is in."""
    while isinstance(ws.cell(row, 1).value, int):
        row -= 1
    return ws.cell(row, 1).value


def test_overview_runs_one_title_per_table_responsible_and_deadline_in_order_of_first_appearance():
    """Rows of one annex table that share who is responsible and the deadline sit under one title, wherever they
    stand in the annex; the runs in the order each first appears, the plan's order within a run, numbered down
    the page. A target shows without its deadline under a title that states it; a consolidation written before
    the deadline was kept apart (no bare target) shows its target whole, and no deadline in the title."""
    import copy
    import io

    c = sample()
    base = c.aggregates[1]
    plan = [("a", "王副镇长", "镇应急办", None), ("b", "李副镇长", "镇安办", "2026-12-31"),
            ("c", "王副镇长", "镇应急办", None), ("d", "李副镇长", "镇安办", None),
            ("e", "李副镇长", "镇安办", "2026-12-31"), ("f", "王副镇长", "镇应急办", "2026-12-31")]
    c.aggregates = []
    for name, leader, office, deadline in plan:
        a = copy.copy(base)
        a.indicator_id, a.indicator, a.leader, a.office, a.deadline = name, f"指标{name}", leader, office, deadline
        a.bare_target = "≥100%"
        a.target = f"≥100%（{deadline_words(deadline)}）" if deadline else "≥100%"
        c.aggregates.append(a)
    old = copy.deepcopy(c)
    for a in old.aggregates:
        a.bare_target = None  # as an older JSON reads back: the deadline only inside the target's words
    runs = {}
    for consolidation, bare in ((c, True), (old, False)):
        ws = openpyxl.load_workbook(io.BytesIO(render_consolidated_workbook(consolidation)))["领导总览"]
        _, rows = _indicator_rows(ws)
        titles = {}
        for r in rows:
            titles.setdefault(_group_title(ws, r[0].row), []).append(r[1].value)
        table = "附件1 核心绩效指标"
        # expected: runs by (who, the deadline when the target is shown bare), in order of first appearance
        expected = {}
        for name, leader, office, deadline in plan:
            title = f"{table}　责任：{leader}／{office}"
            if bare and deadline:
                title += f"　期限：{deadline_words(deadline)}"
            expected.setdefault(title, []).append(f"指标{name}")
        assert titles == expected and list(titles) == list(expected)
        runs[bare] = len(titles)
        assert [r[0].value for r in rows] == list(range(1, len(plan) + 1))
        by_name = {a.indicator: a for a in consolidation.aggregates}
        assert [r[2].value for r in rows] == [by_name[r[1].value].bare_target if bare else by_name[r[1].value].target
                                              for r in rows]
    assert runs == {True: 4, False: 2}  # the deadline splits 李副镇长's and 王副镇长's rows in two


def _many(n: int) -> Consolidation:
    """`n` indicators, each with its own long list of responsible departments and a note of its own."""
    import copy

    c = sample()
    base = c.aggregates[1]
    c.aggregates = []
    for k in range(n):
        a = copy.copy(base)
        a.indicator_id, a.indicator = f"i{k}", f"指标{k}"
        a.office = f"县第{k}局、县发展改革委、县经济信息委、县公安局、县规划自然资源局、县住房城乡建设委"
        a.lead_name = ""  # as when the list starts with a kind of units: no lead to name instead
        a.note = f"第{k}项的说明"
        c.aggregates.append(a)
    return c


def test_a_long_overview_keeps_its_two_pages_by_dropping_first_the_note_lines_then_who_is_responsible(
        monkeypatch, tmp_path):
    """The overview takes the first layout that prints on OVERVIEW_PAGES pages at its scale: notes one a line and
    who is responsible in the title rows; then the notes in one paragraph; then the titles without who (a line
    says where to find it); then without the status meanings. Every indicator keeps its row either way."""
    import io

    from tests.test_print import _overview_pages_at_excel_scale
    from toolkit.words import OVERVIEW_WHO_NOTE
    from toolkit.xlsx.leaders import overview

    c = _many(70)

    def sheet(pages: int):
        monkeypatch.setattr(overview, "OVERVIEW_PAGES", pages)
        path = tmp_path / f"{pages}.xlsx"
        path.write_bytes(render_consolidated_workbook(c))
        ws = openpyxl.load_workbook(path)["领导总览"]
        texts = [cell.value for row in ws.iter_rows() for cell in row if isinstance(cell.value, str)]
        _, rows = _indicator_rows(ws)
        assert [r[1].value for r in rows] == [a.indicator for a in c.aggregates]
        return path, texts

    roomy, texts = sheet(100)
    assert sum(t.startswith("注") and "：" in t for t in texts) == 70 and any(t.startswith("状态说明") for t in texts)
    assert sum("责任：" in t for t in texts) == 70 and OVERVIEW_WHO_NOTE not in texts
    tight, texts = sheet(1)  # nothing fits one page: the most compact
    assert not any("责任：" in t for t in texts) and any(OVERVIEW_WHO_NOTE.rstrip("。") in t for t in texts)
    assert sum(t.startswith("注") and "：" in t for t in texts) == 1 and not any(t.startswith("状态说明") for t in texts)
    assert _overview_pages_at_excel_scale(tight) < _overview_pages_at_excel_scale(roomy)
    two, texts = sheet(2)
    assert _overview_pages_at_excel_scale(two) <= 2


def test_overview_status_counts_are_live_and_chart_exists(book, rendered):
    ws = book["领导总览"]
    label = _find(ws, "二、指标状态统计")
    assert label.row == _find(ws, "一、报送情况").row and label.column == 4  # beside the completeness block, in D–F
    shown = status_order(a.status for a in sample().aggregates)
    words = [ws.cell(label.row + 2 + i, 4).value for i in range(len(shown))]
    formulas = [ws.cell(label.row + 2 + i, 6).value for i in range(len(shown))]
    assert words == [STATUS_WORDS[s] for s in shown]  # the order of toolkit.words.STATUS_WORDS
    assert all(f.startswith("=COUNTIF($H$") and w in f for f, w in zip(formulas, words))
    with zipfile.ZipFile(rendered) as z:
        names = z.namelist()
        assert "xl/charts/chart1.xml" in names
        chart = z.read("xl/charts/chart1.xml").decode("utf-8")
        drawing = z.read("xl/drawings/drawing1.xml").decode("utf-8")
    assert "<c:barChart>" in chart and '<c:barDir val="bar"/>' in chart and "领导总览" in chart
    assert "$D$" in chart and "$F$" in chart  # the statuses and their live counts
    # the chart sits right of the completeness and status tables (columns A–F), above the indicator table
    anchor = re.search(r"<xdr:from><xdr:col>(\d+)</xdr:col><xdr:colOff>\d+</xdr:colOff><xdr:row>(\d+)</xdr:row>", drawing)
    end = re.search(r"<xdr:to><xdr:col>(\d+)</xdr:col><xdr:colOff>\d+</xdr:colOff><xdr:row>(\d+)</xdr:row>", drawing)
    assert int(anchor.group(1)) == 6 and int(anchor.group(2)) == label.row - 1  # 0-based: the section titles' row
    assert int(end.group(1)) <= 9  # within the table's columns (G–J without a ledger)
    last_block_row = max(_find(ws, "逾期报送").row, label.row + 1 + len(shown))
    assert int(end.group(2)) + 1 <= last_block_row  # it ends with the blocks beside it
    assert _find(ws, "序号").row > last_block_row


def test_overview_live_conditional_formats(book):
    ws = book["领导总览"]
    rules = _rules(ws)
    header, rows = _indicator_rows(ws)
    first, last = header.row + 1, rows[-1][0].row
    on_status = {tuple(r[3]): (r[5], r[6]) for r in rules if r[0] == f"H{first}:H{last}" and r[1] == "cellIs"}
    colours = {
        ('"未达标"',): ("FFFFC7CE", "FF9C0006"),
        ('"达标"',): ("FFC6EFCE", "FF006100"),
        ('"进行中（未到期）"',): ("FFFFEB9C", "FF9C5700"),
        ('"待填基线"',): ("FFFCE4D6", "FF843C0C"),
        ('"需人工判断"',): ("FFDDEBF7", "FF1F4E78"),
        ('"无数据"',): ("FFEDEDED", "FF595959"),
    }
    # a rule for every status the overview counts: those always shown and those present
    shown = {(f'"{STATUS_WORDS[s]}"',) for s in status_order(a.status for a in sample().aggregates)}
    assert on_status == {k: v for k, v in colours.items() if k in shown}
    # the area figure follows its row's status
    on_value = [r for r in rules if r[0] == f"D{first}:D{last}"]
    assert {r[1] for r in on_value} == {"expression"}
    assert f'$H{first}="未达标"' in [r[3][0] for r in on_value]
    # units that missed: > 0 in red
    assert ("cellIs", "greaterThan", ["0"], "FFFFC7CE") in [(r[1], r[2], r[3], r[5]) for r in rules
                                                            if r[0] == f"I{first}:I{last}"]
    # no static fills on the status cells
    for row in range(first, last + 1):
        assert ws.cell(row, 8).fill.fgColor.rgb in (None, "00000000")


# ------------------------------------------------------------------ 指标明细


def test_grid_units_by_indicators_coloured_through_hidden_codes(book):
    ws = book["指标明细"]
    header = _find(ws, "单位编码")
    assert header.row == 3
    names = [ws.cell(3, c).value for c in range(3, 7)]
    assert names == ["生产安全事故起数", "隐患整改率", "森林火灾受害率", "保持低位运行"]
    assert [ws.cell(4, c).value for c in range(3, 7)] == ["=0起（本年累计）", "≥100%", "≤0.9‰", "定性：需人工判断"]
    # rows: units with outcomes, in the units list's order, then the area
    assert [ws.cell(r, 1).value for r in range(5, 8)] == ["V01", "V04", "全域"]
    assert ws.cell(5, 2).value == "青坪村"
    v01 = [ws.cell(5, c).value for c in range(3, 7)]
    assert v01[:2] == [2, 1.0] and v01[2] == pytest.approx(0.4) and v01[3] is None  # V01 does not report rect-1
    v04 = [ws.cell(6, c) for c in range(3, 7)]
    assert v04[0].value == 0 and v04[1].value == pytest.approx(0.9995) and v04[1].number_format == "0.00%"
    assert v04[2].value is None and v04[3].value == "—"
    # one hidden helper cell per row holds its outcome codes, a letter per indicator
    helper = _find(ws, "状态代码").column
    letter = openpyxl.utils.get_column_letter(helper)
    assert ws.column_dimensions[letter].hidden
    assert ws.cell(4, helper).value.startswith("每个字符对应一项指标：m 达标")
    assert [ws.cell(r, helper).value for r in (5, 6, 7)] == ["xmp-", "mx-n", "xmpn"]
    # formula rules on the grid pick the cell's letter out of its row's codes
    grid = [r for r in _rules(ws) if r[0] == "C5:F7"]
    present = status_order([o.status for o in sample().outcomes] + [a.status for a in sample().aggregates])
    codes = [STATUS_CODES[s] for s in present if s in STATUS_CODES]
    assert sorted(r[3][0] for r in grid) == sorted(f'MID(${letter}5,COLUMN(C5)-2,1)="{code}"' for code in codes)
    assert {r[1] for r in grid} == {"expression"}
    assert ("FFFFC7CE", "FF9C0006") in [(r[5], r[6]) for r in grid if r[3][0].endswith('"x"')]
    # the legend is live too, and the area row is part of the grid
    assert any(r[0].startswith("C2:") and r[0].endswith("2") and r[3] == ['"未达标"'] for r in _rules(ws))
    assert ws.freeze_panes == "C5"
    assert ws.print_title_rows == "$3:$4"


# ------------------------------------------------------------------ 未达标清单


def test_missed_list_sorted_with_reasons_leaders_and_offices(book):
    ws = book["未达标清单"]
    rows = _rows(ws)
    assert rows[0] == ("单位编码", "单位", "指标", "实际值", "目标", "未达标原因", "责任领导", "责任办公室", "文件", "工作表",
                       "单元格")
    assert [(r[0], r[2]) for r in rows[1:]] == [("V01", "生产安全事故起数"), ("V04", "隐患整改率")]
    assert rows[1][5] == INJECTED and rows[2][5] == "（未填写）"
    assert rows[1][6:8] == ("王副镇长", "镇应急办") and rows[2][6:8] == ("李副镇长", "镇安办")
    assert rows[1][8:] == ("青坪村.xlsx", "核心绩效指标", "F5")
    assert ws["D3"].number_format == "0.00%"
    assert ("cellIs", ['"（未填写）"'], "FFFFC7CE") in [(r[1], r[3], r[5]) for r in _rules(ws) if r[0].startswith("F2:")]
    assert ws.auto_filter.ref == "A1:K3"


def test_text_from_units_is_never_a_formula(book, rendered):
    cell = book["未达标清单"]["F2"]
    assert cell.value == INJECTED and cell.data_type == "s"
    for index in (3, 5, 6, 7):  # 未达标清单, 任务进度, 校验问题, 数据
        xml = _xml(rendered, index)
        assert "<f>" not in xml and "<f " not in xml, index
        assert "HYPERLINK" not in xml  # the text sits in the shared strings
    with zipfile.ZipFile(rendered) as z:
        strings = z.read("xl/sharedStrings.xml").decode("utf-8")
        assert "xl/worksheets/_rels/sheet3.xml.rels" not in z.namelist()  # no hyperlink made
    assert f"<t>{INJECTED}</t>" in strings
    assert book["任务进度"]["G2"].value == "+1 进度滞后，@镇里 协调"
    assert book["校验问题"]["H2"].value == "@x"
    data = book["数据"]
    assert data["F3"].value == INJECTED and data["F3"].data_type == "s"
    assert data["G4"].value == "２０" and data["F4"].value == 20


# ------------------------------------------------------------------ 报送情况, 任务进度, 校验问题, 数据


def test_returns_units_then_files(book):
    ws = book["报送情况"]
    rows = _rows(ws)
    assert rows[0][0].startswith("一、应报单位报送情况")
    assert rows[1] == ("单位编码", "单位", "类型", "报送状态", "采用文件", "最后保存时间", "错误数", "提示数", None, None)
    assert [r[3] for r in rows[2:6]] == ["已报送", "被退回（逾期）", "未报送", "已报送（逾期）"]
    assert ws["F3"].is_date and ws["F3"].value.hour == 9
    files = _find(ws, "二、收到的文件（共 5 个）").row
    assert rows[files][:6] == ("文件", "单位编码", "单位", "报送期", "处理结果", "原因")
    assert [r[4] for r in rows[files + 1:files + 6]] == ["已采用", "已被新版本替代", "退回修改", "已采用", "无法识别"]
    assert rows[files + 1][9] == SHA
    rules = _rules(ws)
    status = [r for r in rules if r[0] == "D3:D6"]
    assert ("beginsWith", "未报送", "FFFFC7CE") in [(r[1], r[4], r[5]) for r in status]
    assert ("beginsWith", "被退回", "FFFFEB9C") in [(r[1], r[4], r[5]) for r in status]
    late = [r for r in status if r[4] == "逾期"]
    assert late and late[0][6] == "FFC65911"
    assert any(r[3] == ['"退回修改"'] for r in rules if r[0].startswith(f"E{files + 2}:"))
    assert ws.auto_filter.ref == "A2:H6"
    assert ws.print_title_rows == "$1:$2"


def test_tasks_deadlines_in_words_and_overdue_marked(book):
    ws = book["任务进度"]
    rows = _rows(ws)
    assert rows[0] == ("单位", "表", "序号", "任务", "完成时限", "完成状态", "进展情况", "是否逾期", "责任领导", "责任办公室",
                       "文件", "单元格")
    assert [r[4] for r in rows[1:]] == ["2026年3月31日", "每年", "长期坚持"]
    assert [r[7] for r in rows[1:]] == ["逾期", None, None]
    assert [r[5] for r in rows[1:]] == ["推进中", "已完成", "未启动"]
    rules = {(r[0], r[3][0] if r[3] else None, r[5]) for r in _rules(ws)}
    assert ("H2:H4", '"逾期"', "FFFFC7CE") in rules
    assert ("F2:F4", '"已完成"', "FFC6EFCE") in rules
    assert ("F2:F4", '"未启动"', "FFFFEB9C") in rules


def test_deadline_words():
    assert deadline_words("2026-06-30") == "2026年6月30日"
    assert deadline_words("2025-12-31;2026-12-31") == "2025年12月31日、2026年12月31日"
    assert deadline_words("every:quarter") == "每季度"
    assert deadline_words("ongoing") == "长期坚持"
    assert deadline_words(None) == ""
    assert deadline_words("2026年底") == "2026年底"


def test_findings_and_data_sheets(book):
    rows = _rows(book["校验问题"])
    assert rows[0] == ("文件", "单位", "工作表", "单元格", "级别", "代码", "指标", "填写内容", "说明")
    assert [(r[1], r[4], r[5]) for r in rows[1:]] == [("凤鸣社区", "错误", "not-a-number"), ("镇平安法治办公室", "提示", "reason-missing")]
    assert "不是数字" in rows[1][8]
    rows = _rows(book["数据"])
    assert rows[0] == ("单位编码", "单位", "指标", "行", "字段", "数值", "填写内容", "文件", "sha256", "工作表", "单元格")
    assert [r[4] for r in rows[1:]] == ["本期数值", "未达标原因说明", "分子", "进展情况", "填报人"]
    assert rows[1][5] == 2 and rows[1][8] == SHA and rows[1][9:] == ("核心绩效指标", "F5")
    assert book["数据"].auto_filter.ref == "A1:K6"


# ------------------------------------------------------------------ print


def test_every_sheet_prints_on_a4_the_lists_hidden(book):
    for ws in book.worksheets:
        assert ws.page_setup.paperSize == 9, ws.title
        assert ws.page_setup.orientation == ("portrait" if ws.title == "领导总览" else "landscape"), ws.title
        if ws.sheet_properties.pageSetUpPr.fitToPage:  # one page wide: fitToWidth 1 is the default, left out
            assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight in (None, 0), ws.title
        else:  # too wide: across pages at a legible scale, its first columns repeated
            assert ws.page_setup.scale >= 80 and ws.print_title_cols, ws.title
        assert ws.print_title_rows, ws.title
        assert ws.freeze_panes, ws.title
        assert "丁山镇2026年安全生产工作要点" in ws.oddHeader.left.text, ws.title
        assert ws.oddHeader.right.text == "2026年第二季度", ws.title
        assert ws.oddFooter.center.text == "第 &P 页 共 &N 页", ws.title
        assert ws.sheet_state == ("hidden" if ws.title in ("校验问题", "数据") else "visible"), ws.title
    for name in ("未达标清单", "报送情况", "任务进度", "校验问题", "数据", "指标明细", "领导总览"):
        assert book[name].auto_filter.ref, name
    header = _find(book["领导总览"], "序号").row
    assert book["领导总览"].print_title_rows == f"${header}:${header}"
    assert book["领导总览"].freeze_panes == f"A{header + 1}"
    assert book["未达标清单"].print_title_rows == "$1:$1"


def test_columns_sized_for_chinese_and_text_wraps(book):
    ws = book["领导总览"]
    widths = {c: ws.column_dimensions[c].width for c in "ABCDEFGHI"}
    assert widths["B"] >= 2 * len("生产安全事故起数") and all(w <= 43 for w in widths.values())
    _, rows = _indicator_rows(ws)
    assert rows[0][1].alignment.wrap_text
    assert rows[0][1].font.name == "宋体"
    reason = book["未达标清单"]["F2"]
    assert reason.alignment.wrap_text and 20 <= book["未达标清单"].column_dimensions["F"].width <= 40


# ------------------------------------------------------------------ edges


def test_empty_consolidation_renders():
    c = Consolidation(plan_id="p", plan_title="测试计划", plan_issuer=None, plan_doc_number=None, period="2026Q2",
                      period_label="2026年第二季度", period_end="2026-06-30", due=None)
    data = render_consolidated_workbook(c)
    import io

    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == list(SHEETS)
    assert book["未达标清单"]["A2"].value == "本期没有未达标的指标。"
    assert book["领导总览"].cell(_find(book["领导总览"], "序号").row + 1, 1).value == "本期没有可汇总的指标。"


@pytest.mark.slow
def test_large_data_sheet_is_written_quickly():
    c = sample()
    base = c.values[0]
    c.values = [ValueRecord(f"V{i % 40:02d}", base.indicator_id, base.indicator, base.row_id,
                            ("value", "numerator", "progress")[i % 3], float(i) if i % 3 < 2 else f"+进展{i}",
                            str(i), base.file, SHA, base.sheet, f"F{i % 500 + 5}") for i in range(30000)]
    start = time.perf_counter()
    data = render_consolidated_workbook(c)
    assert time.perf_counter() - start < 30
    import io

    ws = openpyxl.load_workbook(io.BytesIO(data), read_only=True)["数据"]
    assert ws.max_row == 30001


# ------------------------------------------------------------------ LibreOffice


def _convert(rendered, tmp_path, to: str):
    source = tmp_path / "c.xlsx"
    shutil.copy(rendered, source)
    completed = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to", to,
         "--outdir", str(tmp_path), str(source)],
        capture_output=True, text=True, timeout=180, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return tmp_path / f"c.{to}"


@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_converts_to_pdf_with_libreoffice(rendered, tmp_path):
    pdf = _convert(rendered, tmp_path, "pdf")
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_colours_the_grid_by_its_rules(rendered, tmp_path):
    """The conditional formats evaluated by a real spreadsheet program (its
    HTML export shows the colours they give)."""
    html = _convert(rendered, tmp_path, "html").read_text(encoding="utf-8", errors="replace")
    grid = html[html.index("<em>指标明细</em>"):html.index("<em>未达标清单</em>")]
    colours = {}
    for row in re.findall(r"<tr>(.*?)</tr>", grid, re.S):
        cells = re.findall(r"<td([^>]*)>(.*?)</td>", row, re.S)
        texts = [re.sub(r"<[^>]+>", "", text).strip() for _, text in cells]
        if texts and texts[0] in ("V01", "V04", "全域"):
            colours[texts[0]] = [(re.search(r'bgcolor="#(\w+)"', attrs) or [None, None])[1] for attrs, _ in cells[2:6]]
    red, green, amber, grey = "FFC7CE", "C6EFCE", "FFEB9C", "EDEDED"
    assert colours == {"V01": [red, green, amber, None], "V04": [green, red, None, grey],
                       "全域": [red, green, amber, grey]}
