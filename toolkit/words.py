"""Every Chinese word the toolkit shows for a code, and its target wording.

Codes (JSON values, statuses, field keys) stay English; what clerks and
leaders read is looked up here, so one status has one word everywhere. The
finding messages live with the findings (toolkit.findings); the sentences of
a sheet's instructions stay with the writer that lays them out.

Nothing here decides anything: writers receive decisions (a status, the kind
of a number) and look up how to say them.
"""

from __future__ import annotations

import datetime as dt

from toolkit.xlsx.style import TEXT_LIMIT

# ------------------------------------------------------------------ statuses

# A target's outcome, for a unit or the whole area (toolkit.model.validation.OUTCOME_STATUSES).
# The order of this table is the order of counts, legends and charts; a new
# status code shows everywhere by adding it here, to STATUS_MEANINGS and to
# the colour tables (toolkit.xlsx.style STATUS_COLOURS, CHART_COLOURS).
STATUS_WORDS = {
    "missed": "未达标", "met": "达标", "in-progress": "进行中（未到期）", "needs-baseline": "待填基线",
    "qualitative": "需人工判断", "review": "待人工判断", "no-data": "无数据", "contribution": "计入全域（不单独考核）",
}
STATUS_MEANINGS = {
    "met": "已达到目标",
    "missed": "未达到目标（零容忍指标：任一单位未达标即为未达标）",
    "in-progress": "尚未到期或考核周期尚未结束，目前未达到目标",
    "needs-baseline": "升降幅度类指标缺少基线（上年同期或上年全年），请补填基线",
    "qualitative": "定性目标或目标未能解析，需人工判断",
    "no-data": "没有单位报送有效数据",
    "contribution": "全域指标：单位数值计入全域，只考核全域数值",
    "review": "定性目标、尚未到期或缺少基线，需人工判断",
}
# What a figure is: the period's own, or the year so far (toolkit.rules.judge.BASES).
BASIS_WORDS = {"period": "本期", "year-to-date": "本年累计", "quarter-to-date": "本季度累计",
               "half-year-to-date": "本半年累计"}
# Statuses shown in every count even when none has them; the others only when some do.
STATUS_ALWAYS = ("missed", "met", "no-data")


def status_word(status: str) -> str:
    """A status code's word (an unknown code as itself, so nothing is lost)."""
    return STATUS_WORDS.get(status, status)


def status_order(statuses) -> list[str]:
    """The statuses to count, in table order: the ones always shown, those
    present in `statuses`, then codes the table does not know yet."""
    present = set(statuses)
    known = [s for s in STATUS_WORDS if s in STATUS_ALWAYS or s in present]
    return known + sorted(present - set(STATUS_WORDS))


def change_words(change: float | None) -> str:
    """A relative change as a reader says it: -0.123 → 下降12.3%, 0.04 → 上升4.0%, 0 → 持平."""
    if change is None or change != change:
        return NO_DATA
    if abs(change) < 5e-5:
        return "持平"
    word = RELATIVE_WORDS["decrease" if change < 0 else "increase"]
    return f"{word}{abs(change) * 100:.1f}%"


# An expected unit in a consolidation.
UNIT_STATUS_WORDS = {"received": "已报送", "rejected": "被退回", "missing": "未报送"}
LATE_WORD = "逾期"
# What became of a file (toolkit.model.validation's USED, SUPERSEDED, REJECTED, UNRECOGNISED).
FILE_STATUS_WORDS = {"used": "已采用", "superseded": "已被新版本替代", "rejected": "退回修改", "unrecognised": "无法识别"}
# The validation report says the same, but of a file it only checked: usable, not yet adopted.
CHECKED_FILE_STATUS_WORDS = {**FILE_STATUS_WORDS, "used": "可用"}
# A finding's severity (toolkit.findings ERROR, WARNING).
LEVEL_WORDS = {"error": "错误", "warning": "提示"}
# What a unit reports for a task row (the template's dropdown), and the
# words the leaders' task sheet adds.
TASK_STATUSES = ("已完成", "推进中", "未启动", "不适用")
TASK_DONE = ("已完成", "不适用")  # a task in one of these is never overdue
NOT_REPORTED = "未填报"
TASK_COUNTS = (*TASK_STATUSES, NOT_REPORTED, LATE_WORD)
NO_REASON = "（未填写）"
NO_DATA = "—"
YES_NO = {True: "是", False: "否"}

# ------------------------------------------------------------------ plans

