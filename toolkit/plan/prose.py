"""Plans written as prose: numbered paragraphs instead of annex tables.

Many offices publish their 工作要点 as a notice whose body is numbered
paragraphs: top-level sections (一、二、…), and in them paragraphs numbered
（一）（二）… or 1．2．…, the targets inside their sentences. The import makes
one table (kind `prose`) per section and one row per paragraph: its heading
(工作事项), its text (工作内容), its responsible units where the text names
them (由…牵头, …负责, 责任单位：…, or the section's 责任单位), and one indicator
per target found in its sentences, each quoting the whole sentence it came
from. Sentences that read like a target but gave none are kept for review.

Nothing here is specific to one office: sections and paragraphs are found by
their numbering, the notice head by its 关于印发《…》 line and closing date.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import AnnexError

HAND_HINT = ("如文件确无可识别的目标，可按 docs/plan-format.md 手工编写计划文件（YAML），"
              "再运行 toolkit plan check 检查")

# ------------------------------------------------------------------ reading the file


def decode(data: bytes) -> str:
    """Text of a .txt notice: UTF-8 (with or without BOM), else GB18030 (GBK),
    as Windows clerks save it."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace")


def notice_lines(path: str | Path) -> list[str]:
    """The lines of a notice: a .txt file in any usual encoding, or the
    paragraphs of a .docx (its tables are the annex's business)."""
    path = Path(path)
    if not path.exists():
        raise AnnexError(f"找不到文件：{path.name}", where=str(path), hint="请检查文件名和所在文件夹")
    suffix = path.suffix.lower()
    if suffix == ".docx":
        from toolkit.plan.annex import read_annex

        return read_annex(path).paragraphs
    if suffix in (".doc", ".wps", ".pdf"):
        raise AnnexError(f"无法读取{suffix}文件", where=str(path),
                         hint="请用 Word 或 WPS 打开，另存为 .docx 或“纯文本(.txt)”后再导入")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AnnexError(f"无法读取文件：{exc.strerror or exc}", where=str(path), hint="请检查文件是否存在、是否被占用") from None
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise AnnexError("不是文本文件（.txt）", where=str(path),
                         hint="请在 Word/WPS 中把通知“另存为”纯文本(.txt)或 .docx 后再导入")
    return decode(data).replace("\r\n", "\n").replace("\r", "\n").split("\n")


# ------------------------------------------------------------------ structure

_CN = "一二三四五六七八九十"
_SECTION = re.compile(rf"^([{_CN}]{{1,3}})[、.]\s*(.*)$")
_SUB = re.compile(rf"^[（(]([{_CN}]{{1,3}})[）)]\s*(.*)$")
_NUM = re.compile(r"^(\d{1,2})\s*[．.、](?!\d)\s*(.*)$")
_DATE_LINE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_CN_DATE_LINE = re.compile(r"^([〇○零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,2})\s*月\s*([一二三四五六七八九十]{1,3})\s*日$")
_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"○": "0", "零": "0"}


def _date_of(line: str) -> str | None:
    """"2026年4月7日" or "二〇二六年四月七日" -> "2026-04-07"."""
    from toolkit.plan.grammar.words import cn_to_int

    m = _DATE_LINE.match(line)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    else:
        m = _CN_DATE_LINE.match(line)
        if not m:
            return None
        y, mo, d = int("".join(_CN_DIGITS[c] for c in m[1])), cn_to_int(m[2]), cn_to_int(m[3])
    try:
        return datetime.date(y, mo, d).isoformat()
    except (TypeError, ValueError):
        return None
_ANNEX_START = re.compile(r"^附\s*件\s*(?:\d+)?\s*[:：]?")
_BOLD = re.compile(r"\*\*|__")


@dataclass
class Paragraph:
    label: str  # as numbered: （一）, 1 …
    heading: str  # the paragraph's title: its first line or first short sentence
    text: str  # the paragraph body (heading included when it is a sentence of the body)
    group: str = ""  # the （一） heading above numbered paragraphs


@dataclass
class Section:
    label: str  # 一, 二 … ("" for the preamble)
    title: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    responsible: str = ""  # a 责任单位 line for the whole section


@dataclass
class ProseBody:
    head: list[str]  # the notice's head (for identity)
    issued: str | None  # the notice's date, ISO
    sections: list[Section]
    signer: str | None = None  # the issuing body signing below the text, when the notice has no head
    annex_follows: bool = False  # the text goes on with an annex (附件, or tables) that is not imported


_WORD_MARKUP = re.compile(r"\[bookmark:[^\]]*\]|<[^<>]{1,20}>")  # left over from Word or HTML conversions


