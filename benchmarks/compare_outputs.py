"""Compare the outputs of two toolkit runs, workbook part by workbook part.

    python benchmarks/compare_outputs.py make DIR      # toolkit demo, plus the two other built-in plans
    python benchmarks/compare_outputs.py BEFORE AFTER  # exit 1 when anything differs

BEFORE from another commit, with this checkout's environment:

    git archive REV | tar -x -C /tmp/old && cp benchmarks/compare_outputs.py /tmp/old/benchmarks/
    (cd /tmp/old && PYTHONPATH=/tmp/old ../path/to/.venv/bin/python benchmarks/compare_outputs.py make /tmp/before)

`make` writes `DIR/demo` (`toolkit demo`), `DIR/many` (the demo's returns
consolidated with the sheet limits lowered, so the values and task rows go to
CSV files) and, for dianjiang-2026 and
fenghuang-2024-2026, `DIR/<plan>/`: templates, simulated returns (with
mistakes), marked-up copies, the validation report and the leaders' workbook
(so the task, rate, permille and baseline paths of the writers are covered).

The comparison walks both folders: every file must exist in both; an .xlsx
file is unzipped and each part compared byte for byte (the list of parts
too); any other file is compared whole. Differences in the parts listed in
MAY_DIFFER are reported but allowed: openpyxl stamps the time it saved a
workbook into docProps/core.xml (the simulated returns and the marked-up
copies), so those differ between any two runs, and the zip entries of the
simulated returns carry the time they were written. The reports quote each
return's sha256: a return that differs only in what may differ has its
sha256 in BEFORE's outputs read as its sha256 in AFTER.

The outputs name files by path, and column widths and row heights follow the
length of those names: `make` therefore always works in the same folder
(WORK) and then moves the result to DIR, so that two runs are comparable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

MAY_DIFFER = {"docProps/core.xml"}
WORK = Path(tempfile.gettempdir()) / "toolkit-compare-outputs"


def make(folder: Path) -> None:
    if folder.exists():
        sys.exit(f"{folder} exists: give a new folder")
    shutil.rmtree(WORK, ignore_errors=True)
    _make(WORK)
    shutil.move(WORK, folder)


def _make(folder: Path) -> None:
    from toolkit.pipeline.consolidate import consolidate
    from toolkit.xlsx.leaders import write_consolidated_workbook
    from toolkit.demo import run_demo
    from toolkit.xlsx.feedback import write_feedback
    from toolkit.periods import parse_period
    from toolkit.plan import load_plan
    from toolkit.xlsx.report import write_report_workbook
    from toolkit.simulate import set_saved_time, simulate_returns
    from toolkit.templates import build_templates
    from toolkit.units import Unit
    from toolkit.pipeline.validate import validate_returns

    import toolkit.demo

    not_ours = toolkit.demo._not_ours

    def not_ours_saved_once(path: Path) -> None:  # openpyxl stamps the time of the run: stamp a fixed one
        not_ours(path)
        set_saved_time(path, dt.datetime(2026, 7, 5, 9, 0))

    toolkit.demo._not_ours = not_ours_saved_once
    try:
        run_demo(folder / "demo")
    finally:
        toolkit.demo._not_ours = not_ours
    _many(folder)
    for plan_id, period_code in (("dianjiang-2026", "2026"), ("fenghuang-2024-2026", "2024Q3")):
        out = folder / plan_id
        plan = load_plan(plan_id)
        rows = tuple(row.id for table in plan.tables for row in table.rows)
        units = [Unit(code=f"U{k}", name=f"单位{k}", kind="部门", parent=None, contact=None, rows=rows) for k in range(1, 7)]
        period = parse_period(period_code)
        build_templates(plan, units, period, out / "templates", due=dt.date(2026, 7, 10))
        simulation = simulate_returns(plan, units[:-1], period, out / "returns", seed=11, error_rate=0.5,
                                      templates_dir=out / "templates")
        for k, ret in enumerate(simulation.returns):
            set_saved_time(Path(ret.path), dt.datetime(2026, 7, 1 + k, 9, 0))
        baseline = out / "baseline.csv"
        names = [ind.name for _, _, ind in plan.indicators() if ind.relative]
        baseline.write_text("unit,indicator,value\n" + "".join(f"全域,{name},10\n" for name in names), encoding="utf-8")
        report = validate_returns(plan, [out / "returns"], units=units, period=period)
        write_feedback(report, {f.path: Path(f.path) for f in report.files}, out / "feedback")
        write_report_workbook(report, out / "校验报告.xlsx")
        result = consolidate(plan, [out / "returns"], units=units, period=period, due=dt.date(2026, 7, 10),
                             baseline=baseline)
        write_consolidated_workbook(result, out / "汇总.xlsx")


def _many(folder: Path) -> None:
    """The demo's returns consolidated as if they were too many for the 数据
    and 任务进度 sheets: the CSV files beside the workbook and the sums per task."""
    try:  # the limits' home, and where the stage is, in this layout or the one before
        from toolkit.pipeline.consolidate import consolidate
        from toolkit.xlsx import leaders as workbook
        from toolkit.xlsx import style as limits
    except ImportError:
        import toolkit.consolidate.workbook as workbook
        import toolkit.consolidate.workbook as limits
        from toolkit.consolidate import consolidate
    from toolkit.periods import parse_period
    from toolkit.plan import load_plan
    from toolkit.resources import data_dir
    from toolkit.units import load_units

    saved = limits.DATA_SHEET_LIMIT, limits.TASK_SHEET_LIMIT
    limits.DATA_SHEET_LIMIT, limits.TASK_SHEET_LIMIT = 10, 5
    try:
        plan = load_plan("dingshan-2026")
        units = load_units(data_dir("examples") / "dingshan-units.csv")
        result = consolidate(plan, [folder / "demo" / "2-回收报表"], units=units, period=parse_period("2026Q2"),
                             due=dt.date(2026, 7, 10))
        (folder / "many").mkdir()
        workbook.write_consolidated_workbook(result, folder / "many" / "汇总.xlsx")
    finally:
        limits.DATA_SHEET_LIMIT, limits.TASK_SHEET_LIMIT = saved


def compare(before: Path, after: Path) -> int:
    a = {p.relative_to(before) for p in before.rglob("*") if p.is_file()}
    b = {p.relative_to(after) for p in after.rglob("*") if p.is_file()}
    problems, allowed, same = [], [], 0
    digests: dict[bytes, bytes] = {}  # sha256 of a file in BEFORE -> of the same file in AFTER

    def as_after(data: bytes) -> bytes:
        for old, new in digests.items():
            data = data.replace(old, new)
        return data

    for name in sorted(a ^ b):
        problems.append(f"only in {'before' if name in a else 'after'}: {name}")
    # the inputs first (returns are read by the later steps), so their digests are known
    for name in sorted(a & b, key=lambda n: (not any(part in ("2-回收报表", "returns") for part in n.parts), n)):
        x, y = as_after((before / name).read_bytes()), (after / name).read_bytes()
        if x == y:
            same += 1
            continue
        if name.suffix.lower() != ".xlsx":
            problems.append(f"differs: {name}")
            continue
        with zipfile.ZipFile(before / name) as za, zipfile.ZipFile(after / name) as zb:
            pa, pb = za.namelist(), zb.namelist()
            if pa != pb:
                problems.append(f"parts differ: {name}: {sorted(set(pa) ^ set(pb)) or 'order'}")
                continue
            diff = [part for part in pa if as_after(za.read(part)) != zb.read(part)]
            quoted = [part for part in pa if part not in diff and za.read(part) != zb.read(part)]
        bad = [part for part in diff if part not in MAY_DIFFER]
        if bad:
            problems.append(f"differs: {name}: {', '.join(bad)}")
        else:
            why = [*diff, *(f"{part} (the returns' sha256 only)" for part in quoted)]
            allowed.append(f"{name}: {', '.join(why) or 'zip container only'}")
            digests[hashlib.sha256(x).hexdigest().encode()] = hashlib.sha256(y).hexdigest().encode()
    print(f"{len(a & b)} files in both; {same} byte-identical; {len(allowed)} differ only in {sorted(MAY_DIFFER)}")
    for line in allowed:
        print("  allowed:", line)
    for line in problems:
        print("  PROBLEM:", line)
    return 1 if problems else 0


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "make":
        make(Path(sys.argv[2]))
    elif len(sys.argv) == 3:
        sys.exit(compare(Path(sys.argv[1]), Path(sys.argv[2])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
