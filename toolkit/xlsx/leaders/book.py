"""What every sheet of the leaders' workbook shares: the workbook being
written with its formats and the consolidation, unit names, page setup, and
the writing of a list under a header row (column widths from the text, row
heights from the wrapped text, text always as text)."""

from __future__ import annotations

import datetime as dt
import functools
import math

from toolkit.model.consolidation import Consolidation
from toolkit.textable import display_width, safe_cell_text
from toolkit.words import YES_NO
from toolkit.xlsx.style import (
    HEADER_PERIOD_LIMIT,
    LEADERS_HEIGHTS,
    LEADERS_MARGINS,
    LEADERS_PAGE_NUMBERS,
    WIDTH_SAMPLE,
    LeadersFormats,
    a4_landscape,
    fit_or_spread,
    header_text,
)


@functools.lru_cache(maxsize=2**16, typed=True)  # typed: 1, 1.0 and True differ in width
def text_width(value) -> int:
    """Width units a value takes in a cell (a CJK character takes 2)."""
    if value is None:
        return 0
    if isinstance(value, float):
        return 10
    if isinstance(value, (int, dt.datetime)):
        return len(str(value))
    return max((display_width(line) for line in str(value).split("\n")), default=0)


@functools.lru_cache(maxsize=2**16, typed=True)  # a task's text recurs on every unit's row
def lines(value, width: float) -> int:
    """Lines a wrapped text needs in a column `width` units wide."""
    if not isinstance(value, str) or not value:
        return 1
    if 2 * len(value) <= LEADERS_HEIGHTS.per_line(width) and "\n" not in value:  # fits whatever its characters (most cells)
        return 1
    return LEADERS_HEIGHTS.lines(value, width)


def height(n_lines: int) -> float:
    """Row height in points for `n_lines` lines of text."""
    return LEADERS_HEIGHTS.height(n_lines)


def lines_per_row(rows: list[list], widths: list[float], wrap: set[int]) -> list[int]:
    """Lines the tallest wrapped cell of each row needs, worked out column by
    column (a cell of at most half the column width in characters needs one)."""
    tallest = [1] * len(rows)
    for c in sorted(wrap):
        short = LEADERS_HEIGHTS.per_line(widths[c]) / 2
        for n, row in enumerate(rows):
            value = row[c] if c < len(row) else None
            if value.__class__ is str and (len(value) > short or "\n" in value):
                tallest[n] = max(tallest[n], lines(value, widths[c]))
    return tallest


SECTION_ROW = 16  # points: a row with a 12-point section title (一、报送情况)


def section(ws, r: int, title: str, f) -> None:
    """A section title in row `r` (format `f.section`), its row as high as its font needs."""
    ws.write_string(r, 0, title, f.section)
    ws.set_row(r, SECTION_ROW)


class Column:
    """A list column: header, cell style, width bounds (units; a Chinese
    character is about 2)."""

    def __init__(self, header: str, style: str = "text", lo: float = 6, hi: float = 30):
        self.header = header
        self.style = style  # text | wrap | center | number | datetime
        self.lo = lo
        self.hi = hi

    def width(self, values) -> float:
        widest = max([display_width(self.header) + 2] + [text_width(v) + 2 for v in values])
        return float(max(self.lo, min(self.hi, widest)))


def columns(titles, specs) -> list[Column]:
    """Columns from their titles (toolkit.words) and (style, narrowest, widest)."""
    assert len(titles) == len(specs)
    return [Column(title, *spec) for title, spec in zip(titles, specs)]


def widths(columns: list[Column], rows: list[list]) -> list[float]:
    sample = rows[:WIDTH_SAMPLE]
    return [col.width(row[i] for row in sample) for i, col in enumerate(columns)]


