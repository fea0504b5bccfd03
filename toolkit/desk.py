"""The clerk's desk as library calls: what the web page (toolkit.app) does,
each action one function, usable without the page.

Uploaded files are kept in a folder beside the ledger (`uploads_folder`):
`<ledger>.uploads/<period>/<sha256>/<name>`. The name a browser sends is
never a path: only its last part is kept, made safe for Windows and Linux
(`safe_name`), and it sits in a folder named by the file's sha256, so two
uploads can never overwrite each other nor land outside the store.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

RETURN_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".ods")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
_UNSAFE = re.compile(r'[\x00-\x1f<>:"/\\|?*]')


class UploadTooLarge(Exception):
    """An upload (one file, or all together) is larger than allowed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Received:
    """Files stored from one upload: their paths, what was skipped (name, why), the report on them."""

    paths: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    report: object = None


def safe_name(name: str) -> str:
    """The last part of an uploaded file's name, safe on Windows and Linux."""
    last = re.split(r"[\\/]", str(name))[-1]  # either separator: never a folder
    last = _UNSAFE.sub("_", last).strip().rstrip(". ")
    stem, dot, suffix = last.partition(".")
    if stem.upper() in _WINDOWS_RESERVED:
        last = f"_{stem}{dot}{suffix}"
    if not last or set(last) <= {"."}:
        last = "上传文件"
    if len(last.encode("utf-8")) > 180:
        suffix = Path(last).suffix[:10]
        last = last.encode("utf-8")[:160].decode("utf-8", "ignore") + suffix
    return last


def uploads_folder(db) -> Path:
    """Where the page keeps uploaded returns: a folder beside the ledger."""
    db = Path(db)
    return db.with_name(db.name + ".uploads")


def period_folder(db, period) -> Path:
    from toolkit.api import period_of

    return uploads_folder(db) / period_of(period).code


def store_upload(db, period, name: str, data: bytes, *, max_bytes: int, max_members: int = 20000) -> Received:
    """Keep one uploaded file (or every return inside an uploaded .zip) for `period`.

    max_bytes: the largest return (a .zip may be larger; each of its members may not)."""
    received = Received()
    if len(data) > max_bytes and not name.lower().endswith(".zip"):  # a .zip: each member is checked
        raise UploadTooLarge(f"文件“{safe_name(name)}”超过 {max_bytes // 2**20} MB 的上限")
    if name.lower().endswith(".zip"):
        _store_zip(db, period, name, data, received, max_bytes=max_bytes, max_members=max_members)
    elif name.lower().endswith(RETURN_SUFFIXES):
        received.paths.append(_keep(db, period, name, data))
    else:
        received.skipped.append((safe_name(name), "不是报表文件（.xlsx、.xls、.et）或 .zip"))
    return received


def _store_zip(db, period, name, data, received, *, max_bytes, max_members) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        received.skipped.append((safe_name(name), "压缩包已损坏，无法打开"))
        return
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > max_members:
        raise UploadTooLarge(f"压缩包“{safe_name(name)}”里有 {len(members)} 个文件，超过 {max_members} 个的上限")
    total = 0
    for member in members:
        member_name = _zip_name(member)
        base = PurePosixPath(member_name).name
        if base.startswith(("~$", ".")) or "__MACOSX" in member_name:
            continue
        if not base.lower().endswith(RETURN_SUFFIXES):
            received.skipped.append((safe_name(base), "不是报表文件（.xlsx、.xls、.et）"))
            continue
        if member.file_size > max_bytes:
            received.skipped.append((safe_name(base), f"超过 {max_bytes // 2**20} MB 的上限"))
            continue
        total += member.file_size
        if total > max_bytes * 50:
            raise UploadTooLarge(f"压缩包“{safe_name(name)}”解压后过大")
        with archive.open(member) as stream:
            content = stream.read(max_bytes + 1)
        if len(content) > max_bytes:  # the size in the archive's directory was a lie
            received.skipped.append((safe_name(base), f"超过 {max_bytes // 2**20} MB 的上限"))
            continue
        received.paths.append(_keep(db, period, base, content))


def _zip_name(member: zipfile.ZipInfo) -> str:
    """A member's name: zips made on a Chinese Windows often store GBK without saying so."""
    if member.flag_bits & 0x800:
        return member.filename
    try:
        return member.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return member.filename


def _keep(db, period, name: str, data: bytes) -> Path:
    digest = hashlib.sha256(data).hexdigest()
    folder = period_folder(db, period) / digest
    folder.mkdir(parents=True, exist_ok=True)
    existing = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    if existing:  # the same bytes again, under whatever name: one copy
        return existing[0]
    target = folder / safe_name(name)
    temporary = folder / f".{digest[:12]}.part"
    temporary.write_bytes(data)
    temporary.replace(target)
    return target


