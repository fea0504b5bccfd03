"""领导总览: title, completeness (who reported), one row per indicator for
the whole area with its status, the responsible leader and office, a count of
indicators per status and a chart of those counts."""

from __future__ import annotations

import math
import re

from xlsxwriter.utility import xl_col_to_name

from toolkit.textable import safe_cell_text
from toolkit.model.validation import OUTCOME_STATUSES
from toolkit.words import (
    BASIS_WORDS,
    COMPLETENESS_WORDS,
    LEADERS_COLUMNS,
    LEADERS_SHEETS,
    NO_DATA,
    STATUS_MEANINGS,
    STATUS_WORDS,
    iso_date_words,
)
from toolkit.xlsx.leaders.book import Book, columns
from toolkit.xlsx.style import (
    AMBER,
    BODY_FONT,
    CHART_BORDER,
    CHART_COLOURS,
    CHART_GRID,
    RED,
    STATUS_COLOURS,
    TITLE_FONT,
    leaders_figure,
)

# an area's statuses, in chart and count order (a unit's contribution is never an area's status)
STATUSES = tuple(s for s in ("missed", "met", "in-progress", "needs-baseline", "qualitative", "no-data")
                 if s in OUTCOME_STATUSES)
COLUMNS = columns(LEADERS_COLUMNS["overview"], [
    ("center", 5, 5), ("wrap", 10, 16), ("wrap", 14, 30), ("wrap", 10, 18), ("number", 10, 12), ("center", 8, 8),
    ("number", 9, 11), ("center", 8, 8), ("center", 11, 12), ("center", 8, 8), ("center", 8, 8), ("wrap", 9, 12),
    ("wrap", 12, 20), ("wrap", 12, 30),
])
VALUE_COLUMN = 4
SECTORAL_COLUMN = 6
STATUS_COLUMN = 8
MISSED_COLUMN = 9
# with a ledger: this period's level, the previous period's, the baseline, and the changes
HISTORY_COLUMNS = columns(LEADERS_COLUMNS["overview-history"], [("number", 9, 12)] * 5)


def _history_cells(a, n: int, first_col: int, f, formats) -> list:
    """The overview's ledger columns of one aggregate; their number formats into `formats`."""
    figures = [leaders_figure(a.level, a.level_kind or "other"), leaders_figure(a.previous_level, a.level_kind or "other"),
               leaders_figure(a.change_from_previous, a.level_kind or "other"),
               leaders_figure(a.baseline_level, a.level_kind or "other"), leaders_figure(a.change_from_baseline, "change")]
    cells = []
    for k, figure in enumerate(figures):
        if figure is not None:
            formats[(n, first_col + k)] = f.number(figure[1])
        cells.append(figure[0] if figure else "")
    return cells


