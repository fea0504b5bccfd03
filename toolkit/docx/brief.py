"""The 通报 draft (`toolkit brief`, `toolkit consolidate --brief`): a Word
document in the form offices publish their quarterly results, for the clerk
to edit and the leader to sign.

Title, a 文号 placeholder, the addressees, an opening paragraph on who
reported (how many units were expected, on time, late, sent back, missing,
naming the late and missing ones), the targets missed with the units
responsible, a ranking of units (红榜 and 黑榜: on time, valid the first
time, targets met), task progress per action (行动名称) and overdue tasks by
office, and the requirements that close
it, then the issuer and a date to fill in.

A writer: it receives the Consolidation and decides nothing about outcomes
(statuses, lateness and overdue tasks are the consolidation's); it only
counts, sorts and says them. Fonts, sizes and margins are in
toolkit.xlsx.style (BRIEF_*), words in toolkit.words.
"""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

from toolkit.fileio import OutputSet, outputs
from toolkit.model.consolidation import Consolidation
from toolkit.textable import safe_cell_text
from toolkit.words import LATE_WORD, NO_REASON, figure_words, status_order, status_word
from toolkit.xlsx import style

HEADINGS = ("一、报送情况", "二、指标完成情况", "三、单位排名（红黑榜）", "四、任务推进情况", "五、下一步工作要求")
REQUIREMENTS = (
    "（一）抓紧补报整改。未报送和逾期报送的单位要在通报印发后3个工作日内补报；被退回的单位要按问题清单逐项修改后重新报送。",
    "（二）聚焦未达标指标。责任单位要逐项分析原因，明确整改措施、责任人和完成时限，于下一报送期前报送整改情况。",
    "（三）加快任务推进。逾期任务的责任科室要倒排工期、挂图作战，确保按期销号；确有困难的要书面说明。",
    "（四）严格报送纪律。各单位要使用下发的模板如实填报，不得擅自修改表格，确保数据真实、准确、及时。",
)


def write_brief(c: Consolidation, path: Path, *, out: OutputSet | None = None,
                previous: Consolidation | None = None) -> None:
    """Write the 通报 draft of `c` to `path` (.docx), with the run's other outputs (`out`) or on its own
    (`previous`: the previous period's consolidation, from the ledger: the targets are compared with it)."""
    with outputs(out) as out:
        out.claim(path)
        out.add(path, render_brief(c, previous))


def render_brief(c: Consolidation, previous: Consolidation | None = None) -> bytes:
    """The 通报 draft of `c`, as the bytes of a .docx file."""
    doc = _Document(c, previous)
    doc.write()
    return doc.bytes()


