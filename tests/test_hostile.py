"""Hostile and broken returns: the gate before any parser, isolation of parser
crashes and hangs, and safe output. Every bad file gets its finding and every
good file beside it is still read."""

from __future__ import annotations

import io
import os
import time
import zipfile

import openpyxl
import pytest

from toolkit.gate import Limits
from toolkit.intake import read_returns
from toolkit.periods import parse_period
from toolkit.simulate import fill_template
from toolkit.units import Unit
from toolkit.pipeline.validate import validate_returns

PERIOD = parse_period("2026Q2")
UNITS = [Unit(code=f"DS-V0{i}", name=name, kind="村", parent=None, contact=None) for i, name in enumerate(("青坪村", "长田村"), 1)]


def good(spot):
    return {"value": 0, "cumulative": 0, "numerator": 9, "denominator": 10, "baseline": 10, "status": "推进中",
            "progress": "推进", "reason": "说明", "reporter": "张三", "phone": "1", "approver": "李四"}[spot.field]


@pytest.fixture(scope="module")
def plan(dingshan_plan):
    return dingshan_plan


@pytest.fixture(scope="module")
def good_returns(tmp_path_factory, dingshan_templates):
    folder = tmp_path_factory.mktemp("good")
    templates = [dingshan_templates[u.code] for u in UNITS]
    return [fill_template(path, folder / path.name, good) for path in templates]


def _rezip(source, target, add=None, replace=None):
    with zipfile.ZipFile(source) as archive:
        parts = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts:
            if replace and info.filename in replace:
                data = replace[info.filename](data)
            archive.writestr(info, data)
        for name, data in (add or {}).items():
            archive.writestr(name, data)
    return target


def _codes(report, path):
    return [x.code for f in report.files if f.path == str(path) for x in f.findings]


def test_far_cell_reference_is_stopped_before_calamine_aborts(tmp_path, plan, good_returns):
    def far(workbook):
        workbook["核心绩效指标"]["XFD1048576"] = 1

    bad = fill_template(good_returns[0], tmp_path / "far.xlsx", lambda s: None, edit=far)
    report = validate_returns(plan, [bad, *good_returns])
    assert _codes(report, bad) == ["cells-out-of-range"]
    assert "XFD1048576" in report.files[0].findings[0].message
    assert [f.status for f in report.files[1:]] == ["used", "used"]


def test_far_cell_in_the_cell_map_costs_nothing_as_it_is_never_parsed(tmp_path, plan, good_returns):
    from toolkit.templates.layout import CELLS_SHEET

    def far(workbook):
        workbook[CELLS_SHEET]["XFD1048576"] = 1

    odd = fill_template(good_returns[0], tmp_path / "far-map.xlsx", lambda s: None, edit=far)
    report = validate_returns(plan, [odd])
    assert report.files[0].status == "used" and not report.files[0].errors


