"""Read one returned workbook into a `ReturnData`.

The bytes are read once: hashed, sniffed, passed through the gate
(toolkit.gate) and only then opened with python-calamine. The hidden
identification says which plan, template version, unit and period it is; the
layout is derived again from the plan and the sheets are compared with it
(toolkit.intake.tamper).

Errors are honest: what a damaged file makes a parser raise is a finding on
that file (`file-unreadable`); a file that disappears while the run reads it
is `file-vanished`; anything else that goes wrong is toolkit's own fault, an
`internal-error` finding whose traceback goes to the log, never blamed on the
unit's file.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import re
from pathlib import Path

from toolkit.gate import DEFAULT_LIMITS
from toolkit.identity import Verifier
from toolkit.intake.identify import (
    COPY_OF,
    COPY_SAVED,
    COPY_VALUES,
    check_identity,
    is_office_copy,
    plan_changes,
    values_digest,
    visible_identity,
)
from toolkit.intake.tamper import check_sheet_xml, merge_allowance, read_cells
from toolkit.logs import log_internal_error
from toolkit.model.returns import Identification, ReturnData
from toolkit.normalize import normalize_value
from toolkit.plan.model import Plan
from toolkit.templates.layout import (
    CELLS_SHEET,
    ID_SHEET,
    INSTRUCTIONS_SHEET,
    TEMPLATE_FORMAT,
    TEMPLATE_VERSION,
    build_layout,
    fixed_cells,
)
from toolkit.templates.write import VISIBLE_ID  # where 填报说明 shows plan, unit and period
from toolkit.textable import cell_text


class PlanLayouts:
    """The plan's fingerprint and its workbook layouts, computed once per
    distinct set of rows: most returns share a layout with many others.
    One per run (or per worker): it is never shared between threads."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.fingerprint = plan.fingerprint()
        self.verifier = Verifier()  # this PC's office secret, read once
        self._cache: dict[tuple, tuple] = {}

    def get(self, rows, period_is_year: bool):
        """(layout, its fixed cells per sheet, its merge allowances per sheet)."""
        key = (tuple(rows), period_is_year)
        if key not in self._cache:
            layout = build_layout(self.plan, rows, period_is_year)
            self._cache[key] = (layout, {sheet.name: fixed_cells(sheet) for sheet in layout.sheets},
                                {sheet.name: merge_allowance(sheet) for sheet in layout.sheets})
        return self._cache[key]


