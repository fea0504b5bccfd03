"""The ledger: every return of every period in one SQLite file.

    with open_ledger("台账.db") as ledger:
        ledger.record_validation(plan, returns, report, period)

One file the office can copy to back up. WAL mode, foreign keys on, and every
run's writes in one transaction (BEGIN IMMEDIATE): killed at any moment, the
ledger holds the whole run or none of it. A second run against the same
ledger waits for the first (the busy timeout), then stops with a clear
message; it never writes half.

What is recorded when:
- validate: every file (sha256, unit, period, saved time, status, the file
  that superseded it, its findings); the filled cells of every accepted
  return, once per sha256 (a blank cell is no value);
- consolidate: the same, then the consolidation issued (its JSON, compressed,
  and its sha256; the files it used) and the area's level of each series;
- history import: an earlier consolidation's values and area figures.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import zlib
from contextlib import contextmanager
from pathlib import Path

from toolkit.bulk import bulk
from toolkit.errors import ToolkitError
from toolkit.store import schema

DEFAULT_TIMEOUT = 30.0  # seconds a run waits for another run's transaction


class LedgerError(ToolkitError):
    """The ledger cannot be opened or written."""


class LedgerBusy(LedgerError):
    """Another run holds the ledger longer than the busy timeout."""


def _file_sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _written_files(json_file, outputs: dict) -> tuple[str | None, list[tuple]]:
    """(the sha256 of the JSON file written, [(role, name, sha256, size, zlib of the bytes)]
    of the leaders' workbook and the CSVs beside it)."""
    digest = _file_sha256(json_file) if json_file else None
    kept = []
    for role, path in outputs.items():
        data = Path(path).read_bytes()
        kept.append((role, Path(path).name, hashlib.sha256(data).hexdigest(), len(data), zlib.compress(data, 1)))
    return digest, kept


def now() -> str:
    return dt.datetime.now().isoformat(timespec="microseconds")


def open_ledger(path, *, timeout: float | None = None) -> Ledger:
    """The ledger at `path`, created and migrated if needed."""
    return Ledger(path, timeout=timeout)


class Ledger:
    def __init__(self, path, *, timeout: float | None = None):
        self.path = Path(path)
        if timeout is None:
            timeout = float(os.environ.get("TOOLKIT_DB_TIMEOUT", DEFAULT_TIMEOUT))
        self.timeout = timeout
        if self.path.parent and not self.path.parent.exists():
            raise LedgerError("台账所在的文件夹不存在", where=str(self.path), hint="先建好文件夹，或换一个 --db 路径")
        try:
            self.conn = sqlite3.connect(str(self.path), timeout=timeout, isolation_level=None)
            self.conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise LedgerError(f"台账无法使用 WAL 模式（{mode}）", where=str(self.path))
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA synchronous = NORMAL")
            if schema.pending(self.conn):  # a reader never waits for a writer otherwise (WAL)
                with self.transaction():
                    schema.migrate(self.conn)
        except sqlite3.DatabaseError as exc:
            self._raise(exc)
        self._ids: dict[tuple[str, str], int] = {}

    # ------------------------------------------------------------ plumbing

    def close(self) -> None:
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _raise(self, exc):
        text = str(exc)
        if "locked" in text or "busy" in text:
            raise LedgerBusy(f"台账正被另一个任务使用，等待 {self.timeout:g} 秒后仍未释放，本次未写入任何内容",
                             where=str(self.path), hint="等另一个任务结束后再运行一次") from None
        raise LedgerError(f"台账无法读写（{text}）", where=str(self.path),
                          hint="确认 --db 指向 toolkit 的台账文件；可用备份副本替换") from None

    @contextmanager
    def transaction(self):
        """One run's writes: all of them or none."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            self._raise(exc)
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            self._ids.clear()  # ids made in the rolled-back transaction are gone
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                self.conn.execute("ROLLBACK")
                self._raise(exc)

    def id_of(self, table: str, value: str, **extra) -> int:
        """The id of `value` in a name table (units, periods, series, fields, sheets), made if new."""
        cached = self._ids.get((table, value))
        if cached is not None:
            return cached
        column = "code" if table in ("units", "periods") else "key" if table == "series" else "name"
        row = self.conn.execute(f"SELECT id FROM {table} WHERE {column} = ?", (value,)).fetchone()
        if row is None:
            names = [column, *extra]
            cursor = self.conn.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                                       (value, *extra.values()))
            row = (cursor.lastrowid,)
        elif extra and table in ("units", "series"):  # the newest name wins
            sets = ", ".join(f"{k} = ?" for k in extra)
            self.conn.execute(f"UPDATE {table} SET {sets} WHERE id = ?", (*extra.values(), row[0]))
        self._ids[(table, value)] = row[0]
        return row[0]

    def period_id(self, code: str) -> int:
        from toolkit.periods import parse_period

        period = parse_period(code)
        return self.id_of("periods", period.code, year=period.year, kind=period.kind, idx=period.index)

    def start_run(self, kind: str, plan=None, period=None, source=None) -> int:
        plan_row = None
        if plan is not None:
            fingerprint = plan.fingerprint()
            self.conn.execute("INSERT OR IGNORE INTO plans (plan_id, fingerprint, title) VALUES (?, ?, ?)",
                              (plan.id, fingerprint, plan.title))
            plan_row = self.conn.execute("SELECT id FROM plans WHERE plan_id = ? AND fingerprint = ?",
                                         (plan.id, fingerprint)).fetchone()[0]
        period_row = self.period_id(period) if period else None
        return self.conn.execute("INSERT INTO runs (kind, at, plan, period, source) VALUES (?, ?, ?, ?, ?)",
                                 (kind, now(), plan_row, period_row, source)).lastrowid

    # ------------------------------------------------------------ recording

    def record_validation(self, plan, returns, report, period=None, *, kind: str = "validate") -> int:
        """Every file of a validation run and the cells of its accepted returns; the run's id."""
        with self.transaction():
            run = self.start_run(kind, plan, period.code if period else None)
            self._record_files(plan, returns, report, run)
            return run

    def record_consolidation(self, plan, returns, report, result, *, json_file=None, outputs=None) -> int:
        """A consolidation run: its files and cells, the consolidation issued, the area's levels.

        The consolidation is kept as its lists in rows (Consolidation.compact) and
        its values as coded columns, compressed (toolkit.store.packed): `history.rerender` makes the very JSON
        text issued from them, without encoding a million records here. The
        sha256 is that of the JSON file the run wrote (`json_file`), if any.
        outputs: {role: path} of the leaders' workbook and the CSVs beside it the
        run wrote (toolkit.xlsx.leaders.beside_files), kept as written: the period
        re-rendered under the same name gives them back without drawing them again."""
        from concurrent.futures import ThreadPoolExecutor

        from toolkit.store.packed import StoredValues, pack

        # the files written are hashed and compressed by a thread (hashlib and zlib let go of
        # the interpreter) while this one packs the consolidation and inserts the cells
        with ThreadPoolExecutor(max_workers=1) as pool:
            files = pool.submit(_written_files, json_file, outputs or {})
            with bulk():
                blob = pack(result.compact(), StoredValues.from_columns(result.value_columns()))
            with self.transaction():
                run = self.start_run("consolidate", plan, result.period)
                file_ids = self._record_files(plan, returns, report, run)
                digest, kept = files.result()
                return self._record_issued(plan, result, run, file_ids, blob, digest, kept)

    def _record_issued(self, plan, result, run, file_ids, blob, digest, kept) -> int:
        """The consolidation issued, the files it wrote and used, the area's levels (in the run's transaction)."""
        from toolkit.store.levels import area_levels

        period = self.period_id(result.period)
        consolidation = self.conn.execute(
            "INSERT INTO consolidations (run, period, issued, json_sha256, json_gz) VALUES (?, ?, ?, ?, ?)",
            (run, period, now(), digest, blob)).lastrowid
        self.conn.executemany("INSERT INTO consolidation_outputs (consolidation, role, name, sha256, size, body)"
                              " VALUES (?, ?, ?, ?, ?, ?)", [(consolidation, *row) for row in kept])
        used = {f.sha256 for f in result.files if f.status == "used"}
        self.conn.executemany("INSERT OR IGNORE INTO consolidation_files (consolidation, file) VALUES (?, ?)",
                              [(consolidation, file_ids[sha]) for sha in used if sha in file_ids])
        self._area_figures(period, result.levels or area_levels(plan, result), "consolidation", run)
        return run

    def _area_figures(self, period: int, levels: dict, source: str, run: int) -> None:
        rows = [(period, self.id_of("series", key, name=name, unit=unit), value, source, run)
                for key, (name, unit, value) in levels.items()]
        self.conn.executemany("INSERT OR REPLACE INTO area_figures (period, series, value, source, run) VALUES (?, ?, ?, ?, ?)", rows)

    def _record_files(self, plan, returns, report, run: int) -> dict[str, int]:
        from toolkit.model.results import dump

        by_id = report.by_id()
        file_ids, accepted = {}, {}
        stamp = now()
        for ret in returns:
            file_report = by_id[ret.id]
            if not ret.sha256 or ret.sha256 in file_ids:
                continue
            unit = self.id_of("units", file_report.unit, name=file_report.unit_name) if file_report.unit else None
            period = self.period_id(file_report.period) if file_report.period and ret.recognised else None
            findings = json.dumps([dump(f) for f in file_report.findings], ensure_ascii=False)
            row = self.conn.execute("SELECT id, status, accepted_at FROM files WHERE sha256 = ?", (ret.sha256,)).fetchone()
            status = file_report.status
            if row is None:
                file_id = self.conn.execute(
                    "INSERT INTO files (sha256, path, unit, period, saved, status, first_run, last_run, findings)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (ret.sha256, ret.display, unit, period, file_report.modified, status, run, run, findings)).lastrowid
                accepted_at = None
            else:
                file_id, old_status, accepted_at = row
                if old_status == "superseded" and status == "used":
                    status = "superseded"  # a newer version is already in the ledger
                self.conn.execute("UPDATE files SET path = ?, status = ?, last_run = ?, findings = ? WHERE id = ?",
                                  (ret.display, status, run, findings, file_id))
            file_ids[ret.sha256] = file_id
            if status == "used" and accepted_at is None and unit is not None and period is not None:
                accepted[ret.id] = file_id
                self.conn.execute("UPDATE files SET accepted_at = ? WHERE id = ?", (stamp, file_id))
            if status == "used" and unit is not None and period is not None:
                self._supersede(file_id, unit, period, file_report.modified)
        for ret in returns:  # superseded within this run: name the file that replaced it
            file_report = by_id[ret.id]
            if file_report.superseded_by and ret.sha256 in file_ids:
                newer = next((r.sha256 for r in returns if r.display == file_report.superseded_by), None)
                if newer in file_ids:
                    self.conn.execute("UPDATE files SET superseded_by = ? WHERE id = ?", (file_ids[newer], file_ids[ret.sha256]))
        if accepted:
            with bulk():
                self._record_cells(plan, report.values, accepted)
        return file_ids

    def _supersede(self, file_id: int, unit: int, period: int, saved: str | None) -> None:
        """One used return per unit and period: the newest saved; the others superseded by it."""
        rows = self.conn.execute("SELECT id, saved FROM files WHERE unit = ? AND period = ? AND status = 'used'",
                                 (unit, period)).fetchall()
        newest = max(rows, key=lambda r: (r[1] or "", r[0]))[0]
        self.conn.executemany("UPDATE files SET status = 'superseded', superseded_by = ? WHERE id = ?",
                              [(newest, r[0]) for r in rows if r[0] != newest])

    def _record_cells(self, plan, frame, accepted: dict[str, int]) -> None:
        """The filled input cells of the accepted returns, as integer ids and numbers, in one
        executemany (a blank cell is no value: the consolidation issued keeps it among its values)."""
        import numpy as np
        import pandas as pd

        if frame is None or frame.empty:
            return
        rows = frame[frame["file"].isin(list(accepted)) & (frame["field"] != "result")
                     & (frame["number"].notna() | frame["text"].notna())]
        if rows.empty:
            return
        series_of = {ind.id: (ind.series_key, ind.name, ind.unit) for _, _, ind in plan.indicators()}
        categories = rows["file"].cat.categories
        ledger_file = np.array([accepted.get(c, 0) for c in categories], dtype=object)[rows["file"].cat.codes.to_numpy()]
        codes, names = pd.factorize(rows["indicator_id"].to_numpy(object))
        series_ids = []
        for name in names:
            key = series_of.get(name)
            series_ids.append(self.id_of("series", key[0], name=key[1], unit=key[2]) if key else None)
        series = np.array(series_ids, dtype=object)[codes]
        field_codes, field_names = pd.factorize(rows["field"].astype(str).to_numpy(object))
        fields = np.array([self.id_of("fields", f) for f in field_names], dtype=object)[field_codes]
        sheet_codes, sheet_names = pd.factorize(rows["sheet"].to_numpy(object))
        sheets = np.array([self.id_of("sheets", s) for s in sheet_names], dtype=object)[sheet_codes]
        number = rows["number"].to_numpy(float)
        numbers = number.astype(object)
        numbers[np.isnan(number)] = None
        text = rows["text"].to_numpy(object)
        self.conn.executemany(
            "INSERT INTO cells (file, series, row_id, field, number, text, sheet, cell) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            zip(ledger_file.tolist(), series.tolist(), rows["row_id"].to_numpy(object).tolist(), fields.tolist(),
                numbers.tolist(), text.tolist(), sheets.tolist(), rows["cell"].to_numpy(object).tolist()))
