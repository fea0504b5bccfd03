"""Run a function over many items in worker processes, each item costing only itself.

A parser that aborts the process or hangs on one hostile file (whatever the
gate missed) must not take the run down with it. Each worker handles one item
at a time; the parent knows which item each worker holds and since when, so:

- a worker that dies takes only its item: the item is tried once more in a
  fresh worker, and if that dies too, the item is reported `crashed`;
- an item that runs past `timeout` seconds (its own time, whatever the size
  of the batch) has its worker killed and is reported `timeout`;
- every worker runs under an address-space limit (`memory`, where the system
  has one), so a runaway allocation fails inside the worker.

Workers are started with forkserver where the system has it, spawn elsewhere
(Windows): never fork, which is unsafe in a process with threads (a web
server). Workers end when their parent dies, even by kill -9: each watches its
parent and leaves when it is gone. Nothing here keeps module-level state, so
two runs in two threads of one server do not meet.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from multiprocessing.connection import wait

# Results of one item.
OK, CRASHED, TIMEOUT, FAILED = "ok", "crashed", "timeout", "failed"

DEFAULT_MEMORY = 4 * 2**30  # ample for any template, far below a runaway allocation
_READY = ("ready", None)  # a worker's first message: it is set up (or knows why not)


def start_method() -> str:
    """forkserver where available (Linux, macOS), else spawn (Windows)."""
    methods = multiprocessing.get_all_start_methods()
    return "forkserver" if "forkserver" in methods else "spawn"


def run_isolated(func: Callable, items: list, *, workers: int, timeout: float, memory: int | None = DEFAULT_MEMORY,
                 init: Callable | None = None, initargs: tuple = ()) -> Iterator[tuple[int, str, object]]:
    """Yield (index, OK | CRASHED | TIMEOUT | FAILED, result or detail) for
    every item, in the order they finish. `func` and `init` must be module-level
    functions (they are sent to the workers by name); `init(*initargs)` runs
    once in each worker, and `func(item)` then sees what it set up.

    Items travel in small chunks and results come back in batches (one message
    per item costs the parent more than a small file costs a worker); each
    worker posts which item it is on, and since when, in memory it shares with
    the parent, so the time limit is still each item's own."""
    if not items:
        return
    context = multiprocessing.get_context(start_method())
    pending = deque(range(len(items)))
    retried: set[int] = set()
    slots: list[_Worker] = []
    chunk = max(1, min(_CHUNK, len(items) // (max(1, workers) * 4)))

    def replace(worker: _Worker, position: int) -> _Worker:
        """A fresh worker in place of `worker`; the items it held, except the
        one at `position`, go back in line (those it finished but had not yet
        sent are done again)."""
        worker.stop()
        held = list(worker.queue)
        pending.extendleft(reversed(held[:position] + held[position + 1:]))
        slots[slots.index(worker)] = fresh = _Worker(context, func, init, initargs, memory)
        return fresh

    try:
        for _ in range(max(1, min(workers, len(items)))):
            slots.append(_Worker(context, func, init, initargs, memory))
        for worker in slots:
            worker.fill(pending, items, chunk)
        while any(worker.queue for worker in slots):
            busy = [w for w in slots if w.queue]
            now = time.monotonic()
            wait_for = max(0.0, min(w.since() for w in busy) + timeout - now)
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=wait_for)
            for worker in list(busy):
                message = None
                if worker.conn in ready:
                    try:
                        message = worker.conn.recv()
                    except (EOFError, OSError):
                        message = None
                if message == _READY:
                    worker.ready = True
                    worker.heard = time.monotonic()
                    continue
                if message is not None:
                    for index, status, payload in message:
                        worker.answered(index)
                        yield index, status, payload
                    worker.heard = time.monotonic()
                elif worker.conn in ready or worker.process.sentinel in ready:  # the worker died on an item
                    position = worker.position()
                    index = worker.queue[position]
                    started = worker.ready
                    worker = replace(worker, position)
                    if not started and index in retried:  # it never got as far as the item: our failure, not the file's
                        yield index, FAILED, "工作进程未能启动（toolkit 的问题，不是文件的问题）"
                    elif index in retried:
                        yield index, CRASHED, None
                    else:  # once more in a fresh worker, to be sure it was this item
                        retried.add(index)
                        pending.appendleft(index)
                elif time.monotonic() - worker.since() >= timeout:
                    position = worker.position()
                    index = worker.queue[position]
                    worker = replace(worker, position)
                    yield index, TIMEOUT, None
                else:
                    continue
                worker.fill(pending, items, chunk)
    finally:
        for worker in slots:
            worker.stop()


_CHUNK = 16  # items per message to a worker, at most
_AHEAD = 2  # chunks sent ahead to a worker: it starts the next while the parent takes in a result
_SEND_EVERY = 0.5  # seconds: a worker sends what it has finished at least this often


class _Worker:
    def __init__(self, context, func, init, initargs, memory):
        self.conn, child = context.Pipe()
        # [items begun, when the last one began]: written by the worker, read by the parent
        self.progress = context.RawArray("d", 2)
        self.process = context.Process(target=_worker_main,
                                       args=(child, func, init, initargs, memory, os.getpid(), self.progress),
                                       daemon=True)
        self.process.start()
        child.close()
        self.queue: deque[int] = deque()  # items sent and not answered, in order
        self.chunks: deque[int] = deque()  # how many items each chunk in flight still holds
        self.done = 0  # items answered
        self.heard = time.monotonic()  # when it last answered (or was first given work)
        self.ready = False  # it said it is set up

    def fill(self, pending: deque, items: list, chunk: int) -> None:
        while pending and len(self.chunks) < _AHEAD:
            if not self.queue:
                self.heard = time.monotonic()
            batch = [pending.popleft() for _ in range(min(chunk, len(pending)))]
            self.queue.extend(batch)
            self.chunks.append(len(batch))
            try:
                self.conn.send([(index, items[index]) for index in batch])
            except OSError:  # the worker is gone already: its sentinel says so, and the items are tried again
                return

    def answered(self, index: int) -> None:
        self.queue.remove(index)  # results come in order, so this is the first
        self.done += 1
        self.chunks[0] -= 1
        if not self.chunks[0]:
            self.chunks.popleft()

    def _begun(self) -> tuple[int, float]:
        """(items begun, when the last began), read consistently."""
        while True:
            begun, since = self.progress[0], self.progress[1]
            if self.progress[0] == begun:
                return int(begun), since

    def position(self) -> int:
        """Where in the queue the item it is working on is (0 when it has not begun one)."""
        begun, _ = self._begun()
        return min(max(0, begun - 1 - self.done), len(self.queue) - 1)

    def since(self) -> float:
        """Since when the item it is working on has run (or since it last
        answered, when it has not begun the next)."""
        begun, since = self._begun()
        return since if begun > self.done else self.heard

    def stop(self) -> None:
        if self.process.is_alive():
            try:
                self.conn.send(None)
            except (BrokenPipeError, OSError):
                pass
            self.process.join(0.05)
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


def _worker_main(conn, func, init, initargs, memory, parent_pid, progress) -> None:
    _quiet_stderr()
    _limit_memory(memory)
    _leave_with_parent(parent_pid)
    failure = None  # an init that failed: every item is answered with it, and the parent reports it per item
    try:
        if init is not None:
            init(*initargs)
    except BaseException:
        failure = traceback.format_exc()
    try:
        conn.send(_READY)
    except OSError:
        return
    while True:
        try:
            chunk = conn.recv()
        except (EOFError, OSError):
            return
        if chunk is None:
            return
        results, sent = [], time.monotonic()
        for index, item in chunk:
            progress[1] = time.monotonic()  # the time first: the parent reads the count, then the time
            progress[0] += 1
            if failure is not None:
                results.append((index, FAILED, failure))
                continue
            try:
                results.append((index, OK, func(item)))
            except Exception:  # a bug in func: reported for this item, the worker goes on
                results.append((index, FAILED, traceback.format_exc()))
            if time.monotonic() - sent >= _SEND_EVERY:
                conn.send(results)
                results, sent = [], time.monotonic()
        if results:
            conn.send(results)


def _quiet_stderr() -> None:
    """A parser that aborts prints its last words to stderr; the finding says it."""
    try:
        import faulthandler

        faulthandler.disable()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
    except (OSError, ValueError):
        pass


def _limit_memory(memory: int | None) -> None:
    if not memory:
        return
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = memory if hard == resource.RLIM_INFINITY else min(memory, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, ValueError, OSError):  # not on this system (Windows): the gate still applies
        pass


def _leave_with_parent(parent_pid: int) -> None:
    """End this worker when the process that started the run is gone."""
    try:  # Linux: the kernel sends SIGKILL when the parent (here: the forkserver or the run) dies
        import ctypes
        import signal

        libc = ctypes.CDLL(None)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError, ImportError):
        pass

    def watch():
        while True:
            time.sleep(0.5)
            if not _alive(parent_pid):
                os._exit(1)

    threading.Thread(target=watch, name="toolkit-parent-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    if os.name == "nt":
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
