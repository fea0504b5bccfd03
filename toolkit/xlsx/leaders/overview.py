"""领导总览: a brief on at most two A4 pages (portrait) for up to 70
indicators (landscape, one page wide, when a ledger adds its five columns).
Title, completeness (who reported, naming who is late or missing), beside it
the count of indicators per status and their chart (all on the first page),
one row per indicator for the whole area, and for task plans the tasks done,
in progress and overdue per office and per action.

The indicator rows fit one line where their texts allow: the indicators of
one annex table that share the responsible leader and office and the
deadline sit under one title row (责任：…　期限：…) instead of taking
columns, and the 说明 column holds a note's number (注1), the notes written
once each under the table.

The statuses, their order, words and colours come from the tables in
toolkit.words (STATUS_WORDS) and toolkit.xlsx.style (STATUS_COLOURS,
CHART_COLOURS): a new status code shows here by adding a table entry."""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.textable import safe_cell_text
from xlsxwriter.utility import xl_col_to_name

from toolkit.words import (
    BASIS_WORDS,
    COMPLETENESS_WORDS,
    LEADERS_COLUMNS,
    LEADERS_SHEETS,
    NO_DATA,
    OVERVIEW_DEADLINE,
    OVERVIEW_LEAD,
    OVERVIEW_LEAD_NOTE,
    OVERVIEW_NOTE,
    OVERVIEW_WHO,
    OVERVIEW_WHO_NOTE,
    STATUS_MEANINGS,
    deadline_words,
    iso_date_words,
    status_order,
    status_word,
)
from toolkit.xlsx.leaders.book import SECTION_ROW, Book, columns, height, lines_per_row, section
from toolkit.xlsx.leaders.tasks import task_block, write_task_block
from toolkit.xlsx.style import (
    A4_INCHES,
    AMBER,
    BODY_FONT,
    CHART_BORDER,
    CHART_COLOURS,
    CHART_GRID,
    CHART_OTHER,
    LEADERS_MARGINS,
    LINE_HEIGHT,
    OVERVIEW_NAMES_SHOWN,
    RED,
    STATUS_COLOURS,
    TITLE_FONT,
    column_pixels,
    fit_or_spread,
    fit_scale,
    leaders_figure,
    pages_tall,
    print_scale,
)

COLUMNS = columns(LEADERS_COLUMNS["overview"], [
    ("center", 4, 4), ("wrap", 42, 42), ("wrap", 14, 14), ("number", 9, 9), ("center", 9.5, 9.5), ("number", 6, 6),
    ("center", 5.5, 5.5), ("center", 17.5, 17.5), ("center", 6, 6), ("center", 5.5, 5.5),
])
VALUE_COLUMN, SECTORAL_COLUMN, STATUS_COLUMN, MISSED_COLUMN = 3, 5, 7, 8
# with a ledger: this period's level, the previous period's, the baseline, and the changes
HISTORY_COLUMNS = columns(LEADERS_COLUMNS["overview-history"], [("number", 9, 9)] * 5)
ROW = LINE_HEIGHT  # points: a one-line row (the sheet's default: Excel's row for 10-point 宋体)
NUMBER_ROW = 18  # a row of the completeness block (its numbers are 14-point)
TITLE_ROW = 30  # the sheet's title (16-point)
SUMMARY_ROW = 32  # the one-sentence summary: two lines of bold 10-point text
OVERVIEW_PAGES = 2  # the most pages the overview takes, for up to 70 indicators
STATUS_COUNT_COLUMN = 3  # the status counts stand right of the completeness block (columns A–C), in D–F
CHART_FIRST_COLUMN = 6  # the chart right of both (G to the table's last column)
ATTENTION = {"rejected": AMBER, "missing": RED, "late": AMBER}  # completeness counts coloured above 0


@dataclass
class _Layout:
    """What the overview writes between its top block and the task block,
    and how tall it is: the indicator table's rows (`groups`: row index →
    title), their heights, and the lines under the table."""

    rows: list
    formats: dict
    groups: dict
    heights: list[float]
    notes: list[tuple[str, float]]  # (text, row height) under the table


