"""Baseline files for relative targets: levels only, the right period, values
in their measure's range, and a file that gives nothing is an error."""

from __future__ import annotations

import copy
import json

import pytest

from toolkit.periods import parse_period
from toolkit.pipeline.baselines import BaselineError, baseline_period, read_baselines
from toolkit.pipeline.consolidate import consolidate
from toolkit.plan import load_plan
from toolkit.simulate import fill_template
from toolkit.templates import build_templates
from toolkit.units import Unit
from toolkit.xlsx.leaders import write_consolidated_workbook

COMPLAINTS = "非法营运投诉率"  # dianjiang-2026: rate in %, 下降10% against 上年同期


@pytest.fixture(scope="module")
def plan():
    return load_plan("dianjiang-2026")


@pytest.fixture(scope="module")
def unit():
    return Unit(code="U1", name="县公安局", kind="部门", parent=None, contact=None, rows=("rect-12",))


def _complaints(plan):
    return next(i for _, _, i in plan.indicators() if i.name == COMPLAINTS)


def _consolidated(plan, unit, folder, period, numerator, denominator, baseline_cell=None, baseline=None):
    """A real consolidation of one unit reporting the complaints rate numerator/denominator."""
    template = build_templates(plan, [unit], parse_period(period), folder / "t").templates[0]
    complaints = _complaints(plan).id

    def value_for(spot):
        if spot.indicator_id == complaints:
            return {"numerator": numerator, "denominator": denominator, "baseline": baseline_cell}.get(spot.field)
        return {"numerator": 1, "denominator": 1, "value": 0, "cumulative": 0, "status": "推进中",
                "progress": "推进中", "reporter": "张三", "phone": "1", "approver": "李四"}.get(spot.field)

    fill_template(template.path, folder / "r" / "U1.xlsx", value_for)
    return consolidate(plan, [folder / "r"], units=[unit], period=parse_period(period), baseline=baseline)


@pytest.fixture(scope="module")
def last_year(plan, unit, tmp_path_factory):
    """2025's consolidation (built with this plan, then labelled 2025): the unit's
    rate was 10/100 = 10%, and that year's own change against its baseline
    (12.5%, typed in the baseline cell and given for the area) was a decrease of 20%."""
    folder = tmp_path_factory.mktemp("last-year")
    before = folder / "2024.csv"
    before.write_text(f"unit,indicator,value\n全域,{COMPLAINTS},12.5%\n", encoding="utf-8")
    result = _consolidated(plan, unit, folder, "2026", 10, 100, baseline_cell="12.5%", baseline=before)
    result.period, result.period_label = "2025", "2025年度"
    area = next(a for a in result.aggregates if a.indicator == COMPLAINTS)
    assert area.value == pytest.approx((0.125 - 0.10) / 0.125)  # a change: 20%
    workbook = folder / "汇总_2025.xlsx"
    write_consolidated_workbook(result, workbook)
    js = folder / "汇总_2025.json"
    js.write_text("".join(result.json_chunks()), encoding="utf-8")
    return {"workbook": workbook, "json": js}


@pytest.mark.parametrize("kind", ["workbook", "json"])
def test_a_previous_consolidation_gives_levels_never_its_change_column(plan, unit, last_year, kind):
    units_levels, area = read_baselines(last_year[kind], plan, [unit], parse_period("2026"))
    complaints = _complaints(plan).id
    assert area[complaints] == pytest.approx(10 / 100)  # last year's rate, not its 20% decrease
    assert units_levels[("U1", complaints)] == pytest.approx(10 / 100)


def test_consolidation_judges_this_year_against_last_years_level(plan, unit, last_year, tmp_path):
    result = _consolidated(plan, unit, tmp_path, "2026", 8, 100, baseline=last_year["json"])
    area = next(a for a in result.aggregates if a.indicator == COMPLAINTS)
    assert area.value == pytest.approx((0.10 - 0.08) / 0.10)  # 20% below last year's 10%
    assert area.status == "met"


@pytest.mark.parametrize("kind", ["workbook", "json"])
def test_a_consolidation_of_another_period_is_an_error_naming_both_periods(plan, unit, last_year, kind):
    with pytest.raises(BaselineError) as info:
        read_baselines(last_year[kind], plan, [unit], parse_period("2027"))  # needs 2026
    text = str(info.value)
    assert "2025年度" in text and "2026年度" in text and last_year[kind].name in text


def test_baseline_periods_follow_the_targets_words(plan):
    ind = copy.copy(_complaints(plan))
    q2 = parse_period("2026Q2")
    expected = {"same-period-last-year": "2025Q2", "last-year-total": "2025", "previous-period": "2026Q1",
                "year:2020": "2020"}
    for words, code in expected.items():
        ind.baseline = words
        assert baseline_period(ind, q2).code == code
    ind.baseline = "previous-period"
    assert baseline_period(ind, parse_period("2026Q1")).code == "2025Q4"


def _csv(tmp_path, text):
    path = tmp_path / "基线.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_rate_above_100_percent_is_an_error_naming_file_and_line(plan, unit, tmp_path):
    path = _csv(tmp_path, f"unit,indicator,value\nU1,{COMPLAINTS},8%\n全域,{COMPLAINTS},150%\n")
    with pytest.raises(BaselineError) as info:
        read_baselines(path, plan, [unit], parse_period("2026"))
    assert f"{path}:3" in str(info.value) and "超过 100%" in str(info.value)