def test_the_gates_inflater_reads_what_zipfile_reads_and_refuses_what_it_refuses(good_returns):
    from toolkit.gate import _Archive

    data = good_returns[0].read_bytes()
    plain = zipfile.ZipFile(io.BytesIO(data))
    fast = _Archive(data)
    assert all(fast.read(info) == plain.read(info) for info in plain.infolist())
    # one entry's deflated bytes damaged: zipfile's own error, not wrong bytes
    info = plain.getinfo("xl/worksheets/sheet2.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    broken = bytearray(data)
    broken[start + 100:start + 110] = b"\xff" * 10
    damaged = _Archive(bytes(broken))
    with pytest.raises(Exception) as raised:
        damaged.read("xl/worksheets/sheet2.xml")
    with pytest.raises(type(raised.value)):
        zipfile.ZipFile(io.BytesIO(bytes(broken))).read("xl/worksheets/sheet2.xml")


def test_zip_bomb_and_oversized_files(tmp_path, plan, good_returns):
    bomb = _rezip(good_returns[0], tmp_path / "bomb.xlsx", add={"xl/media/padding.bin": b"\0" * (8 * 2**20)})
    report = validate_returns(plan, [bomb, good_returns[1]])
    assert _codes(report, bomb) == ["suspicious-archive"]
    assert report.files[1].status == "used"
    report = validate_returns(plan, [good_returns[0]], limits=Limits(max_bytes=1000))
    assert _codes(report, good_returns[0]) == ["file-too-large"]


def test_macro_content_is_a_warning_and_the_return_is_read(tmp_path, plan, good_returns):
    macro = _rezip(good_returns[0], tmp_path / "macro.xlsm", add={"xl/vbaProject.bin": b"VBA"})
    report = validate_returns(plan, [macro])
    assert "macro-content" in _codes(report, macro)
    assert report.files[0].status == "used" and report.outcomes


def _validate_with(reader, plan, paths, **kwargs):
    from toolkit.pipeline.validate import check_returns
    from toolkit.rules.packs import load_rule_packs

    timeout = kwargs.pop("timeout", 60)
    returns = read_returns(paths, plan, reader=reader, timeout=timeout, **kwargs)
    return check_returns(plan, returns, rules=load_rule_packs())


@pytest.mark.slow
def test_a_parser_crash_costs_only_its_file(tmp_path, plan, good_returns, capfd):
    from tests import faulty

    crashing = tmp_path / "crash.xlsx"
    crashing.write_bytes(good_returns[0].read_bytes())
    report = _validate_with(faulty.read_or_abort, plan, [*good_returns, crashing])
    assert _codes(report, crashing) == ["parser-crashed"]
    assert [f.status for f in report.files if f.path != str(crashing)] == ["used", "used"]
    assert "Fatal Python error" not in capfd.readouterr().err  # the worker's last words stay out of the output


@pytest.mark.slow
def test_a_parser_hang_costs_only_its_file(tmp_path, plan, good_returns):
    from tests import faulty

    hanging = tmp_path / "hang.xlsx"
    hanging.write_bytes(good_returns[0].read_bytes())
    start = time.monotonic()
    report = _validate_with(faulty.read_or_hang, plan, [hanging, *good_returns], timeout=2)
    assert time.monotonic() - start < 30
    assert _codes(report, hanging) == ["parser-timeout"]
    assert [f.status for f in report.files if f.path != str(hanging)] == ["used", "used"]


@pytest.mark.slow
def test_the_time_limit_is_per_file_not_per_batch(tmp_path, plan, good_returns):
    """Ten files of 1.2 s each in one worker with a 2 s limit: every file is read."""
    from tests import faulty

    paths = []
    for n in range(10):
        paths.append(tmp_path / f"r{n}.xlsx")
        paths[-1].write_bytes(good_returns[n % len(good_returns)].read_bytes())
    report = _validate_with(faulty.read_slowly, plan, paths, timeout=2, workers=1)
    assert not [f for f in report.findings if f.code == "parser-timeout"]


@pytest.mark.slow
def test_a_crash_and_a_hang_inside_a_chunk_of_files_cost_only_their_own_files(tmp_path, plan, good_returns):
    """Forty files go to two workers in chunks of five: the file that aborts
    its worker and the one that hangs are each reported, every other file of
    their chunks is read (again, in a fresh worker), and nothing is read twice
    into the result."""
    from tests import faulty

    paths = []
    for n in range(40):
        name = "crash.xlsx" if n == 12 else "hang.xlsx" if n == 27 else f"r{n:02d}.xlsx"
        paths.append(tmp_path / name)
        paths[-1].write_bytes(good_returns[n % len(good_returns)].read_bytes())
    start = time.monotonic()
    returns = read_returns(paths, plan, reader=faulty.read_or_misbehave, timeout=2, workers=2)
    assert time.monotonic() - start < 30
    assert [r.display for r in returns] == [str(p) for p in paths]  # each path once, in order
    by_name = {r.path.name: [f.code for f in r.findings] for r in returns}
    assert by_name["crash.xlsx"] == ["parser-crashed"]
    assert by_name["hang.xlsx"] == ["parser-timeout"]
    assert all(r.recognised and not r.findings for r in returns if r.path.name.startswith("r"))


@pytest.mark.slow
def test_the_time_limit_is_per_file_even_when_files_travel_in_chunks(tmp_path, plan, good_returns):
    """Sixteen files of 0.25 s each, one worker, chunks of four (a second per
    chunk) under a 0.6 s limit: every file is read, none timed out."""
    from tests import faulty

    paths = []
    for n in range(16):
        paths.append(tmp_path / f"slow{n:02d}.xlsx")
        paths[-1].write_bytes(good_returns[n % len(good_returns)].read_bytes())
    returns = read_returns(paths, plan, reader=faulty.read_or_misbehave, timeout=0.6, workers=1)
    assert [f.code for r in returns for f in r.findings] == []
    assert all(r.recognised for r in returns)


def test_our_own_bug_is_an_internal_error_not_a_damaged_file(tmp_path, plan, good_returns, monkeypatch):
    from tests import faulty

    monkeypatch.setenv("TOOLKIT_LOG_DIR", str(tmp_path / "logs"))
    buggy = tmp_path / "bug.xlsx"
    buggy.write_bytes(good_returns[0].read_bytes())
    report = _validate_with(faulty.read_or_fail, plan, [buggy, good_returns[1]])
    (finding,) = [f for f in report.findings if f.file == str(buggy)]
    assert finding.code == "internal-error" and "不是文件的问题" in finding.message
    assert "文件已损坏" not in finding.message
    logs = list((tmp_path / "logs").glob("*.log"))
    assert logs and "IndexError: a bug in toolkit" in logs[0].read_text(encoding="utf-8")
    assert str(logs[0]) in finding.message
    assert report.files[1].status == "used"


def test_a_bug_inside_the_reader_is_an_internal_error(tmp_path, plan, good_returns, monkeypatch):
    """A failure in toolkit's own code after the file was opened is not blamed on the file."""
    import toolkit.intake.workbook as workbook

    monkeypatch.setenv("TOOLKIT_LOG_DIR", str(tmp_path / "logs"))

    def broken(*args, **kwargs):
        raise KeyError("layout")

    monkeypatch.setattr(workbook, "read_cells", broken)
    result = workbook.read_return(good_returns[0], str(good_returns[0]), plan)
    assert [f.code for f in result.findings] == ["internal-error"]
    assert not result.recognised


def test_a_file_that_vanished_says_so(tmp_path, plan, good_returns):
    from toolkit.intake import read_return

    gone = tmp_path / "gone.xlsx"
    result = read_return(gone, str(gone), plan)
    assert [f.code for f in result.findings] == ["file-vanished"]
    assert "删除" in result.findings[0].message


def test_openpyxl_parses_xml_with_defusedxml():
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


def test_error_values_and_formulas_in_input_cells(tmp_path, plan, good_returns):
    from toolkit.simulate import Formula

    def value_for(spot):
        if spot.indicator_id == "core-1" and spot.field == "value":
            return Formula("=1/0")
        return good(spot)

    path = fill_template(good_returns[0], tmp_path / "formula.xlsx", value_for)
    report = validate_returns(plan, [path])
    # openpyxl stores no cached result: the cell reads as empty, which is reported where it is
    assert [x.cell for x in report.findings if x.code == "required-missing"] == ["G3"]


def test_input_folder_is_read_only_to_toolkit(tmp_path, plan, good_returns):
    folder = tmp_path / "in"
    folder.mkdir()
    for path in good_returns:
        (folder / path.name).write_bytes(path.read_bytes())
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()}
    validate_returns(plan, [folder])
    assert {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()} == before


