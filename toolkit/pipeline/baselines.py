"""Baselines for relative targets (下降10%, 同比下降), read from the office's
baseline files and checked before anything is judged on them.

A relative target compares this period's figure with the same figure of its
baseline period (Indicator.baseline): deaths this year against deaths last
year, a rate against the rate. A baseline is therefore a *level* in the
subject's own measure and unit, never a change. Three kinds of file give one:

- a previous consolidation (`toolkit consolidate --json` output): its period
  is in the file; unit levels come from its values (the unit's 本年累计, else
  本期数值; a rate from its numerator and denominator), area levels from its
  aggregates, except where the aggregate was itself a change (kind "change…");
- a previous consolidated workbook: its period is in 领导总览's title; area
  levels from 领导总览's 全域数值 except on rows whose 目标 is a change
  (较…下降/上升), unit levels from the 数据 sheet (or the `…_数据.csv` beside
  the workbook when the values were too many for a sheet);
- a CSV written by hand, columns `unit` (code or name; empty or 全域 for the
  area), `indicator` (name or id), `value`, and optionally `period` (checked
  like a workbook's) and `计量单位`/`unit_of_measure` (checked against the
  indicator's). How values are written:
    counts and amounts: a plain number (3, 12.5), no % sign;
    rates in % or ‰: with their sign, as the target is written (8.5%, 0.3‰);
      a plain number is refused, since 0.085 and 8.5 could both be meant;
    rates per 10,000 or 100,000: the number per 10,000 / 100,000 as the plan
      writes it ("2.1" for 2.1 per 10,000, read as 0.00021), or with a % or ‰
      sign, which says exactly what is meant.

The file's period must be the baseline period of the relative targets it
supplies (上年同期 of 2026Q2 is 2025Q2; 上年全年 of any 2026 period is 2025;
上一报送期 of 2026Q1 is 2025Q4; year:2020 is 2020). A file of another period,
a value out of its measure's range, or a file that supplies nothing usable
is a `BaselineError` naming the file and line, in Chinese, with how to fix it.
"""

from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.periods import Period, make_period, parse_period
from toolkit.words import FIELD_WORDS, SCALE_FACTORS, baseline_words

_AREA_WORDS = ("", "全域", "*", "全镇", "全县", "全街道")
_MEASURE_WORDS = {"count": "数量（起数、人数等）", "amount": "数量", "rate": "比率", "percentage": "百分比",
                  "frequency": "次数"}
_CSV_HELP = ("CSV 的列为 unit（单位编码或名称，全域留空或填“全域”）、indicator（指标名称）、value（数值），可加 period（基线所属报送期）；"
             "起数、人数、个数等填数字；百分率、千分率带 % 或 ‰（如 8.5%、0.3‰）；每万人、每十万人的比率填每万（十万）的数值（如 2.1）")


class BaselineError(ToolkitError):
    """A baseline file that cannot be used: what, where (file and line) and how to fix, in Chinese."""

    def __str__(self) -> str:
        text = f"基线文件 {self.where}：{self.message}" if self.where else self.message
        if self.hint:
            text += f"\n  修改方法：{self.hint}"
        return text


@dataclass
class _Levels:
    """What one file gives: levels per (unit, indicator id) and per indicator for the area."""

    path: Path
    period: Period | None  # None: a CSV without a period column (its rows may carry their own)
    units: dict = field(default_factory=dict)
    area: dict = field(default_factory=dict)
    periods: dict = field(default_factory=dict)  # indicator id -> the period its rows name (CSV)


def baseline_period(indicator, period: Period) -> Period:
    """The period a relative target's baseline belongs to, for `period`."""
    kind = indicator.baseline or "same-period-last-year"
    if kind.startswith("year:"):
        return make_period(int(kind[5:]), "year")
    if kind == "last-year-total":
        return make_period(period.year - 1, "year")
    if kind == "previous-period":
        if period.index > 1:
            return make_period(period.year, period.kind, period.index - 1)
        last = {"year": 1, "half": 2, "quarter": 4, "month": 12}[period.kind]
        return make_period(period.year - 1, period.kind, last)
    return make_period(period.year - 1, period.kind, period.index)


