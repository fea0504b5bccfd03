"""Fill generated templates the way reporting units do.

`fill_template` opens a real template with openpyxl (keeping its protection
and hidden identification, as Excel or WPS would), types a value into each
input cell, and saves it under a new name. `simulate_returns` does that for
many units with plausible values per measure and a controlled share of the
mistakes real units make; the tests, the demo and the benchmarks make their
returns with it.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import asdict, dataclass, field
from collections import namedtuple
from pathlib import Path

from toolkit.model.returns import PLACE_FIELDS
from toolkit.templates.layout import CELLS_SHEET


@dataclass(frozen=True)
class Formula:
    """A formula typed into a cell (a plain str is always typed as text)."""

    text: str


# An input cell of a template, read from its hidden cell map: where it is and what it holds
# (the place of toolkit.model.returns.CellRecord, hashable).
InputSpot = namedtuple("InputSpot", PLACE_FIELDS)


def input_spots(workbook) -> list[InputSpot]:
    """The input cells of an open template, from its hidden identification."""
    rows = list(workbook[CELLS_SHEET].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == "sheet" and row[1] == "cell")
    spots = []
    for row in rows[start + 1:]:
        if row[0]:
            sheet, cell, row_id, indicator_id, field, kind = (("" if v is None else str(v)) for v in row[:6])
            spots.append(InputSpot(sheet, cell, row_id, indicator_id or None, field, kind))
    return spots


def fill_template(template: Path, out: Path, value_for, *, edit=None, saved_at: dt.datetime | None = None) -> Path:
    """Type `value_for(spot)` into every input cell (None leaves it blank);
    `edit(workbook)` may then change anything else (a unit's mistakes)."""
    import openpyxl

    workbook = openpyxl.load_workbook(template)
    for spot in input_spots(workbook):
        value = value_for(spot)
        if value is not None:
            _type_into(workbook[spot.sheet][spot.cell], value)
    if edit is not None:
        edit(workbook)
    out.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(out)
    if saved_at is not None:
        set_saved_time(out, saved_at)
    return out


def _type_into(cell, value) -> None:
    if isinstance(value, Formula):
        cell.value = value.text
    elif isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # what was typed, even if it starts with = + - @
    else:
        cell.value = value


def set_saved_time(path: Path, when: dt.datetime) -> None:
    """Record `when` as the workbook's last-saved time (docProps/core.xml), as
    the spreadsheet program that saved it would (openpyxl always writes now)."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info)) for info in archive.infolist()]
    stamp = when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ").encode()  # naive: local time
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp + rb"\g<2>", data)
            archive.writestr(info, data)


# ---------------------------------------------------------------- simulation

# The mistakes units make, each with the finding it must produce (None: a
# harmless variation that validation normalises without a finding).
MISTAKES = {
    "text-in-number": "not-a-number",  # 没有 / 三起 typed into a count
    "full-width-digits": None,  # １２ typed with a Chinese input method
    "unit-after-number": None,  # 3起
    "percent-in-number": "unexpected-percent",  # 95% typed as a numerator
    "numerator-over-denominator": "numerator-exceeds-denominator",
    "blank-required": "required-missing",
    "missed-without-reason": "reason-missing",
    "changed-target": "annex-cell-changed",
    "deleted-row": "rows-changed",
    "late-return": None,  # saved after the due date: counted late, no finding
}
# Progress text that agrees with the task status it goes with.
_PROGRESS = {
    "已完成": ("已全面完成，资料已归档备查", "已完成并通过验收", "已按期完成，形成工作台账"),
    "推进中": ("已完成年度排查，正在整改", "按计划推进，已召开专题会议", "已制定方案，正在组织实施", "已开展专项检查 3 次"),
    "未启动": ("尚未启动，已列入下阶段工作计划", "前期准备中，待资金落实后启动"),
    "不适用": ("本单位不涉及该项任务",),
}
_REASONS = ("受汛期天气影响，进度滞后，正在加快整改", "部分隐患涉及资金，已列入下季度计划", "人员调整，已明确专人负责")


@dataclass
class SimulatedReturn:
    unit: str
    path: str
    mistake: str | None = None
    expected_finding: str | None = None


@dataclass
class Simulation:
    returns: list[SimulatedReturn] = field(default_factory=list)
    templates: list[str] = field(default_factory=list)
    manifest_file: Path | None = None  # where simulation.json was written, if it was

    def manifest(self) -> str:
        return json.dumps({"returns": [asdict(r) for r in self.returns]}, ensure_ascii=False, indent=2) + "\n"


class _Values:
    """Plausible figures for one unit, from the plan's indicators.

    `lead_only`: indicator ids whose area figure the row's lead unit reports
    and this unit (a cooperating unit) leaves blank (toolkit.assign)."""

    def __init__(self, plan, rng: random.Random, lead_only=frozenset()):
        self.rng = rng
        self.indicators = {ind.id: ind for _, _, ind in plan.indicators()}
        self.rate: dict[str, tuple[int, int]] = {}
        self.counts: dict[str, tuple[int, int]] = {}
        self.missed: set[str] = set()
        self.status: dict[str, str] = {}  # row id -> the task status reported
        self.lead_only = lead_only

    def task_status(self, row_id: str) -> str:
        if row_id not in self.status:
            self.status[row_id] = self.rng.choices(("已完成", "推进中", "未启动", "不适用"), weights=(3, 6, 1, 1))[0]
        return self.status[row_id]

    def __call__(self, spot: InputSpot):
        rng, indicator = self.rng, self.indicators.get(spot.indicator_id or "")
        if spot.field in ("reporter", "approver"):
            return rng.choice("张王李赵刘陈杨黄") + rng.choice(("某", "某某"))
        if spot.field == "phone":
            return f"138-0000-{rng.randrange(10000):04d}"
        if spot.field == "status":
            return self.task_status(spot.row_id)
        if spot.field == "progress":
            return rng.choice(_PROGRESS[self.task_status(spot.row_id)])
        if indicator is None:
            return None
        if indicator.id in self.lead_only and spot.field != "reason":
            return None  # the lead unit reports the area figure
        if spot.field == "reason":
            return rng.choice(_REASONS) if spot.indicator_id in self.missed else None
        if indicator.measure == "rate" and spot.field in ("numerator", "denominator", "baseline"):
            return self._rate(indicator, spot.field)
        if spot.field == "baseline":
            return round(rng.uniform(0.8, 1.2) * 10) if indicator.measure != "percentage" else round(rng.uniform(0.7, 0.95), 2)
        if indicator.measure == "percentage":
            return round(rng.uniform(0.82, 0.99), 2)
        if indicator.zero_tolerance and indicator.id not in self.counts:
            value = 1 if rng.random() < 0.05 else 0  # now and then an accident
            self.counts[indicator.id] = (value, value)
            if value:
                self.missed.add(indicator.id)
        if indicator.measure == "frequency" and indicator.id not in self.counts:
            value = rng.randint(1, 3)
            self.counts[indicator.id] = (value, value + rng.randint(0, 3))
        if indicator.id not in self.counts:  # this period's figure, and the year so far
            top = max(1, int(indicator.value or 5))
            value = rng.randint(0, top)
            self.counts[indicator.id] = (value, value + rng.randint(0, top))
        value, cumulative = self.counts[indicator.id]
        return value if spot.field == "value" else cumulative

    def _rate(self, indicator, field: str):
        if indicator.id not in self.rate:
            denominator = self.rng.randint(5, 200)
            target = indicator.value if indicator.value is not None else 0.9
            if indicator.op in ("<=", "<"):
                share = target * self.rng.uniform(0.0, 1.3)
            else:
                share = min(1.0, target * self.rng.uniform(0.9, 1.05))
            numerator = min(denominator, round(denominator * share))
            self.rate[indicator.id] = (numerator, denominator)
            ok = numerator / denominator <= target if indicator.op in ("<=", "<") else numerator / denominator >= target
            if not ok:
                self.missed.add(indicator.id)
        numerator, denominator = self.rate[indicator.id]
        if field == "baseline":
            return round(min(1.0, numerator / denominator * self.rng.uniform(1.0, 1.3)), 3)
        return numerator if field == "numerator" else denominator


def _apply_mistake(mistake: str, workbook, spots: list[InputSpot], values: dict, rng: random.Random):
    """Change a filled workbook as a unit making `mistake` would."""
    # the cells the unit filled (a cooperating unit leaves its lead's area figures blank)
    counts = [s for s in spots if s.field == "value" and s.kind == "integer" and values.get(s) is not None]
    numerators = [s for s in spots if s.field == "numerator" and values.get(s) is not None]
    if mistake == "text-in-number" and counts:
        spot = rng.choice(counts)
        _type_into(workbook[spot.sheet][spot.cell], rng.choice(("三起", "不清楚", "见附件")))
    elif mistake == "full-width-digits" and counts:
        spot = rng.choice(counts)
        _type_into(workbook[spot.sheet][spot.cell], str(values.get(spot, 0)).translate(str.maketrans("0123456789", "０１２３４５６７８９")))
    elif mistake == "unit-after-number" and counts:
        spot = rng.choice(counts)
        _type_into(workbook[spot.sheet][spot.cell], f"{values.get(spot, 0)}起")
    elif mistake == "percent-in-number" and numerators:
        spot = rng.choice(numerators)
        _type_into(workbook[spot.sheet][spot.cell], "95%")
    elif mistake == "numerator-over-denominator" and numerators:
        spot = rng.choice(numerators)
        den = next(s for s in spots if s.indicator_id == spot.indicator_id and s.field == "denominator")
        workbook[spot.sheet][spot.cell] = (values.get(den) or 10) + 5
    elif mistake == "blank-required" and counts:
        spot = rng.choice(counts)
        workbook[spot.sheet][spot.cell] = None
    elif mistake == "missed-without-reason":
        accident = next((s for s in counts if s.indicator_id and s.field in ("value", "cumulative")), None)
        if accident is None:
            return False
        for s in spots:
            if s.indicator_id == accident.indicator_id:
                if s.field in ("value", "cumulative"):
                    workbook[s.sheet][s.cell] = 2
                elif s.field == "reason":
                    workbook[s.sheet][s.cell] = None
    elif mistake == "changed-target":
        sheet = workbook.worksheets[1]
        header = [c.value for c in sheet[2]]
        column = next((i for i, title in enumerate(header) if title and "目标" in str(title)), 2)
        sheet.cell(3, column + 1).value = "力争完成"
    elif mistake == "deleted-row":
        workbook.worksheets[1].delete_rows(4)
    else:
        return False
    return True


def manifest_path(out_dir: Path) -> Path:
    """Where `toolkit simulate` writes simulation.json: beside the returns
    folder, never inside it (validating the folder would take it for a return)."""
    out_dir = Path(out_dir)
    return out_dir.resolve().parent / "simulation.json"


def saved_time(period, due: dt.date | None, rng: random.Random, *, late: bool = False) -> dt.datetime:
    """When a unit saves its return: after the period ends and by the due date
    (ten days after the period without one), or a few days after it when late;
    never in the future."""
    last = due or period.end + dt.timedelta(days=10)
    if late:
        day = last + dt.timedelta(days=rng.randint(1, 5))
    else:
        day = period.end + dt.timedelta(days=1 + rng.randint(0, max(0, (last - period.end).days - 1)))
        day = min(day, last)
    when = dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randrange(60)))
    return min(when, dt.datetime.now().replace(microsecond=0) - dt.timedelta(minutes=5))


def simulate_returns(plan, units, period, out_dir: Path, *, n: int | None = None, seed: int = 0,
                     error_rate: float = 0.0, mistakes: dict[str, str] | None = None,
                     templates_dir: Path | None = None, variants: int | None = None,
                     due: dt.date | None = None) -> Simulation:
    """Fill templates for the first `n` units that report (all by default).

    Figures differ between seeds and between periods; a row's lead unit
    reports its area figures, cooperating units leave them blank; progress
    text agrees with the task status; each return is saved by `due` (see
    `saved_time`) unless its mistake is "late-return".

    A share `error_rate` of the returns gets one of MISTAKES (or, with
    `mistakes`, exactly the given unit code -> mistake). `variants`: fill only
    that many workbooks per layout and stamp them for the other units (for
    benchmarks with thousands of returns)."""
    import os
    import tempfile

    from toolkit.assign import assign_rows, lead_reported
    from toolkit.templates import Stamper, build_templates, skeletons, template_filename

    rng = random.Random(f"{seed}:{period.code}")  # another period, other figures
    lead_only = lead_reported(plan, assign_rows(plan, units))

    def values_for(code: str) -> _Values:
        return _Values(plan, random.Random(rng.random()), frozenset(i for c, i in lead_only if c == code))

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    simulation = Simulation()
    mistakes = dict(mistakes or {})
    kinds = list(MISTAKES)
    if variants:
        groups, result = skeletons(plan, units, period)
        reporting = [u for _, members, _ in groups for u in members][: n or None]
        chosen = {u.code for u in reporting}
        with tempfile.TemporaryDirectory() as tmp:
            for g, (rows, members, skeleton) in enumerate(groups):
                members = [u for u in members if u.code in chosen]
                if not members:
                    continue
                filled = []
                for k in range(min(variants, len(members))):
                    source = Path(tmp) / f"{g}-{k}.xlsx"
                    source.write_bytes(skeleton)
                    values = values_for(members[k].code)
                    fill_template(source, source, values)
                    filled.append(Stamper(source.read_bytes()))
                for m, unit in enumerate(members):
                    path = out_dir / template_filename(unit.code, unit.name, period.code)
                    path.write_bytes(filled[m % len(filled)].stamp(unit.code, unit.name))
                    simulation.returns.append(SimulatedReturn(unit.code, str(path)))
        return simulation
    with tempfile.TemporaryDirectory() as tmp:
        built = build_templates(plan, units, period, Path(templates_dir or tmp))
        for template in built.templates[: n or None]:
            mistake = mistakes.get(template.unit_code)
            if mistake is None and template.unit_code not in mistakes and rng.random() < error_rate:
                mistake = rng.choice(kinds)
            values = values_for(template.unit_code)
            typed: dict[InputSpot, object] = {}

            def value_for(spot, values=values, typed=typed):
                typed[spot] = values(spot)
                return typed[spot]

            applied = {}

            def edit(workbook, mistake=mistake, typed=typed, applied=applied):
                if mistake:
                    applied["done"] = _apply_mistake(mistake, workbook, input_spots(workbook), typed, rng)

            path = out_dir / template.path.name
            when = saved_time(period, due, rng, late=mistake == "late-return")
            fill_template(template.path, path, value_for, edit=edit, saved_at=when)
            os.utime(path, (when.timestamp(), when.timestamp()))
            if mistake == "late-return":
                applied["done"] = True
            done = mistake if applied.get("done") else None
            simulation.returns.append(SimulatedReturn(template.unit_code, str(path), done, MISTAKES.get(done) if done else None))
            simulation.templates.append(str(template.path))
    return simulation


def resave_as_xls(source: Path, target: Path) -> Path:
    """Save a filled workbook in the old .xls format, as a unit with an old
    office suite does: values and sheets (and their hidden state) survive,
    formatting mostly does not."""
    import openpyxl
    import xlwt

    workbook = openpyxl.load_workbook(source, data_only=True)
    book = xlwt.Workbook(encoding="utf-8")
    for sheet in workbook.worksheets:
        out = book.add_sheet(sheet.title, cell_overwrite_ok=True)
        out.visibility = {"visible": 0, "hidden": 1, "veryHidden": 2}[sheet.sheet_state]
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if value is None:
                    continue
                if isinstance(value, (dt.datetime, dt.date)):
                    value = value.isoformat()
                out.write(cell.row - 1, cell.column - 1, value)
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(str(target))
    return target