def test_text_from_returns_is_never_a_formula_in_outputs(tmp_path, plan, good_returns):
    from toolkit.xlsx.feedback import write_feedback
    from toolkit.xlsx.report import write_report_workbook

    def value_for(spot):
        if spot.field == "value" and spot.indicator_id == "core-1":
            return '=HYPERLINK("http://evil","点我")'
        return good(spot)

    path = fill_template(good_returns[0], tmp_path / "inject.xlsx", value_for)
    report = validate_returns(plan, [path])
    write_report_workbook(report, tmp_path / "report.xlsx")
    copies = write_feedback(report, {f.path: path for f in report.files}, tmp_path / "fb")
    for output in (tmp_path / "report.xlsx", *copies):
        with zipfile.ZipFile(output) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/"):
                    assert b"<f>HYPERLINK" not in archive.read(name) and b"<f>=HYPERLINK" not in archive.read(name)
    cells = [c.value for ws in openpyxl.load_workbook(tmp_path / "report.xlsx").worksheets for row in ws.iter_rows() for c in row]
    assert '=HYPERLINK("http://evil","点我")' in cells


def test_truncated_and_garbage_files_never_raise(tmp_path, plan, good_returns):
    data = good_returns[0].read_bytes()
    for n, cut in enumerate((10, len(data) // 3, len(data) // 2, len(data) - 20)):
        (tmp_path / f"cut{n}.xlsx").write_bytes(data[:cut])
    (tmp_path / "noise.xlsx").write_bytes(os.urandom(5000))
    (tmp_path / "empty.xlsx").write_bytes(b"")
    report = validate_returns(plan, [tmp_path, *good_returns])
    assert len(report.files) == 6 + len(good_returns)
    for file_report in report.files:
        if file_report.path in map(str, good_returns):
            assert file_report.status == "used"
        else:
            assert file_report.errors and file_report.status == "unrecognised", file_report.path


def test_unusual_but_honest_sheet_content(tmp_path, plan, good_returns):
    buffer = io.BytesIO(good_returns[0].read_bytes())
    workbook = openpyxl.load_workbook(buffer)
    workbook["核心绩效指标"]["G3"] = "很长" * 5000  # extremely long text in a number cell
    path = tmp_path / "long.xlsx"
    workbook.save(path)
    report = validate_returns(plan, [path])
    assert [x.code for x in report.findings if x.cell == "G3"] == ["not-a-number"]


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 255)), min_size=1, max_size=4))
def test_fuzz_damaged_bytes_never_crash_the_run(tmp_path_factory, plan, good_returns, flips):
    folder = tmp_path_factory.mktemp("fuzz")
    data = bytearray(good_returns[0].read_bytes())
    for where, xor in flips:
        data[int(where * len(data))] ^= xor
    damaged = folder / "damaged.xlsx"
    damaged.write_bytes(bytes(data))
    intact = folder / good_returns[1].name
    intact.write_bytes(good_returns[1].read_bytes())
    report = validate_returns(plan, [damaged, intact], timeout=20)
    by_path = {f.path: f for f in report.files}
    assert by_path[str(intact)].status == "used" and not by_path[str(intact)].findings
    original = validate_returns(plan, [good_returns[0]])
    damaged_report = by_path[str(damaged)]
    if not damaged_report.findings:  # the damage missed everything that matters
        assert [(o.indicator_id, o.actual) for o in report.outcomes if o.file == str(damaged)] == \
            [(o.indicator_id, o.actual) for o in original.outcomes]


