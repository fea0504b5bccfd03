"""Write one fill-in workbook with xlsxwriter.

The workbook mirrors the annex tables: the published cells (locked), then the
input cells the measures need (unlocked, shaded, each with a Chinese input
message and error alert). A very hidden sheet and custom document properties
identify the return when it comes back.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass

from toolkit.plan.model import Indicator, Plan
from toolkit.templates.layout import (
    CELLS_SHEET,
    FIELDS,
    ID_SHEET,
    INSTRUCTIONS_SHEET,
    META_FIELDS,
    META_FIRST_ROW,
    META_VALUE_COL,
    TASK_STATUSES,
    TEMPLATE_FORMAT,
    TEMPLATE_VERSION,
    InputCell,
    SheetLayout,
    WorkbookLayout,
    cell_ref,
    fixed_cells,
    target_words,
)
from toolkit.words import FIELD_HINTS as _FIELD_HINTS
from toolkit.words import KIND_HINTS as _KIND_HINTS
from toolkit.xlsx.style import (
    META_TEXT_LIMIT,
    TEMPLATE_COLOURS,
    TEMPLATE_HEIGHTS,
    TEXT_LIMIT,
    VALIDATION_MESSAGE_LIMIT,
    VALIDATION_TITLE_LIMIT,
    TemplateFormats,
    a4_landscape,
    fit_or_spread,
    new_workbook,
)

# Visible identification on the instructions sheet, (row, col) 0-based: read
# back when the hidden sheet was lost (a return re-saved by another program).
VISIBLE_ID = {"plan_id": (3, 1), "unit_name": (4, 1), "unit_code": (5, 1), "period": (6, 1)}

COLOURS = TEMPLATE_COLOURS
# The instructions sheet's columns (label, text, four narrow ones under the
# merged steps): one A4 page, portrait; a step's line holds this many units.
INSTRUCTION_WIDTHS = (20, 56, 6)
INSTRUCTION_LINE = (20 + 56 + 4 * 6) * 10 / 11  # 11-point text

@dataclass
class Context:
    """What is the same for every unit's workbook in one build."""

    plan: Plan
    period_code: str
    period_label: str
    period_is_year: bool
    due: dt.date | None
    contact: str | None
    password: str | None
    issued: dt.date
    secret: bytes = b""  # the office's key (toolkit.identity): signs each unit's identification


@dataclass
class UnitText:
    """What differs per unit (placeholders when a skeleton is rendered)."""

    code: str
    name: str
    header_name: str  # the name as written in a page header (& doubled)
    row_ids: tuple[str, ...]
    checksum: str | None = None  # given for a skeleton (a placeholder); else computed from ctx.secret


def id_checksum(ctx: Context, unit_code: str) -> str:
    """The identification's keyed checksum (toolkit.identity)."""
    from toolkit.identity import checksum

    return checksum(ctx.secret, ctx.plan.fingerprint(), unit_code, ctx.period_code, TEMPLATE_VERSION)


def render_workbook(layout: WorkbookLayout, ctx: Context, unit: UnitText) -> bytes:
    buffer = io.BytesIO()
    workbook = new_workbook(buffer)
    issued = dt.datetime.combine(ctx.issued, dt.time())
    workbook.set_properties({
        "title": f"{ctx.plan.title}：{unit.name}（{ctx.period_label}）",
        "subject": ctx.plan.title,
        "author": ctx.plan.issuer or "toolkit",
        "company": ctx.plan.issuer or "",
        "created": issued,
        "comments": "由 toolkit 生成的填报模板；请只在黄色单元格中填写。",
    })
    for key, value in (("toolkit_format", TEMPLATE_FORMAT), ("toolkit_template_version", str(TEMPLATE_VERSION)),
                       ("toolkit_plan", ctx.plan.id), ("toolkit_plan_fingerprint", ctx.plan.fingerprint()),
                       ("toolkit_unit", unit.code), ("toolkit_period", ctx.period_code)):
        workbook.set_custom_property(key, value)
    formats = TemplateFormats(workbook)
    _write_instructions(workbook, formats, layout, ctx, unit)
    for sheet in layout.sheets:
        _write_table_sheet(workbook, formats, sheet, ctx, unit)
    _write_id_sheet(workbook, layout, ctx, unit)
    workbook.close()
    return buffer.getvalue()