def _squash(line: str) -> str:
    return _WORD_MARKUP.sub("", _BOLD.sub("", line)).strip().strip("\u3000\t ")


def split_notice(lines: list[str]) -> ProseBody:
    """The notice head, its date, and the body's sections and paragraphs; the
    body ends at the annex (附件) or at a table."""
    clean = [_squash(line) for line in lines]
    first_section = next((i for i, t in enumerate(clean) if _SECTION.match(unicodedata.normalize("NFKC", t))), None)
    # The head ends at the notice's closing date (or 此件公开发布) before the first section.
    if first_section is None:  # a plan of numbered paragraphs only
        first_section = next((i for i, t in enumerate(clean)
                              if _SUB.match(unicodedata.normalize("NFKC", t)) or _NUM.match(unicodedata.normalize("NFKC", t))), None)
    limit = first_section if first_section is not None else len(clean)
    head_end, issued = 0, None
    for i, t in enumerate(clean[:limit]):
        if _DATE_LINE.match(t) or _CN_DATE_LINE.match(t):
            head_end = i + 1
            issued = _date_of(t)
        elif re.fullmatch(r"[（(]此件.{1,8}[）)]", t):
            head_end = i + 1
    body: list[str] = []
    signer, annex_follows = None, False
    for i in range(head_end, len(clean)):
        t = clean[i]
        if lines[i].startswith("\t") or "\t" in lines[i].strip():
            while body and not body[-1]:
                body.pop()
            while body and body[-1] and "。" not in body[-1] and len(body[-1]) <= 40:
                body.pop()  # the title of the table that starts here
            annex_follows = True
            break
        if _ANNEX_START.match(t) and (len(t) <= 40 or "：" in t[:5]):
            annex_follows = True
            break
        if _date_of(t):  # the signature and date closing a plan without a notice head
            issued = issued or _date_of(t)
            while body and not body[-1]:
                body.pop()
            if body and len(body[-1]) <= 30 and not re.search(r"[。；，]", body[-1]):
                signer = body.pop()
            break
        body.append(t)
    return ProseBody(head=clean[:head_end], issued=issued, sections=_sections(body), signer=signer,
                     annex_follows=annex_follows)


def _sections(body: list[str]) -> list[Section]:
    """Lines -> sections -> paragraphs. Rows are the deepest numbering a
    section uses: 1．2．… where there are any (（一） above them groups them),
    else （一）（二）…; text before the first numbered paragraph is a row of its own."""
    preamble = Section("", "总体要求")
    sections = [preamble]
    blocks: dict[int, list[tuple[str, str, str]]] = {0: []}  # section index -> (marker kind, label, text)
    for line in body:
        if not line:
            continue
        norm = unicodedata.normalize("NFKC", line)
        m = _SECTION.match(norm)
        if m:
            sections.append(Section(m[1], line[len(m[1]) + 1:].strip()))
            blocks[len(sections) - 1] = []
            continue
        block = blocks[len(sections) - 1]
        sub, num = _SUB.match(norm), _NUM.match(norm)
        if sub:
            block.append(("sub", f"（{sub[1]}）", line[line.index(sub[1]) + len(sub[1]) + 1:].strip()))
        elif num and not re.match(r"\d{4}", norm):
            block.append(("num", num[1], line[len(line) - len(num[2]):] if num[2] else ""))
        elif block:
            kind, label, text = block[-1]
            first_line = "\n" not in text and "。" not in text and len(text) <= 40
            block[-1] = (kind, label, text + ("\n" if first_line or _ends_sentence(text) else "") + line if text else line)
        elif len(sections) > 1 or re.search(r"[。；！？]", line):  # the preamble's title lines are no paragraph
            block.append(("intro", "", line))
    for k, section in enumerate(sections):
        block = blocks[k]
        row_kind = "num" if any(kind == "num" for kind, _, _ in block) else "sub"
        group = ""
        for kind, label, text in block:
            resp = re.match(r"^[（(]?(?:责任单位|牵头单位)[:：]\s*(.+?)[）)]?$", text)
            if kind == "intro" and resp:
                section.responsible = resp[1].strip("。 ")
                continue
            if kind == "sub" and row_kind == "num":
                heading, rest = _heading(text)
                group = heading
                if rest:
                    section.paragraphs.append(Paragraph(label, heading, rest))
                continue
            if kind == "intro":
                heading = section.title or "总体要求"
                section.paragraphs.append(Paragraph(section.label or "前言", heading, text))
                continue
            section.paragraphs.append(Paragraph(label, _heading(text)[0], text, group))
    return [s for s in sections if s.paragraphs]