@pytest.mark.slow
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=st.one_of(st.text(max_size=30), st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True)))
def test_fuzz_any_typed_value_gives_a_value_or_a_finding(tmp_path_factory, plan, good_returns, typed):
    folder = tmp_path_factory.mktemp("fuzzcell")

    def value_for(spot):
        return typed if (spot.indicator_id, spot.field) == ("core-1", "value") else good(spot)

    from openpyxl.utils.exceptions import IllegalCharacterError

    try:
        path = fill_template(good_returns[0], folder / "r.xlsx", value_for)
    except (ValueError, TypeError, IllegalCharacterError):  # openpyxl refuses some values: nothing to test
        return
    report = validate_returns(plan, [path])
    row = report.values[(report.values["indicator_id"] == "core-1") & (report.values["field"] == "value")].iloc[0]
    findings = [x for x in report.findings if x.cell == "G3"]
    assert row["number"] == row["number"] or findings or row["typed"].strip() == ""


def test_formula_in_an_input_cell_is_read_as_its_saved_result_with_a_warning(tmp_path, plan, good_returns):
    import re

    # a formula with a cached result, as Excel saves it
    cached = _rezip(good_returns[0], tmp_path / "f.xlsx", replace={
        "xl/worksheets/sheet2.xml": lambda xml: re.sub(rb'<c r="G3"([^>]*)>(<v>[^<]*</v>)?</c>|<c r="G3"([^>]*)/>',
                                                       b'<c r="G3" s="0"><f>1+1</f><v>2</v></c>', xml, count=1),
    })
    report = validate_returns(plan, [cached])
    (warning,) = [x for x in report.findings if x.code == "formula-in-input"]
    assert (warning.sheet, warning.cell, warning.severity, warning.value) == ("核心绩效指标", "G3", "warning", "2")
    value = report.values[(report.values["indicator_id"] == "core-1") & (report.values["field"] == "value")].iloc[0]
    assert value["number"] == 2


def test_merged_input_cells_and_removed_protection(tmp_path, plan, good_returns):
    def edit(workbook):
        sheet = workbook["核心绩效指标"]
        sheet.merge_cells("G3:H3")
        sheet.protection.sheet = False

    path = fill_template(good_returns[0], tmp_path / "merged.xlsx", lambda s: None, edit=edit)
    report = validate_returns(plan, [path])
    (merged,) = [x for x in report.findings if x.code == "merged-input-cells"]
    assert (merged.cell, merged.severity) == ("G3", "error") and "G3:H3" in merged.message
    (unprotected,) = [x for x in report.findings if x.code == "protection-removed"]
    assert unprotected.sheet == "核心绩效指标" and unprotected.cell is None


