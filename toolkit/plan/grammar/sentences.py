"""Sentences -> named rules; the public parsers; the canonical phrase of a rule."""

from __future__ import annotations

import bisect
import dataclasses
import datetime
import re
from decimal import Decimal, localcontext

from toolkit.plan.grammar.words import (
    COMPARATORS,
    Deadline,
    Rule,
    _ACTION,
    _CLAUSE_END,
    _CUT,
    _FREQ_CMP,
    _FREQ_WORD,
    _LEAD,
    _QUALITATIVE,
    _QUAL_LEAD,
    _RATE_END,
    _SENTENCE_END,
    _normalize_map,
    baseline_of,
    normalize,
    rule_fields,
)
from toolkit.plan.grammar.phrases import phrase_hits, target_like
from toolkit.plan.grammar.deadlines import (
    _INLINE_DEADLINE,
    _deadline,
)
from toolkit.plan.grammar.scan import (
    _Hit,
    _mask,
    _scan,
)
from toolkit.plan.deadline import month_end as _month_end


# ================================================================ naming


def _strip_lead(name: str, rx: re.Pattern = _LEAD) -> str:
    while True:
        m = rx.match(name)
        if not m or m.end() == len(name):
            return name
        name = name[m.end():]


def _clean(seg: str) -> str:
    """Drop leading verbs/connectors, an unbalanced "（", and a leading locative
    ("在“三山”重点林区新建" -> "新建")."""
    seg = seg.strip()
    if seg.count("（") > seg.count("）"):
        seg = seg.lstrip("（")
    name = _strip_lead(seg)
    if name.startswith("在"):
        v = _ACTION.search(name, 1)
        if v:
            name = name[v.start():]
    return name


def _cut_rate(name: str) -> str:
    """"防洪薄弱点和…危险区实现隐患排查率" -> "隐患排查率"; not "整改落实率"."""
    last = None
    for last in _CUT.finditer(name):
        pass
    if last and len(name) - last.end() >= 3:
        return _strip_lead(name[last.end():])
    return name


# Endings of counts that a list of subjects may split at ("事故起数和死亡人数"); not 死亡/伤亡
# alone: "因灾死亡及失踪人数" is one figure.
_COUNT_END = ("起数", "人数", "次数", "件数", "宗数", "户数", "事故", "事件", "火灾")


def _after_cut(name: str) -> str:
    """"全镇实现" -> "": the subject starts after the last 实现/确保…."""
    last = None
    for last in _CUT.finditer(name):
        pass
    return _strip_lead(name[last.end():]) if last else name


def _split_list(name: str) -> list[str]:
    """"“两客一危”年检率和年审率" -> both, the shorter borrowing the first's
    qualifier; "事故起数和死亡人数" -> "事故起数", "事故死亡人数". Only lists of
    rates or counts split: "金属粉尘和铝加工…监测率" is one name."""
    name = re.sub(r"(?:分别|均|都)$", "", name.replace("以及", "及"))  # "起数、死亡人数分别下降10%"
    parts, depth, cur = [], 0, ""
    for c in name:
        depth += (c in "（“《‘") - (c in "）”》’")
        if depth <= 0 and c in "和、及与":
            parts.append(cur)
            cur = ""
        else:
            cur += c
    parts.append(cur)
    if len(parts) >= 2 and "、" in name and not re.search("[和及与]", name):
        shared = _shared_suffix(parts)
        if shared:
            return shared
    if len(parts) < 2 or not (all(p and p.endswith(_RATE_END) for p in parts)
                              or all(p and p.endswith(_COUNT_END) for p in parts)):
        return [name]
    first = parts[0]
    out = [first]
    for p in parts[1:]:
        ending = next((x for x in _COUNT_END[:6] if first.endswith(x)), None)
        if ending and p.endswith(_COUNT_END[:6]) and not re.search(r"事故|事件|火灾|灾害", p):
            # "生产安全事故起数" + "死亡人数": the deaths in the same accidents
            out.append(first[:len(first) - len(ending)] + p)
        elif len(p) >= len(first):
            out.append(p)
        else:
            out.append(first[:len(first) - len(p)] + p)
    return out