def read_baselines(paths, plan, units, period: Period) -> tuple[dict, dict]:
    """Baselines from one file or several, checked against `plan` and `period`.

    Returns ({(unit code, indicator id): level}, {indicator id: area level})."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    relative = [ind for _, _, ind in plan.indicators() if ind.needs_baseline]
    unit_levels, area_levels = {}, {}
    for path in map(Path, paths):
        if not relative:
            raise BaselineError("本计划没有相对目标（如“下降10%”），不需要基线文件", where=str(path),
                                hint="去掉 --baseline 参数")
        levels = _read(path, plan, units, relative)
        wanted = {ind.id: baseline_period(ind, period) for ind in relative}
        usable = _check_periods(levels, wanted, relative)
        unit_levels.update({k: v for k, v in levels.units.items() if k[1] in usable})
        area_levels.update({k: v for k, v in levels.area.items() if k in usable})
    return unit_levels, area_levels


def workbook_area_levels(path, plan) -> tuple[Period, dict]:
    """(its period, {indicator id: area level}) of a consolidated workbook, for
    every indicator whose figure there is a level (not a change)."""
    indicators = [ind for _, _, ind in plan.indicators()]
    levels = _from_workbook(Path(path), [], indicators)
    return levels.period, levels.area


def _check_periods(levels: _Levels, wanted: dict, relative) -> set:
    """The indicator ids whose levels this file may give; an error when none."""
    supplied = {i for _, i in levels.units} | set(levels.area)
    if not supplied:
        names = "、".join(f"“{ind.name}”" for ind in relative[:5])
        raise BaselineError(f"文件中没有可用的基线数值：找不到本计划相对目标（{names}）的上期数值（水平值）",
                            where=str(levels.path),
                            hint="提供上一期的汇总表（.xlsx）或汇总 JSON，或按说明编写 CSV。" + _CSV_HELP)
    usable = set()
    for indicator_id in supplied:
        found = levels.periods.get(indicator_id, levels.period)
        if found is None or found == wanted[indicator_id]:
            usable.add(indicator_id)
    if not usable:
        ind = next(i for i in relative if i.id in supplied)
        found = levels.periods.get(ind.id, levels.period)
        raise BaselineError(
            f"文件是 {found.label} 的数据，而“{ind.name}”的目标是较{baseline_words(ind.baseline) or '上年同期'}，"
            f"需要 {wanted[ind.id].label} 的数据", where=str(levels.path),
            hint=f"改用 {wanted[ind.id].label} 的汇总表或汇总 JSON")
    return usable


def _read(path: Path, plan, units, relative) -> _Levels:
    if not path.exists():
        raise BaselineError("找不到文件", where=str(path), hint="检查路径和文件名")
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _from_json(path, units, relative)
    if suffix in (".xlsx", ".xlsm"):
        return _from_workbook(path, units, relative)
    if suffix in (".csv", ".txt"):
        return _from_csv(path, plan, units, relative)
    raise BaselineError(f"不支持 {suffix or '无扩展名'} 格式的基线文件", where=str(path),
                        hint="使用上一期的汇总表（.xlsx）、汇总 JSON（toolkit consolidate --json 的输出）或 CSV")


# ------------------------------------------------------------------ checks of one value


def _checked(value: float, ind, where: str, line) -> float:
    """A level in natural units, or an error naming file and line when it is
    outside what the indicator's measure can be."""
    at = f"{where}:{line}" if line else where
    if not math.isfinite(value) or value < 0:
        raise BaselineError(f"“{ind.name}”的基线 {_trim(value)} 不是有效的数值（不能为负数）", where=at,
                            hint="填写上一期的实际数值")
    if ind.measure in ("rate", "percentage") and value > 1 + 1e-9:
        shown = _scaled_words(value, ind)
        raise BaselineError(f"“{ind.name}”是比率，基线折算后为 {shown}，超过 100%", where=at,
                            hint="比率不能超过 100%；检查是否把百分数写成了小数或多写了倍数。" + _rate_help(ind))
    if ind.measure in ("count", "frequency") and not float(value).is_integer():
        raise BaselineError(f"“{ind.name}”是{ind.unit or '个'}数，基线 {_trim(value)} 不是整数", where=at,
                            hint="起数、人数、次数填写整数")
    return float(value)


def _rate_help(ind) -> str:
    if ind.scale in ("per-10k", "per-100k"):
        per = "万" if ind.scale == "per-10k" else "十万"
        return f"“{ind.name}”按每{per}计，CSV 中填写每{per}的数值（如 2.1），或带 % / ‰ 写明"
    return f"“{ind.name}”的基线请带 % 或 ‰ 填写（如 8.5%）"


