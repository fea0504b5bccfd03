"""趋势 (with a ledger only): one row per indicator with its area level in
each period of the year so far, and a line chart of them. The levels come
with the consolidation (AreaValue.history); this sheet only shows them."""

from __future__ import annotations

from toolkit.periods import period_label
from toolkit.words import LEADERS_COLUMNS, TREND_SHEET
from toolkit.xlsx.leaders.book import Book, columns
from toolkit.xlsx.style import BODY_FONT, CHART_BORDER, CHART_GRID, TITLE_FONT, leaders_figure

CHART_SERIES = 8  # lines in the chart: more are unreadable on A4


def write_trend(book: Book) -> None:
    c, f = book.c, book.f
    shown = [a for a in c.aggregates if a.history]
    if not shown:
        return
    periods = sorted({h["period"] for a in shown for h in a.history})
    ws = book.sheet(TREND_SHEET)
    cols = columns([*LEADERS_COLUMNS["trend"], *(period_label(p) for p in periods)],
                   [("center", 5, 5), ("wrap", 14, 30), ("center", 8, 10), *[("number", 10, 14)] * len(periods)])
    last_col = len(cols) - 1
    ws.merge_range(0, 0, 0, last_col, f"{c.plan_title}：全域指标趋势（{period_label(periods[0])}至{c.period_label}）", f.title)
    ws.merge_range(1, 0, 1, last_col, "各期数值为全域的本年累计（比率为Σ分子÷Σ分母），取自台账中各期发出的汇总。", f.note)
    rows, formats = [], {}
    for n, a in enumerate(shown):
        by_period = {h["period"]: h["value"] for h in a.history}
        row = [n + 1, a.indicator, a.unit or ""]
        for k, p in enumerate(periods):
            figure = leaders_figure(by_period.get(p), a.level_kind or "other")
            if figure is not None:
                formats[(n, 3 + k)] = f.number(figure[1])
            row.append(figure[0] if figure else "")
        rows.append(row)
    top = 2
    _, last = book.table(ws, top, cols, rows, number_formats=formats)
    ws.freeze_panes(top + 1, 3)
    ws.repeat_rows(top)
    charted = [i for i, a in enumerate(shown) if sum(h["value"] is not None for h in a.history) >= 1][:CHART_SERIES]
    if not charted:
        return
    chart = book.wb.add_chart({"type": "line"})
    for i in charted:
        r = top + 1 + i
        chart.add_series({"name": [TREND_SHEET, r, 1], "categories": [TREND_SHEET, top, 3, top, last_col],
                          "values": [TREND_SHEET, r, 3, r, last_col], "marker": {"type": "circle", "size": 5}})
    chart.set_title({"name": "主要指标趋势", "name_font": {"name": TITLE_FONT, "size": 12, "bold": True}})
    chart.set_legend({"position": "bottom", "font": {"name": BODY_FONT, "size": 9}})
    chart.set_x_axis({"num_font": {"name": BODY_FONT, "size": 9}})
    chart.set_y_axis({"num_font": {"name": BODY_FONT, "size": 9},
                      "major_gridlines": {"visible": True, "line": {"color": CHART_GRID}}})
    chart.set_chartarea({"border": {"color": CHART_BORDER}})
    chart.set_size({"width": 720, "height": 300})
    ws.insert_chart(last + 2, 1, chart, {"x_offset": 2, "y_offset": 4, "object_position": 1})
    ws.print_area(0, 0, last + 18, last_col)