def stored_returns(db, period) -> list[Path]:
    """Every return uploaded for `period`, in the order of their folders."""
    folder = period_folder(db, period)
    if not folder.is_dir():
        return []
    return sorted(p for sub in folder.iterdir() if sub.is_dir() for p in sub.iterdir()
                  if p.is_file() and not p.name.startswith("."))


def receive_returns(plan, paths, *, units, period, db, limits=None):
    """Check uploaded returns (already stored) and record them in the ledger: the ValidationReport."""
    from toolkit.api import validate

    return validate(plan, [str(p) for p in paths], units=units, period=period, limits=limits, db=db)


def public_names(answer: dict) -> dict:
    """A report's JSON with each stored file named by its own name, not by where the desk keeps it."""
    def name(path):
        return PurePosixPath(str(path).replace("\\", "/")).name if path else path

    for entry in answer.get("files", []):
        entry["path"] = name(entry.get("path"))
        entry["superseded_by"] = name(entry.get("superseded_by"))
    for outcome in answer.get("outcomes", []):
        if "file" in outcome:
            outcome["file"] = name(outcome["file"])
    return answer


def period_status(db, units, period, *, due=None) -> dict:
    """Every expected unit's state in `period` from the ledger: one query, whatever the size.

    {"period", "label", "due", "counts": {"on_time", "late", "rejected", "missing", "expected", "files"},
     "units": [{"code", "name", "contact", "status", "on_time", "file", "saved", "findings"}],
     "others": [files from units not in the list]}; status is received, rejected or missing."""
    from toolkit.api import _with, date_of, load_units, period_of

    period, due = period_of(period), date_of(due)
    units = load_units(units) or []

    def run(ledger):
        return ledger.conn.execute(
            """SELECT u.code, u.name, f.path, f.status, f.saved, f.accepted_at, f.findings, f.id
               FROM files f JOIN periods p ON p.id = f.period LEFT JOIN units u ON u.id = f.unit
               WHERE p.code = ? AND f.status IN ('used', 'rejected') ORDER BY f.id""", (period.code,)).fetchall()

    rows = _with(db, run)
    best: dict[str, tuple] = {}
    for row in rows:  # a used return wins over rejected ones; among equals the newest
        code = row[0]
        if code is None:
            continue
        if code not in best or row[3] == "used" or best[code][3] != "used":
            best[code] = row
    expected = {u.code for u in units}
    counts = {"on_time": 0, "late": 0, "rejected": 0, "missing": 0, "expected": len(units), "files": len(rows)}
    listed = []
    for unit in units:
        row = best.get(unit.code)
        entry = {"code": unit.code, "name": unit.name, "contact": unit.contact or "", "status": "missing",
                 "on_time": None, "file": None, "saved": None, "findings": 0}
        if row is not None:
            entry.update(status="received" if row[3] == "used" else "rejected", file=Path(row[2]).name,
                         saved=row[4] or row[5], findings=len(_loads(row[6])))
            if row[3] == "used":
                entry["on_time"] = _on_time(entry["saved"], due)
        key = {"received": "late" if entry["on_time"] is False else "on_time"}.get(entry["status"], entry["status"])
        counts[key] += 1
        listed.append(entry)
    others = [{"code": r[0], "name": r[1], "file": Path(r[2]).name, "status": r[3]} for r in rows
              if r[0] not in expected]
    return {"period": period.code, "label": period.label, "due": due.isoformat() if due else None,
            "counts": counts, "units": listed, "others": others}


def _loads(text):
    import json

    return json.loads(text) if text else []


def _on_time(saved: str | None, due) -> bool | None:
    if due is None or not saved:
        return None
    return saved[:10] <= due.isoformat()


def zip_folder(folder: Path, target: Path) -> Path:
    """Every file under `folder` into the .zip `target` (names in UTF-8, flagged as such)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return target


def area_trends(db, keys) -> dict[str, list[tuple[str, float | None]]]:
    """The area's level of each series (by key) over every period in the ledger."""
    from toolkit.api import _with
    from toolkit.store.queries import series_history

    return _with(db, lambda ledger: {key: series_history(ledger, key) for key in keys})


def sparkline(points: list[tuple[str, float | None]], *, width: int = 160, height: int = 36) -> dict | None:
    """An inline SVG line's points for a series: {"points", "dots": [(x, y, period, value)]}, or None."""
    known = [(p, v) for p, v in points if v is not None]
    if len(known) < 1:
        return None
    low, high = min(v for _, v in known), max(v for _, v in known)
    span = high - low
    step = (width - 8) / max(len(known) - 1, 1)
    dots = [(round(4 + i * step, 1),
             round(height - 4 - (v - low) / span * (height - 8), 1) if span else height / 2, p, v)
            for i, (p, v) in enumerate(known)]
    return {"points": " ".join(f"{x},{y}" for x, y, _, _ in dots), "dots": dots, "width": width, "height": height}
