"""Findings: what is wrong in a returned workbook, as data.

Every finding has a stable code from the registry below, a severity (an
error must be fixed before the return is used; a warning may be explained and
accepted), where it is (file, unit, sheet, cell), what it concerns (indicator,
field), the value as typed, and a Chinese message that says what is wrong and
how to fix it, written for a village clerk. docs/finding-codes.md is
generated from this registry (`toolkit codes`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class FindingType:
    code: str
    severity: str
    title: str  # short Chinese title
    template: str  # Chinese message; {placeholders} filled from the finding's context
    scope: str  # file | sheet | cell | target


_TYPES = [
    # --- the file itself
    FindingType("not-a-workbook", ERROR, "不是 Excel 工作簿", "文件无法作为 Excel 工作簿打开（{detail}）。请用 Excel 或 WPS 打开原模板填写后另存为 .xlsx 再报送。", "file"),
    FindingType("unsupported-format", ERROR, "文件格式不支持", "文件格式为 {detail}，无法读取。请在 WPS 或 Excel 中“另存为” Excel 工作簿（.xlsx）后重新报送。", "file"),
    FindingType("file-unreadable", ERROR, "文件已损坏", "文件已损坏或不完整，无法读取（{detail}）。请重新保存后报送，或重新下载模板填写。", "file"),
    FindingType("file-too-large", ERROR, "文件过大", "文件大小为 {detail}，超过 {expected} 的上限，疑似不是填报表或夹带了大量内容。请只在原模板中填写后报送。", "file"),
    FindingType("suspicious-archive", ERROR, "文件结构异常", "文件内部结构异常（{detail}），为安全起见未打开。请用原模板重新填写后报送。", "file"),
    FindingType("cells-out-of-range", ERROR, "表格范围异常", "表中有远超模板范围的单元格（{detail}），可能误操作或被其他软件改动。请在原模板中重新填写后报送。", "file"),
    FindingType("macro-content", WARNING, "含有宏", "文件中含有宏代码，已忽略（不会运行）。请保存为普通 Excel 工作簿（.xlsx）。", "file"),
    FindingType("parser-crashed", ERROR, "文件无法解析", "读取此文件时解析程序异常退出，文件可能已损坏。请重新保存或使用原模板重新填写后报送。", "file"),
    FindingType("parser-timeout", ERROR, "读取超时", "读取此文件超过 {detail} 秒仍未完成，文件可能已损坏或内容异常。请用原模板重新填写后报送。", "file"),
    FindingType("skipped-file", WARNING, "系统文件，未读取", "这是{detail}，不是报表，未读取。", "file"),
    FindingType("file-vanished", ERROR, "文件在检查时不见了", "文件在检查过程中被移走、改名或删除，未能读取。请确认文件仍在原处后重新校验。", "file"),
    FindingType("internal-error", ERROR, "toolkit 内部错误", "toolkit 内部错误，不是文件的问题：处理此文件时程序出错，详情已记入日志 {detail}。请把该日志发给技术支持；文件本身不必修改。", "file"),
    FindingType("encrypted", ERROR, "文件设置了打开密码", "文件设置了打开密码，无法读取。请取消密码（文件→信息→保护工作簿）后重新报送。", "file"),
    FindingType("not-our-template", ERROR, "不是下发的填报模板", "这不是本次下发的填报模板（找不到模板标识）。请使用下发的模板填写，不要新建表格或复制到其他文件。", "file"),
    FindingType("other-plan", ERROR, "属于其他计划", "此文件是“{found}”的模板，不是本次收集的“{expected}”。请使用本次下发的模板。", "file"),
    FindingType("plan-changed", ERROR, "模板已过期（计划内容已变）", "此模板依据的计划内容与当前计划不一致（{detail}）。请使用最新下发的模板重新填写。", "file"),
    FindingType("identity-mismatch", ERROR, "模板标识与填报说明不一致", "模板的隐藏标识写的是 {found}，而“填报说明”页写的是 {expected}，两处不一致：标识可能被改动过。本文件按“填报说明”页记为 {expected} 的报表，不予采用。请用本单位下发的原模板填写后重新报送。", "file"),
    FindingType("identity-checksum", ERROR, "模板标识校验不通过", "模板的隐藏标识（{found}）{detail}，标识可能被改动过，无法确认这是哪个单位的报表。请用本单位下发的原模板填写后重新报送。", "file"),
    FindingType("office-copy", WARNING, "本办公室的退回修改稿", "这是本办公室此前生成的退回修改稿（对应报表 {found}…），单位没有修改过，不作为报表使用；单位改好后报送的文件会照常读取。可把它移出报表文件夹。", "file"),
    FindingType("outdated-template", ERROR, "模板版本过旧", "模板版本为第 {found} 版，当前为第 {expected} 版。请使用最新下发的模板重新填写。", "file"),
    FindingType("unknown-unit", ERROR, "填报单位不在名单中", "模板标明的填报单位“{found}”不在本次的单位名单中。请确认是否用了其他单位的模板。", "file"),
    FindingType("wrong-period", ERROR, "报送期不符", "此文件是 {found} 的报表，本次收集的是 {expected}。请使用本期的模板填写。", "file"),
    FindingType("duplicate-return", WARNING, "同一单位重复报送", "同一单位同一报送期收到多个文件，以较新的“{found}”为准，本文件不再使用。", "file"),
    FindingType("tied-return", WARNING, "无法判断哪个版本较新", "同一单位同一报送期还有文件 {found}，保存时间和文件时间都与本文件相同，无法判断哪个较新。请与填报单位确认应以哪个为准，并删除多余的文件。", "file"),
    FindingType("saved-time-doubtful", WARNING, "保存时间不可信", "文件记录的保存时间为 {found}，{detail}，不可信；判断新旧版本和是否逾期时改用文件本身的修改时间。请检查电脑的日期时间设置。", "file"),
    FindingType("identified-from-content", WARNING, "模板标识丢失", "模板的隐藏标识已丢失（可能经其他软件另存），已根据“填报说明”页的内容识别为 {found}。请尽量直接在原模板上填写。", "file"),
    FindingType("extra-content", WARNING, "表格外有多余内容", "表格下方（第 {detail} 行起）有模板以外的内容，这些内容不会被读取。如是误粘贴请删除；需要说明的请写在“进展情况”或“未达标原因说明”中。", "sheet"),
    FindingType("protection-removed", WARNING, "工作表保护被取消", "工作表“{expected}”的保护已被取消。计划原文如被改动会另行报错；请使用原模板填写，不要取消保护。", "sheet"),
    FindingType("formula-in-input", WARNING, "填报单元格中使用了公式", "此单元格是公式，已按文件中保存的计算结果“{typed}”读取；如公式未重新计算，结果可能不准确。请直接填写数值。", "cell"),
    FindingType("merged-input-cells", ERROR, "填报单元格被合并", "单元格 {detail} 被合并，其中部分填报内容无法读取。请取消合并后分别填写。", "cell"),
    FindingType("reporter-missing", WARNING, "未填写填报人", "“填报说明”页的填报人、联系电话未填写。请补充，以便核实数据。", "cell"),
    # --- structure and tampering
    FindingType("sheet-missing", ERROR, "工作表缺失或被改名", "找不到工作表“{expected}”（被删除或改名）。请使用原模板重新填写，不要删除或重命名工作表。", "sheet"),
    FindingType("annex-cell-changed", ERROR, "计划原文被修改", "此单元格是计划原文，不能修改：原为“{expected}”，现为“{found}”。请恢复原文。", "cell"),
    FindingType("row-inserted", WARNING, "插入了行", "第 {detail} 行是插入的行（内容：{found}），不属于模板，其内容不会被读取；其余数据已按计划原文所在的行读取。需要说明的请写在“进展情况”或“未达标原因说明”中，今后请不要插入行。", "cell"),
    FindingType("rows-changed", ERROR, "行被插入、删除或移动", "表中的行与模板不一致（{detail}）。请不要插入、删除或移动行，使用原模板重新填写。", "sheet"),
    # --- values as typed
    FindingType("not-a-number", ERROR, "不是数字", "“{typed}”不是{what}。请只填写{what}（{example}），不要填写文字。{zero}", "cell"),
    FindingType("space-in-number", ERROR, "数字中间有空格", "“{typed}”的数字中间有空格或换行，无法确定是一个数还是几个数。请只填写一个数字，不要加空格或换行。", "cell"),
    FindingType("number-too-large", ERROR, "数值超出范围", "“{typed}”超出可以计算的范围（太大或为无穷大），不是实际的数字。请填写实际数字。", "cell"),
    FindingType("not-whole", ERROR, "应为整数", "“{typed}”不是整数。起数、人数、次数请填写整数。", "cell"),
    FindingType("unexpected-percent", ERROR, "此处不应填百分比", "“{typed}”是百分比，这里应填写数量（{field_words}，{example}），不要带 % 号，也不要把单元格设为百分比格式。比率由系统根据分子、分母自动计算。", "cell"),
    FindingType("date-in-number-cell", ERROR, "填成了日期", "这里应填写{what}（{example}），但单元格内容是日期（{typed}）。请把单元格格式改为“常规”后重新输入。", "cell"),
    FindingType("error-value", ERROR, "公式错误值", "单元格显示错误值“{typed}”。请直接填写{what}（{example}），不要使用公式。", "cell"),
    FindingType("bad-status", ERROR, "完成状态无效", "“{typed}”不是有效的完成状态。请从下拉列表中选择：已完成、推进中、未启动、不适用。", "cell"),
    FindingType("required-missing", ERROR, "必填项未填", "“{subject}”的{field_words}未填写。{fill}", "cell"),
    FindingType("negative", ERROR, "不能为负数", "“{typed}”是负数，{field_words}不能小于 0。", "cell"),
    FindingType("percent-out-of-range", ERROR, "百分比超出范围", "“{typed}”超出 0%～100% 的范围。如指 95%，请输入 95%。", "cell"),
    FindingType("text-too-long", WARNING, "说明过长", "说明文字超过 {expected} 字，请精简或另附材料。", "cell"),
    # --- cross-field rules (rule packs in validators/)
    FindingType("numerator-exceeds-denominator", ERROR, "分子大于分母", "“{indicator}”的分子（{typed}）大于分母（{other}）。分子是分母中的一部分，不能大于分母，请核对。", "cell"),
    FindingType("zero-denominator", WARNING, "分母为 0", "“{indicator}”的分母为 0，无法计算比率。如确无此项，请在原因说明中注明。", "cell"),
    FindingType("cumulative-below-period", ERROR, "本年累计小于本期数", "“{indicator}”的本年累计（{typed}）小于本期数值（{other}）。本年累计应包含本期，请核对。", "cell"),
    FindingType("progress-missing", WARNING, "未填写进展情况", "完成状态为“{other}”，请在“进展情况”中简要说明进度。", "cell"),
    # --- targets
    FindingType("reason-missing", WARNING, "未达标未说明原因", "“{indicator}”未达到目标（目标 {target}，实际 {actual}），请在“未达标原因说明”中写明原因和下一步措施。", "cell"),
    # --- across periods (with a ledger: toolkit.pipeline.crossperiod)
    FindingType("cumulative-decreased", WARNING, "本年累计比上期减少", "“{indicator}”的本年累计（{typed}）比上期（{expected}）报送的本年累计（{other}）还少。本年累计只增不减，请核对本期或上期的数字。", "cell"),
    FindingType("baseline-changed", WARNING, "基线与台账不一致", "“{indicator}”的基线（{typed}）与台账中{expected}的数字（{other}）不同。基线是上年的实际数字，一般不会变，请核对；如上年数字确有更正，请在原因说明中注明。", "cell"),
    FindingType("task-reopened", WARNING, "已完成的任务变为未启动", "此任务上期（{expected}）已报“已完成”，本期填为“{typed}”。请核对完成状态；如任务确需重新开展，请在进展情况中说明。", "cell"),
    FindingType("baseline-missing", WARNING, "缺少基线数值", "“{indicator}”的目标是相对上年同期的变化，请填写“基线（上年同期）”。", "cell"),
]

CODES: dict[str, FindingType] = {t.code: t for t in _TYPES}

# What a message says about an input cell, by the cell's kind (toolkit.templates.layout
# field kinds): {what} it holds, an {example}, what to type when there is {zero}
# to report, and how to {fill} it when it was left blank.
KIND_WORDS = {
    "integer": {"what": "整数", "example": "如 3", "zero": "没有发生的请填 0。", "fill": "请填写整数；没有发生的请填 0。"},
    "decimal": {"what": "数字", "example": "如 3 或 12.5", "zero": "没有的请填 0。", "fill": "请填写数字；没有的请填 0。"},
    "percent": {"what": "百分比", "example": "如 95%", "zero": "没有的请填 0%。", "fill": "请填写百分比（如 95%）。"},
    "status": {"what": "完成状态", "example": "从下拉列表中选择", "zero": "", "fill": "请从下拉列表中选择：已完成、推进中、未启动、不适用。"},
    "text": {"what": "文字说明", "example": "简要说明", "zero": "", "fill": "请简要填写。"},
}


@dataclass
class Finding:
    code: str
    file: str
    message: str
    severity: str
    unit: str | None = None
    sheet: str | None = None
    cell: str | None = None  # A1, or None for file- and sheet-level findings
    indicator: str | None = None  # indicator name
    indicator_id: str | None = None
    row_id: str | None = None
    field: str | None = None
    value: str | None = None  # as typed

    @property
    def title(self) -> str:
        return CODES[self.code].title

    def to_dict(self) -> dict:
        return asdict(self)


class _Blank(dict):
    def __missing__(self, key):
        return ""


def make_finding(code: str, file: str, **context) -> Finding:
    """A finding of `code`, its message filled from `context`."""
    kind = CODES[code]
    fields = {k: context.pop(k) for k in list(context) if k in Finding.__dataclass_fields__}
    values = _Blank({**context, **{k: v for k, v in fields.items() if v is not None}})
    values.setdefault("typed", fields.get("value") or "")
    values.setdefault("subject", fields.get("indicator") or "")
    for key, words in KIND_WORDS.get(context.get("cell_kind") or "decimal", KIND_WORDS["decimal"]).items():
        values.setdefault(key, words)
    message = kind.template.format_map(values)
    return Finding(code=code, file=file, message=message, severity=kind.severity, **fields)


def codes_markdown() -> str:
    """docs/finding-codes.md: every code, generated from the registry."""
    lines = [
        "# Finding codes",
        "",
        "Generated from `toolkit/findings.py` by `toolkit codes --markdown`; do not edit by hand.",
        "",
        "An **error** must be fixed before a return is used; a **warning** may be explained and accepted.",
        "",
        "| code | severity | where | title | message (Chinese, as shown to the unit) |",
        "|---|---|---|---|---|",
    ]
    for t in _TYPES:
        lines.append(f"| `{t.code}` | {t.severity} | {t.scope} | {t.title} | {t.template} |")
    names = list(next(iter(KIND_WORDS.values())))
    lines += ["", "Placeholders filled by the kind of the input cell (`{subject}` is the indicator, or the task row "
              "for a status):", "", "| kind | " + " | ".join(f"`{{{n}}}`" for n in names) + " |",
              "|---|" + "---|" * len(names)]
    lines += [f"| {kind} | " + " | ".join(words[n] for n in names) + " |" for kind, words in KIND_WORDS.items()]
    return "\n".join(lines) + "\n"
