"""The --dry-run listing of an assignment: per unit the rows it reports, rows
nobody reports, and responsibility texts that matched no unit or only
approximately (有关/相关…)."""

from __future__ import annotations

import re

from toolkit.assign import Assignment, responsibility_text

_LIST_WIDTH = 64  # display width of the "rows reported" column before it wraps


def table_label(plan, table) -> str:
    """A table's title, or its kind's name when the title is long (task lists
    are often titled with the whole plan name)."""
    from toolkit.plan.model import TABLE_KIND_NAMES
    from toolkit.textable import display_width

    if display_width(table.title) <= 20 or table.kind not in TABLE_KIND_NAMES:
        return table.title
    name = TABLE_KIND_NAMES[table.kind]
    same_kind = [t for t in plan.tables if t.kind == table.kind]
    return name if len(same_kind) == 1 else f"{name}（{table.id}）"


def _row_name(table, row) -> str:
    return (table.cell(row, "name") or table.cell(row, "subtask") or table.cell(row, "task")
            or table.cell(row, "target")).strip()


def _short(text: str, width: int) -> str:
    from toolkit.textable import truncate

    return truncate(text, width)


def _ranges(labels: list[str], positions: list[int]) -> str:
    """Row labels with runs of adjacent rows collapsed: 1-4、8、12-15."""
    parts, start = [], 0
    for i in range(1, len(positions) + 1):
        if i == len(positions) or positions[i] != positions[i - 1] + 1:
            parts.append(labels[start] if i - 1 == start else f"{labels[start]}-{labels[i - 1]}")
            start = i
    return "、".join(parts)


def describe_rows(plan, row_ids) -> list[str]:
    """The rows compactly, one entry per table: "核心绩效指标 1-6", "重点整治 1危险化学品领域、9教育领域"."""
    wanted = set(row_ids)
    entries = []
    for table in plan.tables:
        picked = [(i, row) for i, row in enumerate(table.rows) if row.id in wanted]
        if not picked:
            continue
        title = table_label(plan, table)
        if len(picked) == len(table.rows):
            entries.append(f"{title} 全部{len(picked)}行" if len(picked) > 1 else
                           f"{title} {picked[0][1].label}{_short(_row_name(table, picked[0][1]), 20)}")
        elif len(picked) <= 6 and table.kind != "tasks":
            names = "、".join(f"{row.label}{_short(_row_name(table, row), 20)}" for _, row in picked)
            entries.append(f"{title} {names}")
        else:
            labels = [row.label for _, row in picked]
            entries.append(f"{title} {_ranges(labels, [i for i, _ in picked])}（{len(picked)}行）")
    return entries


def _wrap(entries: list[str], width: int) -> list[str]:
    """Pack entries into lines of at most `width` display columns, splitting
    long entries at 、."""
    from toolkit.textable import display_width

    lines: list[str] = []
    for entry in entries:
        line = ""
        for piece in re.split(r"(?<=、)", entry):
            if line and display_width(line + piece) > width:
                lines.append(line)
                line = "  " + piece
            else:
                line += piece
        lines.append(line)
    return lines


def format_assignment(plan, units, assignment: Assignment) -> str:
    """The --dry-run listing: per unit the rows it reports; then rows nobody
    reports; then responsibility texts that matched no unit."""
    from toolkit.textable import render

    units = list(units)
    tables = {row.id: (table, row) for table in plan.tables for row in table.rows}
    total_rows = len(tables)
    with_rows = [u for u in units if assignment.rows_for(u.code)]
    nobody = [rid for rid in tables if not assignment.units_by_row.get(rid)]

    out = [f"填报分工：{plan.title}（{plan.id}）",
           f"单位 {len(units)} 个，其中 {len(with_rows)} 个有填报内容；计划共 {total_rows} 行，{len(nobody)} 行无单位填报",
           ""]

    body = []
    overridden = set(assignment.overridden)
    for unit in units:
        row_ids = assignment.rows_for(unit.code)
        count = f"{len(row_ids)}" + ("（指定）" if unit.code in overridden else "")
        if row_ids:
            lines = _wrap(describe_rows(plan, row_ids), _LIST_WIDTH)
        else:
            lines = ["（无：不生成模板）"]
        body.append([unit.code, unit.name, unit.kind or "", count, lines[0]])
        body.extend(["", "", "", "", line] for line in lines[1:])
    out.append(render(["编码", "单位名称", "类型", "行数", "填报内容"], body,
                      max_widths={1: 24, 2: 8, 4: _LIST_WIDTH + 2}))
    if overridden:
        out.append("（指定）= 按单位清单 rows（填报范围）列填报，不按附件的责任单位分配")

    if nobody:
        out += ["", f"无单位填报的行（{len(nobody)}）："]
        rows = []
        for rid in nobody:
            table, row = tables[rid]
            rows.append([rid, table_label(plan, table), f"{row.label} {_row_name(table, row)}",
                         responsibility_text(table, row).replace("\n", "；") or "（附件未写责任单位）"])
        out.append(render(["行编号", "表", "行", "附件中的责任单位"], rows, max_widths={2: 30, 3: 50}))

    for title, data, hint in (
        ("未匹配的责任单位", assignment.unmatched,
         "在单位清单中新增该单位，或在对应单位的 aliases（别名）列加上这段文字，再运行 --dry-run 核对"),
        ("近似匹配（“有关/相关/重点”：未分配，请确认由哪些单位填报）", assignment.approximate,
         "在填报单位的 rows（填报范围）列写明行编号，或在单位的 aliases（别名）列加上这段文字；"
         "如该类全部单位都应填报，在计划文件该行加 include_related: true"),
    ):
        if not data:
            continue
        by_fragment: dict[str, list[str]] = {}
        for rid in tables:
            for fragment in data.get(rid, []):
                by_fragment.setdefault(fragment, []).append(rid)
        out += ["", f"{title}（{len(by_fragment)}）："]
        rows = [[fragment, _short("、".join(rids), 60), len(rids)] for fragment, rids in by_fragment.items()]
        out.append(render(["附件中的文字", "出现的行", "行数"], rows, max_widths={0: 40, 1: 60}))
        out.append(f"提示：{hint}")
    return "\n".join(out)
