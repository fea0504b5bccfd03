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
    ("火灾", "起"),
    ("案件", "起"),
    ("人数", "人"),
    ("伤亡", "人"),
    ("死亡", "人"),
    ("次数", "次"),
    ("件数", "件"),
    ("宗数", "宗"),
)
_RATE_ENDING = re.compile(r"(率|占比|比例|比率|比重)$")
_PERCENTAGE_ENDING = re.compile(r"(满意度|知晓度|达标度)$")
_REMARK = re.compile(r"(?:（[^（）]*）|\([^()]*\))+$")  # "整改率（含挂牌督办隐患）", "建成率（2025年）"

# Units that count events or people rather than things delivered.
_EVENT_UNITS = frozenset(("次", "起", "人", "人次", "场次", "家次", "户次"))

# Units that name things delivered (12个 小区, 108公里 管网): amounts.
AMOUNT_UNITS = frozenset(
    "个 口 套 座 处 条 名 家 所 台 户 项 支 场 辆 艘 件 栋 间 块 根 组 批 份 台套 "
    "公里 千米 米 km 公顷 亩 吨 万元 元 平方米 立方米".split()
)

GENERIC_NUMERATOR, GENERIC_DENOMINATOR = "符合要求的数量", "统计总数"


@dataclass
class Measure:
    measure: str  # count | amount | rate | percentage | frequency | qualitative
    rollup: str  # sum | ratio | none
    unit: str | None
    zero_tolerance: bool = False
    numerator: str | None = None
    denominator: str | None = None
    review: str | None = None  # why a person must decide, if inference failed
    scale: str | None = None  # per-10k / per-100k: the value is rescaled to natural units


def infer_measure(name: str, *, op: str, value: float | None, scale: str | None, unit: str | None,
                  frequency: str | None, status: str, relative: str | None = None) -> Measure:
    """What to collect for a target named `name` with the parsed rule fields.

    A relative target (下降10%, 同比下降) keeps the measure of its subject:
    deaths stay a count in 人, compared with the baseline period's deaths."""
    if status == "unparsed":
        return Measure("qualitative", "none", unit, review="目标未能解析，请人工确定")
    if frequency:
        return Measure("frequency", "none", unit or "次")
    subject = _REMARK.sub("", name or "")
    count_unit = _count_unit(subject)
    per = per_rate(subject)
    if op == "qualitative":
        # 保持低位运行: still a count the units report, but judged by a person
        if count_unit:
            return Measure("count", "sum", count_unit)
        return Measure("qualitative", "none", unit)
    if relative:
        if per:
            return per
        if count_unit:
            return Measure("count", "sum", count_unit)
        if _PERCENTAGE_ENDING.search(subject):
            return Measure("percentage", "none", "%")
        if _RATE_ENDING.search(subject):
            numerator, denominator = rate_parts(subject)
            return Measure("rate", "ratio", "‰" if unit == "‰" else "%", numerator=numerator, denominator=denominator)
        return Measure("qualitative", "none", None,
                       review="相对目标（下降/上升）的对象无法判断计量方式（计数或比率），请在计划文件中指定 measure 和 unit")
    if _PERCENTAGE_ENDING.search(subject):
        return Measure("percentage", "none", unit or "%")
    if count_unit and scale is None:
        return _with_zero_tolerance(Measure("count", "sum", count_unit), op, value)
    if per and scale is None:
        return _with_zero_tolerance(per, op, value)
    if _RATE_ENDING.search(subject) or scale in ("percent", "permille"):
        numerator, denominator = rate_parts(subject)
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


def infer_scope(measure: str, *, op: str, value: float | None, relative: str | None,
                frequency: str | None, zero_tolerance: bool) -> tuple[str, str]:
    """(scope, reporters): zero tolerance and per-unit frequencies bind every
    unit (每季度至少组织1次检查 is each unit's duty); amounts, rates, relative
    targets and everything else are one figure for the area, reported by the
    row's lead unit."""
    if not relative and (zero_tolerance or frequency):
        return "unit", "all"
    return "area", "lead"


# ---------------------------------------------------------------- rates

# Rates per 10,000 / 100,000 people or vehicles, and per 亿元 of GDP: their
# own numerator and denominator, and the scale the target is written in.
_PER_RATES = (
    (re.compile(r"^(?:每)?(?:十万|10万)(?:人口|人)(?P<x>.*?)(?P<w>死亡|伤亡|受伤)率$"),
     "{x}{w}人数", "常住人口数", "per-100k", "人/10万人"),
    (re.compile(r"^(?P<p>.*?)(?:十万|10万)(?:人口|人)(?P<x>.*?)(?P<w>死亡|伤亡|受伤)率$"),
     "{p}{x}{w}人数", "{p}人数", "per-100k", "人/10万人"),
    (re.compile(r"^(?P<p>.*?)万车(?P<x>.*?)(?P<w>死亡|伤亡)率$"),
     "{p}{x}{w}人数", "机动车保有量（辆）", "per-10k", "人/万车"),
    (re.compile(r"^(?P<p>.*?)(?:每)?万人(?P<x>.*?)(?P<w>死亡|伤亡|受伤)率$"),
     "{p}{x}{w}人数", "{p}人数", "per-10k", "人/万人"),
    (re.compile(r"^(?P<p>.*?)亿元(?:GDP|国内生产总值|地区生产总值|生产总值)(?P<x>.*?)(?P<w>死亡|伤亡)率$"),
     "{p}{x}{w}人数", "地区生产总值（亿元）", None, "人/亿元"),
)


