"""One entry for `toolkit plan import`: an annex, a prose notice, or both.

- An annex (.docx/.xlsx with recognised tables) is the source of truth; when
  the notice's prose (--notice, or the document's own paragraphs) also states
  targets, they are compared with the annex's (toolkit.plan.compare).
- A notice with no annex table (.txt in any usual encoding, or a .docx of
  paragraphs) is imported from its prose (toolkit.plan.prose).
"""

from __future__ import annotations

import copy
from pathlib import Path

from toolkit.errors import AnnexError


def _annex_tables(path: Path):
    """The document and whether any of its tables has a recognised header."""
    from toolkit.plan.annex import read_annex
    from toolkit.plan.importer import _header

    document = read_annex(path)
    return document, any(_header(table) is not None for table in document.tables)


def import_plan(path: str | Path, *, notice: str | Path | None = None, identity=None, previous=None):
    """An ImportResult from an annex or a prose notice; `result.comparison`
    says where the prose disagrees with the annex, when there are both."""
    from toolkit.plan.compare import compare_plans
    from toolkit.plan.importer import Identity, import_annex
    from toolkit.plan.prose import import_prose

    path = Path(path)
    identity = identity or Identity()
    suffix = path.suffix.lower()
    if suffix in (".docx", ".xlsx", ".xlsm"):
        document, has_tables = _annex_tables(path)
        if not has_tables and suffix == ".docx":
            try:
                return import_prose(path, identity=identity, previous=previous, lines=document.paragraphs)
            except AnnexError as exc:
                raise AnnexError(f"没有可识别的附件表格（表头含序号、名称、目标、责任单位等），{exc.message}",
                                 where=str(path), hint=exc.hint) from None
        if not has_tables:
            from toolkit.plan.prose import HAND_HINT

            raise AnnexError("没有可识别的附件表格：表头应有序号、名称、目标（或工作内容）、责任单位、完成时间等列",
                             where=str(path),
                             hint="请检查工作表是否就是附件表格（表头在前几行）；" + HAND_HINT)
        result = import_annex(path, identity=identity, previous=previous)
        prose_source, lines = (notice, None) if notice else (path, document.paragraphs)
        try:
            prose = import_prose(prose_source, identity=copy.copy(identity), lines=lines)
        except AnnexError:
            prose = None  # the notice states no target of its own: nothing to compare
        if prose is not None:
            result.comparison = compare_plans(result.plan, prose.plan)
        return result
    return import_prose(path, identity=identity, previous=previous)  # .txt (or .doc/.pdf: a clear message)