def _ends_sentence(text: str) -> bool:
    return text.rstrip().endswith(("。", "；", "！", "？", "：")) or not re.search(r"[\u4e00-\u9fff]$", text.rstrip())


def _heading(text: str) -> tuple[str, str]:
    """(heading, body after it): the first line when more follow, else the first
    sentence when it is short ("压实企业单位主体责任。严格落实…")."""
    first, _, rest = text.partition("\n")
    if rest and len(first) <= 40 and "。" not in first.rstrip("。"):
        return first.rstrip("。 "), rest.strip()
    m = re.match(r"^(.{2,30}?)[。．]", first)
    if m and not re.search(r"[，；]", m[1]):
        return m[1], text[m.end():].strip()
    clause = re.match(r"^(.{2,24}?)[，；。]", first)
    if clause:  # "开展“安全生产月”宣传活动，培训人员不少于1500人次…"
        return clause[1], ""
    return first[:30].rstrip("，。；") if len(first) <= 30 else first[:24] + "…", ""


# ------------------------------------------------------------------ who is responsible

_UNIT_END = r"(?:办公室|办|中心|大队|中队|队|所|局|委员会|委|站|科室|科|股|院|学校|公司|单位|村（社区）|村、社区|社区|村|街道|乡镇|镇政府|政府|部门|专班|工作组)"
_UNIT = rf"(?:[\u4e00-\u9fff（）()]{{1,18}}?{_UNIT_END}(?:[、，和及与][\u4e00-\u9fff（）()]{{1,18}}?{_UNIT_END})*)"
_LABELLED = re.compile(r"(?P<w>责任单位|牵头单位|责任科室|责任部门|配合单位|协办单位)[:：]\s*(?P<u>[^）)；。\n]+)")
_LED_BY = re.compile(rf"由(?P<u>{_UNIT})(?:牵头|负责|组织|统筹)")
_PARTNERS = re.compile(rf"(?P<u>{_UNIT})(?:配合|协助|协同)")
_DUTY = re.compile(rf"(?:^|[。；，：])(?P<u>{_UNIT})(?:要)?(?:牵头|负责)")


def responsible_units(text: str) -> tuple[str, str]:
    """(responsible, partners) named by a paragraph: 责任单位：…, 由…牵头,
    …负责/牵头, …配合; "" where it names none."""
    responsible, partners = [], []
    for m in _LABELLED.finditer(text):
        (partners if m["w"] in ("配合单位", "协办单位") else responsible).append(m["u"].strip(" ，"))
    if not responsible:
        responsible += [m["u"] for m in _LED_BY.finditer(text)]
    if not responsible:
        responsible += [m["u"] for m in _DUTY.finditer(text) if not m["u"].startswith(("由", "并"))]
    if not partners and responsible:
        partners += [m["u"] for m in _PARTNERS.finditer(text) if m["u"] not in responsible]
    return _join(responsible), _join(partners)


def _join(units: list[str]) -> str:
    seen: list[str] = []
    for unit in units:
        unit = re.sub(r"^(?:并|且|和|及|要|由|在)", "", unit.strip("，、 "))
        if unit and unit not in seen:
            seen.append(unit)
    return "、".join(seen)


# ------------------------------------------------------------------ the import

_SENTENCE = re.compile(r"[^。；！？\n]+[。；！？]?")
_MILESTONE_ONLY = "有期限但无量化指标"


def sentences(text: str) -> list[str]:
    return [m.group().strip() for m in _SENTENCE.finditer(text or "") if m.group().strip(" 。；！？")]


def read_paragraph(text: str, year: int | None):
    """(rules, unread sentences) of a paragraph: every rule quotes its whole
    sentence, so the review shows a target beside the words it came from. A
    dated step with no quantity ("2024年，建立…机制") is no target."""
    import dataclasses

    from toolkit.plan.grammar import normalize, read_text
    from toolkit.plan.grammar.phrases import target_like

    rules, unread = [], []
    for sentence in sentences(text):
        reading = read_text(sentence, year=year)
        found = [r for r in reading.rules if not (r.op == "qualitative" and (r.note or "").startswith(_MILESTONE_ONLY))]
        rules += [dataclasses.replace(r, text=sentence.rstrip("。；！？")) for r in found]
        if not found:  # nothing, or only a dated step: a target-like sentence is kept for review
            text_of = reading.unread or ([sentence.rstrip("。；！？")] if target_like(normalize(sentence)) else [])
            unread += [u for u in text_of if u not in unread]
    return rules, unread


