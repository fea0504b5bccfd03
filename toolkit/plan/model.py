"""The plan model: a published plan's annex tables as data.

A plan holds its identity, its annex tables in published order (with their own
column titles and every published cell), and per table row the targets parsed
from it, each an `Indicator` that says what a template must ask for and how
the value rolls up. See docs/plan-format.md for the file format.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from toolkit.words import TABLE_KIND_NAMES, TASK_STATUSES  # noqa: F401 (re-exported: the words live in toolkit.words)

FORMAT = "toolkit-plan/1"

TABLE_KINDS = ("indicators", "rectification", "applications", "tasks")

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
SCALES = (None, "percent", "permille")
FREQUENCIES = (None, "year", "half-year", "quarter", "month")
# What a unit reports for a task row (dropdown in templates): TASK_STATUSES.


@dataclass
class Indicator:
    """One checkable target, with what a template needs to collect it."""

    id: str
    name: str
    text: str  # the original phrase (a target cell, or the sentence it was found in)
    op: str
    value: float | None = None
    scale: str | None = None
    unit: str | None = None
    relative: str | None = None
    deadline: str | None = None  # canonical: 2026-11-30 | 2025-12-31;2026-12-31 | every:year | ongoing
    frequency: str | None = None
    status: str = "parsed"  # parsed | review | unparsed
    note: str | None = None  # why a person must look at it
    measure: str = "qualitative"
    rollup: str = "none"
    zero_tolerance: bool = False
    numerator: str | None = None  # label of the numerator input (rates)
    denominator: str | None = None  # label of the denominator input (rates)

    @property
    def needs_baseline(self) -> bool:
        return self.relative is not None

    @property
    def checkable(self) -> bool:
        return self.status == "parsed" and self.op != "qualitative"


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
    deadline: str | None = None  # tasks: 完成时间, canonical form
    is_task: bool = False  # reported with a status (已完成/推进中/未启动/不适用) and progress
    merged_up: list[str] = field(default_factory=list)  # column keys whose cell the annex merged with the row above


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
        data = asdict(self)
        return {
            "format": data.pop("format"),
            **{k: data[k] for k in ("id", "title", "issuer", "doc_number", "years", "source")},
            "tables": data["tables"],
        }

    def fingerprint(self) -> str:
        """sha256 of the plan's content: what a template was built from.

        Identity fields are included so that a re-titled plan counts as a
        change; key order and YAML formatting are not.
        """
        canonical = json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