def write_overview(book: Book) -> None:
    c, f = book.c, book.f
    ws = book.sheet(LEADERS_SHEETS[0])
    with_history = any(a.history or a.baseline for a in c.aggregates)
    table_columns = COLUMNS + HISTORY_COLUMNS if with_history else COLUMNS
    last_col = len(table_columns) - 1
    rows, formats = [], {}
    for n, a in enumerate(c.aggregates):
        table = a.table or ""
        if a.row and not re.fullmatch(r"[\d.、（）()]+", a.row.strip()):
            table = f"{table}（{a.row.strip()}）" if table else a.row.strip()
        figure = leaders_figure(a.value, a.number_kind)
        if figure is not None:
            formats[(n, VALUE_COLUMN)] = f.number(figure[1], bold=True)
        sectoral = leaders_figure(a.sectoral, a.number_kind)
        if sectoral is not None:
            formats[(n, SECTORAL_COLUMN)] = f.number(sectoral[1])
        rows.append([n + 1, table, a.indicator, a.target, figure[0] if figure else NO_DATA,
                     BASIS_WORDS.get(a.basis, "") if figure else "", sectoral[0] if sectoral else "", a.unit or "",
                     STATUS_WORDS.get(a.status, a.status), a.units_missed, a.units_reporting, a.leader, a.office,
                     a.note])
        if with_history:
            rows[-1].extend(_history_cells(a, n, len(COLUMNS), f, formats))

    counts = c.status_counts
    done = c.completeness

    # title, source line, one-sentence summary
    ws.set_row(0, 30)
    ws.merge_range(0, 0, 0, last_col, safe_cell_text(f"{c.plan_title}执行情况汇总（{c.period_label}）"), f.title)
    source = [x for x in (c.plan_issuer, c.plan_doc_number) if x]
    if c.period_end:
        source.append(f"统计截至 {iso_date_words(c.period_end)}")
    if c.due:
        source.append(f"报送截止 {iso_date_words(c.due)}")
    ws.merge_range(1, 0, 1, last_col, safe_cell_text("　".join(source)), f.subtitle)
    summary = (f"共 {len(c.aggregates)} 项指标：" + "，".join(f"{STATUS_WORDS[s]} {counts[s]} 项" for s in STATUSES) + "。"
               f"应报 {done['expected']} 个单位，已报送 {done['received']} 个（有效 {done['valid']} 个、"
               f"被退回 {done['rejected']} 个），未报送 {done['missing']} 个，逾期报送 {done['late']} 个。")
    ws.set_row(2, 32)
    ws.merge_range(2, 0, 2, last_col, summary, f.summary)

    # completeness block
    ws.write_string(3, 0, "一、报送情况", f.section)
    for i, (label, key) in enumerate(COMPLETENESS_WORDS, start=1):
        ws.write_string(4, i, label, f.header)
        ws.write_number(5, i, done[key], f.big_number)
    ws.set_row(5, 22)
    book.positive(ws, 5, 4, 5, f.cf[AMBER])  # 被退回
    book.positive(ws, 5, 5, 5, f.cf[RED])  # 未报送
    book.positive(ws, 5, 6, 5, f.cf[AMBER])  # 逾期报送

    # indicator table
    ws.write_string(7, 0, "二、指标完成情况", f.section)
    legend = [f.note, "图例（状态列与全域数值按结果着色）："]
    for s in STATUSES:
        legend += [f.legend_words[STATUS_COLOURS[s]], f" {STATUS_WORDS[s]} ", f.note, " "]
    legend += ["；未达标单位数大于 0 时标红；“口径”说明全域数值是本期数还是本年累计数。"]
    ws.merge_range(8, 0, 8, last_col, "", f.note)
    ws.write_rich_string(8, 0, *legend, f.note)
    top = 9
    widths, last = book.table(ws, top, table_columns, rows, number_formats=formats, empty="本期没有可汇总的指标。")
    first = top + 1
    status_range = (first, STATUS_COLUMN, max(first, last), STATUS_COLUMN)
    book.colour_words(ws, first, STATUS_COLUMN, last, [(STATUS_WORDS[s], STATUS_COLOURS[s]) for s in STATUSES])
    status_cell = f"${xl_col_to_name(STATUS_COLUMN)}{first + 1}"  # relative row, fixed column: the row's 状态
    for s in STATUSES:
        ws.conditional_format(first, VALUE_COLUMN, max(first, last), VALUE_COLUMN, {
            "type": "formula", "criteria": f'={status_cell}="{STATUS_WORDS[s]}"',
            "format": f.cf[STATUS_COLOURS[s]]})
    book.positive(ws, first, MISSED_COLUMN, last, f.cf[RED])
    ws.freeze_panes(top + 1, 0)
    ws.repeat_rows(top)
    ws.autofilter(top, 0, max(top + 1, last), last_col)
    _status_counts(book, ws, last + 2, status_range, counts, widths, last_col)


def _status_counts(book: Book, ws, r0: int, status_range, counts, widths, last_col: int) -> None:
    """The count of indicators per status (live: COUNTIF over the 状态 column) and its chart."""
    from xlsxwriter.utility import xl_range_abs

    f = book.f
    ws.write_string(r0, 0, "三、指标状态统计", f.section)
    ws.write_string(r0 + 1, 1, "状态", f.header)
    ws.write_string(r0 + 1, 2, "指标数", f.header)
    ws.merge_range(r0 + 1, 3, r0 + 1, last_col, "含义", f.header)
    status_abs = xl_range_abs(*status_range)
    for i, s in enumerate(STATUSES):
        r = r0 + 2 + i
        word = STATUS_WORDS[s]
        ws.write_string(r, 1, word, f.bold_center)
        ws.write_formula(r, 2, f'=COUNTIF({status_abs},"{word}")', f.bold_center, counts[s])
        ws.merge_range(r, 3, r, last_col, STATUS_MEANINGS[s], f.wrap)
    book.colour_words(ws, r0 + 2, 1, r0 + 1 + len(STATUSES), [(STATUS_WORDS[s], STATUS_COLOURS[s]) for s in STATUSES])
    chart_row = r0 + 2 + len(STATUSES) + 1
    chart = book.wb.add_chart({"type": "column"})
    sheet = LEADERS_SHEETS[0]
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
                      "major_gridlines": {"visible": True, "line": {"color": CHART_GRID}},
                      "num_format": "0"})
    chart.set_chartarea({"border": {"color": CHART_BORDER}})
    chart_width = int(sum(widths[1:9]) * 7 + 5)
    chart_height = 240
    chart.set_size({"width": min(max(chart_width, 420), 720), "height": chart_height})
    ws.insert_chart(chart_row, 1, chart, {"x_offset": 2, "y_offset": 4, "object_position": 1})
    end_row = chart_row + math.ceil((chart_height + 10) / 20) + 1
    ws.print_area(0, 0, end_row, last_col)
