"""Validation: every finding code triggered by a real workbook filled the way
a user would (openpyxl on a generated template), outcomes, the JSON contract,
exit codes, and one pandera pass for all files."""

from __future__ import annotations

import datetime as dt
import json
import zipfile

import openpyxl
import pytest

from toolkit.cli import cli
from toolkit.periods import parse_period
from toolkit.plan import load_plan
from toolkit.simulate import fill_template
from toolkit.templates import build_templates
from toolkit.units import Unit
from toolkit.pipeline.validate import validate_returns

PERIOD = parse_period("2026Q2")
VILLAGE = Unit(code="DS-V01", name="青坪村", kind="村", parent=None, contact=None)
OFFICE = Unit(code="DS-O02", name="镇平安法治办公室", kind="办公室", parent=None, contact=None)
FREQUENCIES = {i.id for _, _, i in load_plan("dingshan-2026").indicators() if i.measure == "frequency"}


@pytest.fixture(scope="module")
def plan(dingshan_plan):
    return dingshan_plan


@pytest.fixture(scope="module")
def templates(dingshan_templates):
    return {code: dingshan_templates[code] for code in (VILLAGE.code, OFFICE.code)}


def good(spot):
    """A correct return: no accidents, every rate 9/10, tasks in progress."""
    return {
        "value": 0, "cumulative": 0, "numerator": 9, "denominator": 10, "baseline": 10,
        "status": "推进中", "progress": "按计划推进", "reason": None,
        "reporter": "张三", "phone": "138-0000-0000", "approver": "李四",
    }[spot.field]


def fill(tmp_path, templates, name="r.xlsx", unit="DS-V01", changes=None, edit=None, saved_at=None):
    changes = changes or {}

    def value_for(spot):
        for key in ((spot.indicator_id, spot.field), (spot.row_id, spot.field), (None, spot.field)):
            if key in changes:
                return changes[key]
        value = good(spot)
        if spot.indicator_id in FREQUENCIES:  # 每季度至少1次: done twice this quarter
            value = {"value": 2, "cumulative": 3}.get(spot.field, value)
        # the forest-fire damage rate is a permille: 0 of 1000 hectares
        if spot.indicator_id == "core-5":
            value = {"numerator": 0, "denominator": 1000}.get(spot.field, value)
        return value

    return fill_template(templates[unit], tmp_path / name, value_for, edit=edit, saved_at=saved_at)


def codes(report, path=None):
    files = [f for f in report.files if path is None or f.path == str(path)]
    return sorted({x.code for f in files for x in f.findings})


def findings(report, code):
    return [x for f in report.files for x in f.findings if x.code == code]


# ------------------------------------------------------------ a clean return


def test_a_correct_return_is_valid(tmp_path, plan, templates):
    path = fill(tmp_path, templates)
    report = validate_returns(plan, [path], period=PERIOD, units=[VILLAGE])
    (file_report,) = report.files
    assert file_report.status == "used" and file_report.valid
    assert file_report.findings == [] or {x.severity for x in file_report.findings} == {"warning"}
    assert codes(report) in ([], ["reason-missing"])


# ------------------------------------------------------------ values as typed


@pytest.mark.parametrize("typed, code, cell_field", [
    ("abc", "not-a-number", "value"),
    (2.5, "not-whole", "value"),
    ("95%", "unexpected-percent", "value"),
    (dt.datetime(2026, 5, 1), "date-in-number-cell", "value"),
    ("#DIV/0!", "error-value", "value"),
    (-1, "negative", "value"),
    ("3 5", "space-in-number", "value"),
    ("1e999", "number-too-large", "value"),
    (True, "not-a-number", "value"),
])
def test_value_problems_name_the_cell(tmp_path, plan, templates, typed, code, cell_field):
    path = fill(tmp_path, templates, changes={("core-1", cell_field): typed})
    report = validate_returns(plan, [path])
    (finding,) = findings(report, code)
    assert (finding.sheet, finding.cell, finding.indicator, finding.field) == ("核心绩效指标", "G3", "较大生产安全事故起数", "value")
    assert finding.severity == "error" and finding.file == str(path)
    if not isinstance(typed, (dt.datetime, bool)):
        assert finding.value == str(typed) and str(typed) in finding.message
    assert report.files[0].status == "rejected"