def _page_setup(ws, ctx: Context, unit: UnitText, title: str, repeat_to: int | None, widths=None,
                repeat_cols: int = 0) -> None:
    a4_landscape(ws, center=True, header=f"&L{unit.header_name}&C{title.replace('&', '&&')}&R{ctx.period_label}")
    if repeat_to is not None:
        ws.repeat_rows(0, repeat_to)
    if widths is not None:  # a wide table: across pages at a legible size, not shrunk onto one
        fit_or_spread(ws, widths, repeat_cols=repeat_cols)


def _protect(ws, ctx: Context) -> None:
    ws.protect(ctx.password or "", {"select_locked_cells": True, "select_unlocked_cells": True,
                                     "format_columns": True, "format_rows": True})


def _write_instructions(wb, f: TemplateFormats, layout: WorkbookLayout, ctx: Context, unit: UnitText) -> None:
    ws = wb.add_worksheet(INSTRUCTIONS_SHEET)
    ws.set_column(0, 0, INSTRUCTION_WIDTHS[0])
    ws.set_column(1, 1, INSTRUCTION_WIDTHS[1])
    ws.set_column(2, 5, INSTRUCTION_WIDTHS[2])
    plan = ctx.plan
    ws.merge_range(0, 0, 0, 5, plan.title, f.title)
    ws.set_row(0, 30)
    ws.merge_range(1, 0, 1, 5, "　".join(x for x in (plan.issuer, plan.doc_number) if x), f.subtitle)
    due = f"{ctx.due.year}年{ctx.due.month}月{ctx.due.day}日前" if ctx.due else "按通知要求"
    identity = [
        ("计划编号", plan.id),  # a hidden row: read back when the hidden sheet is lost, never shown
        ("填报单位", unit.name),
        ("单位编码", unit.code),
        ("报送期", f"{ctx.period_label}（{ctx.period_code}）"),
        ("报送截止", due),
        ("联系人", ctx.contact or "见通知"),
        ("模板", f"第 {TEMPLATE_VERSION} 版（请使用本次下发的模板填写）"),
    ]
    for i, (label, value) in enumerate(identity):
        ws.write_string(3 + i, 0, f"{label}：", f.label)
        ws.write_string(3 + i, 1, value, f.value)
    ws.set_row(VISIBLE_ID["plan_id"][0], None, None, {"hidden": True})
    ws.write_string(META_FIRST_ROW - 1, 0, "填报人信息（请填写）", f.heading)
    for i, (_, label) in enumerate(META_FIELDS):
        ws.write_string(META_FIRST_ROW + i, 0, f"{label}：", f.label)
        ws.write_blank(META_FIRST_ROW + i, META_VALUE_COL, None, f.meta_input)
        ws.data_validation(META_FIRST_ROW + i, META_VALUE_COL, META_FIRST_ROW + i, META_VALUE_COL, {
            "validate": "length", "criteria": "<=", "value": META_TEXT_LIMIT,
            "input_title": label[:VALIDATION_TITLE_LIMIT], "input_message": f"请填写{label}。",
            "error_title": "内容过长", "error_message": f"请不超过 {META_TEXT_LIMIT} 字。",
        })
    row = META_FIRST_ROW + len(META_FIELDS) + 1
    ws.write_string(row, 0, "填写说明", f.heading)
    sheets = "、".join(f"“{s.name}”" for s in layout.sheets)
    steps = [
        f"本表共 {len(layout.sheets)} 张填报表：{sheets}。请逐表填写。",
        "只在黄色单元格中填写；灰色单元格表示该项不需要填写；其他单元格已锁定，不能修改。",
        "数字单元格只填数字，不要加单位或文字（例如填 3，不要填“3起”）；没有发生的请填 0，不要空着。",
        "比率类指标请分别填写“分子”和“分母”，比率由系统自动计算；百分比直接输入，如 95%。",
        "未达到目标的，必须在“未达标原因说明”中写明原因和下一步措施。",
        "任务类事项请在“完成状态”下拉列表中选择，并在“进展情况”中简要说明。",
        "请勿增删行列、修改表中原有文字、重命名或删除工作表，否则汇总时会被退回。",
        f"填好后请保存为 .xlsx 格式，于{due}报送；文件名可以保持不变。",
    ]
    for i, step in enumerate(steps, start=1):
        ws.merge_range(row + i, 0, row + i, 5, f"{i}. {step}", f.plain)
        ws.set_row(row + i, TEMPLATE_HEIGHTS.height(TEMPLATE_HEIGHTS.lines(f"{i}. {step}", INSTRUCTION_LINE), 15))
    row += len(steps) + 2
    ws.write_string(row, 0, "颜色说明", f.heading)
    for i, (key, text) in enumerate((("input", "需要填写的单元格"), ("na", "不需要填写（不适用）"), ("header", "表头和计划原文，不能修改"))):
        ws.write_blank(row + 1 + i, 0, None, f.legend[key])
        ws.write_string(row + 1 + i, 1, text, f.plain)
    ws.activate()
    _page_setup(ws, ctx, unit, INSTRUCTIONS_SHEET, None)
    ws.fit_to_pages(1, 1)
    ws.set_portrait()
    _protect(ws, ctx)


