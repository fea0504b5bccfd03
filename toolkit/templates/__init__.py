"""Stage 2: fill-in templates, one workbook per reporting unit and period.

Units that report the same rows share one layout, so the workbook is rendered
once per layout with placeholders for the unit and then stamped for each unit
(a byte substitution in the few XML parts that name the unit). That keeps a
build of a thousand templates within seconds; the stamped file is the same
workbook xlsxwriter would write for that unit directly (tested).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from toolkit.fileio import write_atomic
from toolkit.plan.model import Plan
from toolkit.templates.layout import build_layout
from toolkit.templates.write import Context, UnitText, render_workbook

# ASCII, so that no program re-saving a skeleton escapes them (openpyxl writes
# other characters as &#…; references).
_PH_CODE = "@@TOOLKIT-UNIT-CODE@@"
_PH_NAME = "@@TOOLKIT-UNIT-NAME@@"
_PH_HEADER = "@@TOOLKIT-UNIT-HEADER@@"


@dataclass
class BuiltTemplate:
    unit_code: str
    unit_name: str
    path: Path
    rows: list[str]


@dataclass
class BuildResult:
    templates: list[BuiltTemplate] = field(default_factory=list)
    without_rows: list[str] = field(default_factory=list)  # unit codes that report nothing
    prefilled: int = 0  # cells filled in or noted from the ledger (build_templates with db)
    assignment: object = None


def template_filename(unit_code: str, unit_name: str, period_code: str) -> str:
    safe = re.sub(r'[\\/:*?"<>|\s]+', "", f"{unit_code}_{unit_name}_{period_code}")
    return f"{safe}.xlsx"


def make_context(plan: Plan, period, *, due: dt.date | None = None, contact: str | None = None,
                 password: str | None = None, issued: dt.date | None = None) -> Context:
    # The issue date defaults to the period's first day, not today: the same
    # plan, units and period must give byte-identical workbooks.
    return Context(plan=plan, period_code=period.code, period_label=period.label,
                   period_is_year=period.kind == "year", due=due, contact=contact,
                   password=password, issued=issued or period.start)


def render_for_unit(plan: Plan, unit, row_ids, ctx: Context) -> bytes:
    """One unit's workbook written directly (no stamping)."""
    layout = build_layout(plan, row_ids, ctx.period_is_year)
    return render_workbook(layout, ctx, UnitText(unit.code, unit.name, unit.name.replace("&", "&&"), tuple(row_ids)))


def build_templates(plan: Plan, units, period, out_dir: str | Path, *, due: dt.date | None = None,
                    contact: str | None = None, password: str | None = None, assignment=None,
                    issued: dt.date | None = None) -> BuildResult:
    """Write one .xlsx per unit that reports at least one row of the plan."""
    check_period_in_plan(plan, period)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    groups, result = skeletons(plan, units, period, due=due, contact=contact, password=password,
                               assignment=assignment, issued=issued)
    for rows, members, skeleton in groups:
        stamper = Stamper(skeleton)
        for unit in members:
            path = out_dir / template_filename(unit.code, unit.name, period.code)
            write_atomic(path, stamper.stamp(unit.code, unit.name))
            result.templates.append(BuiltTemplate(unit.code, unit.name, path, list(rows)))
    order = {u.code: i for i, u in enumerate(units)}
    result.templates.sort(key=lambda t: order[t.unit_code])
    return result


def check_period_in_plan(plan: Plan, period) -> None:
    """A template is for a period of the plan's years: 2027Q1 for a 2026 plan is a mistake."""
    from toolkit.errors import UsageError

    if plan.years and period.year not in plan.years:
        years = "、".join(f"{y}年" for y in plan.years)
        raise UsageError(f"报送期 {period.label}（{period.code}）不在计划“{plan.title}”的年度（{years}）内，未生成模板",
                         hint=f"请改用 {years} 内的报送期（如 {plan.years[-1]}Q1），或选择对应年度的计划")


def skeletons(plan: Plan, units, period, *, assignment=None, **context):
    """Units grouped by the rows they report, each group with its workbook
    rendered once with placeholders for the unit (see Stamper).

    Returns ([(rows, units, skeleton bytes)], a BuildResult holding the
    assignment and the units that report nothing)."""
    from toolkit.assign import assign_rows

    check_period_in_plan(plan, period)
    assignment = assignment or assign_rows(plan, units)
    ctx = make_context(plan, period, **context)
    result = BuildResult(assignment=assignment)
    groups: dict[tuple[str, ...], list] = {}
    for unit in units:
        rows = tuple(assignment.rows_for(unit.code))
        if rows:
            groups.setdefault(rows, []).append(unit)
        else:
            result.without_rows.append(unit.code)
    rendered = []
    for rows, members in groups.items():
        layout = build_layout(plan, rows, ctx.period_is_year)
        rendered.append((rows, members, render_workbook(layout, ctx, UnitText(_PH_CODE, _PH_NAME, _PH_HEADER, rows))))
    return rendered, result


class Stamper:
    """Substitutes the unit into a workbook rendered with placeholders for it:
    a template skeleton, or a skeleton filled in (simulated returns)."""

    def __init__(self, skeleton: bytes):
        import io

        self.parts: list[tuple[zipfile.ZipInfo, bytes, bool]] = []
        with zipfile.ZipFile(io.BytesIO(skeleton)) as archive:
            for info in archive.infolist():
                data = archive.read(info)
                marked = any(p.encode() in data for p in (_PH_CODE, _PH_NAME, _PH_HEADER))
                self.parts.append((info, data, marked))

    def stamp(self, code: str, name: str) -> bytes:
        import io

        buffer = io.BytesIO()
        replacements = (
            (_PH_CODE.encode(), escape(code).encode()),
            (_PH_NAME.encode(), escape(name).encode()),
            (_PH_HEADER.encode(), escape(name.replace("&", "&&")).encode()),
        )
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for info, data, marked in self.parts:
                if marked:
                    for placeholder, value in replacements:
                        data = data.replace(placeholder, value)
                out = zipfile.ZipInfo(info.filename, info.date_time)
                out.compress_type = zipfile.ZIP_DEFLATED
                out.external_attr = info.external_attr
                out.create_system = info.create_system
                archive.writestr(out, data)
        return buffer.getvalue()
