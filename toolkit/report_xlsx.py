"""The validation report as a workbook (`toolkit validate --report FILE.xlsx`).

Three sheets for the office: `文件` (what became of every file that came
in), `问题` (every finding) and `目标` (every target per unit). Results are
coloured by live conditional formats, so filtering, sorting and editing keep
the colours right. Text from the units is always written as text. The same
report gives a byte-identical workbook.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from pathlib import Path

from toolkit.fileio import write_atomic
from toolkit.findings import ERROR, WARNING
from toolkit.periods import period_label
from toolkit.report import REJECTED, SUPERSEDED, UNRECOGNISED, USED, ValidationReport
from toolkit.textable import display_width, safe_cell_text

STATUS_WORDS = {USED: "可用", SUPERSEDED: "已被新版本替代", REJECTED: "退回修改", UNRECOGNISED: "无法识别"}
LEVEL_WORDS = {ERROR: "错误", WARNING: "提示"}
OUTCOME_WORDS = {"met": "达标", "missed": "未达标", "review": "待人工判断", "no-data": "无数据"}

# Conditional format colours: (fill, font).
RED = ("#FFC7CE", "#9C0006")
AMBER = ("#FFEB9C", "#9C5700")
GREEN = ("#C6EFCE", "#006100")
GREY = ("#E7E6E6", "#595959")

FILE_COLUMNS = (("文件", 40), ("单位编码", 12), ("单位", 16), ("报送期", 15), ("结果", 14), ("错误数", 8),
                ("提示数", 8), ("最后保存时间", 17), ("sha256", 24))
FINDING_COLUMNS = (("文件", 32), ("单位", 14), ("工作表", 14), ("单元格", 8), ("级别", 7), ("代码", 16),
                   ("指标", 24), ("填写内容", 16), ("说明", 60))
OUTCOME_COLUMNS = (("单位", 14), ("指标", 28), ("目标", 16), ("实际值", 11), ("结果", 11), ("原因", 30),
                   ("说明", 24), ("文件", 28), ("工作表", 14), ("单元格", 8))

_FIXED_TIME = dt.datetime(2000, 1, 1)


def write_report_workbook(report: ValidationReport, path: Path) -> None:
    """Write `report` to `path` (.xlsx), atomically."""
    write_atomic(path, render_report_workbook(report))


def render_report_workbook(report: ValidationReport) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                      "strings_to_numbers": False})
    period = period_label(report.period)
    title = f"{report.plan_id} {period}校验报告".replace("  ", " ").strip()
    wb.set_properties({"title": title, "subject": "报表校验结果", "author": "toolkit", "created": _FIXED_TIME,
                       "comments": "由 toolkit validate 生成。"})
    f = _Formats(wb)
    names = {fr.unit: fr.unit_name for fr in report.files if fr.unit and fr.unit_name}

    # 文件
    rows = []
    for fr in report.files:
        rows.append([fr.path, fr.unit, fr.unit_name, period_label(fr.period), STATUS_WORDS.get(fr.status, fr.status),
                     len(fr.errors), len(fr.warnings), _datetime(fr.modified), fr.sha256])
    ws = _sheet(wb, f, "文件", FILE_COLUMNS, rows, title, wrap={0, 2})
    _colour(ws, f, 4, len(rows), (("退回修改", RED), ("无法识别", RED), ("已被新版本替代", GREY), ("可用", GREEN)))
    ws.conditional_format(1, 5, max(1, len(rows)), 5, {"type": "cell", "criteria": ">", "value": 0, "format": f.cf[RED]})
    ws.conditional_format(1, 6, max(1, len(rows)), 6, {"type": "cell", "criteria": ">", "value": 0, "format": f.cf[AMBER]})

    # 问题
    rows = []
    for fr in report.files:
        for x in fr.findings:
            unit = fr.unit_name or names.get(x.unit or "") or x.unit or fr.unit
            rows.append([x.file or fr.path, unit, x.sheet, x.cell, LEVEL_WORDS.get(x.severity, x.severity), x.code,
                         x.indicator, x.value, x.message])
    ws = _sheet(wb, f, "问题", FINDING_COLUMNS, rows, title, wrap={0, 6, 7, 8})
    _colour(ws, f, 4, len(rows), (("错误", RED), ("提示", AMBER)))

    # 目标
    rows = []
    for o in report.outcomes:
        actual = float(o.actual) if isinstance(o.actual, (int, float)) and not isinstance(o.actual, bool) else o.actual
        rows.append([names.get(o.unit) or o.unit, o.indicator, o.target, actual, OUTCOME_WORDS.get(o.status, o.status),
                     o.reason, o.note, o.file, o.sheet, o.cell])
    ws = _sheet(wb, f, "目标", OUTCOME_COLUMNS, rows, title, wrap={0, 1, 2, 5, 6, 7},
                number_formats={3: [_actual_format(o.target) for o in report.outcomes]})
    _colour(ws, f, 4, len(rows), (("未达标", RED), ("达标", GREEN), ("待人工判断", AMBER), ("无数据", GREY)))

    wb.close()
    return buffer.getvalue()


class _Formats:
    def __init__(self, wb):
        base = {"font_name": "宋体", "font_size": 10, "valign": "top", "border": 1, "border_color": "#808080"}
        self.header = wb.add_format({**base, "bold": True, "align": "center", "valign": "vcenter", "text_wrap": True,
                                     "bg_color": "#D9E1F2"})
        self.text = wb.add_format(base)
        self.wrap = wb.add_format({**base, "text_wrap": True})
        self.number = wb.add_format({**base, "num_format": "0"})
        self.datetime = wb.add_format({**base, "num_format": "yyyy-mm-dd hh:mm"})
        self.numbers = {fmt: wb.add_format({**base, "num_format": fmt}) for fmt in ("General", "0.0%", "0.000%")}
        self.cf = {colours: wb.add_format({"bg_color": colours[0], "font_color": colours[1]})
                   for colours in (RED, AMBER, GREEN, GREY)}


def _sheet(wb, f: _Formats, name: str, columns, rows: list[list], title: str, *, wrap: set[int],
           number_formats: dict[int, list[str]] | None = None):
    ws = wb.add_worksheet(name)
    for c, (header, width) in enumerate(columns):
        ws.set_column(c, c, width)
        ws.write_string(0, c, header, f.header)
    ws.set_row(0, 20)
    for r, row in enumerate(rows, start=1):
        ws.set_row(r, _row_height(row, columns, wrap))
        for c, value in enumerate(row):
            if value is None or value == "":
                ws.write_blank(r, c, None, f.wrap if c in wrap else f.text)
            elif isinstance(value, bool):
                ws.write_string(r, c, "是" if value else "否", f.text)
            elif isinstance(value, int):
                ws.write_number(r, c, value, f.number)
            elif isinstance(value, float):
                if not math.isfinite(value):
                    ws.write_blank(r, c, None, f.text)
                    continue
                fmt = (number_formats or {}).get(c, [])
                ws.write_number(r, c, value, f.numbers[fmt[r - 1] if r - 1 < len(fmt) else "General"])
            elif isinstance(value, dt.datetime) and value.year >= 1900:
                ws.write_datetime(r, c, value, f.datetime)
            else:
                ws.write_string(r, c, safe_cell_text(str(value)), f.wrap if c in wrap else f.text)
    last_col = len(columns) - 1
    ws.autofilter(0, 0, max(0, len(rows)), last_col)
    ws.freeze_panes(1, 0)
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_header(f"&C{(title + ' — ' + name).replace('&', '&&')}")
    ws.set_footer("&C第 &P 页，共 &N 页")
    return ws


def _row_height(row: list, columns, wrap: set[int]) -> float:
    """Height of a row whose wrapped cells need several lines (Excel does not
    grow rows written by a program on its own)."""
    lines = 1
    for c in wrap:
        value = row[c] if c < len(row) else None
        if isinstance(value, str) and value:
            per_line = max(1.0, columns[c][1] - 1)
            lines = max(lines, sum(max(1, math.ceil(display_width(part) / per_line)) for part in value.split("\n")))
    return min(409.0, 13.5 * lines + 2)


def _colour(ws, f: _Formats, col: int, n_rows: int, rules) -> None:
    """Live conditional formats on a result column: cell equals a word."""
    last = max(1, n_rows)
    for word, colours in rules:
        ws.conditional_format(1, col, last, col, {"type": "cell", "criteria": "==", "value": f'"{word}"',
                                                  "format": f.cf[colours]})


def _actual_format(target: str | None) -> str:
    """How an actual value reads next to its target in words: a target in
    % or ‰ (not relative to a baseline) is a share, stored as a fraction."""
    target = target or ""
    if "基线" in target:
        return "General"
    if "‰" in target:
        return "0.000%"
    if "%" in target or "％" in target:
        return "0.0%"
    return "General"


def _datetime(value) -> dt.datetime | str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    try:
        return dt.datetime.fromisoformat(str(value)).replace(tzinfo=None)
    except ValueError:
        return str(value)
