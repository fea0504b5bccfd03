"""Turn what people type into cells into values, keeping what they typed.

Reporting units type "100%", "１００", "3起", "1,234", "无" or " 12 " into
number cells; Excel and WPS store some of these as text. Each is read as the
number it plainly means; what cannot be read plainly is a problem with a code,
never a guess.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass

from toolkit.plan.model import TASK_STATUSES

_STATUS_SYNONYMS = {
    "完成": "已完成", "已经完成": "已完成", "全部完成": "已完成", "已办结": "已完成",
    "进行中": "推进中", "正在推进": "推进中", "正在进行": "推进中", "推进": "推进中", "持续推进": "推进中",
    "未开始": "未启动", "尚未启动": "未启动", "未开展": "未启动",
    "无": "不适用", "不涉及": "不适用", "无此项": "不适用",
}
_ZERO_WORDS = {"无", "零", "没有", "未发生", "〇"}
# Units people add after a number ("3起", "108公里"); stripped, the number kept.
_TRAILING_UNITS = re.compile(r"(起|人次|人|个|次|口|公里|千米|米|处|条|座|套|名|家|项|户|辆|艘|台|宗|件|元|万元|公顷|亩|吨|场)$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# Digits on both sides of a space or line break: "3 5", "1⏎2" is one number or two, nobody can say.
_SPLIT_DIGITS = re.compile(r"[\d.,]\s+[\d.]")
# Larger than any count, amount or money figure of a plan, and far from where
# sums of ten thousand units could overflow: a typing slip ("1e999", a pasted ID number).
LARGEST = 1e15


@dataclass(frozen=True)
class Normalized:
    value: float | str | None  # None for a blank cell
    typed: str  # the cell as typed ("" for blank)
    problem: str | None = None  # finding code when the value could not be read
    note: str | None = None  # what was normalised, for the record


def typed_text(raw) -> str:
    """A cell's content as the person typed it (numbers without a trailing .0)."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float):
        if math.isfinite(raw) and raw.is_integer() and abs(raw) < 1e15:
            return str(int(raw))
        return repr(raw)
    if isinstance(raw, (dt.datetime, dt.date, dt.time)):
        return raw.isoformat()
    return str(raw)


def normalize_value(raw, kind: str) -> Normalized:
    """Read a raw cell value (as python-calamine gives it) as `kind`:
    integer | decimal | percent | status | text."""
    typed = typed_text(raw)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Normalized(None, typed)
    if kind == "text":
        return Normalized(typed.strip(), typed)
    if kind == "status":
        return _status(typed)
    return _number(raw, typed, kind)


def _status(typed: str) -> Normalized:
    text = unicodedata.normalize("NFKC", typed).strip().replace(" ", "")
    if text in TASK_STATUSES:
        return Normalized(text, typed)
    if text in _STATUS_SYNONYMS:
        return Normalized(_STATUS_SYNONYMS[text], typed, note=f"“{typed}”按“{_STATUS_SYNONYMS[text]}”读取")
    return Normalized(None, typed, problem="bad-status")


def _number(raw, typed: str, kind: str) -> Normalized:
    if isinstance(raw, bool):
        return Normalized(None, typed, problem="not-a-number")
    if isinstance(raw, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        return Normalized(None, typed, problem="date-in-number-cell")
    if isinstance(raw, (int, float)):
        return _checked(float(raw), typed, kind, None)
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if _SPLIT_DIGITS.search(text):
        return Normalized(None, typed, problem="space-in-number")
    text = re.sub(r"\s+", "", text)
    notes = []
    if text != str(raw).strip():
        notes.append("全角字符或空格")
    if text.startswith("#") and text.endswith(("!", "?", "A")):
        return Normalized(None, typed, problem="error-value")  # #DIV/0!, #VALUE!, #N/A
    if text in _ZERO_WORDS:
        return Normalized(0.0, typed, note=f"“{typed}”按 0 读取")
    scale = 1.0
    if text.endswith("%"):
        scale, text = 0.01, text[:-1]
    elif text.endswith("‰"):
        scale, text = 0.001, text[:-1]
    if scale != 1.0 and kind != "percent":
        return Normalized(None, typed, problem="unexpected-percent")
    unit = _TRAILING_UNITS.search(text)
    if unit and scale == 1.0 and text[: unit.start()]:
        notes.append(f"去掉单位“{unit.group(1)}”")
        text = text[: unit.start()]
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
        notes.append("千位分隔符")
    if not _NUMBER.match(text):
        return Normalized(None, typed, problem="not-a-number")
    value = float(text) * scale
    if scale != 1.0:
        value = round(value, 12)  # 95% -> 0.95 exactly, not 0.9500000000000001
    return _checked(value, typed, kind, "；".join(notes) or None)


def _checked(value: float, typed: str, kind: str, note: str | None) -> Normalized:
    if math.isnan(value):
        return Normalized(None, typed, problem="not-a-number")
    if abs(value) >= LARGEST:  # infinity too
        return Normalized(None, typed, problem="number-too-large")
    if kind == "integer" and not value.is_integer():
        return Normalized(value, typed, problem="not-whole", note=note)
    return Normalized(value, typed, note=note)
