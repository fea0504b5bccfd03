"""The list sheets: 未达标清单 (every missed target of every unit, with the
unit's reason), 报送情况 (every expected unit and every file that came in),
任务进度 (every task row of every unit, overdue ones marked; summed up per
task when there are too many) and 校验问题 (every finding)."""

from __future__ import annotations

import datetime as dt

from toolkit.textable import file_name
from toolkit.words import (
    FILE_STATUS_WORDS,
    LATE_WORD,
    LEADERS_COLUMNS,
    LEADERS_SHEETS,
    LEVEL_WORDS,
    NOT_REPORTED,
    NO_DATA,
    NO_REASON,
    TASK_COUNTS,
    UNIT_STATUS_WORDS,
    deadline_words,
)
from toolkit.xlsx.leaders.book import Book, columns, widths
from toolkit.xlsx.style import AMBER, GREEN, GREY, RED, fit_or_spread, leaders_figure


def _datetime(value) -> dt.datetime | str | None:
    if value is None or value == "":
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value)).replace(tzinfo=None)
    except ValueError:
        return str(value)
    return moment if moment.year >= 1900 else str(value)


# ---- 未达标清单

MISSED_COLUMNS = columns(LEADERS_COLUMNS["missed"], [
    ("text", 8, 14), ("wrap", 8, 18), ("wrap", 12, 28), ("number", 10, 12), ("wrap", 8, 16), ("wrap", 20, 40),
    ("wrap", 8, 12), ("wrap", 10, 18), ("wrap", 10, 28), ("wrap", 8, 14), ("center", 7, 8),
])


def write_missed(book: Book) -> None:
    c, f = book.c, book.f
    missed = [o for o in c.outcomes if o.status == "missed"]
    missed.sort(key=lambda o: (book.order.get(o.indicator_id, len(book.order)), o.indicator or "",
                               book.unit_order.get(o.unit, len(book.unit_order)), o.unit))
    rows, formats = [], {}
    for n, o in enumerate(missed):
        a = book.areas.get(o.indicator_id)
        figure = leaders_figure(o.actual, book.kind_of(o))
        if figure is not None:
            formats[(n, 3)] = f.number(figure[1])
        reason = o.reason if isinstance(o.reason, str) and o.reason.strip() else NO_REASON
        rows.append([o.unit, book.name(o.unit), o.indicator, figure[0] if figure else NO_DATA, o.target, reason,
                     a.leader if a else "", a.office if a else "", file_name(o.file), o.sheet, o.cell])
    ws, last = book.list_sheet(LEADERS_SHEETS[2], MISSED_COLUMNS, rows, number_formats=formats,
                               empty="本期没有未达标的指标。")
    book.colour_words(ws, 1, 5, last, [(NO_REASON, RED)])


# ---- 报送情况

UNIT_COLUMNS = columns(LEADERS_COLUMNS["units"], [
    ("text", 10, 14), ("wrap", 12, 22), ("center", 8, 12), ("center", 14, 16), ("wrap", 16, 36),
    ("datetime", 17, 17), ("number", 8, 8), ("number", 8, 8),
])
FILE_COLUMNS = columns(LEADERS_COLUMNS["files"], [
    ("wrap", 16, 30), ("text", 10, 14), ("wrap", 12, 22), ("center", 8, 16), ("center", 14, 16), ("wrap", 16, 30),
    ("number", 8, 8), ("number", 8, 8), ("datetime", 17, 17), ("wrap", 12, 18),
])


def write_returns(book: Book) -> None:
    c, f = book.c, book.f
    ws = book.sheet(LEADERS_SHEETS[3])
    done = c.completeness
    unit_rows = []
    for u in c.units:
        word = UNIT_STATUS_WORDS.get(u.status, u.status)
        if u.on_time is False:
            word += f"（{LATE_WORD}）"
        unit_rows.append([u.code, u.name, u.kind, word, file_name(u.file), _datetime(u.saved), u.errors, u.warnings])
    file_rows = [[fe.path, fe.unit, fe.unit_name or book.name(fe.unit), fe.period,
                  FILE_STATUS_WORDS.get(fe.status, fe.status), fe.why, fe.errors, fe.warnings, _datetime(fe.saved),
                  fe.sha256] for fe in c.files]
    # both blocks share the sheet's columns: each as wide as its wider use
    unit_widths, file_widths = widths(UNIT_COLUMNS, unit_rows), widths(FILE_COLUMNS, file_rows)
    shared = [max(a, b) for a, b in zip(unit_widths + [0.0] * len(file_widths), file_widths)]

    title = (f"一、应报单位报送情况（应报 {done['expected']} 个，已报送 {done['received']} 个，"
             f"被退回 {done['rejected']} 个，未报送 {done['missing']} 个，逾期 {done['late']} 个）")
    ws.write_string(0, 0, title, f.section)
    ws.set_row(0, 20)
    _, last = book.table(ws, 1, UNIT_COLUMNS, unit_rows, empty="（没有应报单位名单）",
                         fixed_widths=shared[:len(UNIT_COLUMNS)])
    book.colour_words(ws, 2, 3, last, [(UNIT_STATUS_WORDS[s], colours) for s, colours in
                                       (("missing", RED), ("rejected", AMBER), ("received", GREEN))], kind="begins")
    ws.conditional_format(2, 3, max(2, last), 3, {"type": "text", "criteria": "containing", "value": LATE_WORD,
                                                  "format": f.cf_orange})
    book.positive(ws, 2, 6, last, f.cf_red_font)
    book.positive(ws, 2, 7, last, f.cf_orange)
    ws.freeze_panes(2, 0)
    ws.repeat_rows(0, 1)
    ws.autofilter(1, 0, max(2, last), len(UNIT_COLUMNS) - 1)

    r0 = last + 2
    ws.write_string(r0, 0, f"二、收到的文件（共 {len(c.files)} 个）", f.section)
    ws.set_row(r0, 20)
    _, last2 = book.table(ws, r0 + 1, FILE_COLUMNS, file_rows, empty="（没有收到文件）", fixed_widths=shared)
    book.colour_words(ws, r0 + 2, 4, last2, [(FILE_STATUS_WORDS[s], colours) for s, colours in
                                             (("rejected", RED), ("unrecognised", RED), ("superseded", GREY),
                                              ("used", GREEN))])
    book.positive(ws, r0 + 2, 6, last2, f.cf_red_font)
    book.positive(ws, r0 + 2, 7, last2, f.cf_orange)
    ws.print_area(0, 0, last2, max(len(UNIT_COLUMNS), len(FILE_COLUMNS)) - 1)
    fit_or_spread(ws, shared, repeat_cols=2)


