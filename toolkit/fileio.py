"""Safe file output: every file toolkit writes appears whole or not at all."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path


def write_atomic(path: str | Path, data: bytes | str | Iterable[str]) -> None:
    """Write to a temporary file beside the target, then rename over it, so
    an interrupted run leaves the previous file intact. `data` may be text
    in pieces (written as they come, UTF-8)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                text = io.TextIOWrapper(handle, encoding="utf-8", newline="\n")
                text.writelines(data)
                text.flush()
                text.detach()  # the file is closed with `handle`
        # mkstemp makes the file private (0600); give it the usual permissions
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def written_alongside(jobs, *, fork: bool = False):
    """Write files around the body of the `with`: each (path, make) in `jobs`
    is written atomically with what `make()` returns (as write_atomic takes it).

    With fork=True, and only from a one-shot command's own process (the CLI:
    never from a library call a server may make, since forking a process with
    threads is unsafe), each is written by a forked child while the body runs,
    so that a second core does it (the consolidated workbook's CSVs and JSON);
    leaving the block waits for them. A child that fails (or a system without
    fork) means the file is written here, where any error is raised as usual.
    Otherwise they are written here, after the body."""
    children = []
    if fork and hasattr(os, "fork"):
        for path, make in jobs:
            pid = os.fork()
            if pid == 0:  # the child: write, and leave without running the parent's exit handlers
                code = 1
                try:
                    write_atomic(path, make())
                    code = 0
                finally:
                    os._exit(code)
            children.append((pid, path, make))
    else:
        children = [(None, path, make) for path, make in jobs]
    try:
        yield
    finally:
        failed = []
        for pid, path, make in children:
            if pid is None or os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) != 0:
                failed.append((path, make))
    for path, make in failed:
        write_atomic(path, make())