class Book:
    """The workbook being written, its formats and the consolidation."""

    def __init__(self, wb, c: Consolidation, *, data_file: str | None = None, tasks_file: str | None = None):
        self.wb = wb
        self.f = LeadersFormats(wb)
        self.c = c
        self.data_file = data_file  # values written to this CSV instead of the 数据 sheet
        self.tasks_file = tasks_file  # per-unit task rows written to this CSV
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

    def kind_of(self, outcome) -> str:
        """The kind of number of a unit's figure: its indicator's, as the area has it."""
        a = self.areas.get(outcome.indicator_id)
        return a.number_kind if a is not None else outcome.number_kind

    # ---- sheets and cells

    def sheet(self, name: str):
        ws = self.wb.add_worksheet(name)
        c = self.c
        a4_landscape(ws, top=LEADERS_MARGINS[0], header_margin=0.3, footer=LEADERS_PAGE_NUMBERS,
                     header=f"&L{header_text(c.plan_title)}&C{header_text(name)}"
                            f"&R{header_text(c.period_label, HEADER_PERIOD_LIMIT)}")
        return ws

    def write(self, ws, r: int, col: int, value, fmt, number_format=None, center: bool = False) -> None:
        """One cell: text always as text, numbers as numbers, None blank."""
        f = self.f
        if value.__class__ is str and value:  # the most common: first
            ws.write_string(r, col, safe_cell_text(value), fmt)
        elif value is None or value == "":
            ws.write_blank(r, col, None, fmt)
        elif isinstance(value, bool):
            ws.write_string(r, col, YES_NO[value], fmt)
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

    def table(self, ws, top: int, columns: list[Column], rows: list[list], *, number_formats=None,
              empty: str = "（无）", fixed_widths: list[float] | None = None) -> tuple[list[float], int]:
        """A header row at `top` and `rows` below it; returns (column widths,
        last row). `number_formats[(i, col)]` overrides a number's format."""
        f = self.f
        styles = {"text": f.text, "wrap": f.wrap, "center": f.center, "number": f.text, "datetime": f.text}
        sizes = fixed_widths or widths(columns, rows)
        for i, (col, width) in enumerate(zip(columns, sizes)):
            ws.set_column(i, i, width)
            ws.write_string(top, i, col.header, f.header)
        wrap = {i for i, col in enumerate(columns) if col.style in ("wrap", "center")}
        ws.set_row(top, height(lines_per_row([[col.header for col in columns]], sizes, set(range(len(columns))))[0]))
        if not rows:
            ws.write_string(top + 1, 0, empty, f.text)
            for i in range(1, len(columns)):
                ws.write_blank(top + 1, i, None, f.text)
            return sizes, top + 1
        number_formats = number_formats or {}
        for n, n_lines in enumerate(lines_per_row(rows, sizes, wrap)):
            if n_lines > 1:
                ws.set_row(top + 1 + n, height(n_lines))
        cell_styles = [styles[col.style] for col in columns]
        centered = [col.style == "center" for col in columns]
        write = self.write
        for n, row in enumerate(rows):
            r = top + 1 + n
            for i, value in enumerate(row):
                write(ws, r, i, value, cell_styles[i], number_formats.get((n, i)) if number_formats else None,
                      center=centered[i])
        return sizes, top + len(rows)

    def colour_words(self, ws, first: int, col: int, last: int, rules, *, kind: str = "equal") -> None:
        """Live colours on a column of words: a cell equal to (or beginning
        with) a word gets that word's colours."""
        last = max(first, last)
        for word, colours in rules:
            if kind == "equal":
                rule = {"type": "cell", "criteria": "==", "value": f'"{word}"', "format": self.f.cf[colours]}
            else:
                rule = {"type": "text", "criteria": "begins with", "value": word, "format": self.f.cf[colours]}
            ws.conditional_format(first, col, last, col, rule)

    def positive(self, ws, first: int, col: int, last: int, fmt) -> None:
        """Live colour on a column of counts: above 0."""
        ws.conditional_format(first, col, max(first, last), col,
                              {"type": "cell", "criteria": ">", "value": 0, "format": fmt})

    def list_sheet(self, name: str, columns: list[Column], rows: list[list], *, number_formats=None,
                   empty: str = "（无）"):
        """A plain list: header in row 1 (Excel row 1), frozen, filtered, repeated."""
        ws = self.sheet(name)
        sizes, last = self.table(ws, 0, columns, rows, number_formats=number_formats, empty=empty)
        fit_or_spread(ws, sizes, repeat_cols=2)
        ws.freeze_panes(1, 0)
        ws.repeat_rows(0)
        ws.autofilter(0, 0, max(1, last), len(columns) - 1)
        return ws, last
