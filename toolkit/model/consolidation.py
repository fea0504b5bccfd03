"""What a consolidation produces: the data behind the leaders' workbook and
the `toolkit consolidate --json` object."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from toolkit.findings import Finding
from toolkit.model.results import dump, load
from toolkit.model.validation import Outcome
from toolkit.words import (  # noqa: F401 (the statuses' words, importable from here as before)
    FILE_STATUS_WORDS,
    LATE_WORD,
    NOT_REPORTED,
    STATUS_WORDS,
    UNIT_STATUS_WORDS,
)

# What a task count counts: the statuses a unit types (不适用 counted as 已完成), and none typed.
TASK_COUNTED = ("已完成", "推进中", "未启动", NOT_REPORTED)
TASK_TOTAL = "合计"
# The counts of one group, in order: how many tasks, each of TASK_COUNTED, how many overdue.
TASK_COUNT_KEYS = ("任务数", *TASK_COUNTED, LATE_WORD)

# What a consolidation says about itself beyond its lists (the JSON's "issued").
_ISSUED = ("plan_title", "plan_issuer", "plan_doc_number", "period_label", "period_end", "due", "baseline_source")


VALUE_KEYS = ("unit", "indicator", "field", "value", "typed", "file", "sheet", "cell", "indicator_id", "row_id", "sha256")
_ENCODE = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode  # no indent: the fast encoder; strict JSON
VALUES_MARK = '\n  "values": []'  # where json_chunks(values=False) left the values out


def _list_chunks(items) -> Iterator[str]:
    empty = True
    for k, item in enumerate(items):
        yield ("[\n    " if k == 0 else ",\n    ") + _ENCODE(item)
        empty = False
    yield "[]" if empty else "\n  ]"


def _area_dict(area) -> dict:
    """An aggregate as JSON; `history` and `baseline` only where a ledger gave them."""
    data = dump(area)
    for name in ("history", "baseline", "level_kind"):
        if data[name] is None:
            del data[name]
    return data


def _finite(value):
    return None if isinstance(value, float) and value != value else value


@dataclass
class AreaValue:
    """One indicator for the whole area."""

    indicator_id: str
    indicator: str  # name, as in the plan
    table: str  # annex table title
    row: str  # the row's 序号 / label
    target: str  # in words, e.g. ≥100%
    unit: str | None  # unit of measure
    measure: str
    rollup: str  # sum | ratio | none
    zero_tolerance: bool
    value: float | None  # the area's figure (a rate as a fraction)
    numerator: float | None = None
    denominator: float | None = None
    status: str = "no-data"  # toolkit.model.validation.OUTCOME_STATUSES (never contribution)
    note: str | None = None
    units_reporting: int = 0  # units whose used return has a figure for it
    units_met: int = 0
    units_missed: int = 0
    units_in_progress: int = 0
    units_needs_baseline: int = 0
    units_qualitative: int = 0
    units_no_data: int = 0
    units_contribution: int = 0  # units whose figure is a part of the area's, not judged on its own
    basis: str | None = None  # what `value` is: period (本期) | year-to-date (本年累计)
    # where the area figure comes from: territorial (Σ of 村、社区 / 乡镇、街道), lead (the lead unit's
    # figure), all (Σ or Σ/Σ of every reporting unit), sectoral (no territorial unit reported)
    source: str | None = None
    lead: str | None = None  # the lead unit (code) whose figure is the area's (area amounts)
    sectoral: float | None = None  # counts of events: Σ of the sectoral units (行业口径), beside the area's
    leader: str = ""  # 责任领导
    office: str = ""  # 责任办公室 / 责任单位 as published
    kind: str | None = None  # of the number (toolkit.model.validation.NUMBER_KINDS)
    # the target's deadline apart (canonical: 2026-12-31, 2026-06-30;2026-12-31, ongoing), and the target
    # without it (≥95%), for a page that states the deadline once for the rows that share it
    deadline: str | None = None
    bare_target: str | None = None
    # who leads the row: the first name in its 责任办公室/责任单位 as the plan writes it (toolkit.assign);
    # "" when that text starts with a kind of units (各村、社区) or is empty
    lead_name: str = ""
    # with a ledger: the area's level over the year's periods, and the baseline it is compared with
    history: list | None = None  # [{"period", "value"}], oldest first, this period last
    baseline: dict | None = None  # {"period", "value", "source"}
    level_kind: str | None = None  # the kind of number of the levels in history and baseline (NUMBER_KINDS)

    @property
    def number_kind(self) -> str:
        """`kind`, or for an area value built without one, what its measure,
        unit and target's words imply."""
        return self.kind or "other"

    # ---- with a ledger: levels (never changes) of this period, the one before, the baseline

    @property
    def level(self) -> float | None:
        return self.history[-1]["value"] if self.history else None

    @property
    def previous_level(self) -> float | None:
        return self.history[-2]["value"] if self.history and len(self.history) > 1 else None

    @property
    def baseline_level(self) -> float | None:
        return self.baseline["value"] if self.baseline else None

    @property
    def change_from_previous(self) -> float | None:
        """This period's level less the previous period's, in the level's own kind."""
        if self.level is None or self.previous_level is None:
            return None
        return self.level - self.previous_level

    @property
    def change_from_baseline(self) -> float | None:
        """(level − baseline) ÷ baseline: a fraction, shown as %."""
        if self.level is None or not self.baseline_level:
            return None
        return (self.level - self.baseline_level) / self.baseline_level


