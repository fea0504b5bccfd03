"""The ledger's schema as numbered migrations, applied in order and recorded
in the `migrations` table (as sqlite-utils' migrations do).

A migration is never edited once released: a change to the schema is a new
migration at the end of MIGRATIONS. Names (units, series, fields, sheets,
periods) are stored once and referred to by integer ids, so that a value row
is a handful of integers, a number and a cell address.
"""

from __future__ import annotations

_INITIAL = """
CREATE TABLE units (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT);
CREATE TABLE periods (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, year INTEGER NOT NULL,
                      kind TEXT NOT NULL, idx INTEGER NOT NULL);
-- an indicator's series: its key (or the plan's `series` mapping), the same across plans and years
CREATE TABLE series (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, name TEXT, unit TEXT);
CREATE TABLE fields (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE sheets (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE plans (id INTEGER PRIMARY KEY, plan_id TEXT NOT NULL, fingerprint TEXT NOT NULL, title TEXT,
                    UNIQUE (plan_id, fingerprint));
-- one run of validate, consolidate or history import
CREATE TABLE runs (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, at TEXT NOT NULL, plan INTEGER REFERENCES plans(id),
                   period INTEGER REFERENCES periods(id), source TEXT);
-- every file ever validated, once per sha256
CREATE TABLE files (id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, path TEXT NOT NULL,
                    unit INTEGER REFERENCES units(id), period INTEGER REFERENCES periods(id), saved TEXT,
                    status TEXT NOT NULL, superseded_by INTEGER REFERENCES files(id),
                    first_run INTEGER NOT NULL REFERENCES runs(id), last_run INTEGER NOT NULL REFERENCES runs(id),
                    accepted_at TEXT, findings TEXT);
CREATE INDEX files_unit_period ON files (unit, period);
CREATE INDEX files_period ON files (period, status);
-- every value of every accepted return (and of imported figures)
CREATE TABLE cells (file INTEGER NOT NULL REFERENCES files(id), series INTEGER REFERENCES series(id),
                    row_id TEXT NOT NULL, field INTEGER NOT NULL REFERENCES fields(id), number REAL, text TEXT,
                    sheet INTEGER REFERENCES sheets(id), cell TEXT);
CREATE INDEX cells_file ON cells (file);
CREATE INDEX cells_series ON cells (series, file);
-- the area's level of each series per period, as issued or imported
CREATE TABLE area_figures (period INTEGER NOT NULL REFERENCES periods(id), series INTEGER NOT NULL REFERENCES series(id),
                           value REAL, source TEXT NOT NULL, run INTEGER NOT NULL REFERENCES runs(id),
                           PRIMARY KEY (period, series));
-- every consolidation issued: enough to render it again, byte for byte the same JSON
-- (json_gz: zlib of {"compact": its lists as field names and rows, "values": the values as columns};
-- json_sha256: of the JSON file the run wrote, when it wrote one)
CREATE TABLE consolidations (id INTEGER PRIMARY KEY, run INTEGER NOT NULL REFERENCES runs(id),
                             period INTEGER NOT NULL REFERENCES periods(id), issued TEXT NOT NULL,
                             json_sha256 TEXT, json_gz BLOB NOT NULL);
CREATE TABLE consolidation_files (consolidation INTEGER NOT NULL REFERENCES consolidations(id),
                                  file INTEGER NOT NULL REFERENCES files(id), PRIMARY KEY (consolidation, file));
-- task statuses of accepted returns, by unit, period and task row
CREATE VIEW task_statuses AS
  SELECT u.code AS unit, p.code AS period, c.row_id AS row_id, c.text AS status, f.sha256 AS sha256
  FROM cells c JOIN fields fd ON fd.id = c.field JOIN files f ON f.id = c.file
  JOIN units u ON u.id = f.unit JOIN periods p ON p.id = f.period
  WHERE fd.name = 'status' AND f.status = 'used';
"""

# (since migration 2's release, consolidations.json_gz holds the values as coded columns:
# toolkit.store.packed, which still reads the JSON columns migration 1's comment describes)
# the files a consolidation run wrote for its leaders, as written: the workbook and the CSVs
# beside it (role workbook | data_csv | tasks_csv; body: zlib of the bytes; sha256 of the bytes)
_OUTPUTS = """
CREATE TABLE consolidation_outputs (consolidation INTEGER NOT NULL REFERENCES consolidations(id), role TEXT NOT NULL,
                                    name TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL, body BLOB NOT NULL,
                                    PRIMARY KEY (consolidation, role));
"""

# (number, name, SQL); applied in order, each in the transaction that records it
MIGRATIONS: list[tuple[int, str, str]] = [
    (1, "initial", _INITIAL),
    (2, "consolidation outputs", _OUTPUTS),
]

TABLES = ("migrations", "units", "periods", "series", "fields", "sheets", "plans", "runs", "files", "cells",
          "area_figures", "consolidations", "consolidation_files", "consolidation_outputs")


def migrate(conn) -> list[int]:
    """Apply the migrations not yet recorded; the numbers applied."""
    conn.execute("CREATE TABLE IF NOT EXISTS migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)")
    done = {row[0] for row in conn.execute("SELECT id FROM migrations")}
    applied = []
    for number, name, sql in MIGRATIONS:
        if number in done:
            continue
        for statement in sql.split(";\n"):
            if statement.strip():
                conn.execute(statement)
        conn.execute("INSERT INTO migrations (id, name, applied) VALUES (?, ?, datetime('now'))", (number, name))
        applied.append(number)
    return applied


def pending(conn) -> bool:
    """Whether migrations remain to be applied (read without taking the write lock)."""
    exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'").fetchone()
    return not exists or version(conn) < MIGRATIONS[-1][0]


def version(conn) -> int:
    row = conn.execute("SELECT max(id) FROM migrations").fetchone()
    return row[0] or 0
