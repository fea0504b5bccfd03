"""Who reports which rows of a plan.

By default the annex itself says who reports a row: its responsibility
columns (roles "office" 责任办公室/责任科室, "responsible" 责任单位 and
"partners" 配合单位; "leader" 责任领导 is a person, not a unit, and is
ignored). Their text is split into fragments and each fragment is resolved
against the units list:

1. a unit's name or alias, after normalising (NFKC, no spaces, a leading
   level 镇/乡/县/区/街道 ignored; for "X（Y）" also X and Y alone; "X镇人民政府",
   "X街道办事处" also as X镇, X街道). An alias shared by several units acts as
   a group name: the fragment goes to all of them;
2. a phrase naming kinds of units (各村, 社区, 各办公室, 辖区各单位 …), from
   the table `PHRASES` below -> every unit of those kinds;
3. an abbreviation: the fragment's characters appear in order inside exactly
   one unit's name, starting with its first character (经发办 ->
   经济发展办公室); when several units fit, the one with the strictly
   shortest name wins, otherwise the fragment stays unmatched;
4. anything else is "unmatched" and shown in the dry run, so the clerk can
   add the unit or an alias.

"有关/相关…" (有关成员单位, 相关单位) names only some units of a kind, and the
plan does not say which: such a fragment is listed for review and routed only
where the plan file says so (a row's `include_related: true`) or the units
list does (an alias equal to the fragment, or the unit's `rows` column).

Who leads: the first-named unit of the row's 责任办公室 (or, without one, of
its 责任单位) leads the row and reports the area figure of its area targets;
the others cooperate (配合) and report their progress. When the first-named
text is a kind phrase (各村、社区), every unit it names reports its own part.

In a core-indicator table a row whose text covers every kind of unit in the
list (镇各板块、中心、大队、辖区各单位，各村、社区) goes to every unit, also
those without a kind. A unit with a `rows` override reports exactly those
tables/rows and nothing by default.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from toolkit.errors import UnitsError

# ---------------------------------------------------------------- data

# Kinds of the units "in the area" (辖区各单位): everything that is neither a
# section of the office itself nor a village/community nor a government.
AREA_KINDS = ("学校", "幼儿园", "卫生院", "医院", "派出所", "所", "站", "企业", "公司", "单位")

# Member units of a safety/disaster committee at the plan's own level
# (安委会/防减救灾委 成员单位): the government's departments, and in a town its
# offices, centres and brigades. Area units and villages are not members.
MEMBER_KINDS = ("部门", "办公室", "中心", "大队")

TOWN_KINDS = ("乡镇", "街道")


@dataclass(frozen=True)
class Phrase:
    """A way plans name kinds of units. `pattern` is matched against the whole
    fragment after `normalize_name` (so full-width brackets are ASCII and a
    leading 镇/县/区 is gone)."""

    pattern: str
    kinds: tuple[str, ...]
    approximate: bool = False  # "有关…": only the relevant ones, but the plan does not say which
    regex: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "regex", re.compile(self.pattern))


# The phrase table: extend it here. First match wins.
PHRASES: tuple[Phrase, ...] = (
    # villages and communities
    Phrase(r"各?村\(?(社区|居)\)?|各?村和社区|各?村居", ("村", "社区")),
    Phrase(r"各?(行政)?村", ("村",)),
    Phrase(r"各?社区", ("社区",)),
    # the office's own sections
    Phrase(r"各?(板块|办公室|科室|办)", ("办公室",)),
    Phrase(r"各?中心", ("中心",)),
    Phrase(r"各?大队", ("大队",)),
    Phrase(r"各?(部门|职能部门)", ("部门",)),
    Phrase(r"各?(有关|相关)(部门|职能部门)", ("部门",), approximate=True),
    # units in the area
    Phrase(r"辖区(内)?各?(单位|企事业单位)|各?(企事业单位|生产经营单位)", AREA_KINDS),
    Phrase(r"(有关|相关)(单位|企事业单位)", AREA_KINDS, approximate=True),
    # towns and sub-districts
    Phrase(r"各(乡镇|镇|乡)(人民政府)?(\((街道|街道办事处)\))?|各(乡镇|镇)(人民政府)?、?(街道|街道办事处)|各街道(办事处)?",
           TOWN_KINDS),
    Phrase(r"(有关|相关)(乡镇|镇|乡)(人民政府)?(\((街道|街道办事处)\))?", TOWN_KINDS, approximate=True),
    # committee members: 县安委会各成员单位, 镇安委会有关成员单位, 县防减救灾委各成员单位,
    # 县电力安全生产专业委员会各重点成员单位
    Phrase(r".*(委员会|委|会)各成员单位|各成员单位", MEMBER_KINDS),
    Phrase(r".*(委员会|委|会)(有关|相关|各重点|重点)成员单位|(有关|相关)成员单位", MEMBER_KINDS, approximate=True),
)

# Kinds as clerks may write them in the units list -> the kind used above.
KIND_SYNONYMS = {
    "行政村": "村", "村委会": "村", "村民委员会": "村",
    "居委会": "社区", "社区居委会": "社区", "居民委员会": "社区",
    "科室": "办公室", "板块": "办公室", "办": "办公室",
    "镇": "乡镇", "乡": "乡镇", "镇人民政府": "乡镇", "乡人民政府": "乡镇",
    "街道办事处": "街道", "街道办": "街道",
    "中小学": "学校", "小学": "学校", "中学": "学校",
    "医疗机构": "卫生院",
}

_SPLIT = set("，,、；;\n\r\uff64\ufe50\ufe51")
_AND = "和"
_LEVEL = re.compile(r"^(?:街道|[镇县区]|乡(?=各|有关|相关|人民政府|政府))(?=..)")
# "砚台镇人民政府" is the unit 砚台镇, "桂阳街道办事处" the unit 桂阳街道.
_GOVERNMENT = re.compile(r"^(?P<x>.+?(?:镇|乡|街道))(?:人民政府|政府|办事处|党委)$")
ROLES = ("office", "responsible", "partners")


def normalize_name(text: str) -> str:
    """NFKC, no spaces, no leading level (镇/乡/县/区/街道)."""
    squashed = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    return _LEVEL.sub("", squashed)


def normalize_kind(kind: str | None) -> str | None:
    if not kind:
        return None
    squashed = re.sub(r"\s+", "", unicodedata.normalize("NFKC", kind))
    return KIND_SYNONYMS.get(squashed, squashed)


def split_fragments(text: str) -> list[str]:
    """Split a responsibility text at ，,、；; and line breaks, never inside
    brackets: "县住房城乡建设委（县城市管理局）" stays one fragment."""
    fragments, current, depth = [], [], 0
    for ch in text or "":
        if ch in "(（[【":
            depth += 1
        elif ch in ")）]】":
            depth = max(0, depth - 1)
        if depth == 0 and ch in _SPLIT:
            fragments.append("".join(current))
            current = []
        else:
            current.append(ch)
    fragments.append("".join(current))
    return [f.strip() for f in fragments if f.strip()]


def _variants(fragment: str) -> list[str]:
    """The names a fragment may stand for: itself, and for "X(Y)" X and Y."""
    name = normalize_name(fragment)
    out = [name]
    match = re.fullmatch(r"(.+?)\((.+)\)", name)
    if match:
        out += [normalize_name(match[1]), normalize_name(match[2])]
    without = normalize_name(re.sub(r"\([^()]*\)", "", name))
    if without:
        out.append(without)
    out += [m["x"] for m in map(_GOVERNMENT.fullmatch, list(out)) if m]
    return list(dict.fromkeys(v for v in out if v))


# ---------------------------------------------------------------- resolving


@dataclass
class Resolution:
    """What one fragment of a responsibility text stands for."""

    fragment: str
    units: list[str]  # unit codes (units-list order)
    kinds: tuple[str, ...] = ()  # set when a kind phrase matched
    how: str = "unmatched"  # name | phrase | abbreviation | unmatched
    approximate: bool = False


class _Resolver:
    def __init__(self, units):
        self.units = list(units)
        self.by_name: dict[str, list[str]] = {}
        for unit in self.units:
            for name in unit.names:
                for variant in _variants(name):
                    codes = self.by_name.setdefault(variant, [])
                    if unit.code not in codes:
                        codes.append(unit.code)
        self.kind_of = {u.code: normalize_kind(u.kind) for u in self.units}
        self.kinds_present = {k for k in self.kind_of.values() if k}
        self.cache: dict[str, list[Resolution]] = {}

    def resolve_text(self, text: str) -> list[Resolution]:
        out = []
        for fragment in split_fragments(text):
            if fragment not in self.cache:
                self.cache[fragment] = self._resolve(fragment)
            out.extend(self.cache[fragment])
        return out

    def _resolve(self, fragment: str) -> list[Resolution]:
        single = self._resolve_one(fragment)
        if single.how != "unmatched" or _AND not in fragment:
            return [single]
        # "A和B": split only when the whole is not a name (和平村 stays whole)
        parts = [p for p in fragment.split(_AND) if p.strip()]
        if len(parts) < 2:
            return [single]
        return [self._resolve_one(p.strip()) for p in parts]

    def _resolve_one(self, fragment: str) -> Resolution:
        variants = _variants(fragment)
        for variant in variants:
            codes = self.by_name.get(variant)
            if codes:
                return Resolution(fragment, self._ordered(codes), how="name")
        for variant in variants[:1]:
            for phrase in PHRASES:
                if phrase.regex.fullmatch(variant):
                    codes = [u.code for u in self.units if self.kind_of[u.code] in phrase.kinds]
                    return Resolution(fragment, codes, kinds=phrase.kinds, how="phrase", approximate=phrase.approximate)
        code = self._abbreviation(variants)
        if code:
            return Resolution(fragment, [code], how="abbreviation")
        return Resolution(fragment, [])

    def _abbreviation(self, variants: list[str]) -> str | None:
        short = [v for v in variants if len(v) >= 2]
        if not short:
            return None
        fits: dict[str, int] = {}  # code -> length of the shortest fitting name
        for unit in self.units:  # against the name only: aliases are often short forms themselves
            target = normalize_name(unit.name)
            if any(_is_abbreviation(v, target) for v in short):
                fits[unit.code] = len(target)
        if len(fits) == 1:
            return next(iter(fits))
        if fits:
            shortest = min(fits.values())
            best = [code for code, length in fits.items() if length == shortest]
            if len(best) == 1:
                return best[0]
        return None

    def _ordered(self, codes) -> list[str]:
        wanted = set(codes)
        return [u.code for u in self.units if u.code in wanted]


def _is_abbreviation(short: str, name: str) -> bool:
    """`short`'s characters appear in order in `name`, starting with its first."""
    if not short or not name or short[0] != name[0] or len(short) >= len(name):
        return False
    position = 0
    for ch in short:
        position = name.find(ch, position)
        if position < 0:
            return False
        position += 1
    return True


