"""The public API (one call per command) and a run's outputs as one set:
never over an input, all or none, locked against a second run."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

import toolkit
from toolkit.cli import cli
from toolkit.simulate import fill_template

from .conftest import ROOT
from .test_consolidate import values_for

UNITS_CSV = ROOT / "examples" / "dingshan-units.csv"


@pytest.fixture(scope="module")
def returns(tmp_path_factory, dingshan_templates):
    folder = tmp_path_factory.mktemp("returns")
    for seed, code in enumerate(["DS-V01", "DS-V02", "DS-O02"], start=1):
        fill_template(dingshan_templates[code], folder / f"{code}.xlsx", values_for(seed),
                      saved_at=dt.datetime(2026, 7, 5, 10, 0))
    fill_template(dingshan_templates["DS-V03"], folder / "DS-V03.xlsx", values_for(4, {("core-2", "value"): "不知道"}),
                  saved_at=dt.datetime(2026, 7, 5, 10, 0))
    return folder


def _snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_public_api_is_one_call_per_command_and_takes_names(tmp_path, returns):
    """toolkit.validate / toolkit.consolidate take a plan name, a units file and a period code."""
    report = toolkit.validate("dingshan-2026", [returns], units=str(UNITS_CSV), period="2026Q2",
                              report=tmp_path / "校验报告.xlsx", feedback=tmp_path / "退回")
    assert isinstance(report, toolkit.ValidationReport)
    assert {f.status for f in report.files} == {"used", "rejected"}
    marked = [f"{os.path.splitext(os.path.basename(f.path))[0]}_退回修改.xlsx" for f in report.files if f.findings]
    assert "DS-V03_退回修改.xlsx" in marked
    assert sorted(p.name for p in report.written) == sorted([*marked, "校验报告.xlsx"])
    result = toolkit.consolidate("dingshan-2026", [returns], units=str(UNITS_CSV), period="2026Q2",
                                 due="2026-07-10", output=tmp_path / "汇总.xlsx", json=tmp_path / "汇总.json")
    assert isinstance(result, toolkit.Consolidation)
    assert json.loads((tmp_path / "汇总.json").read_text(encoding="utf-8")) == json.loads(json.dumps(result.to_json()))
    assert toolkit.Consolidation.from_json(result.to_json()).to_json() == result.to_json()


def test_the_cli_prints_what_the_library_returns(runner, tmp_path, returns):
    result = runner.invoke(cli, ["validate", "dingshan-2026", str(returns), "--units", str(UNITS_CSV),
                                 "--period", "2026Q2", "--json"])
    assert result.exit_code == 1  # DS-V03 has an error
    library = toolkit.validate("dingshan-2026", [returns], units=str(UNITS_CSV), period="2026Q2")
    assert json.loads(result.output) == json.loads(json.dumps(library.to_json()))


@pytest.mark.parametrize("option", ["--report", "-o", "--json"])
def test_an_output_that_is_an_input_is_refused_before_anything_is_written(runner, tmp_path, returns, option):
    """Input files are never modified: naming a return as an output stops the run at once."""
    folder = tmp_path / "in"
    shutil.copytree(returns, folder)
    before = _snapshot(folder)
    victim = folder / "DS-V01.xlsx"
    command = "validate" if option == "--report" else "consolidate"
    args = [command, "dingshan-2026", str(folder), "--units", str(UNITS_CSV), "--period", "2026Q2"]
    if command == "consolidate" and option != "-o":
        args += ["-o", str(tmp_path / "汇总.xlsx")]
    result = runner.invoke(cli, [*args, option, str(victim)])
    assert result.exit_code == 2, result.output
    assert "输入文件从不修改" in result.output and "Traceback" not in result.output
    assert _snapshot(folder) == before
    assert not (tmp_path / "汇总.xlsx").exists()


def test_the_same_input_in_another_letter_case_is_refused_where_names_ignore_case(tmp_path, returns, monkeypatch):
    """On Windows DS-V01.XLSX and ds-v01.xlsx are one file: the comparison follows the file system."""
    from toolkit.fileio import OutputError, OutputSet

    monkeypatch.setattr(os.path, "normcase", lambda path: path.lower())  # what Windows' normcase does
    victim = returns / "DS-V01.xlsx"
    with pytest.raises(OutputError):
        OutputSet([victim.with_name("ds-v01.XLSX")], inputs=[victim])


def test_a_second_run_into_the_same_outputs_stops_with_a_clear_message(runner, tmp_path, returns):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / ".汇总.xlsx.lock").write_text(f"{sleeper.pid}\n")  # a run that is still writing
        result = runner.invoke(cli, ["consolidate", "dingshan-2026", str(returns), "--units", str(UNITS_CSV),
                                     "--period", "2026Q2", "-o", str(tmp_path / "汇总.xlsx")])
        assert result.exit_code == 2 and f"进程 {sleeper.pid}" in result.output and "正在写入" in result.output
        assert not (tmp_path / "汇总.xlsx").exists()
    finally:
        sleeper.kill()
        sleeper.wait()
    # the lock of a run that is gone is taken over
    result = runner.invoke(cli, ["consolidate", "dingshan-2026", str(returns), "--units", str(UNITS_CSV),
                                 "--period", "2026Q2", "-o", str(tmp_path / "汇总.xlsx")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["汇总.xlsx"]


def test_outputs_appear_together_or_not_at_all(tmp_path, returns, monkeypatch):
    """The workbook fails to render: the JSON and the old workbook stay as they were."""
    import toolkit.xlsx.leaders as leaders

    (tmp_path / "汇总.xlsx").write_bytes(b"OLD")
    (tmp_path / "汇总.json").write_bytes(b"OLD")

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(leaders, "render_consolidated_workbook", broken)
    with pytest.raises(toolkit.OutputsNotWritten) as info:
        toolkit.consolidate("dingshan-2026", [returns], units=str(UNITS_CSV), period="2026Q2",
                            output=tmp_path / "汇总.xlsx", json=tmp_path / "汇总.json")
    assert info.value.result.units  # the work is not lost
    assert _snapshot(tmp_path) == {"汇总.json": b"OLD", "汇总.xlsx": b"OLD"}


def test_an_unwritable_feedback_folder_shows_the_results_then_the_error(runner, tmp_path, returns, monkeypatch):
    """The checking is not lost: the results are printed, then what could not be written, exit 1."""
    from toolkit.fileio import OutputSet

    real_add = OutputSet.add

    def refuse(self, target, data):
        if "退回" in str(target):
            raise PermissionError(13, "Permission denied", str(target))
        return real_add(self, target, data)

    monkeypatch.setattr(OutputSet, "add", refuse)
    result = runner.invoke(cli, ["validate", "dingshan-2026", str(returns), "--feedback", str(tmp_path / "退回"),
                                 "--report", str(tmp_path / "校验报告.xlsx")])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:2] == ["文件", "单位编码"]  # the results first
    assert any("退回修改" in line for line in lines[2:6])  # DS-V03 is sent back
    assert "错误：输出文件未能写入" in result.output and "Permission denied" in result.output
    assert result.output.index("共 4 个文件") < result.output.index("错误：")
    assert not (tmp_path / "校验报告.xlsx").exists()  # all outputs or none


@pytest.mark.slow
@pytest.mark.skipif(os.name == "nt", reason="kill -9")
def test_killed_while_writing_leaves_the_previous_outputs_whole(tmp_path, returns):
    """kill -9 after the writers started: the old workbook and JSON stay, together; the next run cleans up."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "汇总.xlsx").write_bytes(b"OLD")
    (out / "汇总.json").write_bytes(b"OLD")
    command = [sys.executable, "-m", "toolkit", "consolidate", "dingshan-2026", str(returns), "--units", str(UNITS_CSV),
               "--period", "2026Q2", "-o", str(out / "汇总.xlsx"), "--json", str(out / "汇总.json")]
    run = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(".toolkit-tmp-" in p.name for p in out.iterdir()):
        time.sleep(0.005)
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    assert (out / "汇总.xlsx").read_bytes() == b"OLD" and (out / "汇总.json").read_bytes() == b"OLD"
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert sorted(p.name for p in out.iterdir()) == ["汇总.json", "汇总.xlsx"]


def test_every_public_name_is_what_it_says_and_import_is_light():
    """No public function is shadowed by a submodule of the same name, and `import toolkit` loads no pandas."""
    import inspect

    for name in toolkit.__all__[1:]:
        value = getattr(toolkit, name)
        assert inspect.isfunction(value) or inspect.isclass(value), name
    code = "import sys, toolkit; print('pandas' in sys.modules, 'openpyxl' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT).stdout.split() == ["False", "False"]
