"""Plain-text tables that line up with Chinese text in a terminal."""

from __future__ import annotations

import functools
import re

# Wide (two-column) characters: CJK ideographs and punctuation, Hangul,
# full-width forms. (unicodedata.east_asian_width per character is exact but
# slow on the long lists the consolidated workbook sizes.)
_WIDE = re.compile("[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
                   "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]")


def cell_text(value) -> str:
    """A spreadsheet cell's value as text (whole numbers without a trailing .0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# Characters no spreadsheet cell may hold (XML 1.0 forbids them), and the
# most text one may hold (Excel: 32,767 characters).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
CELL_TEXT_LIMIT = 32767


@functools.lru_cache(maxsize=2**16)  # the same names and paths recur on every sheet written
def safe_cell_text(text: str) -> str:
    """Text as a cell can hold it: control characters dropped, cut to the limit with …"""
    text = _CONTROL.sub("", text)
    return text if len(text) <= CELL_TEXT_LIMIT else text[: CELL_TEXT_LIMIT - 1] + "…"


# Text Excel, WPS or LibreOffice would run as a formula when it opens a CSV
# (OWASP, CSV injection): it starts with = + - @, a tab or a carriage return.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")


def csv_text(text: str) -> str:
    """Text for a CSV cell that a spreadsheet shows and never runs: one that
    would start a formula gets a leading single quote (numbers written as
    text, -5 or +3, are left as they are: they are numbers to any reader)."""
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


# What a terminal would obey instead of showing: C0 and C1 controls (escape
# sequences start with ESC or CSI), DEL, and the bidirectional overrides that
# make text read backwards (U+202E) — all but the line break.
_TERMINAL_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_text(text: str) -> str:
    """Text from files and units as a terminal may show it: every control
    character written as its code (\\x1b, \\u202e), never obeyed."""
    return _TERMINAL_UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                                else f"\\u{ord(m.group()):04x}", text)


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal or a spreadsheet cell (CJK count 2)."""
    if text.isascii():
        return len(text)
    return len(text) + len(_WIDE.findall(text))


def truncate(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def render(headers: list[str], rows: list[list], *, max_widths: dict[int, int] | None = None) -> str:
    """Render rows under headers with columns padded by display width."""
    max_widths = max_widths or {}
    cells = [[truncate(terminal_text("" if v is None else str(v)), max_widths.get(i, 60)) for i, v in enumerate(row)]
             for row in rows]
    heads = [str(h) for h in headers]
    widths = [display_width(h) for h in heads]
    for row in cells:
        for i, text in enumerate(row):
            widths[i] = max(widths[i], display_width(text))

    def line(values):
        padded = [v + " " * (widths[i] - display_width(v)) for i, v in enumerate(values)]
        return "  ".join(padded).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(heads), rule, *(line(r) for r in cells)])


def file_name(path: str | None) -> str | None:
    """A file as a list row shows it: its name (the full path is on the file list, once)."""
    if not path:
        return path
    return str(path).replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