# Where the measured part of a list's last item starts: "救援队|标准配备率", "社区|应急站建成率".
_SUFFIX_START = re.compile(r"企业|单位|标准|规范|消防|应急|安全|监测|预警|视频|设施|装备|物资|隐患|风险|建成|配备|覆盖|整改|排查|达标|"
                           r"救援|检查|培训|接入|安装|在线|联网|持证|合格|使用|验收|登记|备案")


def _shared_suffix(parts: list[str]) -> list[str] | None:
    """"消防站、救援队标准配备率" -> 消防站标准配备率, 救援队标准配备率: a list of
    short subjects sharing what is measured; None where the list is not one."""
    *heads, last = parts
    if re.match(r"[^，；]{0,3}?[两三四五各]级", last):  # "镇、村两级…": one figure over both levels
        return ["、".join(parts)]
    if not last.endswith(_RATE_END) or any(not h or len(h) > 8 or h.endswith(_RATE_END) for h in heads):
        return None
    m = _SUFFIX_START.search(last, 1)
    if not m or len(last) - m.start() < 2:
        return None
    suffix = last[m.start():]
    return [h + suffix for h in heads] + [last]


def _qualify(name: str, clause: str) -> str:
    """A generic name ("排查率") qualified by the clause before it:
    "牵头开展大型商业综合体安全隐患排查，排查率100%" -> "大型商业综合体安全隐患排查率"."""
    clause = _strip_lead(clause.strip(), _QUAL_LEAD)
    stem = name.rstrip("率度")
    if stem and stem != name and stem in clause:
        k = clause.rfind(stem)
        return clause[:k + len(stem)] + name[len(stem):]
    return clause + name


def _dui_object(seg: str) -> str | None:
    """"对场镇排水设施开展" -> "场镇排水设施": what an activity (次) is done to."""
    k = seg.rfind("对")
    if k < 0 or re.match(r"对(?:讲|接|口|象|策|照|比|外|应)", seg[k:]):
        return None
    rest = seg[k + 1:]
    v = _ACTION.search(rest)
    return rest[:v.start()] if v else rest


def _name_count(hit: _Hit, seg: str, continues: bool, ctx: dict) -> str:
    """Activities (次) are named by what is done ("农业有限空间作业应急演练");
    other counts by verb and object ("安装气象测风仪", "新建消防管网")."""
    seg = _FREQ_CMP.sub("", seg)
    if hit.unit == "次":
        dui = _dui_object(seg)
        if dui is None and continues:  # "1次应急演练和1次宣传培训"
            dui = ctx.get("dui")
        ctx["dui"] = dui
        if hit.obj:
            return (dui or "") + hit.obj
        name = seg[seg.rfind("对") + 1:] if dui is not None else _clean(seg)
        if not name and ctx.get("prev_clause"):  # "负责组织联合执法，每季度不少于2次": what the clause before does
            verbs = list(_ACTION.finditer(ctx["prev_clause"]))
            name = ctx["prev_clause"][verbs[-1].start():] if verbs else ""
        return name
    if hit.obj:  # number before its object: "按计划实施城区1个小型消防站建设"
        verbs = list(_ACTION.finditer(seg))
        if verbs:
            lead = seg[verbs[-1].start():]
        elif seg.endswith("等"):  # "对坪山观音桥、白家双河口等4座渡口…": examples, not the name
            lead = ""
        else:
            lead = _clean(seg)
        name = lead + hit.obj
    else:
        name = _clean(seg)
        if continues and ctx.get("verb") and not _ACTION.match(name):
            name = ctx["verb"] + name  # "新建消防水池54口、消防管网108公里": the verb is shared
    v = _ACTION.match(name)
    ctx["verb"] = v.group() if v else None
    return name