def write_overview(book: Book) -> None:
    c, f = book.c, book.f
    ws = book.sheet(LEADERS_SHEETS[0])
    ws.set_default_row(ROW)
    with_history = any(a.history or a.baseline for a in c.aggregates)
    table_columns = COLUMNS + HISTORY_COLUMNS if with_history else COLUMNS
    widths = [col.lo for col in table_columns]
    # portrait; landscape when the ledger's columns make the table too wide for a legible portrait page
    portrait = fit_scale(widths, portrait=True) >= print_scale(10) / 100
    if portrait:
        ws.set_portrait()
    last_col = len(table_columns) - 1
    for i, width in enumerate(widths):
        ws.set_column(i, i, width)
    statuses = status_order(a.status for a in c.aggregates)
    counts = {s: sum(1 for a in c.aggregates if a.status == s) for s in statuses}
    done = c.completeness

    # title, source line, one-sentence summary
    ws.set_row(0, TITLE_ROW)
    ws.merge_range(0, 0, 0, last_col, safe_cell_text(f"{c.plan_title}执行情况汇总（{c.period_label}）"), f.title)
    source = [x for x in (c.plan_issuer, c.plan_doc_number) if x]
    if c.period_end:
        source.append(f"统计截至 {iso_date_words(c.period_end)}")
    if c.due:
        source.append(f"报送截止 {iso_date_words(c.due)}")
    ws.merge_range(1, 0, 1, last_col, safe_cell_text("　".join(source)), f.subtitle)
    parts = "，".join(f"{status_word(s)} {counts[s]} 项" for s in statuses)
    summary = (f"共 {len(c.aggregates)} 项指标：{parts}。"
               f"应报 {done['expected']} 个单位，已报送 {done['received']} 个（有效 {done['valid']} 个、"
               f"被退回 {done['rejected']} 个），未报送 {done['missing']} 个，逾期报送 {done['late']} 个。")
    ws.set_row(2, SUMMARY_ROW)
    ws.merge_range(2, 0, 2, last_col, summary, f.summary)

    # completeness down the left (columns A–C), the status counts beside it (D–F), their chart right of both
    section(ws, 3, "一、报送情况", f)
    for i, (label, key) in enumerate(COMPLETENESS_WORDS):
        r = 4 + i
        ws.merge_range(r, 0, r, 1, label, f.bold_center)
        ws.write_number(r, 2, done[key], f.big_number)
        ws.set_row(r, NUMBER_ROW)
        if key in ATTENTION:
            book.positive(ws, r, 2, r, f.cf[ATTENTION[key]])
    block_end = 4 + max(len(COMPLETENESS_WORDS), 1 + len(statuses))  # the row after both blocks
    names = []
    for label, which in (("未报送", lambda u: u.status == "missing"), ("被退回", lambda u: u.status == "rejected"),
                         ("逾期报送", lambda u: u.on_time is False)):
        who = [u.name for u in c.units if which(u)]
        if len(who) > OVERVIEW_NAMES_SHOWN:  # a brief: the first ones, and how many; 报送情况 lists them all
            names.append(f"{label}：{'、'.join(who[:OVERVIEW_NAMES_SHOWN])}等 {len(who)} 个单位（名单见“报送情况”表）")
        elif who:
            names.append(f"{label}：{'、'.join(who)}")
    note = "；".join(names) + "。" if names else "全部单位按时报送。"
    note_height = height(lines_per_row([[note]], [sum(widths)], {0})[0])
    ws.merge_range(block_end, 0, block_end, last_col, safe_cell_text(note), f.brief_note)
    ws.set_row(block_end, note_height)

    top = block_end + 2  # the indicator table's header row
    header_height = height(lines_per_row([[col.header for col in table_columns]], widths,
                                         set(range(len(table_columns))))[0])
    above = [TITLE_ROW, ROW, SUMMARY_ROW, SECTION_ROW] + [NUMBER_ROW] * len(COMPLETENESS_WORDS) \
        + [ROW] * (block_end - 4 - len(COMPLETENESS_WORDS)) \
        + [note_height, SECTION_ROW, header_height]
    tasks = task_block(c, widths)  # the same in every layout
    layout = _fitting_layout(book, table_columns, with_history, widths, statuses, above, tasks, portrait)
    rows, formats, groups = layout.rows, layout.formats, layout.groups
    first = top + 1
    last = top + max(1, len(rows))
    _status_counts(book, ws, 3, (first, STATUS_COLUMN, last, STATUS_COLUMN), statuses, counts, widths)

    # the indicator table: a title row per annex table and responsible leader and office
    section(ws, top - 1, "三、指标完成情况", f)
    for i, col in enumerate(table_columns):
        ws.write_string(top, i, col.header, f.header)
    ws.set_row(top, header_height)
    if not rows:
        ws.write_string(first, 0, "本期没有可汇总的指标。", f.text)
        for i in range(1, len(table_columns)):
            ws.write_blank(first, i, None, f.text)
    styles = {"wrap": f.wrap, "center": f.center, "number": f.text}
    for n, (row, row_height) in enumerate(zip(rows, layout.heights)):
        r = first + n
        if row_height != ROW:
            ws.set_row(r, row_height)
        if n in groups:
            ws.merge_range(r, 0, r, last_col, safe_cell_text(groups[n]), f.bold)
            continue
        for i, value in enumerate(row):
            book.write(ws, r, i, value, styles[table_columns[i].style], formats.get((n, i)), center=True)
    book.colour_words(ws, first, STATUS_COLUMN, last,
                      [(status_word(s), STATUS_COLOURS[s]) for s in statuses if s in STATUS_COLOURS])
    status_cell = f"${xl_col_to_name(STATUS_COLUMN)}{first + 1}"  # relative row, fixed column: the row's 状态
    for s in statuses:
        if s in STATUS_COLOURS:
            ws.conditional_format(first, VALUE_COLUMN, last, VALUE_COLUMN, {
                "type": "formula", "criteria": f'={status_cell}="{status_word(s)}"',
                "format": f.cf[STATUS_COLOURS[s]]})
    book.positive(ws, first, MISSED_COLUMN, last, f.cf[RED])

    # the notes the 说明 column numbers, what each status means, then the tasks
    r = last + 1
    for text, row_height in layout.notes:
        ws.merge_range(r, 0, r, last_col, safe_cell_text(text), f.brief_note)
        ws.set_row(r, row_height)
        r += 1
    end = write_task_block(book, ws, r + 1, tasks) if tasks else r - 1
    ws.freeze_panes(top + 1, 0)
    ws.repeat_rows(top)
    ws.autofilter(top, 0, last, last_col)
    ws.print_area(0, 0, end, last_col)
    fit_or_spread(ws, widths, portrait=portrait, smallest_font=10)


