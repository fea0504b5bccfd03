"""The target grammar: phrases from work-safety plans -> checkable rules.

A plan states its targets in Chinese prose: "覆盖率达 100%", "3‰以内",
"下降10%", "改造老旧小区12个", "每季度至少组织1次…", "11月底前，…达80%以上".
This module turns such phrases into `Rule`s (comparator, value in natural
units, unit, relative change, deadline, frequency) and task-list 完成时间
cells into `Deadline`s.

It never guesses. A number whose comparator the grammar cannot settle gives a
rule with status "review" (a clerk decides); what the grammar does not
understand at all is "unparsed"; qualitative targets ("保持低位运行") are
"review". Odd input becomes an unparsed rule; a bug in the grammar itself
raises (it is never passed off as the plan's wording).

How free text is read (extract_targets): sentences end at 。；！？ and newlines,
clauses at ，：. Every number is looked at with its unit (%, ‰ or a classifier
such as 个/套/公里/次), the comparator words before it (达/不低于/下降…) and the
suffix after it (以上/以内…). The measured thing's name is the text between the
clause start (or the previous target) and the comparator, cleaned of leading
verbs; counts are named by their verb and object ("安装11套气象测风仪" ->
"安装气象测风仪"). Numbers that are dates, durations, codes (G243, 110kV) or
inside quotes and 《titles》 are not targets.

Modules: `words` (normalising, vocabulary, `Rule`), `deadlines` (完成时间 and
deadline phrases), `scan` (target expressions in a sentence), `sentences`
(naming, whole sentences, the public parsers, canonical phrases).
"""

from toolkit.plan.deadline import Deadline
from toolkit.plan.grammar.deadlines import parse_deadline
from toolkit.plan.grammar.sentences import Reading, canonical_phrase, extract_targets, parse_target, read_text
from toolkit.plan.grammar.words import CLASSIFIERS, COMPARATORS, FREQUENCIES, Comparator, Rule, normalize

__all__ = [
    "CLASSIFIERS", "COMPARATORS", "FREQUENCIES", "Comparator", "Deadline", "Rule",
    "Reading", "canonical_phrase", "extract_targets", "normalize", "parse_deadline", "parse_target", "read_text",
]