def _scaled_words(value: float, ind) -> str:
    factor = SCALE_FACTORS.get(ind.scale, 1)
    if ind.scale in ("per-10k", "per-100k"):
        return f"每{'万' if ind.scale == 'per-10k' else '十万'} {_trim(value * factor)}"
    return f"{_trim(value * 100)}%"


def _trim(number: float) -> str:
    return f"{number:.6f}".rstrip("0").rstrip(".") or "0"


def _same_unit(ind, found, where: str) -> None:
    """The baseline keeps the measure and unit of its subject."""
    found = (found or "").strip()
    if found and ind.unit and found != ind.unit:
        raise BaselineError(f"“{ind.name}”的计量单位是“{ind.unit}”，基线的计量单位却是“{found}”", where=where,
                            hint="基线应与目标是同一计量（如死亡人数对死亡人数），请提供相同计量单位的上期数值")


# ------------------------------------------------------------------ a previous consolidation (JSON)


def _from_json(path: Path, units, relative) -> _Levels:
    text = path.read_text(encoding="utf-8-sig")
    try:
        data = json.loads(text)
        period = parse_period(data["period"])
        aggregates, values = data["aggregates"], data["values"]
    except Exception:
        raise BaselineError("不是 toolkit 汇总 JSON（缺少 period、aggregates 或 values）", where=str(path),
                            hint="使用上一期 toolkit consolidate --json 输出的文件") from None
    lines = _item_lines(text)
    by_name = _by_name(relative)
    levels = _Levels(path, period)
    for n, agg in enumerate(aggregates):
        ind = by_name.get(agg.get("indicator")) or by_name.get(agg.get("indicator_id"))
        if ind is None:
            continue
        where = f"{path}:{lines.get(('aggregates', n), '')}".rstrip(":")
        _same_unit(ind, agg.get("unit"), where)
        if agg.get("measure") and ind.measure != "qualitative" and agg["measure"] != ind.measure:
            raise BaselineError(f"“{ind.name}”在本计划中是{_MEASURE_WORDS.get(ind.measure, ind.measure)}，"
                                f"在该汇总中却是{_MEASURE_WORDS.get(agg['measure'], agg['measure'])}", where=where,
                                hint="基线应与目标是同一计量，请提供同一指标口径的上期汇总")
        if str(agg.get("kind") or "").startswith("change"):  # that period's change against its own baseline: not a level
            if agg.get("numerator") is not None and agg.get("denominator"):
                levels.area[ind.id] = _checked(agg["numerator"] / agg["denominator"], ind, where, None)
            continue
        if isinstance(agg.get("value"), (int, float)) and not isinstance(agg.get("value"), bool):
            levels.area[ind.id] = _checked(float(agg["value"]), ind, where, None)
    fields = {}
    for n, v in enumerate(values):
        ind = by_name.get(v.get("indicator")) or by_name.get(v.get("indicator_id"))
        if ind is None or v.get("field") not in ("value", "cumulative", "numerator", "denominator"):
            continue
        number = v.get("value")
        if isinstance(number, (int, float)) and not isinstance(number, bool):
            fields.setdefault((v.get("unit"), ind.id), {})[v["field"]] = (float(number), lines.get(("values", n)))
    _unit_levels(levels, fields, relative, units, str(path))
    return levels


def _item_lines(text: str) -> dict:
    """(section, index) -> line number, for a JSON written one item a line (as toolkit writes it)."""
    lines, section, index = {}, None, 0
    for number, line in enumerate(text.splitlines(), start=1):
        head = re.match(r'^  "(\w+)": \[', line)
        if head:
            section, index = head.group(1), 0
        elif section and line.startswith("    {"):
            lines[(section, index)] = number
            index += 1
    return lines


def _by_name(relative) -> dict:
    return {ind.name: ind for ind in relative} | {ind.id: ind for ind in relative}


