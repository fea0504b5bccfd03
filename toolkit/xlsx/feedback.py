"""Marked-up copies of returns, to send back to the units (退回修改).

For every file with findings, the unit's own workbook is copied (loaded with
openpyxl, never modified in place) and marked: each cell a finding points at
is filled (errors red, warnings orange) and carries a comment with the Chinese
message, and a first sheet `问题清单` lists every finding with a link to its
cell. Protection, data validation and the very hidden identification sheet are
kept, so the unit corrects the copy and returns it as it is.

A file that cannot be marked (.xls, not a workbook, unreadable, encrypted)
gets a small workbook holding only the list, so every file with findings has
something to send back.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import warnings
from collections.abc import Iterable
from copy import copy
from pathlib import Path, PureWindowsPath

from toolkit.fileio import OutputSet, outputs
from toolkit.gate import is_percent_format
from toolkit.findings import ERROR, WARNING, Finding
from toolkit.periods import period_label
from toolkit.model.validation import FileReport, ValidationReport
from toolkit.templates.layout import CELLS_SHEET, ID_SHEET
from toolkit.textable import display_width, safe_cell_text
from toolkit.words import FEEDBACK_COLUMNS, FEEDBACK_SHEET, LEVEL_WORDS, LIST_SUFFIX, MARKED_SUFFIX
from toolkit.xlsx import style
from toolkit.xlsx.style import MARK, FeedbackStyles

AUTHOR = "toolkit"
MARKABLE_SUFFIXES = (".xlsx", ".xlsm")
INPUT_FILL = style.INPUT_FILL.lstrip("#").upper()

# 序号, 级别, 工作表, 单元格, 指标, 填写内容, 问题说明及修改方法, with their widths
COLUMNS = tuple(zip(FEEDBACK_COLUMNS, (6, 7, 16, 9, 28, 20, 64)))
_HEADER_ROW = 3  # 1-based: title, guidance, header


def write_feedback(report: ValidationReport, returns: dict[str, Path], out_dir: Path, *,
                   out: OutputSet | None = None) -> list[Path]:
    """Write one workbook to send back for every file of `report` with findings.

    `returns` maps FileReport.path to the real file. A workbook openpyxl can
    open becomes `{stem}_退回修改.xlsx` (its own copy, marked); anything else
    `{stem}_问题清单.xlsx` (the list only). Returns the paths written, in
    report order. `out`: the run's output set (toolkit.fileio.OutputSet), so
    that the copies appear with the run's other outputs or not at all.
    """
    with outputs(out) as out:
        out.claim_folder(out_dir)
        return _write_feedback(report, returns, Path(out_dir), out)


def _write_feedback(report: ValidationReport, returns: dict[str, Path], out_dir: Path, out: OutputSet) -> list[Path]:
    inputs: set[str] = set()
    for real in returns.values():
        try:
            inputs.add(str(Path(real).resolve()).casefold())
        except OSError:
            pass
    # The office's own unchanged marked copies are not returns: none is marked
    # again, and one already in the folder for a return is that return's copy.
    copies = {x.value for f in report.files for x in f.findings if x.code == "office-copy"}
    jobs = []
    for file_report in report.files:
        if not file_report.findings or _is_office_copy(file_report) or _not_for_a_unit(file_report):
            continue
        real = returns.get(file_report.path)
        real = Path(real) if real is not None else None
        data, suffix, problem = None, MARKED_SUFFIX, None
        if real is None:
            problem = "找不到原文件"
        elif real.suffix.lower() not in MARKABLE_SUFFIXES:
            problem = f"文件格式为 {real.suffix or '无扩展名'}，无法直接标注"
        else:
            try:
                data = _marked_copy(file_report, real, report.period)
            except Exception:  # noqa: BLE001 - one bad file must not stop the others
                data, problem = None, "原文件无法打开，无法直接标注"
        if data is None:
            suffix = LIST_SUFFIX
            data = _list_only(file_report, report.period, problem)
        jobs.append((file_report, _stem(real, file_report.path), suffix, data))
    written: list[Path] = []
    for (file_report, stem, suffix, data), name in zip(jobs, _names(jobs, out_dir, inputs)):
        if file_report.sha256 in copies and _key(out_dir / f"{stem}{suffix}.xlsx") in inputs:
            continue  # its unchanged marked copy is already there, as an input of this run
        target = out_dir / name
        out.add(target, data)
        written.append(target)
    return written


def _not_for_a_unit(file_report: FileReport) -> bool:
    """Files no unit sent (system files, toolkit's own lock files): nothing to send back."""
    return all(f.code == "skipped-file" for f in file_report.findings)


def _is_office_copy(file_report: FileReport) -> bool:
    return any(f.code == "office-copy" for f in file_report.findings)


def _key(path: Path) -> str:
    try:
        return str(path.resolve()).casefold()
    except OSError:
        return str(path).casefold()


def _names(jobs, out_dir: Path, inputs: set[str]) -> list[str]:
    """The file names of the copies: `{stem}_退回修改.xlsx`, the same from run
    to run. Where two files of a run would get one name (the same file name
    in two folders), or the name is one of the run's inputs, each gets a tag
    from its own content (and path, for the very same bytes twice), never a
    number that depends on the order the files were read in."""
    plain = [f"{stem}{suffix}.xlsx" for _, stem, suffix, _ in jobs]
    count: dict[str, int] = {}
    for name in plain:
        count[name.casefold()] = count.get(name.casefold(), 0) + 1
    same_bytes: dict[tuple[str, str], int] = {}
    for (file_report, stem, _, _), name in zip(jobs, plain):
        key = (name.casefold(), file_report.sha256)
        same_bytes[key] = same_bytes.get(key, 0) + 1
    names = []
    for (file_report, stem, suffix, _), name in zip(jobs, plain):
        if count[name.casefold()] == 1 and _key(out_dir / name) not in inputs:
            names.append(name)
            continue
        tag = (file_report.sha256 or hashlib.sha256(file_report.path.encode("utf-8")).hexdigest())[:8]
        if same_bytes[(name.casefold(), file_report.sha256)] > 1:
            tag += "-" + hashlib.sha256(file_report.path.encode("utf-8")).hexdigest()[:6]
        names.append(f"{stem}_{tag}{suffix}.xlsx")
    return names


# --- the marked copy


def _marked_copy(file_report: FileReport, path: Path, period: str | None) -> bytes:
    import openpyxl

    raw = path.read_bytes()  # read once: the input file is never opened for writing
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(io.BytesIO(raw), rich_text=True)
    if FEEDBACK_SHEET in wb.sheetnames:  # a marked copy sent back again: list afresh
        del wb[FEEDBACK_SHEET]
    _clear_old_marks(wb)

    marks: dict[tuple[str, int, int], list[Finding]] = {}
    links: list[str | None] = []
    sheet_levels: dict[str, str] = {}
    for finding in file_report.findings:
        link = None
        ws = wb[finding.sheet] if finding.sheet and finding.sheet in wb.sheetnames else None
        if ws is not None:
            position = _position(ws, finding.cell) if finding.cell else None
            if position is not None:
                marks.setdefault((ws.title, *position), []).append(finding)
                link = _location(ws.title, position)
            elif not finding.cell:
                link = _location(ws.title, (1, 1))  # sheet-level: the sheet itself
            if sheet_levels.get(ws.title) != ERROR:
                sheet_levels[ws.title] = finding.severity
        links.append(link)

    for (title, row, col), findings in marks.items():
        _mark_cell(wb[title].cell(row=row, column=col), findings)
        if any(f.code == "row-inserted" for f in findings):  # the whole inserted row, not only its first cell
            _mark_row(wb[title], row, col)
    for title, level in sheet_levels.items():
        if wb[title].sheet_state == "visible":
            wb[title].sheet_properties.tabColor = MARK[level]["tab"]

    ws = wb.create_sheet(FEEDBACK_SHEET, 0)
    guidance = ("红色单元格是错误，必须修改；橙色单元格是提示，请核实，情况属实的可在“未达标原因说明”等处注明。"
                "点击“单元格”列可跳到该单元格，鼠标移到单元格上可查看问题说明。改好后请直接保存本文件并重新报送，"
                "本页可以保留。")
    _fill_list_sheet(ws, file_report, period, guidance, links)
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False  # two selected tabs would group the sheets
    wb.active = 0
    for view in wb.views:
        view.firstSheet = 0
    return _save_marked(wb, file_report)


def _save_marked(wb, file_report: FileReport) -> bytes:
    """The copy as bytes, marked as the office's copy of this return (in the
    very hidden identification sheet): the return's sha256, a digest of its
    input values and the saved time written here. Sent back unchanged, intake
    lists it as the office's copy and does not use it; once the unit saves it
    again (corrected), it is the unit's new version."""
    import datetime as dt
    import zipfile

    from openpyxl.writer.excel import ExcelWriter

    from toolkit.intake.identify import COPY_OF, COPY_SAVED, COPY_VALUES, saved_stamp

    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0, tzinfo=None)
    wb.properties.modified = now  # openpyxl's own save would set it anew
    if ID_SHEET in wb.sheetnames and file_report.sha256 and file_report.values_digest:
        local = now.replace(tzinfo=dt.timezone.utc).astimezone().replace(tzinfo=None)
        mark = {COPY_OF: file_report.sha256, COPY_VALUES: file_report.values_digest, COPY_SAVED: saved_stamp(local)}
        ws = wb[ID_SHEET]
        rows = {row[0].value: row[0].row for row in ws.iter_rows(min_col=1, max_col=1) if row[0].value}
        last = ws.max_row
        for key, value in mark.items():
            if key not in rows:
                last += 1
                rows[key] = last
            ws.cell(row=rows[key], column=1, value=key)
            ws.cell(row=rows[key], column=2, value=value)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    return buffer.getvalue()