@pytest.mark.parametrize("typed", ["１００", " 3 ", "3起", "无", "1,000"])
def test_what_people_type_is_normalised_without_findings(tmp_path, plan, templates, typed):
    path = fill(tmp_path, templates, changes={("core-1", "value"): typed, ("core-1", "cumulative"): 1000})
    report = validate_returns(plan, [path])
    assert not [x for x in report.findings if x.cell == "G3"]
    row = report.values[(report.values["indicator_id"] == "core-1") & (report.values["field"] == "value")].iloc[0]
    assert row["typed"] == typed
    assert row["number"] == {"１００": 100, " 3 ": 3, "3起": 3, "无": 0, "1,000": 1000}[typed]


def test_bad_status_and_missing_inputs(tmp_path, plan, templates):
    path = fill(tmp_path, templates, changes={("rect-2", "status"): "差不多", ("core-2", "value"): None})
    report = validate_returns(plan, [path])
    (bad,) = findings(report, "bad-status")
    assert bad.sheet == "重点整治" and bad.value == "差不多" and "下拉列表" in bad.message
    missing = [x for x in findings(report, "required-missing") if x.indicator_id == "core-2"]
    assert [(x.cell, x.field) for x in missing] == [("G4", "value")]


def test_type_problem_does_not_hide_a_range_problem_in_the_same_column(tmp_path, plan, templates):
    path = fill(tmp_path, templates, changes={("core-1", "value"): "abc", ("core-2", "value"): -3})
    report = validate_returns(plan, [path])
    assert [x.cell for x in findings(report, "not-a-number")] == ["G3"]
    assert [x.cell for x in findings(report, "negative")] == ["G4"]


def test_percent_out_of_range(tmp_path):
    plan = load_plan("dianjiang-2026")
    unit = Unit(code="U1", name="县文化旅游委", kind="部门", parent=None, contact=None, rows=("rect-8",))
    template = build_templates(plan, [unit], PERIOD, tmp_path / "t").templates[0]

    def value_for(spot):
        if spot.field == "value":
            return 95  # meant 95%
        return good(spot)

    path = fill_template(template.path, tmp_path / "r.xlsx", value_for)
    report = validate_returns(plan, [path])
    (finding,) = findings(report, "percent-out-of-range")
    assert finding.indicator == "游客满意度" and "95%" in finding.message


def test_long_text_is_a_warning(tmp_path, plan, templates):
    path = fill(tmp_path, templates, changes={("rect-2", "progress"): "很" * 600})
    (finding,) = findings(validate_returns(plan, [path]), "text-too-long")
    assert finding.severity == "warning"


# ------------------------------------------------------------ cross-field rules


def test_cross_field_rules(tmp_path, plan, templates):
    path = fill(tmp_path, templates, changes={
        ("core-5", "numerator"): 12, ("core-5", "denominator"): 10,
        ("core-1", "value"): 2, ("core-1", "cumulative"): 1,
        ("rect-2", "status"): "未启动", ("rect-2", "progress"): None,
        (None, "reporter"): None,
    })
    report = validate_returns(plan, [path])
    (over,) = findings(report, "numerator-exceeds-denominator")
    assert (over.cell, over.value) == ("I7", "12") and "（10）" in over.message
    (below,) = findings(report, "cumulative-below-period")
    assert below.cell == "H3" and "（2）" in below.message
    (progress,) = findings(report, "progress-missing")
    assert progress.sheet == "重点整治" and "未启动" in progress.message
    (reporter,) = findings(report, "reporter-missing")
    assert (reporter.sheet, reporter.cell, reporter.severity) == ("填报说明", "B13", "warning")


def test_zero_denominator_is_a_warning(tmp_path, plan, templates):
    path = fill(tmp_path, templates, changes={("core-5", "numerator"): 0, ("core-5", "denominator"): 0})
    report = validate_returns(plan, [path])
    (finding,) = findings(report, "zero-denominator")
    assert finding.severity == "warning" and finding.cell == "J7"
    outcome = next(o for o in report.outcomes if o.indicator_id == "core-5")
    # an area rate: the unit's figure is a contribution to the area's, never judged on its own
    assert outcome.status == "contribution" and outcome.actual is None


