"""Frequency windows judged from the ledger's earlier periods.

丁山镇's 每季度至少组织1次安全生产工作检查 (rect-10.3) reported monthly, and
每半年对场镇排水设施开展1次排查 (rect-16.1) reported quarterly: a window that
began after 1 January (2026年第二季度 = M04+M05+M06; 2026年下半年 = Q3+Q4) is
judged on the sum of its periods' 本期 figures, the earlier ones from the
ledger. The expected outcomes are worked out below from the typed figures by
the rule as the brief states it, not by the code under test:

    sum over the window's periods so far ≥ N  -> met (whenever it is reached)
    short of N before the window's last period -> in-progress (未到期)
    short of N at its last period              -> missed; no-data when a period of the window is missing
"""

from __future__ import annotations

import copy
import datetime as dt

import pytest

import toolkit
from toolkit.periods import parse_period
from toolkit.rules.judge import judgement
from toolkit.simulate import fill_template
from toolkit.templates import build_templates

from .test_consolidate import values_for

QUARTERLY, HALF_YEARLY = "rect-10.3", "rect-16.1"
# 本期 inspections typed per village and month (a month missing: that return was never sent)
MONTHLY = {
    "DS-V01": {"2026M04": 0, "2026M05": 0, "2026M06": 1},  # reached in the last month
    "DS-V02": {"2026M04": 1, "2026M05": 0, "2026M06": 0},  # reached in the first month
    "DS-V03": {"2026M04": 0, "2026M05": 0, "2026M06": 0},  # never reached
    "DS-V04": {"2026M04": 0, "2026M06": 0},  # no May return: the quarter cannot be judged
    "DS-V05": {"2026M05": 2, "2026M06": 0},  # no April return, but reached anyway
}
MONTHS = ("2026M04", "2026M05", "2026M06")
# 本期 drainage checks typed per village and quarter (2026年下半年 = Q3 + Q4)
QUARTERLY_CHECKS = {"DS-V01": {"2026Q3": 0, "2026Q4": 1}, "DS-V02": {"2026Q3": 1, "2026Q4": 0},
                    "DS-V03": {"2026Q3": 0, "2026Q4": 0}}
STATUS_OF = {"met": "met", "missed": "missed", "open": "in-progress", "unknown": "no-data"}


def expected(typed: dict[str, int], window: tuple[str, ...], period: str, target: float = 1) -> str:
    """The rule applied by hand: the window's periods up to `period`, summed."""
    so_far = window[: window.index(period) + 1]
    total = sum(typed.get(p, 0) for p in so_far)
    if total >= target:
        return "met"
    if period != window[-1]:
        return "open"
    return "unknown" if any(p not in typed for p in so_far) else "missed"


def write_month(plan, units, period: str, folder, figures: dict[str, dict[str, int]], indicator: str):
    """Each unit's return for `period` with its typed 本期 (本年累计 its running sum), if it sent one."""
    templates = build_templates(plan, units, parse_period(period), folder / "templates").templates
    sent = 0
    for seed, template in enumerate(templates, start=1):
        typed = figures[template.unit_code]
        if period not in typed:
            continue
        so_far = sum(n for p, n in typed.items() if p <= period)
        changes = {(indicator, "value"): typed[period], (indicator, "cumulative"): so_far}
        fill_template(template.path, folder / "returns" / f"{template.unit_code}.xlsx", values_for(seed, changes),
                      saved_at=dt.datetime(parse_period(period).end.year, parse_period(period).end.month, 28, 9))
        sent += 1
    return folder / "returns"


def outcome(result, unit, indicator):
    return next(o for o in result.outcomes if o.unit == unit and o.indicator_id == indicator)


def area(result, indicator):
    return next(a for a in result.aggregates if a.indicator_id == indicator)


@pytest.fixture(scope="module")
def units(example_units):
    return [u for u in example_units if u.code in MONTHLY]


@pytest.fixture(scope="module")
def months(tmp_path_factory, dingshan_plan, units):
    """April, May and June consolidated in turn through one ledger."""
    work = tmp_path_factory.mktemp("months")
    db = work / "台账.db"
    results = {}
    for period in MONTHS:
        folder = write_month(dingshan_plan, units, period, work / period, MONTHLY, QUARTERLY)
        results[period] = toolkit.consolidate(dingshan_plan, [folder], units=units, period=period, db=db)
    return work, db, results


@pytest.mark.parametrize("period", MONTHS)
def test_each_units_quarter_is_the_sum_of_its_months_in_the_ledger(months, period):
    _, _, results = months
    result = results[period]
    for unit, typed in MONTHLY.items():
        if period not in typed:
            continue
        want = STATUS_OF[expected(typed, MONTHS, period)]
        got = outcome(result, unit, QUARTERLY)
        assert got.status == want, (unit, period, got.note)
        if want in ("met", "missed"):
            so_far = MONTHS[: MONTHS.index(period) + 1]
            assert got.actual == sum(typed.get(p, 0) for p in so_far) and got.basis == "quarter-to-date"


def test_only_a_quarter_missed_at_its_last_month_asks_for_a_reason(months):
    _, _, results = months
    for period in MONTHS:
        asked = {f.unit for f in results[period].findings if f.indicator_id == QUARTERLY and f.code == "reason-missing"}
        missed = {u for u, t in MONTHLY.items() if period in t and expected(t, MONTHS, period) == "missed"}
        assert asked == missed, period
    assert missed == {"DS-V03"}


