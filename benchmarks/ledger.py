"""The ledger's costs and gains (`python benchmarks/run.py --ledger N [--repeat R]`).

Stages (each in a fresh process, through run.py's `measure`): consolidate -o
without and with --db against a ledger holding the previous quarter
(baselines, cross-period checks, recording; the ledger's own parts also timed
inside the run), re-rendering the period from the ledger against reading the
files again (with and without the workbook: the workbook and its CSVs are
written back as the ledger kept them), a 4-quarter trend of every unit one
series at a time, and the ledger's size after four quarters (Q3 and Q4 filed
as SQL copies of Q2, with its consolidation and the files it wrote).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from run import PERIOD, PLAN, make_units, measure, write_units_csv

def _api_consolidate(work: Path, name: str, *, db=None, json_file=False, paths=True, workbook=True) -> dict:
    import toolkit
    import toolkit.rules.checks  # noqa: F401 - imports are not part of the run
    import xlsxwriter  # noqa: F401

    plan, units = toolkit.load_plan(PLAN), toolkit.load_units(work / "units.csv")
    out = work / "out" / name
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    start = time.perf_counter()
    result = toolkit.consolidate(plan, [work / "returns"] if paths else [], units=units, period=PERIOD,
                                 output=out / "汇总.xlsx" if workbook else None, json=out / "汇总.json" if json_file else None,
                                 db=db)
    return {"seconds": time.perf_counter() - start, "files": len(result.files), "values": result.value_count()}


def stage_ledger_seed(work: Path) -> dict:
    """A ledger holding the previous quarter: this quarter's returns recorded, then filed as 2026Q1."""
    import sqlite3

    seed = work / "seed.db"
    for path in work.glob("seed.db*"):
        path.unlink()
    result = _api_consolidate(work, "seed", db=seed)
    with sqlite3.connect(seed) as conn:
        conn.execute("INSERT OR IGNORE INTO periods (code, year, kind, idx) VALUES ('2026Q1', 2026, 'quarter', 1)")
        q1 = conn.execute("SELECT id FROM periods WHERE code = '2026Q1'").fetchone()[0]
        conn.execute("UPDATE files SET period = ?, sha256 = sha256 || ':q1'", (q1,))
        conn.execute("UPDATE consolidations SET period = ?", (q1,))
        conn.execute("UPDATE area_figures SET period = ?", (q1,))
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return result


def stage_consolidate_api(work: Path) -> dict:
    return _api_consolidate(work, "plain")


def stage_consolidate_json(work: Path) -> dict:
    return _api_consolidate(work, "json", json_file=True)


def stage_ledger_record(work: Path) -> dict:
    """consolidate --db against a ledger that holds the previous quarter (baselines, cross-period checks, recording)."""
    run_db = work / "run.db"
    for path in work.glob("run.db*"):
        path.unlink()
    shutil.copy(work / "seed.db", run_db)
    # the ledger's own parts, timed inside the run (less at the mercy of a shared machine than the difference)
    import toolkit.pipeline.crossperiod as crossperiod
    import toolkit.store.history as history
    import toolkit.store.queries as queries
    from toolkit.store.ledger import Ledger

    spent = {"ledger": 0.0}

    def timed(owner, name):
        original = getattr(owner, name)

        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent["ledger"] += time.perf_counter() - start
        setattr(owner, name, wrapper)

    for owner, name in ((Ledger, "record_consolidation"), (crossperiod, "add_cross_period_findings"),
                        (queries, "baselines"), (queries, "window_figures"), (history, "annotate"), (Ledger, "__init__")):
        timed(owner, name)
    result = _api_consolidate(work, "ledger", db=run_db)
    result["ledger_seconds"] = spent["ledger"]
    return result


def stage_ledger_rerender(work: Path) -> dict:
    return _api_consolidate(work, "rerender", db=work / "run.db", json_file=True, paths=False)


def stage_json_only(work: Path) -> dict:
    return _api_consolidate(work, "json-only", json_file=True, workbook=False)


def stage_ledger_rerender_json(work: Path) -> dict:
    return _api_consolidate(work, "rerender-json", db=work / "run.db", json_file=True, paths=False, workbook=False)


