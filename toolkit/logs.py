"""Where toolkit writes what a person cannot act on: its own errors.

A failure inside toolkit while handling a file is reported to the clerk as an
`internal-error` finding ("toolkit 内部错误，不是文件的问题") naming a log
file; the traceback goes there, for whoever maintains toolkit. The folder is
TOOLKIT_LOG_DIR if set, else the user's local application data folder
(%LOCALAPPDATA%\\toolkit\\logs on Windows, ~/.local/state/toolkit/logs
elsewhere).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import traceback
from pathlib import Path


def log_dir() -> Path:
    if os.environ.get("TOOLKIT_LOG_DIR"):
        return Path(os.environ["TOOLKIT_LOG_DIR"])
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "toolkit" / "logs"
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "toolkit" / "logs"


def log_internal_error(what: str, detail: str | None = None) -> str:
    """Append the current exception's traceback (or `detail`) to today's log;
    returns the log file's path (or a note that it could not be written)."""
    text = detail if detail is not None else traceback.format_exc()
    now = dt.datetime.now()
    path = log_dir() / f"toolkit-{now:%Y%m%d}.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"=== {now.isoformat(timespec='seconds')} pid {os.getpid()} python {sys.version.split()[0]}\n"
                         f"{what}\n{text.rstrip()}\n\n")
    except OSError:
        return "（日志无法写入）"
    return str(path)
