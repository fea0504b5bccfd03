"""Fewer garbage collections while a run builds its big tables.

Reading, checking, consolidating and recording a county's returns makes hundreds of
thousands of small objects that live to the end of the run (cells, outcomes,
rows of the workbook). Python's collector looks at the young ones every 700
new objects and, as they age, walks everything alive again and again: about a
tenth of a 10,000-return run. Inside `bulk()` the young generation is collected
every 50,000 new objects instead; cycles are still collected, a little later.

The threshold is the process's, so it is raised once however many runs (threads
of a server) are inside, and put back when the last one leaves.
"""

from __future__ import annotations

import functools
import gc
import threading
from contextlib import contextmanager

BULK_THRESHOLD = 50_000  # new objects between collections of the young generation

_lock = threading.Lock()
_state = {"inside": 0, "saved": None}  # runs inside bulk(), and the threshold to put back


@contextmanager
def bulk():
    with _lock:
        if _state["inside"] == 0:
            saved = gc.get_threshold()
            _state["saved"] = saved
            if saved[0]:  # 0: collection is off, left so
                gc.set_threshold(max(saved[0], BULK_THRESHOLD), *saved[1:])
        _state["inside"] += 1
    try:
        yield
    finally:
        with _lock:
            _state["inside"] -= 1
            if _state["inside"] == 0:
                gc.set_threshold(*_state["saved"])


def bulk_work(func):
    """`func` runs inside bulk()."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with bulk():
            return func(*args, **kwargs)
    return wrapper