def test_not_applicable_task_rows_need_no_figures(tmp_path, plan, templates):
    rect_rows = {r.id for r in plan.tables[1].rows}
    changes = {(row, "status"): "不适用" for row in rect_rows}
    changes.update({(i.id, f): None for t in plan.tables[1:] for r in t.rows for i in r.indicators
                    for f in ("numerator", "denominator", "value", "cumulative")})
    path = fill(tmp_path, templates, changes=changes)
    report = validate_returns(plan, [path])
    assert [x for x in findings(report, "required-missing") if x.sheet == "重点整治"] == []
    assert {o.status for o in report.outcomes if o.indicator_id.startswith("rect")} == {"no-data"}


# ------------------------------------------------------------ targets


def test_target_outcomes_and_reason(tmp_path, plan, templates):
    path = fill(tmp_path, templates, changes={
        ("core-1", "value"): 1, ("core-1", "cumulative"): 1,  # one accident: a zero-tolerance miss
        ("core-5", "numerator"): 1, ("core-5", "denominator"): 100, ("core-5", "reason"): "春季山火",  # 10‰ > 3‰, explained
    })
    report = validate_returns(plan, [path])
    by_id = {o.indicator_id: o for o in report.outcomes}
    assert by_id["core-1"].status == "missed" and by_id["core-1"].actual == 1
    # 森林火灾受害率 is one figure for the area: the village's 10‰ is its contribution, not its miss
    assert by_id["core-5"].status == "contribution" and by_id["core-5"].reason == "春季山火"
    assert by_id["core-2"].status == "met"
    reasons = findings(report, "reason-missing")
    assert [(x.indicator_id, x.cell, x.severity) for x in reasons] == [("core-1", "L3", "warning")]
    assert "目标 =0起" in reasons[0].message and "实际 1起" in reasons[0].message
    # a floor target not reached before its due date is in progress, not missed
    rate = by_id["rect-5.1"]  # 覆盖率达100%: an area rate, the unit's part of it
    assert rate.actual == pytest.approx(0.9) and rate.status == "contribution"
    # a missed target is not an error: the return is still valid
    assert report.files[0].status == "used"


def test_relative_target_needs_a_baseline(tmp_path):
    plan = load_plan("dianjiang-2026")
    unit = Unit(code="U1", name="县公安局", kind="部门", parent=None, contact=None, rows=("rect-12",))
    template = build_templates(plan, [unit], parse_period("2026"), tmp_path / "t").templates[0]

    complaints = next(i.id for _, _, i in plan.indicators() if i.name == "非法营运投诉率")  # 下降10%

    def value_for(spot):
        if spot.indicator_id == complaints:
            return {"numerator": 8, "denominator": 100, "baseline": None}.get(spot.field, good(spot))
        return good(spot)

    path = fill_template(template.path, tmp_path / "r.xlsx", value_for)
    report = validate_returns(plan, [path])
    (finding,) = findings(report, "baseline-missing")
    assert finding.indicator == "非法营运投诉率"
    outcome = next(o for o in report.outcomes if o.indicator_id == complaints)
    assert outcome.status == "contribution" and outcome.actual is None  # an area target: judged on the area figure

    def with_baseline(spot):
        if spot.indicator_id == complaints and spot.field == "baseline":
            return 0.10  # last year 10%, now 8%: down 20%
        return value_for(spot)

    path = fill_template(template.path, tmp_path / "r2.xlsx", with_baseline)
    outcome = next(o for o in validate_returns(plan, [path]).outcomes if o.indicator_id == complaints)
    assert outcome.status == "contribution" and outcome.actual == pytest.approx(0.2)


def test_qualitative_target_goes_to_review(tmp_path):
    plan = load_plan("dianjiang-2026")
    unit = Unit(code="U1", name="县应急管理局", kind="部门", parent=None, contact=None, rows=("core",))
    template = build_templates(plan, [unit], PERIOD, tmp_path / "t").templates[0]
    path = fill_template(template.path, tmp_path / "r.xlsx", good)
    outcome = next(o for o in validate_returns(plan, [path]).outcomes if o.indicator == "生产安全事故死亡人数")
    assert outcome.status == "contribution"  # 保持低位运行: one area figure, judged by a person
    unit_scope = plan.indicator(next(i.id for _, _, i in plan.indicators() if i.name == "因灾群死群伤责任事件"))
    assert unit_scope.scope == "unit"