@dataclass
class UnitStatus:
    code: str
    name: str
    kind: str | None
    status: str  # received | rejected | missing
    on_time: bool | None = None  # None: no due date given, or nothing received
    file: str | None = None  # the file used (or the newest rejected one)
    saved: str | None = None  # when that file was last saved (ISO)
    errors: int = 0
    warnings: int = 0
    expected_rows: int = 0  # rows of the plan the unit reports


@dataclass
class FileEntry:
    path: str
    unit: str | None
    unit_name: str | None
    period: str | None
    status: str  # used | superseded | rejected | unrecognised
    why: str  # why it was (not) used, in Chinese
    errors: int
    warnings: int
    sha256: str
    saved: str | None
    values_digest: str = ""  # of its input cells: marks the office's marked-up copy of it (toolkit.xlsx.feedback)


@dataclass(slots=True)
class TaskProgress:
    """A task row (rectification, application or task list) for one unit."""

    unit: str
    unit_name: str
    table: str
    row_id: str
    row: str  # label
    task: str  # the row's name or task text
    deadline: str | None  # canonical, e.g. 2026-06-30 / every:year / ongoing
    due: str | None  # the due date that applies to this period (ISO), if any
    status: str | None  # 已完成 / 推进中 / 未启动 / 不适用, None if not reported
    progress: str | None
    overdue: bool
    leader: str = ""
    office: str = ""
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    action: str = ""  # the row's 行动名称 (a task list's first grouping: 一、开展…行动); "" where it has none
    lead_name: str = ""  # who leads the row, as the plan names it (as AreaValue.lead_name)


@dataclass(slots=True)
class ValueRecord:
    """One input value with its provenance."""

    unit: str
    indicator_id: str | None
    indicator: str | None  # name (None for task status and progress)
    row_id: str
    field: str
    value: float | str | None
    typed: str
    file: str
    sha256: str
    sheet: str
    cell: str


