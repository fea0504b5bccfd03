"""Compare every output of toolkit between two versions of the code.

    python benchmarks/compare_outputs.py REV                 # revision REV against this working tree
    python benchmarks/compare_outputs.py REV --keep DIR      # ... and keep REV's outputs in DIR
    python benchmarks/compare_outputs.py --ref-outputs DIR   # outputs kept earlier against this working tree
    python benchmarks/compare_outputs.py --ref-tree A [--tree B]   # two source folders
    python benchmarks/compare_outputs.py --outputs A B       # only compare two output folders

For each version it runs, in a fresh process with that version's source first
on PYTHONPATH (the dependencies are those of the running Python):

- `toolkit demo demo` (all four folders, and what it prints);
- a corpus of --units simulated units (default 100, shaped like the 丁山镇 list,
  as in benchmarks/run.py): `toolkit simulate` (returns and simulation.json),
  then, on the reference version's simulated returns so that both versions
  read the same input, `validate` with --report and --feedback (and what it
  prints), `validate --json`, and `consolidate -o … --json …` (and what it
  prints; the values and task CSVs beside the workbook).

Every version runs in the same folder (--stage), so paths inside the outputs
are the same. Then the two output folders are compared file by file:

- .xlsx/.xlsm/.docx by their zip parts, byte for byte, naming the parts that
  differ; a docProps/core.xml that differs only in its created/modified times
  is reported as a timestamp difference and does not count;
- .json by parsed equality, listing the differing paths;
- everything else (.csv, .xls, printed text, exit codes) byte for byte.

Prints a short report; exit 0 when the outputs are the same, 1 when they
differ, 2 when a version could not be run.

The reference revision is taken with `git archive` (no worktree, no checkout)
into a temporary folder. Its dependencies must be those of this Python's
environment (they are, unless pyproject.toml changed them).
"""

from __future__ import annotations

import argparse
import csv
import fcntl
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLAN = "dingshan-2026"
PERIOD = "2026Q2"
DUE = "2026-07-10"
ZIPPED = {".xlsx", ".xlsm", ".docx"}
CORE_TIMES = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")
SHOWN = 8  # differing parts or JSON paths shown per file


# ------------------------------------------------------------------ making the outputs


