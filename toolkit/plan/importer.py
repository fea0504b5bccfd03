"""Turn a published annex into a plan: recognise tables, parse every target.

Nothing here is specific to one office's annex: tables are recognised by the
roles of their header cells (序号, 名称, 目标, 责任单位, 完成时间 …, in any
order), table kinds by their headings and content, and targets by the
grammar in `toolkit.plan.grammar`. Everything the importer could not settle is
listed in the review so a person can correct the plan file.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import AnnexError
from toolkit.plan.annex import RawTable, read_annex
from toolkit.plan.deadline import Deadline
from toolkit.plan.grammar.words import rule_fields
from toolkit.plan.infer import infer_measure, infer_scope
from toolkit.plan.model import SCALE_FACTORS, TABLE_KIND_NAMES, Column, Indicator, Plan, Row, Table
from toolkit.words import describe, format_value  # noqa: F401 (the target words live in toolkit.words)

# Header titles by role; the first pattern that matches wins, so the more
# specific roles come first (责任办公室 before 责任单位, 目标 before 名称).
_ROLE_PATTERNS = (
    ("seq", re.compile(r"^(序号|编号|序|No\.?)$", re.I)),
    ("deadline", re.compile(r"(完成时间|完成时限|时间节点|时限|完成期限|截止时间)")),
    ("leader", re.compile(r"(责任领导|分管领导|牵头领导|联系领导|责任人)")),
    ("office", re.compile(r"(责任办公室|责任科室|牵头科室|责任处室|责任股室|牵头办公室|责任部门（科室）)")),
    ("partners", re.compile(r"(配合单位|协办单位|配合部门|协同单位|配合科室)")),
    ("responsible", re.compile(r"(责任单位|牵头单位|责任部门|主责单位|牵头部门|实施单位)")),
    ("action", re.compile(r"^(行动名称|行动|专项行动)$")),
    ("target", re.compile(r"(目标|工作内容|任务内容|工作要求|具体内容|内容)")),
    ("task", re.compile(r"(重点任务|主要任务|工作任务|具体任务|任务)")),
    ("name", re.compile(r"(名称|指标|领域|项目|应用|平台|事项)")),
    ("remark", re.compile(r"(备注|说明)")),
)
_MIN_HEADER_ROLES = 2
_ENUMERATOR = re.compile(r"^\s*([一二三四五六七八九十]+、|\d+[.、．]|（[一二三四五六七八九十]+）)\s*")
_YEAR = re.compile(r"(\d{4})\s*年")
_YEAR_RANGE = re.compile(r"(\d{4})\s*年?\s*[—–\-－~～至到]+\s*(\d{4})\s*年")


def role_of(title: str) -> str:
    text = _squash(title)
    for role, pattern in _ROLE_PATTERNS:
        if pattern.search(text):
            return role
    return "other"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


@dataclass
class ReviewItem:
    """One line of the import review: what was recognised and what needs a look."""

    table: str
    row: str
    name: str
    text: str
    result: str  # the parsed rule or recognised structure, in words
    measure: str
    status: str  # parsed | review | unparsed | skipped
    note: str = ""
    scope: str = ""  # area | unit, for targets


UNREAD_NOTE = "请人工判断：如是目标，在计划文件该行的 indicators 中补上；如不是，删去该行 review 中的这句话"

@dataclass
class ImportResult:
    plan: Plan
    review: list[ReviewItem] = field(default_factory=list)
    skipped_tables: list[str] = field(default_factory=list)
    carried_keys: int = 0  # indicator keys carried over from the plan file being replaced
    comparison: object | None = None  # toolkit.plan.compare.Comparison: the notice's prose against the annex

    @property
    def needs_review(self) -> list[ReviewItem]:
        return [item for item in self.review if item.status != "parsed"]


@dataclass
class Identity:
    id: str | None = None
    title: str | None = None
    issuer: str | None = None
    doc_number: str | None = None
    years: list[int] | None = None


def read_notice(path: str | Path) -> Identity:
    """Identity of a plan from the text of its issuing notice (印发通知).

    The notice's head holds the document number (丁山府发〔2026〕11号), the
    issuing body and the plan title in 《》 after 关于印发.
    """
    from toolkit.plan.prose import notice_lines

    return identity_of("\n".join(notice_lines(path)))


def identity_of(text: str) -> Identity:
    """Identity from the text of a notice (see read_notice)."""
    head = "\n".join(line.strip() for line in text.splitlines()[:40] if line.strip())
    identity = Identity()
    issue = re.search(r"关于印发", head)
    before = head[: issue.start()] if issue else head
    number = (re.search(r"[\u4e00-\u9fff]{1,12}〔\d{4}〕\d+号", before)
              or re.search(r"[\u4e00-\u9fff]{1,12}〔\d{4}〕\d+号", head))  # the number may follow the title line
    if number:
        identity.doc_number = number.group(0)
    if issue:
        lines = before.rstrip().splitlines()
        candidate = lines[-1] if lines else ""
        if number and candidate.strip() == number.group(0):
            candidate = ""
        identity.issuer = candidate.strip() or None
        title = re.search(r"《(.+?)》", head[issue.start():], re.S)
        if title:
            identity.title = re.sub(r"\s+", "", title.group(1))
    if identity.title:
        identity.years = years_in(identity.title)
    return identity


def years_in(text: str) -> list[int] | None:
    span = _YEAR_RANGE.search(text or "")
    if span:
        first, last = int(span.group(1)), int(span.group(2))
        if first <= last <= first + 10:
            return list(range(first, last + 1))
    found = [int(y) for y in _YEAR.findall(text or "")]
    return sorted(set(found))[:1] if found else None


# ------------------------------------------------------------- tables


@dataclass
class _Layout:
    header_row: int  # index of the last header row
    columns: list[Column]
    kind: str | None
    title: str


def _header(raw: RawTable) -> tuple[int, list[str]] | None:
    """The header row (index) and its titles: the first of the top rows whose
    cells name at least two distinct roles."""
    for i, row in enumerate(raw.rows[:5]):
        roles = {role_of(text) for text in row if text} - {"other"}
        if len(roles) >= _MIN_HEADER_ROLES and roles & {"target", "task", "deadline", "name"}:
            titles = list(row)
            # A second header row under merged group titles (重点任务 over 任务|内容)
            if i + 1 < len(raw.rows):
                below = raw.rows[i + 1]
                below_roles = [role_of(t) for t in below if t]
                if below_roles and all(r != "other" for r in below_roles) and not any(_looks_like_seq(t) for t in below):
                    titles = [b if b and b != t else t for t, b in zip(titles, below)]
                    return i + 1, titles
            return i, titles
    return None


def _looks_like_seq(text: str) -> bool:
    return bool(re.fullmatch(r"\d{1,3}|[一二三四五六七八九十]+", _squash(text)))


def _columns(titles: list[str]) -> list[Column]:
    columns: list[Column] = []
    seen: Counter = Counter()
    for title in titles:
        title = title.replace("\n", "")
        seen[title] += 1
        key = title if seen[title] == 1 else f"{title}({seen[title]})"
        columns.append(Column(key=key or f"列{len(columns) + 1}", title=title, role=role_of(title)))
    roles = [c.role for c in columns]
    # Two task columns: the first groups rows, the second is the task itself.
    task_columns = [c for c in columns if c.role == "task"]
    if len(task_columns) >= 2:
        task_columns[-1].role = "subtask"
    elif len(task_columns) == 1 and "deadline" in roles and "target" not in roles:
        task_columns[0].role = "subtask"
    # A column role used twice otherwise (two 名称 columns): keep the first.
    used: set[str] = set()
    for column in columns:
        if column.role in used and column.role != "other":
            column.role = "other"
        used.add(column.role)
    return columns


def _title(raw: RawTable, kind: str | None) -> str:
    heading = _ENUMERATOR.sub("", raw.heading or "").strip()
    return heading or (TABLE_KIND_NAMES.get(kind, "") if kind else f"表{raw.index + 1}")


def _kind(raw: RawTable, columns: list[Column], header_row: int, year: int | None) -> str | None:
    roles = {c.role for c in columns}
    heading = _squash(raw.heading or "")
    if "deadline" in roles and roles & {"subtask", "task", "target"}:
        return "tasks"
    if "target" not in roles:
        return None
    if re.search(r"(应用|平台)", heading):
        return "applications"
    if "整治" in heading:
        return "rectification"
    if "指标" in heading:
        return "indicators"
    # No telling heading: short phrases that parse are indicator targets,
    # long free text is rectification content.
    from toolkit.plan.grammar import parse_target

    target = next(c for c in columns if c.role == "target")
    index = columns.index(target)
    texts = [row[index] for row in raw.rows[header_row + 1:] if index < len(row) and row[index]]
    if not texts:
        return None
    short = sum(1 for t in texts if len(t) <= 20 and all(r.status != "unparsed" for r in parse_target(t, year=year)))
    return "indicators" if short >= 0.6 * len(texts) else "rectification"


# ------------------------------------------------------------- rows


def _rules_for(table: Table, row: Row, year: int | None):
    """The rules a row holds, and the sentences of its text that read like a
    target but gave none (for review)."""
    from toolkit.plan.grammar import parse_deadline, parse_target, read_text

    if table.kind == "indicators":
        name = table.cell(row, "name")
        phrase = table.cell(row, "target")
        return (parse_target(phrase, name=name or None, year=year) if phrase else []), []
    if table.kind == "tasks":
        text = table.cell(row, "subtask") or table.cell(row, "target") or table.cell(row, "task")
        deadline = parse_deadline(table.cell(row, "deadline"), year=year) if table.cell(row, "deadline") else None
        dates = deadline.dates if deadline is not None else ()
        reading = read_text(text, year=dates[-1].year if dates else year)
        return reading.rules, reading.unread
    reading = read_text(table.cell(row, "target"), year=year)
    return reading.rules, reading.unread


def _indicator(rule, *, ind_id: str, fallback_name: str, row_deadline: Deadline | None) -> Indicator:
    name = (rule.name or fallback_name or "").strip()
    deadline = rule.deadline if rule.deadline is not None else row_deadline
    measure = infer_measure(name, op=rule.op, value=rule.value, scale=rule.scale, unit=rule.unit,
                            frequency=rule.frequency, status=rule.status, relative=rule.relative)
    status, note = rule.status, rule.note
    if measure.review and status == "parsed":
        status, note = "review", measure.review
    value, scale = rule.value, rule.scale
    if measure.scale and scale is None and value is not None:  # "0.5以内" per 100,000: natural units
        value, scale = value / SCALE_FACTORS[measure.scale], measure.scale
    scope, reporters = infer_scope(measure.measure, op=rule.op, value=value, relative=rule.relative,
                                   frequency=rule.frequency, zero_tolerance=measure.zero_tolerance)
    return Indicator(
        id=ind_id, name=name, text=rule.text, deadline=deadline,
        **rule_fields(rule, value=value, scale=scale, unit=measure.unit, status=status, note=note,
                      baseline=rule.baseline if rule.relative else None),
        measure=measure.measure, rollup=measure.rollup, zero_tolerance=measure.zero_tolerance,
        numerator=measure.numerator, denominator=measure.denominator, scope=scope, reporters=reporters,
    )


def _wordless(ind: Indicator) -> bool:
    """A target written without a number: 零X, 杜绝X, 确保不发生X, X持续下降."""
    return ind.value == 0 and ind.scale is None and ind.op in ("==", ">") and ind.unit is None


def add_indicators(row: Row, kind: str, rules, fallback_name: str) -> None:
    """The row's indicators from its rules, numbered after the row."""
    indicators = [_indicator(rule, ind_id="", fallback_name=fallback_name, row_deadline=row.deadline) for rule in rules]
    if kind != "indicators":
        # a number-less rule (杜绝X, X持续下降) whose X cannot be measured is a sentence to review
        unmeasured = [i for i in indicators if _wordless(i) and i.measure == "qualitative"]
        row.review += [i.text for i in unmeasured if i.text not in row.review]
        indicators = [i for i in indicators if i not in unmeasured]
    for k, indicator in enumerate(indicators, start=1):
        indicator.id = row.id if len(indicators) == 1 and kind == "indicators" else f"{row.id}.{k}"
        row.indicators.append(indicator)


