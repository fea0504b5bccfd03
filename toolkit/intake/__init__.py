"""Intake: files handed in become `ReturnData`.

    returns = read_returns(["returns/"], plan)

Folders are walked (toolkit.intake.paths), each file is read on its own
(toolkit.intake.workbook) in worker processes with a time and memory limit per
file (toolkit.intake.isolation), so a file that crashes or hangs a parser
costs only itself. Every return gets its id (its sha256).
"""

from __future__ import annotations

import os
from pathlib import Path

from toolkit.bulk import bulk_work
from toolkit.intake.paths import collect_paths
from toolkit.intake.workbook import PlanLayouts, read_return, type_cells
from toolkit.model.returns import ReturnData, assign_ids

DEFAULT_TIMEOUT = 60.0  # seconds for one file


@bulk_work
def read_returns(paths, plan, layouts: PlanLayouts | None = None, *, workers: int | None = None, limits=None,
                 timeout: float = DEFAULT_TIMEOUT, reader=None) -> list[ReturnData]:
    """Read every file in `paths` (files or folders), order kept.

    workers: processes (default one per core, at most 4); 0 reads in this
    process, without isolation (for debugging). timeout: seconds per file.
    reader: the function that reads one file (default `read_return`; tests
    put a faulty one here), a module-level function taking
    (path, display, plan, layouts, limits)."""
    from toolkit.intake.isolation import CRASHED, FAILED, OK, TIMEOUT, run_isolated
    from toolkit.logs import log_internal_error

    from toolkit.intake.paths import skip_reason

    layouts = layouts or PlanLayouts(plan)
    reader = reader or read_return
    every = collect_paths(paths)
    skipped = {i for i, (path, _) in enumerate(every) if skip_reason(path.name)}
    files = [item for i, item in enumerate(every) if i not in skipped]
    if workers == 0:
        results = [reader(path, display, plan, layouts, limits) for path, display in files]
        for result in results:
            type_cells(result, keep_raw=True)
    else:
        workers = workers or max(1, min(os.cpu_count() or 1, 4, len(files)))
        results = [None] * len(files)
        for index, status, payload in run_isolated(_read_in_worker, files, workers=workers, timeout=timeout,
                                                   init=_init_worker, initargs=(plan, limits, reader)):
            if status == OK:
                payload.path, payload.display = files[index]  # not sent back: the parent has them
                results[index] = payload
                continue
            path, display = files[index]
            result = ReturnData(path=path, display=display)
            _hash(result)
            if status == TIMEOUT:
                result.add("parser-timeout", detail=int(timeout))
            elif status == CRASHED:
                result.add("parser-crashed")
            else:
                assert status == FAILED
                result.add("internal-error", detail=log_internal_error(f"reading {display}", payload))
            results[index] = result
    for result in results:  # layouts are not sent between processes: rebuilt from the cache
        if result.layout_key is not None:
            result.layout = layouts.get(*result.layout_key)[0]
    results = _with_skipped(every, skipped, results)
    assign_ids(results)
    return results


def _with_skipped(every, skipped: set[int], results: list[ReturnData]) -> list[ReturnData]:
    """The files read, and in their places those not read, each saying why."""
    from toolkit.intake.paths import skip_reason

    read = iter(results)
    out = []
    for i, (path, display) in enumerate(every):
        if i in skipped:
            result = ReturnData(path=path, display=display)
            _hash(result)
            result.add("skipped-file", detail=skip_reason(path.name))
            out.append(result)
        else:
            out.append(next(read))
    return out


def _hash(result: ReturnData) -> None:
    import hashlib

    try:
        data = result.path.read_bytes()
        result.size, result.sha256 = len(data), hashlib.sha256(data).hexdigest()
    except OSError:
        pass


# What a worker process was given (set once per worker by _init_worker; a
# worker is a process of its own, so this is not shared with anything).
_worker: dict = {}


def _init_worker(plan, limits, reader) -> None:
    _worker.update(plan=plan, layouts=PlanLayouts(plan), limits=limits, reader=reader)


def _read_in_worker(item: tuple[Path, str]) -> ReturnData:
    path, display = item
    result = _worker["reader"](path, display, _worker["plan"], _worker["layouts"], _worker["limits"])
    type_cells(result)
    result.layout = result.path = result.display = None  # rebuilt (layout) or restored (path, display) by the parent
    return result


__all__ = ["PlanLayouts", "ReturnData", "collect_paths", "read_return", "read_returns", "type_cells"]