# Annex table kinds (toolkit.plan.model.TABLE_KINDS), as a table's default title.
TABLE_KIND_NAMES = {
    "indicators": "核心绩效指标",
    "rectification": "重点整治",
    "applications": "重点应用/平台",
    "tasks": "重点任务清单",
    "prose": "重点工作",
}
# What an indicator measures, how it rolls up, how far the importer got, for the plan review.
MEASURE_WORDS = {
    "count": "计数", "amount": "数量", "rate": "比率(分子/分母)", "percentage": "百分比",
    "frequency": "频次", "qualitative": "定性",
}
ROLLUP_WORDS = {"sum": "求和", "ratio": "Σ分子/Σ分母", "none": "不汇总"}
PARSE_STATUS_WORDS = {"parsed": "已解析", "review": "待人工复核", "unparsed": "未解析", "skipped": "已跳过"}
# Column roles (toolkit.plan.model.COLUMN_ROLES) a table kind needs, in words.
ROLE_WORDS = {"name": "名称", "target": "目标", "responsible": "责任单位", "subtask": "任务", "deadline": "完成时间"}

# ------------------------------------------------------------------ fields

# Input fields of a return, and the other fields a value record can hold.
FIELD_WORDS = {
    "value": "本期数值", "cumulative": "本年累计", "numerator": "分子", "denominator": "分母",
    "baseline": "基线（上年同期）", "status": "完成状态", "progress": "进展情况", "reason": "未达标原因说明",
    "reporter": "填报人", "phone": "联系电话", "approver": "单位负责人", "result": "计算结果",
}
# Cells on a template's instructions sheet the unit fills in (key, label).
META_FIELDS = (("reporter", "填报人"), ("phone", "联系电话"), ("approver", "单位负责人（审核人）"))

# ------------------------------------------------------------------ targets

OP_WORDS = {"==": "=", "<=": "≤", "<": "<", ">=": "≥", ">": ">"}
FREQUENCY_WORDS = {"year": "每年", "half-year": "每半年", "quarter": "每季度", "month": "每月"}
WINDOW_WORDS = {"year": "年", "half-year": "半年", "quarter": "季度", "month": "月"}  # the window a frequency counts in
_QUARTERS = "一二三四"


def window_label(frequency: str, year: int, month: int) -> str:
    """The window of a frequency that contains `month`: 2026年第一季度, 2026年上半年, 2026年, 2026年3月."""
    if frequency == "quarter":
        return f"{year}年第{_QUARTERS[(month - 1) // 3]}季度"
    if frequency == "half-year":
        return f"{year}年{'上' if month <= 6 else '下'}半年"
    if frequency == "month":
        return f"{year}年{month}月"
    return f"{year}年"
RELATIVE_WORDS = {"decrease": "下降", "increase": "上升"}
UNPARSED_WORDS = "未能解析"
QUALITATIVE_WORDS = "定性：需人工判断"
ONGOING_WORDS = "长期坚持"


def figure_words(value, kind: str, unit: str | None = None) -> str:
    """A figure as a sentence says it, by its kind of number
    (toolkit.model.validation.NUMBER_KINDS): 5起, 93.8%, 1.548‰, 下降12.3%."""
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return NO_DATA
    if kind == "change-decrease":
        return change_words(-value)
    if kind in ("change-increase", "change"):
        return change_words(value)
    if kind == "rate-percent":
        return f"{trim_number(round(value * 100, 2))}%"
    if kind == "rate-permille":
        return f"{trim_number(round(value * 1000, 3))}‰"
    return f"{trim_number(round(value, 3))}{unit or ''}"


def format_value(value: float | None, scale: str | None, unit: str | None) -> str:
    """A target's number in its own terms: 1.0 percent → 100%, 0.003 permille → 3‰, 12 个 → 12个."""
    if value is None:
        return ""
    if scale == "percent":
        return f"{trim_number(value * 100)}%"
    if scale == "permille":
        return f"{trim_number(value * 1000)}‰"
    if scale in SCALE_FACTORS:  # per 10,000 / 100,000: the unit says so (人/万人)
        return f"{trim_number(value * SCALE_FACTORS[scale])}{unit or ''}"
    return f"{trim_number(value)}{unit or ''}"


def trim_number(number: float) -> str:
    text = f"{number:.6f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def describe(ind, *, with_deadline: bool = True) -> str:
    """A rule in words, for the import review: ≥ 100%（期限 2026年11月30日）;
    with_deadline=False: without the deadline (≥ 100%)."""
    if ind.status == "unparsed":
        return UNPARSED_WORDS
    if ind.op == "qualitative":
        text = QUALITATIVE_WORDS
    else:
        value = format_value(ind.value, ind.scale, ind.unit)
        if ind.relative:
            direction = RELATIVE_WORDS["decrease" if ind.relative == "decrease" else "increase"]
            base = baseline_words(getattr(ind, "baseline", None)) or "基线"
            if ind.op == ">" and not ind.value:  # 双下降: any decrease meets it
                text = f"较{base}{direction}（有{direction}即达标）"
            else:
                text = f"较{base}{direction} {OP_WORDS[ind.op]} {value}"
        else:
            text = f"{OP_WORDS[ind.op]} {value}"
        if ind.frequency:
            text = f"{FREQUENCY_WORDS[ind.frequency]}{text}"
    if ind.deadline and with_deadline:
        text += f"（期限 {deadline_words(str(ind.deadline))}）"
    return text