# ------------------------------------------------------------ identity


def test_files_that_are_not_returns(tmp_path, plan):
    (tmp_path / "notes.xlsx").write_bytes(b"hello")
    (tmp_path / "list.csv").write_text("a,b\n", encoding="utf-8")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    (tmp_path / "secret.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"))
    other = openpyxl.Workbook()
    other.active["A1"] = "村里自己做的表"
    other.save(tmp_path / "own.xlsx")
    report = validate_returns(plan, [tmp_path])
    by_name = {f.path.rsplit("/", 1)[-1]: f for f in report.files}
    assert [x.code for x in by_name["notes.xlsx"].findings] == ["not-a-workbook"]
    assert [x.code for x in by_name["list.csv"].findings] == ["unsupported-format"]
    assert [x.code for x in by_name["broken.xlsx"].findings] == ["file-unreadable"]
    assert [x.code for x in by_name["secret.xlsx"].findings] == ["encrypted"]
    assert [x.code for x in by_name["own.xlsx"].findings] == ["not-our-template"]
    assert {f.status for f in report.files} == {"unrecognised"}
    assert all(x.cell is None for f in report.files for x in f.findings)


def test_other_plan_changed_plan_and_outdated_template(tmp_path, plan, templates):
    dianjiang = load_plan("dianjiang-2026")
    county_unit = Unit(code="U1", name="县应急管理局", kind="部门", parent=None, contact=None, rows=("core",))
    foreign = build_templates(dianjiang, [county_unit], PERIOD, tmp_path / "dj").templates[0].path
    assert codes(validate_returns(plan, [foreign])) == ["other-plan"]

    changed = load_plan("dingshan-2026")
    changed.tables[0].rows[4].indicators[0].value = 0.005  # the office changed a target
    old = build_templates(changed, [VILLAGE], PERIOD, tmp_path / "old").templates[0].path
    assert codes(validate_returns(plan, [old])) == ["plan-changed"]

    def older_version(workbook):
        sheet = workbook["_toolkit_id"]
        sheet["B2"] = "0"

    path = fill(tmp_path, templates, edit=older_version)
    report = validate_returns(plan, [path])
    assert codes(report) == ["outdated-template"] and report.files[0].status == "unrecognised"


def test_unknown_unit_and_wrong_period(tmp_path, plan, templates):
    path = fill(tmp_path, templates)
    report = validate_returns(plan, [path], units=[OFFICE], period=parse_period("2026Q3"))
    assert codes(report) == ["unknown-unit", "wrong-period"]
    (period,) = findings(report, "wrong-period")
    assert "2026年第二季度" in period.message and "2026年第三季度" in period.message


def test_duplicate_returns_newest_is_the_candidate(tmp_path, plan, templates):
    first = fill(tmp_path, templates, name="青坪村.xlsx", saved_at=dt.datetime(2026, 7, 2, 9, 0))
    second = fill(tmp_path, templates, name="青坪村(1).xlsx", saved_at=dt.datetime(2026, 7, 3, 9, 0))
    report = validate_returns(plan, [first, second])
    by_path = {f.path: f for f in report.files}
    assert by_path[str(first)].status == "superseded" and by_path[str(second)].status == "used"
    (dup,) = findings(report, "duplicate-return")
    assert dup.file == str(first) and "青坪村(1).xlsx" in dup.message
    assert {o.file for o in report.outcomes} == {str(second)}


def test_a_newer_version_with_errors_is_rejected_and_the_older_valid_one_counts_in_validate_and_consolidate(
        tmp_path, plan, templates):
    """One rule for which file counts: the newest valid one. v1 valid, v2 newer with an error: v2 is sent
    back, v1 is used (not called superseded), and validate, consolidate and their JSON all say so."""
    from toolkit.pipeline.consolidate import consolidate

    v1 = fill(tmp_path, templates, name="v1.xlsx", saved_at=dt.datetime(2026, 7, 2, 9, 0))
    v2 = fill(tmp_path, templates, name="v2.xlsx", saved_at=dt.datetime(2026, 7, 3, 9, 0),
              changes={(None, "value"): "很多"})
    report = validate_returns(plan, [v1, v2], units=[VILLAGE], period=PERIOD)
    status = {f.path: f.status for f in report.files}
    assert status == {str(v1): "used", str(v2): "rejected"}
    assert not findings(report, "duplicate-return")
    validate_json = {f["path"]: f["status"] for f in report.to_json()["files"]}
    result = consolidate(plan, [v1, v2], units=[VILLAGE], period=PERIOD)
    consolidate_json = {f["path"]: f["status"] for f in result.to_json()["files"]}
    assert validate_json == consolidate_json == status
    (unit,) = result.units
    assert unit.status == "received" and unit.file == str(v1)
    assert "替代" not in next(f.why for f in result.files if f.path == str(v1))