def units_csv(n: int, source: Path, target: Path) -> None:
    """n units shaped like the 丁山镇 list (see benchmarks/run.py make_units):
    its offices and units, then villages and communities repeated."""
    with open(source, encoding="utf-8-sig", newline="") as handle:
        base = list(csv.DictReader(handle))
    fixed = [u for u in base if u["kind"] not in ("村", "社区")]
    places = [u for u in base if u["kind"] in ("村", "社区")]
    rows = [(u["code"], u["name"], u["kind"]) for u in fixed[: min(len(fixed), max(1, n // 10))]]
    k = 0
    while len(rows) < n:
        place = places[k % len(places)]
        rows.append((f"{place['code']}-{k:05d}", f"{place['name']}{k}", place["kind"]))
        k += 1
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name", "kind"])
        writer.writerows(rows)


def run_toolkit(tree: Path, stage: Path, name: str, *args: str, stdout_file: str | None = None) -> int:
    """`python -m toolkit ARGS` from source tree `tree`, in `stage`; what it
    prints and its exit code are kept as outputs too."""
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONHASHSEED="0")
    env.pop("PYTHONFAULTHANDLER", None)
    completed = subprocess.run([sys.executable, "-m", "toolkit", *args], cwd=stage, env=env,
                               capture_output=True, check=False)
    (stage / "printed").mkdir(exist_ok=True)
    (stage / (stdout_file or f"printed/{name}.stdout.txt")).write_bytes(completed.stdout)
    (stage / f"printed/{name}.exit.txt").write_text(f"{completed.returncode}\n")
    if completed.returncode not in (0, 1):  # 1: some return has errors, which the corpus has on purpose
        raise RuntimeError(f"{name} failed ({completed.returncode}) with {tree}:\n{completed.stderr.decode(errors='replace')[-3000:]}")
    return completed.returncode


def make_outputs(tree: Path, stage: Path, out: Path, units: int, inputs: Path | None) -> None:
    """All outputs of `tree` into `out`, made in `stage`. `inputs` holds the
    reference's simulated returns (None: this is the reference; use its own)."""
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    check = subprocess.run([sys.executable, "-c", "import toolkit, sys; sys.stdout.write(toolkit.__file__)"], cwd=stage,
                           env=dict(os.environ, PYTHONPATH=str(tree)), capture_output=True, text=True, check=True)
    if not Path(check.stdout).resolve().is_relative_to(tree.resolve()):
        raise RuntimeError(f"python imports toolkit from {check.stdout}, not from {tree}")
    run_toolkit(tree, stage, "demo", "demo", "demo")
    units_csv(units, ROOT / "examples" / "dingshan-units.csv", stage / "corpus" / "units.csv")
    run_toolkit(tree, stage, "simulate", "simulate", PLAN, "--units", "corpus/units.csv", "--period", PERIOD,
                "--seed", "7", "--error-rate", "0.2", "-o", "corpus/simulated")
    if inputs is None:
        shutil.copytree(stage / "corpus" / "simulated", stage / "corpus" / "input", ignore=shutil.ignore_patterns("simulation.json"))
    else:
        shutil.copytree(inputs, stage / "corpus" / "input")
    common = ["corpus/input", "--units", "corpus/units.csv", "--period", PERIOD]
    run_toolkit(tree, stage, "validate", "validate", PLAN, *common, "--feedback", "corpus/feedback",
                "--report", "corpus/校验报告.xlsx")
    run_toolkit(tree, stage, "validate-json", "validate", PLAN, *common, "--json",
                stdout_file="corpus/validate.json")
    (stage / "corpus" / "consolidated").mkdir()
    run_toolkit(tree, stage, "consolidate", "consolidate", PLAN, *common, "--due", DUE,
                "-o", "corpus/consolidated/汇总.xlsx", "--json", "corpus/consolidated/汇总.json")
    shutil.rmtree(out, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(stage, out)  # copytree keeps the files' times
    (out / "SOURCE.txt").write_text(f"outputs of {tree}, made in {stage}, {units} units\n")
    shutil.rmtree(stage, ignore_errors=True)


def export_revision(revision: str, target: Path) -> str:
    """The files of `revision` in `target` (git archive); returns the full hash."""
    full = subprocess.run(["git", "rev-parse", "--verify", f"{revision}^{{commit}}"], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout.strip()
    archive = subprocess.run(["git", "archive", "--format=tar", full], cwd=ROOT, capture_output=True, check=True).stdout
    target.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return full


# ------------------------------------------------------------------ comparing


def json_diff(a, b, path="$", out=None):
    """Paths at which two parsed JSON values differ."""
    out = [] if out is None else out
    if type(a) is not type(b) and not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
        out.append(f"{path}: {type(a).__name__} vs {type(b).__name__}")
    elif isinstance(a, dict):
        for key in sorted(set(a) | set(b), key=str):
            if key not in b:
                out.append(f"{path}.{key}: only in reference")
            elif key not in a:
                out.append(f"{path}.{key}: only in new")
            else:
                json_diff(a[key], b[key], f"{path}.{key}", out)
    elif isinstance(a, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} items vs {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)):
            json_diff(x, y, f"{path}[{i}]", out)
    elif a != b and not (a != a and b != b):  # NaN equals NaN here
        out.append(f"{path}: {short(a)} vs {short(b)}")
    return out


def short(value) -> str:
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 60 else text[:57] + "..."


def compare_zip(a: Path, b: Path, subst=None) -> tuple[list[str], list[str]]:
    """(differences, notes) between two zip-based documents; `subst` rewrites
    the reference's bytes before they are compared (see compare_folders)."""
    subst = subst or (lambda data: data)
    try:
        za, zb = zipfile.ZipFile(a), zipfile.ZipFile(b)
    except zipfile.BadZipFile:
        return ([] if a.read_bytes() == b.read_bytes() else ["not a zip; bytes differ"]), []
    with za, zb:
        names_a, names_b = za.namelist(), zb.namelist()
        problems, notes = [], []
        only_a, only_b = sorted(set(names_a) - set(names_b)), sorted(set(names_b) - set(names_a))
        problems += [f"part only in reference: {n}" for n in only_a] + [f"part only in new: {n}" for n in only_b]
        if not (only_a or only_b) and names_a != names_b:
            problems.append("parts in another order")
        for name in (n for n in names_a if n in set(names_b)):
            x, y = subst(za.read(name)), zb.read(name)
            if x == y:
                continue
            if name == "docProps/core.xml" and CORE_TIMES.sub(b"", x) == CORE_TIMES.sub(b"", y):
                notes.append("docProps/core.xml differs only in its created/modified times")
            else:
                problems.append(f"part differs: {name}")
        if not problems and not notes and a.read_bytes() != b.read_bytes():
            notes.append("same parts, different zip metadata (entry times or compression)")
    return problems, notes


def compare_file(a: Path, b: Path, subst=None) -> tuple[list[str], list[str]]:
    if a.suffix.lower() in ZIPPED:
        return compare_zip(a, b, subst)
    x, y = (subst or (lambda data: data))(a.read_bytes()), b.read_bytes()
    if x == y:
        return [], []
    if a.suffix.lower() == ".json":
        try:
            paths = json_diff(json.loads(x), json.loads(y))
        except ValueError:
            return ["not valid JSON; bytes differ"], []
        return (paths or []), ([] if paths else ["same JSON, formatted differently"])
    lines_a, lines_b = x.splitlines(), y.splitlines()
    first = next((i for i, (p, q) in enumerate(zip(lines_a, lines_b)) if p != q), min(len(lines_a), len(lines_b)))
    return [f"bytes differ from line {first + 1} ({len(lines_a)} vs {len(lines_b)} lines)"], []


def compare_folders(ref: Path, new: Path) -> int:
    """Print the report; return the number of differing files."""
    def files(root):
        return {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file() and p.name != "SOURCE.txt"}

    fa, fb = files(ref), files(new)
    differing, notes, same = [], [], 0
    for rel in sorted(set(fa) - set(fb)):
        differing.append((rel, ["only in reference"]))
    for rel in sorted(set(fb) - set(fa)):
        differing.append((rel, ["only in new"]))
    compared = {rel: compare_file(fa[rel], fb[rel]) for rel in sorted(set(fa) & set(fb))}
    # Files that are the same but for zip entry times or core.xml times (the
    # demo's returns, saved by openpyxl at run time) have other sha256 sums,
    # and the outputs that name a file by its sha256 differ in just that:
    # those are compared again with the reference's sums replaced by the new.
    # Likewise the saved time of a file written at run time (core.xml), which
    # the outputs show as text or as a spreadsheet date number.
    renamed = {}
    for rel, (problems, _) in compared.items():
        if not problems:
            sum_a, sum_b = sha256(fa[rel]), sha256(fb[rel])
            if sum_a != sum_b:
                renamed[sum_a.encode()] = sum_b.encode()
                renamed.update(time_forms(fa[rel], fb[rel]))

    def subst(data: bytes) -> bytes:
        for old, new in renamed.items():
            data = data.replace(old, new)
        return data

    for rel, (problems, file_notes) in compared.items():
        if problems and renamed:
            again, again_notes = compare_file(fa[rel], fb[rel], subst)
            if not again:
                problems, file_notes = [], again_notes + ["differs only in the sha256 or saved time of inputs that differ only in times"]
            else:  # show what is left once those are set aside
                problems = again + ["(shown with the sha256 and saved times of such inputs set aside)"]
        if problems:
            differing.append((rel, problems))
        else:
            same += 1
        notes += [(rel, n) for n in file_notes]
    print(f"reference: {ref}\nnew:       {new}")
    print(f"{len(set(fa) | set(fb))} files: {same} the same, {len(differing)} different")
    if notes:
        kinds: dict[str, list[str]] = {}
        for rel, note in notes:
            kinds.setdefault(note, []).append(rel)
        print("not counted as differences:")
        for note, rels in kinds.items():
            print(f"  {len(rels)} file(s): {note} (e.g. {ascii_path(rels[0])})")
    for rel, problems in differing:
        print(f"DIFFERENT {ascii_path(rel)}")
        for problem in problems[:SHOWN]:
            print(f"    {problem}")
        if len(problems) > SHOWN:
            print(f"    ... and {len(problems) - SHOWN} more")
    print("RESULT: " + ("the same" if not differing else f"{len(differing)} file(s) differ"))
    return len(differing)


def core_times(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as archive:
            core = archive.read("docProps/core.xml")
    except (zipfile.BadZipFile, KeyError, OSError):
        return []
    return [m.group(2).decode() for m in re.finditer(rb"<dcterms:(created|modified)[^>]*>([^<]*)<", core)]


def time_forms(a: Path, b: Path) -> dict[bytes, bytes]:
    """The saved times of two files, as the outputs may write them: ISO text
    and spreadsheet date numbers (days since 1899-12-30)."""
    import datetime as dt

    forms = {}
    for x, y in zip(core_times(a), core_times(b)):
        if x == y:
            continue
        try:
            tx, ty = (dt.datetime.fromisoformat(t.rstrip("Z")) for t in (x, y))
        except ValueError:
            continue
        dx, dy = ((t - dt.datetime(1899, 12, 30)).total_seconds() / 86400 for t in (tx, ty))
        pairs = [(x, y), (tx.isoformat(), ty.isoformat()), (str(tx), str(ty)), (repr(dx), repr(dy))]
        pairs += [(f"%.{n}g" % dx, f"%.{n}g" % dy) for n in (15, 16, 17)]
        forms.update((p.encode(), q.encode()) for p, q in pairs if p != q)
    return forms


def sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def ascii_path(rel: str) -> str:
    """A path as printed: non-ASCII names escaped, so the report reads in any terminal."""
    return rel.encode("ascii", "backslashreplace").decode("ascii")


# ------------------------------------------------------------------ main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("revision", nargs="?", help="git revision to compare this working tree against")
    parser.add_argument("--ref-tree", type=Path, help="source folder of the reference version (instead of REV)")
    parser.add_argument("--ref-outputs", type=Path, help="outputs kept earlier (--keep) instead of running a reference")
    parser.add_argument("--tree", type=Path, default=ROOT, help="source folder of the new version (default: this tree)")
    parser.add_argument("--outputs", nargs=2, type=Path, metavar=("REF", "NEW"), help="only compare two output folders")
    parser.add_argument("--keep", type=Path, help="keep the reference outputs in this folder")
    parser.add_argument("--keep-new", type=Path, help="keep the new outputs in this folder")
    parser.add_argument("--units", type=int, default=100, help="units in the simulated corpus (default 100)")
    parser.add_argument("--stage", type=Path, default=Path(tempfile.gettempdir()) / "toolkit-compare-stage",
                        help="where every version runs (the same for both, so paths in outputs match)")
    args = parser.parse_args()
    if args.outputs:
        return 1 if compare_folders(*args.outputs) else 0
    if sum(x is not None for x in (args.revision, args.ref_tree, args.ref_outputs)) != 1:
        parser.error("give one of REV, --ref-tree or --ref-outputs (or --outputs REF NEW)")

    scratch = Path(tempfile.mkdtemp(prefix="toolkit-compare-"))
    lock = open(Path(tempfile.gettempdir()) / "toolkit-compare.lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)  # one run at a time uses the stage
    try:
        if args.ref_outputs:
            ref_out = args.ref_outputs
            print(f"reference outputs: {ref_out}", flush=True)
        else:
            ref_tree = args.ref_tree
            if args.revision:
                ref_tree = scratch / "src"
                full = export_revision(args.revision, ref_tree)
                print(f"reference: {args.revision} = {full[:12]} (git archive)", flush=True)
            ref_out = args.keep or scratch / "ref"
            print(f"making the reference outputs ({args.units} units) ...", flush=True)
            make_outputs(ref_tree.resolve(), args.stage, ref_out, args.units, None)
        new_out = args.keep_new or scratch / "new"
        print(f"making the new outputs from {args.tree} ...", flush=True)
        make_outputs(args.tree.resolve(), args.stage, new_out, args.units, ref_out / "corpus" / "input")
        print(flush=True)
        return 1 if compare_folders(ref_out, new_out) else 0
    except (RuntimeError, subprocess.CalledProcessError) as error:
        print(f"could not make the outputs: {error}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        lock.close()


if __name__ == "__main__":
    sys.exit(main())
