"""The task block of 领导总览, for plans with task rows: per responsible
office as the plan names it (责任科室/责任办公室; the reporting unit where the
plan names none) and, for a task list grouped in actions (行动名称), per
action, how many task reports are done, in progress, not started or not
reported, and how many are overdue (Consolidation.task_counts counts them;
the consolidation decides `overdue`). Its length follows the plan's offices
and actions, not the units. Where the plan names several responsible units
for a row (a county's 县应急管理局、县发展改革委、…), too many for a line,
the tasks are counted per unit that leads the row (牵头单位: the first named,
toolkit.assign) instead, one line each.

The block is laid out first (`task_block`: its texts and row heights, which
the overview adds up to fit its pages), then written (`write_task_block`)."""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.model.consolidation import TASK_COUNT_KEYS, TASK_COUNTED, TASK_TOTAL
from toolkit.textable import safe_cell_text
from toolkit.words import LATE_WORD, LEADERS_COLUMNS, OVERVIEW_LEAD_HEADER, TASK_COUNTS
from toolkit.xlsx.leaders.book import SECTION_ROW, height, lines_per_row, section
from toolkit.xlsx.style import GREEN, LINE_HEIGHT, RED


@dataclass
class CountsTable:
    """One table of the block: its header row and a row per group (the total last), with their heights."""

    headers: tuple[str, ...]
    rows: list[tuple[str, dict[str, int]]]
    header_height: float
    heights: list[float]  # of the group rows


@dataclass
class TaskBlock:
    title: str  # the section title, with the totals
    tables: list[CountsTable]

    def heights(self) -> list[float]:
        """The block's row heights from its section title: a blank row between the tables."""
        out = [SECTION_ROW]
        for k, table in enumerate(self.tables):
            if k:
                out.append(LINE_HEIGHT)
            out += [table.header_height, *table.heights]
        return out


def task_block(c, widths) -> TaskBlock | None:
    """The block's texts and heights on columns `widths` wide; None when the plan has no tasks counted."""
    by_office = c.task_counts("office")
    if not by_office:
        return None
    headers = LEADERS_COLUMNS["overview-tasks"]
    if max(_name_lines(by_office, widths)) > 1:  # long lists of offices: per lead unit
        by_office, headers = c.task_counts("lead"), (OVERVIEW_LEAD_HEADER, *headers[1:])
    total = by_office[-1][1]
    title = (f"四、任务进度（共 {total['任务数']} 项：已完成 {total['已完成']} 项，"
             f"推进中 {total['推进中']} 项，逾期 {total[LATE_WORD]} 项）")
    tables = [_table(headers, by_office, widths)]
    by_action = c.task_counts("action")
    if by_action:
        tables.append(_table(LEADERS_COLUMNS["overview-actions"], by_action, widths))
    return TaskBlock(title, tables)


def _name_lines(rows, widths) -> list[int]:
    return lines_per_row([[name] for name, _ in rows], [widths[0] + widths[1]], {0})


def _table(headers, rows, widths) -> CountsTable:
    assert headers[2:] == (*TASK_COUNTED, LATE_WORD) and set(TASK_COUNTED) <= set(TASK_COUNTS)
    header_height = height(lines_per_row([headers[1:]], widths[2:], set(range(len(headers) - 1)))[0])
    heights = [height(n) if n > 1 else LINE_HEIGHT for n in _name_lines(rows, widths)]
    return CountsTable(tuple(headers), rows, header_height, heights)


def write_task_block(book, ws, r0: int, block: TaskBlock) -> int:
    """The block from row `r0` (its section title); returns its last row."""
    section(ws, r0, block.title, book.f)
    last = r0
    for k, table in enumerate(block.tables):
        last = _write_table(book, ws, last + (2 if k else 1), table)
    return last


def _write_table(book, ws, top: int, table: CountsTable) -> int:
    """A header row at `top` (the group's title over columns A–B, a count in each column after) and a row per
    group; returns the last row."""
    f = book.f
    ws.merge_range(top, 0, top, 1, table.headers[0], f.header)
    for i, title in enumerate(table.headers[1:], start=2):
        ws.write_string(top, i, title, f.header)
    ws.set_row(top, table.header_height)
    for n, ((name, counts), row_height) in enumerate(zip(table.rows, table.heights)):
        r = top + 1 + n
        ws.merge_range(r, 0, r, 1, safe_cell_text(name), f.bold if name == TASK_TOTAL else f.wrap)
        if row_height != LINE_HEIGHT:
            ws.set_row(r, row_height)
        for i, key in enumerate(TASK_COUNT_KEYS, start=2):
            ws.write_number(r, i, counts[key], f.number("0", center=True))
    last = top + len(table.rows)
    book.positive(ws, top + 1, 2 + len(TASK_COUNTED) + 1, last, f.cf[RED])  # 逾期
    book.positive(ws, top + 1, 3, last, f.cf[GREEN])  # 已完成
    return last
