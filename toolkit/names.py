"""What may stand in a file name toolkit writes, on every system an office uses.

Unit codes and names become file names (templates, marked-up copies), and a
Windows PC is the strictest reader: device names (con, nul, com1 …) cannot be
files, `<>:"/\\|?*` are refused, letter case does not tell names apart, and a
path may not exceed 260 characters (255 per name; Linux counts 255 bytes of
UTF-8). Control and bidirectional characters (U+202E turns `exe.xlsx` around
on screen) do not belong in a name a clerk reads.
"""

from __future__ import annotations

import re
import unicodedata

# Longest code and name accepted: a template name `{code}_{name}_{period}.xlsx`
# stays under 200 bytes of UTF-8 (Linux: 255), and under 100 characters so a
# marked-up copy `…_退回修改.xlsx` in a folder of its own stays far below the
# 260 characters of a Windows path.
CODE_LIMIT = 30
NAME_LIMIT = 40

_RESERVED = frozenset(["con", "prn", "aux", "nul", "conin$", "conout$",
                       *(f"com{i}" for i in "123456789¹²³"), *(f"lpt{i}" for i in "123456789¹²³")])
_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def invisible_characters(text: str) -> list[str]:
    """Control, format (bidirectional, zero-width) and separator characters
    in `text`, each as its code (U+202E)."""
    found = []
    for ch in text:
        if ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            code = f"U+{ord(ch):04X}"
            if code not in found:
                found.append(code)
    return found


def name_problems(text: str, limit: int) -> list[str]:
    """Why `text` cannot be part of a file name (in Chinese), or []."""
    problems = []
    invisible = invisible_characters(text)
    if invisible:
        problems.append(f"含有看不见的控制字符或方向字符（{'、'.join(invisible[:3])}）")
    forbidden = sorted(set(_FORBIDDEN.findall(text)))
    if forbidden:
        problems.append(f"含有文件名中不允许的字符 {' '.join(forbidden)}")
    if text.startswith("."):
        problems.append("以“.”开头（会成为隐藏文件）")
    if text.endswith((".", " ")):
        problems.append("以“.”或空格结尾（Windows 会把它去掉）")
    if text.split(".")[0].strip().casefold() in _RESERVED:
        problems.append("是 Windows 保留的设备名，不能用作文件名")
    if len(text) > limit:
        problems.append(f"长度为 {len(text)} 个字，超过 {limit} 个字的上限（文件名会太长）")
    return problems


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold (a workbook part
    with one is not a workbook any program opens)."""
    return _XML_INVALID.sub("", text)


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def same_name(text: str) -> str:
    """A name as Windows compares names: letter case and width ignored."""
    return unicodedata.normalize("NFKC", text).casefold()


def clip(text, limit: int = 60) -> str:
    """A value echoed in a message: cut to `limit` characters, control and
    bidirectional characters shown as their codes (\\x01, \\u202e)."""
    from toolkit.textable import terminal_text

    text = str(text)
    return terminal_text(text if len(text) <= limit else text[: limit - 1] + "…")


def template_stem(code: str, name: str) -> str:
    """The part of a template's file name that names the unit."""
    return re.sub(r'[\\/:*?"<>|\s]+', "", f"{code}_{name}")
