"""Is a return who it says it is? Checks on its identification.

- The hidden identification against the visible 填报说明 sheet (protected;
  the file name and the sheet still name the unit when only the hidden sheet
  was edited): a different unit, period or plan is an error naming both.
- Its keyed checksum (toolkit.identity), where this PC can check it.
- A plan that changed since the template was built: which tables changed.
- The office's own marked-up copies (toolkit.xlsx.feedback) in the returns
  folder: unchanged, they are listed as such and not used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from toolkit.identity import VERIFIED, Verifier
from toolkit.model.returns import Identification, ReturnData
from toolkit.names import clip

_PERIOD_IN_LABEL = re.compile(r"（([0-9]{4}(?:H[12]|Q[1-4]|M\d\d)?)）\s*$")

# The keys a marked-up copy adds to the hidden identification sheet.
COPY_OF = "office_copy_of"  # the sha256 of the return it marks up
COPY_VALUES = "office_copy_values"  # values_digest of its input cells
COPY_SAVED = "office_copy_saved"  # the saved time the office wrote (UTC, ISO)


def visible_identity(book, sheet: str, positions: dict) -> dict[str, str]:
    """plan_id, unit_name, unit_code and period as the 填报说明 sheet shows them."""
    if sheet not in book.names:
        return {}
    rows = book(sheet)

    def at(key):
        r, c = positions[key]
        return str(rows[r][c]).strip() if r < len(rows) and c < len(rows[r]) and rows[r][c] is not None else ""

    period = _PERIOD_IN_LABEL.search(at("period"))
    return {"plan_id": at("plan_id"), "unit_code": at("unit_code"), "unit_name": at("unit_name"),
            "period": period.group(1) if period else ""}


def check_identity(result: ReturnData, ident: Identification, visible: dict[str, str], verifier: Verifier) -> None:
    """Hidden against visible identification, then the checksum. A visible
    sheet naming another unit wins: the return is that unit's, rejected."""
    differs = [key for key in ("unit_code", "period", "plan_id") if visible.get(key) and visible[key] != getattr(ident, key)]
    if differs:
        hidden = _who(ident.unit_code, ident.unit_name, ident.period)
        shown = _who(visible.get("unit_code") or ident.unit_code, visible.get("unit_name"),
                     visible.get("period") or ident.period)
        if visible.get("unit_code"):
            ident.unit_code, ident.unit_name = visible["unit_code"], visible.get("unit_name") or ident.unit_name
        if visible.get("period"):
            ident.period = visible["period"]
        result.add("identity-mismatch", found=hidden, expected=shown)
        return
    state = verifier.check(ident, ident.key_id or "", ident.checksum or "")
    if state is None:
        detail = "校验码缺失" if not ident.checksum else "校验码不符"
        result.add("identity-checksum", found=_who(ident.unit_code, ident.unit_name, ident.period), detail=detail)
    elif state != VERIFIED:
        result.identity_check = state


def _who(code: str, name: str | None, period: str) -> str:
    return clip(f"{name}（{code}）" if name else code, 80) + f"，{clip(period, 20)}"


def plan_changes(ident: Identification, plan) -> str:
    """What changed in the plan since the template was built, in words."""
    then = dict(pair.split("=", 1) for pair in (ident.table_fingerprints or "").split(";") if "=" in pair)
    if not then:
        return "目标或表格已调整"
    now = plan.table_fingerprints()
    titles = {t.id: t.title for t in plan.tables}
    changed = [titles[k] for k in now if k in then and then[k] != now[k]]
    added = [titles[k] for k in now if k not in then]
    removed = [k for k in then if k not in now]
    parts = []
    if changed:
        parts.append("表格" + "、".join(f"“{clip(t, 30)}”" for t in changed[:5]) + "的行、目标或规则已调整")
    if added:
        parts.append("新增了表格" + "、".join(f"“{clip(t, 30)}”" for t in added[:5]))
    if removed:
        parts.append(f"删去了 {len(removed)} 张表格")
    return "；".join(parts) or "计划的年度或编号已调整"


def values_digest(records) -> str:
    """A digest of a return's input cells as read (where, and what)."""
    text = "".join([f"{rec.sheet}\x1f{rec.cell}\x1f{type(rec.raw).__name__}\x1f{rec.raw!r}\x1e" for rec in records])
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def saved_stamp(when: dt.datetime | None) -> str:
    """A saved time (local, as the gate reads it) as the UTC text a marked copy records."""
    if when is None:
        return ""
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_office_copy(result: ReturnData, ident: Identification, saved: dt.datetime | None) -> bool:
    """A marked-up copy the office wrote and nobody changed since: listed
    with a warning, not used (the unit's return it marks up counts). One a
    unit corrected and saved again is that unit's new version."""
    mark = ident.office_copy or {}
    if not mark.get(COPY_OF) or result.values_digest != mark.get(COPY_VALUES):
        return False
    if saved_stamp(saved) != mark.get(COPY_SAVED):
        return False
    result.findings = []
    result.add("office-copy", found=mark[COPY_OF][:12], value=mark[COPY_OF])
    result.recognised = False
    return True
