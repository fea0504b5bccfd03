"""Every format, colour, row-height rule, page setup and text limit of the
four workbook writers: the template (toolkit.templates.write), the marked-up
copy (toolkit.xlsx.feedback), the validation report (toolkit.xlsx.report) and the
leaders' workbook (toolkit.xlsx.leaders).

One palette and one pair of fonts serve all four. Each writer's formats are
made here, in one class per writer, in a fixed order (XlsxWriter numbers
formats in the order they are made, so the same input keeps giving the same
bytes). Row heights follow one rule, `HeightRule`: the lines a wrapped text
needs in a column, times the height of a line, plus padding, at most Excel's
409 points; each writer has its setting of it (how much of a column's width a
line of text fills, and the padding), calibrated on its own fonts and kept as
they were so that existing workbooks do not change.

This module decides nothing about the data: a writer hands it a decision (a
status, the kind of a number) and gets back how to show it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from toolkit.textable import CELL_TEXT_LIMIT, display_width, safe_cell_text  # noqa: F401 (the cell's own limit)

# ------------------------------------------------------------------ limits

TEXT_LIMIT = 500  # characters of a text input (进展情况, 未达标原因说明): checked by the template and by validation
META_TEXT_LIMIT = 100  # characters of the reporter's name, phone, approver on the instructions sheet
VALIDATION_TITLE_LIMIT = 32  # Excel: a data validation's input and error titles
VALIDATION_MESSAGE_LIMIT = 255  # Excel: its input and error messages
HEADER_TEXT_LIMIT = 60  # characters of a text in a page header (Excel allows 255 for all three parts)
HEADER_PERIOD_LIMIT = 30
OVERVIEW_NAMES_SHOWN = 12  # units named per line of the overview's 未报送/被退回/逾期报送 note; the rest are counted (every name is on 报送情况)
# Above this many values the leaders' 数据 sheet would be too long to use (and
# slow to write; Excel stops at 1,048,576 rows): they go to a CSV beside the
# workbook, and the consolidation keeps them as a table rather than records.
DATA_SHEET_LIMIT = 50_000
# Likewise for the per-unit task list: above this, 任务进度 sums up per task.
TASK_SHEET_LIMIT = 20_000
WIDTH_SAMPLE = 2000  # rows looked at to size a column of a long sheet

# ------------------------------------------------------------------ fonts and colours

BODY_FONT = "宋体"
TITLE_FONT = "黑体"
BORDER_COLOUR = "#808080"
NOTE_COLOUR = "#404040"  # grey text: subtitles, notes, guidance
LINK_COLOUR = "#0563C1"
HEADER_FILL = "#D9E1F2"
SUBHEADER_FILL = "#EDF2F9"
INPUT_FILL = "#FFF2CC"  # a cell the unit fills in
NA_FILL = "#E7E6E6"  # a cell the unit does not fill in
COMPUTED_FILL = "#EDEDED"  # a cell the workbook computes
TEMPLATE_COLOURS = {"input": INPUT_FILL, "na": NA_FILL, "header": HEADER_FILL, "title": "#1F3864",
                    "computed": COMPUTED_FILL}

# Conditional format colours, (fill, font): Excel's own "Bad", "Good" and
# "Neutral" cell styles, familiar to anyone who uses it, and two greys.
RED = ("#FFC7CE", "#9C0006")
GREEN = ("#C6EFCE", "#006100")
AMBER = ("#FFEB9C", "#9C5700")
GREY = (COMPUTED_FILL, "#595959")  # the leaders' workbook: no data, superseded
LIGHT_GREY = (NA_FILL, "#595959")  # the validation report: the same, a shade lighter
ORANGE_FONT = "#C65911"
BLUE = ("#DDEBF7", "#1F4E78")  # a person must judge
PEACH = ("#FCE4D6", "#843C0C")  # a figure is missing before it can be judged (the baseline)
LAVENDER = ("#EDE7F6", "#4B3B7A")  # a unit's part of an area figure: not judged on its own
# A target's outcome (toolkit.model.validation.OUTCOME_STATUSES) -> its colours.
STATUS_COLOURS = {"met": GREEN, "missed": RED, "in-progress": AMBER, "needs-baseline": PEACH, "qualitative": BLUE,
                  "no-data": GREY, "contribution": LAVENDER}
# Solid colours: the chart's bars (a chart is a picture, not data) and sheet tabs.
DARK_RED = "#C00000"
DARK_AMBER = "#FFC000"
CHART_COLOURS = {"met": "#70AD47", "missed": DARK_RED, "in-progress": DARK_AMBER, "needs-baseline": "#ED7D31",
                 "qualitative": "#5B9BD5", "no-data": "#A6A6A6", "contribution": "#8E7CC3"}
STATUS_COLOURS["review"] = BLUE  # the catch-all of older results: a person must judge
CHART_COLOURS["review"] = "#5B9BD5"
REPORT_STATUS_COLOURS = {**STATUS_COLOURS, "no-data": LIGHT_GREY}
CHART_OTHER = "#7F7F7F"  # a status with no colour of its own
CHART_GRID = "#D9D9D9"
CHART_BORDER = "#BFBFBF"
# A finding's mark in a marked-up copy (openpyxl colours: no #), by severity.
MARK = {
    "error": {"fill": RED[0][1:], "font": RED[1][1:], "tab": DARK_RED[1:]},
    "warning": {"fill": AMBER[0][1:], "font": AMBER[1][1:], "tab": DARK_AMBER[1:]},
}

# ------------------------------------------------------------------ row heights

LINE_HEIGHT = 13.5  # points per line of 10-point text
MAX_ROW_HEIGHT = 409.0  # Excel's limit


@dataclass(frozen=True)
class HeightRule:
    """Rows of wrapped text grow with their tallest cell (Excel does not grow
    rows a program wrote on its own). A column `width` units wide (a CJK
    character takes 2) holds `width * scale - margin` units of text per line
    (`whole`: rounded down to whole units)."""

    pad: float  # points added to the lines' height
    margin: float = 0.0
    scale: float = 1.0
    whole: bool = False

    def per_line(self, width: float) -> float:
        units = width * self.scale - self.margin
        return max(1, int(units)) if self.whole else max(1.0, units)

    def lines(self, text, width: float) -> int:
        """Lines `text` needs in a column `width` units wide (at least 1)."""
        if not text:
            return 1
        per_line = self.per_line(width)
        return sum(max(1, math.ceil(display_width(part) / per_line)) for part in str(text).split("\n"))

    def height(self, lines: int, line: float = LINE_HEIGHT) -> float:
        """Row height in points for `lines` lines of text `line` points high."""
        return min(MAX_ROW_HEIGHT, line * lines + self.pad)


# The template's annex text must print whole (LibreOffice and WPS set CJK
# text a little wider than Excel): a line holds 0.95 of the column's units.
TEMPLATE_HEIGHTS = HeightRule(pad=4, margin=1, scale=0.95, whole=True)
FEEDBACK_HEIGHTS = HeightRule(pad=4, margin=1)
REPORT_HEIGHTS = HeightRule(pad=2, margin=1)
LEADERS_HEIGHTS = HeightRule(pad=3, margin=1.5)
# openpyxl lines: the list sheet's 14-point title and 10-point guidance
FEEDBACK_TITLE_LINE = 18.75
FEEDBACK_GUIDANCE_LINE = 14.25
HEADER_ROW_HEIGHT = 20  # a list sheet's header row
COMMENT_WIDTH = 340  # pixels of a marked cell's comment
COMMENT_LINE_UNITS = 46  # display-width units per comment line at that width
COMMENT_LINE_HEIGHT = 18  # pixels per comment line
COMMENT_MAX_HEIGHT = 480

# ------------------------------------------------------------------ workbooks and pages

FIXED_TIME = dt.datetime(2000, 1, 1)  # the creation time of a report or consolidation: same input, same bytes
WORKBOOK_OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False}  # text from units stays text
A4 = 9
PAGE_NUMBERS = "第 &P 页，共 &N 页"
LEADERS_PAGE_NUMBERS = "第 &P 页 共 &N 页"  # the leaders' workbook has always had no comma


def new_workbook(buffer, *, default_font: bool = False):
    """An XlsxWriter workbook writing to `buffer` that never turns text into
    formulas, links or numbers (`default_font`: 10-point 宋体 for every cell)."""
    import xlsxwriter

    options = dict(WORKBOOK_OPTIONS)
    if default_font:
        options["default_format_properties"] = {"font_name": BODY_FONT, "font_size": 10}
    return xlsxwriter.Workbook(buffer, options)


def a4_landscape(ws, *, header: str, footer: str = PAGE_NUMBERS, top: float = 0.6, center: bool = False,
                 header_margin: float | None = None) -> None:
    """Print on A4 landscape, one page wide and as many tall as needed, with a
    page header and page numbers in the footer (XlsxWriter)."""
    ws.set_paper(A4)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=PRINT_MARGIN, right=PRINT_MARGIN, top=top, bottom=BOTTOM_MARGIN)
    if center:
        ws.center_horizontally()
    options = {"margin": header_margin} if header_margin is not None else None
    ws.set_header(header, options)
    ws.set_footer(f"&C{footer}", options)


# What prints: no text below MIN_PRINT_FONT points at the scale a sheet prints
# at. A sheet whose columns fit one page wide at that scale is fitted to one
# page wide; a wider one prints at the smallest legible scale across as many
# pages as it needs, its first columns (序号, 名称, 单位) repeated on each.
MIN_PRINT_FONT = 8.0
A4_INCHES = (11.69, 8.27)  # landscape width, portrait width
PRINT_MARGIN = 0.4  # inches, left and right
BOTTOM_MARGIN = 0.6  # inches (the page numbers in it)
LEADERS_MARGINS = (0.7, BOTTOM_MARGIN)  # the leaders' workbook: top (its page header in it) and bottom


def column_pixels(width: float) -> int:
    """Pixels of a column `width` units wide (Excel's rule, as XlsxWriter writes it)."""
    return 0 if width <= 0 else int(width * 7 + 0.5) + 5 if width >= 1 else int(width * 12 + 0.5)


def fit_scale(widths, *, portrait: bool = False, margin: float = PRINT_MARGIN) -> float:
    """The scale (at most 1) at which columns `widths` wide fit one A4 page wide."""
    page = A4_INCHES[1 if portrait else 0] - 2 * margin
    total = sum(column_pixels(w) for w in widths) or 1
    return min(1.0, page * 96 / total)


def pages_tall(heights, page: float, *, repeated: int | None = None) -> int:
    """Pages rows of `heights` (points) take down pages `page` points tall at
    the print scale (the page's printable height ÷ the scale), no row split
    across pages, the row at index `repeated` printed again atop each page
    after the first."""
    pages, used = 1, 0.0
    for h in heights:
        if used + h > page and used:
            pages += 1
            used = heights[repeated] if repeated is not None else 0.0
        used += h
    return pages


def print_scale(smallest_font: float = 10) -> int:
    """The smallest scale (%) at which `smallest_font` still prints at MIN_PRINT_FONT."""
    return min(100, math.ceil(MIN_PRINT_FONT / smallest_font * 100))


def fit_or_spread(ws, widths, *, portrait: bool = False, smallest_font: float = 10, repeat_cols: int = 0,
                  pages_tall: int = 0) -> float:
    """Fit the sheet one page wide when that keeps `smallest_font` legible,
    else print at the smallest legible scale across pages, left to right then
    down, with the first `repeat_cols` columns on every page. Returns the scale."""
    scale = fit_scale(widths, portrait=portrait)
    least = print_scale(smallest_font) / 100
    if math.floor(scale * 100) / 100 >= least:
        ws.fit_to_pages(1, pages_tall)
        return scale
    ws.set_print_scale(int(least * 100))  # turns fitting off
    ws.print_across()
    if repeat_cols:
        ws.repeat_columns(0, repeat_cols - 1)
    return least


def a4_landscape_openpyxl(ws) -> None:
    """The same for a sheet openpyxl writes (the marked-up copy's list)."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = PAGE_NUMBERS


def header_text(text: str, limit: int = HEADER_TEXT_LIMIT) -> str:
    """Text for a page header: & escaped, kept short."""
    text = " ".join(safe_cell_text(text or "").split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.replace("&", "&&")


# ------------------------------------------------------------------ numbers

# The kinds of number (toolkit.model.validation.NUMBER_KINDS) as the validation report
# shows a unit's figure next to its target.
# A change says which way it went (the figure is signed in the target's
# direction: positive is a decrease for a 下降 target): 下降12.3%, 上升4.0%.
CHANGE_FORMATS = {"change-decrease": '"下降"0.0%;"上升"0.0%;"持平"',
                  "change-increase": '"上升"0.0%;"下降"0.0%;"持平"'}
REPORT_NUMBER_FORMATS = {"rate-percent": "0.0%", "rate-permille": "0.000%", "change": "0.0%",
                         **CHANGE_FORMATS}  # anything else: General


def _decimals(value: float, choices: tuple[int, ...]) -> int:
    """The fewest decimals in `choices` that show `value` exactly (so 99.95%
    is not shown as 100.0% next to a target of 100%)."""
    for d in choices:
        if abs(round(value, d) - value) <= 1e-9 * max(1.0, abs(value)):
            return d
    return choices[-1]


def leaders_figure(value, kind: str) -> tuple[float, str] | None:
    """(number to write, number format) for a figure of the leaders'
    workbook, given its kind of number; None if there is no figure. A change
    against the baseline and a rate in % show as %; a rate in ‰ is written
    ×1000 with a ‰ sign (so it reads as the target does); counts and amounts
    with thousands separators and no more decimals than they have."""
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    if not math.isfinite(value):
        return None
    if kind in CHANGE_FORMATS:
        return value, CHANGE_FORMATS[kind]
    if kind in ("change", "rate-percent"):
        d = _decimals(value * 100, (1, 2, 3))
        return value, "0." + "0" * d + "%"
    if kind == "rate-permille":
        shown = round(value * 1000, 9)
        d = _decimals(shown, (2, 3, 4))
        return shown, "0." + "0" * d + '"‰"'
    d = _decimals(value, (0, 1, 2, 3))
    return value, "#,##0" if d == 0 else "#,##0." + "0" * d


# ------------------------------------------------------------------ formats, one class per writer


class TemplateFormats:
    """The fill-in template's formats (toolkit.templates.write)."""

    def __init__(self, wb):
        colours = TEMPLATE_COLOURS
        base = {"font_name": BODY_FONT, "font_size": 10, "valign": "top", "text_wrap": True, "border": 1}
        self.title = wb.add_format({"font_name": TITLE_FONT, "font_size": 14, "bold": True, "align": "center", "valign": "vcenter"})
        self.subtitle = wb.add_format({"font_name": BODY_FONT, "font_size": 10, "align": "center", "valign": "vcenter",
                                       "font_color": NOTE_COLOUR})
        self.header = wb.add_format({**base, "bold": True, "align": "center", "valign": "vcenter", "bg_color": colours["header"]})
        self.input_header = wb.add_format({**base, "bold": True, "align": "center", "valign": "vcenter", "bg_color": colours["input"]})
        self.text = wb.add_format(base)
        self.center = wb.add_format({**base, "align": "center"})
        self.na = wb.add_format({**base, "bg_color": colours["na"]})
        self.computed = wb.add_format({**base, "bg_color": colours["computed"], "num_format": "0.00%", "italic": True})
        self.label = wb.add_format({"font_name": BODY_FONT, "font_size": 11, "bold": True, "align": "right", "valign": "vcenter"})
        self.value = wb.add_format({"font_name": BODY_FONT, "font_size": 11, "valign": "vcenter", "text_wrap": True})
        self.heading = wb.add_format({"font_name": TITLE_FONT, "font_size": 12, "bold": True})
        self.plain = wb.add_format({"font_name": BODY_FONT, "font_size": 11, "text_wrap": True, "valign": "top"})
        self.legend = {k: wb.add_format({"font_name": BODY_FONT, "font_size": 10, "border": 1, "bg_color": colours[k]})
                       for k in ("input", "na", "header")}
        unlocked = {**base, "locked": False, "bg_color": colours["input"]}
        self.inputs = {
            "integer": wb.add_format({**unlocked, "num_format": "0", "align": "right"}),
            "decimal": wb.add_format({**unlocked, "num_format": "General", "align": "right"}),
            "percent": wb.add_format({**unlocked, "num_format": "0.0%", "align": "right"}),
            "status": wb.add_format({**unlocked, "align": "center"}),
            "text": wb.add_format(unlocked),
        }
        self.meta_input = wb.add_format({"font_name": BODY_FONT, "font_size": 11, "locked": False,
                                         "bg_color": colours["input"], "border": 1})


class ReportFormats:
    """The validation report's formats (toolkit.xlsx.report)."""

    def __init__(self, wb):
        base = {"font_name": BODY_FONT, "font_size": 10, "valign": "top", "border": 1, "border_color": BORDER_COLOUR}
        self.header = wb.add_format({**base, "bold": True, "align": "center", "valign": "vcenter", "text_wrap": True,
                                     "bg_color": HEADER_FILL})
        self.text = wb.add_format(base)
        self.wrap = wb.add_format({**base, "text_wrap": True})
        self.number = wb.add_format({**base, "num_format": "0"})
        self.datetime = wb.add_format({**base, "num_format": "yyyy-mm-dd hh:mm"})
        self.numbers = {fmt: wb.add_format({**base, "num_format": fmt})
                        for fmt in ("General", "0.0%", "0.000%", *CHANGE_FORMATS.values())}
        self.cf = {colours: wb.add_format({"bg_color": colours[0], "font_color": colours[1]})
                   for colours in {RED, AMBER, GREEN, LIGHT_GREY, *STATUS_COLOURS.values()}}

    def actual(self, kind: str):
        """The format of a unit's figure of this kind of number."""
        return self.numbers[REPORT_NUMBER_FORMATS.get(kind, "General")]


class LeadersFormats:
    """The leaders' workbook's formats (toolkit.xlsx.leaders); number formats
    are made on first use."""

    def __init__(self, wb):
        self.wb = wb
        base = {"font_name": BODY_FONT, "font_size": 10, "valign": "vcenter", "border": 1, "border_color": BORDER_COLOUR}
        self.base = base
        self.title = wb.add_format({"font_name": TITLE_FONT, "font_size": 16, "bold": True, "align": "center",
                                    "valign": "vcenter", "text_wrap": True})
        self.subtitle = wb.add_format({"font_name": BODY_FONT, "font_size": 10, "align": "center", "valign": "vcenter",
                                       "font_color": NOTE_COLOUR, "text_wrap": True})
        self.summary = wb.add_format({"font_name": BODY_FONT, "font_size": 11, "bold": True, "valign": "vcenter",
                                      "text_wrap": True})
        self.section = wb.add_format({"font_name": TITLE_FONT, "font_size": 12, "bold": True, "valign": "vcenter"})
        self.note = wb.add_format({"font_name": BODY_FONT, "font_size": 9, "valign": "vcenter", "text_wrap": True,
                                   "font_color": NOTE_COLOUR})
        self.header = wb.add_format({**base, "font_name": TITLE_FONT, "align": "center", "text_wrap": True,
                                     "bg_color": HEADER_FILL})
        self.brief_note = wb.add_format({"font_name": BODY_FONT, "font_size": 10, "valign": "top", "text_wrap": True,
                                         "font_color": NOTE_COLOUR})  # 领导总览 prints at 80%: no 9-point text
        self.subheader = wb.add_format({**base, "font_size": 9, "align": "center", "text_wrap": True,
                                        "bg_color": SUBHEADER_FILL})
        self.text = wb.add_format(base)
        self.wrap = wb.add_format({**base, "text_wrap": True})
        self.center = wb.add_format({**base, "align": "center", "text_wrap": True})
        self.bold = wb.add_format({**base, "bold": True, "text_wrap": True})
        self.bold_center = wb.add_format({**base, "bold": True, "align": "center"})
        self.big_number = wb.add_format({**base, "font_size": 14, "bold": True, "align": "center", "num_format": "0"})
        self.datetime = wb.add_format({**base, "num_format": "yyyy-mm-dd hh:mm"})
        self.helper = wb.add_format({"font_name": BODY_FONT, "font_size": 8, "font_color": BORDER_COLOUR})
        self.cf = {colours: wb.add_format({"bg_color": colours[0], "font_color": colours[1]})
                   for colours in (RED, GREEN, AMBER, GREY, *STATUS_COLOURS.values())}
        self.cf_orange = wb.add_format({"font_color": ORANGE_FONT, "bold": True})
        self.cf_red_font = wb.add_format({"font_color": RED[1], "bold": True})
        self.legend_words = {colours: wb.add_format({"font_name": BODY_FONT, "font_size": 9, "bold": True,
                                                     "font_color": colours[1], "bg_color": colours[0]})
                             for colours in (RED, GREEN, AMBER, GREY, *STATUS_COLOURS.values())}
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


class FeedbackStyles:
    """The marked-up copy's styles (toolkit.xlsx.feedback, openpyxl)."""

    def __init__(self):
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        thin = Side(style="thin", color=BORDER_COLOUR[1:])
        self.body = Font(name=BODY_FONT, size=10)
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.title_alignment = Alignment(wrap_text=True, vertical="center")
        self.guidance = Font(name=BODY_FONT, size=10, color=NOTE_COLOUR[1:])
        self.header_fill = PatternFill(fill_type="solid", fgColor=HEADER_FILL[1:], bgColor=HEADER_FILL[1:])
        self.header = Font(name=BODY_FONT, size=10, bold=True)
        self.header_alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.top_center = Alignment(horizontal="center", vertical="top")
        self.link = Font(name=BODY_FONT, size=10, color=LINK_COLOUR[1:], underline="single")

    @staticmethod
    def title(level: str):
        from openpyxl.styles import Font

        return Font(name=TITLE_FONT, size=14, bold=True, color=MARK[level]["tab"] if level == "error" else MARK[level]["font"])

    @staticmethod
    def level(level: str):
        from openpyxl.styles import Font

        return Font(name=BODY_FONT, size=10, bold=True, color=MARK[level]["font"])

    @staticmethod
    def fill(hex_colour: str):
        from openpyxl.styles import PatternFill

        return PatternFill(fill_type="solid", fgColor=hex_colour, bgColor=hex_colour)


# ------------------------------------------------------------------ the 通报 (toolkit.docx.brief)

# As government documents are set (GB/T 9704): A4, margins top 37 mm, bottom
# 35 mm, left 28 mm, right 26 mm; title 方正小标宋 二号 (22 pt), headings 黑体
# 三号, second-level headings 楷体 三号, body 仿宋_GB2312 三号 (16 pt) on a
# fixed 28-point line, first lines indented two characters. Where a font is
# missing, Word, WPS and LibreOffice substitute a font of the same kind (the
# ascii font is one every PC has); the text and layout stay.
BRIEF_MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
BRIEF_FONTS = {  # role: (East Asian font, size in points)
    "title": ("方正小标宋简体", 22),
    "heading": ("黑体", 16),
    "subheading": ("楷体_GB2312", 16),
    "body": ("仿宋_GB2312", 16),
    "table": ("仿宋_GB2312", 12),
    "table-header": ("黑体", 12),
}
BRIEF_ASCII_FONT = "Times New Roman"
BRIEF_LINE = 28  # points, fixed line spacing of body text
BRIEF_INDENT = 32  # points: two characters of 三号 text
BRIEF_TABLE_LINE = 18
BRIEF_HEADER_FILL = "D9E1F2"