# ---------------------------------------------------------------- assignment


@dataclass
class Assignment:
    rows_by_unit: dict[str, list[str]]  # unit code -> row ids, in plan order
    units_by_row: dict[str, list[str]]  # row id -> unit codes, in units-list order
    unmatched: dict[str, list[str]]  # row id -> fragments that matched no unit
    approximate: dict[str, list[str]]  # row id -> fragments matched only approximately (有关…)
    everyone: list[str] = field(default_factory=list)  # row ids that went to every unit (core indicators)
    overridden: list[str] = field(default_factory=list)  # unit codes whose rows come from the 'rows' column
    lead_by_row: dict[str, str | None] = field(default_factory=dict)  # row id -> the lead unit; None: each unit reports its part
    # row id -> who leads the row as the plan names it (the first name of its 责任办公室/责任单位, in the units
    # list or not); absent when that text starts with a kind of units (各村、社区, 各成员单位) or is empty
    lead_names: dict[str, str] = field(default_factory=dict)

    def rows_for(self, code: str) -> list[str]:
        return list(self.rows_by_unit.get(code, []))

    def lead_for(self, row_id: str) -> str | None:
        return self.lead_by_row.get(row_id)

    def role(self, row_id: str, code: str) -> str | None:
        """"lead" (reports the area figure), "partner" (配合: reports progress),
        "each" (no single lead: reports its own part), or None (not routed)."""
        if code not in self.units_by_row.get(row_id, []):
            return None
        lead = self.lead_by_row.get(row_id)
        if lead is None:
            return "each"
        return "lead" if code == lead else "partner"

    def units_for(self, row_id: str) -> list[str]:
        return list(self.units_by_row.get(row_id, []))


