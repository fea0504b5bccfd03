"""Where everything sits in a fill-in workbook.

The same layout is computed when a template is written and when a return is
read back, from the plan, the rows a unit reports and the period. So the
reader never guesses where a value is, and any difference between the cells a
return holds and the cells its layout predicts is tampering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from toolkit.plan.model import TASK_STATUSES, Indicator, Plan, Row, Table  # noqa: F401 (re-exported)
from toolkit.words import COMPUTED_RATE, FIELD_WORDS, INSTRUCTIONS_SHEET, META_FIELDS, target_words  # noqa: F401

TEMPLATE_FORMAT = "toolkit-template/1"
# Bump when the layout of generated workbooks changes: returns made from an
# older layout are reported as outdated instead of being misread.
TEMPLATE_VERSION = 2  # 2: the identification carries a keyed checksum and per-table fingerprints

ID_SHEET = "_toolkit_id"  # what the return is (read for every return)
CELLS_SHEET = "_toolkit_cells"  # where its input cells are (for people and other tools)


@dataclass(frozen=True)
class Field:
    """An input column: what the unit types, and how it is checked."""

    key: str
    title: str
    kind: str  # integer | decimal | percent | status | text
    width: float


# In the order they appear on a sheet.
FIELDS = {
    f.key: f
    for f in (
        Field("value", FIELD_WORDS["value"], "decimal", 11),
        Field("cumulative", FIELD_WORDS["cumulative"], "decimal", 11),
        Field("numerator", FIELD_WORDS["numerator"], "decimal", 10),
        Field("denominator", FIELD_WORDS["denominator"], "decimal", 10),
        Field("baseline", FIELD_WORDS["baseline"], "decimal", 12),
        Field("status", FIELD_WORDS["status"], "status", 10),
        Field("progress", FIELD_WORDS["progress"], "text", 22),
        Field("reason", FIELD_WORDS["reason"], "text", 20),
    )
}
# Locked helper columns shown beside the inputs (never read back): COMPUTED_RATE.
# Cells on the instructions sheet the unit fills in: META_FIELDS.


def sheet_name(title: str, taken: set[str]) -> str:
    """A valid, unique worksheet name (31 characters, no []:*?/\\)."""
    name = re.sub(r"[\[\]:*?/\\]", "", title).strip("' ") or "表"
    name = name[:31]
    base, n = name, 2
    while name in taken or name in (ID_SHEET, CELLS_SHEET, INSTRUCTIONS_SHEET):
        suffix = f"({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name


def indicator_fields(indicator: Indicator, period_is_year: bool) -> list[str]:
    """Input fields one indicator needs, in sheet order."""
    fields: list[str] = []
    if indicator.measure in ("count", "amount", "frequency"):
        fields.append("value")
        if not period_is_year:
            fields.append("cumulative")
    elif indicator.measure == "rate":
        fields += ["numerator", "denominator"]
    elif indicator.measure == "percentage":
        fields.append("value")
    if indicator.relative:
        fields.append("baseline")
    if indicator.measure != "qualitative" or indicator.op != "qualitative":
        fields.append("reason")
    return fields


def field_kind(field_key: str, indicator: Indicator | None) -> str:
    """The data type of an input cell: integer counts, decimal amounts, percent."""
    base = FIELDS[field_key].kind
    if indicator is None or base != "decimal":
        return base
    if field_key == "baseline" and indicator.measure in ("rate", "percentage"):
        return "percent"
    if indicator.measure == "percentage":
        return "percent"
    if indicator.measure in ("count", "frequency") and field_key in ("value", "cumulative", "baseline"):
        return "integer"
    return "decimal"


@dataclass(frozen=True)
class InputCell:
    sheet: str
    row: int  # 0-based
    col: int  # 0-based
    field: str
    row_id: str
    indicator_id: str | None
    kind: str

    @cached_property
    def ref(self) -> str:
        return cell_ref(self.row, self.col)


@dataclass
class Line:
    """One sheet row: an annex row, or one of its indicators."""

    sheet_row: int
    row: Row
    indicator: Indicator | None
    first: bool  # the first line of its annex row (annex cells are written here)
    span: int  # lines of its annex row (annex cells are merged over them)


@dataclass
class Column:
    title: str
    kind: str  # annex | indicator | target | source | unit | basis | input | computed
    width: float
    key: str | None = None  # annex column key, or input field key


@dataclass
class SheetLayout:
    name: str
    table: Table
    columns: list[Column]
    lines: list[Line]
    inputs: list[InputCell] = field(default_factory=list)
    title_row: int = 0
    header_row: int = 1

    @property
    def first_data_row(self) -> int:
        return self.header_row + 1

    @property
    def last_row(self) -> int:
        return self.lines[-1].sheet_row if self.lines else self.header_row

    def column_index(self, kind: str, key: str | None = None) -> int | None:
        for i, column in enumerate(self.columns):
            if column.kind == kind and (key is None or column.key == key):
                return i
        return None


@dataclass
class WorkbookLayout:
    sheets: list[SheetLayout]
    meta_inputs: list[InputCell]

    def inputs(self) -> list[InputCell]:
        return [*self.meta_inputs, *(cell for sheet in self.sheets for cell in sheet.inputs)]


# Row on the instructions sheet where the unit's own fields start (0-based).
META_FIRST_ROW = 12
META_VALUE_COL = 1


def build_layout(plan: Plan, row_ids: list[str] | set[str], period_is_year: bool) -> WorkbookLayout:
    """The layout of the workbook for a unit reporting `row_ids` of `plan`."""
    wanted = set(row_ids)
    taken: set[str] = set()
    sheets: list[SheetLayout] = []
    for table in plan.tables:
        rows = [row for row in table.rows if row.id in wanted]
        if rows:
            sheets.append(_sheet_layout(table, rows, period_is_year, sheet_name(table.title, taken)))
    meta = [
        InputCell(INSTRUCTIONS_SHEET, META_FIRST_ROW + i, META_VALUE_COL, key, "_meta", None, "text")
        for i, (key, _) in enumerate(META_FIELDS)
    ]
    return WorkbookLayout(sheets=sheets, meta_inputs=meta)


def _annex_width(table: Table, key: str, role: str) -> float:
    longest = max((len(row.cells.get(key, "")) for row in table.rows), default=0)
    if role == "seq":
        return 6
    if role in ("target", "subtask"):  # long paragraphs get the width they need to print whole
        return 60 if longest > 200 else 40 if longest > 30 else 20
    if role in ("responsible", "partners", "office"):
        return 16 if longest > 12 else 12
    return min(max(10, longest * 1.9 + 2), 24)


def _sheet_layout(table: Table, rows: list[Row], period_is_year: bool, name: str) -> SheetLayout:
    columns = [Column(c.title, "annex", _annex_width(table, c.key, c.role), key=c.key) for c in table.columns]
    if table.kind != "indicators":
        columns.append(Column("量化指标", "indicator", 18))
        columns.append(Column("指标目标", "target", 16))
    if table.kind == "prose" and any(row.indicators for row in rows):
        columns.append(Column("原句", "source", 32))  # the sentence of the paragraph the target was read from
    has_targets = any(row.indicators for row in rows)
    if has_targets:
        columns.append(Column("计量单位", "unit", 7))
    needed: set[str] = set()
    for row in rows:
        for indicator in row.indicators:
            needed.update(indicator_fields(indicator, period_is_year))
        if row.is_task:
            needed.update(("status", "progress"))
    has_rates = any(i.measure == "rate" for row in rows for i in row.indicators)
    if has_rates:
        columns.append(Column("填报口径", "basis", 14))
    for key, spec in FIELDS.items():
        if key in needed:
            columns.append(Column(spec.title, "input", spec.width, key=key))
            if key == "denominator":
                columns.append(Column(COMPUTED_RATE, "computed", 10))

    layout = SheetLayout(name=name, table=table, columns=columns, lines=[])
    sheet_row = layout.first_data_row
    for row in rows:
        indicators = row.indicators or [None]
        for k, indicator in enumerate(indicators):
            layout.lines.append(Line(sheet_row, row, indicator, first=(k == 0), span=len(indicators)))
            sheet_row += 1

    field_col = {c.key: i for i, c in enumerate(columns) if c.kind == "input"}
    for line in layout.lines:
        if line.indicator is not None:
            for key in indicator_fields(line.indicator, period_is_year):
                layout.inputs.append(InputCell(name, line.sheet_row, field_col[key], key, line.row.id, line.indicator.id,
                                               field_kind(key, line.indicator)))
        if line.row.is_task and line.first:
            for key in ("status", "progress"):
                layout.inputs.append(InputCell(name, line.sheet_row, field_col[key], key, line.row.id, None, FIELDS[key].kind))
    layout.inputs.sort(key=lambda c: (c.row, c.col))
    return layout


@dataclass(frozen=True)
class FixedCell:
    """A locked cell with published or generated text: what a return must
    still hold, unchanged, where the template put it."""

    row: int
    col: int
    last_row: int  # > row when merged vertically
    text: str
    kind: str  # annex | indicator | target | source | unit | basis


def fixed_cells(layout: SheetLayout) -> list[FixedCell]:
    """Every locked text cell of a table sheet's data rows, merges included.

    An annex row's cells are merged over its indicator lines; cells the annex
    itself merged with the row above (行动名称, 重点任务) are merged over the
    run, as published.
    """
    cells: list[FixedCell] = []
    merged_keys = {key for line in layout.lines for key in line.row.merged_up}
    runs = _merge_runs(layout, merged_keys)
    for line in layout.lines:
        r = line.sheet_row
        if line.first:
            for i, column in enumerate(layout.columns):
                if column.kind != "annex":
                    continue
                text = line.row.cells.get(column.key, "")
                if (column.key, r) in runs:
                    cells.append(FixedCell(r, i, runs[(column.key, r)], text, "annex"))
                elif column.key not in merged_keys:
                    cells.append(FixedCell(r, i, r + line.span - 1, text, "annex"))
        indicator = line.indicator
        for i, column in enumerate(layout.columns):
            if column.kind == "indicator":
                cells.append(FixedCell(r, i, r, indicator.name if indicator else "（无量化指标）", "indicator"))
            elif column.kind == "target":
                cells.append(FixedCell(r, i, r, target_words(indicator) if indicator else "", "target"))
            elif column.kind == "source":
                cells.append(FixedCell(r, i, r, indicator.text if indicator else "", "source"))
            elif column.kind == "unit":
                cells.append(FixedCell(r, i, r, (indicator.unit or "") if indicator else "", "unit"))
            elif column.kind == "basis":
                basis = f"分子：{indicator.numerator}\n分母：{indicator.denominator}" if indicator and indicator.measure == "rate" else ""
                cells.append(FixedCell(r, i, r, basis, "basis"))
    return cells


def _merge_runs(layout: SheetLayout, merged_keys: set[str]) -> dict[tuple[str, int], int]:
    """(column key, first sheet row) -> last sheet row, for the columns the
    annex merged vertically: a run continues while a row is merged with the
    one above it (and the text agrees: a unit may report only some rows)."""
    runs: dict[tuple[str, int], int] = {}
    for key in merged_keys:
        start, previous = None, None
        for line in layout.lines:
            text = line.row.cells.get(key, "")
            if line.first and (start is None or key not in line.row.merged_up or text != previous):
                start, previous = line.sheet_row, text
            runs[(key, start)] = line.sheet_row  # lines come in order: the last one wins
    return runs


def cell_ref(row: int, col: int) -> str:
    """A1 reference of a 0-based (row, col)."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def parse_ref(ref: str) -> tuple[int, int]:
    """0-based (row, col) of an A1 reference."""
    match = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d+)", ref.strip())
    if not match:
        raise ValueError(f"not a cell reference: {ref!r}")
    col = 0
    for ch in match.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(match.group(2)) - 1, col - 1