def _name_hit(hit: _Hit, seg: str, continues: bool, ctx: dict) -> list[str]:
    """Names for a hit; seg is the text between its clause (or the previous
    target) and its comparator."""
    ctx["qualified"] = False
    if hit.kind == "zero":  # "较大事故零发生", "零死亡", "杜绝较大以上事故发生"
        subject = hit.name if hit.name is not None else _after_cut(_clean(seg)).rstrip("“\"") + hit.obj
        return _split_list(_strip_lead(subject)) if subject else []
    if hit.kind == "cover":  # "实现镇党政领导干部培训全覆盖" -> 镇党政领导干部培训覆盖率
        subject = _after_cut(_clean(re.sub(r"(?:基本)?(?:实现|做到|达到)$", "", seg)))
        if len(subject) <= 3 and ctx.get("prev_clause"):  # "开展自建房安全排查，实现排查全覆盖"
            clause = _strip_lead(ctx["prev_clause"].strip(), _QUAL_LEAD)
            subject = clause if clause.endswith(subject) else clause + subject
        return [subject + "覆盖率"] if subject else []
    if hit.kind == "count" and hit.name:  # "每季度约谈…": named by what is done
        return [hit.name]
    if hit.kind == "elsewhere":  # "死亡人数控制在上级下达的控制目标以内"
        subject = _clean(seg)
        return _split_list(subject) if subject else []
    if hit.kind == "decrease":  # "事故起数和死亡人数同比持续下降"
        subject = _clean(seg)
        return _split_list(subject) if subject else []
    if hit.kind == "review":
        name = re.sub(r"(?:精细到|缩短到|缩短至|控制在|达到|到|至|达|为|在)$", "", seg)
        k = max(name.rfind("率"), name.rfind("度"))
        return [_clean(name[:k + 1] if k >= 0 else name)]
    if hit.kind == "count":
        return [_name_count(hit, seg, continues, ctx)]
    base = _clean(seg)
    remark = ""
    if hit.obj.startswith("（"):  # "整改率达100%（含挂牌督办隐患）": a remark, kept with the name
        remark = hit.obj
    elif hit.obj.startswith(("覆盖", "全覆盖")):  # "做到100%覆盖辖区企业" (the target before its subject)
        subject = hit.obj.split("覆盖", 1)[1] or _clean(re.sub(r"(?:实现|做到|达到)$", "", base))
        return [subject + "覆盖率"]
    elif hit.obj:  # "辖区新安装电梯100%接入物联感知系统", "确保100%的村（社区）建成应急服务站"
        lead = "" if _strip_lead(base + "。") == "。" else base  # "确保" alone names nothing
        return [lead + hit.obj + "比例"]
    if hit.denom:  # "…施工人数达到施工现场总人数50%以上"
        return [base + "占" + hit.denom + "比例"]
    names = []
    for name in _split_list(_cut_rate(base)):
        if len(name) <= 3 and ctx.get("prev_clause"):  # "覆盖率", "排查率", or nothing at all
            name = _qualify(name, ctx["prev_clause"])
            ctx["qualified"] = True
        if hit.scale and not hit.relative and name and not name.endswith(_RATE_END):
            name += "比例"  # "纳入等级动态管理的文化旅游企业达98%" measures a share
        names.append(name + remark)
    return names


# ================================================================ sentences -> rules

_BARE_COUNT = re.compile(r"(?:死亡|受伤|伤亡|失踪)?人数|起数|直接经济损失")
_PERIOD_ONLY = re.compile(r"全年|年内|全年累计|每年|全年共")
# A year inside a sentence ("2026年达到100%", "到2025年底"); not "2023年及以前", "2024年起", "2024年度".
_YEAR_IN = re.compile(r"(?<![较比与])(?:到|至|截至|截止)?\d{4}年(?:\d{1,2}月)?(?:底|末)?(?:前|之前)?(?![\d度起以来开及或至到—–\-－~～、提强巩])")


