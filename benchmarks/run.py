"""Benchmarks: templates, validate and consolidate at 100, 1,000 and 10,000 units,
beside the straightforward approach and the floor.

    python benchmarks/run.py [--sizes 100,1000,10000] [--naive-sample 200] [--repeat 1] [--out docs/benchmarks.md]

Each measurement runs in a fresh process so its peak memory (max RSS) is its
own. For every size:

- templates:   toolkit's build of one workbook per unit;
- read:        toolkit's reading alone (gate, identification, input cells; in
               worker processes, one per core), the part validate and
               consolidate share;
- validate:    toolkit's validate over all returns;
- consolidate: toolkit's consolidate (validate + roll-up + the leaders' workbook);
- floor:       python-calamine reading every sheet of the same files, nothing else,
               with as many worker processes as toolkit reads with (min(cores, 4),
               the same batches and start method), so the ratios compare like with like;
- floor-1:     the same in one process (the floor of the results before 2026-11-30,
               which flattered every ratio about 2× on two cores);
- ledger (--ledger N, on its own): consolidate with and without --db,
               re-rendering a period from the ledger against reading the files
               again, a 4-quarter trend query, the ledger's size;
- naive:       the straightforward approach: pandas.read_excel (openpyxl) of each
               file, one pandera call per file, openpyxl writing the output. It is
               measured on --naive-sample files spread over all the returns and
               scaled linearly (it is linear: every file costs about the same),
               because it takes minutes per thousand.

With --repeat N every stage is measured N times, the stages taking turns, and
the fastest run of each is reported (on a shared machine the others are
slowed by what else runs). The load average before and after is printed.

Returns are made with toolkit.simulate (real templates filled through openpyxl;
for speed a few filled variants per layout are stamped for the other units).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PLAN = "dingshan-2026"
PERIOD = "2026Q2"


def make_units(n: int):
    """n units shaped like the 丁山镇 list: its offices and units, then villages and communities."""
    from toolkit.units import load_units

    base = load_units(ROOT / "examples" / "dingshan-units.csv")
    fixed = [u for u in base if u.kind not in ("村", "社区")]
    places = [u for u in base if u.kind in ("村", "社区")]
    units = list(fixed[: min(len(fixed), max(1, n // 10))])
    k = 0
    while len(units) < n:
        place = places[k % len(places)]
        units.append(replace(place, code=f"{place.code}-{k:05d}", name=f"{place.name}{k}"))
        k += 1
    return units


def write_units_csv(units, path: Path) -> None:
    import csv

    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name", "kind"])
        for unit in units:
            writer.writerow([unit.code, unit.name, unit.kind or ""])


# ------------------------------------------------------------------ stages (run in a child process)


def stage_templates(work: Path) -> dict:
    from toolkit.periods import parse_period
    from toolkit.plan import load_plan
    from toolkit.templates import build_templates
    from toolkit.units import load_units

    plan, units = load_plan(PLAN), load_units(work / "units.csv")
    start = time.perf_counter()
    result = build_templates(plan, units, parse_period(PERIOD), work / "templates")
    return {"seconds": time.perf_counter() - start, "files": len(result.templates)}


def stage_returns(work: Path) -> dict:
    from toolkit.periods import parse_period
    from toolkit.plan import load_plan
    from toolkit.simulate import simulate_returns
    from toolkit.units import load_units

    plan, units = load_plan(PLAN), load_units(work / "units.csv")
    start = time.perf_counter()
    simulation = simulate_returns(plan, units, parse_period(PERIOD), work / "returns", seed=1, variants=5)
    return {"seconds": time.perf_counter() - start, "files": len(simulation.returns)}


def stage_validate(work: Path) -> dict:
    from toolkit.periods import parse_period
    from toolkit.plan import load_plan
    from toolkit.units import load_units
    from toolkit.pipeline.validate import validate_returns

    import toolkit.rules.checks  # noqa: F401 - imports (pandas, pandera) are not part of the run

    plan, units = load_plan(PLAN), load_units(work / "units.csv")
    start = time.perf_counter()
    report = validate_returns(plan, [work / "returns"], units=units, period=parse_period(PERIOD))
    return {"seconds": time.perf_counter() - start, "files": len(report.files),
            "valid": sum(1 for f in report.files if f.valid)}


def stage_read(work: Path) -> dict:
    """The reading part of validate and consolidate alone (worker processes)."""
    from toolkit.plan import load_plan
    from toolkit.intake import read_returns

    import toolkit.rules.checks  # noqa: F401 - imports are not part of the run

    plan = load_plan(PLAN)
    start = time.perf_counter()
    returns = read_returns([work / "returns"], plan)
    return {"seconds": time.perf_counter() - start, "files": len(returns)}


def stage_consolidate(work: Path) -> dict:
    from toolkit.pipeline.consolidate import consolidate
    from toolkit.xlsx.leaders import write_consolidated_workbook
    from toolkit.periods import parse_period
    from toolkit.plan import load_plan
    from toolkit.units import load_units

    import xlsxwriter  # noqa: F401

    import toolkit.rules.checks  # noqa: F401 - imports are not part of the run

    plan, units = load_plan(PLAN), load_units(work / "units.csv")
    start = time.perf_counter()
    result = consolidate(plan, [work / "returns"], units=units, period=parse_period(PERIOD))
    write_consolidated_workbook(result, work / "汇总.xlsx")
    return {"seconds": time.perf_counter() - start, "files": len(result.files), "values": len(result.values)}


def floor_read(paths) -> int:
    """python-calamine reading every sheet of `paths`; the number of cells."""
    from python_calamine import CalamineWorkbook

    cells = 0
    for path in paths:
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            cells += sum(len(row) for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False))
    return cells


def floor_workers(files: int) -> int:
    """As many processes as toolkit.read.read_returns reads with."""
    return max(1, min(os.cpu_count() or 1, 4, files))


def stage_floor(work: Path) -> dict:
    """The floor with toolkit's number of worker processes, its batch size and
    its start method (pool start-up included, as in toolkit's figures)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import python_calamine  # noqa: F401 - imports are not part of the run

    files = sorted((work / "returns").glob("*.xlsx"))
    workers = floor_workers(len(files))
    size = max(1, min(64, len(files) // (workers * 4) or 1))  # toolkit's batches
    batches = [files[i:i + size] for i in range(0, len(files), size)]
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    start = time.perf_counter()
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method)) as pool:
        cells = sum(pool.map(floor_read, batches))
    return {"seconds": time.perf_counter() - start, "files": len(files), "cells": cells, "workers": workers}


def stage_floor_1(work: Path) -> dict:
    """The floor in one process."""
    import python_calamine  # noqa: F401

    files = sorted((work / "returns").glob("*.xlsx"))
    start = time.perf_counter()
    cells = floor_read(files)
    return {"seconds": time.perf_counter() - start, "files": len(files), "cells": cells, "workers": 1}


def stage_naive(work: Path, sample: int) -> dict:
    """One file at a time: pandas.read_excel with openpyxl, a pandera schema
    per file, and the merged values written with openpyxl."""
    import openpyxl
    import pandas as pd
    import pandera.pandas as pa

    files = sorted((work / "returns").glob("*.xlsx"))
    files = files[:: max(1, len(files) // sample)][:sample]  # spread over all kinds of units
    start = time.perf_counter()
    rows = []
    for path in files:
        sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl", header=1)
        for name, frame in sheets.items():
            if name.startswith("_") or name == "填报说明":
                continue
            numeric = [c for c in ("本期数值", "本年累计", "分子", "分母") if c in frame]
            schema = pa.DataFrameSchema({c: pa.Column(float, pa.Check.ge(0), nullable=True, coerce=True) for c in numeric})
            try:
                frame = schema.validate(frame, lazy=True)
            except pa.errors.SchemaErrors:
                pass
            for record in frame[numeric].itertuples():
                rows.append((path.name, name, *record))
    out = openpyxl.Workbook()
    sheet = out.active
    for row in rows:
        sheet.append([str(v) if not isinstance(v, (int, float)) else v for v in row])
    out.save(work / "naive.xlsx")
    return {"seconds": time.perf_counter() - start, "files": len(files)}


def stage_hostile(work: Path) -> dict:
    """Validate a folder mixing the good returns with hostile and broken files."""
    import os
    import zipfile

    import openpyxl

    from toolkit.periods import parse_period
    from toolkit.plan import load_plan
    from toolkit.pipeline.validate import validate_returns

    import toolkit.rules.checks  # noqa: F401

    returns = sorted((work / "returns").glob("*.xlsx"))
    source = returns[0].read_bytes()
    bad = work / "returns" / "zz-bad"
    bad.mkdir(exist_ok=True)
    far = openpyxl.load_workbook(returns[0])
    far.worksheets[1]["XFD1048576"] = 1
    far.save(bad / "far.xlsx")
    with zipfile.ZipFile(bad / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 2**20))
    for n in range(20):
        (bad / f"cut{n}.xlsx").write_bytes(source[: len(source) * (n + 1) // 22])
        (bad / f"noise{n}.xlsx").write_bytes(os.urandom(4000))
    (bad / "big.xlsx").write_bytes(b"PK\x03\x04" + os.urandom(25 * 2**20))
    plan = load_plan(PLAN)
    start = time.perf_counter()
    report = validate_returns(plan, [work / "returns"], period=parse_period(PERIOD))
    seconds = time.perf_counter() - start
    good = sum(1 for f in report.files if f.status == "used")
    flagged = sum(1 for f in report.files if f.status != "used" and f.errors)
    return {"seconds": seconds, "files": len(report.files), "good_used": good, "good": len(returns),
            "bad": len(report.files) - len(returns), "bad_flagged": flagged}


# ------------------------------------------------------------------ the ledger (--ledger N)


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
                        (queries, "baselines"), (history, "annotate"), (Ledger, "__init__")):
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
    ledger.close()
    return {"seconds": max(timings), "mean": sum(timings) / len(timings), "series": len(keys), "units": units,
            "files": units, "cells": cells, "bytes": db.stat().st_size}


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
              f"({json_only['seconds'] / rerender_json['seconds']:.0f}× faster) |")
        print(f"| | 4-quarter trend of all {trend['units']:,} units, one series (slowest of {trend['series']}; mean) "
              f"| {trend['seconds'] * 1000:.0f} ms; {trend['mean'] * 1000:.0f} ms |")
        print(f"| | ledger of 4 quarters ({trend['cells']:,} cells) | {trend['bytes'] / 2**20:.0f} MB "
              f"({trend['bytes'] / trend['cells']:.0f} bytes per cell) |")
        print(f"| | peak RSS: consolidate {plain['max_rss_mb']:.0f} MB, with --db {recorded['max_rss_mb']:.0f} MB, "
              f"re-render {rerender['max_rss_mb']:.0f} MB | |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


STAGES = {"ledger-seed": stage_ledger_seed, "consolidate-api": stage_consolidate_api,
          "consolidate-json": stage_consolidate_json, "ledger-record": stage_ledger_record,
          "ledger-rerender": stage_ledger_rerender, "ledger-trend": stage_ledger_trend, "json-only": stage_json_only,
          "ledger-rerender-json": stage_ledger_rerender_json,
          "templates": stage_templates, "returns": stage_returns, "read": stage_read, "validate": stage_validate,
          "consolidate": stage_consolidate, "floor": stage_floor, "floor-1": stage_floor_1, "hostile": stage_hostile}


def child(stage: str, work: Path, sample: int) -> None:
    result = stage_naive(work, sample) if stage == "naive" else STAGES[stage](work)
    # the largest process: the run itself, or one of its worker processes
    result["max_rss_mb"] = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    print(json.dumps(result))


def measure(stage: str, work: Path, sample: int = 0) -> dict:
    completed = subprocess.run([sys.executable, __file__, "--child", stage, "--work", str(work), "--naive-sample", str(sample)],
                               capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"{stage} failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ report


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB, Python {platform.python_version()}, {platform.system()}"


def load() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--naive-sample", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=1, help="measure every stage N times, keep the fastest")
    parser.add_argument("--out", help="also write the results as Markdown to this file")
    parser.add_argument("--hostile", type=int, metavar="N", help="only: validate N good returns mixed with hostile files")
    parser.add_argument("--ledger", type=int, metavar="N", help="only: the ledger's costs and gains at N returns")
    parser.add_argument("--child")
    parser.add_argument("--work")
    args = parser.parse_args()
    if args.child:
        child(args.child, Path(args.work), args.naive_sample)
        return
    if args.ledger:
        ledger_benchmark(args.ledger, args.repeat)
        return
    if args.hostile:
        work = Path(tempfile.mkdtemp(prefix="toolkit-hostile-"))
        try:
            write_units_csv(make_units(args.hostile), work / "units.csv")
            measure("returns", work)
            r = measure("hostile", work)
            print(f"hostile corpus: {r['files']} files: {r['good_used']} of {r['good']} good returns used, "
                  f"{r['bad_flagged']} of {r['bad']} bad files with an error finding; "
                  f"validated in {r['seconds']:.2f} s, peak RSS {r['max_rss_mb']:.0f} MB")
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return

    lines = [f"Machine: {machine()}", f"Load average (1, 5, 15 min) at the start: {load()}"
             + (f"; each stage measured {args.repeat} times, the fastest shown" if args.repeat > 1 else ""), "",
             f"| units | stage | seconds | ms per file | peak RSS, largest process (MB) | vs floor ({floor_workers(10**6)} processes) "
             "| vs floor (1 process) | naive ÷ toolkit |",
             "|---:|---|---:|---:|---:|---:|---:|---:|"]
    print("\n".join(lines), flush=True)
    for n in (int(s) for s in args.sizes.split(",")):
        work = Path(tempfile.mkdtemp(prefix=f"toolkit-bench-{n}-"))
        try:
            write_units_csv(make_units(n), work / "units.csv")
            sample = min(n, args.naive_sample)
            results = {"returns": measure("returns", work)}
            for _ in range(max(1, args.repeat)):  # the stages take turns; the fastest of each is kept
                for stage in ("templates", "read", "validate", "consolidate", "floor", "floor-1", "naive"):
                    r = measure(stage, work, sample if stage == "naive" else 0)
                    if stage not in results or r["seconds"] < results[stage]["seconds"]:
                        results[stage] = r
            naive = results["naive"]
            files = results["validate"]["files"]
            naive_seconds = naive["seconds"] * files / max(1, naive["files"])
            floor, floor_1 = results["floor"]["seconds"], results["floor-1"]["seconds"]
            rows = []
            for stage in ("templates", "read", "validate", "consolidate", "floor", "floor-1"):
                r = results[stage]
                compared = stage in ("read", "validate", "consolidate")
                ratio_floor = f"{r['seconds'] / floor:.1f}×" if compared else ""
                ratio_floor_1 = f"{r['seconds'] / floor_1:.1f}×" if compared else ""
                ratio_naive = f"{naive_seconds / r['seconds']:.0f}×" if stage in ("validate", "consolidate") else ""
                label = stage if not stage.startswith("floor") else \
                    "floor (1 process)" if stage == "floor-1" else f"floor ({r['workers']} processes)"
                rows.append(f"| {n:,} | {label} | {r['seconds']:.2f} | {r['seconds'] / max(1, r['files']) * 1000:.2f} | "
                            f"{r['max_rss_mb']:.0f} | {ratio_floor} | {ratio_floor_1} | {ratio_naive} |")
            scaled = "" if naive["files"] == files else f" (measured on {naive['files']} files, scaled ×{files / naive['files']:.0f})"
            rows.append(f"| {n:,} | naive{scaled} | {naive_seconds:.1f} | {naive_seconds / files * 1000:.1f} | {naive['max_rss_mb']:.0f} | | | |")
            print("\n".join(rows), flush=True)
            lines.extend(rows)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print(f"Load average at the end: {load()}")
    lines.append(f"\nLoad average at the end: {load()}")
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
