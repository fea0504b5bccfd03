"""Stable indicator keys: what a ledger across periods refers to.

An indicator's `id` (core-3, rect-12.4) follows the annex's row numbers and
changes when a row is inserted; its `name` changes when a clerk edits the
wording. The `key` is made once, from the table kind, the normalised subject
name and the unit ("core:生产安全事故死亡人数:人"), made unique with "#2", "#3";
when an annex is imported again onto an existing plan file, every indicator
that can be matched with one of the file's keeps that key (same row and place,
else same name, else same text), so a ledger keeps its history.
"""

from __future__ import annotations

import re
import unicodedata

_KIND_PREFIX = {"indicators": "core", "rectification": "rect", "applications": "app", "tasks": "task", "prose": "work"}
_DROP = re.compile(r"[\s\"'“”‘’《》〈〉「」『』()（）\[\]【】,，、。；;：:!！?？·]+")


def derive_key(kind: str, name: str, unit: str | None) -> str:
    """"rect", "“两客一危”年检率", "%" -> "rect:两客一危年检率:%"."""
    subject = _DROP.sub("", unicodedata.normalize("NFKC", name or "")) or "-"
    return f"{_KIND_PREFIX.get(kind, kind)}:{subject}:{unit or '-'}"


def _unique(key: str, used: set[str]) -> str:
    candidate, n = key, 2
    while candidate in used:
        candidate = f"{key}#{n}"
        n += 1
    used.add(candidate)
    return candidate


def fill_keys(plan) -> None:
    """Give every indicator without a key its derived key (unique in the plan)."""
    used = {ind.key for _, _, ind in plan.indicators() if ind.key}
    for table, _, ind in plan.indicators():
        if not ind.key:
            ind.key = _unique(derive_key(table.kind, ind.name, ind.unit), used)


def _placed(plan):
    return [(t, r, k, i) for t in plan.tables for r in t.rows for k, i in enumerate(r.indicators)]


def carry_keys(plan, previous) -> int:
    """Keys of `previous` (the plan file being replaced) carried over to the
    matching indicators of `plan` (a fresh import); the rest get derived keys.
    Returns how many were carried over."""
    old = [x for x in _placed(previous) if x[3].key]
    new = _placed(plan)
    taken: set[int] = set()
    chosen: dict[int, str] = {}
    # most specific first: the same derived key, the same row and place, the same name, the same text
    passes = (
        lambda o, n: o[3].key.split("#")[0] == derive_key(n[0].kind, n[3].name, n[3].unit),
        lambda o, n: (o[0].kind, o[1].id, o[2]) == (n[0].kind, n[1].id, n[2])
        and (o[3].unit, o[3].relative, o[3].frequency) == (n[3].unit, n[3].relative, n[3].frequency),
        lambda o, n: o[0].kind == n[0].kind and o[3].name == n[3].name,
        lambda o, n: o[0].kind == n[0].kind and o[3].text == n[3].text and o[3].unit == n[3].unit,
    )
    for test in passes:
        for j, n in enumerate(new):
            if j in chosen:
                continue
            for m, o in enumerate(old):
                if m not in taken and test(o, n):
                    taken.add(m)
                    chosen[j] = o[3].key
                    break
    used = set(chosen.values())
    for j, (t, _, _, ind) in enumerate(new):
        ind.key = chosen.get(j) or _unique(derive_key(t.kind, ind.name, ind.unit), used)
    return len(chosen)
