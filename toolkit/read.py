"""Read returned workbooks: identify each, check its structure, take its inputs.

Each file is read once with python-calamine. Its hidden identification says
which plan, template version, unit and period it is and where every input cell
is; the same layout is re-derived from the plan, so a cell that moved, a sheet
that was renamed or annex text that was edited is found by comparison. What
a file holds ends up as `CellRecord`s, one per input cell, with the value as
typed; turning them into numbers is `normalize`'s job.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.findings import Finding, make_finding
from toolkit.gate import DEFAULT_LIMITS
from toolkit.plan.model import Plan
from toolkit.templates.layout import (
    CELLS_SHEET,
    ID_SHEET,
    INSTRUCTIONS_SHEET,
    TEMPLATE_FORMAT,
    TEMPLATE_VERSION,
    InputCell,
    WorkbookLayout,
    build_layout,
    cell_ref,
    fixed_cells,
    parse_ref,
)
from toolkit.templates.write import (
    VISIBLE_ID,  # where 填报说明 shows plan, unit and period
)
from toolkit.textable import cell_text

_PERIOD_IN_LABEL = re.compile(r"（([0-9]{4}(?:H[12]|Q[1-4]|M\d\d)?)）\s*$")


@dataclass
class Identification:
    source: str  # hidden | content
    plan_id: str
    unit_code: str
    period: str
    unit_name: str = ""
    plan_fingerprint: str | None = None
    template_format: str | None = None
    template_version: int | None = None
    rows: list[str] | None = None  # row ids the template was built for


@dataclass(slots=True)  # about a hundred per return
class CellRecord:
    sheet: str
    cell: str
    row_id: str
    indicator_id: str | None
    field: str
    kind: str
    raw: object  # as python-calamine gives it


# The columns of what a return holds, one entry per input cell (see
# `ReturnFile.columns`): where it is, and what was typed and read.
COLUMNS = ("sheet", "cell", "row_id", "indicator_id", "field", "kind", "typed", "number", "text", "problem", "note")


@dataclass
class ReturnFile:
    """One file handed in, and what was read from it."""

    path: Path
    display: str  # the path as the office gave it, for messages
    size: int = 0
    sha256: str = ""
    modified: dt.datetime | None = None  # when it was last saved
    ident: Identification | None = None
    layout: WorkbookLayout | None = None
    findings: list[Finding] = field(default_factory=list)
    records: list[CellRecord] = field(default_factory=list)  # raw input cells (emptied once normalised)
    columns: dict[str, list] | None = None  # the input cells normalised, by COLUMNS
    recognised: bool = False  # one of our templates, for this plan
    layout_key: tuple | None = None  # (rows, period_is_year): the layout, recomputed where needed

    @property
    def unit(self) -> str | None:
        return self.ident.unit_code if self.ident else None

    def add(self, code: str, **context) -> None:
        self.findings.append(make_finding(code, self.display, unit=self.unit, **context))


def collect_paths(paths) -> list[tuple[Path, str]]:
    """Files to check: every file named, and every file below each folder
    (Office lock files ~$… and hidden files skipped), in a stable order."""
    found: list[tuple[Path, str]] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not child.name.startswith(("~$", ".")):
                    found.append((child, str(child)))
        else:
            found.append((path, str(given)))
    seen, unique = set(), []
    for path, display in found:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append((path, display))
    return unique


def _sniff(data: bytes) -> str:
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole2"  # .xls, .et, .doc, or an encrypted .xlsx
    return "other"


class PlanLayouts:
    """The plan's fingerprint and its workbook layouts, computed once per
    distinct set of rows: most returns share a layout with many others."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.fingerprint = plan.fingerprint()
        self._cache: dict[tuple, tuple] = {}

    def get(self, rows, period_is_year: bool):
        """(layout, its fixed cells per sheet, its merge allowances per sheet)."""
        key = (tuple(rows), period_is_year)
        if key not in self._cache:
            layout = build_layout(self.plan, rows, period_is_year)
            self._cache[key] = (layout, {sheet.name: fixed_cells(sheet) for sheet in layout.sheets},
                                {sheet.name: _merge_allowance(sheet) for sheet in layout.sheets})
        return self._cache[key]