def test_a_folder_mixing_hostile_and_good_returns_consolidates(tmp_path, plan, good_returns):
    from toolkit.pipeline.consolidate import consolidate

    def far(workbook):
        workbook["核心绩效指标"]["XFD1048576"] = 1

    folder = tmp_path / "mixed"
    folder.mkdir()
    for path in good_returns:
        (folder / path.name).write_bytes(path.read_bytes())
    fill_template(good_returns[0], folder / "far.xlsx", lambda s: None, edit=far)
    _rezip(good_returns[0], folder / "bomb.xlsx", add={"xl/media/padding.bin": b"\0" * (8 * 2**20)})
    (folder / "noise.xlsx").write_bytes(os.urandom(3000))
    (folder / "old.et").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    result = consolidate(plan, [folder], units=UNITS, period=PERIOD)
    status = {p.rsplit("/", 1)[-1]: s for p, s in ((f.path, f.status) for f in result.files)}
    assert status == {good_returns[0].name: "used", good_returns[1].name: "used", "far.xlsx": "unrecognised",
                      "bomb.xlsx": "unrecognised", "noise.xlsx": "unrecognised", "old.et": "unrecognised"}
    assert {u.status for u in result.units} == {"received"}
    codes = {f.file.rsplit("/", 1)[-1]: f.code for f in result.findings if f.severity == "error"}
    assert codes == {"far.xlsx": "cells-out-of-range", "bomb.xlsx": "suspicious-archive",
                     "noise.xlsx": "not-a-workbook", "old.et": "unsupported-format"}


@pytest.mark.slow
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.floats(0, 1, exclude_max=True), length=st.integers(1, 40),
       junk=st.sampled_from([b"", b"<", b">", b'r="XFD1048576"', b"<f>1/0</f>", b"&#0;", b"<row>", b"</sheetData>", b"\xff\xfe"]))
def test_fuzz_mangled_sheet_xml_costs_only_its_file(tmp_path_factory, plan, good_returns, start, length, junk):
    folder = tmp_path_factory.mktemp("xmlfuzz")

    def mangle(xml):
        at = int(start * len(xml))
        return xml[:at] + junk + xml[at + length:]

    damaged = _rezip(good_returns[0], folder / "mangled.xlsx", replace={"xl/worksheets/sheet2.xml": mangle})
    intact = folder / good_returns[1].name
    intact.write_bytes(good_returns[1].read_bytes())
    report = validate_returns(plan, [damaged, intact], timeout=20)
    by_path = {f.path: f for f in report.files}
    assert by_path[str(intact)].status == "used" and not by_path[str(intact)].findings


def test_thousands_of_pasted_rows_below_the_table(tmp_path, plan, good_returns):
    def paste(workbook):
        sheet = workbook["核心绩效指标"]
        for r in range(20, 2020):
            sheet.cell(r, 1, f"粘贴{r}")
            sheet.cell(r, 7, r)

    path = fill_template(good_returns[0], tmp_path / "pasted.xlsx", good, edit=paste)
    report = validate_returns(plan, [path])
    (extra,) = [x for x in report.findings if x.code == "extra-content"]
    assert (extra.sheet, extra.cell, extra.severity) == ("核心绩效指标", "A20", "warning")
    assert report.files[0].status == "used" and not report.files[0].errors


def _descendants(pid: int) -> set[int]:
    from pathlib import Path

    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


@pytest.mark.slow
@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc to find the workers")
def test_workers_end_when_the_run_is_killed(tmp_path, good_returns):
    """kill -9 of the process reading returns leaves no worker behind."""
    import signal
    import subprocess
    import sys

    hanging = tmp_path / "hang.xlsx"
    hanging.write_bytes(good_returns[0].read_bytes())
    script = (
        "import sys; from tests import faulty; from toolkit.intake import read_returns; from toolkit.plan import load_plan\n"
        f"read_returns([{str(hanging)!r}, {str(tmp_path / 'hang2.xlsx')!r}], load_plan('dingshan-2026'), "
        "reader=faulty.read_or_hang, workers=2, timeout=600)\n"
    )
    (tmp_path / "hang2.xlsx").write_bytes(hanging.read_bytes())
    from tests.conftest import ROOT

    run = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    deadline = time.monotonic() + 60
    workers = set()
    while time.monotonic() < deadline and len(workers) < 2:
        time.sleep(0.5)
        workers = _descendants(run.pid)
    assert len(workers) >= 2, "the run did not start its workers"
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(map(_running, workers)):
        time.sleep(0.5)
    alive = [pid for pid in workers if _running(pid)]
    assert not alive, f"orphaned workers: {alive}"


def _running(pid: int) -> bool:
    """A process that exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.slow
def test_a_worker_that_cannot_start_is_our_failure_not_the_files(tmp_path, plan, good_returns, monkeypatch):
    """Every file gets internal-error (toolkit's problem), never parser-crashed (the file's)."""
    from tests import faulty
    from toolkit.intake import read_returns

    monkeypatch.setenv("TOOLKIT_LOG_DIR", str(tmp_path / "logs"))
    results = read_returns(good_returns[:2], plan, reader=faulty.read_or_fail, limits=faulty.Unpicklable(), timeout=30)
    assert [[f.code for f in r.findings] for r in results] == [["internal-error"], ["internal-error"]]
