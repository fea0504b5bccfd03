"""Reporting periods and due dates as typed on the command line."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.errors import UsageError
from toolkit.periods import Period, make_period, parse_due_date, parse_period


@pytest.mark.parametrize("text, code", [
    ("2026", "2026"), ("2026年度", "2026"), ("2026年", "2026"), ("2026 年度", "2026"), ("２０２６", "2026"),
    ("2026H1", "2026H1"), ("2026h2", "2026H2"), ("2026-H1", "2026H1"), ("2026-h2", "2026H2"),
    ("2026年上半年", "2026H1"), ("2026年下半年", "2026H2"),
    ("2026Q2", "2026Q2"), ("2026q4", "2026Q4"), ("2026-Q1", "2026Q1"), (" 2026-q3 ", "2026Q3"),
    ("2026年第二季度", "2026Q2"), ("2026年第一季度", "2026Q1"), ("2026年第四季度", "2026Q4"), ("2026年第3季度", "2026Q3"),
    ("2026M05", "2026M05"), ("2026m5", "2026M05"), ("2026M12", "2026M12"), ("2026-05", "2026M05"), ("2026-5", "2026M05"),
    ("2026年5月", "2026M05"), ("2026年05月", "2026M05"), ("2026年12月", "2026M12"),
])
def test_accepted_forms(text, code):
    assert parse_period(text).code == code


@pytest.mark.parametrize("code, kind, index, label, start, end", [
    ("2026", "year", 1, "2026年度", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    ("2026H1", "half", 1, "2026年上半年", dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
    ("2026H2", "half", 2, "2026年下半年", dt.date(2026, 7, 1), dt.date(2026, 12, 31)),
    ("2026Q1", "quarter", 1, "2026年第一季度", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
    ("2026Q2", "quarter", 2, "2026年第二季度", dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
    ("2026Q3", "quarter", 3, "2026年第三季度", dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
    ("2026Q4", "quarter", 4, "2026年第四季度", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
    ("2026M02", "month", 2, "2026年2月", dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
    ("2028M02", "month", 2, "2028年2月", dt.date(2028, 2, 1), dt.date(2028, 2, 29)),
    ("2026M05", "month", 5, "2026年5月", dt.date(2026, 5, 1), dt.date(2026, 5, 31)),
    ("2026M12", "month", 12, "2026年12月", dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
])
def test_parts_label_and_dates(code, kind, index, label, start, end):
    period = parse_period(code)
    assert period == Period(code=code, year=int(code[:4]), kind=kind, index=index)
    assert (period.label, period.start, period.end) == (label, start, end)
    assert period.contains(start) and period.contains(end)
    assert not period.contains(start - dt.timedelta(days=1)) and not period.contains(end + dt.timedelta(days=1))
    assert parse_period(label) == period


@pytest.mark.parametrize("text", [
    "", "  ", "2026Q5", "2026Q0", "2026H3", "2026M13", "2026M00", "2026-13", "2026年第五季度", "2026年13月",
    "26Q2", "Q2", "2026Q", "2026年中", "下半年", "1999", "2101Q1", "2026Q2x", "next quarter", "2026-07-10",
])
def test_bad_periods_say_which_forms_work(text):
    with pytest.raises(UsageError) as caught:
        parse_period(text)
    assert "2026Q2" in caught.value.hint and "2026年第二季度" in caught.value.hint
    assert caught.value.exit_code == 2


@given(st.integers(2000, 2100), st.sampled_from([("year", 1), ("half", 2), ("quarter", 4), ("month", 12)]), st.data())
def test_code_and_label_round_trip(year, kind_max, data):
    kind, top = kind_max
    period = make_period(year, kind, data.draw(st.integers(1, top)))
    assert parse_period(period.code) == period
    assert parse_period(period.code.lower()) == period
    assert parse_period(period.label) == period
    assert period.start <= period.end and period.start.year == period.end.year == year
    year_period = make_period(year, "year")
    assert year_period.contains(period.start) and year_period.contains(period.end)


@pytest.mark.parametrize("text, date", [
    ("2026-07-10", dt.date(2026, 7, 10)),
    ("2026/7/10", dt.date(2026, 7, 10)),
    ("2026.7.10", dt.date(2026, 7, 10)),
    ("2026年7月10日", dt.date(2026, 7, 10)),
    ("2026 年 7 月 10 日", dt.date(2026, 7, 10)),
    ("２０２６年７月１０日", dt.date(2026, 7, 10)),
    ("20260710", dt.date(2026, 7, 10)),
    ("2028-02-29", dt.date(2028, 2, 29)),
])
def test_due_dates(text, date):
    assert parse_due_date(text) == date


@pytest.mark.parametrize("text", ["", "next week", "2026-02-30", "2026-13-01", "7/10/2026", "2026年7月", "1899-01-01"])
def test_bad_due_dates(text):
    with pytest.raises(UsageError) as caught:
        parse_due_date(text)
    assert "2026-07-10" in caught.value.hint and "2026年7月10日" in caught.value.hint
