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

from toolkit.names import template_stem, xml_safe
from toolkit.plan.model import Plan
from toolkit.templates.layout import build_layout
from toolkit.templates.layout import TEMPLATE_VERSION
from toolkit.templates.write import Context, UnitText, render_workbook

# ASCII, so that no program re-saving a skeleton escapes them (openpyxl writes
# other characters as &#…; references).
_PH_CODE = "@@TOOLKIT-UNIT-CODE@@"
_PH_NAME = "@@TOOLKIT-UNIT-NAME@@"
_PH_HEADER = "@@TOOLKIT-UNIT-HEADER@@"
# The identification's checksum depends on the unit: the skeleton holds what
# else it is made of (plan fingerprint, period, template version), and the
# stamper signs it for each unit with the office's secret.
_PH_SIGN = re.compile(rb"@@TOOLKIT-SIGN@([0-9a-f]{64})@([0-9A-Za-z]+)@([0-9]+)@@")


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
    removed: list[str] = field(default_factory=list)  # file names of an earlier build's templates it replaced
    assignment: object = None


def template_filename(unit_code: str, unit_name: str, period_code: str) -> str:
    return f"{template_stem(unit_code, unit_name)}_{period_code}.xlsx"


def make_context(plan: Plan, period, *, due: dt.date | None = None, contact: str | None = None,
                 password: str | None = None, issued: dt.date | None = None, secret: bytes | None = None) -> Context:
    # The issue date defaults to the period's first day, not today: the same
    # plan, units, period and office secret must give byte-identical workbooks.
    from toolkit.identity import office_secret

    return Context(plan=plan, period_code=period.code, period_label=period.label,
                   period_is_year=period.kind == "year", due=due, contact=contact,
                   password=password, issued=issued or period.start,
                   secret=secret if secret is not None else office_secret(create=True))


def _sign_placeholder(ctx: Context) -> str:
    return f"@@TOOLKIT-SIGN@{ctx.plan.fingerprint()}@{ctx.period_code}@{TEMPLATE_VERSION}@@"


def render_for_unit(plan: Plan, unit, row_ids, ctx: Context) -> bytes:
    """One unit's workbook written directly (no stamping)."""
    layout = build_layout(plan, row_ids, ctx.period_is_year)
    code, name = xml_safe(unit.code), xml_safe(unit.name)
    return render_workbook(layout, ctx, UnitText(code, name, name.replace("&", "&&"), tuple(row_ids)))


def build_templates(plan: Plan, units, period, out_dir: str | Path, *, due: dt.date | None = None,
                    contact: str | None = None, password: str | None = None, assignment=None,
                    issued: dt.date | None = None) -> BuildResult:
    """Write one .xlsx per unit that reports at least one row of the plan.

    The units are checked first (toolkit.units.check_units: codes and names
    that make valid, distinct file names), so nothing is written for a list
    that would overwrite one template with another. All templates are
    written under temporary names and moved into place together, with a
    manifest of what the folder holds (manifest_name); templates an earlier
    build of the same period wrote for another plan version are then removed
    (see _replaced): the folder holds one plan version, whatever point a
    build was killed at."""
    from toolkit.fileio import OutputSet
    from toolkit.identity import office_secret
    from toolkit.units import check_units

    check_period_in_plan(plan, period)
    check_units(units)
    out_dir = Path(out_dir)
    secret = office_secret(create=True)
    groups, result = skeletons(plan, units, period, due=due, contact=contact, password=password,
                               assignment=assignment, issued=issued, secret=secret)
    manifest = out_dir / manifest_name(period.code)
    version = _version(plan, secret)
    with OutputSet() as out:
        out.claim_folder(out_dir)
        earlier = _read_manifest(manifest)
        for rows, members, skeleton in groups:
            stamper = Stamper(skeleton, secret)
            for unit in members:
                path = out_dir / template_filename(unit.code, unit.name, period.code)
                out.add(path, stamper.stamp(unit.code, unit.name))
                result.templates.append(BuiltTemplate(unit.code, unit.name, path, list(rows)))
        order = {u.code: i for i, u in enumerate(units)}
        result.templates.sort(key=lambda t: order[t.unit_code])
        written = [(t.path.name, t.unit_code) for t in result.templates]
        kept, stale = _replaced(earlier, written, version)
        out.add(manifest, _manifest_text(version, period, [*written, *kept], stale))
        out.commit()
        for name in stale:  # listed in the new manifest first: a build killed here finishes next time
            if (out_dir / name).exists():
                (out_dir / name).unlink(missing_ok=True)
                result.removed.append(name)
    return result


