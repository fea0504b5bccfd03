"""What people type into number, status and text cells, and what is read."""

from __future__ import annotations

import datetime as dt

import pytest

from toolkit.normalize import normalize_value


@pytest.mark.parametrize("raw, kind, value, problem", [
    (None, "integer", None, None),
    ("  ", "decimal", None, None),
    (3, "integer", 3.0, None),
    (3.0, "integer", 3.0, None),
    (2.5, "integer", 2.5, "not-whole"),
    ("3", "integer", 3.0, None),
    (" 12 ", "integer", 12.0, None),
    ("１２", "integer", 12.0, None),
    ("１　２", "integer", None, "space-in-number"),  # 12, or 1 and 2? nobody can say
    ("3 5", "integer", None, "space-in-number"),
    ("1\n2", "integer", None, "space-in-number"),
    ("1,234 567", "decimal", None, "space-in-number"),
    (" 3 起", "integer", 3.0, None),  # a space before the unit is no problem
    ("1e999", "decimal", None, "number-too-large"),  # infinity
    (float("inf"), "decimal", None, "number-too-large"),
    (1e308, "integer", None, "number-too-large"),  # two of these would add up to infinity
    (1e15, "integer", None, "number-too-large"),
    (99_999_999_999_999.0, "integer", 99_999_999_999_999.0, None),
    (False, "decimal", None, "not-a-number"),
    ("3起", "integer", 3.0, None),
    ("108公里", "decimal", 108.0, None),
    ("1,234", "decimal", 1234.0, None),
    ("1,234.5", "decimal", 1234.5, None),
    ("无", "integer", 0.0, None),
    ("零", "integer", 0.0, None),
    ("没有", "integer", 0.0, None),
    ("三起", "integer", None, "not-a-number"),
    ("abc", "decimal", None, "not-a-number"),
    ("12..5", "decimal", None, "not-a-number"),
    (True, "integer", None, "not-a-number"),
    (float("nan"), "decimal", None, "not-a-number"),
    ("#DIV/0!", "decimal", None, "error-value"),
    ("#VALUE!", "integer", None, "error-value"),
    ("#N/A", "decimal", None, "error-value"),
    (dt.datetime(2026, 5, 1), "decimal", None, "date-in-number-cell"),
    (dt.date(2026, 5, 1), "integer", None, "date-in-number-cell"),
    ("95%", "percent", 0.95, None),
    ("１００％", "percent", 1.0, None),
    ("3‰", "percent", 0.003, None),
    (0.95, "percent", 0.95, None),
    ("95%", "decimal", None, "unexpected-percent"),
    ("-3", "integer", -3.0, None),  # read; the range check reports it
    ("已完成", "status", "已完成", None),
    (" 推进中 ", "status", "推进中", None),
    ("完成", "status", "已完成", None),
    ("进行中", "status", "推进中", None),
    ("不涉及", "status", "不适用", None),
    ("差不多", "status", None, "bad-status"),
    ("  按计划推进 ", "text", "按计划推进", None),
    (12, "text", "12", None),
    ("=HYPERLINK(\"x\")", "text", "=HYPERLINK(\"x\")", None),
])
def test_normalisation_table(raw, kind, value, problem):
    result = normalize_value(raw, kind)
    assert (result.value, result.problem) == (value, problem)


@pytest.mark.parametrize("raw, typed", [(3.0, "3"), (2.5, "2.5"), ("１２", "１２"), (None, ""), (True, "TRUE"),
                                        (dt.datetime(2026, 5, 1), "2026-05-01T00:00:00")])
def test_the_cell_as_typed_is_kept(raw, typed):
    assert normalize_value(raw, "decimal").typed == typed
