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
from toolkit.textable import display_width

# Visible identification on the instructions sheet, (row, col) 0-based: read
# back when the hidden sheet was lost (a return re-saved by another program).
VISIBLE_ID = {"plan_id": (3, 1), "unit_name": (4, 1), "unit_code": (5, 1), "period": (6, 1)}

COLOURS = {"input": "#FFF2CC", "na": "#E7E6E6", "header": "#D9E1F2", "title": "#1F3864", "computed": "#EDEDED"}

_KIND_HINTS = {
    "integer": ("请填写整数", "只能填写 0 或正整数（例如 0、3），不要填写文字、单位或小数。没有发生的请填 0。"),
    "decimal": ("请填写数字", "只能填写大于或等于 0 的数字（例如 12 或 108.5），不要填写文字或单位。"),
    "percent": ("请填写百分比", "请填写 0%～100% 之间的百分比，例如 95%（直接输入 95% 即可）。"),
    "status": ("请选择完成状态", "请从下拉列表中选择：已完成、推进中、未启动、不适用。"),
    "text": ("说明文字过长", "说明文字请不超过 500 字，较长的材料请另附。"),
}
_FIELD_HINTS = {
    "value": "本报送期内的数值。",
    "cumulative": "本年 1 月 1 日至本期末的累计数。",
    "numerator": "比率的分子：{numerator}。",
    "denominator": "比率的分母：{denominator}。比率由系统计算，请勿自行计算。",
    "baseline": "上年同期的数值，用于计算升降幅度。",
    "status": "本项任务的完成情况。",
    "progress": "简要说明已开展的工作和进度。",
    "reason": "未达到目标时必须填写原因；已达标可不填。",
}
TEXT_LIMIT = 500


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


@dataclass
class UnitText:
    """What differs per unit (placeholders when a skeleton is rendered)."""

    code: str
    name: str
    header_name: str  # the name as written in a page header (& doubled)
    row_ids: tuple[str, ...]


def render_workbook(layout: WorkbookLayout, ctx: Context, unit: UnitText) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                            "strings_to_formulas": False, "strings_to_urls": False})
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
    formats = _Formats(workbook)
    _write_instructions(workbook, formats, layout, ctx, unit)
    for sheet in layout.sheets:
        _write_table_sheet(workbook, formats, sheet, ctx, unit)
    _write_id_sheet(workbook, layout, ctx, unit)
    workbook.close()
    return buffer.getvalue()


class _Formats:
    def __init__(self, wb):
        base = {"font_name": "宋体", "font_size": 10, "valign": "top", "text_wrap": True, "border": 1}
        self.title = wb.add_format({"font_name": "黑体", "font_size": 14, "bold": True, "align": "center", "valign": "vcenter"})
        self.subtitle = wb.add_format({"font_name": "宋体", "font_size": 10, "align": "center", "valign": "vcenter", "font_color": "#404040"})
        self.header = wb.add_format({**base, "bold": True, "align": "center", "valign": "vcenter", "bg_color": COLOURS["header"]})
        self.input_header = wb.add_format({**base, "bold": True, "align": "center", "valign": "vcenter", "bg_color": COLOURS["input"]})
        self.text = wb.add_format(base)
        self.center = wb.add_format({**base, "align": "center"})
        self.na = wb.add_format({**base, "bg_color": COLOURS["na"]})
        self.computed = wb.add_format({**base, "bg_color": COLOURS["computed"], "num_format": "0.00%", "italic": True})
        self.label = wb.add_format({"font_name": "宋体", "font_size": 11, "bold": True, "align": "right", "valign": "vcenter"})
        self.value = wb.add_format({"font_name": "宋体", "font_size": 11, "valign": "vcenter", "text_wrap": True})
        self.heading = wb.add_format({"font_name": "黑体", "font_size": 12, "bold": True})
        self.plain = wb.add_format({"font_name": "宋体", "font_size": 11, "text_wrap": True, "valign": "top"})
        self.legend = {k: wb.add_format({"font_name": "宋体", "font_size": 10, "border": 1, "bg_color": COLOURS[k]})
                       for k in ("input", "na", "header")}
        unlocked = {**base, "locked": False, "bg_color": COLOURS["input"]}
        self.inputs = {
            "integer": wb.add_format({**unlocked, "num_format": "0", "align": "right"}),
            "decimal": wb.add_format({**unlocked, "num_format": "General", "align": "right"}),
            "percent": wb.add_format({**unlocked, "num_format": "0.0%", "align": "right"}),
            "status": wb.add_format({**unlocked, "align": "center"}),
            "text": wb.add_format(unlocked),
        }
        self.meta_input = wb.add_format({"font_name": "宋体", "font_size": 11, "locked": False, "bg_color": COLOURS["input"], "border": 1})