def _position(ws, ref: str) -> tuple[int, int] | None:
    """1-based (row, col) a finding's cell is shown at: the cell itself, or the
    top-left cell of the merged range it belongs to. None if not a cell."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    ref = ref.split(":")[0].split("!")[-1].replace("$", "").strip().upper()
    try:
        letters, row = coordinate_from_string(ref)
        col = column_index_from_string(letters)
    except (ValueError, TypeError):
        return None
    if not (1 <= row <= 1048576 and 1 <= col <= 16384):
        return None
    for merged in ws.merged_cells.ranges:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= col <= merged.max_col:
            return merged.min_row, merged.min_col
    return row, col


def _location(sheet: str, position: tuple[int, int]) -> str:
    from openpyxl.utils.cell import get_column_letter

    quoted = sheet.replace("'", "''")
    return f"'{quoted}'!{get_column_letter(position[1])}{position[0]}"


def _mark_cell(cell, findings: list[Finding]) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Color

    level = ERROR if any(f.severity == ERROR for f in findings) else WARNING
    cell.fill = FeedbackStyles.fill(MARK[level]["fill"])
    if cell.value.__class__ in (int, float) and not is_percent_format(cell.number_format or ""):
        # as typed: an integer cell's format would show 12.5 as 13 while the message quotes 12.5
        cell.number_format = "General"
    font = copy(cell.font)
    font.color = Color(rgb="FF" + MARK[level]["font"])
    cell.font = font
    parts = [f"【{LEVEL_WORDS[f.severity]}】{f.message}" for f in findings]
    if len(parts) > 1:
        parts = [f"{i}. {text}" for i, text in enumerate(parts, start=1)]
    text = "\n".join(parts)
    old = cell.comment
    if old is not None and old.author != AUTHOR and old.text:
        text += f"\n——原批注——\n{old.text}"
    text = safe_cell_text(text)
    lines = sum(max(1, math.ceil(display_width(part) / style.COMMENT_LINE_UNITS)) for part in text.split("\n"))
    cell.comment = Comment(text, AUTHOR, height=min(style.COMMENT_MAX_HEIGHT, style.COMMENT_LINE_HEIGHT * lines + 20),
                           width=style.COMMENT_WIDTH)


def _mark_row(ws, row: int, marked_col: int) -> None:
    """Fill every cell of a row a unit inserted, across the table's columns."""
    fill = FeedbackStyles.fill(MARK[WARNING]["fill"])
    for col in range(1, ws.max_column + 1):
        if col != marked_col:
            ws.cell(row=row, column=col).fill = fill


