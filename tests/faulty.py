"""Readers that misbehave on purpose, for the isolation tests. They live in a
module of their own because worker processes import them by name."""

from __future__ import annotations

import os
import time

from toolkit.intake import read_return


def read_or_abort(path, *args):
    if path.name.startswith("crash"):
        os.abort()  # what python-calamine does on some inputs: the whole process dies
    return read_return(path, *args)


def read_or_hang(path, *args):
    if path.name.startswith("hang"):
        time.sleep(600)
    return read_return(path, *args)


def read_or_fail(path, *args):
    if path.name.startswith("bug"):
        raise IndexError("a bug in toolkit, not in the file")
    return read_return(path, *args)


def read_slowly(path, *args):
    time.sleep(1.2)  # each file alone is under the limit; the batch together is far over it
    return read_return(path, *args)


class Unpicklable:
    """Arrives in the worker broken: its setup fails before any file is read."""

    def __reduce__(self):
        return (_explode, ())


def _explode():
    raise RuntimeError("cannot rebuild in the worker")


def read_or_misbehave(path, *args):
    """Aborts on crash*, hangs on hang*, takes a quarter of a second on slow*."""
    if path.name.startswith("crash"):
        os.abort()
    if path.name.startswith("hang"):
        time.sleep(600)
    if path.name.startswith("slow"):
        time.sleep(0.25)
    return read_return(path, *args)