def test_a_quarter_with_a_month_missing_from_the_ledger_is_not_called_missed(months):
    _, _, results = months
    got = outcome(results["2026M06"], "DS-V04", QUARTERLY)
    assert got.status == "no-data" and got.actual is None
    assert "2026年5月" in got.note and "2026年第二季度" in got.note


def test_the_area_meets_a_unit_frequency_only_when_every_unit_does(months):
    _, _, results = months
    for period in MONTHS:
        wanted = [expected(t, MONTHS, period) for t in MONTHLY.values() if period in t]
        got = area(results[period], QUARTERLY)
        if "missed" in wanted:
            want = "missed"
        elif "unknown" in wanted:
            want = "no-data"
        elif "open" in wanted:
            want = "in-progress"
        else:
            want = "met"
        assert got.status == want, (period, got.note)
        assert got.units_met == wanted.count("met")


def test_without_the_ledger_the_last_month_of_a_quarter_stays_in_progress(months, dingshan_plan, units):
    work, _, _ = months
    result = toolkit.consolidate(dingshan_plan, [work / "2026M06" / "returns"], units=units, period="2026M06")
    assert {o.status for o in result.outcomes if o.indicator_id == QUARTERLY} == {"in-progress"}
    assert "2026年第二季度" in area(result, QUARTERLY).note


def test_validate_with_the_ledger_judges_the_quarter_too(months, dingshan_plan, units, tmp_path):
    import shutil

    work, db, _ = months
    copy_db = tmp_path / "copy.db"
    shutil.copy(db, copy_db)
    report = toolkit.validate(dingshan_plan, [work / "2026M06" / "returns"], units=units, period="2026M06", db=copy_db)
    got = {o.unit: o.status for o in report.outcomes if o.indicator_id == QUARTERLY}
    assert got == {u: STATUS_OF[expected(t, MONTHS, "2026M06")] for u, t in MONTHLY.items() if "2026M06" in t}


def test_a_half_year_of_quarterly_returns_is_judged_from_both_quarters(tmp_path, dingshan_plan, units):
    db = tmp_path / "台账.db"
    window = ("2026Q3", "2026Q4")
    chosen = [u for u in units if u.code in QUARTERLY_CHECKS]
    figures = {u.code: QUARTERLY_CHECKS[u.code] for u in chosen}
    for period in window:
        folder = write_month(dingshan_plan, chosen, period, tmp_path / period, figures, HALF_YEARLY)
        result = toolkit.consolidate(dingshan_plan, [folder], units=chosen, period=period, db=db)
        for unit, typed in figures.items():
            assert outcome(result, unit, HALF_YEARLY).status == STATUS_OF[expected(typed, window, period)], (unit, period)


def test_an_area_frequency_is_judged_on_the_area_window(tmp_path, dingshan_plan, units):
    """The same typed figures with the target made the area's (scope area, no lead among
    the units): the area's quarter is the sum of every unit's months."""
    plan = copy.deepcopy(dingshan_plan)
    ind = plan.indicator(QUARTERLY)
    ind.scope, ind.value = "area", 3.0
    complete = {u: t for u, t in MONTHLY.items() if all(p in t for p in MONTHS)}
    chosen = [u for u in units if u.code in complete]
    db = tmp_path / "台账.db"
    for period in MONTHS:
        folder = write_month(plan, chosen, period, tmp_path / period, complete, QUARTERLY)
        result = toolkit.consolidate(plan, [folder], units=chosen, period=period, db=db)
        got = area(result, QUARTERLY)
        so_far = MONTHS[: MONTHS.index(period) + 1]
        total = sum(t[p] for t in complete.values() for p in so_far)
        assert got.value == total
        want = "met" if total >= 3 else "missed" if period == MONTHS[-1] else "in-progress"
        assert got.status == want, (period, got.note)
        assert {o.status for o in result.outcomes if o.indicator_id == QUARTERLY} == {"contribution"}


@pytest.mark.parametrize("period, due, source", [
    ("2026M04", False, "window"), ("2026M05", False, "window"), ("2026M06", True, "window"),
    ("2026M03", True, "cumulative"),  # Q1 began on 1 January: the year so far is the quarter so far
    ("2026Q2", True, "value"),
])
def test_with_history_a_quarter_of_months_is_judged_as_its_window(dingshan_plan, period, due, source):
    j = judgement(dingshan_plan.indicator(QUARTERLY), parse_period(period), history=True)
    assert j.checkable and (j.due, j.source, j.target) == (due, source, 1.0)


def test_an_area_frequency_short_of_its_target_with_a_units_month_missing_is_not_called_missed(
        tmp_path, dingshan_plan, units):
    plan = copy.deepcopy(dingshan_plan)
    ind = plan.indicator(QUARTERLY)
    ind.scope, ind.value = "area", 3.0
    figures = {u: MONTHLY[u] for u in ("DS-V01", "DS-V03", "DS-V04")}  # DS-V04 sent no May return
    chosen = [u for u in units if u.code in figures]
    db = tmp_path / "台账.db"
    for period in MONTHS:
        result = toolkit.consolidate(plan, [write_month(plan, chosen, period, tmp_path / period, figures, QUARTERLY)],
                                     units=chosen, period=period, db=db)
    total = sum(n for t in figures.values() for n in t.values())
    assert total < 3
    got = area(result, QUARTERLY)
    assert (got.status, got.value) == ("no-data", None) and "2026年第二季度" in got.note