def test_versions_saved_at_the_same_time_are_a_tie_not_newer(tmp_path, plan, templates):
    """Same saved time and same file time: neither is called newer; both say it is a tie."""
    import os

    same = dt.datetime(2026, 7, 2, 9, 0)
    a = fill(tmp_path, templates, name="甲.xlsx", saved_at=same)
    b = fill(tmp_path, templates, name="乙.xlsx", saved_at=same, changes={(None, "progress"): "另一份"})
    stamp = dt.datetime(2026, 7, 2, 10, 0).timestamp()
    for path in (a, b):
        os.utime(path, (stamp, stamp))
    report = validate_returns(plan, [b, a])
    ties = findings(report, "tied-return")
    assert sorted(x.file for x in ties) == sorted([str(a), str(b)])
    assert not findings(report, "duplicate-return")  # nobody is told a "newer" file replaced theirs
    assert sorted(f.status for f in report.files) == ["superseded", "used"]
    assert "乙.xlsx" in next(x.message for x in ties if x.file == str(a))


def test_the_file_time_breaks_a_tie_of_saved_times(tmp_path, plan, templates):
    import os

    same = dt.datetime(2026, 7, 2, 9, 0)
    a = fill(tmp_path, templates, name="a.xlsx", saved_at=same)
    b = fill(tmp_path, templates, name="b.xlsx", saved_at=same)
    os.utime(a, (dt.datetime(2026, 7, 2, 12, 0).timestamp(),) * 2)
    os.utime(b, (dt.datetime(2026, 7, 2, 11, 0).timestamp(),) * 2)
    report = validate_returns(plan, [a, b])
    assert {f.path: f.status for f in report.files} == {str(a): "used", str(b): "superseded"}
    assert not findings(report, "tied-return")


def test_a_saved_time_in_the_future_is_doubted_and_the_file_time_orders_the_versions(tmp_path, plan, templates):
    """A version whose saved time is forged to 2099 does not beat the real newer one, and is not on time."""
    import os

    from toolkit.pipeline.consolidate import consolidate

    forged = fill(tmp_path, templates, name="forged.xlsx", saved_at=dt.datetime(2099, 1, 1, 9, 0))
    real = fill(tmp_path, templates, name="real.xlsx", saved_at=dt.datetime(2026, 7, 5, 9, 0))
    os.utime(forged, (dt.datetime(2026, 7, 4, 9, 0).timestamp(),) * 2)  # what the file system says
    os.utime(real, (dt.datetime(2026, 7, 5, 9, 5).timestamp(),) * 2)
    report = validate_returns(plan, [forged, real])
    assert {f.path: f.status for f in report.files} == {str(forged): "superseded", str(real): "used"}
    (doubt,) = findings(report, "saved-time-doubtful")
    assert doubt.file == str(forged) and "2099-01-01" in doubt.message
    result = consolidate(plan, [forged], units=[VILLAGE], period=PERIOD, due=dt.date(2026, 7, 10))
    assert result.units[0].on_time is True  # judged on the file's own time, 2026-07-04


def test_saved_times_are_compared_in_local_time_on_a_utc_plus_8_pc(tmp_path, plan, templates, monkeypatch):
    """An .xlsx saved at 14:00 Beijing time (06:00Z in the file) is newer than a file last modified at 10:00."""
    import os
    import time

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        older = fill(tmp_path, templates, name="older.xlsx")
        newer = fill(tmp_path, templates, name="newer.xlsx", saved_at=dt.datetime(2026, 7, 3, 14, 0))
        with zipfile.ZipFile(newer) as archive:
            assert b"2026-07-03T06:00:00Z" in archive.read("docProps/core.xml")
        set_no_saved_time(older)  # like an .xls: only the file's own time says when
        os.utime(older, (dt.datetime(2026, 7, 3, 10, 0).timestamp(),) * 2)
        os.utime(newer, (dt.datetime(2026, 7, 3, 14, 1).timestamp(),) * 2)
        report = validate_returns(plan, [older, newer])
        assert {f.path: f.status for f in report.files} == {str(older): "superseded", str(newer): "used"}
        assert not findings(report, "saved-time-doubtful")
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def set_no_saved_time(path):
    """Remove the workbook's own record of when it was saved."""
    import re

    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>", b"", data)
            archive.writestr(info, data)


