"""The leaders' consolidated workbook now lives in toolkit.xlsx.leaders (its
sheets), toolkit.xlsx.style (formats and limits) and toolkit.words (words).

This module keeps the old names importable. DATA_SHEET_LIMIT and
TASK_SHEET_LIMIT are read from and set on toolkit.xlsx.style, where the
writer and the consolidation read them (so `monkeypatch.setattr(workbook,
"DATA_SHEET_LIMIT", 10)` still changes both)."""

from __future__ import annotations

import sys
import types

from toolkit.words import FIELD_WORDS, LEVEL_WORDS, STATUS_MEANINGS, TASK_COUNTS, deadline_words  # noqa: F401
from toolkit.xlsx import style
from toolkit.xlsx.leaders import (  # noqa: F401
    SHEETS,
    render_consolidated_workbook,
    tasks_csv,
    values_csv,
    write_consolidated_workbook,
)
from toolkit.xlsx.leaders.grid import NOT_REPORTED_CODE, STATUS_CODES  # noqa: F401
from toolkit.xlsx.leaders.overview import STATUSES  # noqa: F401

def _forwarded(name: str) -> property:
    return property(lambda self: getattr(style, name), lambda self, value: setattr(style, name, value))


class _Module(types.ModuleType):
    DATA_SHEET_LIMIT = _forwarded("DATA_SHEET_LIMIT")
    TASK_SHEET_LIMIT = _forwarded("TASK_SHEET_LIMIT")


sys.modules[__name__].__class__ = _Module
