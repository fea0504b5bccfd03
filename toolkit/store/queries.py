"""What the ledger answers: the figures of a period, baselines, the previous
period, a series over time, what was issued and what changed since."""

from __future__ import annotations

import zlib
from collections import defaultdict

from toolkit.store.levels import LEVEL_FIELDS, area_level, is_rate, unit_level

_LAST = {"year": 1, "half": 2, "quarter": 4, "month": 12}


def _make(year, kind, index):
    from toolkit.periods import make_period

    return make_period(year, kind, index).code


def year_end_codes(year: int) -> list[str]:
    """Where a year's total is found: the annual return, else the year-to-date of its last period."""
    return [str(year), f"{year}Q4", f"{year}H2", f"{year}M12"]


def baseline_candidates(baseline: str | None, period) -> list[str]:
    """The periods a relative target's baseline comes from, first found first."""
    if baseline in (None, "same-period-last-year"):
        return [_make(period.year - 1, period.kind, period.index)]
    if baseline == "last-year-total":
        return year_end_codes(period.year - 1)
    if baseline == "previous-period":
        if period.index > 1:
            return [_make(period.year, period.kind, period.index - 1)]
        return [_make(period.year - 1, period.kind, _LAST[period.kind])]
    if baseline.startswith("year:"):
        return year_end_codes(int(baseline[5:]))
    return []


def period_fields(ledger, period_code: str, keys=None) -> dict[tuple[str, str], dict[str, float]]:
    """{(unit code, series key): {field: number}} of the period's current (used) returns."""
    sql = """SELECT u.code, s.key, fd.name, c.number FROM cells c
             JOIN files f ON f.id = c.file JOIN units u ON u.id = f.unit JOIN periods p ON p.id = f.period
             JOIN series s ON s.id = c.series JOIN fields fd ON fd.id = c.field
             WHERE p.code = ? AND f.status = 'used' AND fd.name IN (?, ?, ?, ?, ?) AND c.number IS NOT NULL"""
    out: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    wanted = set(keys) if keys is not None else None
    for unit, key, field, number in ledger.conn.execute(sql, (period_code, *LEVEL_FIELDS, "baseline")):
        if wanted is None or key in wanted:
            out[(unit, key)][field] = number
    return out


def window_figures(ledger, plan, periods) -> dict[tuple[str, str, str], float]:
    """The 本期 figures the ledger holds for the earlier periods of the frequency
    windows judged in `periods` (toolkit.rules.judge.window_before): the
    months of a quarter before its last one. {(unit code, indicator id,
    period code): number}, from each unit's current (used) return."""
    from toolkit.rules.judge import window_before

    wanted: dict[str, set[str]] = defaultdict(set)  # period code -> indicator ids
    for _, _, ind in plan.indicators():
        for period in periods:
            for earlier in window_before(ind, period):
                wanted[earlier.code].add(ind.id)
    out: dict[tuple[str, str, str], float] = {}
    indicators = {ind.id: ind for _, _, ind in plan.indicators()}
    for code, ids in wanted.items():
        of_key = defaultdict(list)
        for i in ids:
            of_key[indicators[i].series_key].append(i)
        marks = ", ".join("?" * len(of_key))
        sql = f"""SELECT u.code, s.key, c.number FROM series s JOIN cells c ON c.series = s.id
                  JOIN files f ON f.id = c.file JOIN units u ON u.id = f.unit JOIN periods p ON p.id = f.period
                  JOIN fields fd ON fd.id = c.field
                  WHERE s.key IN ({marks}) AND p.code = ? AND f.status = 'used' AND fd.name = 'value'
                  AND c.number IS NOT NULL"""
        for unit, key, number in ledger.conn.execute(sql, (*of_key, code)):
            for indicator_id in of_key[key]:
                out[(unit, indicator_id, code)] = number
    return out


def area_figure(ledger, period_code: str, key: str) -> tuple[float | None, str] | None:
    row = ledger.conn.execute("""SELECT a.value, a.source FROM area_figures a JOIN periods p ON p.id = a.period
                                 JOIN series s ON s.id = a.series WHERE p.code = ? AND s.key = ?""",
                              (period_code, key)).fetchone()
    return (row[0], row[1]) if row else None


