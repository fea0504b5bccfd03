"""Which files a run reads: every file named, and every file below each folder.

Every file is accounted for: hidden files (a unit code starting with a dot
makes one) and folders reached through links are read like any other; only
the files a computer makes on its own (an Office lock file ~$…, Thumbs.db,
desktop.ini, .DS_Store, a macOS ._ file) are not read, and they are listed
with the reason.
"""

from __future__ import annotations

import os
from pathlib import Path

_SYSTEM_FILES = {"thumbs.db": "Windows 缩略图缓存文件", "desktop.ini": "Windows 文件夹设置文件",
                 ".ds_store": "macOS 文件夹设置文件"}


def skip_reason(name: str) -> str | None:
    """Why a file of that name is not read, or None: it is read."""
    if name.startswith("~$"):
        return "Office 临时锁定文件（有人正用 Excel/WPS 打开同名文件时产生）"
    if name.startswith("._"):
        return "macOS 附加信息文件"
    if name.startswith(".toolkit-templates-") and name.endswith(".json"):
        return "toolkit 生成模板时记下的清单文件"
    if name == ".toolkit.lock" or (name.startswith(".") and name.endswith(".lock")):
        return "toolkit 运行时的锁文件（防止两个程序同时写入）"
    if ".toolkit-tmp-" in name:
        return "toolkit 正在写入的临时文件"
    return _SYSTEM_FILES.get(name.casefold())


def collect_paths(paths) -> list[tuple[Path, str]]:
    """(path, the path as the office gave it) for every file to check, in a
    stable order, each file once (however many links or names lead to it)."""
    found: list[tuple[Path, str]] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found.extend((child, str(child)) for child in _walk(path))
        else:
            found.append((path, str(given)))
    seen, unique = set(), []
    for path, display in found:
        try:
            key = os.path.normcase(str(path.resolve()))
        except OSError:
            key = os.path.normcase(str(path.absolute()))
        if key not in seen:
            seen.add(key)
            unique.append((path, display))
    return unique


def _walk(folder: Path) -> list[Path]:
    """Every file below `folder`, following links to folders once each."""
    files = []
    visited = set()
    for root, dirs, names in os.walk(folder, followlinks=True):
        try:
            real = os.path.realpath(root)
        except OSError:
            real = root
        if real in visited:  # a link back up the tree
            dirs[:] = []
            continue
        visited.add(real)
        dirs.sort()
        for name in sorted(names):
            child = Path(root) / name
            if child.is_file():
                files.append(child)
    return sorted(files)
