"""`ReturnData`: one file handed in, and what was read from it.

It is the one interchange type between the stages: intake makes it (in a
worker process, so it must pickle), validation and consolidation refer to it
by `id`, and the ledger stores it. A file's id is its sha256; two paths with
the very same bytes (a unit that sent one file twice) get the id of the first
with a suffix, so that each path handed in is accounted for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.findings import Finding, make_finding


@dataclass
class Identification:
    """What a return says it is (its hidden sheet, or its visible 填报说明)."""

    source: str  # hidden | content
    plan_id: str
    unit_code: str
    period: str
    unit_name: str = ""
    plan_fingerprint: str | None = None
    template_format: str | None = None
    template_version: int | None = None
    rows: list[str] | None = None  # row ids the template was built for
    table_fingerprints: str | None = None  # "table id=digest;…" of the plan it was built from
    key_id: str | None = None  # which office secret signed it (toolkit.identity)
    checksum: str | None = None  # HMAC over plan fingerprint, unit, period and template version
    office_copy: dict | None = None  # a marked-up copy's mark (toolkit.intake.identify)


# Where an input cell is and what it holds (a CellRecord's first fields).
PLACE_FIELDS = ("sheet", "cell", "row_id", "indicator_id", "field", "kind")


@dataclass(slots=True)  # about a hundred per return
class CellRecord:
    """One input cell as read, before it is typed."""

    sheet: str
    cell: str
    row_id: str
    indicator_id: str | None
    field: str
    kind: str
    raw: object  # as python-calamine gives it


assert tuple(CellRecord.__dataclass_fields__)[:len(PLACE_FIELDS)] == PLACE_FIELDS


# The columns of what a return holds, one entry per input cell (see
# `ReturnData.cells`): where it is, and what was typed and read.
COLUMNS = ("sheet", "cell", "row_id", "indicator_id", "field", "kind", "typed", "number", "text", "problem", "note")


@dataclass
class ReturnData:
    """One file handed in: identity, provenance and its input cells as a table."""

    path: Path
    display: str  # the path as the office gave it, for messages
    id: str = ""  # the sha256 (with a suffix for a second path of the same bytes); set by intake
    size: int = 0
    sha256: str = ""
    saved: dt.datetime | None = None  # when the workbook says it was last saved (its own record)
    file_time: dt.datetime | None = None  # the file system's modification time
    ident: Identification | None = None
    findings: list[Finding] = field(default_factory=list)
    records: list[CellRecord] = field(default_factory=list)  # raw input cells (emptied once typed)
    cells: dict[str, list] | None = None  # the input cells typed, column by column (COLUMNS)
    recognised: bool = False  # one of our templates, for this plan
    values_digest: str = ""  # of the input cells as read (toolkit.intake.identify)
    identity_check: str | None = None  # why its checksum was not checked (toolkit.identity), if it was not
    layout_key: tuple | None = None  # (rows, period_is_year): the layout, rebuilt where needed
    layout: object = field(default=None, repr=False, compare=False)  # not sent between processes

    @property
    def unit(self) -> str | None:
        return self.ident.unit_code if self.ident else None

    @property
    def modified(self) -> dt.datetime | None:
        """The time that orders versions: the workbook's own record, else the file's."""
        return self.saved or self.file_time

    def add(self, code: str, **context) -> None:
        self.findings.append(make_finding(code, self.display, unit=self.unit, **context))

    def __getstate__(self):
        state = {name: getattr(self, name) for name in self.__dataclass_fields__}
        state["layout"] = None  # rebuilt from layout_key by whoever receives it
        return state

    def __setstate__(self, state):
        for name, value in state.items():
            setattr(self, name, value)


def assign_ids(returns: list[ReturnData]) -> None:
    """Give each return its id: its sha256, made unique within the batch."""
    seen: dict[str, int] = {}
    for ret in returns:
        base = ret.sha256 or "unread"
        count = seen.get(base, 0)
        seen[base] = count + 1
        ret.id = base if count == 0 else f"{base}~{count + 1}"