def baselines(ledger, plan, period) -> tuple[dict, dict, dict]:
    """Baselines of the plan's relative targets from the ledger, per unit and for the area.

    Returns ({(unit code, indicator id): level}, {indicator id: area level},
    {indicator id: {"period", "value", "source"}})."""
    unit_values, area_values, info = {}, {}, {}
    cache = {}
    for _, _, ind in plan.indicators():
        if not ind.relative:
            continue
        for code in baseline_candidates(ind.baseline, period):
            if code not in cache:
                cache[code] = period_fields(ledger, code)
            figures = {unit: fields for (unit, key), fields in cache[code].items() if key == ind.series_key}
            stored = area_figure(ledger, code, ind.series_key)
            if not figures and stored is None:
                continue
            rate = is_rate(ind)
            for unit, fields in figures.items():
                level = unit_level(fields, rate)
                if level is not None:
                    unit_values[(unit, ind.id)] = level
            if stored is not None and stored[0] is not None:
                area, source = stored[0], f"ledger:{stored[1]}"
            else:
                area, source = area_level(list(figures.values()), rate), "ledger:returns"
            if area is not None:
                area_values[ind.id] = area
                info[ind.id] = {"period": code, "value": area, "source": source}
            break
    return unit_values, area_values, info


def previous_period(ledger, period) -> str | None:
    """The latest period of the same kind and year before `period` with returns in the ledger."""
    row = ledger.conn.execute("""SELECT p.code FROM periods p WHERE p.year = ? AND p.kind = ? AND p.idx < ?
                                 AND EXISTS (SELECT 1 FROM files f WHERE f.period = p.id AND f.status = 'used')
                                 ORDER BY p.idx DESC LIMIT 1""", (period.year, period.kind, period.index)).fetchone()
    return row[0] if row else None


def task_statuses(ledger, period_code: str) -> dict[tuple[str, str], str]:
    """{(unit code, task row id): status} of the period's current returns."""
    rows = ledger.conn.execute("SELECT unit, row_id, status FROM task_statuses WHERE period = ? AND status IS NOT NULL",
                               (period_code,))
    return {(unit, row): status for unit, row, status in rows}


def series_history(ledger, key: str, year: int | None = None, kind: str | None = None) -> list[tuple[str, float | None]]:
    """[(period code, area level)] of one series, oldest first."""
    sql = """SELECT p.code, a.value FROM area_figures a JOIN periods p ON p.id = a.period JOIN series s ON s.id = a.series
             WHERE s.key = ?""" + (" AND p.year = ?" if year else "") + (" AND p.kind = ?" if kind else "") + \
          " ORDER BY p.year, p.kind, p.idx"
    args = [key] + ([year] if year else []) + ([kind] if kind else [])
    return [(code, value) for code, value in ledger.conn.execute(sql, args)]


def unit_series(ledger, key: str, periods: list[str]) -> dict[str, dict[str, float | None]]:
    """{unit code: {period code: level}} of one series over `periods` (a trend for every unit)."""
    rate_row = ledger.conn.execute("""SELECT count(*) FROM cells c JOIN fields fd ON fd.id = c.field
                                      JOIN series s ON s.id = c.series WHERE s.key = ? AND fd.name = 'denominator' LIMIT 1""",
                                   (key,)).fetchone()
    rate = bool(rate_row[0])
    marks = ", ".join("?" * len(periods))
    sql = f"""SELECT u.code, p.code, fd.name, c.number FROM series s
              JOIN cells c ON c.series = s.id JOIN files f ON f.id = c.file
              JOIN units u ON u.id = f.unit JOIN periods p ON p.id = f.period JOIN fields fd ON fd.id = c.field
              WHERE s.key = ? AND f.status = 'used' AND p.code IN ({marks})"""
    fields: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for unit, period, field, number in ledger.conn.execute(sql, (key, *periods)):
        fields[(unit, period)][field] = number
    out: dict[str, dict[str, float | None]] = defaultdict(dict)
    for (unit, period), values in fields.items():
        out[unit][period] = unit_level(values, rate)
    return out


def find_series(ledger, name: str) -> list[tuple[str, str, str | None]]:
    """Series whose key or name is or contains `name`: [(key, name, unit)]."""
    exact = ledger.conn.execute("SELECT key, name, unit FROM series WHERE key = ? OR name = ?", (name, name)).fetchall()
    if exact:
        return exact
    return ledger.conn.execute("SELECT key, name, unit FROM series WHERE key LIKE ? OR name LIKE ? ORDER BY key",
                               (f"%{name}%", f"%{name}%")).fetchall()


# ------------------------------------------------------------------ issued consolidations

# the id of the latest consolidation issued for a period (parameter: the period's code)
_LATEST = ("SELECT c.id FROM consolidations c JOIN periods p ON p.id = c.period"
           " WHERE p.code = ? ORDER BY c.id DESC LIMIT 1")