class _Document:
    def __init__(self, c: Consolidation, previous: Consolidation | None = None):
        import docx

        self.c = c
        self.previous = previous
        self.doc = docx.Document()
        self._page()
        self.names = {u.code: u.name for u in c.units}
        for f in c.files:
            if f.unit and f.unit_name:
                self.names.setdefault(f.unit, f.unit_name)

    # ---- layout

    def _page(self) -> None:
        from docx.shared import Mm

        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        margins = style.BRIEF_MARGINS_MM
        section.top_margin, section.bottom_margin = Mm(margins["top"]), Mm(margins["bottom"])
        section.left_margin, section.right_margin = Mm(margins["left"]), Mm(margins["right"])
        self._font(self.doc.styles["Normal"], "body")
        props = self.doc.core_properties
        props.title = safe_cell_text(self._title())
        props.author, props.last_modified_by = "toolkit", "toolkit"
        props.created = props.modified = style.FIXED_TIME
        props.revision = 1
        self._page_numbers(section)

    @staticmethod
    def _set_font(font, role: str) -> None:
        from docx.oxml.ns import qn
        from docx.shared import Pt

        east, size = style.BRIEF_FONTS[role]
        font.name = style.BRIEF_ASCII_FONT
        font.size = Pt(size)
        fonts = font._element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), east)
        fonts.set(qn("w:hint"), "eastAsia")

    def _font(self, obj, role: str) -> None:
        self._set_font(obj.font, role)

    def _page_numbers(self, section) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        p = section.footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._run(p, "— ", "table")
        run = p.add_run()
        for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
            if kind:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
            else:
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = text
            run._r.append(el)
        self._set_font(run.font, "table")
        self._run(p, " —", "table")

    def _run(self, p, text: str, role: str, bold: bool = False):
        run = p.add_run(safe_cell_text(text))
        self._set_font(run.font, role)
        run.bold = bold or None
        return run

    def paragraph(self, text: str = "", role: str = "body", *, align=None, indent: bool = True, space_after: int = 0):
        from docx.enum.text import WD_LINE_SPACING
        from docx.shared import Pt

        p = self.doc.add_paragraph()
        fmt = p.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(style.BRIEF_LINE if role != "title" else 36)
        fmt.space_before, fmt.space_after = Pt(0), Pt(space_after)
        if indent and role in ("body", "heading", "subheading"):
            fmt.first_line_indent = Pt(style.BRIEF_INDENT)
        if align is not None:
            p.alignment = align
        if text:
            self._run(p, text, role)
        return p

    def table(self, headers, rows, widths_mm) -> None:
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Mm, Pt

        table = self.doc.add_table(rows=1 + len(rows), cols=len(headers))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for i, column in enumerate(table.columns):  # LibreOffice reads the grid, Word the cells
            column.width = Mm(widths_mm[i])
        for r, values in enumerate([list(headers)] + [list(row) for row in rows]):
            for i, value in enumerate(values):
                cell = table.cell(r, i)
                cell.width = Mm(widths_mm[i])
                p = cell.paragraphs[0]
                p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
                p.paragraph_format.line_spacing = Pt(style.BRIEF_TABLE_LINE)
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER if r == 0 or len(str(value)) <= 6 else None
                self._run(p, str(value), "table-header" if r == 0 else "table")
                if r == 0:
                    shade = OxmlElement("w:shd")
                    shade.set(qn("w:val"), "clear")
                    shade.set(qn("w:fill"), style.BRIEF_HEADER_FILL)
                    cell._tc.get_or_add_tcPr().append(shade)
        header = table.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")  # the header row on every page
        repeat.set(qn("w:val"), "true")
        header.append(repeat)
        self.paragraph("", indent=False)

    # ---- content

    def _title(self) -> str:
        return f"关于{self.c.period_label}《{self.c.plan_title}》落实情况的通报"

    def write(self) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        c = self.c
        year = (c.period_end or "")[:4] or "　　"
        self.paragraph(f"（文号）〔{year}〕　号", align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, space_after=12)
        self.paragraph(self._title(), "title", align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, space_after=16)
        self.paragraph("各有关单位：", indent=False)
        self._completeness()
        self._targets()
        self._ranking()
        self._tasks()
        self.paragraph(HEADINGS[4], "heading")
        for text in REQUIREMENTS:
            self.paragraph(text)
        self.paragraph("", indent=False)
        for text in (c.plan_issuer or "（发文单位）", f"{year}年　月　日"):
            self.paragraph(text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)

    def _completeness(self) -> None:
        c = self.c
        done = c.completeness
        on_time = sum(1 for u in c.units if u.status != "missing" and u.on_time is not False)
        late = [u.name for u in c.units if u.on_time is False]
        rejected = [u.name for u in c.units if u.status == "rejected"]
        missing = [u.name for u in c.units if u.status == "missing"]
        due = f"（报送截止{_date(c.due)}）" if c.due else ""
        parts = [f"应报送单位{done['expected']}个，已报送{done['received']}个，其中按时报送{on_time}个"]
        parts.append(f"逾期报送{len(late)}个（{'、'.join(late)}）" if late else "无逾期报送")
        parts.append(f"被退回修改{len(rejected)}个（{'、'.join(rejected)}）" if rejected else "无被退回单位")
        parts.append(f"未报送{len(missing)}个（{'、'.join(missing)}）" if missing else "全部单位均已报送")
        self.paragraph(f"根据《{c.plan_title}》要求，现将{c.period_label}落实情况通报如下。")
        self.paragraph(HEADINGS[0], "heading")
        self.paragraph(f"{c.period_label}{due}，" + "，".join(parts) + "。")

    def _targets(self) -> None:
        c = self.c
        self.paragraph(HEADINGS[1], "heading")
        counts = Counter(a.status for a in c.aggregates)
        said = "，".join(f"{status_word(s)}{counts[s]}项" for s in status_order(counts) if counts[s])
        self.paragraph(f"本期共考核指标{len(c.aggregates)}项：{said or '无'}。")
        if self.previous is not None:
            self.paragraph(self._since_previous(counts))
        missed = [a for a in c.aggregates if a.status == "missed"]
        if not missed:
            self.paragraph("本期没有未达标的指标。")
            return
        by_indicator: dict[str, list] = {}
        for o in c.outcomes:
            if o.status == "missed":
                by_indicator.setdefault(o.indicator_id, []).append(o)
        self.paragraph(f"未达标指标{len(missed)}项，具体如下：")
        rows = []
        for n, a in enumerate(missed, start=1):
            units = by_indicator.get(a.indicator_id, [])
            who = "、".join(self.names.get(o.unit, o.unit) for o in units) or "全域"
            reasons = "；".join(f"{self.names.get(o.unit, o.unit)}：{o.reason}" for o in units
                               if isinstance(o.reason, str) and o.reason.strip())
            rows.append([n, a.indicator, a.target, figure_words(a.value, a.number_kind, a.unit), who,
                         "／".join(x for x in (a.leader, a.office) if x), reasons or NO_REASON])
        self.table(("序号", "指标", "目标", "全域实际", "未达标单位", "责任领导/办公室", "原因"), rows,
                   (10, 30, 18, 18, 30, 25, 25))

    def _since_previous(self, counts: Counter) -> str:
        """The targets against the previous period's: how many missed and met then and now, the ones newly
        missed and the ones missed then and met now (matched by indicator)."""
        p = self.previous
        before = Counter(a.status for a in p.aggregates)
        parts = []
        for s in ("missed", "met"):
            word, then, now = status_word(s), before[s], counts[s]
            parts.append(f"{word}指标与上期持平（{now}项）" if then == now else
                         f"{word}指标由{then}项{'增加' if now > then else '减少'}为{now}项")
        text = f"与上期（{p.period_label}）相比，" + "，".join(parts) + "。"
        then = {a.indicator_id: a.status for a in p.aggregates}
        now = {a.indicator_id: a.status for a in self.c.aggregates}
        new = [a.indicator for a in self.c.aggregates if a.status == "missed" and then.get(a.indicator_id) != "missed"]
        met = [a.indicator for a in p.aggregates if a.status == "missed" and now.get(a.indicator_id) == "met"]
        if new:
            text += f"本期新增未达标：{'、'.join(new)}。"
        if met:
            text += f"上期未达标、本期已达标：{'、'.join(met)}。"
        return text

    def _ranking(self) -> None:
        c = self.c
        self.paragraph(HEADINGS[2], "heading")
        errors_by_unit: dict[str, list[int]] = {}
        for f in c.files:
            if f.unit:
                errors_by_unit.setdefault(f.unit, []).append(f.errors)
        outcome_counts: dict[str, Counter] = {}
        for o in c.outcomes:
            outcome_counts.setdefault(o.unit, Counter())[o.status] += 1
        red, black = [], []
        for u in c.units:
            counts = outcome_counts.get(u.code, Counter())
            first_time = u.status == "received" and not any(errors_by_unit.get(u.code, [1]))
            judged = counts["met"] + counts["missed"]
            problems = []
            if u.status == "missing":
                problems.append("未报送")
            elif u.status == "rejected":
                problems.append("报表被退回")
            if u.on_time is False:
                problems.append("逾期报送")
            if u.status == "received" and not first_time:
                problems.append("修改后才通过校验")
            if counts["missed"]:
                problems.append(f"{counts['missed']}项指标未达标")
            met = f"{counts['met']}/{judged}" if judged else "—"
            if problems:
                black.append((u.name, "；".join(problems), met))
            elif u.status == "received" and u.on_time is not False:
                red.append((u.name, "按时" if u.on_time else "已报送", "是", met))
        red.sort(key=lambda r: (-_share(r[3]), r[0]))
        black.sort(key=lambda r: (-len(r[1].split("；")), r[0]))
        self.paragraph(f"（一）红榜（按时报送、一次通过校验、指标全部达标，共{len(red)}个单位）", "subheading")
        if red:
            self.table(("序号", "单位", "报送", "一次通过", "达标/考核项"),
                       [(n, *r) for n, r in enumerate(red, start=1)], (12, 60, 25, 25, 30))
        else:
            self.paragraph("本期无。")
        self.paragraph(f"（二）黑榜（未报送、逾期、被退回或指标未达标，共{len(black)}个单位）", "subheading")
        if black:
            self.table(("序号", "单位", "存在问题", "达标/考核项"),
                       [(n, *r) for n, r in enumerate(black, start=1)], (12, 50, 70, 25))
        else:
            self.paragraph("本期无。")

    def _tasks(self) -> None:
        c = self.c
        self.paragraph(HEADINGS[3], "heading")
        if not c.tasks:
            self.paragraph("本期没有需报告进度的任务。")
            return
        done = sum(1 for t in c.tasks if t.status in ("已完成", "不适用"))
        going = sum(1 for t in c.tasks if t.status == "推进中")
        overdue = [t for t in c.tasks if t.overdue]
        self.paragraph(f"本期应报告进度的任务{len(c.tasks)}项（次），已完成{done}项，推进中{going}项，"
                       f"逾期未完成{len(overdue)}项。")
        by_action = c.task_counts("action")
        if by_action:
            self.paragraph("各项行动任务推进情况如下：")
            self.table(("行动", "任务数", "已完成", "推进中", "未启动", "逾期"),
                       [(name, *(n[k] for k in ("任务数", "已完成", "推进中", "未启动", LATE_WORD)))
                        for name, n in by_action], (66, 18, 18, 18, 18, 18))
        if not overdue:
            return
        by_office: dict[str, list] = {}
        for t in overdue:
            by_office.setdefault(t.office or t.unit_name or self.names.get(t.unit, t.unit), []).append(t)
        rows = []
        for office, tasks in sorted(by_office.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            listed = "；".join(f"{t.row}.{_short(t.task)}（{_date(t.due) or '—'}）" for t in tasks[:5])
            more = f"等{len(tasks)}项" if len(tasks) > 5 else ""
            rows.append([office, len(tasks), listed + more])
        self.paragraph("逾期任务按责任科室（单位）列示如下：")
        self.table(("责任科室/单位", "逾期数", "逾期任务（完成时限）"), rows, (40, 18, 100))

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


def _share(text: str) -> float:
    met, _, judged = text.partition("/")
    return int(met) / int(judged) if judged and judged != "0" else 0.0


def _short(text: str | None, limit: int = 30) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _date(value: str | None) -> str:
    from toolkit.words import iso_date_words

    return iso_date_words(value)
