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

import datetime as dt
import functools
import io
import re
import struct
import zipfile
import zlib
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
_CELL_REF = re.compile(rb'\sr="([A-Z]{1,3}\d+)"')
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
    error_cells: dict[str, dict[str, str]] | None = None  # cell -> error value (#DIV/0!), per part
    booleans: dict[str, dict[str, bool]] | None = None  # cell -> TRUE/FALSE saved as a number (.xls, .ods), per part
    sheet_parts: dict[str, str] | None = None  # sheet name -> part
    percents: dict[str, set[str]] | None = None  # cells holding a number shown with a percent format, per part
    modified: dt.datetime | None = None  # when the workbook says it was last saved (docProps/core.xml)


def check_bytes(data: bytes, kind: str, limits: Limits = DEFAULT_LIMITS, unread_sheets: tuple[str, ...] = ()) -> GateResult:
    """The gate for one file's bytes (`kind`: zip | ole2 | other, from sniffing).

    unread_sheets: sheets no parser will open (toolkit's cell map): not scanned."""
    if len(data) > limits.max_bytes:
        return GateResult("file-too-large", {"detail": f"{len(data) / 2**20:.1f} MB", "expected": f"{limits.max_bytes // 2**20} MB"})
    if kind != "zip":
        return GateResult()
    try:
        archive = _Archive(data)
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
    # The sheets are decompressed here anyway: what the reader needs from
    # their XML beyond python-calamine is taken on the way (the archive is
    # opened once per file).
    formulas: dict[str, set[str]] = {}
    unprotected: set[str] = set()
    error_cells: dict[str, dict[str, str]] = {}
    try:
        sheet_parts = _sheet_parts(archive)
    except Exception:  # no usable workbook part: python-calamine will say so
        sheet_parts = {}
    percent_styles = _percent_styles(archive)
    percents: dict[str, set[str]] = {}
    skipped = {sheet_parts[name] for name in unread_sheets if name in sheet_parts}
    skipped -= {part for name, part in sheet_parts.items() if name not in unread_sheets}  # one part, two names
    for info in infos:
        if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")) or info.filename in skipped:
            continue
        try:
            xml = archive.read(info)
        except Exception as exc:  # a damaged part: the parser would fail too
            return GateResult("file-unreadable", {"detail": f"{info.filename}: {str(exc)[:80]}"})
        far = _far_reference(xml)
        if far:
            return GateResult("cells-out-of-range", {"detail": far})
        if b"<f" in xml:
            formulas[info.filename] = _formula_cells(xml)
        if b"<sheetProtection" not in xml:
            unprotected.add(info.filename)
        if b't="e"' in xml:
            error_cells[info.filename] = _error_cells(xml)
        if percent_styles:  # numbers typed into cells shown in a percent format (never formulas or text)
            found = _percent_cells(xml, percent_styles)
            if found:
                percents[info.filename] = found
    return GateResult(warnings=warnings, formulas=formulas, unprotected=unprotected, error_cells=error_cells,
                      sheet_parts=sheet_parts, modified=_modified(archive), percents=percents)


# ------------------------------------------------------------------ percent formats

# Built-in number formats that are percentages (ECMA-376 18.8.30): 0% and 0.00%.
PERCENT_FORMAT_IDS = frozenset((9, 10))
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def is_percent_format(code: str) -> bool:
    """Whether a number format code shows numbers as a percentage (a % outside
    quoted text, escapes and [colour]/[condition] brackets)."""
    return "%" in _QUOTED.sub("", code or "")


# A cell holding a number of its own: its value right after the tag (a formula's <f> would come first),
# in the attribute order spreadsheet programs write: r, s, then t="n" or none.
_NUMBER_CELL = re.compile(rb'<c r="([A-Z]{1,3}\d+)" s="(\d+)"(?: t="n")?><v>')


def _percent_cells(xml: bytes, percent_styles: frozenset[bytes]) -> set[str]:
    """The cells of a sheet's XML holding a number of their own in one of
    `percent_styles` (the cells _NUMBER_CELL finds with such a style): each
    style's s="N" looked up directly, as few cells carry a percent format."""
    found = set()
    for style in percent_styles:
        needle = b' s="' + style + b'"'
        at = xml.find(needle)
        while at >= 0:
            tag = xml.rfind(b"<c ", max(0, at - 24), at)  # r="XFD1048576" is the longest reference
            if tag >= 0:
                cell = _NUMBER_CELL.match(xml, tag)
                if cell is not None and cell.group(2) == style:
                    found.add(cell.group(1).decode())
            at = xml.find(needle, at + len(needle))
    return found


def _percent_styles(archive) -> frozenset[bytes]:
    """The cell style indices (as in s="N") whose number format is a percentage."""
    try:
        styles = archive.read("xl/styles.xml")
    except Exception:  # no styles part: no cell has a percent format
        return frozenset()
    return _percent_styles_of(styles)


@functools.lru_cache(maxsize=256)
def _percent_styles_of(styles: bytes) -> frozenset[bytes]:
    custom = {int(m.group(1)): m.group(2).decode("utf-8", "replace") for m in re.finditer(
        rb'<numFmt\b[^>]*?numFmtId="(\d+)"[^>]*?formatCode="([^"]*)"', styles)}
    custom.update({int(m.group(2)): m.group(1).decode("utf-8", "replace") for m in re.finditer(
        rb'<numFmt\b[^>]*?formatCode="([^"]*)"[^>]*?numFmtId="(\d+)"', styles)})
    section = re.search(rb"<cellXfs\b[^>]*>(.*?)</cellXfs>", styles, re.S)
    if not section:
        return frozenset()
    percent_xfs = set()
    for index, xf in enumerate(re.finditer(rb"<xf\b([^>]*)", section.group(1))):
        number = re.search(rb'numFmtId="(\d+)"', xf.group(1))
        fmt = int(number.group(1)) if number else 0
        if fmt in PERCENT_FORMAT_IDS or (fmt in custom and is_percent_format(_unescape(custom[fmt]))):
            percent_xfs.add(str(index).encode())
    return frozenset(percent_xfs)