def stage_ledger_trend(work: Path) -> dict:
    """Q3 and Q4 filed as copies of Q2 (SQL), then a 4-quarter trend of every unit, one series at a time; the size."""
    import sqlite3

    from toolkit.store import open_ledger
    from toolkit.store.queries import unit_series

    db = work / "run.db"
    with sqlite3.connect(db) as conn:
        q2 = conn.execute("SELECT id FROM periods WHERE code = '2026Q2'").fetchone()[0]
        for index in (3, 4):
            conn.execute("INSERT INTO periods (code, year, kind, idx) VALUES (?, 2026, 'quarter', ?)", (f"2026Q{index}", index))
            period = conn.execute("SELECT id FROM periods WHERE code = ?", (f"2026Q{index}",)).fetchone()[0]
            conn.execute("""INSERT INTO files (sha256, path, unit, period, saved, status, first_run, last_run, accepted_at, findings)
                            SELECT sha256 || ?, path, unit, ?, saved, status, first_run, last_run, accepted_at, findings
                            FROM files WHERE period = ? AND status = 'used'""", (f":q{index}", period, q2))
            conn.execute("""INSERT INTO cells (file, series, row_id, field, number, text, sheet, cell)
                            SELECT n.id, c.series, c.row_id, c.field, c.number, c.text, c.sheet, c.cell
                            FROM cells c JOIN files o ON o.id = c.file JOIN files n ON n.sha256 = o.sha256 || ?
                            WHERE o.period = ?""", (f":q{index}", q2))
            # the quarter's consolidation issued, with the leaders' workbook and CSVs it wrote
            latest = conn.execute("SELECT max(id) FROM consolidations WHERE period = ?", (q2,)).fetchone()[0]
            copied = conn.execute("""INSERT INTO consolidations (run, period, issued, json_sha256, json_gz)
                                     SELECT run, ?, issued, json_sha256, json_gz FROM consolidations WHERE id = ?""",
                                  (period, latest)).lastrowid
            conn.execute("""INSERT INTO consolidation_outputs (consolidation, role, name, sha256, size, body)
                            SELECT ?, role, name, sha256, size, body FROM consolidation_outputs WHERE consolidation = ?""",
                         (copied, latest))
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    ledger = open_ledger(db)
    keys = [k for (k,) in ledger.conn.execute("SELECT key FROM series ORDER BY id")]
    quarters = [f"2026Q{i}" for i in range(1, 5)]
    timings = []
    units = 0
    for key in keys:
        start = time.perf_counter()
        trend = unit_series(ledger, key, quarters)
        timings.append(time.perf_counter() - start)
        units = max(units, len(trend))
    cells = ledger.conn.execute("SELECT count(*) FROM cells").fetchone()[0]
    issued = ledger.conn.execute("""SELECT count(DISTINCT c.id), sum(length(c.json_gz)),
                                    (SELECT sum(length(body)) FROM consolidation_outputs)
                                    FROM consolidations c""").fetchone()
    ledger.close()
    return {"seconds": max(timings), "mean": sum(timings) / len(timings), "series": len(keys), "units": units,
            "files": units, "cells": cells, "bytes": db.stat().st_size, "consolidations": issued[0],
            "consolidation_bytes": (issued[1] or 0) + (issued[2] or 0)}


def ledger_benchmark(n: int, repeat: int = 1) -> None:
    work = Path(tempfile.mkdtemp(prefix=f"toolkit-ledger-{n}-"))
    try:
        write_units_csv(make_units(n), work / "units.csv")
        measure("returns", work)
        seed = measure("ledger-seed", work)
        best = {}
        for _ in range(max(1, repeat)):  # taking turns; the fastest of each kept
            for stage in ("consolidate-api", "ledger-record", "consolidate-json", "ledger-rerender", "json-only",
                          "ledger-rerender-json"):
                r = measure(stage, work)
                if stage not in best or r["seconds"] < best[stage]["seconds"]:
                    best[stage] = r
        plain, recorded = best["consolidate-api"], best["ledger-record"]
        with_json, rerender = best["consolidate-json"], best["ledger-rerender"]
        json_only, rerender_json = best["json-only"], best["ledger-rerender-json"]
        trend = measure("ledger-trend", work)
        values = seed["values"]
        print(f"| {n:,} returns, {values:,} values | consolidate -o | {plain['seconds']:.2f} s |")
        print(f"| | consolidate -o --db (previous quarter in the ledger; baselines, cross-period checks, recording) "
              f"| {recorded['seconds']:.2f} s (+{(recorded['seconds'] / plain['seconds'] - 1) * 100:.0f}%; the ledger's own "
              f"parts inside it {recorded['ledger_seconds']:.2f} s = {recorded['ledger_seconds'] / plain['seconds'] * 100:.0f}% "
              f"of consolidate -o) |")
        print(f"| | consolidate -o --json from the files | {with_json['seconds']:.2f} s |")
        print(f"| | consolidate -o --json --db, re-rendered from the ledger | {rerender['seconds']:.2f} s "
              f"({with_json['seconds'] / rerender['seconds']:.1f}× faster) |")
        print(f"| | consolidate --json (no workbook) from the files | {json_only['seconds']:.2f} s |")
        print(f"| | consolidate --json --db (no workbook), re-rendered from the ledger | {rerender_json['seconds']:.2f} s "
              f"({json_only['seconds'] / rerender_json['seconds']:.1f}× faster) |")
        print(f"| | 4-quarter trend of all {trend['units']:,} units, one series (slowest of {trend['series']}; mean) "
              f"| {trend['seconds'] * 1000:.0f} ms; {trend['mean'] * 1000:.0f} ms |")
        print(f"| | ledger of 4 quarters ({trend['cells']:,} cells, {trend['consolidations']} consolidations issued) "
              f"| {trend['bytes'] / 2**20:.0f} MB ({trend['consolidation_bytes'] / 2**20:.0f} MB of it the consolidations "
              f"and their workbooks and CSVs; {(trend['bytes'] - trend['consolidation_bytes']) / trend['cells']:.0f} "
              f"bytes per cell for the rest) |")
        print(f"| | peak RSS: consolidate {plain['max_rss_mb']:.0f} MB, with --db {recorded['max_rss_mb']:.0f} MB, "
              f"re-render {rerender['max_rss_mb']:.0f} MB | |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


LEDGER_STAGES = {"ledger-seed": stage_ledger_seed, "consolidate-api": stage_consolidate_api,
                 "consolidate-json": stage_consolidate_json, "ledger-record": stage_ledger_record,
                 "ledger-rerender": stage_ledger_rerender, "ledger-trend": stage_ledger_trend, "json-only": stage_json_only,
                 "ledger-rerender-json": stage_ledger_rerender_json}