_KIND_IDS = {"indicators": "core", "rectification": "rect", "applications": "app", "tasks": "task", "prose": "work"}


def import_annex(path: str | Path, *, identity: Identity | None = None, previous: Plan | None = None) -> ImportResult:
    """Read an annex (.docx/.xlsx) and build a plan from its recognised tables.
    `previous`: the plan file this import replaces; its indicator keys are
    carried over to the matching indicators (see toolkit.plan.keys)."""
    from toolkit.plan.grammar import parse_deadline

    document = read_annex(path)
    identity = identity or Identity()
    path = Path(path)
    years = identity.years
    if not years:
        for text in [*document.paragraphs, *(" ".join(t.rows[0]) for t in document.tables if t.rows)]:
            years = years_in(text)
            if years:
                break
    years = years or []
    plan_year = years[-1] if years else None

    skipped: list[str] = []
    unknown_deadlines: dict[str, str] = {}  # row id -> 完成时间 text not understood
    tables: list[Table] = []
    kind_counts: Counter = Counter()
    for raw in document.tables:
        header = _header(raw)
        if header is None:
            skipped.append(f"表{raw.index + 1}（{raw.heading or '无标题'}）：未找到表头（序号、名称、目标、责任单位、完成时间等）")
            continue
        header_row, titles = header
        columns = _columns(titles)
        kind = _kind(raw, columns, header_row, plan_year)
        if kind is None:
            skipped.append(f"表{raw.index + 1}（{raw.heading or '无标题'}）：表头 {'、'.join(t for t in titles if t)} 中没有“目标/内容”或“完成时间”列")
            continue
        kind_counts[kind] += 1
        table_id = _KIND_IDS[kind] + ("" if kind_counts[kind] == 1 else str(kind_counts[kind]))
        table = Table(id=table_id, title=_title(raw, kind), kind=kind, columns=columns, rows=[])
        header_texts = [t for t in titles]
        for r, cells in enumerate(raw.rows[header_row + 1:], start=header_row + 1):
            if not any(cells) or list(cells) == header_texts:
                continue  # blank rows, and the header repeated at page breaks
            padded = (list(cells) + [""] * len(columns))[: len(columns)]
            row_cells = {col.key: text for col, text in zip(columns, padded)}
            seq = row_cells.get(next((c.key for c in columns if c.role == "seq"), ""), "")
            label = seq or str(len(table.rows) + 1)
            row_id = f"{table_id}-{label}" if seq and _looks_like_seq(seq) else f"{table_id}-{len(table.rows) + 1}"
            if any(existing.id == row_id for existing in table.rows):
                row_id = f"{table_id}-{len(table.rows) + 1}"
            row = Row(id=row_id, label=label, cells=row_cells)
            if table.rows:
                row.merged_up = [col.key for c, col in enumerate(columns) if (r, c) in raw.merged_vertical]
            row.is_task = kind != "indicators"
            fallback_name = table.cell(row, "name") or table.cell(row, "subtask")
            if kind == "tasks":
                deadline_text = table.cell(row, "deadline")
                deadline = parse_deadline(deadline_text, year=plan_year) if deadline_text else None
                row.deadline = deadline
                if deadline_text and deadline is None:
                    unknown_deadlines[row.id] = deadline_text
            rules, row.review = _rules_for(table, row, plan_year)
            add_indicators(row, kind, rules, fallback_name)
            table.rows.append(row)
        tables.append(table)
        if not table.rows:
            skipped.append(f"{table.title}：表头下没有数据行")

    if not tables:
        details = "；".join(skipped) if skipped else "文件中没有表格"
        raise AnnexError(
            f"没有识别出附件表格（{details}）",
            where=str(path),
            hint="附件表格需要一行写明各列名称的表头，例如 序号 | 名称 | 2026年目标 | 责任单位，或 重点任务 | 完成时间 | 责任科室",
        )

    _make_names_unique(tables)
    review = _review(tables, unknown_deadlines)

    plan = Plan(
        id=identity.id or _slug(path.stem),
        title=identity.title or (document.paragraphs[1] if len(document.paragraphs) > 1 else path.stem),
        issuer=identity.issuer,
        doc_number=identity.doc_number,
        years=years,
        tables=tables,
        source=path.name,
    )
    from toolkit.plan.keys import carry_keys, fill_keys

    carried = carry_keys(plan, previous) if previous is not None else 0
    if previous is None:
        fill_keys(plan)
    return ImportResult(plan=plan, review=review, skipped_tables=skipped, carried_keys=carried)