def _unit_levels(levels: _Levels, fields: dict, relative, units, where: str) -> None:
    """Each unit's level: its rate from numerator and denominator, else its 本年累计, else its 本期数值."""
    known = {u.code for u in units} if units is not None else None
    indicators = {ind.id: ind for ind in relative}
    sums = {}  # a rate's area level, where the file gives none: Σnumerator ÷ Σdenominator
    for (unit, indicator_id), got in fields.items():
        if known is not None and unit not in known:
            continue
        ind = indicators[indicator_id]
        if ind.measure == "rate":
            if "numerator" in got and "denominator" in got and got["denominator"][0] > 0:
                value, line = got["numerator"][0] / got["denominator"][0], got["numerator"][1]
                total = sums.setdefault(indicator_id, [0.0, 0.0])
                total[0] += got["numerator"][0]
                total[1] += got["denominator"][0]
            else:
                continue
        else:
            value, line = got.get("cumulative") or got.get("value") or (None, None)
            if value is None:
                continue
        levels.units[(unit, indicator_id)] = _checked(value, ind, where, line)
    for indicator_id, (numerator, denominator) in sums.items():
        if indicator_id not in levels.area:
            levels.area[indicator_id] = _checked(numerator / denominator, indicators[indicator_id], where, None)


# ------------------------------------------------------------------ a previous consolidated workbook


_TITLE_PERIOD = re.compile(r"（([^（）]+)）\s*$")


def _from_workbook(path: Path, units, relative) -> _Levels:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        overview = book.get_sheet_by_name("领导总览").to_python(skip_empty_area=False)
    except Exception:
        raise BaselineError("不是汇总表：找不到“领导总览”工作表", where=str(path),
                            hint="使用 toolkit consolidate 生成的上一期汇总表，或按说明编写 CSV。" + _CSV_HELP) from None
    title = str(overview[0][0]) if overview and overview[0] else ""
    found = _TITLE_PERIOD.search(title)
    try:
        period = parse_period(found.group(1)) if found else None
    except ToolkitError:
        period = None
    if period is None:
        raise BaselineError("“领导总览”的标题中找不到报送期（应以“（2025年第二季度）”这样的括号结尾）",
                            where=f"{path}:领导总览!A1", hint="使用 toolkit consolidate 生成的汇总表，不要修改标题")
    header = next((i for i, r in enumerate(overview) if "指标" in r and "全域数值" in r), None)
    if header is None:
        raise BaselineError("“领导总览”中没有“指标”“全域数值”列", where=f"{path}:领导总览",
                            hint="使用 toolkit consolidate 生成的汇总表")
    titles = overview[header]
    col = {name: titles.index(name) for name in ("指标", "全域数值", "计量单位", "目标") if name in titles}
    by_name = _by_name(relative)
    levels = _Levels(path, period)
    for r in range(header + 1, len(overview)):
        row = overview[r]
        ind = by_name.get(row[col["指标"]]) if col["指标"] < len(row) else None
        if ind is None:
            continue
        where = f"{path}:领导总览 第 {r + 1} 行"
        unit = str(row[col["计量单位"]]) if "计量单位" in col else ""
        _same_unit(ind, unit, where)
        target = str(row[col["目标"]]) if "目标" in col else ""
        value = row[col["全域数值"]]
        if target.startswith("较") or not isinstance(value, (int, float)) or isinstance(value, bool):
            continue  # a change against that period's own baseline, or no figure: not a level
        value = float(value) / 1000 if unit == "‰" else float(value)  # written in permille there
        levels.area[ind.id] = _checked(value, ind, where, None)
    _workbook_unit_levels(levels, book, path, relative, units)
    return levels


def _workbook_unit_levels(levels: _Levels, book, path: Path, relative, units) -> None:
    """Unit levels from the 数据 sheet, or the CSV beside the workbook that holds them."""
    field_of = {words: key for key, words in FIELD_WORDS.items()}
    try:
        rows = book.get_sheet_by_name("数据").to_python(skip_empty_area=False)
    except Exception:  # an older workbook without it: area levels only
        return
    where = f"{path}:数据"
    if rows and rows[0] and "单位编码" not in rows[0]:
        beside = re.search(r"“([^”]+\.csv)”", " ".join(str(c) for r in rows[:3] for c in r))
        if not beside or not (path.parent / beside.group(1)).exists():
            return
        csv_path = path.parent / beside.group(1)
        rows = list(csv.reader(csv_path.read_text(encoding="utf-8-sig").splitlines()))
        where = str(csv_path)
    if not rows:
        return
    titles = [str(t) for t in rows[0]]
    try:
        unit_col, name_col, field_col, value_col = (titles.index(t) for t in ("单位编码", "指标", "字段", "数值"))
    except ValueError:
        return
    by_name = _by_name(relative)
    fields = {}
    for n, row in enumerate(rows[1:], start=2):
        if len(row) <= max(unit_col, name_col, field_col, value_col):
            continue
        ind = by_name.get(row[name_col])
        key = field_of.get(row[field_col])
        if ind is None or key not in ("value", "cumulative", "numerator", "denominator"):
            continue
        try:
            number = float(row[value_col])
        except (TypeError, ValueError):
            continue
        fields.setdefault((str(row[unit_col]), ind.id), {})[key] = (number, f"第 {n} 行")
    _unit_levels(levels, fields, relative, units, where)


