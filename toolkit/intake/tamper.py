"""Is a return still the template it was? Structure and tamper checks.

The layout is derived again from the plan (the cell map a template carries is
not trusted); the sheets as read are compared with it: header rows, the
annex's own text, rows inserted, deleted or moved, merged input cells, content
pasted below the table, and what only the sheet XML tells (error values,
formulas typed into input cells, protection removed). What a file holds ends
up as `CellRecord`s, one per input cell, with the value as typed.
"""

from __future__ import annotations

from dataclasses import replace

from toolkit.model.returns import CellRecord, ReturnData
from toolkit.templates.layout import INSTRUCTIONS_SHEET, InputCell, WorkbookLayout, cell_ref, parse_ref
from toolkit.textable import cell_text
from toolkit.words import trim_number


def merge_allowance(sheet) -> tuple[set, set]:
    """(the template's own merged ranges, the input cells) of a layout sheet
    (worked out once per layout, by PlanLayouts)."""
    own = {(line.sheet_row, col, line.sheet_row + line.span - 1, col)
           for line in sheet.lines if line.first and line.span > 1
           for col, column in enumerate(sheet.columns) if column.kind == "input" and column.key in ("status", "progress")}
    return own, {(cell.row, cell.col) for cell in sheet.inputs}


def check_sheet_xml(result: ReturnData, gate) -> None:
    """What python-calamine does not tell, as the gate saw it in the sheet
    XML: error values, formulas in input cells, removed protection."""
    part_of = gate.sheet_parts or {}
    if gate.error_cells:
        _restore_error_values(result, part_of, gate.error_cells)
    if gate.booleans:
        _restore_booleans(result, part_of, gate.booleans)
    if gate.percents:
        _restore_percents(result, part_of, gate.percents)
    if gate.formulas or gate.unprotected:
        _report_formulas_and_protection(result, part_of, gate)


def _restore_error_values(result: ReturnData, part_of: dict[str, str], error_cells) -> None:
    """python-calamine reads error cells (#DIV/0!, #VALUE!) as empty: put
    back what they hold, so that they are reported as what they are, not as blanks."""
    for rec in result.records:
        if rec.raw is None:
            error = error_cells.get(part_of.get(rec.sheet), {}).get(rec.cell)
            if error is not None:
                rec.raw = error


def _restore_booleans(result: ReturnData, part_of: dict[str, str], booleans) -> None:
    """TRUE typed into a number cell and re-saved by LibreOffice reads as 1:
    put back the TRUE, so that it is reported as not a number."""
    for rec in result.records:
        value = booleans.get(part_of.get(rec.sheet), {}).get(rec.cell)
        if value is not None:
            rec.raw = value


def _restore_percents(result: ReturnData, part_of: dict[str, str], percents) -> None:
    """"100%" typed into a count or amount cell is saved as 1 with a percent
    format: put back what the unit saw, so that it is reported as a
    percentage where a quantity belongs (unexpected-percent), never read as 1."""
    for rec in result.records:
        if rec.kind in ("integer", "decimal") and rec.raw.__class__ in (int, float) \
                and rec.cell in percents.get(part_of.get(rec.sheet), ()):
            rec.raw = f"{trim_number(rec.raw * 100)}%"


def _report_formulas_and_protection(result: ReturnData, part_of: dict[str, str], gate) -> None:
    """Warn of formulas typed into input cells (read as their saved result) and
    of table sheets whose protection was removed."""
    inputs = {(rec.sheet, rec.cell): rec for rec in result.records}
    for sheet in result.layout.sheets:
        part = part_of.get(sheet.name)
        if part in (gate.unprotected or ()):
            result.add("protection-removed", sheet=sheet.name, expected=sheet.name)
        typed_over = [ref for ref in (gate.formulas or {}).get(part, ()) if (sheet.name, ref) in inputs]
        for ref in sorted(typed_over, key=parse_ref):
            rec = inputs[(sheet.name, ref)]
            result.add("formula-in-input", sheet=sheet.name, cell=ref, indicator_id=rec.indicator_id,
                       field=rec.field, value=cell_text(rec.raw) if rec.raw is not None else "")


