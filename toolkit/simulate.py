"""Fill generated templates the way reporting units do.

`fill_template` opens a real template with openpyxl (keeping its protection
and hidden identification, as Excel or WPS would), types a value into each
input cell, and saves it under a new name. The tests, the demo and the
benchmarks make their returns with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from toolkit.templates.layout import ID_SHEET


@dataclass(frozen=True)
class InputSpot:
    sheet: str
    cell: str
    row_id: str
    indicator_id: str | None
    field: str
    kind: str


def input_spots(workbook) -> list[InputSpot]:
    """The input cells of an open template, from its hidden identification."""
    rows = list(workbook[ID_SHEET].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == "sheet" and row[1] == "cell")
    spots = []
    for row in rows[start + 1:]:
        if row[0]:
            sheet, cell, row_id, indicator_id, field, kind = (("" if v is None else str(v)) for v in row[:6])
            spots.append(InputSpot(sheet, cell, row_id, indicator_id or None, field, kind))
    return spots


def fill_template(template: Path, out: Path, value_for, *, edit=None, saved_at: dt.datetime | None = None) -> Path:
    """Type `value_for(spot)` into every input cell (None leaves it blank);
    `edit(workbook)` may then change anything else (a unit's mistakes)."""
    import openpyxl

    workbook = openpyxl.load_workbook(template)
    for spot in input_spots(workbook):
        value = value_for(spot)
        if value is not None:
            workbook[spot.sheet][spot.cell] = value
    if edit is not None:
        edit(workbook)
    out.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(out)
    if saved_at is not None:
        set_saved_time(out, saved_at)
    return out


def set_saved_time(path: Path, when: dt.datetime) -> None:
    """Record `when` as the workbook's last-saved time (docProps/core.xml), as
    the spreadsheet program that saved it would (openpyxl always writes now)."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info)) for info in archive.infolist()]
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp + rb"\g<2>", data)
            archive.writestr(info, data)
