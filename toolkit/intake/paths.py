"""Which files a run reads: every file named, and every file below each folder."""

from __future__ import annotations

from pathlib import Path


def collect_paths(paths) -> list[tuple[Path, str]]:
    """(path, the path as the office gave it) for every file to check, in a
    stable order, each file once (Office lock files ~$… and hidden files
    skipped)."""
    found: list[tuple[Path, str]] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not child.name.startswith(("~$", ".")):
                    found.append((child, str(child)))
        else:
            found.append((path, str(given)))
    seen, unique = set(), []
    for path, display in found:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append((path, display))
    return unique