def _same(found, expected: str) -> bool:
    # Programs re-saving a file may turn "\n" into "\r\n" or drop trailing spaces.
    return cell_text(found).replace("\r\n", "\n").strip() == expected.strip()


def read_cells(result: ReturnData, layout: WorkbookLayout, fixed_by_sheet, allowances, sheet_names: list[str],
                sheet_data) -> None:
    # (the cell map the template carries is not read: the plan's fingerprint and
    # the template version fix the layout, which is derived again here)
    if INSTRUCTIONS_SHEET in sheet_names:
        _take_inputs(result, layout.meta_inputs, sheet_data(INSTRUCTIONS_SHEET))
    for sheet in layout.sheets:
        if sheet.name not in sheet_names:
            result.add("sheet-missing", sheet=sheet.name, expected=sheet.name)
            continue
        data = sheet_data(sheet.name)
        header = [cell_text(v) for v in (data[sheet.header_row] if len(data) > sheet.header_row else [])]
        expected_header = [c.title for c in sheet.columns]
        if header[: len(expected_header)] != expected_header:
            result.add("rows-changed", sheet=sheet.name, cell=cell_ref(sheet.header_row, 0),
                       detail="表头被修改或插入了列")
            continue
        fixed_cells, allowance, inputs = fixed_by_sheet[sheet.name], allowances[sheet.name], sheet.inputs
        changed = _changed(fixed_cells, data)
        last_row = sheet.last_row
        shift = align_rows(sheet, data, fixed_cells) if changed else None
        if shift is not None and shift.inserted:  # rows a unit inserted for a note: read by the annex row
            fixed_cells, allowance, inputs = shift.fixed(fixed_cells), shift.allowance(allowance), shift.inputs(inputs)
            changed, last_row = _changed(fixed_cells, data), shift.row(sheet.last_row)
        if _rows_moved(sheet, data, changed, last_row):
            result.add("rows-changed", sheet=sheet.name, detail=f"应有 {len(sheet.lines)} 行数据，第 {changed[0][0].row + 1} 行起内容错位")
            continue
        for r in shift.inserted if shift is not None else ():
            text = "；".join(cell_text(v).strip() for v in data[r] if cell_text(v).strip())
            result.add("row-inserted", sheet=sheet.name, cell=cell_ref(r, 0), detail=r + 1,
                       found=f"“{_clip(text)}”" if text else "空行", value=_clip(text) or None)
        for fixed, found in changed:
            result.add("annex-cell-changed", sheet=sheet.name, cell=cell_ref(fixed.row, fixed.col),
                       expected=_clip(fixed.text), found=_clip(found), value=found)
        _check_merged_inputs(result, sheet, allowance, getattr(sheet_data, "merges", {}).get(sheet.name, []))
        below = [r for r in range(last_row + 1, len(data)) if any(cell_text(v).strip() for v in data[r])]
        if below:  # pasted below the table: not read, but the unit should know
            result.add("extra-content", sheet=sheet.name, cell=cell_ref(below[0], 0), detail=below[0] + 1)
        _take_inputs(result, inputs, data)


def _check_merged_inputs(result: ReturnData, sheet, allowance, merged_ranges) -> None:
    """Input cells merged by the unit (a value in a covered cell is lost); the
    template's own merges (a task's status over its indicator lines) are fine."""
    own, inputs = allowance
    for (r0, c0), (r1, c1) in merged_ranges:
        if (r0, c0, r1, c1) in own:
            continue
        if any((r, c) in inputs for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)):
            result.add("merged-input-cells", sheet=sheet.name, cell=cell_ref(r0, c0),
                       detail=f"{cell_ref(r0, c0)}:{cell_ref(r1, c1)}")