def _clear_old_marks(wb) -> None:
    """Undo the marks of an earlier round, in a marked copy sent back again:
    toolkit's comments go; input cells it filled get their input shading back."""
    inputs = _input_cells(wb)
    ours = {m["fill"] for m in MARK.values()}
    tabs = {m["tab"] for m in MARK.values()}
    for ws in wb.worksheets:
        for cell in list(ws._cells.values()):
            if cell.comment is not None and cell.comment.author == AUTHOR:
                cell.comment = None
            if (ws.title, cell.coordinate) in inputs and cell.fill is not None and cell.fill.fill_type == "solid" \
                    and str(cell.fill.fgColor.rgb).upper()[-6:] in ours:
                cell.fill = FeedbackStyles.fill(INPUT_FILL)
                font = copy(cell.font)
                font.color = None
                cell.font = font
        if ws.sheet_properties.tabColor is not None and str(ws.sheet_properties.tabColor.rgb).upper()[-6:] in tabs:
            ws.sheet_properties.tabColor = None


def _input_cells(wb) -> set[tuple[str, str]]:
    """(sheet, A1) of every input cell, from the hidden identification sheet."""
    if CELLS_SHEET not in wb.sheetnames:
        return set()
    cells, in_map = set(), False
    for row in wb[CELLS_SHEET].iter_rows(min_col=1, max_col=2, values_only=True):
        if in_map and row[0] and row[1]:
            cells.add((str(row[0]), str(row[1]).upper()))
        elif row[0] == "sheet" and row[1] == "cell":
            in_map = True
    return cells


