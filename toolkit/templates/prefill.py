"""Templates for the next period with what the ledger knows (`templates build --db`):
a unit's baselines filled in, last period's 本年累计 shown beside its input,
tasks it reported 已完成 filled in as done. The values come from
toolkit.store.queries.template_prefill; this module only writes them.

What the ledger filled in is not the unit's to change: those cells are
locked (grey, like every other cell the unit does not type in) under the
sheet's protection, and last period's 本年累计 stands in a locked column of
its own to the right of the table (上期本年累计), which the reader never
reads (it reads the layout's columns only). The input cells stay unlocked."""

from __future__ import annotations

from pathlib import Path

AUTHOR = "toolkit 台账"
BESIDE_TITLE = "上期本年累计（台账）"


def prefill_templates(result, known: dict, plan, period) -> int:
    """Write `known` ({unit: {(row id, indicator id, field): (value, note)}}) into the
    built templates of `result`; how many cells were filled or noted.

    A value is written into its input cell, which is then locked; an entry
    with no value (last period's 本年累计) is a note on the input, and its
    figure (`beside`, when the entry has a third item) a locked cell beside the row."""
    import io

    import openpyxl

    from toolkit.fileio import write_atomic
    from toolkit.simulate import input_spots
    from toolkit.templates.layout import build_layout

    done = 0
    for built in result.templates:
        mine = known.get(built.unit_code)
        if not mine:
            continue
        workbook = openpyxl.load_workbook(built.path)
        layout = {sheet.name: sheet for sheet in build_layout(plan, built.rows, period.kind == "year").sheets}
        touched = 0
        for spot in input_spots(workbook):
            entry = mine.get((spot.row_id, spot.indicator_id, spot.field)) or mine.get((spot.row_id, None, spot.field))
            if entry is None:
                continue
            _write(workbook[spot.sheet], spot.cell, entry, layout.get(spot.sheet))
            touched += 1
        if touched:
            buffer = io.BytesIO()
            workbook.save(buffer)
            write_atomic(Path(built.path), buffer.getvalue())
            done += touched
    return done


def _write(ws, ref: str, entry: tuple, sheet) -> None:
    from copy import copy

    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill, Protection

    from toolkit.xlsx.style import COMPUTED_FILL

    value, note, *beside = entry
    cell = ws[ref]
    grey = PatternFill("solid", fgColor=COMPUTED_FILL.lstrip("#"))
    if value is not None and cell.value in (None, ""):
        cell.value = value
        cell.protection = Protection(locked=True)
        cell.fill = grey
    cell.comment = Comment(note, AUTHOR, width=220, height=60)
    if beside and beside[0] is not None and sheet is not None:
        column = len(sheet.columns) + 1  # the first column right of the table (1-based)
        header = ws.cell(sheet.header_row + 1, column)
        if header.value != BESIDE_TITLE:
            model = ws.cell(sheet.header_row + 1, column - 1)
            header.value = BESIDE_TITLE
            header.font, header.border, header.alignment = copy(model.font), copy(model.border), copy(model.alignment)
            header.fill = grey
            header.protection = Protection(locked=True)
            ws.column_dimensions[header.column_letter].width = 12
        shown = ws.cell(cell.row, column, beside[0])
        shown.font, shown.border, shown.alignment = copy(cell.font), copy(cell.border), copy(cell.alignment)
        shown.fill, shown.protection = grey, Protection(locked=True)