def read_return(path: Path, display: str, plan: Plan, layouts: PlanLayouts | None = None, limits=None) -> ReturnFile:
    """Identify one file and read its input cells; problems become findings.

    Whatever a damaged file makes a library raise ends as a finding on that
    file, never as an exception for the run."""
    try:
        return _read_return(path, display, plan, layouts or PlanLayouts(plan), limits)
    except Exception as exc:  # zipfile, calamine and friends raise many kinds on damaged input
        result = ReturnFile(path=path, display=display)
        result.add("file-unreadable", detail=_short(exc))
        return result


def _read_return(path: Path, display: str, plan: Plan, layouts: PlanLayouts, limits) -> ReturnFile:
    result = ReturnFile(path=path, display=display)
    try:
        data = path.read_bytes()
    except OSError as exc:
        result.add("file-unreadable", detail=exc.strerror or str(exc))
        return result
    result.size = len(data)
    result.sha256 = hashlib.sha256(data).hexdigest()
    result.modified = _file_time(path)  # until the workbook's own record is read
    kind = _sniff(data)
    suffix = path.suffix.lower()
    if kind == "other":
        detail = suffix or "无扩展名"
        code = "unsupported-format" if suffix in (".csv", ".et", ".wps", ".pdf", ".doc", ".docx") else "not-a-workbook"
        result.add(code, detail=detail)
        return result
    if kind == "ole2" and _is_encrypted_ooxml(data):
        result.add("encrypted")
        return result
    from toolkit.gate import check_bytes

    gate = check_bytes(data, kind, limits or DEFAULT_LIMITS, unread_sheets=(CELLS_SHEET,))
    if gate.problem:
        result.add(gate.problem, **(gate.context or {}))
        return result
    for code, context in gate.warnings or ():
        result.add(code, **context)
    result.modified = gate.modified or result.modified
    if suffix == ".et" or (kind == "zip" and suffix in (".et", ".wps")):
        result.add("unsupported-format", detail="WPS 表格（.et）")
        return result
    try:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet_names = list(book.sheet_names)
    except Exception as exc:  # calamine raises its own error types for damaged files
        result.add("file-unreadable" if kind == "zip" else "not-a-workbook", detail=_short(exc))
        return result
    sheets: dict[str, list[list]] = {}
    merges: dict[str, list] = {}

    def sheet_data(name: str) -> list[list]:
        if name not in sheets:
            sheet = book.get_sheet_by_name(name)
            sheets[name] = sheet.to_python(skip_empty_area=False)
            merges[name] = sheet.merged_cell_ranges or []
        return sheets[name]

    sheet_data.merges = merges

    try:
        ident = _identify(sheet_names, sheet_data)
    except Exception as exc:
        result.add("file-unreadable", detail=_short(exc))
        return result
    if ident is None:
        result.add("not-our-template")
        return result
    result.ident = ident
    if ident.plan_id != plan.id:
        result.add("other-plan", found=ident.plan_id, expected=plan.id)
        return result
    if ident.source == "content":
        result.add("identified-from-content", found=f"{ident.unit_name or ident.unit_code}（{ident.period}）")
    elif ident.template_format != TEMPLATE_FORMAT or ident.template_version != TEMPLATE_VERSION:
        result.add("outdated-template", found=ident.template_version, expected=TEMPLATE_VERSION)
        return result
    elif ident.plan_fingerprint != layouts.fingerprint:
        result.add("plan-changed")
        return result
    result.recognised = True
    rows = ident.rows
    if rows is None:  # identified from content: the rows are those found on the sheets
        rows = _rows_from_sheets(plan, sheet_names, sheet_data)
    period_is_year = bool(re.fullmatch(r"\d{4}", ident.period))
    layout, fixed, allowances = layouts.get(rows, period_is_year)
    result.layout = layout
    result.layout_key = (tuple(rows), period_is_year)
    try:
        _read_cells(result, layout, fixed, allowances, sheet_names, sheet_data)
        _check_sheet_xml(result, gate)
    except Exception as exc:
        result.add("file-unreadable", detail=_short(exc))
    return result


