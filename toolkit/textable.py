"""Plain-text tables that line up with Chinese text in a terminal."""

from __future__ import annotations

import unicodedata


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


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
    cells = [[truncate("" if v is None else str(v), max_widths.get(i, 60)) for i, v in enumerate(row)] for row in rows]
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
