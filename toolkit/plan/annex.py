"""Read the tables of a published annex (.docx or .xlsx) as plain text grids.

Nothing here knows what an annex table means; it only turns a document into
tables of strings, with merged cells resolved (the merged text repeated in
every covered cell, and the merge remembered per column) and the heading that
precedes each table. Recognising which table is which is `importer`'s job.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import AnnexError
from toolkit.textable import cell_text


@dataclass
class RawTable:
    """One table as published: every row a list of cell texts."""

    index: int  # position among the document's tables, from 0
    heading: str | None  # the paragraph (or sheet title) just before the table
    rows: list[list[str]]
    # (row, column) positions covered by a merge but not its top-left cell
    merged_cells: set[tuple[int, int]] = field(default_factory=set)
    # the subset covered from the cell above (a vertical merge)
    merged_vertical: set[tuple[int, int]] = field(default_factory=set)
    sheet: str | None = None  # for .xlsx: the sheet it came from

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass
class RawDocument:
    path: Path
    paragraphs: list[str]  # all body text outside tables, in order
    tables: list[RawTable]


def _clean(text: str | None) -> str:
    if text is None:
        return ""
    # Word uses \r, \x0b (vertical tab) and \n for line breaks inside a cell.
    lines = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n").split("\n")
    return "\n".join(line.strip() for line in lines if line.strip())


def read_annex(path: str | Path) -> RawDocument:
    """Read every table of an annex document; raise AnnexError if it cannot be read."""
    path = Path(path)
    if not path.exists():
        raise AnnexError("找不到文件", where=str(path))
    suffix = path.suffix.lower()
    if suffix in (".docx", ".xlsx", ".xlsm") and not zipfile.is_zipfile(path):
        kind = "Word 文档" if suffix == ".docx" else "Excel 工作簿"
        raise AnnexError(
            f"不是可读取的 {kind}（文件已损坏，或并不是真正的 {suffix} 文件）",
            where=str(path),
            hint=f"确认文件能在 Word、Excel 或 WPS 中打开，再重新另存为 {suffix}",
        )
    if suffix == ".docx":
        return _read_docx(path)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix in (".doc", ".wps", ".et", ".xls"):
        raise AnnexError(
            f"不能读取 {suffix} 文件（旧版 Word/WPS/Excel 格式）",
            where=str(path),
            hint="在 Word、WPS 或 Excel 中打开，另存为 .docx（或 .xlsx）后导入另存的文件",
        )
    raise AnnexError(
        f"不是 .docx 或 .xlsx 文件（{suffix or '没有扩展名'}）",
        where=str(path),
        hint="附件请用 Word .docx 或 Excel .xlsx 文件导入",
    )


def _read_docx(path: Path) -> RawDocument:
    import docx  # python-docx; imported here so the CLI starts fast
    from docx.oxml.ns import qn

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise AnnexError(
            f"不是可读取的 Word 文档（{exc.__class__.__name__}）",
            where=str(path),
            hint="确认文件能在 Word 或 WPS 中打开，再重新另存为 .docx",
        ) from None
    except Exception as exc:  # python-docx raises assorted errors on damaged files
        raise AnnexError(f"无法读取 Word 文档：{exc}", where=str(path)) from None

    paragraphs: list[str] = []
    tables: list[RawTable] = []
    last_heading: str | None = None
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p"):
            text = _clean(_paragraph_text(element))
            if text:
                paragraphs.append(text)
                last_heading = text
        elif element.tag == qn("w:tbl"):
            tables.append(_docx_table(element, len(tables), last_heading))
            last_heading = None
    return RawDocument(path=path, paragraphs=paragraphs, tables=tables)


def _docx_table(tbl, index: int, heading: str | None) -> RawTable:
    """Lay a w:tbl out on its grid, resolving gridSpan and vMerge ourselves.

    python-docx's row.cells resolves merges too, but walking the XML keeps the
    information of which cells were merge continuations, which templates need
    to merge the same cells again.
    """
    from docx.oxml.ns import qn

    grid: list[list[str]] = []
    merged: set[tuple[int, int]] = set()
    vertical: set[tuple[int, int]] = set()
    for r, tr in enumerate(tbl.iterchildren(qn("w:tr"))):
        row: list[str] = []
        for tc in tr.iterchildren(qn("w:tc")):
            props = tc.find(qn("w:tcPr"))
            span, vmerge = 1, None
            if props is not None:
                grid_span = props.find(qn("w:gridSpan"))
                if grid_span is not None:
                    span = int(grid_span.get(qn("w:val"), "1") or 1)
                v = props.find(qn("w:vMerge"))
                if v is not None:
                    vmerge = v.get(qn("w:val")) or "continue"
            paragraphs = [_paragraph_text(p) for p in tc.iter(qn("w:p"))]
            text = _clean("\n".join(paragraphs))
            c0 = len(row)
            if vmerge == "continue" and r > 0:
                above = grid[r - 1]
                text = above[c0] if c0 < len(above) else ""
                for c in range(c0, c0 + span):
                    merged.add((r, c))
                    vertical.add((r, c))
            row.append(text)
            for extra in range(1, span):
                row.append(text)
                merged.add((r, c0 + extra))
        grid.append(row)
    return RawTable(index=index, heading=heading, rows=grid, merged_cells=merged, merged_vertical=vertical)


def _paragraph_text(paragraph) -> str:
    """Text of a w:p, with line breaks (w:br, w:cr) and tabs kept."""
    from docx.oxml.ns import qn

    text_tag, break_tags, tab_tag = qn("w:t"), (qn("w:br"), qn("w:cr")), qn("w:tab")
    parts = []
    for node in paragraph.iter():
        if node.tag == text_tag:
            parts.append(node.text or "")
        elif node.tag in break_tags:
            parts.append("\n")
        elif node.tag == tab_tag:
            parts.append(" ")
    return "".join(parts)


def _read_xlsx(path: Path) -> RawDocument:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(str(path), read_only=False, data_only=True)
    except Exception as exc:
        raise AnnexError(
            f"不是可读取的 Excel 工作簿（{exc.__class__.__name__}）",
            where=str(path),
            hint="确认文件能在 Excel 或 WPS 中打开，再重新另存为 .xlsx",
        ) from None
    tables: list[RawTable] = []
    paragraphs: list[str] = []
    for sheet in workbook.worksheets:
        if sheet.sheet_state != "visible":
            continue
        values = [[_clean(cell_text(v)) for v in row] for row in sheet.iter_rows(values_only=True)]
        merged: set[tuple[int, int]] = set()
        vertical: set[tuple[int, int]] = set()
        for rng in sheet.merged_cells.ranges:
            top = values[rng.min_row - 1][rng.min_col - 1] if rng.min_row - 1 < len(values) else ""
            for r in range(rng.min_row - 1, rng.max_row):
                for c in range(rng.min_col - 1, rng.max_col):
                    if (r, c) != (rng.min_row - 1, rng.min_col - 1) and r < len(values):
                        values[r][c] = top
                        merged.add((r, c))
                        if r > rng.min_row - 1:
                            vertical.add((r, c))
        # A sheet may hold a title line above its table, and several tables
        # one after another separated by blank rows or a heading line.
        tables.extend(_split_sheet(values, merged, vertical, sheet.title, len(tables), paragraphs))
    return RawDocument(path=path, paragraphs=paragraphs, tables=tables)


def _split_sheet(values, merged, vertical, sheet_title, first_index, paragraphs) -> list[RawTable]:
    """Cut a sheet into tables: a row with one non-empty text (or a merge across
    the width) is a heading; blank rows separate tables."""
    tables: list[RawTable] = []
    heading: str | None = sheet_title
    block: list[int] = []

    def flush():
        if block:
            rows = [values[i] for i in block]
            width = max(len(r) for r in rows)
            # trim empty trailing columns
            while width and all((len(r) < width or not r[width - 1]) for r in rows):
                width -= 1
            rows = [(r + [""] * width)[:width] for r in rows]
            cells = {(k, c) for k, i in enumerate(block) for c in range(width) if (i, c) in merged}
            down = {(k, c) for k, i in enumerate(block) for c in range(width) if (i, c) in vertical}
            tables.append(RawTable(first_index + len(tables), heading, rows, cells, down, sheet=sheet_title))
            block.clear()

    for i, row in enumerate(values):
        texts = [v for v in row if v]
        distinct = set(texts)
        if not texts:
            flush()
        elif len(distinct) == 1 and (len(texts) == 1 or all((i, c) in merged for c, v in enumerate(row) if v and c > 0)):
            # a title line (possibly merged across the table's width)
            flush()
            heading = texts[0]
            paragraphs.append(heading)
        else:
            block.append(i)
    flush()
    return tables
