"""`toolkit demo`: the whole job on the built-in 丁山镇 2026 plan.

A fresh folder gets the four steps' outputs: the templates the office sends,
the returns units send back (most correct; some with the mistakes real units
make; one unit never answers), the validation with marked-up copies to send
back, and the leaders' consolidated workbook; then the first and second
quarters through one ledger, with a trend.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

PLAN = "dingshan-2026"
PERIOD = "2026Q2"
DUE = dt.date(2026, 7, 10)
CONTACT = "镇应急管理办公室 023-00000000"

# unit code -> the mistake its return makes (see toolkit.simulate.MISTAKES)
MISTAKES = {
    "DS-V01": "text-in-number",
    "DS-V02": "full-width-digits",
    "DS-V03": "missed-without-reason",
    "DS-O03": "changed-target",
    "DS-V04": "deleted-row",
    "DS-V05": "numerator-over-denominator",  # sends a corrected version the next day
    "DS-O04": "unit-after-number",
}
NEVER_RETURNS = "DS-V10"
RESAVED_AS_XLS = "DS-S01"
LATE = "DS-S02"
STEPS = ("1-模板", "2-回收报表", "3-退回修改", "4-汇总", "6-台账")
# A county (垫江县) whose core indicators go to its towns and its departments:
# the area's counts of events are the towns' sum, the departments' sum is the
# sectoral view beside it; an area amount is its lead department's figure.
COUNTY_PLAN = "dianjiang-2026"
COUNTY_PERIOD = "2026M03"
COUNTY_DUE = dt.date(2026, 4, 10)
COUNTY_STEP = "5-县级汇总"


def run_demo(folder: str | Path) -> str:
    from toolkit.pipeline.consolidate import consolidate
    from toolkit.xlsx.leaders import write_consolidated_workbook
    from toolkit.xlsx.feedback import write_feedback
    from toolkit.fileio import write_atomic
    from toolkit.periods import parse_period
    from toolkit.plan import load_plan
    from toolkit.xlsx.report import write_report_workbook
    from toolkit.resources import data_dir
    from toolkit.simulate import resave_as_xls, set_saved_time, simulate_returns
    from toolkit.templates import build_templates
    from toolkit.units import load_units
    from toolkit.pipeline.validate import validate_returns

    folder = Path(folder)
    for step in (*STEPS, COUNTY_STEP):  # only the demo's own folders are replaced
        shutil.rmtree(folder / step, ignore_errors=True)
    templates_dir, returns_dir, feedback_dir, summary_dir, ledger_dir = (folder / step for step in STEPS)
    plan = load_plan(PLAN)
    units = load_units(data_dir("examples") / "dingshan-units.csv")
    period = parse_period(PERIOD)

    built = build_templates(plan, units, period, templates_dir, due=DUE, contact=CONTACT)

    # The returns: every unit but one answers, in time but for one.
    answering = [u for u in units if u.code != NEVER_RETURNS]
    simulation = simulate_returns(plan, answering, period, returns_dir, seed=2026, mistakes=MISTAKES,
                                  templates_dir=templates_dir)
    for k, ret in enumerate(simulation.returns):
        when = dt.datetime(2026, 7, 12 if ret.unit == LATE else 3 + k % 6, 9, k % 60)
        set_saved_time(Path(ret.path), when)
        os.utime(ret.path, (when.timestamp(), when.timestamp()))
    corrected = next(r for r in simulation.returns if r.unit == "DS-V05")
    fixed = simulate_returns(plan, [u for u in units if u.code == "DS-V05"], period, returns_dir / "更正", seed=7,
                             mistakes={"DS-V05": None}, templates_dir=templates_dir).returns[0]
    second = returns_dir / (Path(corrected.path).stem + "（更正）.xlsx")
    shutil.move(fixed.path, second)
    shutil.rmtree(returns_dir / "更正")
    set_saved_time(second, dt.datetime(2026, 7, 9, 16, 30))
    xls = next(r for r in simulation.returns if r.unit == RESAVED_AS_XLS)
    old_format = resave_as_xls(Path(xls.path), Path(xls.path).with_suffix(".xls"))
    saved = Path(xls.path).stat().st_mtime  # an .xls keeps no save time of its own: the file's counts
    Path(xls.path).unlink()
    os.utime(old_format, (saved, saved))
    _not_ours(returns_dir / "会议签到表.xlsx")

    report = validate_returns(plan, [returns_dir], units=units, period=period)
    copies = write_feedback(report, {f.path: Path(f.path) for f in report.files}, feedback_dir)
    write_report_workbook(report, feedback_dir / "校验报告.xlsx", plan_title=plan.title)

    result = consolidate(plan, [returns_dir], units=units, period=period, due=DUE)
    workbook = summary_dir / f"汇总_{period.code}.xlsx"
    write_consolidated_workbook(result, workbook)
    import json

    write_atomic(summary_dir / f"汇总_{period.code}.json", json.dumps(result.to_json(), ensure_ascii=False, indent=2, allow_nan=False) + "\n")
    from toolkit.docx.brief import write_brief
    from toolkit.words import FILE_STATUS_WORDS

    brief = summary_dir / f"通报_{period.code}.docx"
    write_brief(result, brief)

    ledger_lines = _two_periods(plan, units, answering, returns_dir, ledger_dir)

    c = result.completeness
    missed = [a for a in result.aggregates if a.status == "missed"]
    files = {s: [f for f in result.files if f.status == s] for s in ("used", "superseded", "rejected", "unrecognised")}
    lines = [
        f"toolkit 演示：{plan.title}（{period.label}）",
        "",
        f"1. 模板      {len(built.templates)} 个填报模板，每个单位一个 → {templates_dir}",
        f"2. 回收报表  {sum(1 for _ in returns_dir.iterdir())} 个文件，与各单位报来的一样 → {returns_dir}",
        f"3. 校验      {len(report.files)} 个文件：有效 {sum(1 for f in report.files if f.status == 'used')} 个，"
        f"有错误 {sum(1 for f in report.files if f.errors)} 个；退回修改的标注副本 {len(copies)} 个 → {feedback_dir}",
        f"4. 汇总      应报 {c['expected']} 个单位：有效 {c['valid']} 个，被退回 {c['rejected']} 个，未报送 {c['missing']} 个，"
        f"逾期 {c['late']} 个",
        f"            文件：已采用 {len(files['used'])} 个，已被新版本替代 {len(files['superseded'])} 个，"
        f"退回修改 {len(files['rejected'])} 个，无法识别 {len(files['unrecognised'])} 个",
        f"            未达标指标：{len(missed)} 项"
        + (f"（{'、'.join(a.indicator for a in missed[:4])}{'…' if len(missed) > 4 else ''}）" if missed else ""),
        f"            领导汇总表 → {workbook}",
        f"            通报（草稿） → {brief}",
        "",
        "每个文件的处理结果：",
    ]
    for entry in result.files:
        lines.append(f"  {Path(entry.path).name}：{FILE_STATUS_WORDS.get(entry.status, entry.status)}（{entry.why}）")
    missing = [u for u in result.units if u.status == "missing"]
    for unit in missing:
        lines.append(f"  {unit.name}（{unit.code}）：未报送")
    lines += ["", *_county(folder / COUNTY_STEP), *ledger_lines]
    return "\n".join(lines)


def _county(folder: Path) -> list[str]:
    """The county example: towns and departments report the same core
    indicators; area amounts come from their lead department."""
    from toolkit.periods import parse_period
    from toolkit.pipeline.consolidate import consolidate
    from toolkit.plan import load_plan
    from toolkit.resources import data_dir
    from toolkit.simulate import simulate_returns
    from toolkit.units import load_units
    from toolkit.words import BASIS_WORDS, STATUS_WORDS, actual_words
    from toolkit.xlsx.leaders import write_consolidated_workbook

    plan = load_plan(COUNTY_PLAN)
    units = load_units(data_dir("examples") / "dianjiang-units.csv")
    period = parse_period(COUNTY_PERIOD)
    returns = folder / "回收报表"
    simulate_returns(plan, units, period, returns, seed=2026, due=COUNTY_DUE)
    result = consolidate(plan, [returns], units=units, period=period, due=COUNTY_DUE)
    workbook = folder / f"汇总_{period.code}.xlsx"
    write_consolidated_workbook(result, workbook)
    indicators = {i.id: i for _, _, i in plan.indicators()}
    names = {u.code: u.name for u in units}
    lines = [f"5. 县级汇总  {plan.title}（{period.label}）：{len(result.units)} 个单位（乡镇和部门）→ {workbook}"]
    both = [a for a in result.aggregates if a.sectoral is not None and a.value is not None]
    sectoral = next((a for a in both if a.sectoral != a.value), both[0] if both else None)  # a difference, if any
    if sectoral:
        ind = indicators[sectoral.indicator_id]
        lines.append(f"            {sectoral.indicator}：乡镇合计 {actual_words(sectoral.value, ind)}"
                     f"（{BASIS_WORDS[sectoral.basis]}，属地），部门合计 {actual_words(sectoral.sectoral, ind)}（行业口径）"
                     f" → {STATUS_WORDS[sectoral.status]}")
    amount = next((a for a in result.aggregates if a.source == "lead" and a.measure == "amount" and a.value is not None), None)
    if amount:
        ind = indicators[amount.indicator_id]
        lines.append(f"            {amount.indicator}：{actual_words(amount.value, ind)}，由牵头单位"
                     f"{names.get(amount.lead, amount.lead)}填报（{BASIS_WORDS[amount.basis]}），"
                     f"{amount.units_contribution} 个配合单位不单独考核 → {STATUS_WORDS[amount.status]}")
    return lines


def _two_periods(plan, units, answering, returns_dir: Path, ledger_dir: Path) -> list[str]:
    """Step 5: the first quarter and then the second through one ledger: the
    second quarter's summary with 上期 beside each figure and a 趋势 sheet."""
    from toolkit.api import consolidate, history_indicator
    from toolkit.periods import parse_period
    from toolkit.simulate import set_saved_time, simulate_returns

    db = ledger_dir / "台账.db"
    first = parse_period("2026Q1")
    q1 = simulate_returns(plan, answering, first, ledger_dir / "2026Q1回收", seed=2025, mistakes={})
    for k, ret in enumerate(q1.returns):
        set_saved_time(Path(ret.path), dt.datetime(2026, 4, 3 + k % 6, 9, k % 60))
    consolidate(plan, [ledger_dir / "2026Q1回收"], units=units, period=first, output=ledger_dir / "汇总_2026Q1.xlsx", db=db)
    trend_book = ledger_dir / f"汇总_{PERIOD}_含趋势.xlsx"
    second = consolidate(plan, [returns_dir], units=units, period=PERIOD, due=DUE, output=trend_book, db=db)
    decreased = sum(1 for f in second.findings if f.code == "cumulative-decreased")
    series = history_indicator(db, "生产安全事故死亡人数")
    trend = "，".join(f"{h['period']} {h['value']:g}" for h in series[0]["history"] if h["value"] is not None) if series else ""
    return [
        f"6. 台账      2026Q1 和 {PERIOD} 记入同一台账 → {db}",
        f"            {PERIOD} 与 2026Q1 相比：本年累计小于上季度的 {decreased} 处；"
        f"生产安全事故死亡人数（按季度）：{trend}",
        f"            含“上期”列和“趋势”表的领导汇总表 → {trend_book}",
    ]


def _not_ours(path: Path) -> None:
    """A workbook someone sent by mistake: not one of our templates."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "签到表"
    sheet.append(["序号", "姓名", "单位", "签到时间"])
    sheet.append([1, "张某", "青坪村", "9:00"])
    workbook.save(path)