def _changed(fixed_cells, data) -> list:
    """The fixed cells whose text is not where the layout puts it, with what is there."""
    changed = []
    for fixed in fixed_cells:
        found = data[fixed.row][fixed.col] if fixed.row < len(data) and fixed.col < len(data[fixed.row]) else None
        if found != fixed.text and not _same(found, fixed.text):
            changed.append((fixed, cell_text(found)))
    return changed


def _rows_moved(sheet, data, changed, last_row: int) -> bool:
    """Rows were deleted or reordered: text of several lines no longer where
    the layout puts it, or a different number of data rows."""
    if not changed:
        return False
    lines_changed = {fixed.row for fixed, _ in changed if fixed.kind in ("annex", "indicator")}
    if len(lines_changed) >= 2:
        return True
    # one line changed: moved rows if the table no longer ends where it should
    filled = [r for r in range(sheet.first_data_row, min(len(data), last_row + 2)) if any(cell_text(v).strip() for v in data[r])]
    return (filled[-1] if filled else sheet.header_row) != last_row


# At most this many rows inserted in one place (a note or two, not a table pasted in).
MAX_INSERTED = 10


class RowShift:
    """Where each layout row is found in a sheet that has rows inserted."""

    def __init__(self, mapping: dict[int, int], inserted: list[int]):
        self.mapping, self.inserted = mapping, inserted

    def row(self, layout_row: int) -> int:
        """The sheet row of a layout row (rows between lines move with the line above)."""
        below = [r for r in self.mapping if r <= layout_row]
        if not below:
            return layout_row
        anchor = max(below)
        return self.mapping[anchor] + layout_row - anchor

    def fixed(self, cells):
        return [replace(c, row=self.row(c.row), last_row=self.row(c.last_row)) for c in cells]

    def allowance(self, allowance):
        own, inputs = allowance
        return ({(self.row(r0), c0, self.row(r1), c1) for r0, c0, r1, c1 in own},
                {(self.row(r), c) for r, c in inputs})

    def inputs(self, cells):
        return [replace(c, row=self.row(c.row)) for c in cells]


def align_rows(sheet, data, fixed_cells) -> RowShift | None:
    """The data rows of a sheet matched in order to the layout's lines by
    their fixed text (the annex text, indicator, target, unit; covered cells
    of a merge empty). Rows between matched lines that match none are rows a
    unit inserted. A line found nowhere (its text changed, or the row deleted)
    is taken where it should be: a changed text is then reported on its cell,
    a deleted row as rows-changed (the lines after it no longer match). None
    when the sheet ends before the last line.""" 
    expect: dict[int, dict[int, str]] = {}
    for f in fixed_cells:
        expect.setdefault(f.row, {})[f.col] = f.text
        for r in range(f.row + 1, f.last_row + 1):
            expect.setdefault(r, {})[f.col] = ""
    mapping, inserted = {}, []
    at = sheet.first_data_row
    for line in sheet.lines:
        want = expect.get(line.sheet_row, {})
        found = next((k for k in range(at, min(len(data), at + MAX_INSERTED + 1)) if _line_matches(data[k], want)), None)
        if found is None:  # its text changed (or the row is gone): taken where it should be, and reported there
            if at >= len(data):
                return None
            found = at
        inserted.extend(range(at, found))
        mapping[line.sheet_row] = found
        at = found + 1
    return RowShift(mapping, inserted)


def _line_matches(row: list, want: dict[int, str]) -> bool:
    for col, text in want.items():
        found = row[col] if col < len(row) else None
        if found != text and not _same(found, text):
            return False
    return True


def _take_inputs(result: ReturnData, inputs: list[InputCell], data: list[list]) -> None:
    for cell in inputs:
        r, c = cell.row, cell.col
        raw = data[r][c] if r < len(data) and c < len(data[r]) else None
        if raw == "":
            raw = None
        result.records.append(CellRecord(cell.sheet, cell.ref, cell.row_id, cell.indicator_id, cell.field, cell.kind, raw))


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