def _sentences(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for i, c in enumerate(text):
        if c in _SENTENCE_END:
            out.append((start, i))
            start = i + 1
    out.append((start, len(text)))
    return [(a, b) for a, b in out if text[a:b].strip()]


def _rules_in(text: str, spans: list[tuple[int, int]], original: str, s: int, e: int,
              year: int | None, *, whole: bool, masked: list[bool]) -> list[Rule]:
    """The rules of one sentence text[s:e] of the normalised text."""

    def source(a: int, b: int) -> str:  # the original (un-normalised) text of a span
        return original[spans[a][0]:spans[b - 1][1]] if b > a else ""

    while s < e and text[s] in " 、，：":
        s += 1
    s0 = s
    # "11月底前，…", "2026年底前，…": a deadline for every target of the sentence
    deadline, dl_state, dl_head = None, None, ""
    k = text.find("，", s, e)
    if s < k <= s + 40:
        d, state = _deadline(text[s:k], year)
        if state != "bad":
            deadline, dl_state, dl_head = d, state, text[s:k]
            s = k + 1
    hits = _scan(text, s, e, masked, whole=whole)
    hits = sorted(hits + phrase_hits(text, s, e, masked, hits, whole=whole), key=lambda h: h.start)
    if not hits:
        goal = text[s:e].strip(" 。；，")
        if dl_state and goal:  # "2026年底前，镇专业应急救援队伍建设达标并通过区级验收。"
            note = "有期限但无量化指标的任务，需人工判断是否完成"
            if dl_state == "unresolved":
                note += f"；截止时间“{dl_head}”没有年份，无法换算为日期"
            return [Rule(goal, source(s0, e).strip(" 。；，"), "qualitative", None, None, None, None,
                         deadline, None, "review", note)]
        return []

    clause_starts = [s] + [i + 1 for i in range(s, e) if text[i] in _CLAUSE_END]
    clause_of = {id(h): bisect.bisect_right(clause_starts, h.num) - 1 for h in hits}
    clauses_with_hits = set(clause_of.values())
    inlines = list(_INLINE_DEADLINE.finditer(text, s, e))
    rules: list[Rule] = []
    ctx: dict = {}
    prev: _Hit | None = None
    sticky = None  # (deadline, state, words) of a year met between targets
    base_names: list[str] = []
    list_start = s
    for hit in hits:
        ci = clause_of[id(hit)]
        cs = clause_starts[ci]
        same_clause = prev is not None and prev.end >= cs
        anchor = prev.end if same_clause else cs
        seg = text[anchor:hit.start]
        # "54口、消防管网108公里", "1次应急演练和1次宣传培训": one list, sharing verb and frequency
        continues = same_clause and (not seg or seg[0] in "、和及与并")
        if continues and hit.kind == prev.kind == "count" and hit.frequency is None:
            hit.frequency = prev.frequency

        hit_deadline, hit_state, hit_head = deadline, dl_state, dl_head
        inline = next((m for m in reversed(inlines) if cs <= m.start() and m.end() <= hit.start), None)
        if inline and dl_state is None:  # "确保2026年底前完成12个…"
            hit_deadline, hit_state = _deadline(inline.group(), year)
            hit_head = inline.group()
            if inline.start() >= anchor:
                seg = text[anchor:inline.start()] + text[inline.end():hit.start]
        # a year between two targets of one sentence is the deadline of those after it:
        # "2025年达到80%、2026年达到100%", "…达到90%，2026年底达到100%"
        year_m = None
        for year_m in (m for m in _YEAR_IN.finditer(text, prev.end if prev else s, hit.start) if not masked[m.start()]):
            pass
        if year_m is not None and not (inline and inline.start() <= year_m.start() < inline.end()):
            d, state = _deadline(year_m.group(), year)
            if state == "ok" and (prev is not None or deadline is None):
                sticky = (d, state, year_m.group())
            if year_m.start() >= anchor:
                seg = seg.replace(year_m.group(), "", 1)
        if sticky and not (inline and dl_state is None):
            hit_deadline, hit_state, hit_head = sticky
        inherits = year_m is not None and prev is not None and base_names and hit.qualifier is None and (
            not _clean(seg.strip("、，和及与")) or _ACTION.fullmatch(_clean(seg.strip("、，和及与"))))

        ctx["prev_clause"] = None  # qualifies a generic name, if it holds no target itself
        if ci > 0 and ci - 1 not in clauses_with_hits:
            ctx["prev_clause"] = text[clause_starts[ci - 1]:cs - 1]
        if hit.qualifier is not None:  # the exception names the same thing as its rule
            names = [f"{n}（{hit.qualifier}）" if hit.qualifier else n for n in base_names]
        elif inherits:  # "…2026年达到100%": the same thing, another year
            names = base_names
        elif continues and base_names and prev.kind == hit.kind and _BARE_COUNT.fullmatch(_clean(seg.strip("、，和及与"))):
            # "事故起数同比下降10%、死亡人数同比下降5%": the deaths in the same accidents
            stem = re.sub(_BARE_COUNT.pattern + "$", "", base_names[0])
            names = base_names = [stem + _clean(seg.strip("、，和及与"))]
        elif prev is not None and base_names and hit.kind == prev.kind and _PERIOD_ONLY.fullmatch(_clean(seg.strip("、，"))):
            names = [_clean(seg.strip("、，")) + n for n in base_names]  # "每季度开展1次…检查，全年不少于4次"
        else:
            names = base_names = _name_hit(hit, seg, continues, ctx)
        if not (continues or hit.qualifier is not None):
            list_start = clause_starts[ci - 1] if ctx.get("qualified") else anchor
        fragment = source(list_start, hit.end).lstrip("、，,和及与 ")

        for name in names or [None]:
            status, note = hit.status, hit.note
            if not name and not whole and status == "parsed":
                status, note = "unparsed", "找不到指标名称"
            if hit_state == "unresolved" and status == "parsed":
                status, note = "review", f"截止时间“{hit_head}”没有年份，无法换算为日期"
            rules.append(Rule(name=name or None, text=fragment, deadline=hit_deadline, **rule_fields(
                hit, status=status, note=note, baseline=(hit.baseline or baseline_of(None)) if hit.relative else None)))
        prev = hit
    return rules


@dataclasses.dataclass
class Reading:
    """What free text yields: its rules, and the sentences that read like a
    target but gave none (listed for review, never dropped)."""

    rules: list[Rule]
    unread: list[str]


def read_text(text: str, *, year: int | None = None, whole: bool = False) -> Reading:
    """The rules of `text` and its unread target-like sentences."""
    if not isinstance(text, str) or not text.strip():
        return Reading([], [])
    norm, spans = _normalize_map(text)
    masked = _mask(norm)
    rules, unread = [], []
    for a, b in _sentences(norm):
        found = _rules_in(norm, spans, text, a, b, year, whole=whole, masked=masked)
        rules += found
        if not found and target_like(norm[a:b]):
            unread.append(text[spans[a][0]:spans[b - 1][1]].strip(" \n。；，"))
    return Reading(rules, unread)


def _parse(text: str, year: int | None, *, whole: bool) -> list[Rule]:
    return read_text(text, year=year, whole=whole).rules


def extract_targets(text: str, *, year: int | None = None) -> list[Rule]:
    """Every quantitative target in free text (a rectification row, a task), each
    a named Rule, in order of appearance; `year` resolves 11月底前/年底前."""
    return read_text(text, year=year).rules


def parse_target(phrase: str, *, name: str | None = None, year: int | None = None) -> list[Rule]:
    """A target cell ("达98%以上", "3‰以内", "0", "保持低位运行") -> its rules: one,
    or several when the phrase names several things ("年检率和年审率达99%以上")."""
    text = "" if phrase is None else (phrase if isinstance(phrase, str) else str(phrase))

    def single(status: str, note: str) -> list[Rule]:
        return [Rule(name, text, "qualitative", None, None, None, None, None, None, status, note)]

    body = normalize(text).strip(" 。；，、\n")
    if not body:
        return single("unparsed", "目标为空")
    rules = _parse(text, year, whole=True)
    if not rules:
        if re.search(r"\d", body):
            return single("unparsed", "含有数字，但无法识别为目标")
        if _QUALITATIVE.search(body):
            return single("review", "定性目标，需人工判断")
        return single("unparsed", "无法识别的目标表述")
    if len(rules) == 1:
        # The cell's own wording ("覆盖率达100%") yields to the indicator's name;
        # a bare verb ("每年至少开展1次" -> "开展") is no name at all.
        own = rules[0].name
        chosen = name if name or (own and _ACTION.fullmatch(own)) else own
        # "生产安全事故起数和死亡人数 | 0": one rule per thing named
        rules = [dataclasses.replace(rules[0], name=n) for n in (_split_list(chosen) if chosen else [chosen])]
    return [dataclasses.replace(r, text=text) for r in rules]


# ================================================================ canonical form


def _fmt_number(value: float, scale: str | None) -> str:
    with localcontext() as ctx:
        ctx.prec = 60
        d = Decimal(repr(float(value))) * {"percent": 100, "permille": 1000}.get(scale or "", 1)
        return format(d.normalize(), "f")


def _fmt_date(d: datetime.date) -> str:
    if (d.month, d.day) == (12, 31):
        return f"{d.year}年底"
    if d == _month_end(d.year, d.month):
        return f"{d.year}年{d.month}月底"
    return f"{d.year}年{d.month}月{d.day}日"


def _fmt_deadline(dl: Deadline) -> str:
    if dl.kind == "ongoing":
        return "长期坚持"
    if dl.kind == "recurring":
        return _FREQ_WORD.get(dl.every or "", "每年")
    return "、".join(_fmt_date(d) + "前" for d in dl.dates)


def canonical_phrase(rule: Rule) -> str:
    """A phrase that parse_target(phrase, name=rule.name) turns back into an
    equal rule; a qualitative rule gives back its text."""
    if rule.op not in COMPARATORS[:-1] or rule.value is None:
        return rule.text or ""
    unit = {"percent": "%", "permille": "‰"}.get(rule.scale or "", rule.unit or "")
    v = _fmt_number(rule.value, rule.scale) + unit
    op = rule.op
    if rule.relative:
        verb = "下降" if rule.relative == "decrease" else "上升"
        body = {">=": f"{verb}{v}以上", ">": f"{verb}超过{v}", "<=": f"{verb}{v}以内",
                "<": f"{verb}不到{v}", "==": f"{verb}等于{v}"}[op]
    elif rule.frequency in _FREQ_WORD:
        body = _FREQ_WORD[rule.frequency] + {">=": "至少", ">": "多于", "<=": "至多", "<": "少于", "==": "等于"}[op] + v
    elif rule.unit and not rule.scale:
        body = {">=": "不少于", ">": "多于", "<=": "不超过", "<": "少于", "==": "等于"}[op] + v
    else:
        body = {">=": f"不低于{v}", ">": f"高于{v}", "<": f"低于{v}",
                "<=": f"{v}以内" if rule.scale == "permille" else f"不高于{v}",
                "==": "0" if rule.value == 0 and not unit else f"等于{v}"}[op]
    if rule.deadline is not None:
        body = _fmt_deadline(rule.deadline) + "，" + body
    return body