def _page_setup(ws, ctx: Context, unit: UnitText, title: str, repeat_to: int | None) -> None:
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)  # one page wide, as many pages tall as needed
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.center_horizontally()
    if repeat_to is not None:
        ws.repeat_rows(0, repeat_to)
    ws.set_header(f"&L{unit.header_name}&C{title.replace('&', '&&')}&R{ctx.period_label}")
    ws.set_footer("&C第 &P 页，共 &N 页")


def _protect(ws, ctx: Context) -> None:
    ws.protect(ctx.password or "", {"select_locked_cells": True, "select_unlocked_cells": True,
                                     "format_columns": True, "format_rows": True})


def _write_instructions(wb, f: _Formats, layout: WorkbookLayout, ctx: Context, unit: UnitText) -> None:
    ws = wb.add_worksheet(INSTRUCTIONS_SHEET)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 60)
    ws.set_column(2, 5, 12)
    plan = ctx.plan
    ws.merge_range(0, 0, 0, 5, plan.title, f.title)
    ws.set_row(0, 30)
    ws.merge_range(1, 0, 1, 5, "　".join(x for x in (plan.issuer, plan.doc_number) if x), f.subtitle)
    due = f"{ctx.due.year}年{ctx.due.month}月{ctx.due.day}日前" if ctx.due else "按通知要求"
    identity = [
        ("计划编号", plan.id),
        ("填报单位", unit.name),
        ("单位编码", unit.code),
        ("报送期", f"{ctx.period_label}（{ctx.period_code}）"),
        ("报送截止", due),
        ("联系人", ctx.contact or "见通知"),
        ("模板", f"{TEMPLATE_FORMAT} 第 {TEMPLATE_VERSION} 版，计划指纹 {plan.fingerprint()[:12]}"),
    ]
    for i, (label, value) in enumerate(identity):
        ws.write_string(3 + i, 0, f"{label}：", f.label)
        ws.write_string(3 + i, 1, value, f.value)
    ws.write_string(META_FIRST_ROW - 1, 0, "填报人信息（请填写）", f.heading)
    for i, (_, label) in enumerate(META_FIELDS):
        ws.write_string(META_FIRST_ROW + i, 0, f"{label}：", f.label)
        ws.write_blank(META_FIRST_ROW + i, META_VALUE_COL, None, f.meta_input)
        ws.data_validation(META_FIRST_ROW + i, META_VALUE_COL, META_FIRST_ROW + i, META_VALUE_COL, {
            "validate": "length", "criteria": "<=", "value": 100,
            "input_title": label[:32], "input_message": f"请填写{label}。",
            "error_title": "内容过长", "error_message": "请不超过 100 字。",
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
        ws.set_row(row + i, 30 if display_width(step) > 120 else 16)
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


def _write_table_sheet(wb, f: _Formats, layout: SheetLayout, ctx: Context, unit: UnitText) -> None:
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

    _page_setup(ws, ctx, unit, table.title, layout.header_row)
    ws.hide_gridlines(0)
    _protect(ws, ctx)


def _row_height(heights) -> float:
    lines = 1
    for text, width, span in heights:
        per_line = max(1, int(width * 1.05))
        needed = sum(math.ceil(max(display_width(part), 1) / per_line) for part in str(text).split("\n")) if text else 1
        lines = max(lines, math.ceil(needed / span))
    return min(409, 13.5 * lines + 3)


def _validation(cell: InputCell, indicator: Indicator | None) -> dict:
    title, alert = _KIND_HINTS[cell.kind]
    hint = _FIELD_HINTS[cell.field].format(numerator=getattr(indicator, "numerator", ""), denominator=getattr(indicator, "denominator", ""))
    if indicator is not None:
        message = f"{indicator.name}\n目标：{target_words(indicator)}\n{hint}"
    else:
        message = hint
    spec = {
        "input_title": FIELDS[cell.field].title[:32],
        "input_message": _clip(message, 255),
        "error_title": title[:32],
        "error_message": _clip(alert, 255),
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
    ws = wb.add_worksheet(ID_SHEET)
    pairs = [
        ("format", TEMPLATE_FORMAT),
        ("template_version", str(TEMPLATE_VERSION)),
        ("plan_id", ctx.plan.id),
        ("plan_fingerprint", ctx.plan.fingerprint()),
        ("plan_title", ctx.plan.title),
        ("unit_code", unit.code),
        ("unit_name", unit.name),
        ("period", ctx.period_code),
        ("period_label", ctx.period_label),
        ("due", ctx.due.isoformat() if ctx.due else ""),
        ("issued", ctx.issued.isoformat()),
        ("rows", ";".join(unit.row_ids)),
        ("sheets", ";".join(s.name for s in layout.sheets)),
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
