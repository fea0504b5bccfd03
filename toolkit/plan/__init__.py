"""Stage 1: the plan. Annex tables as data, imported from the published annex.

Library API:
    load_plan(path_or_name) -> Plan
    import_annex(annex, identity=...) -> ImportResult (plan + review)
    import_plan(annex_or_notice, notice=...) -> ImportResult: an annex, or a plan
        written as prose (.txt/.docx paragraphs); with both, `comparison` says
        where the notice's prose disagrees with the annex
    save_plan(plan, path)
    check_plan(plan) -> list[PlanProblem]
    plan_json(plan) -> dict   (the `toolkit plan show --json` contract)

Modules: model (Plan, Table, Row, Indicator), deadline (Deadline), grammar/
(target phrases -> rules), infer (measure, rate labels, scope), keys (stable
indicator keys), annex/importer (annex tables -> plan), prose (numbered
paragraphs -> plan), compare (prose against annex), sources (which of them),
io (the plan file), inspect (show, JSON, check).
"""

from __future__ import annotations

from pathlib import Path

from toolkit.errors import PlanError
from toolkit.plan.deadline import Deadline
from toolkit.plan.model import Column, Indicator, Plan, Row, Table


def resolve_plan_path(name_or_path: str | Path) -> Path:
    """A plan file path, or the name of a built-in plan (e.g. dingshan-2026)."""
    from toolkit.resources import builtin_plans

    path = Path(name_or_path)
    if path.exists():
        return path
    builtin = builtin_plans()
    if str(name_or_path) in builtin:
        return builtin[str(name_or_path)]
    known = ", ".join(builtin) or "none"
    raise PlanError(
        "plan file not found",
        where=str(name_or_path),
        hint=f"give the path of a plan .yaml file, or a built-in plan name ({known})",
    )


def load_plan(name_or_path: str | Path) -> Plan:
    from toolkit.plan.io import load_plan as _load

    return _load(resolve_plan_path(name_or_path))


def save_plan(plan: Plan, path: str | Path) -> None:
    from toolkit.plan.io import save_plan as _save

    _save(plan, path)


def import_annex(path, **kwargs):
    from toolkit.plan.importer import import_annex as _import

    return _import(path, **kwargs)


def import_plan(path, **kwargs):
    from toolkit.plan.sources import import_plan as _import

    return _import(path, **kwargs)


def check_plan(plan: Plan):
    from toolkit.plan.inspect import check_plan as _check

    return _check(plan)


def plan_json(plan: Plan) -> dict:
    from toolkit.plan.inspect import plan_json as _json

    return _json(plan)


__all__ = [
    "Column", "Deadline", "Indicator", "Plan", "Row", "Table",
    "check_plan", "import_annex", "import_plan", "load_plan", "plan_json", "resolve_plan_path", "save_plan",
]
