"""数据: every input value in long form, with its provenance; and the two
CSV files written beside the workbook when the values or the task rows are
too many for a sheet."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator

from toolkit.model.consolidation import Consolidation
from toolkit.textable import csv_text, safe_cell_text
from toolkit.words import (
    FIELD_WORDS,
    LATE_WORD,
    LEADERS_COLUMNS,
    LEADERS_SHEETS,
    NOT_REPORTED,
    TASK_CSV_COLUMNS,
    VALUE_CSV_COLUMNS,
    deadline_words,
)
from toolkit.xlsx.leaders.book import Book, columns
from toolkit.xlsx.style import WIDTH_SAMPLE

DATA_COLUMNS = columns(LEADERS_COLUMNS["data"], [
    ("text", 8, 14), ("text", 8, 18), ("text", 10, 30), ("text", 6, 20), ("text", 8, 16), ("number", 10, 14),
    ("text", 10, 24), ("text", 10, 30), ("text", 12, 20), ("text", 8, 16), ("text", 7, 8),
])


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def write_data(book: Book) -> None:
    """Every input value, long; written row by row with shared formats,
    without per-row heights (the sheet can hold 100,000 rows)."""
    c, f = book.c, book.f
    ws = book.sheet(LEADERS_SHEETS[6])
    if book.data_file:
        ws.set_column(0, 0, 100)
        ws.write_string(0, 0, f"本次汇总共 {c.value_count():,} 条填报数据，超过工作表适合容纳的行数。", f.text)
        ws.write_string(1, 0, f"完整数据（单位、指标、字段、数值、填写内容、文件、sha256、工作表、单元格）见同一文件夹中的“{book.data_file}”。", f.text)
        return
    sample = c.values[:WIDTH_SAMPLE]
    samples = [
        [v.unit for v in sample], [book.name(v.unit) for v in sample], [v.indicator for v in sample],
        [v.row_id for v in sample], [FIELD_WORDS.get(v.field, v.field) for v in sample],
        [v.value if isinstance(v.value, str) else None for v in sample], [v.typed for v in sample],
        [v.file for v in sample], [None], [v.sheet for v in sample], [v.cell for v in sample],
    ]
    for i, col in enumerate(DATA_COLUMNS):
        ws.set_column(i, i, col.width(samples[i]))
        ws.write_string(0, i, col.header, f.header)
    ws.set_row(0, 20)
    text, general = f.text, f.number("General")
    write_string, write_number, write_blank = ws.write_string, ws.write_number, ws.write_blank
    names = {code: safe_cell_text(name) for code, name in book.names.items()}
    fields = dict(FIELD_WORDS)
    r = 0
    for r, v in enumerate(c.values, start=1):
        unit = v.unit or ""
        write_string(r, 0, safe_cell_text(unit), text)
        write_string(r, 1, names.get(unit) or safe_cell_text(unit), text)
        if v.indicator:
            write_string(r, 2, safe_cell_text(v.indicator), text)
        else:
            write_blank(r, 2, None, text)
        write_string(r, 3, safe_cell_text(str(v.row_id or "")), text)
        write_string(r, 4, fields.get(v.field, v.field or ""), text)
        number = _number(v.value)
        if number is not None:
            write_number(r, 5, number, general)
        elif v.value is None or v.value == "":
            write_blank(r, 5, None, text)
        else:
            write_string(r, 5, safe_cell_text(str(v.value)), text)
        if v.typed:
            write_string(r, 6, safe_cell_text(str(v.typed)), text)
        else:
            write_blank(r, 6, None, text)
        write_string(r, 7, safe_cell_text(v.file or ""), text)
        write_string(r, 8, v.sha256 or "", text)
        write_string(r, 9, safe_cell_text(v.sheet or ""), text)
        write_string(r, 10, v.cell or "", text)
    if not c.values:
        r = 1
        write_string(1, 0, "（无）", text)
    ws.freeze_panes(1, 0)
    ws.repeat_rows(0)
    ws.autofilter(0, 0, max(1, r), len(DATA_COLUMNS) - 1)


_CSV_ROWS_PER_PIECE = 20_000


def _csv(header, rows) -> Iterator[str]:
    """Rows as CSV text in pieces, UTF-8 with BOM once written (so Excel opens
    it as UTF-8); a province's million rows never held as one string; every
    text that a spreadsheet would run as a formula made inert (csv_text)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    for n, row in enumerate(rows, start=1):
        writer.writerow([csv_text(v) if v.__class__ is str else v for v in row])
        if n % _CSV_ROWS_PER_PIECE == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def tasks_csv(c: Consolidation) -> Iterator[str]:
    """Every task row of every unit, as CSV (in pieces)."""
    return _csv(TASK_CSV_COLUMNS, (
        (t.unit, t.unit_name, t.table, t.row, t.task, deadline_words(t.deadline), t.status or NOT_REPORTED,
         t.progress or "", LATE_WORD if t.overdue else "", t.leader, t.office, t.file, t.sheet, t.cell)
        for t in c.tasks))


_VALUE_COLUMNS = ("unit", "indicator", "row_id", "field", "value", "typed", "file", "sha256", "sheet", "cell")


def values_csv(c: Consolidation) -> Iterator[str]:
    """Every input value with its provenance, as CSV (in pieces)."""
    if not c.values and c.values_table is not None:  # many: straight from the table's columns, a slice at a time
        return _csv(VALUE_CSV_COLUMNS, _table_rows(c.values_table))
    return _csv(VALUE_CSV_COLUMNS, (
        (v.unit, v.indicator or "", v.row_id, FIELD_WORDS.get(v.field, v.field), "" if v.value is None else v.value,
         v.typed, v.file, v.sha256, v.sheet, v.cell)
        for v in c.values))


def _table_rows(table) -> Iterator[tuple]:
    for start in range(0, len(table), _CSV_ROWS_PER_PIECE):
        part = table.iloc[start:start + _CSV_ROWS_PER_PIECE]
        columns = [part[name].tolist() for name in _VALUE_COLUMNS]
        columns[3] = [FIELD_WORDS.get(f, f) for f in columns[3]]
        yield from zip(*columns)
