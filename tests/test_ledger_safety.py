"""The ledger under kill -9 and two runs at once, as separate processes.

A writer records a large run (thousands of returns' cells through the same
code validate --db uses) and is killed at several moments: the ledger then
holds the whole run or none of it, and PRAGMA integrity_check stays ok. A
second run against a ledger another run holds waits (busy timeout), then
stops with a clear Chinese message, writing nothing."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.slow

WRITER = r'''
import sys, time
import numpy as np, pandas as pd
from types import SimpleNamespace
from toolkit.plan import load_plan
from toolkit.model.validation import FileReport
from toolkit.store import open_ledger

db, files, tag, hold = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
plan = load_plan("dingshan-2026")
indicators = [ind.id for _, _, ind in plan.indicators()][:40]
ids = [f"{tag}{n:060d}" for n in range(files)]
per = len(indicators) * 4
frame = pd.DataFrame({
    "file": pd.Categorical(np.repeat(ids, per), categories=ids),
    "unit": np.repeat([f"U{n}" for n in range(files)], per).astype(object),
    "indicator_id": np.tile(np.repeat(indicators, 4), files).astype(object),
    "row_id": np.tile(np.repeat(indicators, 4), files).astype(object),
    "field": pd.Categorical(np.tile(["value", "cumulative", "numerator", "denominator"], files * len(indicators))),
    "number": np.arange(files * per, dtype=float),
    "text": np.full(files * per, None, dtype=object),
    "sheet": np.full(files * per, "核心指标", dtype=object),
    "cell": np.full(files * per, "E5", dtype=object),
})
returns = [SimpleNamespace(id=i, sha256=i, display=f"{i[:8]}.xlsx", recognised=True) for i in ids]
reports = {i: FileReport(path=f"{i[:8]}.xlsx", sha256=i, unit=f"U{n}", unit_name=f"单位{n}", period="2026Q2",
                         status="used", modified="2026-07-01T09:00:00", id=i) for n, i in enumerate(ids)}
report = SimpleNamespace(by_id=lambda: reports, values=frame)
ledger = open_ledger(db)
if hold:
    with ledger.transaction():
        ledger.start_run("validate", plan, "2026Q2")
        print("holding", flush=True)
        time.sleep(hold)
    print("released", flush=True)
else:
    print("recording", flush=True)
    ledger.record_validation(plan, returns, report)
    print("done", flush=True)
'''


def writer(tmp_path, db, files, tag, hold=0.0):
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    return subprocess.Popen([sys.executable, str(script), str(db), str(files), tag, str(hold)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def counts(db):
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("runs", "files", "cells"))


def test_killed_mid_run_leaves_all_or_nothing(tmp_path):
    db = tmp_path / "ledger.db"
    first = writer(tmp_path, db, 50, "a")
    assert first.wait(120) == 0, first.stderr.read()
    whole = counts(db)
    assert whole == (1, 50, 50 * 160)
    outcomes = set()
    for n, delay in enumerate((0.0, 0.3, 0.8, 1.5, 3.0)):
        proc = writer(tmp_path, db, 3000, f"k{n}")
        assert proc.stdout.readline().strip() == "recording"
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(60)
        after = counts(db)
        added = tuple(a - b for a, b in zip(after, whole))
        assert added in ((0, 0, 0), (1, 3000, 3000 * 160)), added  # the whole run or none of it
        outcomes.add(added)
        whole = after
    assert (0, 0, 0) in outcomes  # at least one kill landed inside the transaction


def test_second_run_waits_then_stops_with_a_clear_message(tmp_path):
    db = tmp_path / "ledger.db"
    holder = writer(tmp_path, db, 1, "h", hold=4.0)
    assert holder.stdout.readline().strip() == "holding"
    before = counts(db)
    # reading goes on while another run writes (WAL)
    reader = subprocess.run([sys.executable, "-m", "toolkit.cli", "history", "periods", "--db", str(db)],
                            capture_output=True, text=True, env={**os.environ, "TOOLKIT_DB_TIMEOUT": "1"}, timeout=60)
    assert reader.returncode == 0, reader.stderr
    summary = tmp_path / "2025Q4.json"
    summary.write_text('{"plan": "dingshan-2026", "period": "2025Q4", "values": [], "aggregates": []}', encoding="utf-8")
    importing = [sys.executable, "-m", "toolkit.cli", "history", "import", str(summary), "--plan", "dingshan-2026",
                 "--db", str(db)]
    env = {**os.environ, "TOOLKIT_DB_TIMEOUT": "1"}
    started = time.monotonic()
    busy = subprocess.run(importing, capture_output=True, text=True, env=env, timeout=60)
    waited = time.monotonic() - started
    assert busy.returncode == 1
    assert "台账正被另一个任务使用" in busy.stderr and "未写入任何内容" in busy.stderr
    assert waited >= 1.0
    # a run with a longer timeout waits for the first to finish, then goes on
    assert counts(db) == before  # nothing of the refused run
    patient = subprocess.run(importing, capture_output=True, text=True, env={**os.environ, "TOOLKIT_DB_TIMEOUT": "30"},
                             timeout=60)
    assert patient.returncode == 0, patient.stderr
    assert holder.wait(30) == 0
    assert counts(db) == (before[0] + 2, 0, 0)  # the holder's run and the patient import, each whole
