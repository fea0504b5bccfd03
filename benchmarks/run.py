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
    write_consolidated_workbook(result, work / "汇总.xlsx", fork=True)  # as the consolidate command does (its own process)
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


STAGES = {"templates": stage_templates, "returns": stage_returns, "read": stage_read, "validate": stage_validate,
          "consolidate": stage_consolidate, "floor": stage_floor, "floor-1": stage_floor_1, "hostile": stage_hostile}


def child(stage: str, work: Path, sample: int) -> None:
    from ledger import LEDGER_STAGES  # benchmarks/ledger.py

    stages = {**STAGES, **LEDGER_STAGES}
    result = stage_naive(work, sample) if stage == "naive" else stages[stage](work)
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
        from ledger import ledger_benchmark  # benchmarks/ledger.py

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