class _Damaged(Exception):
    """A parser could not read the file: the file's problem, said as a finding."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code, self.detail = code, detail


def read_return(path: Path, display: str, plan: Plan, layouts: PlanLayouts | None = None, limits=None) -> ReturnData:
    """Identify one file and read its input cells; problems become findings."""
    result = ReturnData(path=Path(path), display=display)
    try:
        _read_return(result, plan, layouts or PlanLayouts(plan), limits)
    except _Damaged as exc:
        result.add(exc.code, detail=exc.detail)
    except Exception:  # our bug, not the file's
        result.findings = [f for f in result.findings if f.severity != "error"]
        result.recognised = False
        result.add("internal-error", detail=log_internal_error(f"reading {display}"))
    return result


def _read_return(result: ReturnData, plan: Plan, layouts: PlanLayouts, limits) -> None:
    path = result.path
    try:
        data = path.read_bytes()
        stat = path.stat()
    except FileNotFoundError:
        result.add("file-vanished")
        return
    except OSError as exc:
        raise _Damaged("file-unreadable", exc.strerror or str(exc)) from None
    result.size = len(data)
    result.sha256 = hashlib.sha256(data).hexdigest()
    result.file_time = dt.datetime.fromtimestamp(stat.st_mtime)
    kind = _sniff(data)
    suffix = path.suffix.lower()
    if kind == "other":
        detail = suffix or "无扩展名"
        code = "unsupported-format" if suffix in (".csv", ".et", ".wps", ".pdf", ".doc", ".docx") else "not-a-workbook"
        result.add(code, detail=detail)
        return
    if kind == "ole2" and _is_encrypted_ooxml(data):
        result.add("encrypted")
        return
    from toolkit.gate import check_bytes

    gate = check_bytes(data, kind, limits or DEFAULT_LIMITS, unread_sheets=(CELLS_SHEET,))
    if gate.problem:
        result.add(gate.problem, **(gate.context or {}))
        return
    for code, context in gate.warnings or ():
        result.add(code, **context)
    result.saved = _trusted_saved_time(result, gate.modified)
    if suffix == ".et" or (kind == "zip" and suffix in (".et", ".wps")):
        result.add("unsupported-format", detail="WPS 表格（.et）")
        return
    _older_formats(gate, data, kind)
    book = _Book(data, damaged_code="file-unreadable" if kind == "zip" else "not-a-workbook")
    ident = _identify(book)
    if ident is None:
        result.add("not-our-template")
        return
    result.ident = ident
    if ident.plan_id != plan.id:
        result.add("other-plan", found=ident.plan_id, expected=plan.id)
        return
    if ident.source == "content":
        result.add("identified-from-content", found=f"{ident.unit_name or ident.unit_code}（{ident.period}）")
    elif ident.template_format != TEMPLATE_FORMAT or ident.template_version != TEMPLATE_VERSION:
        result.add("outdated-template", found=ident.template_version, expected=TEMPLATE_VERSION)
        return
    elif ident.plan_fingerprint != layouts.fingerprint:
        result.add("plan-changed", detail=plan_changes(ident, plan))
        return
    else:
        check_identity(result, ident, visible_identity(book, INSTRUCTIONS_SHEET, VISIBLE_ID), layouts.verifier)
    result.recognised = True
    rows = ident.rows
    if rows is None:  # identified from content: the rows are those found on the sheets
        rows = _rows_from_sheets(plan, book)
    period_is_year = bool(re.fullmatch(r"\d{4}", ident.period))
    layout, fixed, allowances = layouts.get(rows, period_is_year)
    result.layout = layout
    result.layout_key = (tuple(rows), period_is_year)
    read_cells(result, layout, fixed, allowances, book.names, book)
    check_sheet_xml(result, gate)
    result.values_digest = values_digest(result.records)  # a marked-up copy records it
    if ident.office_copy:
        is_office_copy(result, ident, gate.modified)


def _older_formats(gate, data: bytes, kind: str) -> None:
    """Error values, booleans, formulas and percent formats of an .xls or .ods, which the gate
    (for .xlsx) did not see, put where the gate puts them."""
    from toolkit.intake.legacy import ods_facts, xls_facts

    if kind == "ole2":
        facts = xls_facts(data)
    elif b"opendocument.spreadsheet" in data[:200]:  # the uncompressed mimetype entry comes first
        facts = ods_facts(data)
    else:
        return
    if facts:
        gate.error_cells = facts.errors
        gate.booleans = facts.booleans
        gate.formulas = facts.formulas
        gate.percents = facts.percents
        gate.sheet_parts = {name: name for name in (*facts.errors, *facts.booleans, *facts.formulas, *facts.percents)}


# A saved time may be after the file's own time by a little (zones, clocks);
# by more, or in the future, it was not written by a program saving the file.
_SAVED_AFTER_FILE_TIME = dt.timedelta(days=1)
_FUTURE = dt.timedelta(hours=1)


def _trusted_saved_time(result: ReturnData, saved: dt.datetime | None) -> dt.datetime | None:
    """The workbook's own saved time, unless it is in the future or well after
    the file's time: then it is a warning, and the file's time orders the
    versions and decides lateness instead."""
    if saved is None:
        return None
    why = None
    if saved > dt.datetime.now() + _FUTURE:
        why = "晚于当前时间"
    elif result.file_time is not None and saved > result.file_time + _SAVED_AFTER_FILE_TIME:
        why = f"晚于文件本身的修改时间 {result.file_time:%Y-%m-%d %H:%M}"
    if why is None:
        return saved
    result.add("saved-time-doubtful", found=f"{saved:%Y-%m-%d %H:%M}", detail=why)
    return None


class _Book:
    """The workbook as python-calamine reads it, each sheet read on first use.
    Whatever python-calamine raises is the file's damage (`_Damaged`)."""

    def __init__(self, data: bytes, damaged_code: str):
        self.code = damaged_code
        self.sheets: dict[str, list[list]] = {}
        self.merges: dict[str, list] = {}
        try:
            from python_calamine import CalamineWorkbook

            self.book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            self.names = list(self.book.sheet_names)
        except Exception as exc:  # python-calamine raises its own error types for damaged files
            raise _Damaged(damaged_code, _short(exc)) from None

    def __call__(self, name: str) -> list[list]:
        if name not in self.sheets:
            try:
                sheet = self.book.get_sheet_by_name(name)
                self.sheets[name] = sheet.to_python(skip_empty_area=False)
                self.merges[name] = sheet.merged_cell_ranges or []
            except Exception as exc:
                raise _Damaged("file-unreadable", _short(exc)) from None
        return self.sheets[name]