def import_prose(path: str | Path, *, identity=None, previous=None, lines: list[str] | None = None):
    """A plan from the prose body of a notice (.txt or .docx): one table per
    section, one row per numbered paragraph. Raises AnnexError (in Chinese,
    with the hint to write the plan file by hand) when the text holds no
    numbered paragraphs or no target at all."""
    from toolkit.plan.importer import (ImportResult, Identity, _make_names_unique, _review, add_indicators,
                                       identity_of, years_in)
    from toolkit.plan.model import Column, Plan, Row, Table

    path = Path(path)
    lines = notice_lines(path) if lines is None else lines
    body = split_notice(lines)
    found = identity_of("\n".join(lines))
    identity = identity or Identity()
    for name in ("title", "issuer", "doc_number", "years"):
        if getattr(identity, name) is None:
            setattr(identity, name, getattr(found, name))
    identity.issuer = identity.issuer or body.signer
    if identity.title is None:  # no 关于印发《…》: the plan's own title line
        identity.title = next((t for t in (_squash(x) for x in lines[:60])
                               if re.search(r"(?:要点|方案|计划|意见)$", t) and "。" not in t and len(t) <= 60), None)
        identity.years = identity.years or years_in(identity.title or "")
    sections = [s for s in body.sections if s.label or any(p.label != "前言" for p in s.paragraphs)]
    if not sections:
        raise AnnexError(
            "文中没有找到“一、二、三……”编号的章节或“1．”“（一）”编号的段落，无法按段落导入工作要点",
            where=str(path),
            hint="正文各部分应以“一、”“二、”开头，段落以“（一）”或“1．”编号；" + HAND_HINT)
    years = identity.years or next((y for y in map(years_in, [*body.head, *lines[:80]]) if y), None) or []
    plan_year = years[-1] if years else None

    tables: list[Table] = []
    for section in body.sections:
        table_id = "work" if not tables else f"work{len(tables) + 1}"
        rows: list[Row] = []
        for n, paragraph in enumerate(section.paragraphs, start=1):
            responsible, partners = responsible_units(paragraph.text)
            cells = {"序号": paragraph.label, "所属事项": paragraph.group, "工作事项": paragraph.heading,
                     "工作内容": paragraph.text, "责任单位": responsible or section.responsible, "配合单位": partners}
            row = Row(id=f"{table_id}-{n}", label=paragraph.label, cells=cells, is_task=True)
            rules, row.review = read_paragraph(paragraph.text, plan_year)
            add_indicators(row, "prose", rules, paragraph.heading)
            rows.append(row)
        numbered = any(p.label != "前言" for p in section.paragraphs)
        if not section.label and not numbered and not any(r.indicators or r.review for r in rows):
            continue  # a preamble without targets is no table
        columns = [Column("序号", "序号", "seq"), Column("所属事项", "所属事项", "other"),
                   Column("工作事项", "工作事项", "name"), Column("工作内容", "工作内容", "target"),
                   Column("责任单位", "责任单位", "responsible"), Column("配合单位", "配合单位", "partners")]
        for key in ("所属事项", "配合单位"):
            if not any(r.cells[key] for r in rows):
                columns = [c for c in columns if c.key != key]
                for r in rows:
                    r.cells.pop(key)
        title = section.title if section.label or not numbered else (identity.title or "工作要点")
        tables.append(Table(id=table_id, title=title, kind="prose", columns=columns, rows=rows))

    if not any(row.indicators or row.review for table in tables for row in table.rows):
        raise AnnexError(
            f"在 {sum(len(t.rows) for t in tables)} 个段落中没有找到量化目标（如“达到100%”“每季度至少1次”“新建12个”）",
            where=str(path),
            hint="请确认导入的是工作要点正文；" + HAND_HINT)
    _make_names_unique(tables)
    plan = Plan(
        id=identity.id or re.sub(r"[^0-9A-Za-z._-]+", "-", path.stem).strip("-").lower() or "plan",
        title=identity.title or path.stem,
        issuer=identity.issuer,
        doc_number=identity.doc_number,
        years=years,
        tables=tables,
        source=path.name,
        issued=body.issued,
    )
    from toolkit.plan.keys import carry_keys, fill_keys

    carried = carry_keys(plan, previous) if previous is not None else 0
    if previous is None:
        fill_keys(plan)
    skipped = []
    if body.annex_follows and path.suffix.lower() != ".docx":
        skipped.append("正文之后的附件（表格）未导入：附件的目标以附件为准，请导入附件 .docx/.xlsx，"
                       f"并用 --notice {path.name} 指定本通知，正文与附件会逐项比对")
    return ImportResult(plan=plan, review=_review(tables, {}), skipped_tables=skipped, carried_keys=carried)