# ------------------------------------------------------------------ a CSV written by hand


def _from_csv(path: Path, plan, units, relative) -> _Levels:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_text(encoding="gb18030")
    reader = csv.DictReader(text.splitlines())
    fields = {(f or "").strip().lower(): f for f in reader.fieldnames or []}
    missing = [c for c in ("indicator", "value") if c not in fields]
    if missing:
        raise BaselineError(f"缺少列 {', '.join(missing)}", where=f"{path}:1", hint=_CSV_HELP)
    all_indicators = {ind.name: ind for _, _, ind in plan.indicators()} | {ind.id: ind for _, _, ind in plan.indicators()}
    code_of = {u.name: u.code for u in units} | {u.code: u.code for u in units}
    levels = _Levels(path, None)
    problems = []

    def cell(row, name):
        column = fields.get(name)
        return (row.get(column) or "").strip() if column else ""

    for n, row in enumerate(reader, start=2):
        where = f"{path}:{n}"
        name, unit, raw = cell(row, "indicator"), cell(row, "unit"), cell(row, "value")
        ind = all_indicators.get(name)
        try:
            if ind is None:
                raise BaselineError(f"第 {n} 行的指标“{name}”不在本计划中", where=where, hint="指标名称须与计划中的完全一致")
            if not ind.needs_baseline:
                raise BaselineError(f"第 {n} 行的“{name}”不是相对目标，不需要基线", where=where, hint="删除这一行")
            _same_unit(ind, cell(row, "计量单位") or cell(row, "unit_of_measure"), where)
            if cell(row, "period"):
                try:
                    levels.periods[ind.id] = parse_period(cell(row, "period"))
                except ToolkitError:
                    raise BaselineError(f"第 {n} 行的报送期“{cell(row, 'period')}”无法识别", where=where,
                                        hint="写作 2025Q2、2025年第二季度、2025 等") from None
            value = _checked(_csv_number(raw, ind, where), ind, where, None)
            if unit in _AREA_WORDS:
                levels.area[ind.id] = value
            elif unit in code_of:
                levels.units[(code_of[unit], ind.id)] = value
            else:
                raise BaselineError(f"第 {n} 行的单位“{unit}”不在单位名单中", where=where,
                                    hint="填写单位编码或名称；全域的数值单位列留空或填“全域”")
        except BaselineError as exc:
            problems.append(exc)
    if problems:
        first = problems[0]
        others = "、".join(str(p.where).rsplit(":", 1)[-1] for p in problems[1:6]) + ("…" if len(problems) > 6 else "")
        more = f"（另有 {len(problems) - 1} 行有问题：第 {others} 行）" if len(problems) > 1 else ""
        raise BaselineError(first.message + more, where=first.where, hint=first.hint)
    return levels


def _csv_number(raw: str, ind, where: str) -> float:
    """A CSV value in natural units, by the rule of the module docstring."""
    import unicodedata

    text = unicodedata.normalize("NFKC", raw).replace(",", "").replace(" ", "")
    scale = 1.0
    if text.endswith("%"):
        scale, text = 0.01, text[:-1]
    elif text.endswith("‰"):
        scale, text = 0.001, text[:-1]
    try:
        number = float(text)
    except ValueError:
        raise BaselineError(f"“{raw}”不是数字", where=where, hint=_CSV_HELP) from None
    if scale != 1.0:
        if ind.measure not in ("rate", "percentage"):
            raise BaselineError(f"“{ind.name}”是{ind.unit or ''}数量，基线“{raw}”却是百分数", where=where,
                                hint="基线应与目标同一计量：填写上一期的实际数量")
        return round(number * scale, 12)
    if ind.measure in ("rate", "percentage"):
        if ind.scale in ("per-10k", "per-100k"):
            return number / SCALE_FACTORS[ind.scale]
        raise BaselineError(f"“{ind.name}”是比率，基线“{raw}”没有 % 或 ‰，无法确定是 {raw}% 还是 {_trim(number * 100)}%",
                            where=where, hint=_rate_help(ind))
    return number
