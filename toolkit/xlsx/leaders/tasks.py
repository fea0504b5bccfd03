"""The task block of 领导总览, for plans with task rows: per responsible
office as the plan names it (责任科室/责任办公室; the reporting unit where the
plan names none), how many task reports are done, in progress, not started or
not reported, and how many are overdue (the consolidation decides `overdue`;
this only counts). Its length follows the plan's offices, not the units."""

from __future__ import annotations

from toolkit.textable import safe_cell_text
from toolkit.xlsx.leaders.book import height, lines_per_row, section
from toolkit.words import LATE_WORD, LEADERS_COLUMNS, NOT_REPORTED, TASK_COUNTS
from toolkit.xlsx.style import GREEN, RED

COUNTED = ("已完成", "推进中", "未启动", NOT_REPORTED)


def task_counts(tasks) -> list[tuple[str, dict[str, int]]]:
    """(office, counts) per responsible office in order of appearance, then
    the total: 任务数, each status of COUNTED (不适用 counts as 已完成) and 逾期."""
    by_unit: dict[str, dict[str, int]] = {}
    total = dict.fromkeys(("任务数", *COUNTED, LATE_WORD), 0)
    for t in tasks:
        counts = by_unit.setdefault(t.office or t.unit_name or t.unit, dict.fromkeys(total, 0))
        status = t.status if t.status in COUNTED else "已完成" if t.status == "不适用" else NOT_REPORTED
        for c in (counts, total):
            c["任务数"] += 1
            c[status] += 1
            c[LATE_WORD] += bool(t.overdue)
    return [*by_unit.items(), ("合计", total)] if by_unit else []


def write_task_counts(book, ws, r0: int, last_col: int, widths) -> int:
    """The block at row `r0` on columns `widths` wide; returns its last row
    (r0 - 2 when there are no tasks)."""
    rows = task_counts(book.c.tasks)
    if not rows:
        return r0 - 2
    f = book.f
    total = rows[-1][1]
    section(ws, r0, f"四、任务进度（共 {total['任务数']} 项：已完成 {total['已完成']} 项，"
                           f"推进中 {total['推进中']} 项，逾期 {total[LATE_WORD]} 项）", f)
    headers = LEADERS_COLUMNS["overview-tasks"]
    assert headers[2:] == (*COUNTED, LATE_WORD) and set(COUNTED) <= set(TASK_COUNTS)
    ws.merge_range(r0 + 1, 0, r0 + 1, 1, headers[0], f.header)
    for i, title in enumerate(headers[1:], start=2):
        ws.write_string(r0 + 1, i, title, f.header)
    ws.set_row(r0 + 1, height(lines_per_row([headers[1:]], widths[2:], set(range(len(headers) - 1)))[0]))
    for n, (unit, counts) in enumerate(rows):
        r = r0 + 2 + n
        ws.merge_range(r, 0, r, 1, safe_cell_text(unit), f.bold if unit == "合计" else f.wrap)
        for i, key in enumerate(("任务数", *COUNTED, LATE_WORD), start=2):
            ws.write_number(r, i, counts[key], f.number("0", center=True))
    last = r0 + 1 + len(rows)
    book.positive(ws, r0 + 2, 2 + len(COUNTED) + 1, last, f.cf[RED])  # 逾期
    book.positive(ws, r0 + 2, 3, last, f.cf[GREEN])  # 已完成
    return last