@dataclass
class Consolidation:
    plan_id: str
    plan_title: str
    plan_issuer: str | None
    plan_doc_number: str | None
    period: str  # code
    period_label: str
    period_end: str  # ISO
    due: str | None  # ISO due date of the returns, if given
    aggregates: list[AreaValue] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)  # per unit, from the used returns
    units: list[UnitStatus] = field(default_factory=list)
    files: list[FileEntry] = field(default_factory=list)
    tasks: list[TaskProgress] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    values: list[ValueRecord] = field(default_factory=list)
    baseline_source: str | None = None
    # the same values as a DataFrame (ValueRecord's fields as columns); when
    # they are many, `values` stays empty and consumers use this
    values_table: object = field(default=None, repr=False, compare=False)
    written: list = field(default_factory=list, compare=False, repr=False)  # the output files a run wrote
    # with a ledger: earlier periods changed since their summary went out ({period: [unit codes]}),
    # and for a re-rendered period, the returns accepted since ([(unit, path, accepted at)])
    changed_periods: dict = field(default_factory=dict, compare=False, repr=False)
    since_issued: list = field(default_factory=list, compare=False, repr=False)
    levels: dict = field(default_factory=dict, compare=False, repr=False)  # the ledger's area levels (toolkit.store.levels.area_levels)
    sources: object = field(default=None, compare=False, repr=False)  # (returns, report) for the ledger to record
    notices: list[str] = field(default_factory=list)  # said once for the run (Chinese), e.g. checksums not checked

    def value_count(self) -> int:
        return len(self.values) if self.values or self.values_table is None else len(self.values_table)

    def value_records(self) -> list[ValueRecord]:
        """`values`, built from the table if they were not yet."""
        if self.values or self.values_table is None:
            return self.values
        return [ValueRecord(*row) for row in self.values_table.itertuples(index=False, name=None)]

    @property
    def completeness(self) -> dict[str, int]:
        counts = {"expected": len(self.units), "received": 0, "valid": 0, "rejected": 0, "missing": 0, "late": 0}
        for unit in self.units:
            counts[unit.status if unit.status != "received" else "valid"] += 1
            if unit.status != "missing":
                counts["received"] += 1
            if unit.on_time is False:
                counts["late"] += 1
        return counts

    @property
    def status_counts(self) -> dict[str, int]:
        """Indicators per area status, every status named (zeros too)."""
        from toolkit.model.validation import OUTCOME_STATUSES

        return {s: sum(1 for a in self.aggregates if a.status == s) for s in OUTCOME_STATUSES if s != "contribution"}

    def task_counts(self, by: str = "office") -> list[tuple[str, dict[str, int]]]:
        """Task reports counted per responsible office as the plan names it
        (责任科室/责任办公室; the reporting unit where it names none), per
        unit that leads the row (`by="lead"`: the first named, where the plan
        names several; the office as named where it starts with a kind of
        units), or per
        action (`by="action"`: the row's 行动名称; tasks without one are left
        out), in order of first appearance, then the total (TASK_TOTAL): 任务数,
        each of TASK_COUNTED and 逾期 (`overdue`, as the consolidation decided
        it). Empty when no task is counted."""
        groups: dict[str, dict[str, int]] = {}
        total = dict.fromkeys(TASK_COUNT_KEYS, 0)
        for t in self.tasks:
            if by == "action":
                key = t.action
            elif by == "lead":
                key = t.lead_name or t.office or t.unit_name or t.unit
            else:
                key = t.office or t.unit_name or t.unit
            if not key:
                continue
            counts = groups.setdefault(key, dict.fromkeys(total, 0))
            status = t.status if t.status in TASK_COUNTED else "已完成" if t.status == "不适用" else NOT_REPORTED
            for c in (counts, total):
                c["任务数"] += 1
                c[status] += 1
                c[LATE_WORD] += bool(t.overdue)
        return [*groups.items(), (TASK_TOTAL, total)] if groups else []

    def to_json(self) -> dict:
        """The `toolkit consolidate --json` contract."""
        return {name: list(items) if isinstance(items, Iterator) else items for name, items in self._json_parts()}

    def json_chunks(self, *, values: bool = True) -> Iterator[str]:
        """`to_json()` as JSON text, in pieces: one line per file, unit, value
        and aggregate (readable, and written without holding a province's
        million values as dicts). values=False: `"values": []` (the ledger
        keeps the values as coded columns and puts them back: toolkit.store.packed)."""
        encode = _ENCODE
        yield "{"
        for n, (name, items) in enumerate(self._json_parts()):
            yield f'{"," if n else ""}\n  {encode(name)}: '
            if name == "values" and not values:
                yield "[]"
            elif not isinstance(items, Iterator):
                yield encode(items)
            else:
                yield from _list_chunks(items)
        yield "\n}\n"

    def value_columns(self) -> dict:
        """The JSON's values, column by column ({key: sequence of values} in VALUE_KEYS order)."""
        if self.values_table is not None:  # the records were made from it: the same values, quicker
            return {key: self.values_table[key].to_numpy(object) for key in VALUE_KEYS}
        rows = [(v.unit, v.indicator, v.field, _finite(v.value), v.typed, v.file, v.sheet, v.cell, v.indicator_id,
                 v.row_id, v.sha256) for v in self.values]
        return {key: [row[i] for row in rows] for i, key in enumerate(VALUE_KEYS)}

    def _json_parts(self):
        yield "plan", self.plan_id
        yield "period", self.period
        yield "completeness", self.completeness
        yield "files", (dump(f) for f in self.files)
        yield "units", (dump(u) for u in self.units)
        yield "values", self._value_dicts()
        yield "aggregates", (_area_dict(a) for a in self.aggregates)
        yield "status_counts", self.status_counts
        yield "tasks", (dump(t) for t in self.tasks)
        yield "outcomes", (dump(o) for o in self.outcomes)
        yield "findings", (dump(x) for x in self.findings)
        yield "issued", {name: getattr(self, name) for name in _ISSUED}
        yield "notices", list(self.notices)

    def validation_report(self):
        """The files and their findings as a validation report (for the marked-up copies)."""
        from toolkit.model.validation import FileReport, ValidationReport

        findings: dict[str, list[Finding]] = {}
        for finding in self.findings:
            findings.setdefault(finding.file, []).append(finding)
        files = [FileReport(path=f.path, sha256=f.sha256, unit=f.unit, unit_name=f.unit_name, period=f.period,
                            findings=findings.get(f.path, []), status=f.status, modified=f.saved,
                            values_digest=f.values_digest)
                 for f in self.files]
        return ValidationReport(plan_id=self.plan_id, period=self.period, files=files, outcomes=list(self.outcomes))

    @classmethod
    def from_json(cls, data: dict) -> Consolidation:
        """The consolidation `to_json` wrote, whole: every list and figure, the values as records."""
        result = cls(plan_id=data["plan"], period=data["period"], **data["issued"])
        result.files = [load(FileEntry, f) for f in data["files"]]
        result.units = [load(UnitStatus, u) for u in data["units"]]
        result.aggregates = [load(AreaValue, a) for a in data["aggregates"]]
        result.tasks = [load(TaskProgress, t) for t in data.get("tasks", [])]
        result.outcomes = [load(Outcome, o) for o in data.get("outcomes", [])]
        result.findings = [load(Finding, x) for x in data.get("findings", [])]
        result.values = [load(ValueRecord, v) for v in data["values"]]
        result.notices = list(data.get("notices") or [])
        return result

    def compact(self) -> dict:
        """Everything `to_json` gives but the values, each list as field names and rows
        (quick to encode: the ledger keeps consolidations this way; `from_compact`)."""
        from toolkit.model.results import rows

        data = {"plan": self.plan_id, "period": self.period, "issued": {name: getattr(self, name) for name in _ISSUED}}
        for name, kind in _LISTS:
            data[name] = rows(kind, getattr(self, name))
        return data

    @classmethod
    def from_compact(cls, data: dict) -> Consolidation:
        """The consolidation `compact` gave, without its values."""
        from toolkit.model.results import from_rows

        result = cls(plan_id=data["plan"], period=data["period"], **data["issued"])
        for name, kind in _LISTS:
            setattr(result, name, from_rows(kind, *data[name]))
        return result

    def _value_dicts(self) -> Iterator[dict]:
        keys = VALUE_KEYS
        if self.values or self.values_table is None:
            rows = ((v.unit, v.indicator, v.field, _finite(v.value), v.typed, v.file, v.sheet, v.cell, v.indicator_id,
                     v.row_id, v.sha256) for v in self.values)
        else:  # straight from the table's columns
            rows = zip(*(self.values_table[key].tolist() for key in keys))
        return (dict(zip(keys, row)) for row in rows)


_LISTS = (("files", FileEntry), ("units", UnitStatus), ("aggregates", AreaValue), ("tasks", TaskProgress),
          ("outcomes", Outcome), ("findings", Finding))