def lead_reported(plan, assignment) -> set[tuple[str, str]]:
    """(unit code, indicator id) of the cooperating units of each area figure
    its row's lead unit reports (scope area, reporters lead): their figure is
    optional, and where given, a contribution."""
    pairs = set()
    for _, row, indicator in plan.indicators():
        if indicator.scope != "area" or indicator.reporters != "lead":
            continue
        lead = assignment.lead_for(row.id)
        if lead is not None:
            pairs.update((code, indicator.id) for code in assignment.units_for(row.id) if code != lead)
    return pairs


def responsibility_text(table, row) -> str:
    """The row's responsibility columns joined: 责任办公室, 责任单位, 配合单位."""
    return "\n".join(t for t in (table.cell(row, role) for role in ROLES) if t.strip())


def assign_rows(plan, units) -> Assignment:
    """Decide which unit reports which row (see the module docstring)."""
    units = list(units)
    resolver = _Resolver(units)
    all_codes = [u.code for u in units]
    plan_rows = [(table, row) for table in plan.tables for row in table.rows]

    default: dict[str, list[str]] = {}
    unmatched: dict[str, list[str]] = {}
    approximate: dict[str, list[str]] = {}
    everyone: list[str] = []
    leads: dict[str, str | None] = {}
    lead_names: dict[str, str] = {}
    for table, row in plan_rows:
        resolutions = resolver.resolve_text(responsibility_text(table, row))
        codes: set[str] = set()
        phrase_kinds: set[str] = set()
        for res in resolutions:
            if res.how == "unmatched":
                _add(unmatched, row.id, res.fragment)
            elif res.approximate:
                _add(approximate, row.id, res.fragment)
                if not getattr(row, "include_related", False):
                    continue  # listed for review, not routed
            codes.update(res.units)
            phrase_kinds.update(res.kinds)
        leads[row.id] = _lead(resolver, table, row)
        named = _lead_name(resolver, table, row)
        if named:
            lead_names[row.id] = named
        if table.kind == "indicators" and phrase_kinds and resolver.kinds_present <= phrase_kinds:
            codes = set(all_codes)
            everyone.append(row.id)
        default[row.id] = codes

    overrides = _overrides(plan, units)
    rows_by_unit: dict[str, list[str]] = {}
    for unit in units:
        if unit.code in overrides:
            chosen = overrides[unit.code]
            rows_by_unit[unit.code] = [row.id for _, row in plan_rows if row.id in chosen]
        else:
            rows_by_unit[unit.code] = [row.id for _, row in plan_rows if unit.code in default[row.id]]
    units_by_row: dict[str, list[str]] = {row.id: [] for _, row in plan_rows}
    for code in all_codes:  # in the units list's order
        for row_id in rows_by_unit[code]:
            units_by_row[row_id].append(code)
    lead_by_row = {rid: (lead if lead in units_by_row[rid] else None) for rid, lead in leads.items()}
    return Assignment(rows_by_unit=rows_by_unit, units_by_row=units_by_row, unmatched=unmatched,
                      approximate=approximate, everyone=everyone, overridden=list(overrides), lead_by_row=lead_by_row,
                      lead_names=lead_names)


