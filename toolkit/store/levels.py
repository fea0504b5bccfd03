"""A series' level: the figure a later period compares with (BRIEF: a
baseline is a level, never a change).

For a unit: its rate (numerator ÷ denominator) for a rate, else its 本年累计
where it reports one, else its 本期 figure. For the area: Σnumerator ÷
Σdenominator for a rate, else the sum of the units' levels. The same rule as
the checks' change against a baseline (toolkit.rules.checks)."""

from __future__ import annotations

import math
from collections import defaultdict

LEVEL_FIELDS = ("value", "cumulative", "numerator", "denominator")


def unit_level(fields: dict[str, float | None], is_rate: bool) -> float | None:
    """One unit's level from its {field: number}."""
    def num(name):
        value = fields.get(name)
        return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)

    if is_rate:
        n, d = num("numerator"), num("denominator")
        return n / d if n is not None and d else None
    cumulative = num("cumulative")
    return cumulative if cumulative is not None else num("value")


def area_level(per_unit: list[dict[str, float | None]], is_rate: bool) -> float | None:
    """The area's level from its units' {field: number}."""
    if is_rate:
        pairs = [(f.get("numerator"), f.get("denominator")) for f in per_unit]
        pairs = [(n, d) for n, d in pairs if n is not None and d is not None and d > 0
                 and not (isinstance(n, float) and math.isnan(n))]
        return sum(n for n, _ in pairs) / sum(d for _, d in pairs) if pairs else None
    levels = [v for v in (unit_level(f, False) for f in per_unit) if v is not None]
    return float(sum(levels)) if levels else None


def is_rate(indicator) -> bool:
    return indicator.measure == "rate" and indicator.rollup == "ratio"


def area_levels(plan, result) -> dict[str, tuple[str, str | None, float | None]]:
    """{series key: (name, unit of measure, area level)} of a consolidation's used values,
    for the indicators that add up or divide (rollup sum or ratio)."""
    fields: dict[str, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    table = result.values_table
    if table is not None and len(table):
        rows = table[table["field"].isin(LEVEL_FIELDS) & table["indicator_id"].notna()]
        for unit, indicator_id, field, value in zip(rows["unit"].tolist(), rows["indicator_id"].tolist(),
                                                    rows["field"].tolist(), rows["value"].tolist()):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                fields[indicator_id][unit][field] = float(value)
    else:
        for v in result.values:
            if v.indicator_id and v.field in LEVEL_FIELDS and isinstance(v.value, (int, float)):
                fields[v.indicator_id][v.unit][v.field] = float(v.value)
    levels = {}
    for _, _, ind in plan.indicators():
        if ind.rollup not in ("sum", "ratio"):
            continue
        units = list(fields.get(ind.id, {}).values())
        levels[ind.series_key] = (ind.name, ind.unit, area_level(units, is_rate(ind)) if units else None)
    return levels
