"""What python-calamine does not tell about .xls and .ods returns.

python-calamine reads a cell holding an error value (#DIV/0!, #VALUE!, #N/A)
as an empty string, so a unit whose formula failed would be told its cell is
blank; and LibreOffice re-saves TRUE typed into a number cell as the formula
=TRUE() with the value 1, which would be read as the count 1. For .xlsx the
gate finds such cells in the sheet XML; here the same is done for the two
older formats units re-save to: the OpenDocument content.xml and the BIFF8
workbook stream of an .xls, read from its OLE2 container.

Both give `Facts`: per sheet name, {A1 ref: error text}, {A1 ref: True/False}
for boolean constants, and the cells holding any other formula. Anything they
cannot make sense of gives what was found so far (the file is then read as
python-calamine reads it).
"""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass, field

from toolkit.templates.layout import cell_ref

_BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
                0x2A: "#N/A"}
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_MAX_ROWS, _MAX_COLUMNS = 100_000, 702  # as far as the gate lets .xlsx cells go


@dataclass
class Facts:
    errors: dict[str, dict[str, str]] = field(default_factory=dict)  # sheet -> ref -> #DIV/0!
    booleans: dict[str, dict[str, bool]] = field(default_factory=dict)  # sheet -> ref -> TRUE/FALSE
    formulas: dict[str, set[str]] = field(default_factory=dict)  # sheet -> refs of other formulas
    percents: dict[str, set[str]] = field(default_factory=dict)  # sheet -> refs of numbers shown as a percentage

    def add(self, table: dict, sheet: str, ref: str, value) -> None:
        table.setdefault(sheet, {})[ref] = value

    def __bool__(self) -> bool:
        return bool(self.errors or self.booleans or self.formulas or self.percents)


_BOOLEAN_FORMULAS = {"of:=TRUE()": True, "of:=FALSE()": False, "of:=TRUE": True, "of:=FALSE": False}


