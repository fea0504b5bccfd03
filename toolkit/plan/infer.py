"""Infer what a template must collect for a target, from its name and rule.

The annex never says "this is a rate with a numerator and a denominator"; a
clerk knows it from the wording. These rules encode that knowledge: …率 is a
rate, …起数/人数/事件 a count, 12个/108公里 an amount to deliver. What cannot be
inferred is marked for review instead of guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Name endings of counts of events or people, with their unit of measure.
_COUNT_ENDINGS = (
    ("起数", "起"),
    ("事件数", "起"),
    ("事件", "起"),
    ("事故", "起"),
    ("人数", "人"),
    ("次数", "次"),
    ("件数", "件"),
    ("宗数", "宗"),
)
_RATE_ENDING = re.compile(r"(率|占比|比例|比率|比重)$")
_PERCENTAGE_ENDING = re.compile(r"(满意度|知晓度|达标度)$")

# Units that count events or people rather than things delivered.
_EVENT_UNITS = frozenset(("次", "起", "人", "人次", "场次"))

# Units that name things delivered (12个 小区, 108公里 管网): amounts.
AMOUNT_UNITS = frozenset(
    "个 口 套 座 处 条 名 家 所 台 户 项 支 场 辆 艘 件 栋 间 块 根 组 批 台套 "
    "公里 千米 米 km 公顷 亩 吨 万元 元 平方米 立方米".split()
)

# Known rates whose numerator and denominator are not counts of the same thing.
_RATE_PARTS = {
    "受害率": ("受害森林面积（公顷）", "森林总面积（公顷）"),
    "困人率": ("故障困人次数", "在用电梯数"),
    "占比": ("其中符合条件的数量", "总数"),
}


@dataclass
class Measure:
    measure: str  # count | amount | rate | percentage | frequency | qualitative
    rollup: str  # sum | ratio | none
    unit: str | None
    zero_tolerance: bool = False
    numerator: str | None = None
    denominator: str | None = None
    review: str | None = None  # why a person must decide, if inference failed


def infer_measure(name: str, *, op: str, value: float | None, scale: str | None, unit: str | None,
                  frequency: str | None, status: str) -> Measure:
    """What to collect for a target named `name` with the parsed rule fields."""
    if status == "unparsed":
        return Measure("qualitative", "none", unit, review="目标未能解析，请人工确定")
    if frequency:
        return Measure("frequency", "none", unit or "次")
    count_unit = _count_unit(name)
    if op == "qualitative":
        # 保持低位运行: still a count the units report, but judged by a person
        if count_unit:
            return Measure("count", "sum", count_unit)
        return Measure("qualitative", "none", unit)
    if _PERCENTAGE_ENDING.search(name):
        return Measure("percentage", "none", unit or "%")
    if count_unit and scale is None:
        return _with_zero_tolerance(Measure("count", "sum", count_unit), op, value)
    if _RATE_ENDING.search(name) or scale in ("percent", "permille"):
        numerator, denominator = rate_parts(name)
        display = unit if unit in ("%", "‰") else ("‰" if scale == "permille" else "%")
        return _with_zero_tolerance(Measure("rate", "ratio", display, numerator=numerator, denominator=denominator), op, value)
    if count_unit:
        return _with_zero_tolerance(Measure("count", "sum", count_unit), op, value)
    if unit in _EVENT_UNITS:  # 开展1次培训: times something was done
        return Measure("count", "sum", unit)
    if unit in AMOUNT_UNITS:
        return Measure("amount", "sum", unit)
    return Measure("qualitative", "none", unit, review="无法从名称判断计量方式（计数、数量或比率），请在计划文件中指定 measure")


def _count_unit(name: str) -> str | None:
    for ending, unit in _COUNT_ENDINGS:
        if name.endswith(ending):
            return unit
    return None


def _with_zero_tolerance(measure: Measure, op: str, value: float | None) -> Measure:
    # "0" for 起数/人数 (or a rate of 0): a single unit's miss fails the area
    measure.zero_tolerance = op in ("==", "<=") and value == 0
    return measure


def rate_parts(name: str) -> tuple[str, str]:
    """Labels of a rate's numerator and denominator, from its name."""
    for ending, parts in _RATE_PARTS.items():
        if name.endswith(ending):
            return parts
    match = re.search(r"(.{1,2})(率|比例|比率)$", name)
    if match:
        stem = match.group(1)
        return f"{stem}数", "统计总数"
    return "符合要求的数量", "统计总数"