def test_every_file_in_a_folder_is_accounted_for_hidden_linked_and_system_files(tmp_path, plan, templates):
    """A hidden file is read like any other, a folder behind a link is walked once (a link loop ends),
    and a lock file or Thumbs.db is listed with why it was not read."""
    import os

    folder = tmp_path / "returns"
    folder.mkdir()
    hidden = fill(folder, templates, name=".DS-V01_青坪村_2026Q2.xlsx")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    linked = fill(elsewhere, templates, name="office.xlsx", unit="DS-O02")
    os.symlink(elsewhere, folder / "link")
    os.symlink(folder, elsewhere / "back-up")  # a loop
    (folder / "~$青坪村.xlsx").write_bytes(b"lock")
    (folder / "Thumbs.db").write_bytes(b"cache")
    report = validate_returns(plan, [folder])
    by_name = {os.path.basename(f.path): f for f in report.files}
    assert set(by_name) == {hidden.name, linked.name, "~$青坪村.xlsx", "Thumbs.db"}
    assert by_name[hidden.name].status == "used" and by_name[linked.name].status == "used"
    for name in ("~$青坪村.xlsx", "Thumbs.db"):
        assert [x.code for x in by_name[name].findings] == ["skipped-file"]
        assert not by_name[name].errors
    assert "锁定文件" in by_name["~$青坪村.xlsx"].findings[0].message


def test_lost_hidden_sheet_is_identified_from_content(tmp_path, plan, templates):
    def drop_hidden(workbook):
        del workbook["_toolkit_id"]

    path = fill(tmp_path, templates, edit=drop_hidden)
    report = validate_returns(plan, [path])
    (file_report,) = report.files
    assert file_report.unit == "DS-V01" and file_report.period == "2026Q2"
    assert [x.code for x in file_report.findings if x.severity == "error"] == []
    assert "identified-from-content" in codes(report)
    assert report.outcomes  # values were read


# ------------------------------------------------------------ structure and tampering


def test_changed_annex_cell(tmp_path, plan, templates):
    def tamper(workbook):
        workbook["核心绩效指标"]["C7"] = "5‰以内"

    report = validate_returns(plan, [fill(tmp_path, templates, edit=tamper)])
    (finding,) = findings(report, "annex-cell-changed")
    assert (finding.sheet, finding.cell) == ("核心绩效指标", "C7")
    assert "原为“3‰以内”，现为“5‰以内”" in finding.message
    assert report.files[0].status == "rejected"


def test_deleted_row_and_renamed_sheet(tmp_path, plan, templates):
    def delete_row(workbook):
        workbook["核心绩效指标"].delete_rows(4)

    report = validate_returns(plan, [fill(tmp_path, templates, name="a.xlsx", edit=delete_row)])
    (finding,) = findings(report, "rows-changed")
    assert finding.sheet == "核心绩效指标"
    assert not [x for x in report.findings if x.sheet == "核心绩效指标" and x.code != "rows-changed"]

    def rename(workbook):
        workbook["重点整治"].title = "整治"

    report = validate_returns(plan, [fill(tmp_path, templates, name="b.xlsx", edit=rename)])
    (finding,) = findings(report, "sheet-missing")
    assert finding.sheet == "重点整治" and finding.cell is None


# ------------------------------------------------------------ the engine


def test_all_files_are_validated_in_two_pandera_calls(tmp_path, plan, templates, monkeypatch):
    import pandera.pandas as pa

    calls = []
    original = pa.DataFrameSchema.validate

    def counting(self, *args, **kwargs):
        calls.append(self.name)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pa.DataFrameSchema, "validate", counting)
    paths = [fill(tmp_path, templates, name=f"{i}.xlsx", unit=unit) for i, unit in enumerate(["DS-V01", "DS-O02", "DS-V01"])]
    validate_returns(plan, paths)
    assert calls == ["types", "values"]


