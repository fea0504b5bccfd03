"""The validation report: per file, what it is and what is wrong with it.

A `ValidationReport` prints as text for the terminal (`to_text`) and as the
JSON object of `toolkit validate --json` (`to_json`); `toolkit.xlsx.report` writes it
as a workbook and `feedback` marks up copies for the units.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from toolkit.findings import ERROR, WARNING, Finding
from toolkit.model.results import dump, load
from toolkit.textable import render
from toolkit.words import CHECKED_FILE_STATUS_WORDS, LEVEL_WORDS

# What became of a file.
USED = "used"  # valid, and the return used for its unit and period
SUPERSEDED = "superseded"  # valid or not, a newer file for the same unit and period came in
REJECTED = "rejected"  # one of ours, with errors
UNRECOGNISED = "unrecognised"  # not a workbook, not our template, another plan


@dataclass
class FileReport:
    path: str  # as given
    sha256: str
    unit: str | None  # unit code
    unit_name: str | None
    period: str | None
    findings: list[Finding] = field(default_factory=list)
    status: str = UNRECOGNISED
    modified: str | None = None  # ISO time the workbook was last saved
    superseded_by: str | None = None
    id: str | None = None  # the return's id (its sha256, see toolkit.model.returns)
    values_digest: str = ""  # of its input cells as read: marks the office's marked-up copy of it

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def valid(self) -> bool:
        return self.status != UNRECOGNISED and not self.errors


# The kind of number a figure is, decided from its indicator (writers choose a
# number format by it and never read the target's words):
NUMBER_KINDS = (
    "count",  # 起数、人数、次数 (counts and frequencies)
    "amount",  # 个、公里、口 …
    "rate-percent",  # a rate or share, as a fraction shown in %
    "rate-permille",  # a rate as a fraction shown in ‰
    "change-decrease",  # a decrease against the baseline, as a fraction (positive: it went down)
    "change-increase",  # an increase against the baseline, as a fraction (positive: it went up)
    "change",  # relative to the baseline, direction not known (older JSON)
    "other",  # qualitative or not understood: no figure to scale
)


def number_kind(indicator) -> str:
    """The kind of number an indicator's figure is (one of NUMBER_KINDS)."""
    if indicator.relative and indicator.status != "unparsed" and indicator.op != "qualitative":
        return "change-decrease" if indicator.relative == "decrease" else "change-increase"
    if indicator.measure in ("rate", "percentage"):
        return "rate-permille" if indicator.scale == "permille" or indicator.unit == "‰" else "rate-percent"
    if indicator.measure in ("count", "frequency"):
        return "count"
    if indicator.measure == "amount":
        return "amount"
    return "other"


# A target's outcome, for a unit or the whole area (words: toolkit.words.STATUS_WORDS).
OUTCOME_STATUSES = (
    "met",  # the target is reached
    "missed",  # due and not reached (or overdue: a past target's task not 已完成)
    "in-progress",  # not yet due, or its window not yet closed: 进行中（未到期）
    "needs-baseline",  # a relative target without its baseline: 待填基线
    "qualitative",  # a person judges: 需人工判断
    "no-data",  # nothing to judge
    "contribution",  # a unit's part of an area target: the area figure is judged, not the unit
)


@dataclass(slots=True)  # one per unit and target: hundreds of thousands for a province
class Outcome:
    """A target for one unit: one of OUTCOME_STATUSES."""

    unit: str
    indicator_id: str
    indicator: str  # name
    status: str  # OUTCOME_STATUSES
    actual: float | None
    target: str  # in words, e.g. ≥100%
    reason: str | None = None
    note: str | None = None
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    kind: str | None = None  # of the number (NUMBER_KINDS)
    basis: str | None = None  # what `actual` is: period (本期) | year-to-date (本年累计)

    @property
    def number_kind(self) -> str:
        """`kind`, or for an outcome built without one, what its target's words imply."""
        return self.kind or "other"