MANIFEST_PREFIX = ".toolkit-templates-"


def manifest_name(period_code: str) -> str:
    """The file in a templates folder that records what builds of `period_code` wrote."""
    return f"{MANIFEST_PREFIX}{period_code}.json"


def _version(plan: Plan, secret: bytes) -> dict:
    """What makes templates of one plan version (and one office key)."""
    from toolkit.identity import key_id

    return {"plan": plan.id, "plan_fingerprint": plan.fingerprint(), "template_version": TEMPLATE_VERSION,
            "key_id": key_id(secret)}


def _replaced(earlier: dict, written: list[tuple[str, str]], version: dict):
    """(templates of the earlier build that stay, file names to remove).

    A build of the same plan version for some units (one unit re-issued, one
    added) keeps the other units' templates; a build of another plan version
    removes every template the earlier builds wrote and this one did not, so
    that the folder holds one version. A unit's template under an old name
    (the unit was renamed) goes either way."""
    names = {name.casefold() for name, _ in written}
    units = {unit for _, unit in written}
    same = all(earlier.get(k) == v for k, v in version.items())
    kept, stale = [], []
    for name, unit in earlier.get("templates", []):
        if name.casefold() in names:
            continue
        if same and unit not in units:
            kept.append((name, unit))
        else:
            stale.append(name)
    stale += [n for n in earlier.get("removed", []) if n.casefold() not in names and n not in stale]
    return kept, sorted(stale)


def _manifest_text(version: dict, period, templates: list[tuple[str, str]], stale: list[str]) -> str:
    import json

    data = {"format": "toolkit-templates/1", **version, "period": period.code,
            "templates": [{"file": name, "unit": unit} for name, unit in templates], "removed": stale}
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def _read_manifest(manifest: Path) -> dict:
    """What earlier builds wrote into the folder (an unreadable record is none):
    only plain names of workbooks in this folder, never a path elsewhere."""
    import json

    def plain(name) -> bool:
        return isinstance(name, str) and name.lower().endswith(".xlsx") and Path(name).name == name

    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        templates = [(t["file"], str(t.get("unit", ""))) for t in data.get("templates", []) if plain(t.get("file"))]
        removed = [n for n in data.get("removed", []) if plain(n)]
    except (OSError, ValueError, AttributeError, TypeError, KeyError):
        return {}
    return {**{k: data.get(k) for k in ("plan", "plan_fingerprint", "template_version", "key_id")},
            "templates": templates, "removed": removed}


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
        unit_text = UnitText(_PH_CODE, _PH_NAME, _PH_HEADER, rows, checksum=_sign_placeholder(ctx))
        rendered.append((rows, members, render_workbook(layout, ctx, unit_text)))
    return rendered, result


class Stamper:
    """Substitutes the unit into a workbook rendered with placeholders for it:
    a template skeleton, or a skeleton filled in (simulated returns)."""

    def __init__(self, skeleton: bytes, secret: bytes | None = None):
        import io

        from toolkit.identity import office_secret

        self.secret = secret if secret is not None else office_secret(create=True)
        self.parts: list[tuple[zipfile.ZipInfo, bytes, bool]] = []
        with zipfile.ZipFile(io.BytesIO(skeleton)) as archive:
            for info in archive.infolist():
                data = archive.read(info)
                marked = any(p.encode() in data for p in (_PH_CODE, _PH_NAME, _PH_HEADER)) or bool(_PH_SIGN.search(data))
                self.parts.append((info, data, marked))

    def stamp(self, code: str, name: str) -> bytes:
        import io

        from toolkit.identity import checksum

        # whatever it is given, no part may hold what XML cannot (a units
        # list is checked before: this is the last guard)
        code, name = xml_safe(code), xml_safe(name)

        def sign(match) -> bytes:
            fingerprint, period, version = (g.decode("ascii") for g in match.groups())
            return checksum(self.secret, fingerprint, code, period, version).encode("ascii")

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
                    data = _PH_SIGN.sub(sign, data)
                out = zipfile.ZipInfo(info.filename, info.date_time)
                out.compress_type = zipfile.ZIP_DEFLATED
                out.external_attr = info.external_attr
                out.create_system = info.create_system
                archive.writestr(out, data)
        return buffer.getvalue()