def _review(tables: list[Table], unknown_deadlines: dict[str, str]) -> list[ReviewItem]:
    """The import review, in published order: every target, and every row
    that is reported by status only."""
    review: list[ReviewItem] = []
    for table in tables:
        for row in table.rows:
            row_name = table.cell(row, "name") or table.cell(row, "subtask")
            if row.id in unknown_deadlines:
                review.append(ReviewItem(table.title, row.label, row_name, unknown_deadlines[row.id], "完成时间未能识别", "task", "review",
                                         "请在计划文件中填写 deadline（如 2026-12-31、every:year、ongoing）"))
            for ind in row.indicators:
                review.append(ReviewItem(table.title, row.label, ind.name, ind.text, describe(ind), ind.measure, ind.status, ind.note or "",
                                         scope=ind.scope))
            for text in row.review:
                review.append(ReviewItem(table.title, row.label, row_name, text, "像是目标，但未能识别为量化目标", "qualitative", "review",
                                         UNREAD_NOTE))
            if row.is_task and not row.indicators:
                review.append(ReviewItem(table.title, row.label, row_name, "", "无量化目标：填报完成状态和进展", "task", "parsed"))
    return review


def _make_names_unique(tables: list[Table]) -> None:
    """Give every indicator a distinct name: leaders and the JSON contract
    refer to indicators by name. A repeated name is qualified by its deadline
    year, else its row's name, else a counter."""
    indicators = [(table, row, ind) for table in tables for row in table.rows for ind in row.indicators]
    counts = Counter(ind.name for _, _, ind in indicators)
    for name, count in counts.items():
        if count < 2:
            continue
        group = [(t, r, i) for t, r, i in indicators if i.name == name]
        years = [str(i.deadline.milestones[-1].year) if i.deadline and i.deadline.milestones else "" for _, _, i in group]
        if all(y.isdigit() for y in years) and len(set(years)) == len(years):
            for (_, _, ind), year in zip(group, years):
                ind.name = f"{name}（{year}年）"
            continue
        row_names = [t.cell(r, "name") for t, r, _ in group]
        if all(row_names) and len(set(row_names)) == len(row_names):
            for (_, _, ind), row_name in zip(group, row_names):
                ind.name = f"{name}（{row_name}）"
            continue
        for n, (_, row, ind) in enumerate(group, start=1):
            ind.name = f"{name}（{row.label}）" if len({r.label for _, r, _ in group}) == len(group) else f"{name}（{n}）"


def _slug(stem: str) -> str:
    slug = re.sub(r"[^0-9A-Za-z._-]+", "-", stem).strip("-").lower()
    return slug or "plan"
