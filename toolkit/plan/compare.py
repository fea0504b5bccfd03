"""Where a plan's prose and its annex disagree.

A notice often repeats its annex targets in the paragraphs ("2025年，镇应急救
援队伍建成率达到100%" in the text, the same in the task list). The annex stays
the source of truth; this compares the targets of both and says what matches,
what only one side has, and where the same target has another value,
comparator, frequency or deadline: a check worth a clerk's minute, since a
typo in either is a target the units are judged against.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass, field

from toolkit.plan.model import Indicator, Plan
from toolkit.textable import render
from toolkit.words import describe

_YEAR_NOTE = re.compile(r"（\d{4}年）$|（[^（）]{1,12}）$")
_DROP = re.compile(r"[\s\"'“”‘’《》〈〉「」『』()（）\[\]【】,，、。；;：:!！?？·]+")
_AREA_PREFIX = re.compile(r"^(?:全镇|全县|全区|全街道|全乡|辖区|镇|县|区|街道|乡)")


@dataclass
class Placed:
    table: str
    row: str
    indicator: Indicator

    @property
    def where(self) -> str:
        return f"{self.table} 第{self.row}行" if self.row else self.table


@dataclass
class Pair:
    annex: Placed
    prose: Placed
    differences: list[str] = field(default_factory=list)  # in Chinese: 数值 90% ≠ 100%


@dataclass
class Comparison:
    matched: list[Pair] = field(default_factory=list)  # the same target on both sides
    different: list[Pair] = field(default_factory=list)  # the same subject, another rule
    only_annex: list[Placed] = field(default_factory=list)
    only_prose: list[Placed] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        return not self.different


def subject_key(name: str) -> str:
    """A target's subject without punctuation, remarks added for uniqueness
    ("（2025年）") and the area prefix (全镇, 辖区)."""
    text = unicodedata.normalize("NFKC", name or "")
    text = _YEAR_NOTE.sub("", text)
    return _AREA_PREFIX.sub("", _DROP.sub("", text))


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} or {text}


def _similar(a: str, b: str) -> float:
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / len(x | y)


def _placed(plan: Plan) -> list[Placed]:
    return [Placed(table.title, row.label, ind) for table, row, ind in plan.indicators()]


def _deadline(ind: Indicator) -> str:
    return ind.deadline.canonical() if ind.deadline is not None else ""


def _rule(ind: Indicator) -> str:
    return describe(dataclasses.replace(ind, deadline=None))


def differences(a: Indicator, b: Indicator) -> list[str]:
    """What differs between two targets of one subject, in Chinese."""
    out = []
    if (a.op, a.relative, a.frequency) != (b.op, b.relative, b.frequency) or (
            a.value is None) != (b.value is None) or (a.value is not None and abs(a.value - b.value) > 1e-9):
        out.append(f"目标：附件“{_rule(a)}”，正文“{_rule(b)}”")
    if a.deadline is not None and b.deadline is not None and _deadline(a) != _deadline(b):
        out.append(f"期限：附件 {a.deadline.words()}，正文 {b.deadline.words()}")
    return out


def compare_plans(annex: Plan, prose: Plan) -> Comparison:
    """Pair every prose target with the annex target of the same subject
    (same name; else one name within the other; else names alike), same unit
    first and, among several, the same deadline and value."""
    left, right = _placed(annex), _placed(prose)
    keys_l = [subject_key(p.indicator.name) for p in left]
    keys_r = [subject_key(p.indicator.name) for p in right]
    used_l: set[int] = set()
    pairs: dict[int, int] = {}
    tests = (
        lambda a, b: a == b,
        lambda a, b: min(len(a), len(b)) >= 4 and (a in b or b in a),
        lambda a, b: _similar(a, b) >= 0.55,
    )
    for test in tests:
        for j, r in enumerate(right):
            if j in pairs:
                continue
            candidates = [i for i, l in enumerate(left) if i not in used_l and test(keys_l[i], keys_r[j])
                          and (l.indicator.unit == r.indicator.unit or not (l.indicator.unit and r.indicator.unit))]
            if not candidates:
                continue
            best = min(candidates, key=lambda i: (_deadline(left[i].indicator) != _deadline(r.indicator),
                                                  len(differences(left[i].indicator, r.indicator)),
                                                  -_similar(keys_l[i], keys_r[j])))
            pairs[j] = best
            used_l.add(best)
    result = Comparison()
    for j, i in sorted(pairs.items(), key=lambda x: x[1]):
        pair = Pair(left[i], right[j], differences(left[i].indicator, right[j].indicator))
        (result.different if pair.differences else result.matched).append(pair)
    result.only_annex = [p for i, p in enumerate(left) if i not in used_l]
    result.only_prose = [p for j, p in enumerate(right) if j not in pairs]
    return result


def comparison_report(comparison: Comparison) -> str:
    """The comparison as text for the office: disagreements first."""
    out = [f"正文与附件目标比对：一致 {len(comparison.matched)} 项，不一致 {len(comparison.different)} 项，"
           f"仅附件有 {len(comparison.only_annex)} 项，仅正文有 {len(comparison.only_prose)} 项（以附件为准）"]
    if comparison.different:
        out += ["", "【不一致】请核对原文，以附件为准；如附件有误，请修改计划文件"]
        out.append(render(["附件位置", "指标", "差异", "正文原句"],
                          [[p.annex.where, p.annex.indicator.name, "；".join(p.differences), p.prose.indicator.text]
                           for p in comparison.different], max_widths={1: 24, 2: 40, 3: 40}))
    if comparison.only_prose:
        out += ["", "【仅正文有】附件中没有对应目标：如需考核，请在计划文件中补上"]
        out.append(render(["正文位置", "指标", "目标", "正文原句"],
                          [[p.where, p.indicator.name, describe(p.indicator), p.indicator.text]
                           for p in comparison.only_prose], max_widths={1: 24, 3: 40}))
    if comparison.matched:
        out += ["", "【一致】"]
        out.append(render(["附件位置", "指标", "目标", "正文位置"],
                          [[p.annex.where, p.annex.indicator.name, describe(p.annex.indicator), p.prose.where]
                           for p in comparison.matched], max_widths={1: 30}))
    if comparison.only_annex:
        out += ["", "【仅附件有】正文未提及（通常无需处理）"]
        out.append(render(["附件位置", "指标", "目标"],
                          [[p.where, p.indicator.name, describe(p.indicator)] for p in comparison.only_annex],
                          max_widths={1: 30}))
    return "\n".join(out)
