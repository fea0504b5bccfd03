"""Safe file output: every file toolkit writes appears whole or not at all."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from toolkit.errors import ToolkitError


def write_atomic(path: str | Path, data: bytes | str | Iterable[str]) -> None:
    """Write to a temporary file beside the target, then rename over it, so
    an interrupted run leaves the previous file intact. `data` may be text
    in pieces (written as they come, UTF-8)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        _write(fd, tmp, data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write(fd: int, name: str, data) -> None:
    """Write `data` (bytes, text, or text in pieces, as UTF-8) to the open file `fd`."""
    if isinstance(data, str):
        data = data.encode("utf-8")
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
    os.chmod(name, 0o666 & ~umask)


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


# ---------------------------------------------------------------- a run's outputs, together


class OutputError(ToolkitError):
    """An output the run must not or cannot write (raised before anything is written)."""

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message, hint=hint)


_TMP = ".toolkit-tmp-"


def _key(path: Path) -> str:
    """A path as the file system sees it: resolved, and in one letter case
    where the file system ignores case (Windows)."""
    try:
        resolved = Path(path).resolve()
    except OSError:
        resolved = Path(path).absolute()
    return os.path.normcase(str(resolved))


def _alive(pid: int) -> bool:
    from toolkit.intake.isolation import _alive as alive

    return alive(pid)


class OutputSet:
    """Every file one run writes, written under temporary names and moved into
    place together once all of them are written: a run that fails or is killed
    leaves the previous outputs as they were, never new beside old.

        with OutputSet(inputs=paths_read) as out:
            out.add("汇总.xlsx", workbook_bytes)
            out.add("汇总.json", json_chunks)

    The outputs are locked while the run writes them: a second run into the
    same outputs stops with a clear message instead of mixing its files in.
    An output that is one of the run's inputs is refused before anything is
    written: input files are never modified."""

    def __init__(self, targets=(), *, inputs=()):
        self.inputs = {_key(p): Path(p) for p in inputs}
        self.pending: list[tuple[Path, Path]] = []  # (temporary, final)
        self.locks: list[Path] = []
        self.targets: list[Path] = []
        self.target_keys: set[str] = set()
        self.folders: set[str] = set()
        for target in targets:
            self.claim(target)

    def claim(self, target) -> Path:
        """Check that `target` may be written by this run and lock it (a file
        in a folder this run has locked as a whole is not locked again)."""
        target = Path(target)
        key = _key(target)  # resolved once: a run may write thousands of files
        if key in self.inputs:
            raise OutputError(f"输出文件“{target}”是本次要读取的报表之一，输入文件从不修改",
                              hint="换一个输出文件名或文件夹")
        if key in self.target_keys:
            return target
        if target.is_dir():
            raise OutputError(f"输出位置“{target}”是一个文件夹", hint="给出要写入的文件名，例如 汇总_2026Q2.xlsx")
        self.targets.append(target)
        self.target_keys.add(key)
        if os.path.dirname(key) not in self.folders and _key(target.parent) not in self.folders:
            self._lock(target, target.with_name(f".{target.name}.lock"))
        return target

    def claim_folder(self, folder) -> Path:
        """Lock a whole folder for this run (many files: the marked-up copies)."""
        folder = Path(folder)
        if folder.exists() and not folder.is_dir():
            raise OutputError(f"“{folder}”是一个文件，不是文件夹", hint="给出一个文件夹，例如 退回修改/")
        if _key(folder) not in self.folders:
            self._lock(folder / "x", folder / ".toolkit.lock")
            self.folders.add(_key(folder))
        return folder

    def _lock(self, target: Path, lock: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                try:
                    pid = int(lock.read_text(encoding="ascii").split()[0])
                except (OSError, ValueError, IndexError):
                    pid = None
                if pid is not None and pid != os.getpid() and _alive(pid):
                    raise OutputError(f"另一个 toolkit 程序（进程 {pid}）正在写入“{target}”",
                                      hint="等它结束后再运行；如确定没有在运行，删除文件 " + str(lock)) from None
                lock.unlink(missing_ok=True)  # left by a run that was killed
                continue
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(f"{os.getpid()}\n")
            self.locks.append(lock)
            _remove_stale_temporaries(target.parent)
            return
        raise OutputError(f"无法锁定输出文件“{target}”", hint=f"删除文件 {lock} 后重试")

    def add(self, target, data) -> Path:
        """Write `data` (bytes, text, or text in pieces) for `target`, under a temporary name."""
        fd, tmp = self._temporary(target)
        _write(fd, tmp, data)
        return Path(target)

    def add_later(self, target, make) -> tuple[Path, object]:
        """A job for written_alongside: (the temporary file for `target`, make),
        whose make() gives what fills it."""
        fd, tmp = self._temporary(target)
        os.close(fd)
        return Path(tmp), make

    def _temporary(self, target) -> tuple[int, str]:
        target = self.claim(target)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}{_TMP}{os.getpid()}-", dir=target.parent)
        self.pending.append((Path(tmp), target))
        return fd, tmp

    def commit(self) -> list[Path]:
        """Move every output into place (each a rename: quick, and whole)."""
        done = []
        for tmp, target in self.pending:
            os.replace(tmp, target)
            done.append(target)
        self.pending = []
        return done

    def discard(self) -> None:
        for tmp, _ in self.pending:
            tmp.unlink(missing_ok=True)
        self.pending = []

    def release(self) -> None:
        for lock in self.locks:
            lock.unlink(missing_ok=True)
        self.locks = []

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        try:
            if kind is None:
                self.commit()
            else:
                self.discard()
        finally:
            self.release()
        return False


@contextmanager
def outputs(out: OutputSet | None = None):
    """The run's output set if the caller has one, else one of its own that
    is committed (or discarded) when the block ends."""
    if out is not None:
        yield out
    else:
        with OutputSet() as own:
            yield own


def _remove_stale_temporaries(folder: Path) -> None:
    """Temporary outputs of a killed earlier run (its process is gone)."""
    for leftover in folder.glob(f".*{_TMP}*"):
        pid = leftover.name.split(_TMP, 1)[1].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            leftover.unlink(missing_ok=True)
