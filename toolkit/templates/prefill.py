"""Templates for the next period with what the ledger knows (`templates build --db`):
a unit's baselines filled in, last period's 本年累计 noted beside its input,
tasks it reported 已完成 filled in as done. The values come from
toolkit.store.queries.template_prefill; this module only writes them."""

from __future__ import annotations

from pathlib import Path

AUTHOR = "toolkit 台账"


def prefill_templates(result, known: dict) -> int:
    """Write `known` ({unit: {(row id, indicator id, field): (value, note)}}) into the
    built templates of `result`; how many cells were filled or noted."""
    import io

    import openpyxl
    from openpyxl.comments import Comment

    from toolkit.fileio import write_atomic
    from toolkit.simulate import input_spots

    done = 0
    for built in result.templates:
        mine = known.get(built.unit_code)
        if not mine:
            continue
        workbook = openpyxl.load_workbook(built.path)
        touched = 0
        for spot in input_spots(workbook):
            entry = mine.get((spot.row_id, spot.indicator_id, spot.field)) or mine.get((spot.row_id, None, spot.field))
            if entry is None:
                continue
            value, note = entry
            cell = workbook[spot.sheet][spot.cell]
            if value is not None and cell.value in (None, ""):
                cell.value = value
            cell.comment = Comment(note, AUTHOR, width=220, height=60)
            touched += 1
        if touched:
            buffer = io.BytesIO()
            workbook.save(buffer)
            write_atomic(Path(built.path), buffer.getvalue())
            done += touched
    return done