def target_words(indicator, *, with_deadline: bool = True) -> str:
    """A target in a few characters for a cell: ≥100%, =0起, 每季度≥1次（2026年12月31日）;
    with_deadline=False: without the deadline (每季度≥1次)."""
    return describe(indicator, with_deadline=with_deadline).replace("（期限 ", "（").replace(" ", "")


def actual_words(number: float, indicator) -> str:
    """A unit's figure in the terms of its target, for a finding's message: 下降12.5%, 0.4‰, 3起."""
    if number != number:  # NaN
        return STATUS_WORDS["no-data"]
    if indicator.relative:
        return f"{RELATIVE_WORDS['decrease' if indicator.relative == 'decrease' else 'increase']}" \
               f"{format_value(round(number, 4), 'percent', None)}"
    if indicator.scale == "permille":
        return format_value(round(number, 5), "permille", None)
    if indicator.scale == "percent" or indicator.measure in ("rate", "percentage"):
        return format_value(round(number, 4), "percent", None)
    return format_value(number, None, indicator.unit)


# ------------------------------------------------------------------ deadlines and baselines

# How many of a rate's unit a natural value is multiplied by to be shown (0.003 permille → 3‰).
SCALE_FACTORS = {None: 1, "percent": 100, "permille": 1000, "per-10k": 10_000, "per-100k": 100_000}
BASELINE_WORDS = {"same-period-last-year": "上年同期", "last-year-total": "上年全年", "previous-period": "上一报送期"}


# Who a target binds and who reports it (plan review).
SCOPE_WORDS = {"area": "全域一个数", "unit": "每个单位"}
REPORTER_WORDS = {"lead": "牵头单位填报", "all": "各单位填报"}


def baseline_words(value: str | None) -> str:
    """What a relative target is compared with, in words: 上年同期, 2020年."""
    if value and value.startswith("year:"):
        return f"{value[5:]}年"
    return BASELINE_WORDS.get(value or "", "")