def test_input_files_are_not_modified(tmp_path, plan, templates):
    path = fill(tmp_path, templates, changes={("core-1", "value"): "abc"})
    before = path.read_bytes()
    validate_returns(plan, [path])
    assert path.read_bytes() == before


# ------------------------------------------------------------ CLI


def test_cli_json_contract_and_exit_codes(runner, tmp_path, plan, templates):
    good_path = fill(tmp_path, templates, name="good.xlsx")
    result = runner.invoke(cli, ["validate", "dingshan-2026", str(good_path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    (entry,) = data["files"]
    assert {"path", "unit", "period", "valid", "findings"} <= entry.keys()
    assert (entry["path"], entry["unit"], entry["period"], entry["valid"]) == (str(good_path), "DS-V01", "2026Q2", True)

    bad_path = fill(tmp_path, templates, name="bad.xlsx", changes={("core-1", "value"): "abc"})
    (tmp_path / "x.txt").write_text("x", encoding="utf-8")
    result = runner.invoke(cli, ["validate", "dingshan-2026", str(bad_path), str(tmp_path / "x.txt"), "--json"])
    assert result.exit_code == 1
    files = json.loads(result.output)["files"]
    first = next(f for f in files if f["path"] == str(bad_path))
    assert first["valid"] is False
    finding = next(x for x in first["findings"] if x["code"] == "not-a-number")
    assert {k: finding[k] for k in ("code", "severity", "sheet", "cell")} == \
        {"code": "not-a-number", "severity": "error", "sheet": "核心绩效指标", "cell": "G3"}
    assert finding["message"].startswith("“abc”不是整数")
    other = next(f for f in files if f["path"].endswith("x.txt"))
    assert other["findings"][0]["cell"] is None


def test_cli_text_report(runner, tmp_path, plan, templates):
    path = fill(tmp_path, templates, changes={("core-1", "value"): "abc"})
    result = runner.invoke(cli, ["validate", "dingshan-2026", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].split() == ["文件", "单位编码", "单位", "报送期", "结果", "错误", "提示"]
    assert "退回修改" in lines[2]
    assert any("not-a-number" in line and "G3" in line for line in lines)
    assert lines[-1].startswith("共 1 个文件：可用 0 个，有错误 1 个；错误 1 处")


@pytest.mark.parametrize("args", [["--period", "2026Q9"], ["--units", "missing.csv"]])
def test_cli_usage_errors(runner, tmp_path, plan, templates, args):
    path = fill(tmp_path, templates)
    result = runner.invoke(cli, ["validate", "dingshan-2026", str(path), *args])
    assert result.exit_code in (1, 2) and "Traceback" not in result.output
    assert result.output.startswith("错误：")


def test_cli_missing_path_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(cli, ["validate", "dingshan-2026", str(tmp_path / "nope")])
    assert result.exit_code == 2 and result.output.startswith("错误：找不到：")


def test_finding_codes_doc_is_generated_from_the_registry(runner):
    from .conftest import ROOT

    result = runner.invoke(cli, ["codes", "--markdown"])
    assert result.exit_code == 0
    assert (ROOT / "docs" / "finding-codes.md").read_text(encoding="utf-8") == result.output


def test_hidden_sheet_keeps_its_xml_safe(tmp_path, plan, templates):
    """A return keeps the very hidden sheet after openpyxl round trip (as units' Excel does)."""
    path = fill(tmp_path, templates)
    with zipfile.ZipFile(path) as archive:
        workbook_xml = archive.read("xl/workbook.xml").decode()
    assert 'state="veryHidden"' in workbook_xml


def test_every_finding_code_is_triggered_by_a_test():
    """Each code in the registry is asserted somewhere in the validation tests."""
    from pathlib import Path

    from toolkit.findings import CODES

    here = Path(__file__)
    source = "".join(here.with_name(name).read_text(encoding="utf-8")
                     for name in ("test_validate.py", "test_simulate_demo.py", "test_hostile.py", "test_input.py",
                                  "test_ledger.py", "test_hardening.py"))
    untested = [code for code in CODES if f'"{code}"' not in source]
    assert untested == []
