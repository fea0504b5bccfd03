"""The plan model: a published plan's annex tables as data.

A plan holds its identity, its annex tables in published order (with their own
column titles and every published cell), and per table row the targets parsed
from it, each an `Indicator` that says what a template must ask for and how
the value rolls up. See docs/plan-format.md for the file format.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass, field

from toolkit.plan.deadline import Deadline
from toolkit.words import (  # noqa: F401 (re-exported: the words live in toolkit.words)
    SCALE_FACTORS,
    TABLE_KIND_NAMES,
    TASK_STATUSES,
)

FORMAT = "toolkit-plan/1"

# prose: a section of a plan written as numbered paragraphs (no annex table): one row per
# paragraph, its text holding the targets, reported like rectification rows.
TABLE_KINDS = ("indicators", "rectification", "applications", "tasks", "prose")

# What a column holds. Templates and assignment read columns by role, so an
# annex with other column titles or another order works the same.
COLUMN_ROLES = (
    "seq",  # 序号
    "name",  # 名称 / 领域 / 应用
    "target",  # 目标 / 目标（内容）
    "action",  # 行动名称 (tasks: first grouping level)
    "task",  # 重点任务 (tasks: second level)
    "subtask",  # 重点任务 (tasks: the task text itself)
    "deadline",  # 完成时间
    "leader",  # 责任领导
    "office",  # 责任办公室 / 责任科室
    "responsible",  # 责任单位
    "partners",  # 配合单位
    "remark",  # 备注
    "other",
)

OPS = ("==", "<=", "<", ">=", ">", "qualitative")
STATUSES = ("parsed", "review", "unparsed")
MEASURES = ("count", "amount", "rate", "percentage", "frequency", "qualitative")
ROLLUPS = ("sum", "ratio", "none")
RELATIVES = (None, "decrease", "increase")
# How a value is written: 100% is 1.0 (percent), 3‰ is 0.003 (permille), 0.5
# per 100,000 is 0.000005 (per-100k): values are always in natural units.
SCALES = (None, "percent", "permille", "per-10k", "per-100k")
# scope: one figure for the plan's area, or a rule every reporting unit must meet.
SCOPES = ("area", "unit")
# reporters: who reports the figure: the row's lead unit, or every unit the row goes to.
REPORTERS = ("lead", "all")
# baseline of a relative target; also "year:2025" (较2025年).
BASELINES = (None, "same-period-last-year", "last-year-total", "previous-period")
# What a rate's numerator counts when it counts events (accidents, deaths, fires): such
# figures come from territorial units, sectoral ones report the same events again.
EVENT_WORDS = ("事故", "死亡", "伤亡", "火灾", "亡人", "事件", "险情")
# Labels that say nothing about what is counted: a plan check warning.
GENERIC_LABELS = frozenset(("符合要求的数量", "统计总数", "总数", "其中符合条件的数量"))


def valid_baseline(value) -> bool:
    return value in BASELINES or bool(isinstance(value, str) and re.fullmatch(r"year:\d{4}", value))


FREQUENCIES = (None, "year", "half-year", "quarter", "month")
# What a unit reports for a task row (dropdown in templates): TASK_STATUSES, from toolkit.words.


@dataclass(kw_only=True)
class Indicator:
    """One checkable target, with what a template needs to collect it."""

    id: str
    key: str = ""  # stable across re-imports and wording edits: what a ledger across periods uses
    name: str
    text: str  # the original phrase (a target cell, or the sentence it was found in)
    op: str
    value: float | None = None
    scale: str | None = None
    unit: str | None = None
    relative: str | None = None
    baseline: str | None = None  # relative targets: what the change is measured against
    deadline: Deadline | None = None
    frequency: str | None = None
    status: str = "parsed"  # parsed | review | unparsed
    note: str | None = None  # why a person must look at it
    measure: str = "qualitative"
    rollup: str = "none"
    zero_tolerance: bool = False
    numerator: str | None = None  # label of the numerator input (rates)
    denominator: str | None = None  # label of the denominator input (rates)
    scope: str = "area"  # area: one figure for the area | unit: every reporting unit must meet it
    reporters: str = "lead"  # lead: the row's lead unit reports the figure | all: every unit routed to the row
    # the ledger's series this indicator continues, where its name or unit changed
    # from an earlier plan's (e.g. last year's key); absent: its own key
    series: str | None = field(default=None, metadata={"omit_none": True})

    @property
    def series_key(self) -> str:
        """What a ledger files this indicator's figures under, across plans and years."""
        return self.series or self.key

    @property
    def needs_baseline(self) -> bool:
        return self.relative is not None

    @property
    def checkable(self) -> bool:
        return self.status == "parsed" and self.op != "qualitative"

    @property
    def scale_factor(self) -> int:
        """What a rate's numerator/denominator is multiplied by to give the value as written."""
        return SCALE_FACTORS.get(self.scale, 1)

    @property
    def counts_events(self) -> bool:
        """A count of events (起数, 人数: measure count), or a rate of them: the
        area figure is summed over territorial units, the sectoral sum (行业口径)
        kept beside it."""
        if self.measure == "count":
            return True
        return self.measure == "rate" and any(word in (self.numerator or "") for word in EVENT_WORDS)

    @property
    def generic_labels(self) -> bool:
        return self.measure == "rate" and bool({self.numerator, self.denominator} & GENERIC_LABELS)


