"""Which file counts for a unit and period: one rule, used by validation,
consolidation and their JSON alike.

Among the files of one unit for one period (identified as ours, for the
plan, the unit and the period):

- the **used** file is the newest *valid* one (no errors): a unit's newer
  version that has errors is sent back, and its older valid version counts
  until a corrected one comes in;
- files older than the used one are **superseded** by it;
- files newer than the used one have errors: they are **rejected** (sent
  back), and the note says which older version is used meanwhile;
- with no valid file, the newest is **rejected** and the older ones are
  superseded by it (the unit corrects the newest).

"Newer" is decided by the time the workbook says it was saved, then by the
file's own time. Two files that cannot be told apart by either are a **tie**:
one of them is used (the first by name, so that the result is stable), but
neither is called newer, and both say so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from toolkit.model.validation import REJECTED, SUPERSEDED, USED  # noqa: F401 (what became of a file: one set of codes)


@dataclass(frozen=True)
class Candidate:
    id: str
    unit: str
    period: str
    name: str  # the path as given, to order ties stably and to name files in notes
    saved: dt.datetime | None
    file_time: dt.datetime | None
    valid: bool


@dataclass
class Decision:
    status: str  # used | superseded | rejected
    by: str | None = None  # superseded: the id of the file that replaced it; rejected: the older valid one used
    tied_with: list[str] = field(default_factory=list)  # ids of files that cannot be told apart from it


@dataclass
class Choice:
    used: dict[tuple[str, str], str] = field(default_factory=dict)  # (unit, period) -> id of the file that counts
    newest: dict[tuple[str, str], str] = field(default_factory=dict)  # (unit, period) -> id of the newest file
    decisions: dict[str, Decision] = field(default_factory=dict)  # id -> what became of it


_NEVER = dt.datetime.min


def _age(c: Candidate) -> tuple:
    return (c.saved or _NEVER, c.file_time or _NEVER)


def choose(candidates: list[Candidate]) -> Choice:
    groups: dict[tuple[str, str], list[Candidate]] = {}
    for c in candidates:
        groups.setdefault((c.unit, c.period), []).append(c)
    choice = Choice()
    for key, group in groups.items():
        # newest first; equal times in a stable order by name
        ordered = sorted(group, key=lambda c: c.name)
        ordered.sort(key=_age, reverse=True)
        ties = {c.id: [o.id for o in ordered if o.id != c.id and _age(o) == _age(c)] for c in ordered}
        valid = [c for c in ordered if c.valid]
        winner = valid[0] if valid else None
        choice.newest[key] = ordered[0].id
        if winner is not None:
            choice.used[key] = winner.id
        head = winner or ordered[0]
        for c in ordered:
            if c is winner:
                status, by = USED, None
            elif c is head:  # no valid file: the newest is sent back
                status, by = REJECTED, None
            elif _age(c) > _age(head) or (winner is not None and not c.valid and _age(c) == _age(head)):
                status, by = REJECTED, winner.id if winner else None  # newer than the valid one, and has errors
            else:
                status, by = SUPERSEDED, head.id
            choice.decisions[c.id] = Decision(status, by, ties[c.id])
    return choice