def per_rate(name: str) -> Measure | None:
    for rx, num, den, scale, unit in _PER_RATES:
        m = rx.match(name)
        if m:
            g = {k: v or "" for k, v in m.groupdict().items()}
            denominator = den.format(**g) if den.format(**g) != "人数" else "常住人口数"
            return Measure("rate", "ratio", unit, numerator=_tidy(num.format(**g)),
                           denominator=denominator, scale=scale)
    return None


# Rates whose numerator and denominator are not counts of one thing.
_RATE_PARTS = (
    (re.compile(r"^.*(?:森林|林木|草原)?火灾受害率$"), "受害森林面积（公顷）", "森林总面积（公顷）"),
    (re.compile(r"^(?P<s>.*?)(?:电梯)?(?:故障)?困人率$"), "{s}电梯故障困人次数", "{s}在用电梯数"),
    (re.compile(r"^(?P<s>.*)持证上岗率$"), "{s}持证上岗人数", "{s}应持证人数"),
    (re.compile(r"^(?P<s>.*)人口覆盖率$"), "{s}覆盖人口数", "总人口数"),
    (re.compile(r"^(?P<s>.+)覆盖率$"), "{s}已覆盖数", "{s}应覆盖数"),
    (re.compile(r"^(?P<s>.+)知晓率$"), "{s}知晓人数", "{s}调查人数"),
    (re.compile(r"^(?P<s>.+(?:人员|考核|考试|培训).*)合格率$"), "{s}合格人数", "{s}参加人数"),
    (re.compile(r"^(?P<s>.+)合格率$"), "{s}合格数", "{s}总数"),
    (re.compile(r"^(?P<s>.+)达标率$"), "{s}达标数", "{s}总数"),
    (re.compile(r"^(?P<s>.+)在线率$"), "在线{s}数", "{s}总数"),
    (re.compile(r"^(?P<s>.+)使用率$"), "使用{s}的单位数", "应使用{s}的单位数"),
    # shares: "X占Y比例", "纳入…的文化旅游企业比例", "新安装电梯接入物联感知系统比例"
    (re.compile(r"^(?P<x>.+)占(?P<y>.+?)(?:的)?(?:比例|比重|比率)$"), "{x}", "{y}"),
    (re.compile(r"^(?P<s>.+)(?P<v>接入|采用|完成|纳入|实现|达到|落实)(?P<o>.*)(?:比例|比重|占比)$"),
     "{v}{o}的{s}数", "{s}总数"),
    (re.compile(r"^(?P<q>.+)的(?P<s>[^的]+)(?:比例|比重|占比)$"), "{q}的{s}数", "{s}总数"),
)
# Verbs of rates "…V率" that count what has been done: 整改率 = 已整改X数 / X总数.
_RATE_VERBS = ("排查整治 核查处置 整改 排查 核查 检验 检测 检查 处置 改造 整治 录入 转发 溯源 年检 年审 巡查 解除 "
               "退出 加装 安装 建成 建有 接入 完成 办结 消除 治理 审查 培训 维保 验收 销号 配备 注册 登记 备案 签订 "
               "上报 报送 修复 发布 更新 开通 搬迁 转移 撤离 清理 查处 处理 复核 监测 监管 保障 联网 入网 落实").split()
_DONE_RATE = re.compile(r"^(?P<s>.+?)(?P<m>在线安全|在线|无纸化|法定|及时|依法|规范)?(?P<v>"
                        + "|".join(sorted(_RATE_VERBS, key=len, reverse=True)) + r")率$")


def rate_parts(name: str) -> tuple[str, str]:
    """Labels of a rate's numerator and denominator, from its name:
    重大隐患整改率 -> 已整改重大隐患数 / 重大隐患总数; 持证上岗率 -> 持证上岗人数 / 应持证人数.
    A rate the wording does not explain gets generic labels (a plan check warning)."""
    name = _REMARK.sub("", name or "")
    for rx, num, den in _RATE_PARTS:
        m = rx.match(name)
        if m:
            g = {k: (v or "").rstrip("的") for k, v in m.groupdict().items()}
            return _tidy(num.format(**g)), _tidy(den.format(**g))
    m = _DONE_RATE.match(name)
    if m and m["s"].rstrip("的"):
        s = m["s"].rstrip("的")
        return _tidy(f"已{m['m'] or ''}{m['v']}{s}数"), _tidy(f"{s}总数")
    return GENERIC_NUMERATOR, GENERIC_DENOMINATOR


def _tidy(label: str) -> str:
    """"人数数" -> "人数", "总数数" -> "总数"."""
    label = re.sub(r"数数$", "数", label)
    return re.sub(r"(人数|总数|次数|起数)(总数|数)$", r"\1", label)
