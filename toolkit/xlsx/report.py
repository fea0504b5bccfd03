"""The validation report as a workbook (`toolkit validate --report FILE.xlsx`).

Three sheets for the office: `文件` (what became of every file that came
in), `问题` (every finding) and `目标` (every target per unit). Results are
coloured by live conditional formats, so filtering, sorting and editing keep
the colours right. Text from the units is always written as text. The same
report gives a byte-identical workbook.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from pathlib import Path

from toolkit.fileio import OutputSet, outputs
from toolkit.periods import period_label
from toolkit.model.validation import ValidationReport
from toolkit.textable import file_name, safe_cell_text
from toolkit.words import (
    CHECKED_FILE_STATUS_WORDS,
    LEVEL_WORDS,
    REPORT_FILE_COLUMNS,
    REPORT_FINDING_COLUMNS,
    REPORT_OUTCOME_COLUMNS,
    REPORT_SHEETS,
    STATUS_WORDS,
    YES_NO,
)
from toolkit.xlsx.style import (
    AMBER,
    FIXED_TIME,
    GREEN,
    HEADER_ROW_HEIGHT,
    LIGHT_GREY,
    RED,
    REPORT_HEIGHTS,
    REPORT_STATUS_COLOURS,
    ReportFormats,
    a4_landscape,
    fit_or_spread,
    new_workbook,
)

# Column widths, in the order of the column titles (toolkit.words).
FILE_COLUMNS = tuple(zip(REPORT_FILE_COLUMNS, (36, 12, 16, 15, 14, 8, 8, 17, 22)))  # sha256: three lines
# (at most about 175 units a sheet: one A4 page wide at 80%, so 10-point text prints at 8 points)
FINDING_COLUMNS = tuple(zip(REPORT_FINDING_COLUMNS, (24, 14, 14, 8, 7, 16, 20, 16, 50)))
OUTCOME_COLUMNS = tuple(zip(REPORT_OUTCOME_COLUMNS, (14, 22, 16, 11, 11, 24, 24, 22, 14, 8)))


def write_report_workbook(report: ValidationReport, path: Path, *, out: OutputSet | None = None,
                          plan_title: str | None = None) -> None:
    """Write `report` to `path` (.xlsx), with the run's other outputs (`out`) or on its own."""
    with outputs(out) as out:
        out.claim(path)
        out.add(path, render_report_workbook(report, plan_title=plan_title))


def render_report_workbook(report: ValidationReport, *, plan_title: str | None = None) -> bytes:
    """The report as .xlsx bytes; its title names the plan by `plan_title` (a plan id never shows)."""
    buffer = io.BytesIO()
    wb = new_workbook(buffer)
    period = period_label(report.period)
    title = f"{plan_title or ''}{period}校验报告".strip()
    wb.set_properties({"title": title, "subject": "报表校验结果", "author": "toolkit", "created": FIXED_TIME,
                       "comments": "由 toolkit validate 生成。"})
    f = ReportFormats(wb)
    files_sheet, findings_sheet, outcomes_sheet = REPORT_SHEETS
    names = {fr.unit: fr.unit_name for fr in report.files if fr.unit and fr.unit_name}

    # 文件
    rows = []
    for fr in report.files:
        rows.append([fr.path, fr.unit, fr.unit_name, period_label(fr.period),
                     CHECKED_FILE_STATUS_WORDS.get(fr.status, fr.status), len(fr.errors), len(fr.warnings),
                     _datetime(fr.modified), fr.sha256])
    ws = _sheet(wb, f, files_sheet, FILE_COLUMNS, rows, title, wrap={0, 2, 8})
    _colour(ws, f, 4, len(rows), [(CHECKED_FILE_STATUS_WORDS[s], colours) for s, colours in
                                  (("rejected", RED), ("unrecognised", RED), ("superseded", LIGHT_GREY), ("used", GREEN))])
    ws.conditional_format(1, 5, max(1, len(rows)), 5, {"type": "cell", "criteria": ">", "value": 0, "format": f.cf[RED]})
    ws.conditional_format(1, 6, max(1, len(rows)), 6, {"type": "cell", "criteria": ">", "value": 0, "format": f.cf[AMBER]})

    # 问题
    rows = []
    for fr in report.files:
        for x in fr.findings:
            unit = fr.unit_name or names.get(x.unit or "") or x.unit or fr.unit
            rows.append([file_name(x.file or fr.path), unit, x.sheet, x.cell, LEVEL_WORDS.get(x.severity, x.severity), x.code,
                         x.indicator, x.value, x.message])
    ws = _sheet(wb, f, findings_sheet, FINDING_COLUMNS, rows, title, wrap={0, 6, 7, 8})
    _colour(ws, f, 4, len(rows), ((LEVEL_WORDS["error"], RED), (LEVEL_WORDS["warning"], AMBER)))

    # 目标
    rows = []
    for o in report.outcomes:
        actual = float(o.actual) if isinstance(o.actual, (int, float)) and not isinstance(o.actual, bool) else o.actual
        rows.append([names.get(o.unit) or o.unit, o.indicator, o.target, actual, STATUS_WORDS.get(o.status, o.status),
                     o.reason, o.note, file_name(o.file), o.sheet, o.cell])
    ws = _sheet(wb, f, outcomes_sheet, OUTCOME_COLUMNS, rows, title, wrap={0, 1, 2, 5, 6, 7},
                number_formats={3: [f.actual(o.number_kind) for o in report.outcomes]})
    _colour(ws, f, 4, len(rows), [(STATUS_WORDS[s], REPORT_STATUS_COLOURS[s]) for s in STATUS_WORDS
                                  if s in REPORT_STATUS_COLOURS])

    wb.close()
    return buffer.getvalue()


