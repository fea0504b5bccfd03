"""The task block of 领导总览, for plans with task rows: per responsible
office as the plan names it (责任科室/责任办公室; the reporting unit where the
plan names none) and, for a task list grouped in actions (行动名称), per
action, how many task reports are done, in progress, not started or not
reported, and how many are overdue (Consolidation.task_counts counts them;
the consolidation decides `overdue`). Its length follows the plan's offices
and actions, not the units."""

from __future__ import annotations

from toolkit.model.consolidation import TASK_COUNT_KEYS, TASK_COUNTED, TASK_TOTAL
from toolkit.textable import safe_cell_text
from toolkit.words import LATE_WORD, LEADERS_COLUMNS, TASK_COUNTS
from toolkit.xlsx.leaders.book import height, lines_per_row, section
from toolkit.xlsx.style import GREEN, RED

def write_task_counts(book, ws, r0: int, last_col: int, widths) -> int:
    """The block at row `r0` on columns `widths` wide; returns its last row
    (r0 - 2 when there are no tasks)."""
    by_office = book.c.task_counts("office")
    if not by_office:
        return r0 - 2
    total = by_office[-1][1]
    section(ws, r0, f"四、任务进度（共 {total['任务数']} 项：已完成 {total['已完成']} 项，"
                    f"推进中 {total['推进中']} 项，逾期 {total[LATE_WORD]} 项）", book.f)
    last = _counts_table(book, ws, r0 + 1, LEADERS_COLUMNS["overview-tasks"], by_office, widths)
    by_action = book.c.task_counts("action")
    if by_action:
        last = _counts_table(book, ws, last + 2, LEADERS_COLUMNS["overview-actions"], by_action, widths)
    return last


def _counts_table(book, ws, top: int, headers, rows, widths) -> int:
    """A header row at `top` (the group's title over columns A–B, a count in each column after) and a row per
    group; returns the last row."""
    f = book.f
    assert headers[2:] == (*TASK_COUNTED, LATE_WORD) and set(TASK_COUNTED) <= set(TASK_COUNTS)
    ws.merge_range(top, 0, top, 1, headers[0], f.header)
    for i, title in enumerate(headers[1:], start=2):
        ws.write_string(top, i, title, f.header)
    ws.set_row(top, height(lines_per_row([headers[1:]], widths[2:], set(range(len(headers) - 1)))[0]))
    names = [[name] for name, _ in rows]
    for n, ((name, counts), n_lines) in enumerate(zip(rows, lines_per_row(names, [widths[0] + widths[1]], {0}))):
        r = top + 1 + n
        ws.merge_range(r, 0, r, 1, safe_cell_text(name), f.bold if name == TASK_TOTAL else f.wrap)
        if n_lines > 1:
            ws.set_row(r, height(n_lines))
        for i, key in enumerate(TASK_COUNT_KEYS, start=2):
            ws.write_number(r, i, counts[key], f.number("0", center=True))
    last = top + len(rows)
    book.positive(ws, top + 1, 2 + len(TASK_COUNTED) + 1, last, f.cf[RED])  # 逾期
    book.positive(ws, top + 1, 3, last, f.cf[GREEN])  # 已完成
    return last