@dataclass
class ValidationReport:
    plan_id: str
    period: str | None
    files: list[FileReport]
    outcomes: list[Outcome] = field(default_factory=list)
    values: object = None  # the long pandas DataFrame of every input cell read
    missed: set = field(default_factory=set)  # frame rows whose target check failed
    choice: object = None  # which file counts per unit and period (toolkit.rules.choose.Choice)
    written: list = field(default_factory=list, compare=False, repr=False)  # the output files a run wrote
    notices: list[str] = field(default_factory=list)  # said once for the run (Chinese), e.g. checksums not checked

    def by_id(self) -> dict[str, FileReport]:
        return {f.id: f for f in self.files}

    @property
    def has_errors(self) -> bool:
        return any(f.errors for f in self.files)

    @property
    def findings(self) -> list[Finding]:
        return [finding for f in self.files for finding in f.findings]

    def to_json(self) -> dict:
        """The `toolkit validate --json` contract; `from_json` reads it back."""
        return {
            "plan": self.plan_id,
            "period": self.period,
            "files": [
                {
                    "path": f.path,
                    "unit": f.unit,
                    "period": f.period,
                    "valid": f.valid,
                    "status": f.status,
                    "sha256": f.sha256,
                    "findings": [
                        {"code": x.code, "severity": x.severity, "sheet": x.sheet, "cell": x.cell, "message": x.message,
                         "indicator": x.indicator, "field": x.field, "value": x.value,
                         "indicator_id": x.indicator_id, "row_id": x.row_id, "unit": x.unit}
                        for x in f.findings
                    ],
                    "id": f.id,
                    "unit_name": f.unit_name,
                    "modified": f.modified,
                    "superseded_by": f.superseded_by,
                    "values_digest": f.values_digest,
                }
                for f in self.files
            ],
            "outcomes": [dump(o) for o in self.outcomes],
            "notices": list(self.notices),
        }

    @classmethod
    def from_json(cls, data: dict) -> ValidationReport:
        """The report `to_json` wrote (without the frame of every cell, which the JSON does not carry)."""
        files = []
        for f in data["files"]:
            findings = [Finding(file=f["path"], **{k: v for k, v in x.items() if k in Finding.__dataclass_fields__})
                        for x in f["findings"]]
            files.append(FileReport(path=f["path"], sha256=f["sha256"], unit=f["unit"], unit_name=f.get("unit_name"),
                                    period=f["period"], findings=findings, status=f["status"],
                                    modified=f.get("modified"), superseded_by=f.get("superseded_by"), id=f.get("id"),
                                    values_digest=f.get("values_digest") or ""))
        return cls(plan_id=data["plan"], period=data["period"], files=files,
                   outcomes=[load(Outcome, o) for o in data.get("outcomes", [])], notices=data.get("notices") or [])

    def to_text(self, *, max_findings: int | None = None) -> str:
        """Per file: unit, status, counts; then the findings."""
        rows = [[f.path, f.unit or "", f.unit_name or "", f.period or "", CHECKED_FILE_STATUS_WORDS[f.status],
                 len(f.errors), len(f.warnings)] for f in self.files]
        out = [render(["文件", "单位编码", "单位", "报送期", "结果", "错误", "提示"], rows, max_widths={0: 48, 2: 16})]
        findings = self.findings
        if findings:
            out.append("")
            shown = findings if max_findings is None else findings[:max_findings]
            rows = [[x.file, x.sheet or "", x.cell or "", LEVEL_WORDS[x.severity], x.code, x.message] for x in shown]
            out.append(render(["文件", "工作表", "单元格", "级别", "代码", "说明"], rows, max_widths={0: 36, 1: 12, 5: 80}))
            if len(shown) < len(findings):
                out.append(f"……另有 {len(findings) - len(shown)} 条问题未显示（见 --report 或 --json）")
        valid = sum(1 for f in self.files if f.status == USED)
        errors = sum(len(f.errors) for f in self.files)
        warnings = sum(len(f.warnings) for f in self.files)
        rejected = sum(1 for f in self.files if f.status in (REJECTED, UNRECOGNISED) and f.errors)  # not system files or office copies
        out.append("")
        out.append(f"共 {len(self.files)} 个文件：可用 {valid} 个，有错误 {rejected} 个；错误 {errors} 处，提示 {warnings} 处")
        out.extend(f"注意：{notice}" for notice in self.notices)
        return "\n".join(out)