# --- the list sheet


def _list_only(file_report: FileReport, period: str | None, problem: str | None) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = FEEDBACK_SHEET
    reason = f"{problem}。" if problem else ""
    guidance = (f"{reason}请对照下表，在原模板中修改后，另存为 Excel 工作簿（.xlsx）重新报送；"
                "“工作表”“单元格”列指出了问题所在的位置。")
    _fill_list_sheet(ws, file_report, period, guidance, [None] * len(file_report.findings))
    wb.properties.creator = AUTHOR
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _fill_list_sheet(ws, file_report: FileReport, period: str | None, guidance: str, links: list[str | None]) -> None:
    from openpyxl.utils.cell import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    findings = file_report.findings
    n_errors, n_warnings = len(file_report.errors), len(file_report.warnings)
    last_col = get_column_letter(len(COLUMNS))
    s = FeedbackStyles()

    ws.merge_cells(f"A1:{last_col}1")
    _text(ws["A1"], _title(file_report, period, n_errors, n_warnings))
    ws["A1"].font = s.title(ERROR if n_errors else WARNING)
    ws["A1"].alignment = s.title_alignment
    ws.row_dimensions[1].height = _height([(ws["A1"].value, _total_width())], style.FEEDBACK_TITLE_LINE)
    ws.merge_cells(f"A2:{last_col}2")
    _text(ws["A2"], guidance)
    ws["A2"].font = s.guidance
    ws["A2"].alignment = s.wrap
    ws.row_dimensions[2].height = _height([(guidance, _total_width())], style.FEEDBACK_GUIDANCE_LINE)

    for c, (title, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=_HEADER_ROW, column=c)
        _text(cell, title)
        cell.font = s.header
        cell.fill = s.header_fill
        cell.border = s.border
        cell.alignment = s.header_alignment
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.row_dimensions[_HEADER_ROW].height = style.HEADER_ROW_HEIGHT

    for i, (finding, link) in enumerate(zip(findings, links), start=1):
        r = _HEADER_ROW + i
        level = finding.severity if finding.severity in MARK else ERROR
        sheet = finding.sheet or ("" if finding.cell else "（整个文件）")
        where = _display_ref(finding.cell) if finding.cell else ("（整张表）" if finding.sheet else "")
        values = [i, LEVEL_WORDS[level], sheet, where, finding.indicator or "", finding.value, finding.message]
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c)
            if isinstance(value, int):
                cell.value = value
            else:
                _text(cell, value)
            cell.font = s.body
            cell.border = s.border
            cell.alignment = s.wrap
        level_cell = ws.cell(row=r, column=2)
        level_cell.font = s.level(level)
        level_cell.fill = s.fill(MARK[level]["fill"])
        level_cell.alignment = s.top_center
        ws.cell(row=r, column=1).alignment = s.top_center
        if link:
            cell = ws.cell(row=r, column=4)
            if cell.value is None:
                _text(cell, "（整张表）")
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=link, tooltip="跳转到该单元格")
            cell.font = s.link
        ws.row_dimensions[r].height = _height(
            [(ws.cell(row=r, column=c).value, COLUMNS[c - 1][1]) for c in range(2, len(COLUMNS) + 1)], style.LINE_HEIGHT)

    last_row = _HEADER_ROW + len(findings)
    ws.freeze_panes = f"A{_HEADER_ROW + 1}"
    if findings:
        ws.auto_filter.ref = f"A{_HEADER_ROW}:{last_col}{last_row}"
    ws.print_title_rows = f"{_HEADER_ROW}:{_HEADER_ROW}"
    style.a4_landscape_openpyxl(ws)
    ws.sheet_properties.tabColor = MARK[ERROR if n_errors else WARNING]["tab"]
    ws.sheet_view.tabSelected = True


