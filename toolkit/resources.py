"""Where the built-in plans and rule packs are.

In an installed wheel they are copied into toolkit/_data/; in a source checkout
(editable install, tests) they are read from the repository's top level.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The folder of built-in `templates` or `validators`."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"built-in folder '{name}' is missing from this installation")


def builtin_plans() -> dict[str, Path]:
    """Built-in plan files by id (the file name without .yaml)."""
    return {p.stem: p for p in sorted(data_dir("templates").glob("*.yaml"))}
