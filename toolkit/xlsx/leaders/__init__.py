"""The consolidated workbook (汇总表): what leaders read, often printed on A4.

Seven sheets, in this order (one module each, or a group of sheets):

- `领导总览` (overview): title, completeness (who reported), one row per
  indicator for the whole area with its status, the responsible leader and
  office, a count of indicators per status and a chart of those counts;
- `指标明细` (grid): units × indicators, each cell the unit's figure,
  coloured by the unit's outcome;
- `未达标清单`, `报送情况`, `任务进度`, `校验问题` (lists): every missed
  target with the unit's reason; every expected unit and every file that came
  in; every task row of every unit, overdue ones marked; every finding;
- `数据` (data): every input value in long form, with its provenance.

`校验问题` and `数据` are hidden, so that printing the workbook prints the
brief (every sheet but those two). Colours are live conditional formats, so sorting, filtering and editing keep
them right. Text from the units is always written as text, never as a
formula or a link. Every sheet prints on A4 with its header rows repeated:
领导总览 portrait on one or two pages, the others landscape, one page wide
when that keeps the text at 8 points or more, else across pages with their
first columns repeated (toolkit.xlsx.style.fit_or_spread). The same consolidation gives a byte-identical
workbook. The writers receive the consolidation's decisions (statuses, the
kind of each number) and look up words (toolkit.words) and formats
(toolkit.xlsx.style); they decide nothing.
"""

from __future__ import annotations

import io
from pathlib import Path

from toolkit.bulk import bulk_work
from toolkit.model.consolidation import Consolidation
from toolkit.fileio import OutputSet, outputs, written_alongside
from toolkit.textable import safe_cell_text
from toolkit.words import LEADERS_SHEETS as SHEETS
from toolkit.xlsx import style
from toolkit.xlsx.leaders.book import Book
from toolkit.xlsx.leaders.data import tasks_csv, values_csv, write_data
from toolkit.xlsx.leaders.grid import write_grid
from toolkit.xlsx.leaders.lists import write_findings, write_missed, write_returns, write_tasks
from toolkit.xlsx.leaders.overview import write_overview
from toolkit.xlsx.leaders.trend import write_trend

__all__ = ["SHEETS", "beside_files", "render_consolidated_workbook", "tasks_csv", "values_csv", "write_consolidated_workbook"]


@bulk_work
def write_consolidated_workbook(c: Consolidation, path: Path, *, out: OutputSet | None = None,
                                fork: bool = False) -> Path | None:
    """Write the consolidated workbook of `c` to `path` (.xlsx), with the CSV
    files beside it, as one set (toolkit.fileio.OutputSet: all or nothing).

    Returns the CSV file written beside it when the values were too many for
    the 数据 sheet (`{stem}_数据.csv`), else None. fork: the CSVs are written
    by forked processes while the workbook renders (a command's own process
    only, see toolkit.fileio.written_alongside)."""
    path = Path(path)
    data_file = tasks_file = None
    names = beside_files(path)
    with outputs(out) as out:
        beside = []  # jobs: written while the workbook is rendered
        if c.value_count() > style.DATA_SHEET_LIMIT:
            data_file = names["data_csv"]
            beside.append(out.add_later(data_file, lambda: values_csv(c)))
        if len(c.tasks) > style.TASK_SHEET_LIMIT:
            tasks_file = names["tasks_csv"]
            beside.append(out.add_later(tasks_file, lambda: tasks_csv(c)))
        out.claim(path)
        with written_alongside(beside, fork=fork):
            workbook = render_consolidated_workbook(c, data_file=data_file.name if data_file else None,
                                                    tasks_file=tasks_file.name if tasks_file else None)
        out.add(path, workbook)
    return data_file


def beside_files(path: Path) -> dict[str, Path]:
    """The leaders' workbook at `path` and the CSVs that may be written beside it, by role
    (the workbook names them: a workbook goes with the CSVs of its own name)."""
    path = Path(path)
    return {"workbook": path, "data_csv": path.with_name(f"{path.stem}_数据.csv"),
            "tasks_csv": path.with_name(f"{path.stem}_任务进度.csv")}


# The long lists: in the workbook for the office, hidden so that printing the
# workbook prints the brief (print_lists: shown and printed).
NOT_PRINTED = (SHEETS[5], SHEETS[6])


def render_consolidated_workbook(c: Consolidation, *, data_file: str | None = None, tasks_file: str | None = None,
                                 print_lists: bool = False) -> bytes:
    """The consolidated workbook of `c`, as the bytes of an .xlsx file
    (`data_file`: the CSV holding the values instead of the 数据 sheet;
    `tasks_file`: the CSV holding the per-unit task rows)."""
    buffer = io.BytesIO()
    wb = style.new_workbook(buffer, default_font=True)
    wb.set_properties({
        "title": safe_cell_text(f"{c.plan_title}执行情况汇总（{c.period_label}）"),
        "subject": "汇总表", "author": "toolkit", "company": c.plan_issuer or "",
        "created": style.FIXED_TIME, "comments": "由 toolkit consolidate 生成。",
    })
    book = Book(wb, c, data_file=data_file, tasks_file=tasks_file)
    for write in (write_overview, write_trend, write_grid, write_missed, write_returns, write_tasks, write_findings, write_data):
        write(book)
    for ws in wb.worksheets():
        if ws.name in NOT_PRINTED and not print_lists:
            ws.hide()  # a hidden sheet does not print; 取消隐藏 shows it
    wb.worksheets()[0].activate()
    wb.close()
    return buffer.getvalue()
