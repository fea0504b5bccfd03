"""The consolidated workbook (汇总表): what leaders read, often printed on A4.

Seven sheets, in this order:

- `领导总览`: title, completeness (who reported), one row per indicator for
  the whole area with its status, the responsible leader and office, a count
  of indicators per status and a chart of those counts;
- `指标明细`: units × indicators, each cell the unit's figure, coloured by
  the unit's outcome;
- `未达标清单`: every missed target of every unit, with the unit's reason;
- `报送情况`: every expected unit and every file that came in;
- `任务进度`: every task row of every unit, overdue ones marked;
- `校验问题`: every finding;
- `数据`: every input value in long form, with its provenance.

Colours are live conditional formats, so sorting, filtering and editing keep
them right. Where the colour depends on something other than the cell's own
value (a unit's figure coloured by its outcome), each row's outcome codes sit
in one hidden helper cell beside the grid, a letter per indicator, and
formula rules pick their letter out of it (one cell per row rather than one
per grid cell: a province's grid is 10,000 rows). Text
from the units is always written as text, never as a formula or a link.
Every sheet prints on A4 landscape, one page wide, with its header rows
repeated. The same consolidation gives a byte-identical workbook.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import re
from pathlib import Path

from toolkit.consolidate.model import (
    FILE_STATUS_WORDS,
    STATUS_WORDS,
    UNIT_STATUS_WORDS,
    Consolidation,
)
from toolkit.fileio import write_atomic, written_alongside
from toolkit.findings import ERROR, WARNING
from toolkit.textable import display_width, safe_cell_text

SHEETS = ("领导总览", "指标明细", "未达标清单", "报送情况", "任务进度", "校验问题", "数据")
STATUSES = ("met", "missed", "review", "no-data")  # chart and count order
LEVEL_WORDS = {ERROR: "错误", WARNING: "提示"}
FIELD_WORDS = {
    "value": "本期数值", "cumulative": "本年累计", "numerator": "分子", "denominator": "分母",
    "baseline": "基线（上年同期）", "status": "完成状态", "progress": "进展情况", "reason": "未达标原因说明",
    "reporter": "填报人", "phone": "联系电话", "approver": "单位负责人", "result": "计算结果",
}
EVERY_WORDS = {"year": "每年", "half-year": "每半年", "quarter": "每季度", "month": "每月"}
STATUS_MEANINGS = {
    "met": "已达到目标",
    "missed": "未达到目标（零容忍指标：任一单位未达标即为未达标）",
    "review": "定性目标、尚未到期或缺少基线，需人工判断",
    "no-data": "没有单位报送有效数据",
}
NO_REASON = "（未填写）"
NO_DATA = "—"

# Conditional format colours: (fill, font).
RED = ("#FFC7CE", "#9C0006")
GREEN = ("#C6EFCE", "#006100")
AMBER = ("#FFEB9C", "#9C5700")
GREY = ("#EDEDED", "#595959")
STATUS_COLOURS = {"met": GREEN, "missed": RED, "review": AMBER, "no-data": GREY}
ORANGE_FONT = "#C65911"
# Solid colours for the chart's bars (a chart is a picture, not data).
CHART_COLOURS = {"met": "#70AD47", "missed": "#C00000", "review": "#FFC000", "no-data": "#A6A6A6"}

BODY_FONT = "宋体"
TITLE_FONT = "黑体"
_FIXED_TIME = dt.datetime(2000, 1, 1)
_LINE_HEIGHT = 13.5  # points per line of 10-point text
_WIDTH_SAMPLE = 2000  # rows looked at to size a column of a long sheet


# The outcome codes in 指标明细's hidden helper column, a letter per indicator
# (letters differ whatever their case: Excel compares text case-insensitively).
STATUS_CODES = {"met": "m", "missed": "x", "review": "r", "no-data": "n"}
NOT_REPORTED_CODE = "-"
HELPER_LEGEND = "每个字符对应一项指标：m 达标，x 未达标，r 待人工判断，n 无数据，- 不填报"

# Above this many values the 数据 sheet would be too long to use (and slow to
# write; Excel stops at 1,048,576 rows): they go to a CSV beside the workbook.
DATA_SHEET_LIMIT = 50_000
# Likewise for the per-unit task list: above this, 任务进度 sums up per task.
TASK_SHEET_LIMIT = 20_000
TASK_COUNTS = ("已完成", "推进中", "未启动", "不适用", "未填报", "逾期")


def write_consolidated_workbook(c: Consolidation, path: Path) -> Path | None:
    """Write the consolidated workbook of `c` to `path` (.xlsx), atomically.

    Returns the CSV file written beside it when the values were too many for
    the 数据 sheet (`{stem}_数据.csv`), else None."""
    path = Path(path)
    data_file = tasks_file = None
    beside = []  # (file, what it holds): written while the workbook is rendered
    if c.value_count() > DATA_SHEET_LIMIT:
        data_file = path.with_name(f"{path.stem}_数据.csv")
        beside.append((data_file, lambda: values_csv(c)))
    if len(c.tasks) > TASK_SHEET_LIMIT:
        tasks_file = path.with_name(f"{path.stem}_任务进度.csv")
        beside.append((tasks_file, lambda: tasks_csv(c)))
    with written_alongside(beside):
        workbook = render_consolidated_workbook(c, data_file=data_file.name if data_file else None,
                                                tasks_file=tasks_file.name if tasks_file else None)
    write_atomic(path, workbook)
    return data_file


def tasks_csv(c: Consolidation) -> bytes:
    """Every task row of every unit, as CSV (UTF-8 with BOM, for Excel)."""
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["单位编码", "单位", "表", "序号", "任务", "完成时限", "完成状态", "进展情况", "是否逾期",
                     "责任领导", "责任办公室", "文件", "工作表", "单元格"])
    writer.writerows((t.unit, t.unit_name, t.table, t.row, t.task, deadline_words(t.deadline), t.status or "未填报",
                      t.progress or "", "逾期" if t.overdue else "", t.leader, t.office, t.file, t.sheet, t.cell)
                     for t in c.tasks)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def values_csv(c: Consolidation) -> bytes:
    """Every input value with its provenance, as CSV (UTF-8 with BOM, for Excel)."""
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["单位编码", "指标", "行", "字段", "数值", "填写内容", "文件", "sha256", "工作表", "单元格"])
    if not c.values and c.values_table is not None:  # many: straight from the table's columns
        table = c.values_table
        columns = [table[name].tolist() for name in ("unit", "indicator", "row_id", "field", "value", "typed", "file",
                                                     "sha256", "sheet", "cell")]
        columns[3] = [FIELD_WORDS.get(f, f) for f in columns[3]]
        writer.writerows(zip(*columns))
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    writer.writerows(
        (v.unit, v.indicator or "", v.row_id, FIELD_WORDS.get(v.field, v.field), "" if v.value is None else v.value,
         v.typed, v.file, v.sha256, v.sheet, v.cell)
        for v in c.values
    )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def render_consolidated_workbook(c: Consolidation, *, data_file: str | None = None, tasks_file: str | None = None) -> bytes:
    """The consolidated workbook of `c`, as the bytes of an .xlsx file
    (`data_file`: the CSV holding the values instead of the 数据 sheet)."""
    import xlsxwriter

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {
        "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
        "default_format_properties": {"font_name": BODY_FONT, "font_size": 10},
    })
    wb.set_properties({
        "title": safe_cell_text(f"{c.plan_title}执行情况汇总（{c.period_label}）"),
        "subject": "汇总表", "author": "toolkit", "company": c.plan_issuer or "",
        "created": _FIXED_TIME, "comments": "由 toolkit consolidate 生成。",
    })
    f = _Formats(wb)
    book = _Book(wb, f, c)
    book.data_file = data_file
    book.tasks_file = tasks_file
    book.overview()
    book.grid()
    book.missed()
    book.returns()
    book.tasks()
    book.findings()
    book.data()
    wb.worksheets()[0].activate()
    wb.close()
    return buffer.getvalue()


# ------------------------------------------------------------------ formats


class _Formats:
    """Every cell format, made once (formats are reused, never made per cell)."""

    def __init__(self, wb):
        self.wb = wb
        base = {"font_name": BODY_FONT, "font_size": 10, "valign": "vcenter", "border": 1, "border_color": "#808080"}
        self.base = base
        self.title = wb.add_format({"font_name": TITLE_FONT, "font_size": 16, "bold": True, "align": "center",
                                    "valign": "vcenter", "text_wrap": True})
        self.subtitle = wb.add_format({"font_name": BODY_FONT, "font_size": 10, "align": "center", "valign": "vcenter",
                                       "font_color": "#404040", "text_wrap": True})
        self.summary = wb.add_format({"font_name": BODY_FONT, "font_size": 11, "bold": True, "valign": "vcenter",
                                      "text_wrap": True})
        self.section = wb.add_format({"font_name": TITLE_FONT, "font_size": 12, "bold": True, "valign": "vcenter"})
        self.note = wb.add_format({"font_name": BODY_FONT, "font_size": 9, "valign": "vcenter", "text_wrap": True,
                                   "font_color": "#404040"})
        self.header = wb.add_format({**base, "font_name": TITLE_FONT, "align": "center", "text_wrap": True,
                                     "bg_color": "#D9E1F2"})
        self.subheader = wb.add_format({**base, "font_size": 9, "align": "center", "text_wrap": True,
                                        "bg_color": "#EDF2F9"})
        self.text = wb.add_format(base)
        self.wrap = wb.add_format({**base, "text_wrap": True})
        self.center = wb.add_format({**base, "align": "center", "text_wrap": True})
        self.bold = wb.add_format({**base, "bold": True, "text_wrap": True})
        self.bold_center = wb.add_format({**base, "bold": True, "align": "center"})
        self.big_number = wb.add_format({**base, "font_size": 14, "bold": True, "align": "center", "num_format": "0"})
        self.datetime = wb.add_format({**base, "num_format": "yyyy-mm-dd hh:mm"})
        self.helper = wb.add_format({"font_name": BODY_FONT, "font_size": 8, "font_color": "#808080"})
        self.cf = {colours: wb.add_format({"bg_color": colours[0], "font_color": colours[1]})
                   for colours in (RED, GREEN, AMBER, GREY)}
        self.cf_orange = wb.add_format({"font_color": ORANGE_FONT, "bold": True})
        self.cf_red_font = wb.add_format({"font_color": RED[1], "bold": True})
        self.legend_words = {colours: wb.add_format({"font_name": BODY_FONT, "font_size": 9, "bold": True,
                                                     "font_color": colours[1], "bg_color": colours[0]})
                             for colours in (RED, GREEN, AMBER, GREY)}
        self._numbers: dict[tuple[str, bool, bool], object] = {}

    def number(self, num_format: str, *, bold: bool = False, center: bool = False):
        """A bordered number format, made on first use (in a fixed order, so
        the workbook stays deterministic)."""
        key = (num_format, bold, center)
        if key not in self._numbers:
            props = {**self.base, "num_format": num_format, "bold": bold}
            if center:
                props["align"] = "center"
            self._numbers[key] = self.wb.add_format(props)
        return self._numbers[key]


# ------------------------------------------------------------------ values


def _display_kind(measure: str | None, unit: str | None, target: str | None) -> str:
    """How a figure reads: "percent" (a fraction shown as %), "permille" (a
    fraction shown as ‰) or "number" (a count or amount)."""
    target = target or ""
    if "基线" in target:
        return "percent"  # relative to a baseline: the change, as a fraction
    if measure in ("rate", "percentage"):
        return "permille" if unit == "‰" or "‰" in target else "percent"
    if measure in ("count", "amount", "frequency"):
        return "number"
    if "‰" in target:
        return "permille"
    if "%" in target or "％" in target:
        return "percent"
    return "number"


def _decimals(value: float, choices: tuple[int, ...]) -> int:
    """The fewest decimals in `choices` that show `value` exactly (so 99.95%
    is not shown as 100.0% next to a target of 100%)."""
    for d in choices:
        if abs(round(value, d) - value) <= 1e-9 * max(1.0, abs(value)):
            return d
    return choices[-1]


def _figure(value, kind: str) -> tuple[float, str] | None:
    """(number to write, number format) for a figure, or None if there is none."""
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    if not math.isfinite(value):
        return None
    if kind == "percent":
        d = _decimals(value * 100, (1, 2, 3))
        return value, "0." + "0" * d + "%"
    if kind == "permille":
        shown = round(value * 1000, 9)
        d = _decimals(shown, (2, 3, 4))
        return shown, "0." + "0" * d + '"‰"'
    d = _decimals(value, (0, 1, 2, 3))
    return value, "#,##0" if d == 0 else "#,##0." + "0" * d


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def deadline_words(deadline: str | None) -> str:
    """A canonical deadline in words: 2026-06-30 → 2026年6月30日, every:year →
    每年, ongoing → 长期坚持; several dates joined with 、."""
    if not deadline:
        return ""
    text = deadline.strip()
    if text == "ongoing":
        return "长期坚持"
    if text.startswith("every:"):
        return EVERY_WORDS.get(text[len("every:"):], text)
    words = []
    for part in text.split(";"):
        try:
            words.append(_date_words(dt.date.fromisoformat(part.strip())))
        except ValueError:
            return text
    return "、".join(words)


def _date_words(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _iso_date_words(value: str | None) -> str:
    if not value:
        return ""
    try:
        return _date_words(dt.date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


def _datetime(value) -> dt.datetime | str | None:
    if value is None or value == "":
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value)).replace(tzinfo=None)
    except ValueError:
        return str(value)
    return moment if moment.year >= 1900 else str(value)


def _hf(text: str, limit: int = 60) -> str:
    """Text for a page header: & escaped, kept short (Excel allows 255 characters)."""
    text = " ".join(safe_cell_text(text or "").split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.replace("&", "&&")


@functools.lru_cache(maxsize=2**16, typed=True)  # typed: 1, 1.0 and True differ in width
def _text_width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return 10
    if isinstance(value, (int, dt.datetime)):
        return len(str(value))
    return max((display_width(line) for line in str(value).split("\n")), default=0)


@functools.lru_cache(maxsize=2**16, typed=True)  # a task's text recurs on every unit's row
def _lines(value, width: float) -> int:
    """Lines a wrapped text needs in a column `width` units wide."""
    if not isinstance(value, str) or not value:
        return 1
    per_line = max(1.0, width - 1.5)
    if 2 * len(value) <= per_line and "\n" not in value:  # fits whatever its characters (most cells)
        return 1
    return sum(max(1, math.ceil(display_width(part) / per_line)) for part in value.split("\n"))


def _height(lines: int) -> float:
    """Row height in points for `lines` lines of text (Excel's limit: 409)."""
    return min(409.0, _LINE_HEIGHT * lines + 3)


def _lines_per_row(rows: list[list], widths: list[float], wrap: set[int]) -> list[int]:
    """Lines the tallest wrapped cell of each row needs, worked out column by
    column (a cell of at most half the column width in characters needs one)."""
    tallest = [1] * len(rows)
    for c in sorted(wrap):
        short = max(1.0, widths[c] - 1.5) / 2
        for n, row in enumerate(rows):
            value = row[c] if c < len(row) else None
            if value.__class__ is str and (len(value) > short or "\n" in value):
                tallest[n] = max(tallest[n], _lines(value, widths[c]))
    return tallest


def _widths(columns: list[_Column], rows: list[list]) -> list[float]:
    sample = rows[:_WIDTH_SAMPLE]
    return [col.width(row[i] for row in sample) for i, col in enumerate(columns)]


class _Column:
    """A list column: header, cell style, width bounds (units; a Chinese
    character is about 2)."""

    def __init__(self, header: str, style: str = "text", lo: float = 6, hi: float = 30):
        self.header = header
        self.style = style  # text | wrap | center | number | datetime
        self.lo = lo
        self.hi = hi

    def width(self, values) -> float:
        widest = max([display_width(self.header) + 2] + [_text_width(v) + 2 for v in values])
        return float(max(self.lo, min(self.hi, widest)))


# ------------------------------------------------------------------ sheets


class _Book:
    def __init__(self, wb, f: _Formats, c: Consolidation):
        self.wb = wb
        self.f = f
        self.c = c
        self.data_file: str | None = None  # values written to this CSV instead of the 数据 sheet
        self.tasks_file: str | None = None  # per-unit task rows written to this CSV
        self.names = self._unit_names()
        self.areas = {a.indicator_id: a for a in c.aggregates}
        self.order = {a.indicator_id: i for i, a in enumerate(c.aggregates)}
        self.unit_order = {u.code: i for i, u in enumerate(c.units)}

    def _unit_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for fe in self.c.files:
            if fe.unit and fe.unit_name:
                names.setdefault(fe.unit, fe.unit_name)
        for t in self.c.tasks:
            if t.unit and t.unit_name:
                names.setdefault(t.unit, t.unit_name)
        for u in self.c.units:  # the units list wins
            names[u.code] = u.name
        return names

    def name(self, code: str | None) -> str:
        return self.names.get(code or "", code or "")

    def kind_of(self, indicator_id: str, target: str | None) -> str:
        a = self.areas.get(indicator_id)
        if a is None:
            return _display_kind(None, None, target)
        return _display_kind(a.measure, a.unit, target if target is not None else a.target)

    # ---- shared sheet machinery

    def _sheet(self, name: str):
        ws = self.wb.add_worksheet(name)
        ws.set_paper(9)  # A4
        ws.set_landscape()
        ws.fit_to_pages(1, 0)  # one page wide, as many pages tall as needed
        ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
        ws.set_header(f"&L{_hf(self.c.plan_title)}&C{_hf(name)}&R{_hf(self.c.period_label, 30)}", {"margin": 0.3})
        ws.set_footer("&C第 &P 页 共 &N 页", {"margin": 0.3})
        return ws

    def _write(self, ws, r: int, col: int, value, fmt, number_format=None, center: bool = False) -> None:
        """One cell: text always as text, numbers as numbers, None blank."""
        f = self.f
        if value.__class__ is str and value:  # the most common: first
            ws.write_string(r, col, safe_cell_text(value), fmt)
        elif value is None or value == "":
            ws.write_blank(r, col, None, fmt)
        elif isinstance(value, bool):
            ws.write_string(r, col, "是" if value else "否", fmt)
        elif isinstance(value, (int, float)):
            if isinstance(value, float) and not math.isfinite(value):
                ws.write_blank(r, col, None, fmt)
            else:
                ws.write_number(r, col, value, number_format
                                or f.number("0" if isinstance(value, int) else "General", center=center))
        elif isinstance(value, dt.datetime):
            ws.write_datetime(r, col, value, f.datetime)
        else:
            ws.write_string(r, col, safe_cell_text(str(value)), fmt)

    def _table(self, ws, top: int, columns: list[_Column], rows: list[list], *, number_formats=None,
               empty: str = "（无）", widths: list[float] | None = None) -> tuple[list[float], int]:
        """A header row at `top` and `rows` below it; returns (column widths,
        last row). `number_formats[(i, col)]` overrides a number's format."""
        f = self.f
        styles = {"text": f.text, "wrap": f.wrap, "center": f.center, "number": f.text, "datetime": f.text}
        widths = widths or _widths(columns, rows)
        for i, (col, width) in enumerate(zip(columns, widths)):
            ws.set_column(i, i, width)
            ws.write_string(top, i, col.header, f.header)
        wrap = {i for i, col in enumerate(columns) if col.style in ("wrap", "center")}
        ws.set_row(top, _height(_lines_per_row([[col.header for col in columns]], widths, set(range(len(columns))))[0]))
        if not rows:
            ws.write_string(top + 1, 0, empty, f.text)
            for i in range(1, len(columns)):
                ws.write_blank(top + 1, i, None, f.text)
            return widths, top + 1
        number_formats = number_formats or {}
        for n, lines in enumerate(_lines_per_row(rows, widths, wrap)):
            if lines > 1:
                ws.set_row(top + 1 + n, _height(lines))
        cell_styles = [styles[col.style] for col in columns]
        centered = [col.style == "center" for col in columns]
        write = self._write
        for n, row in enumerate(rows):
            r = top + 1 + n
            for i, value in enumerate(row):
                write(ws, r, i, value, cell_styles[i], number_formats.get((n, i)) if number_formats else None,
                      center=centered[i])
        return widths, top + len(rows)

    def _colour_words(self, ws, first: int, col: int, last: int, rules, *, kind: str = "equal") -> None:
        """Live colours on a column of words: a cell equal to (or beginning
        with) a word gets that word's colours."""
        last = max(first, last)
        for word, colours in rules:
            if kind == "equal":
                rule = {"type": "cell", "criteria": "==", "value": f'"{word}"', "format": self.f.cf[colours]}
            else:
                rule = {"type": "text", "criteria": "begins with", "value": word, "format": self.f.cf[colours]}
            ws.conditional_format(first, col, last, col, rule)

    def _positive(self, ws, first: int, col: int, last: int, fmt) -> None:
        ws.conditional_format(first, col, max(first, last), col,
                              {"type": "cell", "criteria": ">", "value": 0, "format": fmt})

    def _list_sheet(self, name: str, columns: list[_Column], rows: list[list], *, number_formats=None,
                    empty: str = "（无）"):
        """A plain list: header in row 1 (Excel row 1), frozen, filtered, repeated."""
        ws = self._sheet(name)
        _, last = self._table(ws, 0, columns, rows, number_formats=number_formats, empty=empty)
        ws.freeze_panes(1, 0)
        ws.repeat_rows(0)
        ws.autofilter(0, 0, max(1, last), len(columns) - 1)
        return ws, last

    # ---- 1. 领导总览

    def overview(self) -> None:
        c, f = self.c, self.f
        ws = self._sheet(SHEETS[0])
        columns = [
            _Column("序号", "center", 5, 5),
            _Column("表", "wrap", 10, 16),
            _Column("指标", "wrap", 14, 30),
            _Column("目标", "wrap", 10, 18),
            _Column("全域数值", "number", 10, 12),
            _Column("计量单位", "center", 9, 9),
            _Column("状态", "center", 11, 11),
            _Column("未达标单位数", "center", 8, 8),
            _Column("填报单位数", "center", 8, 8),
            _Column("责任领导", "wrap", 9, 12),
            _Column("责任办公室/单位", "wrap", 12, 20),
            _Column("说明", "wrap", 12, 30),
        ]
        last_col = len(columns) - 1
        rows, formats = [], {}
        for n, a in enumerate(c.aggregates):
            table = a.table or ""
            if a.row and not re.fullmatch(r"[\d.、（）()]+", a.row.strip()):
                table = f"{table}（{a.row.strip()}）" if table else a.row.strip()
            figure = _figure(a.value, _display_kind(a.measure, a.unit, a.target))
            if figure is not None:
                formats[(n, 4)] = f.number(figure[1], bold=True)
            rows.append([n + 1, table, a.indicator, a.target, figure[0] if figure else NO_DATA, a.unit or "",
                         STATUS_WORDS.get(a.status, a.status), a.units_missed, a.units_reporting, a.leader, a.office,
                         a.note])

        counts = {s: sum(1 for a in c.aggregates if a.status == s) for s in STATUSES}
        done = c.completeness

        # title, source line, one-sentence summary
        ws.set_row(0, 30)
        ws.merge_range(0, 0, 0, last_col, safe_cell_text(f"{c.plan_title}执行情况汇总（{c.period_label}）"), f.title)
        source = [x for x in (c.plan_issuer, c.plan_doc_number) if x]
        if c.period_end:
            source.append(f"统计截至 {_iso_date_words(c.period_end)}")
        if c.due:
            source.append(f"报送截止 {_iso_date_words(c.due)}")
        ws.merge_range(1, 0, 1, last_col, safe_cell_text("　".join(source)), f.subtitle)
        summary = (f"共 {len(c.aggregates)} 项指标：未达标 {counts['missed']} 项，达标 {counts['met']} 项，"
                   f"待人工判断 {counts['review']} 项，无数据 {counts['no-data']} 项。"
                   f"应报 {done['expected']} 个单位，已报送 {done['received']} 个（有效 {done['valid']} 个、"
                   f"被退回 {done['rejected']} 个），未报送 {done['missing']} 个，逾期报送 {done['late']} 个。")
        ws.set_row(2, 32)
        ws.merge_range(2, 0, 2, last_col, summary, f.summary)

        # completeness block
        ws.write_string(3, 0, "一、报送情况", f.section)
        labels = (("应报单位", "expected"), ("已报送", "received"), ("有效", "valid"), ("被退回", "rejected"),
                  ("未报送", "missing"), ("逾期报送", "late"))
        for i, (label, key) in enumerate(labels, start=1):
            ws.write_string(4, i, label, f.header)
            ws.write_number(5, i, done[key], f.big_number)
        ws.set_row(5, 22)
        self._positive(ws, 5, 4, 5, f.cf[AMBER])  # 被退回
        self._positive(ws, 5, 5, 5, f.cf[RED])  # 未报送
        self._positive(ws, 5, 6, 5, f.cf[AMBER])  # 逾期报送

        # indicator table
        ws.write_string(7, 0, "二、指标完成情况", f.section)
        legend = [f.note, "图例（状态列与全域数值按结果着色）：", f.legend_words[RED], " 未达标 ", f.note, "  ",
                  f.legend_words[GREEN], " 达标 ", f.note, "  ", f.legend_words[AMBER], " 待人工判断 ", f.note, "  ",
                  f.legend_words[GREY], " 无数据 ", f.note, "；未达标单位数大于 0 时标红。"]
        ws.merge_range(8, 0, 8, last_col, "", f.note)
        ws.write_rich_string(8, 0, *legend, f.note)
        top = 9
        widths, last = self._table(ws, top, columns, rows, number_formats=formats, empty="本期没有可汇总的指标。")
        first = top + 1
        status_col = 6
        status_range = (first, status_col, max(first, last), status_col)
        self._colour_words(ws, first, status_col, last,
                           [(STATUS_WORDS[s], STATUS_COLOURS[s]) for s in ("missed", "met", "review", "no-data")])
        status_cell = f"$G{first + 1}"  # relative row, fixed column: the row's 状态
        for s in ("missed", "met", "review", "no-data"):
            ws.conditional_format(first, 4, max(first, last), 4, {
                "type": "formula", "criteria": f'={status_cell}="{STATUS_WORDS[s]}"',
                "format": f.cf[STATUS_COLOURS[s]]})
        self._positive(ws, first, 7, last, f.cf[RED])
        ws.freeze_panes(top + 1, 0)
        ws.repeat_rows(top)
        ws.autofilter(top, 0, max(top + 1, last), last_col)

        # status counts (live: COUNTIF over the 状态 column) and the chart
        r0 = last + 2
        ws.write_string(r0, 0, "三、指标状态统计", f.section)
        ws.write_string(r0 + 1, 1, "状态", f.header)
        ws.write_string(r0 + 1, 2, "指标数", f.header)
        ws.merge_range(r0 + 1, 3, r0 + 1, last_col, "含义", f.header)
        from xlsxwriter.utility import xl_range_abs

        status_abs = xl_range_abs(*status_range)
        for i, s in enumerate(STATUSES):
            r = r0 + 2 + i
            word = STATUS_WORDS[s]
            ws.write_string(r, 1, word, f.bold_center)
            ws.write_formula(r, 2, f'=COUNTIF({status_abs},"{word}")', f.bold_center, counts[s])
            ws.merge_range(r, 3, r, last_col, STATUS_MEANINGS[s], f.wrap)
        self._colour_words(ws, r0 + 2, 1, r0 + 1 + len(STATUSES),
                           [(STATUS_WORDS[s], STATUS_COLOURS[s]) for s in STATUSES])
        chart_row = r0 + 2 + len(STATUSES) + 1
        chart = self.wb.add_chart({"type": "column"})
        sheet = SHEETS[0]
        chart.add_series({
            "name": "指标数",
            "categories": [sheet, r0 + 2, 1, r0 + 1 + len(STATUSES), 1],
            "values": [sheet, r0 + 2, 2, r0 + 1 + len(STATUSES), 2],
            "points": [{"fill": {"color": CHART_COLOURS[s]}, "border": {"none": True}} for s in STATUSES],
            "data_labels": {"value": True, "font": {"name": BODY_FONT, "size": 10, "bold": True}},
            "gap": 80,
        })
        chart.set_title({"name": "各状态指标数", "name_font": {"name": TITLE_FONT, "size": 12, "bold": True}})
        chart.set_legend({"none": True})
        chart.set_x_axis({"num_font": {"name": BODY_FONT, "size": 10}})
        chart.set_y_axis({"num_font": {"name": BODY_FONT, "size": 9}, "min": 0,
                          "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
                          "num_format": "0"})
        chart.set_chartarea({"border": {"color": "#BFBFBF"}})
        chart_width = int(sum(widths[1:8]) * 7 + 5)
        chart_height = 240
        chart.set_size({"width": min(max(chart_width, 420), 720), "height": chart_height})
        ws.insert_chart(chart_row, 1, chart, {"x_offset": 2, "y_offset": 4, "object_position": 1})
        end_row = chart_row + math.ceil((chart_height + 10) / 20) + 1
        ws.print_area(0, 0, end_row, last_col)

    # ---- 2. 指标明细

    def grid(self) -> None:
        c, f = self.c, self.f
        from xlsxwriter.utility import xl_rowcol_to_cell

        ws = self._sheet(SHEETS[1])
        # indicators: the plan's order, then any only the outcomes know
        indicators: list[tuple[str, str, str]] = [(a.indicator_id, a.indicator, a.target) for a in c.aggregates]
        seen = {i for i, _, _ in indicators}
        for o in c.outcomes:
            if o.indicator_id not in seen:
                seen.add(o.indicator_id)
                indicators.append((o.indicator_id, o.indicator, o.target))
        # units: the units list's order, then any only the outcomes know
        by_unit: dict[str, dict[str, object]] = {}  # unit -> indicator -> outcome, units in order of appearance
        for o in c.outcomes:
            by_unit.setdefault(o.unit, {}).setdefault(o.indicator_id, o)
        units = [u.code for u in c.units if u.code in by_unit]
        listed = set(units)
        units += [u for u in by_unit if u not in listed]

        n = len(indicators)
        first_ind = 2
        last_ind = first_ind + max(n, 1) - 1
        helper0 = max(last_ind + 2, 12)  # hidden: each row's outcome codes, a letter per indicator
        top, sub, first = 2, 3, 4
        area_row = first + len(units)
        last_visible = max(last_ind, 9)

        # title and legend
        ws.set_row(0, 26)
        ws.merge_range(0, 0, 0, last_visible, safe_cell_text(f"各单位指标完成情况（{c.period_label}）"), f.title)
        ws.write_string(1, 0, "图例：", f.bold_center)
        ws.write_blank(1, 1, None, f.bold_center)
        legend = [(s, STATUS_WORDS[s]) for s in ("met", "missed", "review", "no-data")]
        for i, (_, word) in enumerate(legend):
            ws.write_string(1, first_ind + i, word, f.bold_center)
        for s, word in legend:
            ws.conditional_format(1, first_ind, 1, first_ind + len(legend) - 1, {
                "type": "cell", "criteria": "==", "value": f'"{word}"', "format": f.cf[STATUS_COLOURS[s]]})
        ws.set_row(1, 18)

        # headers
        ws.set_column(0, 0, max(10, min(14, max([_text_width(u) + 2 for u in units] + [10]))))
        ws.set_column(1, 1, max(12, min(20, max([_text_width(self.name(u)) + 2 for u in units] + [12]))))
        ws.write_string(top, 0, "单位编码", f.header)
        ws.write_string(top, 1, "单位", f.header)
        ws.write_string(sub, 0, "目标", f.subheader)
        ws.write_blank(sub, 1, None, f.subheader)
        widths = []
        for k, (_, name, target) in enumerate(indicators):
            width = float(max(10, min(16, math.ceil(display_width(name or "") / 3) + 2, )))
            width = max(width, min(16, _text_width(target) + 2))
            widths.append(width)
            ws.set_column(first_ind + k, first_ind + k, width)
            ws.write_string(top, first_ind + k, safe_cell_text(name or ""), f.header)
            ws.write_string(sub, first_ind + k, safe_cell_text(target or ""), f.subheader)
        if not indicators:
            ws.write_string(top, first_ind, "（无指标）", f.header)
            ws.write_blank(sub, first_ind, None, f.subheader)
        ws.set_row(top, _height(max([_lines(name, w) for (_, name, _), w in zip(indicators, widths)] or [1])))
        ws.set_row(sub, _height(max([_lines(t, w) for (_, _, t), w in zip(indicators, widths)] or [1])))
        ws.write_string(top, helper0, "状态代码", f.helper)
        ws.write_string(sub, helper0, HELPER_LEGEND, f.helper)
        ws.set_column(helper0, helper0, 12, None, {"hidden": True})

        # unit rows, then the area row
        kinds = [self.kind_of(i, t) for i, _, t in indicators]
        # (figure, its format) per distinct value and kind: units report many equal figures
        shown: dict[tuple, tuple] = {}
        write_string, write_number, write_blank = ws.write_string, ws.write_number, ws.write_blank
        for j, code in enumerate(units):
            r = first + j
            write_string(r, 0, safe_cell_text(code), f.text)
            write_string(r, 1, safe_cell_text(self.name(code)), f.wrap)
            mine = by_unit[code]
            codes = []
            for k, (ind, _, _) in enumerate(indicators):
                o = mine.get(ind)
                if o is None:
                    write_blank(r, first_ind + k, None, f.center)
                    codes.append(NOT_REPORTED_CODE)  # no colour
                    continue
                codes.append(STATUS_CODES[o.status])
                key = (o.actual, kinds[k])
                if key not in shown:
                    figure = _figure(o.actual, kinds[k])
                    shown[key] = (figure[0], f.number(figure[1])) if figure else None
                figure = shown[key]
                if figure is None:
                    write_string(r, first_ind + k, NO_DATA, f.center)
                else:
                    write_number(r, first_ind + k, figure[0], figure[1])
            write_string(r, helper0, "".join(codes), f.helper)
        ws.write_string(area_row, 0, "全域", f.bold)
        ws.write_string(area_row, 1, "全域汇总", f.bold)
        for k, (ind, _, _) in enumerate(indicators):
            a = self.areas.get(ind)
            figure = _figure(a.value, kinds[k]) if a else None
            if figure is None:
                ws.write_string(area_row, first_ind + k, NO_DATA, f.bold_center)
            else:
                ws.write_number(area_row, first_ind + k, figure[0], f.number(figure[1], bold=True))
        area_codes = [STATUS_CODES[self.areas[i].status] if i in self.areas else NOT_REPORTED_CODE for i, _, _ in indicators]
        ws.write_string(area_row, helper0, "".join(area_codes), f.helper)
        ws.set_row(area_row, 18)
        ws.merge_range(area_row + 1, 0, area_row + 1, last_visible,
                       f"说明：单元格底色表示该单位该项的结果（见图例）；“{NO_DATA}”为未填报数据，空白为该单位不填报此项；"
                       "“全域”行为全域汇总值，按全域结果着色。", f.note)
        ws.set_row(area_row + 1, 28)

        # live colours: each grid cell picks its letter out of its row's codes
        # (written for the top-left cell; the row and column shift with each cell)
        if n:
            codes_cell = xl_rowcol_to_cell(first, helper0, col_abs=True)
            position = f"COLUMN({xl_rowcol_to_cell(first, first_ind)})-{first_ind}"
            for s in ("missed", "met", "review", "no-data"):
                ws.conditional_format(first, first_ind, area_row, last_ind, {
                    "type": "formula", "criteria": f'=MID({codes_cell},{position},1)="{STATUS_CODES[s]}"',
                    "format": f.cf[STATUS_COLOURS[s]]})

        ws.freeze_panes(first, first_ind)
        ws.repeat_rows(top, sub)
        ws.autofilter(sub, 0, max(sub + 1, area_row - 1), last_ind)
        ws.print_area(0, 0, area_row + 1, last_visible)

    # ---- 3. 未达标清单

    def missed(self) -> None:
        c, f = self.c, self.f
        columns = [
            _Column("单位编码", "text", 8, 14), _Column("单位", "wrap", 8, 18), _Column("指标", "wrap", 12, 28),
            _Column("实际值", "number", 10, 12), _Column("目标", "wrap", 8, 16), _Column("未达标原因", "wrap", 20, 40),
            _Column("责任领导", "wrap", 8, 12), _Column("责任办公室", "wrap", 10, 18), _Column("文件", "wrap", 10, 28),
            _Column("工作表", "wrap", 8, 14), _Column("单元格", "center", 7, 8),
        ]
        missed = [o for o in c.outcomes if o.status == "missed"]
        missed.sort(key=lambda o: (self.order.get(o.indicator_id, len(self.order)), o.indicator or "",
                                   self.unit_order.get(o.unit, len(self.unit_order)), o.unit))
        rows, formats = [], {}
        for n, o in enumerate(missed):
            a = self.areas.get(o.indicator_id)
            figure = _figure(o.actual, self.kind_of(o.indicator_id, o.target))
            if figure is not None:
                formats[(n, 3)] = f.number(figure[1])
            reason = o.reason if isinstance(o.reason, str) and o.reason.strip() else NO_REASON
            rows.append([o.unit, self.name(o.unit), o.indicator, figure[0] if figure else NO_DATA, o.target, reason,
                         a.leader if a else "", a.office if a else "", o.file, o.sheet, o.cell])
        ws, last = self._list_sheet(SHEETS[2], columns, rows, number_formats=formats, empty="本期没有未达标的指标。")
        self._colour_words(ws, 1, 5, last, [(NO_REASON, RED)])

    # ---- 4. 报送情况

    def returns(self) -> None:
        c, f = self.c, self.f
        ws = self._sheet(SHEETS[3])
        done = c.completeness
        unit_columns = [
            _Column("单位编码", "text", 10, 14), _Column("单位", "wrap", 12, 22), _Column("类型", "center", 8, 12),
            _Column("报送状态", "center", 14, 16), _Column("采用文件", "wrap", 16, 36),
            _Column("最后保存时间", "datetime", 17, 17), _Column("错误数", "number", 8, 8),
            _Column("提示数", "number", 8, 8),
        ]
        unit_rows = []
        for u in c.units:
            word = UNIT_STATUS_WORDS.get(u.status, u.status)
            if u.on_time is False:
                word += "（逾期）"
            unit_rows.append([u.code, u.name, u.kind, word, u.file, _datetime(u.saved), u.errors, u.warnings])
        file_columns = [
            _Column("文件", "wrap", 16, 36), _Column("单位编码", "text", 10, 14), _Column("单位", "wrap", 12, 22),
            _Column("报送期", "center", 8, 16), _Column("处理结果", "center", 14, 16), _Column("原因", "wrap", 16, 36),
            _Column("错误数", "number", 8, 8), _Column("提示数", "number", 8, 8),
            _Column("最后保存时间", "datetime", 17, 17), _Column("sha256", "text", 12, 20),
        ]
        file_rows = [[fe.path, fe.unit, fe.unit_name or self.name(fe.unit), fe.period,
                      FILE_STATUS_WORDS.get(fe.status, fe.status), fe.why, fe.errors, fe.warnings, _datetime(fe.saved),
                      fe.sha256] for fe in c.files]
        # both blocks share the sheet's columns: each as wide as its wider use
        unit_widths, file_widths = _widths(unit_columns, unit_rows), _widths(file_columns, file_rows)
        shared = [max(a, b) for a, b in zip(unit_widths + [0.0] * len(file_widths), file_widths)]

        title = (f"一、应报单位报送情况（应报 {done['expected']} 个，已报送 {done['received']} 个，"
                 f"被退回 {done['rejected']} 个，未报送 {done['missing']} 个，逾期 {done['late']} 个）")
        ws.write_string(0, 0, title, f.section)
        ws.set_row(0, 20)
        _, last = self._table(ws, 1, unit_columns, unit_rows, empty="（没有应报单位名单）",
                              widths=shared[:len(unit_columns)])
        self._colour_words(ws, 2, 3, last, [("未报送", RED), ("被退回", AMBER), ("已报送", GREEN)], kind="begins")
        ws.conditional_format(2, 3, max(2, last), 3, {"type": "text", "criteria": "containing", "value": "逾期",
                                                      "format": f.cf_orange})
        self._positive(ws, 2, 6, last, f.cf_red_font)
        self._positive(ws, 2, 7, last, f.cf_orange)
        ws.freeze_panes(2, 0)
        ws.repeat_rows(0, 1)
        ws.autofilter(1, 0, max(2, last), len(unit_columns) - 1)

        r0 = last + 2
        ws.write_string(r0, 0, f"二、收到的文件（共 {len(c.files)} 个）", f.section)
        ws.set_row(r0, 20)
        _, last2 = self._table(ws, r0 + 1, file_columns, file_rows, empty="（没有收到文件）", widths=shared)
        self._colour_words(ws, r0 + 2, 4, last2, [(FILE_STATUS_WORDS["rejected"], RED),
                                                  (FILE_STATUS_WORDS["unrecognised"], RED),
                                                  (FILE_STATUS_WORDS["superseded"], GREY),
                                                  (FILE_STATUS_WORDS["used"], GREEN)])
        self._positive(ws, r0 + 2, 6, last2, f.cf_red_font)
        self._positive(ws, r0 + 2, 7, last2, f.cf_orange)
        ws.print_area(0, 0, last2, max(len(unit_columns), len(file_columns)) - 1)

    # ---- 5. 任务进度

    def tasks(self) -> None:
        c = self.c
        if self.tasks_file:
            self._task_summary()
            return
        columns = [
            _Column("单位", "wrap", 8, 18), _Column("表", "wrap", 8, 16), _Column("序号", "center", 6, 12),
            _Column("任务", "wrap", 16, 40), _Column("完成时限", "center", 10, 16), _Column("完成状态", "center", 10, 10),
            _Column("进展情况", "wrap", 16, 40), _Column("是否逾期", "center", 9, 9), _Column("责任领导", "wrap", 8, 12),
            _Column("责任办公室", "wrap", 10, 18), _Column("文件", "wrap", 10, 28), _Column("单元格", "center", 7, 8),
        ]
        rows = [[t.unit_name or self.name(t.unit), t.table, t.row, t.task, deadline_words(t.deadline),
                 t.status or "未填报", t.progress, "逾期" if t.overdue else "", t.leader, t.office, t.file, t.cell]
                for t in c.tasks]
        ws, last = self._list_sheet(SHEETS[4], columns, rows, empty="本期没有需报告进度的任务。")
        self._colour_words(ws, 1, 7, last, [("逾期", RED)])
        self._colour_words(ws, 1, 5, last, [("已完成", GREEN), ("未启动", AMBER), ("未填报", GREY)])

    def _task_summary(self) -> None:
        """Too many task rows for a sheet: one row per task with how many units
        are at each status; the per-unit list is in the CSV beside the workbook."""
        c = self.c
        counts: dict[str, dict] = {}
        for t in c.tasks:
            entry = counts.setdefault(t.row_id, {"task": t, "已完成": 0, "推进中": 0, "未启动": 0, "不适用": 0, "未填报": 0, "逾期": 0})
            entry[t.status or "未填报"] = entry.get(t.status or "未填报", 0) + 1
            entry["逾期"] += 1 if t.overdue else 0
        columns = [_Column("表", "wrap", 8, 16), _Column("序号", "center", 6, 12), _Column("任务", "wrap", 16, 40),
                   _Column("完成时限", "center", 10, 16), *(_Column(word, "center", 7, 8) for word in TASK_COUNTS),
                   _Column("责任领导", "wrap", 8, 12), _Column("责任办公室", "wrap", 10, 18)]
        rows = [[e["task"].table, e["task"].row, e["task"].task, deadline_words(e["task"].deadline),
                 *(e[word] for word in TASK_COUNTS), e["task"].leader, e["task"].office] for e in counts.values()]
        ws, last = self._list_sheet(SHEETS[4], columns, rows, empty="本期没有需报告进度的任务。")
        self._positive(ws, 1, 4 + TASK_COUNTS.index("逾期"), last, self.f.cf[RED])
        ws.write_string(last + 2, 0, f"各单位逐项进度共 {len(c.tasks):,} 行，见同一文件夹中的“{self.tasks_file}”。", self.f.text)

    # ---- 6. 校验问题

    def findings(self) -> None:
        c = self.c
        columns = [
            _Column("文件", "wrap", 10, 28), _Column("单位", "wrap", 8, 16), _Column("工作表", "wrap", 8, 14),
            _Column("单元格", "center", 7, 8), _Column("级别", "center", 6, 6), _Column("代码", "text", 10, 22),
            _Column("指标", "wrap", 10, 24), _Column("填写内容", "wrap", 10, 18), _Column("说明", "wrap", 24, 60),
        ]
        rows = [[x.file, self.name(x.unit) if x.unit else "", x.sheet, x.cell, LEVEL_WORDS.get(x.severity, x.severity),
                 x.code, x.indicator, x.value, x.message] for x in c.findings]
        ws, last = self._list_sheet(SHEETS[5], columns, rows, empty="没有发现问题。")
        self._colour_words(ws, 1, 4, last, [("错误", RED), ("提示", AMBER)])

    # ---- 7. 数据

    def data(self) -> None:
        """Every input value, long; written row by row with shared formats,
        without per-row heights (the sheet can hold 100,000 rows)."""
        c, f = self.c, self.f
        ws = self._sheet(SHEETS[6])
        if self.data_file:
            ws.set_column(0, 0, 100)
            ws.write_string(0, 0, f"本次汇总共 {c.value_count():,} 条填报数据，超过工作表适合容纳的行数。", f.text)
            ws.write_string(1, 0, f"完整数据（单位、指标、字段、数值、填写内容、文件、sha256、工作表、单元格）见同一文件夹中的“{self.data_file}”。", f.text)
            return
        columns = [
            _Column("单位编码", "text", 8, 14), _Column("单位", "text", 8, 18), _Column("指标", "text", 10, 30),
            _Column("行", "text", 6, 20), _Column("字段", "text", 8, 16), _Column("数值", "number", 10, 14),
            _Column("填写内容", "text", 10, 24), _Column("文件", "text", 10, 30), _Column("sha256", "text", 12, 20),
            _Column("工作表", "text", 8, 16), _Column("单元格", "text", 7, 8),
        ]
        sample = c.values[:_WIDTH_SAMPLE]
        samples = [
            [v.unit for v in sample], [self.name(v.unit) for v in sample], [v.indicator for v in sample],
            [v.row_id for v in sample], [FIELD_WORDS.get(v.field, v.field) for v in sample],
            [v.value if isinstance(v.value, str) else None for v in sample], [v.typed for v in sample],
            [v.file for v in sample], [None], [v.sheet for v in sample], [v.cell for v in sample],
        ]
        for i, col in enumerate(columns):
            ws.set_column(i, i, col.width(samples[i]))
            ws.write_string(0, i, col.header, f.header)
        ws.set_row(0, 20)
        text, general = f.text, f.number("General")
        write_string, write_number, write_blank = ws.write_string, ws.write_number, ws.write_blank
        names = {code: safe_cell_text(name) for code, name in self.names.items()}
        fields = dict(FIELD_WORDS)
        r = 0
        for r, v in enumerate(c.values, start=1):
            unit = v.unit or ""
            write_string(r, 0, safe_cell_text(unit), text)
            write_string(r, 1, names.get(unit) or safe_cell_text(unit), text)
            if v.indicator:
                write_string(r, 2, safe_cell_text(v.indicator), text)
            else:
                write_blank(r, 2, None, text)
            write_string(r, 3, safe_cell_text(str(v.row_id or "")), text)
            write_string(r, 4, fields.get(v.field, v.field or ""), text)
            number = _number(v.value)
            if number is not None:
                write_number(r, 5, number, general)
            elif v.value is None or v.value == "":
                write_blank(r, 5, None, text)
            else:
                write_string(r, 5, safe_cell_text(str(v.value)), text)
            if v.typed:
                write_string(r, 6, safe_cell_text(str(v.typed)), text)
            else:
                write_blank(r, 6, None, text)
            write_string(r, 7, safe_cell_text(v.file or ""), text)
            write_string(r, 8, v.sha256 or "", text)
            write_string(r, 9, safe_cell_text(v.sheet or ""), text)
            write_string(r, 10, v.cell or "", text)
        if not c.values:
            r = 1
            write_string(1, 0, "（无）", text)
        ws.freeze_panes(1, 0)
        ws.repeat_rows(0)
        ws.autofilter(0, 0, max(1, r), len(columns) - 1)