def date_words(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def iso_date_words(value: str | None) -> str:
    """An ISO date (or date-time) as 2026年6月30日; anything else as it is."""
    if not value:
        return ""
    try:
        return date_words(dt.date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


def deadline_words(deadline: str | None) -> str:
    """A canonical deadline in words: 2026-06-30 → 2026年6月30日, every:year →
    每年, ongoing → 长期坚持; several dates joined with 、."""
    if not deadline:
        return ""
    text = deadline.strip()
    if text == "ongoing":
        return ONGOING_WORDS
    if text.startswith("every:"):
        return FREQUENCY_WORDS.get(text[len("every:"):], text)
    words = []
    for part in text.split(";"):
        try:
            words.append(date_words(dt.date.fromisoformat(part.strip())))
        except ValueError:
            return text
    return "、".join(words)


# ------------------------------------------------------------------ sheets and columns

# The template (toolkit.templates): sheet names and the columns it adds to an annex table.
INSTRUCTIONS_SHEET = "填报说明"
COMPUTED_RATE = "比率（自动计算）"  # locked helper column beside numerator and denominator
# Input messages and error alerts of a template's cells, per kind of cell and per field.
KIND_HINTS = {
    "integer": ("请填写整数", "只能填写 0 或正整数（例如 0、3），不要填写文字、单位或小数。没有发生的请填 0。"),
    "decimal": ("请填写数字", "只能填写大于或等于 0 的数字（例如 12 或 108.5），不要填写文字或单位。"),
    "percent": ("请填写百分比", "请填写 0%～100% 之间的百分比，例如 95%（直接输入 95% 即可）。"),
    "status": ("请选择完成状态", "请从下拉列表中选择：已完成、推进中、未启动、不适用。"),
    "text": ("说明文字过长", f"说明文字请不超过 {TEXT_LIMIT} 字，较长的材料请另附。"),
}
FIELD_HINTS = {
    "value": "本报送期内的数值。",
    "cumulative": "本年 1 月 1 日至本期末的累计数。",
    "numerator": "比率的分子：{numerator}。",
    "denominator": "比率的分母：{denominator}。比率由系统计算，请勿自行计算。",
    "baseline": "上年同期的数值，用于计算升降幅度。",
    "status": "本项任务的完成情况。",
    "progress": "简要说明已开展的工作和进度。",
    "reason": "未达到目标时必须填写原因；已达标可不填。",
}

# The marked-up copy (toolkit.xlsx.feedback).
FEEDBACK_SHEET = "问题清单"
MARKED_SUFFIX = "_退回修改"
LIST_SUFFIX = "_问题清单"
FEEDBACK_COLUMNS = ("序号", "级别", "工作表", "单元格", "指标", "填写内容", "问题说明及修改方法")

# The validation report (toolkit.xlsx.report) and its terminal table (toolkit.model.validation).
REPORT_SHEETS = ("文件", "问题", "目标")
REPORT_FILE_COLUMNS = ("文件", "单位编码", "单位", "报送期", "结果", "错误数", "提示数", "最后保存时间", "sha256")
REPORT_FINDING_COLUMNS = ("文件", "单位", "工作表", "单元格", "级别", "代码", "指标", "填写内容", "说明")
REPORT_OUTCOME_COLUMNS = ("单位", "指标", "目标", "实际值", "结果", "原因", "说明", "文件", "工作表", "单元格")

# The leaders' consolidated workbook (toolkit.xlsx.leaders), in sheet order.
LEADERS_SHEETS = ("领导总览", "指标明细", "未达标清单", "报送情况", "任务进度", "校验问题", "数据")
AREA_WORDS = ("全域", "全域汇总")  # the area's row: code, name
HELPER_TITLE = "状态代码"
HELPER_LEGEND = ("每个字符对应一项指标：m 达标，x 未达标，p 进行中（未到期），b 待填基线，q 需人工判断，n 无数据，"
                 "c 计入全域（不单独考核），- 不填报")
# The leaders' workbook's column titles, per sheet or block (toolkit.xlsx.leaders).
LEADERS_COLUMNS = {
    # 领导总览: the responsible leader and office head each run of rows (WHO_WORD), a 说明 is a note's number
    "overview": ("序号", "指标", "目标", "全域数值", "口径", "行业口径合计", "计量单位", "状态", "未达标单位数", "说明"),
    "overview-tasks": ("责任办公室/单位", "任务数", "已完成", "推进中", "未启动", "未填报", "逾期"),
    "overview-actions": ("行动", "任务数", "已完成", "推进中", "未启动", "未填报", "逾期"),
    "missed": ("单位编码", "单位", "指标", "实际值", "目标", "未达标原因", "责任领导", "责任办公室", "文件", "工作表",
               "单元格"),
    "units": ("单位编码", "单位", "类型", "报送状态", "采用文件", "最后保存时间", "错误数", "提示数"),
    "files": ("文件", "单位编码", "单位", "报送期", "处理结果", "原因", "错误数", "提示数", "最后保存时间", "sha256"),
    "tasks": ("单位", "表", "序号", "任务", "完成时限", "完成状态", "进展情况", "是否逾期", "责任领导", "责任办公室", "文件",
              "单元格"),
    "task-summary": ("表", "序号", "任务", "完成时限", *TASK_COUNTS, "责任领导", "责任办公室"),
    "findings": ("文件", "单位", "工作表", "单元格", "级别", "代码", "指标", "填写内容", "说明"),
    "data": ("单位编码", "单位", "指标", "行", "字段", "数值", "填写内容", "文件", "sha256", "工作表", "单元格"),
    # with a ledger: levels beside the overview's rows, and the 趋势 sheet
    "overview-history": ("本期水平", "上期", "较上期增减", "上年同期/基线", "较基线增减"),
    "trend": ("序号", "指标", "计量单位"),
}
OVERVIEW_WHO = "责任"  # 领导总览: a group row's responsible leader and office
OVERVIEW_DEADLINE = "期限"  # 领导总览: a group row's deadline, shared by its rows
OVERVIEW_LEAD = "牵头"  # 领导总览: after the unit that leads a row whose responsible units are too many for a line
OVERVIEW_LEAD_NOTE = "责任单位较多的，只写牵头单位（列在首位的单位），全部责任单位见计划附件及“未达标清单”。"
OVERVIEW_WHO_NOTE = "各指标的责任领导、责任单位见计划附件，未达标的见“未达标清单”。"  # when the titles leave them out
OVERVIEW_LEAD_HEADER = "牵头单位"  # 领导总览's task table, counted per lead unit
OVERVIEW_NOTE = "注"  # 领导总览: a note's number in the 说明 column, and the note under the table
TREND_SHEET = "趋势"
TASK_CSV_COLUMNS = ("单位编码", "单位", "表", "序号", "任务", "完成时限", "完成状态", "进展情况", "是否逾期",
                    "责任领导", "责任办公室", "文件", "工作表", "单元格")
VALUE_CSV_COLUMNS = ("单位编码", "指标", "行", "字段", "数值", "填写内容", "文件", "sha256", "工作表", "单元格")
COMPLETENESS_WORDS = (("应报单位", "expected"), ("已报送", "received"), ("有效", "valid"), ("被退回", "rejected"),
                      ("未报送", "missing"), ("逾期报送", "late"))
