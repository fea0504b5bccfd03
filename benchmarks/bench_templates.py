"""Benchmark: build fill-in templates for 100 / 1,000 units (target: 1,000 in under 3 s).

    python benchmarks/bench_templates.py [N ...]

Units are the example 丁山镇 list repeated with new codes (offices, centres,
area units, villages, communities), so the layouts are the real ones.
"""

from __future__ import annotations

import platform
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.periods import parse_period  # noqa: E402
from toolkit.plan import load_plan  # noqa: E402
from toolkit.templates import build_templates  # noqa: E402
from toolkit.units import load_units  # noqa: E402


def make_units(n: int):
    base = load_units(ROOT / "examples" / "dingshan-units.csv")
    units = []
    while len(units) < n:
        for unit in base:
            if len(units) == n:
                break
            k = len(units)
            units.append(replace(unit, code=f"{unit.code}-{k:05d}", name=f"{unit.name}{k}" if unit.kind in ("村", "社区") else unit.name))
    return units


def run(n: int) -> float:
    plan = load_plan("dingshan-2026")
    units = make_units(n)
    period = parse_period("2026Q2")
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        result = build_templates(plan, units, period, out)
        elapsed = time.perf_counter() - start
        size = sum(t.path.stat().st_size for t in result.templates)
    print(f"templates  {n:>6} units  {len(result.templates):>6} files  {elapsed:7.2f} s  "
          f"{elapsed / max(1, len(result.templates)) * 1000:6.2f} ms/file  {size / 1e6:6.1f} MB")
    return elapsed


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:]] or [100, 1000]
    print(f"# {platform.processor() or platform.machine()}, Python {platform.python_version()}, {platform.system()}")
    for n in sizes:
        run(n)
