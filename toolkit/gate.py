"""A cheap look at a file before any parser touches it.

Returned workbooks come from many hands and programs. Before python-calamine
or openpyxl sees a file, its bytes are checked: size, real type, encryption,
and for .xlsx the zip itself (entry count, declared sizes, compression ratio:
zip bombs) and the cell references in its sheets (one cell at XFD1048576
makes python-calamine try to allocate the whole grid and abort the process,
upstream calamine issue 693). What fails the gate is a finding; the file is
not parsed.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * 2**20  # a filled template is 30-100 KB
    max_entries: int = 1000  # parts in the zip
    max_uncompressed: int = 200 * 2**20  # all parts together, as declared
    max_ratio: float = 200.0  # uncompressed / compressed, for parts over 1 MB
    # Cells are allowed up to row 99,999 and column ZZ (templates use a few
    # hundred rows and a few dozen columns): the scan below is one regex.


DEFAULT_LIMITS = Limits()

# A reference with a row of 6+ digits or a column of 3 letters: one scan in C.
_FAR = re.compile(rb' r="(?:[A-Z]{3}\d+|[A-Z]{0,2}\d{6,})"')  # starts with a literal: a fast scan
_FORMULA_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3}\d+)"[^>]*>\s*<f\b')
_DIMENSION = re.compile(rb'<dimension\b[^>]*?\bref="([^"]*)"')
_REF = re.compile(r"([A-Z]{1,3})(\d+)")


@dataclass
class GateResult:
    problem: str | None = None  # finding code that stops the file
    context: dict | None = None
    warnings: list[tuple[str, dict]] | None = None
    # seen on the way, per worksheet part (xl/worksheets/sheetN.xml):
    formulas: dict[str, set[str]] | None = None  # cells holding a formula
    unprotected: set[str] | None = None  # sheets without sheet protection


def check_bytes(data: bytes, kind: str, limits: Limits = DEFAULT_LIMITS) -> GateResult:
    """The gate for one file's bytes (`kind`: zip | ole2 | other, from sniffing)."""
    if len(data) > limits.max_bytes:
        return GateResult("file-too-large", {"detail": f"{len(data) / 2**20:.1f} MB", "expected": f"{limits.max_bytes // 2**20} MB"})
    if kind != "zip":
        return GateResult()
    import io

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except Exception as exc:  # zipfile raises several kinds on damaged archives
        return GateResult("file-unreadable", {"detail": str(exc)[:100] or "zip"})
    warnings = []
    if len(infos) > limits.max_entries:
        return GateResult("suspicious-archive", {"detail": f"{len(infos)} 个部件"})
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed:
        return GateResult("suspicious-archive", {"detail": f"解压后 {total / 2**20:.0f} MB"})
    for info in infos:
        if info.file_size > 2**20 and info.file_size > limits.max_ratio * max(1, info.compress_size):
            return GateResult("suspicious-archive", {"detail": f"{info.filename} 压缩比 {info.file_size // max(1, info.compress_size)}:1"})
        if info.filename.lower().endswith("vbaproject.bin"):
            warnings.append(("macro-content", {}))
    formulas: dict[str, set[str]] = {}
    unprotected: set[str] = set()
    for info in infos:
        if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
            continue
        try:
            xml = archive.read(info)
        except Exception as exc:  # a damaged part: the parser would fail too
            return GateResult("file-unreadable", {"detail": f"{info.filename}: {str(exc)[:80]}"})
        far = _far_reference(xml)
        if far:
            return GateResult("cells-out-of-range", {"detail": far})
        if b"<f" in xml:
            formulas[info.filename] = {m.decode() for m in _FORMULA_CELL.findall(xml)}
        if b"<sheetProtection" not in xml:
            unprotected.add(info.filename)
    return GateResult(warnings=warnings, formulas=formulas, unprotected=unprotected)


_MAX_ROW, _MAX_COLUMN = 99_999, 702


def _far_reference(xml: bytes) -> str | None:
    """A cell reference far outside any template, if the sheet has one."""
    for match in _DIMENSION.finditer(xml):
        for col, row in _REF.findall(match.group(1).decode("ascii", "replace")):
            if int(row) > _MAX_ROW or _column_number(col) > _MAX_COLUMN:
                return f"{col}{row}"
    match = _FAR.search(xml)  # cells and rows (<c r="XFD1048576">, <row r="1048576">)
    if match:
        ref = match.group(0)[4:-1].decode()
        return ref if ref[0].isalpha() else f"第 {ref} 行"
    return None


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number