def ods_facts(data: bytes) -> Facts:
    facts = Facts()
    try:
        from defusedxml.ElementTree import iterparse

        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            content = archive.read("content.xml")
    except Exception:  # not an OpenDocument file after all: nothing to add
        return facts
    sheet, row, col = None, 0, 0
    try:
        for event, element in iterparse(io.BytesIO(content), events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == f"{_TABLE}table":
                    sheet, row = element.get(f"{_TABLE}name", ""), 0
                elif tag == f"{_TABLE}table-row":
                    col = 0
                continue
            if tag == f"{_TABLE}table-row":
                row += int(element.get(f"{_TABLE}number-rows-repeated", "1"))
                element.clear()
            elif tag in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"):
                repeat = int(element.get(f"{_TABLE}number-columns-repeated", "1"))
                formula = element.get(f"{_TABLE}formula")
                if element.get(f"{_OFFICE}value-type") == "percentage" and not formula and row < _MAX_ROWS:
                    for k in range(col, min(col + repeat, _MAX_COLUMNS)):
                        facts.percents.setdefault(sheet, set()).add(cell_ref(row, k))
                if (formula or element.get(f"{_CALCEXT}value-type") == "error") and row < _MAX_ROWS and col < _MAX_COLUMNS:
                    ref = cell_ref(row, col)
                    if element.get(f"{_CALCEXT}value-type") == "error":
                        paragraph = element.find(f"{_TEXT}p")
                        facts.add(facts.errors, sheet, ref, ("".join(paragraph.itertext()) if paragraph is not None else "") or "#错误")
                    elif formula.replace(" ", "").upper().replace("OF:", "of:") in _BOOLEAN_FORMULAS:
                        facts.add(facts.booleans, sheet, ref, _BOOLEAN_FORMULAS[formula.replace(" ", "").upper().replace("OF:", "of:")])
                    else:
                        facts.formulas.setdefault(sheet, set()).add(ref)
                col += repeat
    except Exception:  # damaged XML: python-calamine has read what it could
        return facts
    return facts


def xls_facts(data: bytes) -> Facts:
    try:
        stream = _ole_stream(data, ("Workbook", "Book"))
        return _biff_facts(stream) if stream else Facts()
    except Exception:  # a container or stream this reader does not follow: nothing to add
        return Facts()


_PTG_BOOL = 0x1D  # a formula that is only TRUE or FALSE


def _biff_facts(stream: bytes) -> Facts:
    records = []
    pos = 0
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        records.append((pos, kind, stream[pos + 4:pos + 4 + length]))
        pos += 4 + length
    sheets = {}  # BOF offset -> name (BOUNDSHEET8)
    for _, kind, body in records:
        if kind == 0x0085 and len(body) >= 8:
            offset, count, flags = struct.unpack_from("<IBB", body, 0)[0], body[6], body[7]
            name = body[8:8 + count * 2].decode("utf-16-le") if flags & 1 else body[8:8 + count].decode("latin-1")
            sheets[offset] = name
    facts = Facts()
    percent_xfs = _percent_xfs(records)
    current = None
    for offset, kind, body in records:
        if kind == 0x0809:  # BOF: a sheet's records start here
            current = sheets.get(offset)
        elif current is None:
            continue
        elif kind in (0x0203, 0x027E) and len(body) >= 6:  # NUMBER, RK: row, col, xf, the number
            row, col, xf = struct.unpack_from("<HHH", body, 0)
            if xf in percent_xfs:
                facts.percents.setdefault(current, set()).add(cell_ref(row, col))
        elif kind == 0x00BD and len(body) >= 6:  # MULRK: row, first col, (xf, rk) per cell, last col
            row, first = struct.unpack_from("<HH", body, 0)
            for k in range((len(body) - 6) // 6):
                if struct.unpack_from("<H", body, 4 + 6 * k)[0] in percent_xfs:
                    facts.percents.setdefault(current, set()).add(cell_ref(row, first + k))
        elif kind == 0x0006 and len(body) >= 22:  # FORMULA: row, col, xf, an 8-byte result, flags, cache, the formula
            row, col = struct.unpack_from("<HH", body, 0)
            ref = cell_ref(row, col)
            result = body[6:14]
            size = struct.unpack_from("<H", body, 20)[0]
            tokens = body[22:22 + size]
            if result[0] == 2 and result[6:8] == b"\xff\xff":
                facts.add(facts.errors, current, ref, _BIFF_ERRORS.get(result[2], "#错误"))
            elif size == 2 and tokens[0] == _PTG_BOOL:
                facts.add(facts.booleans, current, ref, bool(tokens[1]))
            else:
                facts.formulas.setdefault(current, set()).add(ref)
        elif kind == 0x0205 and len(body) >= 8 and body[7] == 1:  # BOOLERR holding an error
            row, col = struct.unpack_from("<HH", body, 0)
            facts.add(facts.errors, current, cell_ref(row, col), _BIFF_ERRORS.get(body[6], "#错误"))
    return facts


def _percent_xfs(records) -> set[int]:
    """The XF indexes (cell styles, in record order) whose number format is a
    percentage: built-in 9 and 10, or a FORMAT record's code with a %."""
    from toolkit.gate import PERCENT_FORMAT_IDS, is_percent_format

    codes, xfs = {}, []
    for _, kind, body in records:
        if kind == 0x0809 and xfs:  # the first sheet's BOF: the globals are over
            break
        if kind == 0x041E and len(body) >= 5:  # FORMAT: index, then a unicode string
            index, count, flags = struct.unpack_from("<HHB", body, 0)
            text = body[5:5 + count * 2].decode("utf-16-le", "replace") if flags & 1 else body[5:5 + count].decode("latin-1")
            codes[index] = text
        elif kind == 0x00E0 and len(body) >= 4:  # XF: font, then the format index
            xfs.append(struct.unpack_from("<H", body, 2)[0])
    return {i for i, fmt in enumerate(xfs) if fmt in PERCENT_FORMAT_IDS or is_percent_format(codes.get(fmt, ""))}


def _ole_stream(data: bytes, names: tuple[str, ...]) -> bytes | None:
    """The stream of that name from an OLE2 compound file (enough of the
    format for a workbook: the FAT, the directory, the mini stream)."""
    if data[:8] != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return None
    sector = 1 << struct.unpack_from("<H", data, 30)[0]
    mini = 1 << struct.unpack_from("<H", data, 32)[0]
    fat_count, dir_start = struct.unpack_from("<II", data, 44)
    cutoff, minifat_start, _, difat_start, difat_count = struct.unpack_from("<IIIII", data, 56)

    def at(n: int) -> bytes:
        return data[512 + n * sector:512 + (n + 1) * sector]

    difat = list(struct.unpack_from("<109I", data, 76))
    for _ in range(difat_count):
        if difat_start >= 0xFFFFFFFA:
            break
        block = at(difat_start)
        entries = struct.unpack(f"<{sector // 4}I", block)
        difat.extend(entries[:-1])
        difat_start = entries[-1]
    fat = []
    for n in difat[:fat_count]:
        fat.extend(struct.unpack(f"<{sector // 4}I", at(n)))

    def chain(start: int, table: list[int], read) -> bytes:
        out, seen = [], set()
        while start < 0xFFFFFFFA and start not in seen and start < len(table):
            seen.add(start)
            out.append(read(start))
            start = table[start]
        return b"".join(out)

    directory = chain(dir_start, fat, at)
    entries = []
    for k in range(len(directory) // 128):
        entry = directory[k * 128:(k + 1) * 128]
        name_length = struct.unpack_from("<H", entry, 64)[0]
        name = entry[:max(0, name_length - 2)].decode("utf-16-le", "replace")
        start, size = struct.unpack_from("<II", entry, 116)
        entries.append((name, entry[66], start, size))
    root = next((e for e in entries if e[1] == 5), None)
    wanted = next((e for e in entries if e[1] == 2 and e[0] in names), None)
    if wanted is None:
        return None
    _, _, start, size = wanted
    if size >= cutoff or root is None:
        return chain(start, fat, at)[:size]
    ministream = chain(root[2], fat, at)
    minifat_bytes = chain(minifat_start, fat, at)
    minifat = list(struct.unpack(f"<{len(minifat_bytes) // 4}I", minifat_bytes))
    return chain(start, minifat, lambda n: ministream[n * mini:(n + 1) * mini])[:size]
