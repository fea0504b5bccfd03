"""Benchmark of the clerk's desk (toolkit serve) against the CLI on the same files.

    python benchmarks/desk.py [--returns 1000] [--units 10000]

- cli:    `toolkit validate PLAN returns/ --units U --period P --db A --json` (a fresh ledger), wall time;
- desk:   the same returns as one .zip POSTed to /api/returns of a running `toolkit serve`
          (another fresh ledger): upload, unpacking, storing, checking, recording, the JSON back;
- while:  /api/stamp requested every 0.5 s during the upload: the slowest answer;
- page:   GET /period (本期) with every unit of a --units list (10,000 by default, the first
          --returns of them reported), the fastest of 5.
The units are benchmarks/run.py's (丁山镇's offices, then numbered villages and communities).
"""

from __future__ import annotations

import argparse
import io
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import PERIOD, PLAN, make_units, write_units_csv  # noqa: E402

TOOLKIT = str(Path(sys.executable).with_name("toolkit"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    import httpx

    parser = argparse.ArgumentParser()
    parser.add_argument("--returns", type=int, default=1000)
    parser.add_argument("--units", type=int, default=10000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="toolkit-desk-bench-"))
    units = make_units(max(args.units, args.returns))
    write_units_csv(units, work / "units.csv")
    write_units_csv(units[: args.returns], work / "reporting.csv")

    from toolkit.api import load_plan, load_units, period_of
    from toolkit.simulate import simulate_returns

    start = time.perf_counter()
    simulate_returns(load_plan(PLAN), load_units(work / "reporting.csv"), period_of(PERIOD), work / "returns",
                     seed=1, variants=5)
    returns = sorted((work / "returns").glob("*.xlsx"))
    print(f"{len(returns)} returns made in {time.perf_counter() - start:.1f} s", flush=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for path in returns:
            archive.write(path, path.name)
    body = buffer.getvalue()

    start = time.perf_counter()
    subprocess.run([TOOLKIT, "validate", PLAN, *map(str, returns), "--units", str(work / "units.csv"),
                    "--period", PERIOD, "--db", str(work / "cli.db"), "--json"], stdout=subprocess.DEVNULL, check=False)
    cli = time.perf_counter() - start
    print(f"cli validate --db --json: {cli:.1f} s", flush=True)

    port = _free_port()
    server = subprocess.Popen([TOOLKIT, "serve", PLAN, "--units", str(work / "units.csv"), "--db", str(work / "desk.db"),
                               "--period", PERIOD, "--port", str(port), "--max-total", "4096"],
                              stdout=subprocess.DEVNULL, env={**os.environ})
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{base}/api/stamp", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        latencies, done = [], threading.Event()

        def poll():  # the page keeps answering while the batch is checked
            while not done.is_set():
                t = time.perf_counter()
                httpx.get(f"{base}/api/stamp?period={PERIOD}", timeout=60)
                latencies.append(time.perf_counter() - t)
                time.sleep(0.5)

        poller = threading.Thread(target=poll)
        start = time.perf_counter()
        poller.start()
        answer = httpx.post(f"{base}/api/returns?period={PERIOD}", files={"files": ("回收.zip", body)}, timeout=3600)
        desk = time.perf_counter() - start
        done.set()
        poller.join()
        print(f"while checking: {len(latencies)} requests to /api/stamp answered, slowest {max(latencies) * 1000:.0f} ms")
        if answer.status_code != 200:
            raise SystemExit(f"the desk answered {answer.status_code}: {answer.text[:300]}")
        files = len(answer.json()["files"])
        print(f"desk upload .zip → JSON: {desk:.1f} s ({files} files, {desk / cli:.2f}× the CLI)", flush=True)
        pages = []
        for _ in range(5):
            start = time.perf_counter()
            page = httpx.get(f"{base}/period?period={PERIOD}", timeout=60)
            pages.append(time.perf_counter() - start)
        print(f"本期 page, {len(units)} units: {min(pages) * 1000:.0f} ms (fastest of 5; {len(page.content) // 1024} KB)")
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