@dataclass
class Column:
    key: str  # unique within the table; the published title unless titles repeat
    title: str  # as published
    role: str = "other"


@dataclass
class Row:
    id: str
    label: str  # 序号 or the row label a clerk would quote
    cells: dict[str, str]  # column key -> published text
    indicators: list[Indicator] = field(default_factory=list)
    deadline: Deadline | None = None  # tasks: 完成时间
    is_task: bool = False  # reported with a status (已完成/推进中/未启动/不适用) and progress
    merged_up: list[str] = field(default_factory=list)  # column keys whose cell the annex merged with the row above
    review: list[str] = field(default_factory=list)  # sentences that read like a target but gave none
    include_related: bool = False  # route "有关/相关…单位" fragments to every unit of that kind


@dataclass
class Table:
    id: str
    title: str
    kind: str
    columns: list[Column]
    rows: list[Row]

    def column(self, role: str) -> Column | None:
        return next((c for c in self.columns if c.role == role), None)

    def cell(self, row: Row, role: str) -> str:
        column = self.column(role)
        return row.cells.get(column.key, "") if column else ""


@dataclass
class Plan:
    id: str
    title: str
    issuer: str | None
    doc_number: str | None
    years: list[int]
    tables: list[Table]
    source: str | None = None
    issued: str | None = None  # date of the issuing notice, ISO (2026-04-07); written only when known
    format: str = FORMAT

    @property
    def year(self) -> int | None:
        return self.years[-1] if self.years else None

    def indicators(self):
        """(table, row, indicator) for every target, in published order."""
        for table in self.tables:
            for row in table.rows:
                for indicator in row.indicators:
                    yield table, row, indicator

    def indicator(self, indicator_id: str) -> Indicator:
        for _, _, indicator in self.indicators():
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(indicator_id)

    def to_dict(self) -> dict:
        data = _plain(self)
        return {
            "format": data.pop("format"),
            **{k: data[k] for k in ("id", "title", "issuer", "doc_number", "years", "source")},
            **({"issued": data["issued"]} if data["issued"] else {}),
            "tables": data["tables"],
        }

    def fingerprint(self) -> str:
        """sha256 of what a return depends on: the plan's id and years, and
        its tables (columns, rows, published cells, targets and their rules).

        The plan's title, issuer, document number and source are not in it:
        correcting them does not make the returns in circulation outdated.
        Nor are the notes for a person (an indicator's note, a row's review
        sentences). Key order and YAML formatting do not count either."""
        content = {"format": self.format, "id": self.id, "years": list(self.years),
                   "tables": self.table_fingerprints()}
        return _digest(content)

    def table_fingerprints(self) -> dict[str, str]:
        """{table id: a digest of its content} in the plan's order (a template
        keeps them, so that a changed plan can say which tables changed)."""
        return {table.id: _digest(_table_content(table))[:16] for table in self.tables}


def _table_content(table: Table) -> dict:
    data = _plain(table)
    for row in data["rows"]:
        row.pop("review", None)
        for indicator in row["indicators"]:
            indicator.pop("note", None)
    return data


def _digest(data) -> str:
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _plain(obj):
    """Dataclasses as dicts, deadlines as their canonical strings."""
    if isinstance(obj, Deadline):
        return obj.canonical()
    if dataclasses.is_dataclass(obj):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)
                if not (f.metadata.get("omit_none") and getattr(obj, f.name) is None)}
    if isinstance(obj, (list, tuple)):
        return [_plain(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    return obj