def _sheet(wb, f: ReportFormats, name: str, columns, rows: list[list], title: str, *, wrap: set[int],
           number_formats: dict[int, list] | None = None):
    ws = wb.add_worksheet(name)
    for c, (header, width) in enumerate(columns):
        ws.set_column(c, c, width)
        ws.write_string(0, c, header, f.header)
    ws.set_row(0, HEADER_ROW_HEIGHT)
    for r, row in enumerate(rows, start=1):
        ws.set_row(r, _row_height(row, columns, wrap))
        for c, value in enumerate(row):
            if value is None or value == "":
                ws.write_blank(r, c, None, f.wrap if c in wrap else f.text)
            elif isinstance(value, bool):
                ws.write_string(r, c, YES_NO[value], f.text)
            elif isinstance(value, int):
                ws.write_number(r, c, value, f.number)
            elif isinstance(value, float):
                if not math.isfinite(value):
                    ws.write_blank(r, c, None, f.text)
                    continue
                fmt = (number_formats or {}).get(c, [])
                ws.write_number(r, c, value, fmt[r - 1] if r - 1 < len(fmt) else f.numbers["General"])
            elif isinstance(value, dt.datetime) and value.year >= 1900:
                ws.write_datetime(r, c, value, f.datetime)
            else:
                ws.write_string(r, c, safe_cell_text(str(value)), f.wrap if c in wrap else f.text)
    last_col = len(columns) - 1
    ws.autofilter(0, 0, max(0, len(rows)), last_col)
    ws.freeze_panes(1, 0)
    ws.repeat_rows(0)
    a4_landscape(ws, header=f"&C{(title + ' — ' + name).replace('&', '&&')}")
    fit_or_spread(ws, [width for _, width in columns], repeat_cols=1)
    return ws


def _row_height(row: list, columns, wrap: set[int]) -> float:
    """Height of a row whose wrapped cells need several lines."""
    lines = 1
    for c in wrap:
        value = row[c] if c < len(row) else None
        if isinstance(value, str) and value:
            lines = max(lines, REPORT_HEIGHTS.lines(value, columns[c][1]))
    return REPORT_HEIGHTS.height(lines)


def _colour(ws, f: ReportFormats, col: int, n_rows: int, rules) -> None:
    """Live conditional formats on a result column: cell equals a word."""
    last = max(1, n_rows)
    for word, colours in rules:
        ws.conditional_format(1, col, last, col, {"type": "cell", "criteria": "==", "value": f'"{word}"',
                                                  "format": f.cf[colours]})


def _datetime(value) -> dt.datetime | str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    try:
        return dt.datetime.fromisoformat(str(value)).replace(tzinfo=None)
    except ValueError:
        return str(value)