def _title(file_report: FileReport, period: str | None, n_errors: int, n_warnings: int) -> str:
    name = file_report.unit_name or file_report.unit or f"“{_file_name(file_report.path)}”"
    label = period_label(file_report.period or period)
    head = f"{name} {label}报表问题清单" if label else f"{name} 报表问题清单"
    if n_errors:
        return f"{head}：错误 {n_errors} 项，提示 {n_warnings} 项。请按下表修改后重新报送。"
    return f"{head}：错误 0 项，提示 {n_warnings} 项。请核实下表所列内容，必要时修改或注明原因后重新报送。"


def _display_ref(ref: str) -> str:
    return ref.replace("$", "").strip().upper()


def _text(cell, value) -> None:
    """Set a cell to text that Excel shows literally, never as a formula."""
    if value is None or value == "":
        cell.value = None
        return
    cell.value = safe_cell_text(str(value))
    cell.data_type = "s"


def _total_width() -> float:
    return sum(width for _, width in COLUMNS)


def _height(cells: Iterable[tuple[object, float]], line: float) -> float:
    """Row height for wrapped text: the tallest cell."""
    lines = max([style.FEEDBACK_HEIGHTS.lines(value, width) for value, width in cells if value is not None] or [1])
    return style.FEEDBACK_HEIGHTS.height(lines, line)


# --- names


def _file_name(display: str) -> str:
    return PureWindowsPath(display).name  # splits on both / and \


def _stem(real: Path | None, display: str) -> str:
    name = real.name if real is not None else _file_name(display)
    stem = name.rsplit(".", 1)[0] if "." in name.strip(".") else name
    # a marked copy sent back again keeps its original name
    stem = re.sub(rf"(_[0-9a-f]{{8}}(-[0-9a-f]{{6}})?)?({MARKED_SUFFIX}|{LIST_SUFFIX})(\(\d+\))?$", "", stem)
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "", stem).strip(" .")
    return stem or "报表"


