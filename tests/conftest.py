from __future__ import annotations

from pathlib import Path

import pytest

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
