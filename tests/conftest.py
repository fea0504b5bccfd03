from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# The office secret that signs templates (toolkit.identity): one of the test
# session's own, never the user's config folder. Set before any worker
# process starts, so that they read the same.
os.environ["TOOLKIT_SECRET_FILE"] = str(Path(tempfile.mkdtemp(prefix="toolkit-secret-")) / "secret.key")

ROOT = Path(__file__).resolve().parent.parent
ANNEXES = ROOT / "examples" / "annexes"
BUILTIN = ROOT / "templates"

# The three published plans: annex, notice, built-in plan id.
PUBLISHED = {
    "dingshan-2026": ("dingshan-2026.docx", "dingshan-2026-notice.txt"),
    "dianjiang-2026": ("dianjiang-2026.docx", "dianjiang-2026-notice.txt"),
    "fenghuang-2024-2026": ("fenghuang-2024-2026.docx", "fenghuang-2024-2026-plan.txt"),
}


@pytest.fixture
def runner():
    from click.testing import CliRunner

    return CliRunner()


# ------------------------------------------------------------------ shared, built once per session
#
# The 丁山镇 plan, its 23 example units and their 2026Q2 templates are used by
# several modules; they are built once here. They are read-only: a test that
# changes a plan loads its own (load_plan), and a test that edits a template
# copies it first (fill_template and openpyxl's save to another path do).

EXAMPLE_UNITS = ROOT / "examples" / "dingshan-units.csv"


@pytest.fixture(scope="session")
def dingshan_plan():
    """The built-in dingshan-2026 plan, loaded once (and checked unchanged at the end)."""
    from toolkit.plan import load_plan, plan_json

    plan = load_plan("dingshan-2026")
    before = plan_json(plan)
    yield plan
    if plan_json(plan) != before:
        pytest.fail("a test changed the shared dingshan_plan: load a plan of your own to change it")


@pytest.fixture(scope="session")
def example_units():
    """The example units of 丁山镇 (examples/dingshan-units.csv), as a tuple so
    that no test can change the list for the others."""
    from toolkit.units import load_units

    return tuple(load_units(EXAMPLE_UNITS))


@pytest.fixture(scope="session")
def dingshan_build(tmp_path_factory, dingshan_plan, example_units):
    """build_templates for every example unit, 2026Q2, without due date or
    contact: the BuildResult (checked unchanged at the end). The templates of
    青坪村, 长田村 and 镇平安法治办公室 in it are byte for byte those built for
    these units alone (they are assigned the same rows), so the modules that
    need only those take theirs here."""
    from toolkit.periods import parse_period
    from toolkit.templates import build_templates

    out = tmp_path_factory.mktemp("dingshan-templates")
    result = build_templates(dingshan_plan, list(example_units), parse_period("2026Q2"), out)
    before = {t.path: t.path.read_bytes() for t in result.templates}
    yield result
    changed = [path.name for path, data in before.items() if not path.exists() or path.read_bytes() != data]
    if changed:
        pytest.fail(f"a test changed the shared templates {changed}: copy a template before editing it")


@pytest.fixture(scope="session")
def dingshan_templates(dingshan_build):
    """{unit code: template path} of dingshan_build."""
    return {t.unit_code: t.path for t in dingshan_build.templates}


@pytest.fixture(scope="session")
def complaints_template(tmp_path_factory):
    """垫江县's 2026 plan, the 县公安局 (reporting rect-12, whose 非法营运投诉率 is
    a relative target in %) and its template: (plan, unit, template path, that
    indicator's id). Built once; tests fill copies of it."""
    from toolkit import build_templates
    from toolkit.periods import parse_period
    from toolkit.plan import load_plan
    from toolkit.units import Unit

    plan = load_plan("dianjiang-2026")
    unit = Unit(code="U1", name="县公安局", kind="部门", parent=None, contact=None, rows=("rect-12",))
    built = build_templates(plan, [unit], parse_period("2026"), tmp_path_factory.mktemp("complaints"))
    complaints = next(i.id for _, _, i in plan.indicators() if i.name == "非法营运投诉率")
    return plan, unit, built.templates[0].path, complaints