def test_a_plain_number_for_a_percent_rate_is_refused_as_ambiguous(plan, unit, tmp_path):
    path = _csv(tmp_path, f"unit,indicator,value\n全域,{COMPLAINTS},0.10\n")
    with pytest.raises(BaselineError) as info:
        read_baselines(path, plan, [unit], parse_period("2026"))
    assert f"{path}:2" in str(info.value) and "%" in info.value.hint


def test_a_per_10k_rate_is_written_per_10000_and_read_in_natural_units(plan, unit, tmp_path):
    plan = copy.deepcopy(plan)
    ind = _complaints(plan)
    ind.scale = "per-10k"
    path = _csv(tmp_path, f"unit,indicator,value\n全域,{COMPLAINTS},2.1\nU1,{COMPLAINTS},0.021%\n")
    units_levels, area = read_baselines(path, plan, [unit], parse_period("2026"))
    assert area[ind.id] == pytest.approx(2.1 / 10_000)
    assert units_levels[("U1", ind.id)] == pytest.approx(0.021 / 100)
    # 20000 per 10,000 would be a rate of 2, i.e. 200%
    bad = _csv(tmp_path, f"unit,indicator,value\n全域,{COMPLAINTS},20000\n")
    with pytest.raises(BaselineError) as info:
        read_baselines(bad, plan, [unit], parse_period("2026"))
    assert f"{bad}:2" in str(info.value) and "每万" in str(info.value)


def test_a_count_baseline_keeps_its_unit_and_is_whole(plan, unit, tmp_path):
    plan = copy.deepcopy(plan)
    ind = _complaints(plan)
    ind.measure, ind.scale, ind.unit, ind.rollup = "count", None, "人", "sum"
    levels = _csv(tmp_path, f"unit,indicator,value,计量单位\n全域,{COMPLAINTS},12,人\n")
    assert read_baselines(levels, plan, [unit], parse_period("2026"))[1][ind.id] == 12
    for text, words in ((f"全域,{COMPLAINTS},12,起", "计量单位"), (f"全域,{COMPLAINTS},2.5,人", "整数"),
                        (f"全域,{COMPLAINTS},20%,人", "百分数")):
        path = _csv(tmp_path, f"unit,indicator,value,计量单位\n{text}\n")
        with pytest.raises(BaselineError) as info:
            read_baselines(path, plan, [unit], parse_period("2026"))
        assert words in str(info.value) and f"{path}:2" in str(info.value)


def test_a_csv_period_column_is_checked(plan, unit, tmp_path):
    path = _csv(tmp_path, f"unit,indicator,value,period\n全域,{COMPLAINTS},8%,2024\n")
    with pytest.raises(BaselineError) as info:
        read_baselines(path, plan, [unit], parse_period("2026"))
    assert "2024年度" in str(info.value) and "2025年度" in str(info.value)


def test_a_file_that_supplies_nothing_usable_is_an_error(plan, unit, tmp_path, last_year):
    empty = _csv(tmp_path, "unit,indicator,value\n")
    with pytest.raises(BaselineError) as info:
        read_baselines(empty, plan, [unit], parse_period("2026"))
    assert "没有可用的基线数值" in str(info.value)
    # a consolidation of another plan's indicators: nothing for this plan's relative targets
    data = json.loads(last_year["json"].read_text(encoding="utf-8"))
    for item in (*data["aggregates"], *data["values"]):
        item["indicator"], item["indicator_id"] = "别的指标", "other"
    other = tmp_path / "other.json"
    other.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(BaselineError) as info:
        read_baselines(other, plan, [unit], parse_period("2026"))
    assert "没有可用的基线数值" in str(info.value) and "other.json" in str(info.value)


def test_the_cli_says_a_bad_baseline_in_chinese_and_exits_1(runner, tmp_path):
    from toolkit.cli import cli

    bad = _csv(tmp_path, f"unit,indicator,value\n全域,{COMPLAINTS},150%\n")
    (tmp_path / "r").mkdir()
    (tmp_path / "u.csv").write_text("code,name\nU1,县公安局\n", encoding="utf-8")
    result = runner.invoke(cli, ["consolidate", "dianjiang-2026", str(tmp_path / "r"), "--units",
                                 str(tmp_path / "u.csv"), "--period", "2026", "-o", str(tmp_path / "o.xlsx"),
                                 "--baseline", str(bad)])
    assert result.exit_code == 1
    assert "超过 100%" in result.output and "修改方法" in result.output and "Traceback" not in result.output


def test_a_consolidation_measuring_the_subject_otherwise_is_an_error_naming_its_line(plan, unit, tmp_path, last_year):
    lines = last_year["json"].read_text(encoding="utf-8").splitlines()
    at = next(n for n, line in enumerate(lines) if line.startswith("    {") and f'"indicator": "{COMPLAINTS}"' in line
              and '"measure"' in line)
    lines[at] = lines[at].replace('"measure": "rate"', '"measure": "count"').replace('"unit": "%"', '"unit": "起"')
    other = tmp_path / "计量不同.json"
    other.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(BaselineError) as info:
        read_baselines(other, plan, [unit], parse_period("2026"))
    assert f"{other}:{at + 1}" in str(info.value) and "计量" in str(info.value)
