"""Look at a plan: readable tables, the JSON contract, and its problems."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from toolkit.names import clip
from toolkit.plan.importer import ReviewItem, describe
from toolkit.plan.model import TABLE_KIND_NAMES, Plan
from toolkit.textable import render
from toolkit.words import MEASURE_WORDS as _MEASURE_WORDS
from toolkit.words import PARSE_STATUS_WORDS as _STATUS_WORDS
from toolkit.words import REPORTER_WORDS as _REPORTER_WORDS
from toolkit.words import ROLE_WORDS as _ROLE_WORDS
from toolkit.words import SCOPE_WORDS as _SCOPE_WORDS


def scope_words(ind) -> str:
    return f"{_SCOPE_WORDS.get(ind.scope, ind.scope)}，{_REPORTER_WORDS.get(ind.reporters, ind.reporters)}"


def plan_json(plan: Plan) -> dict:
    """The `toolkit plan show --json` object; its "indicators" list is a contract."""
    indicators = []
    for table, row, ind in plan.indicators():
        indicators.append({
            "id": ind.id,
            "key": ind.key,
            "table": table.title,
            "row": row.label,
            "name": ind.name,
            "text": ind.text,
            "op": ind.op,
            "value": ind.value,
            "relative": ind.relative,
            "unit": ind.unit,
            "deadline": ind.deadline.canonical() if ind.deadline else None,
            "scale": ind.scale,
            "frequency": ind.frequency,
            "status": ind.status,
            "measure": ind.measure,
            "rollup": ind.rollup,
            "zero_tolerance": ind.zero_tolerance,
            "numerator": ind.numerator,
            "denominator": ind.denominator,
            "scope": ind.scope,
            "reporters": ind.reporters,
            "baseline": ind.baseline,
        })
    return {
        "id": plan.id,
        "title": plan.title,
        "issuer": plan.issuer,
        "doc_number": plan.doc_number,
        "years": plan.years,
        "fingerprint": plan.fingerprint(),
        "tables": [
            {"id": t.id, "title": t.title, "kind": t.kind, "columns": [c.title for c in t.columns], "rows": len(t.rows)}
            for t in plan.tables
        ],
        "indicators": indicators,
    }


def show_plan(plan: Plan) -> str:
    """The plan as readable text tables: identity, then each annex table."""
    out = [plan.title]
    identity = [x for x in (plan.issuer, plan.doc_number) if x]
    years = "、".join(str(y) for y in plan.years)
    out.append(f"{' '.join(identity)}  年度: {years or '未注明'}  计划编号: {plan.id}")
    for table in plan.tables:
        indicators = sum(len(r.indicators) for r in table.rows)
        out.append("")
        out.append(f"【{table.title}】 {TABLE_KIND_NAMES[table.kind]}，{len(table.rows)} 行，{indicators} 个可检查目标")
        if table.kind == "tasks":
            rows = []
            for row in table.rows:
                targets = "；".join(f"{i.name} {describe(i)}" for i in row.indicators)
                rows.append([row.label, table.cell(row, "subtask") or table.cell(row, "target"),
                             row.deadline.words() if row.deadline else table.cell(row, "deadline"),
                             table.cell(row, "office") or table.cell(row, "responsible"), targets])
            out.append(render(["序号", "任务", "完成时间", "责任", "量化目标"], rows, max_widths={1: 36, 3: 16, 4: 40}))
            continue
        rows = []
        for row in table.rows:
            who = table.cell(row, "office") or table.cell(row, "responsible")
            if not row.indicators:
                rows.append([row.label, table.cell(row, "name"), "（无量化目标，填报进展）", "", "", "", who])
            for ind in row.indicators:
                rows.append([ind.id, ind.name, describe(ind), _MEASURE_WORDS[ind.measure] + (f" {ind.unit}" if ind.unit else ""),
                             scope_words(ind), _STATUS_WORDS[ind.status], who])
        out.append(render(["编号", "指标", "目标", "计量", "考核范围", "状态", "责任"], rows, max_widths={1: 34, 2: 30, 6: 20}))
    return "\n".join(out)


def review_table(items: list[ReviewItem]) -> str:
    rows = [[i.table, i.row, i.name, i.text, i.result, _MEASURE_WORDS.get(i.measure, i.measure),
             _SCOPE_WORDS.get(i.scope, i.scope), _STATUS_WORDS.get(i.status, i.status), i.note]
            for i in items]
    return render(["表", "行", "指标/任务", "原文", "识别结果", "计量", "范围", "状态", "说明"], rows,
                  max_widths={0: 10, 2: 28, 3: 28, 4: 26, 8: 30})


def sentence_review(items: list[ReviewItem]) -> str:
    """The review of a prose import: each target with the whole sentence it
    came from, so the office checks the import against the text in one read;
    then the sentences that read like a target but gave none."""
    out: list[str] = []
    targets = [i for i in items if i.measure not in ("task",) and i.result != "像是目标，但未能识别为量化目标"]
    unread = [i for i in items if i.result == "像是目标，但未能识别为量化目标"]
    plain = sum(1 for i in items if i.measure == "task")
    out.append(f"识别出的目标 {len(targets)} 项（每项下为原句，请逐条核对）：")
    for n, i in enumerate(targets, start=1):
        status = _STATUS_WORDS.get(i.status, i.status)
        scope = _SCOPE_WORDS.get(i.scope, i.scope)
        out.append(f"{n:>3}. 【{i.table} {i.row}】{i.name}：{i.result}（{_MEASURE_WORDS.get(i.measure, i.measure)}，{scope}，{status}）")
        out.append(f"     原句：{i.text}")
        if i.note:
            out.append(f"     说明：{i.note}")
    if unread:
        out.append("")
        out.append(f"像是目标、但未识别出目标的句子 {len(unread)} 句（toolkit plan check 会列出；如是目标，请在计划文件中补上）：")
        for i in unread:
            out.append(f"  - 【{i.table} {i.row}】{i.text}")
    out.append("")
    out.append(f"另有 {plain} 个段落没有量化目标：各单位填报完成状态和进展。")
    return "\n".join(out)


@dataclass
class PlanProblem:
    severity: str  # error | warning
    code: str
    where: str  # indicator or row id
    message: str


def check_plan(plan: Plan) -> list[PlanProblem]:
    """Problems a person should fix before templates are built from the plan."""
    problems: list[PlanProblem] = []
    names = Counter(ind.name for _, _, ind in plan.indicators())
    for table, row, ind in plan.indicators():
        if ind.status == "unparsed":
            problems.append(PlanProblem("error", "target-unparsed", ind.id, f"目标“{clip(ind.text, 200)}”未能解析：请填写 op 和 value，或设为 op: qualitative"))
        elif ind.status == "review":
            problems.append(PlanProblem("warning", "target-review", ind.id, f"“{clip(ind.name)}”需人工判断：{clip(ind.note or '定性目标', 120)}"))
        if names[ind.name] > 1:
            problems.append(PlanProblem("error", "duplicate-name", ind.id, f"指标名称“{clip(ind.name)}”重复：汇总表按名称区分指标，请改名"))
        if ind.measure in ("count", "amount", "rate", "percentage", "frequency") and not ind.unit:
            problems.append(PlanProblem("error", "missing-unit", ind.id, f"“{clip(ind.name)}”缺少计量单位 (unit)"))
        if ind.relative and ind.op == "qualitative":
            problems.append(PlanProblem("error", "relative-without-value", ind.id, f"“{clip(ind.name)}”是相对目标但没有数值"))
        if not ind.name.strip():
            problems.append(PlanProblem("error", "missing-name", ind.id, "指标缺少名称 (name)"))
        if ind.generic_labels:
            problems.append(PlanProblem("warning", "generic-rate-label", ind.id,
                                        f"比率“{clip(ind.name)}”的分子/分母说明过于笼统（{clip(ind.numerator)} / {clip(ind.denominator)}）："
                                        "请在计划文件中写明 numerator 和 denominator（如 已整改重大隐患数 / 重大隐患总数）"))
    for table in plan.tables:
        for row in table.rows:
            for text in row.review:
                problems.append(PlanProblem("warning", "target-like-text", row.id,
                                            f"“{clip(text, 400)}”像是目标，但未能识别为量化目标：如是目标，请在该行 indicators 中补上；如不是，删去 review 中的这句话"))
    for table in plan.tables:
        unrouted = [row.label for row in table.rows if table.kind == "prose"
                    and not (table.cell(row, "responsible") or table.cell(row, "partners") or row.include_related)]
        if unrouted:
            problems.append(PlanProblem("warning", "paragraph-without-units", table.id,
                                        f"“{table.title}”第 {'、'.join(unrouted)} 段没有写明责任单位：在计划文件该行的 责任单位 中填写，"
                                        "或在单位清单的 rows 列指定填报单位；否则没有单位填报这些段落"))
        if table.kind == "tasks":
            for row in table.rows:
                if not row.deadline:
                    problems.append(PlanProblem("warning", "task-without-deadline", row.id, f"任务第 {clip(row.label)} 行没有可识别的完成时间"))
        for role in _REQUIRED_ROLES[table.kind]:
            if table.column(role) is None:
                problems.append(PlanProblem("warning", "missing-column", table.id, f"表“{clip(table.title)}”没有{_ROLE_WORDS[role]}列"))
    return problems


_REQUIRED_ROLES = {
    "indicators": ("name", "target", "responsible"),
    "rectification": ("name", "target"),
    "applications": ("name", "target"),
    "tasks": ("subtask", "deadline"),
    "prose": ("name", "target"),
}


def problems_table(problems: list[PlanProblem]) -> str:
    rows = [[{"error": "错误", "warning": "提示"}[p.severity], p.code, p.where, p.message] for p in problems]
    return render(["级别", "代码", "位置", "说明"], rows, max_widths={3: 70})