def _fitting_layout(book: Book, table_columns, with_history: bool, widths, statuses, above: list[float], block,
                    portrait: bool) -> _Layout:
    """The first layout that prints on OVERVIEW_PAGES pages at the scale the
    sheet is fitted to (rows of `above` first, the last of them the table's
    header, repeated on each page; the task block `block` last), else the
    most compact: the notes one a line; then the notes in one paragraph; then
    the title rows without who is responsible (a line under the table says
    where to find it); then without the line saying what each status means."""
    scale = fit_scale(widths, portrait=portrait)
    page = (A4_INCHES[0 if portrait else 1] - LEADERS_MARGINS[0] - LEADERS_MARGINS[1]) * 72 / scale
    layout = None
    tasks = [ROW, *block.heights()] if block else []  # a blank row, then the block
    for who, compact, meanings in ((True, False, True), (True, True, True), (False, True, True), (False, True, False)):
        layout = _layout(book, table_columns, with_history, widths, statuses, who=who, compact=compact,
                         meanings=meanings)
        heights = [*above, *(layout.heights or [ROW]), *(h for _, h in layout.notes), *tasks]
        if pages_tall(heights, page, repeated=len(above) - 1) <= OVERVIEW_PAGES:
            break
    return layout


def _layout(book: Book, table_columns, with_history: bool, widths, statuses, *, who: bool, compact: bool,
            meanings: bool) -> _Layout:
    rows, formats, groups, notes, by_lead = _indicator_rows(book, table_columns, with_history, widths, who=who)
    wrap = {i for i, col in enumerate(table_columns) if col.style in ("wrap", "center")}
    heights = []
    for n, n_lines in enumerate(lines_per_row(rows, widths, wrap)):
        if n in groups:
            n_lines = lines_per_row([[groups[n]]], [sum(widths)], {0})[0]
        heights.append(height(n_lines) if n_lines > 1 else ROW)
    lines = [f"{OVERVIEW_NOTE}{k}：{text}" for k, text in enumerate(notes, start=1)]
    if by_lead:  # some title rows name only the unit that leads
        lines.append(OVERVIEW_LEAD_NOTE)
    if not who:
        lines.append(OVERVIEW_WHO_NOTE)
    if compact and len(lines) > 1:
        lines = ["；".join(line.rstrip("。") for line in lines) + "。"]
    if meanings:
        words = "；".join(f"{status_word(s)}：{STATUS_MEANINGS[s]}" for s in statuses if s in STATUS_MEANINGS)
        lines.append(f"状态说明：{words}。")
    under = [(line, height(lines_per_row([[line]], [sum(widths) * 0.9], {0})[0])) for line in lines]
    return _Layout(rows, formats, groups, heights, under)


