"""指标明细: units × indicators, each cell the unit's figure, coloured by the
unit's outcome.

The colour depends on the outcome, not on the cell's own value: each row's
outcome codes sit in one hidden helper cell beside the grid, a letter per
indicator, and formula rules pick their letter out of it (one cell per row
rather than one per grid cell: a province's grid is 10,000 rows)."""

from __future__ import annotations

import math

from toolkit.textable import display_width, safe_cell_text
from toolkit.words import AREA_WORDS, BASIS_WORDS, HELPER_LEGEND, HELPER_TITLE, LEADERS_SHEETS, NO_DATA, STATUS_WORDS, status_order
from toolkit.xlsx.leaders.book import Book, height, lines, text_width
from toolkit.xlsx.style import STATUS_COLOURS, fit_or_spread, leaders_figure

# The outcome codes in the hidden helper column, a letter per indicator
# (letters differ whatever their case: Excel compares text case-insensitively).
STATUS_CODES = {"met": "m", "missed": "x", "in-progress": "p", "needs-baseline": "b", "qualitative": "q", "review": "r",
                "no-data": "n", "contribution": "c"}
OTHER_CODE = "?"  # a status with no letter yet: shown uncoloured
NOT_REPORTED_CODE = "-"


def write_grid(book: Book) -> None:
    c, f = book.c, book.f
    from xlsxwriter.utility import xl_rowcol_to_cell

    ws = book.sheet(LEADERS_SHEETS[1])
    # indicators: the plan's order, then any only the outcomes know (with an outcome for its kind)
    # each target says what its figures are: 本期 or 本年累计
    indicators: list[tuple[str, str, str]] = [
        (a.indicator_id, a.indicator, f"{a.target}（{BASIS_WORDS[a.basis]}）" if a.basis in BASIS_WORDS else a.target)
        for a in c.aggregates]
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
    legend = [(s, STATUS_WORDS[s]) for s in status_order([o.status for o in c.outcomes] + [a.status for a in c.aggregates])
              if s in STATUS_COLOURS]
    for i, (_, word) in enumerate(legend):
        ws.write_string(1, first_ind + i, word, f.bold_center)
    for s, word in legend:
        ws.conditional_format(1, first_ind, 1, first_ind + len(legend) - 1, {
            "type": "cell", "criteria": "==", "value": f'"{word}"', "format": f.cf[STATUS_COLOURS[s]]})
    ws.set_row(1, 18)

    # headers
    unit_widths = [max(10, min(14, max([text_width(u) + 2 for u in units] + [10]))),
                   max(12, min(20, max([text_width(book.name(u)) + 2 for u in units] + [12])))]
    ws.set_column(0, 0, unit_widths[0])
    ws.set_column(1, 1, unit_widths[1])
    ws.write_string(top, 0, "单位编码", f.header)
    ws.write_string(top, 1, "单位", f.header)
    ws.write_string(sub, 0, "目标", f.subheader)
    ws.write_blank(sub, 1, None, f.subheader)
    widths = []
    for k, (_, name, target) in enumerate(indicators):
        width = float(max(10, min(16, math.ceil(display_width(name or "") / 3) + 2, )))
        width = max(width, min(16, text_width(target) + 2))
        widths.append(width)
        ws.set_column(first_ind + k, first_ind + k, width)
        ws.write_string(top, first_ind + k, safe_cell_text(name or ""), f.header)
        ws.write_string(sub, first_ind + k, safe_cell_text(target or ""), f.subheader)
    if not indicators:
        ws.write_string(top, first_ind, "（无指标）", f.header)
        ws.write_blank(sub, first_ind, None, f.subheader)
    ws.set_row(top, height(max([lines(name, w) for (_, name, _), w in zip(indicators, widths)] or [1])))
    ws.set_row(sub, height(max([lines(t, w) for (_, _, t), w in zip(indicators, widths)] or [1])))
    ws.write_string(top, helper0, HELPER_TITLE, f.helper)
    ws.write_string(sub, helper0, HELPER_LEGEND, f.helper)
    ws.set_column(helper0, helper0, 12, None, {"hidden": True})

    # unit rows, then the area row
    kinds = [_kind(book, i) for i, _, _ in indicators]
    # (figure, its format) per distinct value and kind: units report many equal figures
    shown: dict[tuple, tuple] = {}
    write_string, write_number, write_blank = ws.write_string, ws.write_number, ws.write_blank
    for j, code in enumerate(units):
        r = first + j
        write_string(r, 0, safe_cell_text(code), f.text)
        write_string(r, 1, safe_cell_text(book.name(code)), f.wrap)
        mine = by_unit[code]
        codes = []
        for k, (ind, _, _) in enumerate(indicators):
            o = mine.get(ind)
            if o is None:
                write_blank(r, first_ind + k, None, f.center)
                codes.append(NOT_REPORTED_CODE)  # no colour
                continue
            codes.append(STATUS_CODES.get(o.status, OTHER_CODE))
            key = (o.actual, kinds[k])
            if key not in shown:
                figure = leaders_figure(o.actual, kinds[k])
                shown[key] = (figure[0], f.number(figure[1])) if figure else None
            figure = shown[key]
            if figure is None:
                write_string(r, first_ind + k, NO_DATA, f.center)
            else:
                write_number(r, first_ind + k, figure[0], figure[1])
        write_string(r, helper0, "".join(codes), f.helper)
    ws.write_string(area_row, 0, AREA_WORDS[0], f.bold)
    ws.write_string(area_row, 1, AREA_WORDS[1], f.bold)
    for k, (ind, _, _) in enumerate(indicators):
        a = book.areas.get(ind)
        figure = leaders_figure(a.value, kinds[k]) if a else None
        if figure is None:
            ws.write_string(area_row, first_ind + k, NO_DATA, f.bold_center)
        else:
            ws.write_number(area_row, first_ind + k, figure[0], f.number(figure[1], bold=True))
    area_codes = [STATUS_CODES.get(book.areas[i].status, OTHER_CODE) if i in book.areas else NOT_REPORTED_CODE for i, _, _ in indicators]
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
        for s, _ in legend:
            ws.conditional_format(first, first_ind, area_row, last_ind, {
                "type": "formula", "criteria": f'=MID({codes_cell},{position},1)="{STATUS_CODES[s]}"',
                "format": f.cf[STATUS_COLOURS[s]]})

    ws.freeze_panes(first, first_ind)
    ws.repeat_rows(top, sub)
    ws.autofilter(sub, 0, max(sub + 1, area_row - 1), last_ind)
    ws.print_area(0, 0, area_row + 1, last_visible)
    # across pages at a legible size, the unit columns on each (a wide grid is never shrunk onto one page)
    fit_or_spread(ws, unit_widths + widths + [8.43] * (last_visible + 1 - len(widths) - 2), smallest_font=9,
                  repeat_cols=2)


def _kind(book: Book, indicator_id: str) -> str:
    """An indicator's kind of number: the area's, or that of an outcome of it."""
    a = book.areas.get(indicator_id)
    if a is not None:
        return a.number_kind
    return next(o.number_kind for o in book.c.outcomes if o.indicator_id == indicator_id)