def type_cells(result: ReturnData, keep_raw: bool = False) -> None:
    """Read every raw input cell as its type (toolkit.normalize) into `cells`."""
    records = result.records
    read = [_normalized(rec.raw, rec.kind) for rec in records]
    nan = float("nan")
    result.cells = {
        "sheet": [rec.sheet for rec in records],
        "cell": [rec.cell for rec in records],
        "row_id": [rec.row_id for rec in records],
        "indicator_id": [rec.indicator_id or "" for rec in records],
        "field": [rec.field for rec in records],
        "kind": [rec.kind for rec in records],
        "typed": [n.typed for n in read],
        "number": [n.value if n.value.__class__ is float else nan for n in read],
        "text": [n.value if n.value.__class__ is str else None for n in read],
        "problem": [n.problem for n in read],
        "note": [n.note for n in read],
    }
    if not keep_raw:
        result.records = []


# Most cells hold what many others hold (blanks, 0, a status): each distinct
# (type, value, kind) is read once (lru_cache is safe across threads).
_normalize_cached = functools.lru_cache(maxsize=65536, typed=True)(normalize_value)


def _normalized(raw, kind: str):
    try:
        return _normalize_cached(raw, kind)
    except TypeError:  # not hashable (python-calamine gives only plain values)
        return normalize_value(raw, kind)


def _sniff(data: bytes) -> str:
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole2"  # .xls, .et, .doc, or an encrypted .xlsx
    return "other"


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    return text[:120]


def _is_encrypted_ooxml(data: bytes) -> bool:
    # An encrypted .xlsx is an OLE2 file holding an "EncryptedPackage" stream.
    return "EncryptedPackage".encode("utf-16-le") in data[:65536] or b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P" in data


def _identify(book: _Book) -> Identification | None:
    if ID_SHEET in book.names:
        pairs = {}
        for row in book(ID_SHEET):
            values = ["" if v is None else str(v) for v in row] + ["", ""]
            if values[0]:
                pairs[values[0]] = values[1]
        if pairs.get("plan_id") and pairs.get("unit_code") and pairs.get("period"):
            version = pairs.get("template_version", "")
            return Identification(
                source="hidden", plan_id=pairs["plan_id"], unit_code=pairs["unit_code"], period=pairs["period"],
                unit_name=pairs.get("unit_name", ""), plan_fingerprint=pairs.get("plan_fingerprint"),
                template_format=pairs.get("format"), template_version=int(version) if version.isdigit() else None,
                rows=[r for r in pairs.get("rows", "").split(";") if r],
                table_fingerprints=pairs.get("table_fingerprints"), key_id=pairs.get("key_id"),
                checksum=pairs.get("checksum"),
                office_copy={k: pairs[k] for k in (COPY_OF, COPY_VALUES, COPY_SAVED) if pairs.get(k)} or None,
            )
    visible = visible_identity(book, INSTRUCTIONS_SHEET, VISIBLE_ID)
    if visible.get("plan_id") and visible.get("unit_code") and visible.get("period"):
        return Identification(source="content", plan_id=visible["plan_id"], unit_code=visible["unit_code"],
                              unit_name=visible["unit_name"], period=visible["period"])
    return None


def _rows_from_sheets(plan: Plan, book: _Book) -> list[str]:
    """The plan rows a workbook holds, found by their text on the table sheets
    (the annex columns come first, in the plan's order)."""
    from toolkit.templates.layout import sheet_name

    taken: set[str] = set()
    rows = []
    for table in plan.tables:
        name = sheet_name(table.title, taken)
        if name not in book.names:
            continue
        column = table.column("subtask") or table.column("name") or table.column("target")
        index = table.columns.index(column) if column else 0
        found = {cell_text(r[index]).replace("\r\n", "\n").strip() for r in book(name) if index < len(r)}
        rows.extend(r.id for r in table.rows if r.cells.get(table.columns[index].key, "").strip() in found)
    return rows