def _lead(resolver, table, row) -> str | None:
    """The first-named unit of the row's 责任办公室 (else 责任单位): it leads the
    row. None when that text names a kind of units (各村、社区) or nothing known."""
    text = table.cell(row, "office").strip() or table.cell(row, "responsible").strip()
    for res in resolver.resolve_text(text)[:1]:
        if res.how in ("name", "abbreviation") and res.units:
            return res.units[0]
    return None


def _lead_name(resolver, table, row) -> str:
    """The first name in the row's 责任办公室 (else 责任单位) as the plan
    writes it, whether or not it is in the units list: who leads the row, for
    a page with no room for the whole list. "" when the text starts with a
    kind of units (各村、社区; 县安委会各成员单位) or is empty."""
    text = table.cell(row, "office").strip() or table.cell(row, "responsible").strip()
    first = resolver.resolve_text(text)[:1]
    if not first or first[0].how == "phrase":
        return ""
    return first[0].fragment


def _add(target: dict[str, list[str]], key: str, value: str) -> None:
    values = target.setdefault(key, [])
    if value not in values:
        values.append(value)


def _overrides(plan, units) -> dict[str, set[str]]:
    """unit code -> row ids from the units list's `rows` column. Unknown ids
    are an error: a typo would silently drop rows from a unit's template."""
    def key(text: str) -> str:
        return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()

    ids: dict[str, list[str]] = {}
    for table in plan.tables:
        ids[key(table.id)] = [row.id for row in table.rows]
        for row in table.rows:
            ids.setdefault(key(row.id), [row.id])
    out: dict[str, set[str]] = {}
    problems = []
    for unit in units:
        if not unit.rows:
            continue
        chosen: set[str] = set()
        for item in unit.rows:
            found = ids.get(key(item))
            if found is None:
                problems.append(f"{unit.code} {unit.name}: '{item}' is neither a table nor a row of plan {plan.id}")
            else:
                chosen.update(found)
        out[unit.code] = chosen
    if problems:
        tables = "、".join(f"{t.id}（{t.title}）" for t in plan.tables)
        example = next((t.rows[0].id for t in plan.tables if t.rows), "core-1")
        raise UnitsError("unknown ids in the rows (填报范围) column:\n  " + "\n  ".join(problems),
                         where="units list, column rows",
                         hint=f"填写表编号（{tables}）或行编号（如 {example}），用分号或空格分隔；"
                              f"编号见 toolkit plan show {plan.id}")
    return out


# ---------------------------------------------------------------- dry-run listing


def format_assignment(plan, units, assignment: Assignment) -> str:
    """The --dry-run listing (see toolkit.assign_listing)."""
    from toolkit.assign_listing import format_assignment as _format

    return _format(plan, units, assignment)
