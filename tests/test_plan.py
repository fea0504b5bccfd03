"""Plans: import from annexes, the built-in plans, loading with line-numbered
errors, checking, and the CLI (plan import/show/check/list)."""

from __future__ import annotations

import json

import docx
import openpyxl
import pytest

from toolkit.cli import cli
from toolkit.errors import AnnexError, PlanFileErrors
from toolkit.plan import check_plan, load_plan
from toolkit.plan.importer import Identity, import_annex, read_notice, role_of
from toolkit.plan.io import load_plan as load_plan_file
from toolkit.plan.io import plan_to_yaml

from .conftest import ANNEXES, BUILTIN, PUBLISHED


def _import_published(plan_id):
    annex, notice = PUBLISHED[plan_id]
    identity = read_notice(ANNEXES / notice)
    identity.id = plan_id
    return import_annex(ANNEXES / annex, identity=identity)


# ------------------------------------------------------------ built-in plans


@pytest.mark.parametrize("plan_id", sorted(PUBLISHED))
def test_annex_imports_to_the_reviewed_builtin_plan(plan_id):
    result = _import_published(plan_id)
    assert plan_to_yaml(result.plan) == (BUILTIN / f"{plan_id}.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("plan_id", sorted(PUBLISHED))
def test_builtin_plan_checks_clean_and_every_target_is_parsed_or_for_review(plan_id):
    plan = load_plan(plan_id)
    assert [p for p in check_plan(plan) if p.severity == "error"] == []
    indicators = [indicator for _, _, indicator in plan.indicators()]
    assert indicators
    for indicator in indicators:
        assert indicator.status in ("parsed", "review")
        if indicator.status == "review":
            assert indicator.note, indicator.id


def test_notice_gives_identity():
    identity = read_notice(ANNEXES / "dingshan-2026-notice.txt")
    assert identity.doc_number == "丁山府发〔2026〕11号"
    assert identity.issuer == "重庆市綦江区丁山镇人民政府"
    assert identity.title == "2026年綦江区丁山镇安全生产和防灾减灾救灾工作要点"
    assert identity.years == [2026]
    fenghuang = read_notice(ANNEXES / "fenghuang-2024-2026-plan.txt")
    assert fenghuang.doc_number is None
    assert fenghuang.issuer == "重庆市沙坪坝区凤凰镇人民政府"
    assert fenghuang.years == [2024, 2025, 2026]
    dianjiang = read_notice(ANNEXES / "dianjiang-2026-notice.txt")
    assert (dianjiang.issuer, dianjiang.doc_number) == ("垫江县人民政府", "垫江府发〔2026〕3号")


def test_dingshan_core_indicators():
    plan = load_plan("dingshan-2026")
    core = plan.tables[0]
    assert (core.id, core.title, core.kind) == ("core", "核心绩效指标", "indicators")
    assert [c.role for c in core.columns] == ["seq", "name", "target", "responsible"]
    by_name = {i.name: i for _, _, i in plan.indicators()}
    accidents = by_name["较大生产安全事故起数"]
    assert (accidents.op, accidents.value, accidents.unit, accidents.measure, accidents.rollup, accidents.zero_tolerance) == \
        ("==", 0.0, "起", "count", "sum", True)
    fire = by_name["森林火灾受害率"]
    assert (fire.op, fire.value, fire.scale, fire.unit, fire.measure, fire.rollup) == ("<=", 0.003, "permille", "‰", "rate", "ratio")
    assert fire.numerator and fire.denominator
    monitoring = by_name["重大危险源安全风险在线监测率"]
    assert (monitoring.op, monitoring.value, monitoring.measure) == (">=", 1.0, "rate")


def test_dianjiang_relative_amounts_and_qualitative():
    by_name = {i.name: i for _, _, i in load_plan("dianjiang-2026").indicators()}
    complaints = by_name["非法营运投诉率"]
    assert (complaints.op, complaints.value, complaints.relative) == (">=", 0.1, "decrease")
    assert (by_name["改造老旧小区"].op, by_name["改造老旧小区"].value, by_name["改造老旧小区"].unit,
            by_name["改造老旧小区"].measure) == (">=", 12.0, "个", "amount")
    assert by_name["新建消防管网"].value == 108.0 and by_name["新建消防管网"].unit == "公里"
    deaths = by_name["生产安全事故死亡人数"]
    assert (deaths.op, deaths.status, deaths.measure) == ("qualitative", "review", "count")
    sensing = by_name["高层建筑消防物联感知设备接入率"]
    assert (sensing.op, sensing.value, str(sensing.deadline)) == (">=", 0.8, "2026-11-30")


def test_fenghuang_task_list_with_merged_cells():
    plan = load_plan("fenghuang-2024-2026")
    (table,) = plan.tables
    assert table.kind == "tasks"
    assert [c.role for c in table.columns] == ["action", "task", "subtask", "deadline", "office"]
    assert [c.title for c in table.columns][1:3] == ["重点任务", "重点任务"]
    # the annex's vertical merges are kept per row
    assert table.rows[0].merged_up == [] and table.rows[1].merged_up[:2] == ["行动名称", "重点任务"]
    assert all(not r.merged_up or r.merged_up[0] == "行动名称" for r in table.rows)
    assert len(table.rows) == 79
    deadlines = {table.cell(r, "deadline"): str(r.deadline) for r in table.rows}
    assert deadlines["2024年"] == "2024-12-31"
    assert deadlines["2024年6月底前"] == "2024-06-30"
    assert deadlines["长期坚持"] == "ongoing"
    assert deadlines["每年"] == "every:year"
    assert deadlines["2025年\n2026年"] == "2025-12-31;2026-12-31"
    assert all(r.is_task for r in table.rows)
    names = [i.name for _, _, i in plan.indicators()]
    assert len(names) == len(set(names))


# ------------------------------------------------------------ the JSON contract


def test_plan_show_json_contract(runner):
    result = runner.invoke(cli, ["plan", "show", "dianjiang-2026", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    indicators = data["indicators"]
    plan = load_plan("dianjiang-2026")
    assert len(indicators) == sum(1 for _ in plan.indicators())
    required = {"table", "row", "name", "text", "op", "value", "relative", "unit", "deadline"}
    for entry in indicators:
        assert required <= entry.keys()
        assert entry["op"] in ("==", "<=", "<", ">=", ">", "qualitative")
        assert entry["relative"] in (None, "decrease", "increase")
        assert entry["value"] is None or isinstance(entry["value"], float)
    first = indicators[0]
    assert {k: first[k] for k in required} == {
        "table": "核心绩效指标", "row": "1", "name": "因灾群死群伤责任事件", "text": "0",
        "op": "==", "value": 0.0, "relative": None, "unit": "起", "deadline": None,
    }
    complaints = next(e for e in indicators if e["name"] == "非法营运投诉率")
    assert (complaints["table"], complaints["row"], complaints["op"], complaints["value"], complaints["relative"]) == \
        ("重点整治", "12", ">=", 0.1, "decrease")


# ------------------------------------------------------------ importing other annexes


def _write_docx(path, tables, paragraphs=("附件",)):
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    for heading, header, rows in tables:
        if heading:
            document.add_paragraph(heading)
        table = document.add_table(rows=1 + len(rows), cols=len(header))
        for c, text in enumerate(header):
            table.cell(0, c).text = text
        for r, row in enumerate(rows, start=1):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
    document.save(str(path))
    return path


def test_other_office_annex_with_other_columns_in_another_order(tmp_path):
    path = _write_docx(tmp_path / "附件.docx", [
        ("一、核心绩效指标", ["责任单位", "指标名称", "2025年目标值", "序号"], [
            ["各村（社区）", "道路交通事故死亡人数", "0", "1"],
            ["各村（社区）", "消防安全检查覆盖率", "达到 95%", "2"],
            ["各村（社区）", "安全生产宣传培训", "每半年至少1次", "3"],
        ]),
        ("二、重点整治", ["序号", "名称", "配合单位", "目标（内容）", "责任领导", "责任办公室"], [
            ["1", "燃气领域", "各村", "年底前，燃气用户安全检查率达到１００％；新建消防站 2 个。", "张三", "应急办"],
        ]),
    ])
    result = import_annex(path, identity=Identity(id="other-2025"))
    plan = result.plan
    assert plan.years == [2025]
    assert [t.kind for t in plan.tables] == ["indicators", "rectification"]
    assert [c.role for c in plan.tables[0].columns] == ["responsible", "name", "target", "seq"]
    by_name = {i.name: i for _, _, i in plan.indicators()}
    assert by_name["道路交通事故死亡人数"].zero_tolerance
    assert (by_name["消防安全检查覆盖率"].op, by_name["消防安全检查覆盖率"].value) == (">=", 0.95)
    assert by_name["安全生产宣传培训"].frequency == "half-year"
    assert (by_name["燃气用户安全检查率"].value, str(by_name["燃气用户安全检查率"].deadline)) == (1.0, "2025-12-31")
    assert by_name["新建消防站"].value == 2.0
    assert plan.tables[1].cell(plan.tables[1].rows[0], "leader") == "张三"


def test_table_with_a_missing_column_imports_with_a_warning(tmp_path):
    path = _write_docx(tmp_path / "a.docx", [
        ("核心绩效指标", ["序号", "名称", "2026年目标"], [["1", "较大生产安全事故起数", "0"]]),
    ])
    plan = import_annex(path).plan
    problems = check_plan(plan)
    assert [(p.severity, p.code) for p in problems] == [("warning", "missing-column")]
    assert "责任单位" in problems[0].message


def test_unrecognised_tables_are_reported_and_skipped(tmp_path):
    path = _write_docx(tmp_path / "a.docx", [
        ("联系人", ["姓名", "电话"], [["张三", "123"]]),
        ("核心绩效指标", ["序号", "名称", "2026年目标"], [["1", "较大生产安全事故起数", "0"]]),
    ])
    result = import_annex(path)
    assert len(result.plan.tables) == 1
    assert len(result.skipped_tables) == 1 and "联系人" in result.skipped_tables[0]


def test_docx_that_is_not_an_annex_is_a_clear_error(tmp_path):
    path = _write_docx(tmp_path / "letter.docx", [("", ["姓名", "电话"], [["张三", "123"]])], paragraphs=("通知", "请按时参会。"))
    with pytest.raises(AnnexError) as info:
        import_annex(path)
    message = str(info.value)
    assert "没有识别出附件表格" in message and "letter.docx" in message and "解决办法" in message


def test_xlsx_annex_imports(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["附件：2026年核心绩效指标"])
    sheet.merge_cells("A1:D1")
    sheet.append(["序号", "名称", "2026年目标", "责任单位"])
    sheet.append([1, "较大生产安全事故起数", 0, "各村、社区"])
    sheet.append([2, "森林火灾受害率", "3‰以内", "各村、社区"])
    path = tmp_path / "annex.xlsx"
    workbook.save(path)
    plan = import_annex(path).plan
    assert plan.years == [2026]
    assert [(i.name, i.op, i.value) for _, _, i in plan.indicators()] == [
        ("较大生产安全事故起数", "==", 0.0), ("森林火灾受害率", "<=", 0.003)]


@pytest.mark.parametrize("title, role", [
    ("序号", "seq"), ("名称", "name"), ("指标名称", "name"), ("2026年目标", "target"),
    ("2026 年目标（内容）", "target"), ("责任领导", "leader"), ("责任办公室", "office"), ("责任科室", "office"),
    ("责任单位", "responsible"), ("牵头单位", "responsible"), ("配合单位", "partners"), ("完成时间", "deadline"),
    ("行动名称", "action"), ("重点任务", "task"), ("备注", "remark"), ("联系电话", "other"),
])
def test_column_roles(title, role):
    assert role_of(title) == role


# ------------------------------------------------------------ loading errors


def _plan_text():
    return (BUILTIN / "dingshan-2026.yaml").read_text(encoding="utf-8")


def test_load_reports_problems_with_lines_and_fixes(tmp_path):
    text = _plan_text()
    text = text.replace("op: ==", "op: ≥", 1).replace("measure: rate", "measure: ratio", 1)
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanFileErrors) as info:
        load_plan_file(path)
    problems = info.value.problems
    lines = text.splitlines()
    assert len(problems) == 2
    for line, message, hint in problems:
        assert line is not None and hint
        assert ("≥" in lines[line - 1]) or ("ratio" in lines[line - 1])
    assert f"{path}:" in str(info.value)


def test_load_reports_yaml_syntax_errors_by_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("format: toolkit-plan/1\nid: [unclosed\ntitle: x\n", encoding="utf-8")
    with pytest.raises(PlanFileErrors) as info:
        load_plan_file(path)
    assert info.value.problems[0][0] in (2, 3, 4)
    assert "YAML 格式错误" in str(info.value)


def test_duplicate_indicator_ids_are_reported(tmp_path):
    text = _plan_text().replace("id: core-2\n", "id: core-1\n")
    path = tmp_path / "dup.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanFileErrors) as info:
        load_plan_file(path)
    assert any("core-1" in message and "两次" in message for _, message, _ in info.value.problems)


def test_plan_round_trips_through_yaml(tmp_path):
    plan = load_plan("fenghuang-2024-2026")
    path = tmp_path / "copy.yaml"
    path.write_text(plan_to_yaml(plan), encoding="utf-8")
    again = load_plan_file(path)
    assert again == plan
    assert again.fingerprint() == plan.fingerprint()


# ------------------------------------------------------------ CLI


def test_cli_import_writes_plan_and_prints_review(runner, tmp_path):
    out = tmp_path / "plan.yaml"
    result = runner.invoke(cli, ["plan", "import", str(ANNEXES / "dingshan-2026.docx"), "--notice",
                                 str(ANNEXES / "dingshan-2026-notice.txt"), "--id", "dingshan-2026", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == (BUILTIN / "dingshan-2026.yaml").read_text(encoding="utf-8")
    assert "重大危险源安全风险在线监测率" in result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("已导入 核心绩效指标(6行)、重点整治(19行)：") and last.endswith(f"→ {out}")


def test_cli_import_of_a_non_annex_exits_1_without_traceback(runner, tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("hello", encoding="utf-8")
    result = runner.invoke(cli, ["plan", "import", str(path), "-o", str(tmp_path / "p.yaml")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    # a .txt is a notice written as prose (issue 17): without numbered sections it says so, in Chinese,
    # and points to writing the plan file by hand
    assert result.output.startswith(f"错误：{path}：文中没有找到“一、二、三……”编号的章节")
    assert "docs/plan-format.md" in result.output
    assert not (tmp_path / "p.yaml").exists()


def test_cli_check_passes_on_builtin_and_fails_on_errors(runner, tmp_path):
    result = runner.invoke(cli, ["plan", "check", "dingshan-2026"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].startswith("《2026年綦江区丁山镇安全生产和防灾减灾救灾工作要点》：")
    text = _plan_text().replace("      unit: 起\n", "", 1)
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["plan", "check", str(path)])
    assert result.exit_code == 1
    assert "missing-unit" in result.output and "较大生产安全事故起数" in result.output


def test_cli_show_missing_plan(runner):
    result = runner.invoke(cli, ["plan", "show", "no-such-plan"])
    assert result.exit_code == 1
    assert result.output.startswith("错误：no-such-plan：plan file not found")
    assert "dingshan-2026" in result.output  # lists the built-in plans


def test_cli_show_prints_tables(runner):
    result = runner.invoke(cli, ["plan", "show", "dingshan-2026"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "2026年綦江区丁山镇安全生产和防灾减灾救灾工作要点"
    assert "【核心绩效指标】 核心绩效指标，6 行，6 个可检查目标" in lines
    assert any(line.startswith("core-5") and "≤ 3‰" in line for line in lines)


def test_cli_list(runner):
    result = runner.invoke(cli, ["plan", "list"])
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.output.splitlines()[2:]] == sorted(PUBLISHED)


def test_help_is_fast_and_imports_no_heavy_libraries():
    import subprocess
    import sys

    code = "import sys; from toolkit.cli import cli; import toolkit.cli; print(sorted(m for m in ('pandas','pandera','openpyxl','docx','yaml','xlsxwriter') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_cli_unwritable_output_is_a_clean_error(runner, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = runner.invoke(cli, ["plan", "import", str(ANNEXES / "dingshan-2026.docx"), "-o", str(blocker / "sub" / "p.yaml"), "--quiet"])
    assert result.exit_code == 1
    assert result.output.startswith("错误：") and "Traceback" not in result.output and "解决办法" in result.output


# ================================================================ issue 13: what each target measures, scope, who reports

import re  # noqa: E402

from toolkit.plan.deadline import Deadline  # noqa: E402
from toolkit.plan.grammar import normalize, parse_target, read_text  # noqa: E402
from toolkit.plan.grammar.phrases import target_like  # noqa: E402
from toolkit.plan.importer import _indicator, format_value  # noqa: E402
from toolkit.plan.model import GENERIC_LABELS  # noqa: E402


def _core(name, phrase):
    return [_indicator(rule, ind_id="core-1", fallback_name=name, row_deadline=None)
            for rule in parse_target(phrase, name=name, year=2026)]


# (name, phrase) -> per indicator: (name, measure, unit, numerator, denominator, scope, reporters, baseline, zero_tolerance)
MEANING = [
    pytest.param("生产安全事故死亡人数", "下降10%以上",
                 [("生产安全事故死亡人数", "count", "人", None, None, "area", "lead", "same-period-last-year", False)],
                 id="relative-deaths-stay-a-count-of-people-compared-with-the-baseline-count"),
    pytest.param("生产安全事故起数和死亡人数", "0",
                 [("生产安全事故起数", "count", "起", None, None, "unit", "all", None, True),
                  ("生产安全事故死亡人数", "count", "人", None, None, "unit", "all", None, True)],
                 id="compound-subject-splits-into-accidents-and-deaths-each-zero-tolerance-for-every-unit"),
    pytest.param("事故起数和死亡人数", "双下降",
                 [("事故起数", "count", "起", None, None, "area", "lead", "same-period-last-year", False),
                  ("事故死亡人数", "count", "人", None, None, "area", "lead", "same-period-last-year", False)],
                 id="double-decrease-two-relative-counts-for-the-area"),
    pytest.param("较大生产安全事故起数", "0", [("较大生产安全事故起数", "count", "起", None, None, "unit", "all", None, True)],
                 id="zero-tolerance-binds-every-unit"),
    pytest.param("较大事故", "零发生", [("较大事故", "count", "起", None, None, "unit", "all", None, True)],
                 id="zero-happens-is-zero-tolerance"),
    pytest.param("非法营运投诉率", "下降10%",
                 [("非法营运投诉率", "rate", "%", GENERIC_LABELS, GENERIC_LABELS, "area", "lead", "same-period-last-year", False)],
                 id="relative-rate-stays-a-rate"),
    pytest.param("重大隐患整改率", "达100%",
                 [("重大隐患整改率", "rate", "%", "已整改重大隐患数", "重大隐患总数", "area", "lead", None, False)],
                 id="rate-labels-from-the-name-整改率"),
    pytest.param("特种作业人员持证上岗率", "达100%",
                 [("特种作业人员持证上岗率", "rate", "%", "特种作业人员持证上岗人数", "特种作业人员应持证人数", "area", "lead", None, False)],
                 id="rate-labels-持证上岗率"),
    pytest.param("试点项目自有工人施工人数占施工现场总人数比例", "50%以上",
                 [("试点项目自有工人施工人数占施工现场总人数比例", "rate", "%", "试点项目自有工人施工人数", "施工现场总人数",
                   "area", "lead", None, False)], id="share-X-of-Y-no-garbled-人数数"),
    pytest.param("森林火灾受害率", "3‰以内",
                 [("森林火灾受害率", "rate", "‰", "受害森林面积（公顷）", "森林总面积（公顷）", "area", "lead", None, False)],
                 id="area-rate-per-mille"),
    pytest.param("亿元GDP生产安全事故死亡率", "0.02以内",
                 [("亿元GDP生产安全事故死亡率", "rate", "人/亿元", "生产安全事故死亡人数", "地区生产总值（亿元）", "area", "lead", None, False)],
                 id="per-100-million-yuan-gdp-rate-has-its-own-numerator-and-denominator"),
    pytest.param("十万人口生产安全事故死亡率", "1.5以内",
                 [("十万人口生产安全事故死亡率", "rate", "人/10万人", "生产安全事故死亡人数", "常住人口数", "area", "lead", None, False)],
                 id="per-100k-population-rate-is-no-percentage"),
    pytest.param("改造老旧小区", "12个", [("改造老旧小区", "amount", "个", None, None, "area", "lead", None, False)],
                 id="amount-is-one-figure-for-the-area-reported-by-the-lead"),
    pytest.param("新建消防管网", "108公里", [("新建消防管网", "amount", "公里", None, None, "area", "lead", None, False)],
                 id="amount-in-km"),
    pytest.param("安全生产工作检查", "每季度至少组织1次",
                 [("安全生产工作检查", "frequency", "次", None, None, "unit", "all", None, False)],
                 id="per-unit-frequency-binds-every-unit"),
    pytest.param("生产安全事故死亡人数", "保持低位运行",
                 [("生产安全事故死亡人数", "count", "人", None, None, "area", "lead", None, False)],
                 id="qualitative-count-is-judged-by-a-person-on-the-area-figure"),
]


@pytest.mark.parametrize("name, phrase, expected", MEANING)
def test_targets_keep_their_meaning(name, phrase, expected):
    got = _core(name, phrase)
    assert len(got) == len(expected)
    for ind, (n, measure, unit, num, den, scope, reporters, baseline, zero) in zip(got, expected):
        assert (ind.name, ind.measure, ind.unit, ind.scope, ind.reporters, ind.baseline, ind.zero_tolerance) == (
            n, measure, unit, scope, reporters, baseline, zero)
        if isinstance(num, frozenset):
            assert ind.numerator in num and ind.denominator in den and ind.generic_labels
        else:
            assert (ind.numerator, ind.denominator) == (num, den)
        if ind.measure == "count":
            assert ind.numerator is None and ind.rollup == "sum"  # a count never asks for a numerator


def test_per_100k_rate_values_are_natural_units():
    (ind,) = _core("十万人口生产安全事故死亡率", "1.5以内")
    assert (ind.op, ind.scale, ind.scale_factor) == ("<=", "per-100k", 100_000)
    assert ind.value == pytest.approx(1.5e-5)
    assert format_value(ind.value, ind.scale, ind.unit) == "1.5人/10万人"


# Rates of the built-in plans whose wording names no numerator/denominator: reviewed by hand.
REVIEWED_GENERIC = {
    ("dingshan-2026", "非法营运投诉占比"),
    ("dianjiang-2026", "非法营运投诉率"),
    ("dianjiang-2026", "重点区域非法营运案发率"),
}
# Indicators per built-in plan, reviewed against the annexes: nothing dropped, nothing invented.
REVIEWED_COUNTS = {"dingshan-2026": 41, "dianjiang-2026": 65, "fenghuang-2024-2026": 25}


@pytest.mark.parametrize("plan_id", sorted(PUBLISHED))
def test_builtin_plans_have_specific_rate_labels_except_the_reviewed(plan_id):
    plan = load_plan(plan_id)
    rates = [ind for _, _, ind in plan.indicators() if ind.measure == "rate"]
    generic = {(plan_id, ind.name) for ind in rates if ind.generic_labels}
    assert generic == {x for x in REVIEWED_GENERIC if x[0] == plan_id}
    assert len(generic) * 5 < len(rates)  # a small minority
    for ind in rates:  # never garbled: no "人数数", no label cut to a bare "…数"
        for label in (ind.numerator, ind.denominator):
            assert label and not re.search(r"数数|^.{0,2}数$", label), (ind.name, label)
    codes = {p.code for p in check_plan(plan)}
    assert ("generic-rate-label" in codes) == bool(generic)


@pytest.mark.parametrize("plan_id", sorted(PUBLISHED))
def test_builtin_plans_drop_no_target_like_phrase_and_invent_no_target(plan_id):
    plan = load_plan(plan_id)
    assert sum(1 for _ in plan.indicators()) == REVIEWED_COUNTS[plan_id]
    for table in plan.tables:
        for row in table.rows:
            text = table.cell(row, "target") if table.kind != "tasks" else (
                table.cell(row, "subtask") or table.cell(row, "target") or table.cell(row, "task"))
            if table.kind == "indicators":
                continue  # one target per row, never dropped (unparsed at worst)
            norm = normalize(text)
            for ind in row.indicators:  # nothing invented: every target quotes its row
                assert normalize(ind.text) in norm, (row.id, ind.text)
            for sentence in re.split(r"[。；！？\n]", text):
                if not sentence.strip() or not target_like(normalize(sentence)):
                    continue
                kept = [normalize(i.text) for i in row.indicators] + [normalize(t) for t in row.review]
                assert any(k in normalize(sentence) or normalize(sentence).strip(" ，") in k for k in kept), (row.id, sentence)
    listed = [p.message for p in check_plan(plan) if p.code == "target-like-text"]
    assert len(listed) == sum(len(r.review) for t in plan.tables for r in t.rows)
    assert all(text in " ".join(listed) for t in plan.tables for r in t.rows for text in r.review)


@pytest.mark.parametrize("plan_id", sorted(PUBLISHED))
def test_builtin_plans_scope_and_reporters_follow_the_rules(plan_id):
    for _, _, ind in load_plan(plan_id).indicators():
        if ind.relative:
            assert (ind.scope, ind.reporters) == ("area", "lead") and ind.baseline
        elif ind.zero_tolerance or ind.frequency:
            assert (ind.scope, ind.reporters) == ("unit", "all"), ind.name
        else:
            assert (ind.scope, ind.reporters) == ("area", "lead"), ind.name
        if ind.measure == "count" and ind.relative:
            assert ind.numerator is None


def test_dingshan_core_zero_targets_bind_every_unit():
    plan = load_plan("dingshan-2026")
    core = {ind.name: ind for table, _, ind in plan.indicators() if table.kind == "indicators"}
    assert core["较大生产安全事故起数"].scope == "unit"
    assert core["森林火灾受害率"].scope == "area"


# ------------------------------------------------------------ keys


@pytest.mark.parametrize("plan_id", sorted(PUBLISHED))
def test_keys_are_unique_and_survive_reimport(plan_id):
    plan = load_plan(plan_id)
    keys = [ind.key for _, _, ind in plan.indicators()]
    assert len(set(keys)) == len(keys) and all(keys)
    annex, notice = PUBLISHED[plan_id]
    identity = read_notice(ANNEXES / notice)
    identity.id = plan_id
    again = import_annex(ANNEXES / annex, identity=identity, previous=plan).plan
    assert [ind.key for _, _, ind in again.indicators()] == keys


def test_keys_survive_edits_of_the_wording():
    previous = load_plan("dingshan-2026")
    indicators = [ind for _, _, ind in previous.indicators()]
    # the ledger knows these keys; the old file worded two targets differently
    indicators[0].key, indicators[0].name = "ledger-accidents", "较大事故起数（旧）"
    indicators[8].key, indicators[8].text = "ledger-patrols", "旧的措辞"
    result = _import_published_onto("dingshan-2026", previous)
    new = {ind.id: ind for _, _, ind in result.plan.indicators()}
    assert new[indicators[0].id].key == "ledger-accidents"  # same row and place
    assert new[indicators[8].id].key == "ledger-patrols"
    assert result.carried_keys == len(indicators)


def _import_published_onto(plan_id, previous):
    annex, notice = PUBLISHED[plan_id]
    identity = read_notice(ANNEXES / notice)
    identity.id = plan_id
    return import_annex(ANNEXES / annex, identity=identity, previous=previous)


def test_key_is_derived_from_kind_subject_and_unit():
    plan = load_plan("dianjiang-2026")
    by_name = {ind.name: ind for _, _, ind in plan.indicators()}
    assert by_name["生产安全事故死亡人数"].key == "core:生产安全事故死亡人数:人"
    assert by_name["“两客一危”年检率"].key == "rect:两客一危年检率:%"


def test_duplicate_keys_are_reported(tmp_path):
    text = (BUILTIN / "dingshan-2026.yaml").read_text(encoding="utf-8")
    text = text.replace("key: core:因灾群死群伤责任事件:起", "key: core:较大生产安全事故起数:起")
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanFileErrors, match="指标键“core:较大生产安全事故起数:起”用了两次"):
        load_plan_file(path)


def test_plan_file_without_keys_gets_derived_keys(tmp_path):
    text = re.sub(r"\n +key: [^\n]+", "", (BUILTIN / "dingshan-2026.yaml").read_text(encoding="utf-8"))
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    assert [i.key for _, _, i in load_plan_file(path).indicators()] == [
        i.key for _, _, i in load_plan("dingshan-2026").indicators()]


# ------------------------------------------------------------ deadlines, JSON, CLI


@pytest.mark.parametrize("canonical, words, milestones", [
    ("2026-11-30", "2026年11月30日", [(2026, 11, 30)]),
    ("2025-12-31;2026-12-31", "2025年12月31日、2026年12月31日", [(2025, 12, 31), (2026, 12, 31)]),
    ("every:quarter", "每季度", []),
    ("ongoing", "长期坚持", []),
])
def test_deadlines_are_objects_written_as_canonical_strings(canonical, words, milestones):
    import datetime as dt

    d = Deadline.from_canonical(canonical)
    assert (d.canonical(), str(d), d.words()) == (canonical, canonical, words)
    assert list(d.milestones) == [dt.date(*m) for m in milestones]
    assert d.passed_by(dt.date(2027, 1, 1)) == bool(milestones)
    if len(milestones) == 2:
        assert d.current(2025) == dt.date(2025, 12, 31) and d.current(2024) is None
        assert d.next_from(2026) == dt.date(2026, 12, 31)
        assert d.due_in(dt.date(2025, 10, 1), dt.date(2025, 12, 31))


def test_plan_show_json_has_scope_reporters_baseline_key(runner):
    result = runner.invoke(cli, ["plan", "show", "dianjiang-2026", "--json"])
    data = json.loads(result.output)
    by_name = {i["name"]: i for i in data["indicators"]}
    assert {"scope", "reporters", "baseline", "key"} <= set(by_name["非法营运投诉率"])
    assert (by_name["非法营运投诉率"]["scope"], by_name["非法营运投诉率"]["reporters"],
            by_name["非法营运投诉率"]["baseline"]) == ("area", "lead", "same-period-last-year")
    assert (by_name["生产安全较大及以上事故起数"]["scope"], by_name["生产安全较大及以上事故起数"]["baseline"]) == ("unit", None)
    show = runner.invoke(cli, ["plan", "show", "dianjiang-2026"]).output
    assert "考核范围" in show and "全域一个数，牵头单位填报" in show and "每个单位，各单位填报" in show


def test_cli_check_lists_target_like_sentences_with_their_text(runner):
    result = runner.invoke(cli, ["plan", "check", "fenghuang-2024-2026"])
    assert "target-like-text" in result.output and "以燃气管道“带病运行”专项治理为重点" in result.output


def test_templates_build_refuses_a_period_outside_the_plan_years(runner, tmp_path):
    from .conftest import ROOT

    for period in ("2025Q4", "2027Q1"):
        result = runner.invoke(cli, ["templates", "build", "dingshan-2026", "--units", str(ROOT / "examples" / "dingshan-units.csv"),
                                     "--period", period, "-o", str(tmp_path / period)])
        assert result.exit_code == 2, result.output
        assert "不在计划" in result.output and "2026年" in result.output
        assert not (tmp_path / period).exists()


def test_unread_sentences_round_trip_through_the_plan_file(tmp_path):
    plan = load_plan("fenghuang-2024-2026")
    path = tmp_path / "p.yaml"
    path.write_text(plan_to_yaml(plan), encoding="utf-8")
    again = load_plan_file(path)
    assert [r.review for t in again.tables for r in t.rows] == [r.review for t in plan.tables for r in t.rows]
    assert read_text("对新任责任人全覆盖进行培训").unread == ["对新任责任人全覆盖进行培训"]


def test_an_unseen_street_annex_keeps_the_meaning_of_its_targets(tmp_path):
    """The failures of issue 13, on an annex the importer has not seen."""
    from toolkit.assign import assign_rows
    from toolkit.units import Unit

    path = _write_docx(tmp_path / "附件.docx", [
        ("一、核心绩效指标", ["序号", "名称", "2026年目标", "责任单位"], [
            ["1", "生产安全事故起数和死亡人数", "0", "街道各科室、各社区"],
            ["2", "道路交通事故死亡人数", "下降10%以上", "街道平安办"],
            ["3", "亿元GDP生产安全事故死亡率", "0.02以内", "街道应急办"],
            ["4", "特种作业人员持证上岗率", "达100%", "街道应急办"],
            ["5", "较大火灾事故", "零发生", "街道各科室"],
        ]),
        ("二、重点整治", ["序号", "名称", "目标（内容）", "责任办公室", "配合单位"], [
            ["1", "道路交通领域", "事故起数和死亡人数同比持续下降；每月至少开展一次安全检查；开展7座以上客车专项整治。",
             "街道平安办", "街道应急办、镇安委会有关成员单位"],
        ]),
    ], paragraphs=("附件", "2026年某街道安全生产工作要点"))
    plan = import_annex(path, identity=Identity(id="street-2026")).plan
    got = [(i.name, i.op, i.value, i.unit, i.measure, i.relative, i.scope, i.reporters) for _, _, i in plan.indicators()]
    assert got == [
        ("生产安全事故起数", "==", 0.0, "起", "count", None, "unit", "all"),
        ("生产安全事故死亡人数", "==", 0.0, "人", "count", None, "unit", "all"),
        ("道路交通事故死亡人数", ">=", 0.1, "人", "count", "decrease", "area", "lead"),
        ("亿元GDP生产安全事故死亡率", "<=", 0.02, "人/亿元", "rate", None, "area", "lead"),
        ("特种作业人员持证上岗率", ">=", 1.0, "%", "rate", None, "area", "lead"),
        ("较大火灾事故", "==", 0.0, "起", "count", None, "unit", "all"),
        ("事故起数", ">", 0.0, "起", "count", "decrease", "area", "lead"),
        ("事故死亡人数", ">", 0.0, "人", "count", "decrease", "area", "lead"),
        ("安全检查", ">=", 1.0, "次", "frequency", None, "unit", "all"),
    ]
    rect = plan.tables[1].rows[0]
    assert rect.review == ["开展7座以上客车专项整治"]  # the number names the vehicles: listed, not a target
    assert not any(p.code == "generic-rate-label" for p in check_plan(plan))

    units = [Unit("O1", "党政办公室", "办公室", None, None), Unit("O2", "平安办", "办公室", None, None),
             Unit("O3", "应急办", "办公室", None, None), Unit("S1", "某社区", "社区", None, None)]
    assignment = assign_rows(plan, units)
    assert assignment.units_for("core-1") == ["O1", "O2", "O3", "S1"]  # 街道各科室 reaches the offices
    assert assignment.units_for("core-5") == ["O1", "O2", "O3"]
    assert assignment.units_for("rect-1") == ["O2", "O3"]  # 有关成员单位: listed for review, not routed
    assert assignment.approximate == {"rect-1": ["镇安委会有关成员单位"]}
    assert (assignment.role("rect-1", "O2"), assignment.role("rect-1", "O3")) == ("lead", "partner")
    assert [u.is_territorial for u in units] == [False, False, False, True]