def _indicator_rows(book: Book, table_columns, with_history: bool, widths, *, who: bool = True):
    """The table's rows, a title row before each run of indicators of one
    annex table (or named row, 危险化学品领域), one responsible leader and
    office and one deadline (`groups`: row index → title), number formats by
    (row, column), and the notes in order (the 说明 column holds 注1, 注2, …;
    a note shared by several rows is written once). The runs come in the
    order each first appears in the plan, the indicators of a run in the
    plan's order, numbered 1, 2, … down the page; an indicator's target shows
    without its deadline where its run's title states it. The 指标 and 全域数值
    columns are what a later period's `--baseline` reads back (with 计量单位
    saying ‰). 口径 says whether the figure is 本期 or 本年累计; 行业口径合计 is
    the sectoral sum beside a count of events; with a ledger, the level's
    history columns follow. `by_lead`: some title names only the unit that
    leads its rows (their responsible units too many for one line)."""
    f = book.f
    rows, formats, groups = [], {}, {}
    notes: dict[str, int] = {}
    runs, by_lead = _runs(book.c.aggregates, lambda text: lines_per_row([[text]], [sum(widths)], {0})[0] == 1, who)
    for title, run in runs:
        groups[len(rows)] = title
        rows.append([title] + [""] * (len(table_columns) - 1))
        for a in run:
            figure = leaders_figure(a.value, a.number_kind)
            if figure is not None:
                formats[(len(rows), VALUE_COLUMN)] = f.number(figure[1], bold=True, center=True)
            sectoral = leaders_figure(a.sectoral, a.number_kind)
            if sectoral is not None:
                formats[(len(rows), SECTORAL_COLUMN)] = f.number(sectoral[1], center=True)
            mark = ""
            if a.note:
                mark = f"{OVERVIEW_NOTE}{notes.setdefault(a.note, len(notes) + 1)}"
            target = a.target if a.bare_target is None else a.bare_target
            row = [len(rows) - len(groups) + 1, a.indicator, target, figure[0] if figure else NO_DATA,
                   BASIS_WORDS.get(a.basis, "") if figure else "", sectoral[0] if sectoral else "", a.unit or "",
                   status_word(a.status), a.units_missed, mark]
            if with_history:
                row.extend(_history_cells(a, len(rows), len(COLUMNS), f, formats))
            rows.append(row)
    return rows, formats, groups, list(notes), by_lead


def _runs(aggregates, fits, with_who: bool = True) -> tuple[list[tuple[str, list]], bool]:
    """The aggregates grouped under their title rows: the annex table (a named
    row, 危险化学品领域, on its own), who is responsible (责任：leader／office)
    and the deadline (期限：2026年12月31日) when the target is given without it;
    titles in the order they first appear, the plan's order within each. A
    title that would not fit one line (`fits`) names, of the responsible
    units, only the one that leads (县应急管理局牵头: the first named, where
    the text does not start with a kind of units); the second value says
    whether any does."""
    runs: dict[str, list] = {}
    by_lead = False
    for a in aggregates:
        label = (a.row or "").strip()
        title = a.table or ""
        if label and not label.replace(".", "").isdigit():  # a named row (危险化学品领域): its own group
            title = f"{title}：{label}" if title else label
        head = [title] if title else []
        tail = [f"{OVERVIEW_DEADLINE}：{deadline_words(a.deadline)}"] if a.deadline and a.bare_target is not None else []
        who = "／".join(x for x in (a.leader, a.office) if x) if with_who else ""
        text = "　".join([*head, f"{OVERVIEW_WHO}：{who}", *tail] if who else [*head, *tail])
        if who and a.lead_name and a.lead_name != a.office and not fits(text):
            lead = "／".join(x for x in (a.leader, f"{a.lead_name}{OVERVIEW_LEAD}") if x)
            text, by_lead = "　".join([*head, f"{OVERVIEW_WHO}：{lead}", *tail]), True
        runs.setdefault(text, []).append(a)
    return list(runs.items()), by_lead


