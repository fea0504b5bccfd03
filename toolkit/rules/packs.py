"""Rule packs: declarative cross-field checks in validators/*.yaml.

A pack is a list of rules, each a finding code and one check (see the
comment at the top of validators/core.yaml). `load_rule_packs` reads and
checks them; `engine` compiles each rule into a pandera check.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.findings import CODES

_OPS = ("<=", "<", ">=", ">", "==")
_FIELDS = ("value", "cumulative", "numerator", "denominator", "baseline", "status", "progress", "reason",
           "reporter", "phone", "approver")
KINDS = ("compare", "required", "required_when", "required_if_missed", "required_if_relative")


class RulePackError(ToolkitError):
    """A rule pack file is malformed."""


@dataclass(frozen=True)
class Rule:
    code: str
    kind: str  # one of KINDS
    field: str
    op: str | None = None
    other: str | None = None
    value: float | None = None
    when: str | None = None
    values: tuple[str, ...] = ()
    pack: str = ""


def load_rule_packs(folder: Path | None = None) -> list[Rule]:
    """Every rule of every pack in `folder` (default: the built-in validators/)."""
    import yaml

    from toolkit.resources import data_dir

    folder = folder or data_dir("validators")
    rules: list[Rule] = []
    for path in sorted(Path(folder).glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise RulePackError(f"cannot read rule pack: {exc}", where=str(path)) from None
        rules.extend(_rules_of(data, path))
    return rules


def _rules_of(data, path: Path) -> list[Rule]:
    where = str(path)
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise RulePackError("a rule pack needs 'pack: NAME' and a list 'rules:'", where=where)
    pack = str(data.get("pack") or path.stem)
    rules = []
    for i, item in enumerate(data["rules"]):
        spot = f"{where}: rules[{i}]"
        if not isinstance(item, dict) or "code" not in item:
            raise RulePackError("each rule needs a 'code'", where=spot)
        code = item["code"]
        if code not in CODES:
            raise RulePackError(f"unknown finding code '{code}'", where=spot,
                                hint="use a code from docs/finding-codes.md (toolkit codes)")
        kinds = [k for k in KINDS if k in item]
        if len(kinds) != 1 or not isinstance(item[kinds[0]], dict):
            raise RulePackError(f"rule '{code}' needs exactly one of: {', '.join(KINDS)}", where=spot)
        kind, spec = kinds[0], item[kinds[0]]
        field = spec.get("field")
        if field not in _FIELDS:
            raise RulePackError(f"rule '{code}': field '{field}' is not one of {', '.join(_FIELDS)}", where=spot)
        rule = Rule(code=code, kind=kind, field=field, pack=pack)
        if kind == "compare":
            op, other, value = spec.get("op"), spec.get("other"), spec.get("value")
            if op not in _OPS or (other is None) == (value is None) or (other is not None and other not in _FIELDS):
                raise RulePackError(f"rule '{code}': compare needs op ({', '.join(_OPS)}) and either 'other: FIELD' or 'value: NUMBER'", where=spot)
            rule = Rule(code=code, kind=kind, field=field, op=op, other=other,
                        value=float(value) if value is not None else None, pack=pack)
        elif kind == "required_when":
            when, values = spec.get("when"), spec.get("in")
            if when not in _FIELDS or not isinstance(values, list) or not values:
                raise RulePackError(f"rule '{code}': required_when needs 'when: FIELD' and 'in: [values]'", where=spot)
            rule = Rule(code=code, kind=kind, field=field, when=when, values=tuple(str(v) for v in values), pack=pack)
        rules.append(rule)
    return rules