def _write_table_sheet(wb, f: TemplateFormats, layout: SheetLayout, ctx: Context, unit: UnitText) -> None:
    ws = wb.add_worksheet(layout.name)
    table = layout.table
    columns = layout.columns
    for i, column in enumerate(columns):
        ws.set_column(i, i, column.width)
    last_col = len(columns) - 1
    ws.merge_range(layout.title_row, 0, layout.title_row, last_col,
                   f"{table.title}（{unit.name}，{ctx.period_label}）", f.title)
    ws.set_row(layout.title_row, 28)
    for i, column in enumerate(columns):
        fmt = f.input_header if column.kind == "input" else f.header
        ws.write_string(layout.header_row, i, column.title, fmt)
    ws.set_row(layout.header_row, 32)
    ws.freeze_panes(layout.first_data_row, 0)

    inputs_by_pos = {(cell.row, cell.col): cell for cell in layout.inputs}
    input_cols = [i for i, c in enumerate(columns) if c.kind == "input"]
    computed_col = next((i for i, c in enumerate(columns) if c.kind == "computed"), None)
    col_of = {c.key: i for i, c in enumerate(columns) if c.kind == "input"}

    heights: dict[int, list] = {}
    for cell in fixed_cells(layout):
        fmt = f.center if cell.kind == "unit" else f.text
        if cell.last_row > cell.row:
            ws.merge_range(cell.row, cell.col, cell.last_row, cell.col, cell.text, fmt)
        else:
            ws.write_string(cell.row, cell.col, cell.text, fmt)
        heights.setdefault(cell.row, []).append((cell.text, columns[cell.col].width, cell.last_row - cell.row + 1))
    for line in layout.lines:
        r = line.sheet_row
        indicator = line.indicator
        for c in input_cols:
            cell = inputs_by_pos.get((r, c))
            if cell is not None:
                if cell.field in ("status", "progress") and line.span > 1:
                    ws.merge_range(r, c, r + line.span - 1, c, "", f.inputs[cell.kind])
                else:
                    ws.write_blank(r, c, None, f.inputs[cell.kind])
                ws.data_validation(r, c, r, c, _validation(cell, indicator))
            elif not (columns[c].key in ("status", "progress") and not line.first and line.row.is_task):
                ws.write_blank(r, c, None, f.na)
        if computed_col is not None:
            if indicator is not None and indicator.measure == "rate":
                num, den = cell_ref(r, col_of["numerator"]), cell_ref(r, col_of["denominator"])
                ws.write_formula(r, computed_col, f'=IF(AND(ISNUMBER({num}),ISNUMBER({den}),{den}>0),{num}/{den},"")', f.computed, "")
            else:
                ws.write_blank(r, computed_col, None, f.na)
        ws.set_row(r, _row_height(heights.get(r, [])))

    name_cols = next((i + 1 for i, c in enumerate(columns[:3]) if c.kind == "annex" and c.width >= 10), 1)
    _page_setup(ws, ctx, unit, table.title, layout.header_row, [c.width for c in columns], name_cols)
    ws.hide_gridlines(0)
    _protect(ws, ctx)