# ---- 任务进度

TASK_COLUMNS = columns(LEADERS_COLUMNS["tasks"], [
    ("wrap", 8, 14), ("wrap", 8, 12), ("center", 6, 8), ("wrap", 16, 36), ("center", 10, 12), ("center", 10, 10),
    ("wrap", 16, 30), ("center", 9, 9), ("wrap", 8, 10), ("wrap", 10, 14), ("wrap", 10, 20), ("center", 7, 8),
])
NO_TASKS = "本期没有需报告进度的任务。"


def write_tasks(book: Book) -> None:
    if book.tasks_file:
        _task_summary(book)
        return
    rows = [[t.unit_name or book.name(t.unit), t.table, t.row, t.task, deadline_words(t.deadline),
             t.status or NOT_REPORTED, t.progress, LATE_WORD if t.overdue else "", t.leader, t.office, file_name(t.file), t.cell]
            for t in book.c.tasks]
    ws, last = book.list_sheet(LEADERS_SHEETS[4], TASK_COLUMNS, rows, empty=NO_TASKS)
    book.colour_words(ws, 1, 7, last, [(LATE_WORD, RED)])
    book.colour_words(ws, 1, 5, last, [("已完成", GREEN), ("未启动", AMBER), (NOT_REPORTED, GREY)])


def _task_summary(book: Book) -> None:
    """Too many task rows for a sheet: one row per task with how many units
    are at each status; the per-unit list is in the CSV beside the workbook."""
    c = book.c
    counts: dict[str, dict] = {}
    for t in c.tasks:
        entry = counts.setdefault(t.row_id, {"task": t, **dict.fromkeys(TASK_COUNTS, 0)})
        entry[t.status or NOT_REPORTED] = entry.get(t.status or NOT_REPORTED, 0) + 1
        entry[LATE_WORD] += 1 if t.overdue else 0
    summary = columns(LEADERS_COLUMNS["task-summary"], [("wrap", 8, 16), ("center", 6, 12), ("wrap", 16, 40),
                      ("center", 10, 16), *(("center", 7, 8) for _ in TASK_COUNTS), ("wrap", 8, 12), ("wrap", 10, 18)])
    rows = [[e["task"].table, e["task"].row, e["task"].task, deadline_words(e["task"].deadline),
             *(e[word] for word in TASK_COUNTS), e["task"].leader, e["task"].office] for e in counts.values()]
    ws, last = book.list_sheet(LEADERS_SHEETS[4], summary, rows, empty=NO_TASKS)
    book.positive(ws, 1, 4 + TASK_COUNTS.index(LATE_WORD), last, book.f.cf[RED])
    ws.write_string(last + 2, 0, f"各单位逐项进度共 {len(c.tasks):,} 行，见同一文件夹中的“{book.tasks_file}”。", book.f.text)


# ---- 校验问题

FINDING_COLUMNS = columns(LEADERS_COLUMNS["findings"], [
    ("wrap", 10, 28), ("wrap", 8, 16), ("wrap", 8, 14), ("center", 7, 8), ("center", 6, 6), ("text", 10, 22),
    ("wrap", 10, 24), ("wrap", 10, 18), ("wrap", 24, 60),
])


def write_findings(book: Book) -> None:
    rows = [[file_name(x.file), book.name(x.unit) if x.unit else "", x.sheet, x.cell, LEVEL_WORDS.get(x.severity, x.severity),
             x.code, x.indicator, x.value, x.message] for x in book.c.findings]
    ws, last = book.list_sheet(LEADERS_SHEETS[5], FINDING_COLUMNS, rows, empty="没有发现问题。")
    book.colour_words(ws, 1, 4, last, [(LEVEL_WORDS["error"], RED), (LEVEL_WORDS["warning"], AMBER)])