def issued(ledger, period_code: str):
    """The latest consolidation issued for a period: (id, issued time, its stored form
    (the compact consolidation, its values: toolkit.store.packed), the sha256 of the JSON written) or None."""
    row = ledger.conn.execute(f"SELECT id, issued, json_gz, json_sha256 FROM consolidations WHERE id = ({_LATEST})",
                              (period_code,)).fetchone()
    if row is None:
        return None
    from toolkit.bulk import bulk
    from toolkit.store.packed import unpack

    with bulk():
        return row[0], row[1], unpack(row[2]), row[3]


def issued_outputs(ledger, period_code: str) -> dict[str, tuple[str, str, bytes]]:
    """The files the latest consolidation of a period wrote for its leaders, as written:
    {role: (file name, sha256, bytes)} (none when that run wrote no workbook)."""
    rows = ledger.conn.execute(f"SELECT role, name, sha256, body FROM consolidation_outputs WHERE consolidation = ({_LATEST})",
                               (period_code,))
    return {role: (name, digest, zlib.decompress(body)) for role, name, digest, body in rows}


def changed_since_issued(ledger, period_code: str) -> list[tuple[str, str, str]]:
    """Returns accepted for a period after its latest consolidation that it did not use:
    [(unit code, path, accepted at)]."""
    row = ledger.conn.execute(f"SELECT id, issued FROM consolidations WHERE id = ({_LATEST})", (period_code,)).fetchone()
    if row is None:
        return []
    return ledger.conn.execute("""SELECT u.code, f.path, f.accepted_at FROM files f JOIN units u ON u.id = f.unit
                                  JOIN periods p ON p.id = f.period
                                  WHERE p.code = ? AND f.status = 'used' AND f.accepted_at > ?
                                  AND f.id NOT IN (SELECT file FROM consolidation_files WHERE consolidation = ?)
                                  ORDER BY u.code""", (period_code, row[1], row[0])).fetchall()


def periods_summary(ledger) -> list[dict]:
    rows = ledger.conn.execute("""
        SELECT p.code,
               (SELECT count(*) FROM files f WHERE f.period = p.id),
               (SELECT count(*) FROM files f WHERE f.period = p.id AND f.status = 'used'),
               (SELECT max(c.issued) FROM consolidations c WHERE c.period = p.id),
               (SELECT count(*) FROM area_figures a WHERE a.period = p.id)
        FROM periods p ORDER BY p.year, p.kind, p.idx""").fetchall()
    return [{"period": code, "files": files, "used": used, "issued": when, "area_figures": figures,
             "changed_since_issued": [r[0] for r in changed_since_issued(ledger, code)] if when else []}
            for code, files, used, when, figures in rows]


def units_summary(ledger) -> list[dict]:
    rows = ledger.conn.execute("""
        SELECT u.code, u.name, group_concat(DISTINCT p.code), count(f.id)
        FROM units u LEFT JOIN files f ON f.unit = u.id AND f.status = 'used' LEFT JOIN periods p ON p.id = f.period
        GROUP BY u.id ORDER BY u.code""").fetchall()
    return [{"unit": code, "name": name, "periods": sorted((periods or "").split(",")) if periods else [], "returns": n}
            for code, name, periods, n in rows]


def template_prefill(ledger, plan, period) -> dict[str, dict[tuple, tuple]]:
    """What a unit's template for `period` can show from the ledger:
    {unit code: {(row id, indicator id or None, field): (value or None, note[, figure beside])}} —
    its baselines (a value and where it comes from), last period's 本年累计 (a note
    on the input and the figure beside it), and the tasks it reported 已完成 (the status, noted)."""
    from toolkit.periods import period_label

    out: dict[str, dict[tuple, tuple]] = defaultdict(dict)
    known, _, info = baselines(ledger, plan, period)
    rows_of = {ind.id: row.id for _, row, ind in plan.indicators()}
    for (unit, indicator_id), value in known.items():
        where = period_label(info[indicator_id]["period"]) if indicator_id in info else "台账"
        out[unit][(rows_of[indicator_id], indicator_id, "baseline")] = (value, f"取自台账：{where}的数字")
    previous = previous_period(ledger, period)
    if previous is None:
        return out
    label = period_label(previous)
    by_key = {ind.series_key: ind for _, _, ind in plan.indicators()}
    for (unit, key), fields in period_fields(ledger, previous).items():
        ind = by_key.get(key)
        if ind is not None and fields.get("cumulative") is not None:
            out[unit][(rows_of[ind.id], ind.id, "cumulative")] = (None, f"上期（{label}）本年累计：{fields['cumulative']:g}",
                                                                 fields["cumulative"])
    for (unit, row_id), status in task_statuses(ledger, previous).items():
        if status == "已完成":
            out[unit][(row_id, None, "status")] = ("已完成", f"上期（{label}）已报已完成")
    return out
