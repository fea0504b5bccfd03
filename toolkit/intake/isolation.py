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

DEFAULT_MEMORY = 4 * 2**30
_READY = ("ready", None)  # a worker's first message: it is set up (or knows why not)  # ample for any template, far below a runaway allocation


def start_method() -> str:
    """forkserver where available (Linux, macOS), else spawn (Windows)."""
    methods = multiprocessing.get_all_start_methods()
    return "forkserver" if "forkserver" in methods else "spawn"


def run_isolated(func: Callable, items: list, *, workers: int, timeout: float, memory: int | None = DEFAULT_MEMORY,
                 init: Callable | None = None, initargs: tuple = ()) -> Iterator[tuple[int, str, object]]:
    """Yield (index, OK | CRASHED | TIMEOUT | FAILED, result or detail) for
    every item, in the order they finish. `func` and `init` must be module-level
    functions (they are sent to the workers by name); `init(*initargs)` runs
    once in each worker, and `func(item)` then sees what it set up."""
    if not items:
        return
    context = multiprocessing.get_context(start_method())
    pending = deque(range(len(items)))
    retried: set[int] = set()
    slots: list[_Worker] = []

    def replace(worker: _Worker) -> _Worker:
        """A fresh worker in place of `worker`; the items it held but had not begun go back in line."""
        worker.stop()
        pending.extendleft(reversed(list(worker.queue)[1:]))
        slots[slots.index(worker)] = fresh = _Worker(context, func, init, initargs, memory)
        return fresh

    try:
        for _ in range(max(1, min(workers, len(items)))):
            slots.append(_Worker(context, func, init, initargs, memory))
        for worker in slots:
            worker.fill(pending, items)
        while any(worker.queue for worker in slots):
            busy = [w for w in slots if w.queue]
            now = time.monotonic()
            wait_for = max(0.0, min(w.started + timeout for w in busy) - now)
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=wait_for)
            now = time.monotonic()
            for worker in list(busy):
                index = worker.queue[0]  # the item it is working on
                message = None
                if worker.conn in ready:
                    try:
                        message = worker.conn.recv()
                    except (EOFError, OSError):
                        message = None
                if message == _READY:
                    worker.ready = True
                    continue
                if message is not None:
                    status, payload = message
                    worker.done(now)
                    yield index, status, payload
                elif worker.conn in ready or worker.process.sentinel in ready:  # the worker died on its item
                    started = worker.ready
                    worker = replace(worker)
                    if not started and index in retried:  # it never got as far as the item: our failure, not the file's
                        yield index, FAILED, "工作进程未能启动（toolkit 的问题，不是文件的问题）"
                    elif index in retried:
                        yield index, CRASHED, None
                    else:  # once more in a fresh worker, to be sure it was this item
                        retried.add(index)
                        pending.appendleft(index)
                elif now - worker.started >= timeout:
                    worker = replace(worker)
                    yield index, TIMEOUT, None
                else:
                    continue
                worker.fill(pending, items)
    finally:
        for worker in slots:
            worker.stop()


# Items sent ahead to a worker: it starts the next as soon as it has sent a
# result, without waiting for the parent to take that result in.
_AHEAD = 2


class _Worker:
    def __init__(self, context, func, init, initargs, memory):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, func, init, initargs, memory, os.getpid()),
                                       daemon=True)
        self.process.start()
        child.close()
        self.queue: deque[int] = deque()  # items sent, in order; the first is the one being worked on
        self.started = 0.0  # when the first item in the queue began
        self.ready = False  # it said it is set up

    def fill(self, pending: deque, items: list) -> None:
        while pending and len(self.queue) < _AHEAD:
            index = pending.popleft()
            if not self.queue:
                self.started = time.monotonic()
            self.queue.append(index)
            try:
                self.conn.send(items[index])
            except OSError:  # the worker is gone already: its sentinel says so, and the item is tried again
                return

    def done(self, now: float) -> None:
        """The first item's result came in: the next one began then."""
        self.queue.popleft()
        self.started = now

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


def _worker_main(conn, func, init, initargs, memory, parent_pid) -> None:
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
            item = conn.recv()
        except (EOFError, OSError):
            return
        if item is None:
            return
        if failure is not None:
            conn.send((FAILED, failure))
            continue
        try:
            conn.send((OK, func(item)))
        except Exception:  # a bug in func: reported for this item, the worker goes on
            conn.send((FAILED, traceback.format_exc()))


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
