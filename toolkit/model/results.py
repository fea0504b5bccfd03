"""Results as data that round-trips: every result type (validation report,
consolidation) writes itself as JSON with `to_json` and is read back with
`from_json`, so that the ledger, a web page or the level above can take a
result without re-reading the returns."""

from __future__ import annotations

import dataclasses
import functools
import math
import operator


_PLAIN_TYPES = frozenset((str, int, bool, type(None)))  # written as they are (a float may be NaN)


@functools.lru_cache(maxsize=None)
def _getter(cls) -> tuple[list[str], object]:
    """A record class's compared fields, and a function giving their values as a tuple."""
    names = [f.name for f in dataclasses.fields(cls) if f.compare]
    get = operator.attrgetter(*names)
    return names, (get if len(names) > 1 else (lambda item: (get(item),)))


def _values(item, get) -> list:
    return [v if type(v) in _PLAIN_TYPES else _plain(v) for v in get(item)]


def dump(item) -> dict:
    """A result record (a dataclass) as a JSON object, field by field."""
    names, get = _getter(type(item))
    return dict(zip(names, _values(item, get)))


def load(cls, data: dict):
    """The record `dump` wrote (keys it does not know are ignored: newer writers may add some)."""
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


def _plain(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None  # strict JSON has no NaN or infinity
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # a numpy scalar
        return _plain(value.item())
    return value


def rows(cls, items) -> tuple[list[str], list[list]]:
    """Records as (field names, one row of values each): what `dump` gives, quicker to
    encode for many records (the ledger keeps consolidations this way)."""
    names, get = _getter(cls)
    records = list(map(get, items))
    if not records:
        return list(names), []
    columns = list(zip(*records))
    for i, column in enumerate(columns):  # only the columns holding something not plain are converted
        if set(map(type, column)) - _PLAIN_TYPES:
            columns[i] = [v if type(v) in _PLAIN_TYPES else _plain(v) for v in column]
    return list(names), list(map(list, zip(*columns)))


def from_rows(cls, names: list[str], values: list[list]) -> list:
    """The records `rows` gave (fields the class no longer has are ignored)."""
    known = {f.name for f in dataclasses.fields(cls)}
    keep = [(i, name) for i, name in enumerate(names) if name in known]
    return [cls(**{name: row[i] for i, name in keep}) for row in values]