def normalise_records(result: ReturnFile, keep_raw: bool = False) -> None:
    """Read every raw input cell as its type (toolkit.normalize) into columns."""
    records = result.records
    read = [_normalized(rec.raw, rec.kind) for rec in records]
    nan = float("nan")
    result.columns = {
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
# (type, value, kind) is read once per process.
_NORMALIZED: dict = {}


def _normalized(raw, kind: str):
    from toolkit.normalize import normalize_value

    key = (raw.__class__, raw, kind)
    try:
        return _NORMALIZED[key]
    except KeyError:
        pass
    except TypeError:  # not hashable (python-calamine gives only plain values)
        return normalize_value(raw, kind)
    if len(_NORMALIZED) > 100_000:
        _NORMALIZED.clear()
    value = _NORMALIZED[key] = normalize_value(raw, kind)
    return value


def read_returns(paths, plan: Plan, layouts: PlanLayouts | None = None, *, workers: int | None = None,
                 limits=None, timeout: float = 60.0) -> list[ReturnFile]:
    """Read every file in `paths`, order kept, each file costing only itself.

    Files are parsed in worker processes (one per core, at most 4) with a
    memory limit: a parser that aborts or hangs on one file (whatever the gate
    missed) takes down only its worker. The batch it was in is then split and
    read again until the culprit is alone; it gets a finding
    (parser-crashed / parser-timeout) and every other file is read normally.
    `timeout` is in seconds per file. workers=0 reads in this process (no
    isolation; for debugging)."""
    layouts = layouts or PlanLayouts(plan)
    files = collect_paths(paths)
    if workers == 0:
        results = [read_return(path, display, plan, layouts, limits) for path, display in files]
        for result in results:
            normalise_records(result, keep_raw=True)
        return results
    workers = workers or max(1, min(os.cpu_count() or 1, 4, len(files)))
    size = max(1, min(64, len(files) // (workers * 4) or 1))
    queue = [list(range(i, min(i + size, len(files)))) for i in range(0, len(files), size)]
    results: dict[int, ReturnFile] = {}
    failed_alone: dict[int, str] = {}
    while queue:
        suspects, innocent, solo = [], [], []
        for batch, outcome in _run_batches(plan, limits, files, queue, workers, timeout):
            if isinstance(outcome, list):
                results.update(zip(batch, outcome))
            elif len(suspects) < workers:  # among the batches running when the pool broke
                suspects.append((batch, outcome))
            else:  # not started yet: innocent
                innocent.append(batch)
        queue = innocent
        for batch, outcome in suspects:
            if len(batch) > 1:
                half = len(batch) // 2
                queue += [batch[:half], batch[half:]]
            else:
                solo.append(batch)
        for batch in solo:  # alone in a fresh worker: a failure now is this file's own
            ((_, outcome),) = list(_run_batches(plan, limits, files, [batch], 1, timeout))
            if isinstance(outcome, list):
                results.update(zip(batch, outcome))
            else:
                failed_alone[batch[0]] = outcome
    for index, why in failed_alone.items():
        path, display = files[index]
        result = ReturnFile(path=path, display=display)
        try:
            data = path.read_bytes()
            result.size, result.sha256 = len(data), hashlib.sha256(data).hexdigest()
        except OSError:
            pass
        result.add("parser-timeout" if why == "timeout" else "parser-crashed", detail=int(timeout))
        results[index] = result
    ordered = [results[i] for i in range(len(files))]
    for result in ordered:  # layouts are not sent between processes: rebuilt from the cache
        if result.layout_key is not None:
            result.layout = layouts.get(*result.layout_key)[0]
    return ordered


# Memory a worker may use (address space): ample for any template, far below a
# runaway allocation.
WORKER_MEMORY = 4 * 2**30
_worker_state: dict = {}


def _run_batches(plan, limits, files, batches, workers, timeout):
    """Yield (batch, list of ReturnFile | "crashed" | "timeout") for every batch."""
    import multiprocessing
    from concurrent.futures import CancelledError, ProcessPoolExecutor
    from concurrent.futures import TimeoutError as FutureTimeout
    from concurrent.futures.process import BrokenProcessPool

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    pool = ProcessPoolExecutor(min(workers, len(batches)), mp_context=multiprocessing.get_context(method),
                               initializer=_init_worker, initargs=(plan, limits))
    futures = [(batch, pool.submit(_read_batch, [files[i] for i in batch])) for batch in batches]
    broken = False
    try:
        for batch, future in futures:
            try:
                yield batch, future.result(timeout=None if broken else timeout * len(batch) + 5)
            except FutureTimeout:
                broken = True
                _stop(pool)
                yield batch, "timeout"
            except (BrokenProcessPool, CancelledError):
                broken = True
                yield batch, "crashed"
    finally:
        _stop(pool)


def _stop(pool) -> None:
    """Shut a pool down now, ending workers that are stuck in a parser."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        if process.is_alive():
            process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def _init_worker(plan: Plan, limits) -> None:
    # A parser that aborts prints its last words to stderr; the finding says it.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
    except OSError:
        pass
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = WORKER_MEMORY if hard == resource.RLIM_INFINITY else min(WORKER_MEMORY, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, ValueError, OSError):  # not on this system: the gate still applies
        pass
    _worker_state["plan"] = plan
    _worker_state["layouts"] = PlanLayouts(plan)
    _worker_state["limits"] = limits


def _read_batch(batch) -> list[ReturnFile]:
    plan, layouts, limits = _worker_state["plan"], _worker_state["layouts"], _worker_state["limits"]
    results = []
    for path, display in batch:
        result = read_return(path, display, plan, layouts, limits)
        normalise_records(result)
        result.layout = None
        results.append(result)
    return results


def _check_sheet_xml(result: ReturnFile, gate) -> None:
    """What python-calamine does not tell, as the gate saw it in the sheet
    XML: error values, formulas in input cells, removed protection."""
    part_of = gate.sheet_parts or {}
    if gate.error_cells:
        _restore_error_values(result, part_of, gate.error_cells)
    if gate.formulas or gate.unprotected:
        _report_formulas_and_protection(result, part_of, gate)


def _restore_error_values(result: ReturnFile, part_of: dict[str, str], error_cells) -> None:
    """python-calamine reads error cells (#DIV/0!, #VALUE!) as empty: put
    back what they hold, so that they are reported as what they are, not as blanks."""
    for rec in result.records:
        if rec.raw is None:
            error = error_cells.get(part_of.get(rec.sheet), {}).get(rec.cell)
            if error is not None:
                rec.raw = error


def _report_formulas_and_protection(result: ReturnFile, part_of: dict[str, str], gate) -> None:
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


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    return text[:120]


def _is_encrypted_ooxml(data: bytes) -> bool:
    # An encrypted .xlsx is an OLE2 file holding an "EncryptedPackage" stream.
    return "EncryptedPackage".encode("utf-16-le") in data[:65536] or b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P" in data


def _file_time(path: Path) -> dt.datetime | None:
    """When the file was last modified, for workbooks without a record of their own."""
    try:
        return dt.datetime.fromtimestamp(path.stat().st_mtime)
    except OSError:
        return None


def _identify(sheet_names: list[str], sheet_data) -> Identification | None:
    if ID_SHEET in sheet_names:
        pairs = {}
        for row in sheet_data(ID_SHEET):
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
            )
    if INSTRUCTIONS_SHEET in sheet_names:
        rows = sheet_data(INSTRUCTIONS_SHEET)

        def at(key):
            r, c = VISIBLE_ID[key]
            return str(rows[r][c]).strip() if r < len(rows) and c < len(rows[r]) and rows[r][c] is not None else ""

        period = _PERIOD_IN_LABEL.search(at("period"))
        if at("plan_id") and at("unit_code") and period:
            return Identification(source="content", plan_id=at("plan_id"), unit_code=at("unit_code"),
                                  unit_name=at("unit_name"), period=period.group(1))
    return None


def _rows_from_sheets(plan: Plan, sheet_names: list[str], sheet_data) -> list[str]:
    """The plan rows a workbook holds, found by their text on the table sheets
    (the annex columns come first, in the plan's order)."""
    from toolkit.templates.layout import sheet_name

    taken: set[str] = set()
    rows = []
    for table in plan.tables:
        name = sheet_name(table.title, taken)
        if name not in sheet_names:
            continue
        column = table.column("subtask") or table.column("name") or table.column("target")
        index = table.columns.index(column) if column else 0
        found = {cell_text(r[index]).replace("\r\n", "\n").strip() for r in sheet_data(name) if index < len(r)}
        rows.extend(r.id for r in table.rows if r.cells.get(table.columns[index].key, "").strip() in found)
    return rows


def _same(found, expected: str) -> bool:
    # Programs re-saving a file may turn "\n" into "\r\n" or drop trailing spaces.
    return cell_text(found).replace("\r\n", "\n").strip() == expected.strip()


def _read_cells(result: ReturnFile, layout: WorkbookLayout, fixed_by_sheet, allowances, sheet_names: list[str],
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
        changed = []
        for fixed in fixed_by_sheet[sheet.name]:
            found = data[fixed.row][fixed.col] if fixed.row < len(data) and fixed.col < len(data[fixed.row]) else None
            if found != fixed.text and not _same(found, fixed.text):
                changed.append((fixed, cell_text(found)))
        if _rows_moved(sheet, data, changed):
            result.add("rows-changed", sheet=sheet.name, detail=f"应有 {len(sheet.lines)} 行数据，第 {changed[0][0].row + 1} 行起内容错位")
            continue
        for fixed, found in changed:
            result.add("annex-cell-changed", sheet=sheet.name, cell=cell_ref(fixed.row, fixed.col),
                       expected=_clip(fixed.text), found=_clip(found), value=found)
        _check_merged_inputs(result, sheet, allowances[sheet.name], getattr(sheet_data, "merges", {}).get(sheet.name, []))
        below = [r for r in range(sheet.last_row + 1, len(data)) if any(cell_text(v).strip() for v in data[r])]
        if below:  # pasted below the table: not read, but the unit should know
            result.add("extra-content", sheet=sheet.name, cell=cell_ref(below[0], 0), detail=below[0] + 1)
        _take_inputs(result, sheet.inputs, data)


def _check_merged_inputs(result: ReturnFile, sheet, allowance, merged_ranges) -> None:
    """Input cells merged by the unit (a value in a covered cell is lost); the
    template's own merges (a task's status over its indicator lines) are fine."""
    own, inputs = allowance
    for (r0, c0), (r1, c1) in merged_ranges:
        if (r0, c0, r1, c1) in own:
            continue
        if any((r, c) in inputs for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)):
            result.add("merged-input-cells", sheet=sheet.name, cell=cell_ref(r0, c0),
                       detail=f"{cell_ref(r0, c0)}:{cell_ref(r1, c1)}")


def _merge_allowance(sheet) -> tuple[set, set]:
    """(the template's own merged ranges, the input cells) of a layout sheet
    (worked out once per layout, by PlanLayouts)."""
    own = {(line.sheet_row, col, line.sheet_row + line.span - 1, col)
           for line in sheet.lines if line.first and line.span > 1
           for col, column in enumerate(sheet.columns) if column.kind == "input" and column.key in ("status", "progress")}
    return own, {(cell.row, cell.col) for cell in sheet.inputs}


def _rows_moved(sheet, data, changed) -> bool:
    """Rows were inserted, deleted or reordered: text of several lines no
    longer where the layout puts it, or a different number of data rows."""
    if not changed:
        return False
    lines_changed = {fixed.row for fixed, _ in changed if fixed.kind in ("annex", "indicator")}
    if len(lines_changed) >= 2:
        return True
    # one line changed: moved rows if the table no longer ends where it should
    filled = [r for r in range(sheet.first_data_row, min(len(data), sheet.last_row + 2)) if any(cell_text(v).strip() for v in data[r])]
    return (filled[-1] if filled else sheet.header_row) != sheet.last_row


def _take_inputs(result: ReturnFile, inputs: list[InputCell], data: list[list]) -> None:
    for cell in inputs:
        r, c = cell.row, cell.col
        raw = data[r][c] if r < len(data) and c < len(data[r]) else None
        if raw == "":
            raw = None
        result.records.append(CellRecord(cell.sheet, cell.ref, cell.row_id, cell.indicator_id, cell.field, cell.kind, raw))


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["CellRecord", "Identification", "ReturnFile", "collect_paths", "parse_ref", "read_return"]