def _history_cells(a, n: int, first_col: int, f, formats) -> list:
    """The overview's ledger columns of one aggregate; their number formats into `formats`."""
    kind = a.level_kind or "other"
    figures = [leaders_figure(a.level, kind), leaders_figure(a.previous_level, kind),
               leaders_figure(a.change_from_previous, kind), leaders_figure(a.baseline_level, kind),
               leaders_figure(a.change_from_baseline, "change")]
    cells = []
    for k, figure in enumerate(figures):
        if figure is not None:
            formats[(n, first_col + k)] = f.number(figure[1], center=True)
        cells.append(figure[0] if figure else "")
    return cells


def _status_counts(book: Book, ws, r0: int, status_range, statuses, counts, widths) -> None:
    """The count of indicators per status, its section title in row `r0`
    beside the completeness block's (columns D–F), and its chart right of
    both, as tall as the two blocks: bars across, the statuses down in the
    table's order."""
    from xlsxwriter.utility import xl_range_abs

    f = book.f
    left = STATUS_COUNT_COLUMN
    ws.write_string(r0, left, "二、指标状态统计", f.section)
    header = r0 + 1
    ws.merge_range(header, left, header, left + 1, "状态", f.header)
    ws.write_string(header, left + 2, "指标数", f.header)
    status_abs = xl_range_abs(*status_range)
    for i, s in enumerate(statuses):
        r = header + 1 + i
        word = status_word(s)
        ws.merge_range(r, left, r, left + 1, word, f.bold_center)
        ws.write_formula(r, left + 2, f'=COUNTIF({status_abs},"{word}")', f.bold_center, counts[s])
    book.colour_words(ws, header + 1, left, header + len(statuses),
                      [(status_word(s), STATUS_COLOURS[s]) for s in statuses if s in STATUS_COLOURS])
    chart = book.wb.add_chart({"type": "bar"})
    sheet = LEADERS_SHEETS[0]
    chart.add_series({
        "name": "指标数",
        "categories": [sheet, header + 1, left, header + len(statuses), left],
        "values": [sheet, header + 1, left + 2, header + len(statuses), left + 2],
        "points": [{"fill": {"color": CHART_COLOURS.get(s, CHART_OTHER)}, "border": {"none": True}} for s in statuses],
        "data_labels": {"value": True, "font": {"name": BODY_FONT, "size": 10, "bold": True}},
        "gap": 50,
    })
    chart.set_title({"name": "各状态指标数", "name_font": {"name": TITLE_FONT, "size": 11, "bold": True}})
    chart.set_legend({"none": True})
    # a bar chart's x axis is the values' (across), its y axis the statuses' (down, first at the top)
    chart.set_x_axis({"min": 0, "label_position": "none",  # the bars' labels give the counts
                      "major_gridlines": {"visible": True, "line": {"color": CHART_GRID}}})
    chart.set_y_axis({"num_font": {"name": BODY_FONT, "size": 9}, "reverse": True, "crossing": "max"})
    chart.set_chartarea({"border": {"color": CHART_BORDER}})
    width = sum(column_pixels(w) for w in widths[CHART_FIRST_COLUMN:]) - 8  # to the last column (a ledger adds five)
    extra = max(0, 1 + len(statuses) - len(COMPLETENESS_WORDS))  # status rows below the completeness block
    points = SECTION_ROW + NUMBER_ROW * len(COMPLETENESS_WORDS) + ROW * extra
    chart.set_size({"width": width, "height": int(points * 4 / 3) - 6})
    ws.insert_chart(r0, CHART_FIRST_COLUMN, chart, {"x_offset": 6, "y_offset": 3, "object_position": 1})