def _unescape(text: str) -> str:
    from xml.sax.saxutils import unescape

    return unescape(text, {"&quot;": '"', "&apos;": "'"})


class _Archive(zipfile.ZipFile):
    """A zip read from bytes in memory, whose deflated entries are inflated
    straight from those bytes: zipfile's general reader costs more than the
    inflating itself for the small parts of a workbook. The declared size
    bounds the output; anything unusual goes to zipfile, which judges it."""

    def __init__(self, data: bytes):
        super().__init__(io.BytesIO(data))
        self.data = data

    def read(self, name) -> bytes:
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        if info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 0x1:  # not deflated, or encrypted
            return super().read(info)
        header = self.data[info.header_offset:info.header_offset + 30]
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            return super().read(info)
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        start = info.header_offset + 30 + name_length + extra_length
        try:
            inflated = zlib.decompressobj(-15).decompress(self.data[start:start + info.compress_size], info.file_size + 1)
        except zlib.error:
            return super().read(info)
        if len(inflated) != info.file_size or zlib.crc32(inflated) != info.CRC:
            return super().read(info)
        return inflated


def _formula_cells(xml: bytes) -> set[str]:
    """The cells whose first child is a formula (<c r="K7"><f>…): found from
    each "<f", a few per sheet, rather than by a regex over every cell."""
    cells = set()
    end_of_cells = xml.find(b"</sheetData>")  # after it: data validations' <formula1>, not cells
    if end_of_cells == -1:
        end_of_cells = len(xml)
    at = xml.find(b"<f", 0, end_of_cells)
    while at != -1:
        if xml[at + 2:at + 3] in (b">", b" ", b"/"):
            start = xml.rfind(b"<c", 0, at)
            end = xml.find(b">", start, at) if start != -1 else -1
            if end != -1 and xml[start + 2:start + 3].isspace() and xml[end - 1:end] != b"/" and not xml[end + 1:at].strip():
                ref = _CELL_REF.search(xml, start, end)
                if ref:
                    cells.add(ref.group(1).decode())
        at = xml.find(b"<f", at + 2, end_of_cells)
    return cells


_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ATTR = re.compile(rb'(\w+)="([^"]*)"')
_VALUE = re.compile(rb"<v>([^<]*)</v>")


def _error_cells(xml: bytes) -> dict[str, str]:
    """Cells holding an error value (#DIV/0!, #VALUE!): python-calamine reads them as empty."""
    errors = {}
    for match in _CELL.finditer(xml):
        attrs = dict(_ATTR.findall(match.group(1)))
        if attrs.get(b"t") == b"e" and match.group(2):
            value = _VALUE.search(match.group(2))
            if value:
                errors[attrs.get(b"r", b"").decode()] = value.group(1).decode("utf-8", "replace")
    return errors


def _modified(archive: zipfile.ZipFile) -> dt.datetime | None:
    """When the workbook was last saved, by its own record (docProps/core.xml),
    in this computer's local time like the file system's times (the record is
    in UTC: "2026-07-03T06:00:00Z" is 14:00 on a PC in China)."""
    try:
        core = archive.read("docProps/core.xml").decode("utf-8", "replace")
        match = re.search(r"<dcterms:modified[^>]*>([^<]+)</dcterms:modified>", core)
        if match:
            when = dt.datetime.fromisoformat(match.group(1).strip().replace("Z", "+00:00"))
            if when.tzinfo is None:  # no zone written: W3CDTF in these files is UTC
                when = when.replace(tzinfo=dt.timezone.utc)
            return when.astimezone().replace(tzinfo=None)
    except Exception:  # no usable record of its own: the file's time counts
        pass
    return None


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> part name inside an .xlsx."""
    return dict(_parse_sheet_parts(archive.read("xl/workbook.xml"), archive.read("xl/_rels/workbook.xml.rels")))


# Returns from one template share their workbook part: its sheet map is worked
# out once (lru_cache: bounded, and safe across threads).
@functools.lru_cache(maxsize=1024)
def _parse_sheet_parts(workbook_xml: bytes, rels_xml: bytes) -> dict[str, str]:
    from xml.sax.saxutils import unescape

    workbook, rels = workbook_xml.decode("utf-8", "replace"), rels_xml.decode("utf-8", "replace")

    targets = {m.group(1): m.group(2) for m in re.finditer(r'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)}
    targets.update({m.group(2): m.group(1) for m in re.finditer(r'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)})
    paths = {}
    for m in re.finditer(r'<sheet\b([^>]*)/?>', workbook):
        attrs = dict(re.findall(r'([\w:]+)="([^"]*)"', m.group(1)))
        rid = attrs.get("r:id")
        name = unescape(attrs.get("name", ""), {"&quot;": '"', "&apos;": "'"})
        if rid in targets:
            target = targets[rid].lstrip("/")
            paths[name] = target if target.startswith("xl/") else f"xl/{target}"
    return paths


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