def _row_height(heights) -> float:
    """The tallest cell's lines (a merged cell's spread over the rows it spans)."""
    lines = 1
    for text, width, span in heights:
        lines = max(lines, math.ceil(TEMPLATE_HEIGHTS.lines(text, width) / span))
    return TEMPLATE_HEIGHTS.height(lines)


def _validation(cell: InputCell, indicator: Indicator | None) -> dict:
    title, alert = _KIND_HINTS[cell.kind]
    hint = _FIELD_HINTS[cell.field].format(numerator=getattr(indicator, "numerator", ""), denominator=getattr(indicator, "denominator", ""))
    if indicator is not None:
        message = f"{indicator.name}\n目标：{target_words(indicator)}\n{hint}"
    else:
        message = hint
    spec = {
        "input_title": FIELDS[cell.field].title[:VALIDATION_TITLE_LIMIT],
        "input_message": _clip(message, VALIDATION_MESSAGE_LIMIT),
        "error_title": title[:VALIDATION_TITLE_LIMIT],
        "error_message": _clip(alert, VALIDATION_MESSAGE_LIMIT),
        "error_type": "stop",
        "ignore_blank": True,
    }
    if cell.kind == "integer":
        spec.update(validate="integer", criteria=">=", value=0)
    elif cell.kind == "decimal":
        spec.update(validate="decimal", criteria=">=", value=0)
    elif cell.kind == "percent":
        spec.update(validate="decimal", criteria="between", minimum=0, maximum=1)
    elif cell.kind == "status":
        spec.update(validate="list", source=list(TASK_STATUSES))
    else:
        spec.update(validate="length", criteria="<=", value=TEXT_LIMIT)
    return spec


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _write_id_sheet(wb, layout: WorkbookLayout, ctx: Context, unit: UnitText) -> None:
    """The very hidden identification: what the return is (one small sheet,
    read for every return) and where its inputs are (a second sheet)."""
    from toolkit.identity import key_id

    ws = wb.add_worksheet(ID_SHEET)
    pairs = [
        ("format", TEMPLATE_FORMAT),
        ("template_version", str(TEMPLATE_VERSION)),
        ("plan_id", ctx.plan.id),
        ("plan_fingerprint", ctx.plan.fingerprint()),
        ("table_fingerprints", ";".join(f"{k}={v}" for k, v in ctx.plan.table_fingerprints().items())),
        ("plan_title", ctx.plan.title),
        ("unit_code", unit.code),
        ("unit_name", unit.name),
        ("period", ctx.period_code),
        ("period_label", ctx.period_label),
        ("due", ctx.due.isoformat() if ctx.due else ""),
        ("issued", ctx.issued.isoformat()),
        ("rows", ";".join(unit.row_ids)),
        ("sheets", ";".join(s.name for s in layout.sheets)),
        ("key_id", key_id(ctx.secret)),
        ("checksum", unit.checksum if unit.checksum is not None else id_checksum(ctx, unit.code)),
    ]
    for r, (key, value) in enumerate(pairs):
        ws.write_string(r, 0, key)
        ws.write_string(r, 1, value)
    ws.very_hidden()
    cells = wb.add_worksheet(CELLS_SHEET)
    for c, title in enumerate(("sheet", "cell", "row_id", "indicator_id", "field", "kind")):
        cells.write_string(0, c, title)
    for r, cell in enumerate(layout.inputs(), start=1):
        for c, value in enumerate((cell.sheet, cell.ref, cell.row_id, cell.indicator_id or "", cell.field, cell.kind)):
            cells.write_string(r, c, value)
    cells.very_hidden()
