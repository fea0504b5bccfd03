"""The ledger's history in and out: aggregates annotated with their series,
an issued consolidation rendered again, an earlier consolidation imported,
every table exported as CSV."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
from collections import defaultdict
from pathlib import Path

from toolkit.store import queries
from toolkit.bulk import bulk
from toolkit.store.ledger import LedgerError, now
from toolkit.store.levels import LEVEL_FIELDS, area_level, area_levels


def annotate(result, ledger, plan, period, ledger_info: dict, file_baselines: dict, file_source: str) -> None:
    """Give each aggregate its history over the year's periods and its baseline; note the
    earlier periods changed since their summary went out."""
    from toolkit.store.queries import baseline_candidates

    import dataclasses

    from toolkit.model.validation import number_kind

    levels = result.levels = area_levels(plan, result)  # recorded with the consolidation too
    for area in result.aggregates:
        ind = plan.indicator(area.indicator_id)
        key = ind.series_key
        area.level_kind = number_kind(dataclasses.replace(ind, relative=None))
        if ind.rollup in ("sum", "ratio"):
            past = [{"period": code, "value": value}
                    for code, value in queries.series_history(ledger, key, year=period.year, kind=period.kind)
                    if code < period.code]  # codes of one year and kind sort in time order
            area.history = past + [{"period": period.code, "value": levels.get(key, (None, None, None))[2]}]
        if ind.id in file_baselines:
            area.baseline = {"period": None, "value": file_baselines[ind.id], "source": f"file:{Path(file_source).name}"}
        elif ind.id in ledger_info:
            area.baseline = dict(ledger_info[ind.id])
        elif ind.rollup in ("sum", "ratio"):  # 上年同期, for the leaders' overview
            code = baseline_candidates("same-period-last-year", period)[0]
            stored = queries.area_figure(ledger, code, key)
            if stored is not None and stored[0] is not None:
                area.baseline = {"period": code, "value": stored[0], "source": f"ledger:{stored[1]}"}
    result.changed_periods = {p["period"]: p["changed_since_issued"] for p in queries.periods_summary(ledger)
                              if p["changed_since_issued"] and p["period"] != period.code}


def rerender(ledger, period_code: str, *, values: bool = True):
    """The consolidation issued for a period, as it was: (Consolidation, a function giving
    its JSON text in pieces, the very text issued; checked against the sha256 issued as it
    goes, the last piece raising LedgerError when they differ). `since_issued` lists the returns accepted after
    it that it does not include. values=False: the Consolidation without its values
    (enough to say what it holds, quickly)."""
    from toolkit.model.consolidation import Consolidation, ValueRecord

    found = queries.issued(ledger, period_code)
    if found is None:
        raise LedgerError(f"台账中没有 {period_code} 的汇总记录", where=str(ledger.path),
                          hint="先用 consolidate --db 汇总该期，或用 toolkit history periods 查看已有的报送期")
    _, _, (compact, stored), digest = found
    with bulk():
        result = Consolidation.from_compact(compact)
    if values:
        import pandas as pd

        columns = stored.columns()
        names = [f.name for f in dataclasses.fields(ValueRecord)]
        result.values_table = pd.DataFrame({name: pd.Series(columns[name], dtype=object) for name in names},
                                           columns=names)
        from toolkit.xlsx import style

        if len(result.values_table) <= style.DATA_SHEET_LIMIT:  # as consolidate hands them out (its 数据 sheet)
            result.values = result.value_records()
    result.since_issued = queries.changed_since_issued(ledger, period_code)

    def chunks():
        """The JSON issued, piece by piece (a province's is hundreds of MB: never held whole)."""
        with bulk():
            head = "".join(result.json_chunks(values=False))
        check = hashlib.sha256()
        for piece in stored.json_text_chunks(head):
            check.update(piece.encode("utf-8"))
            yield piece
        if digest and check.hexdigest() != digest:  # written to a temporary file only: the output set is dropped
            raise LedgerError(f"{period_code} 的汇总记录与发出时的 JSON 不一致（sha256 不符）", where=str(ledger.path),
                              hint="台账可能被其他程序改动过；请用备份副本替换")

    return result, chunks


def previous_issued(ledger, period):
    """The consolidation issued for the period before `period` (the latest of the same
    kind and year with returns, queries.previous_period), without its values; None
    when there is none."""
    from toolkit.model.consolidation import Consolidation

    code = queries.previous_period(ledger, period)
    found = queries.issued(ledger, code) if code else None
    if found is None:
        return None
    compact, _ = found[2]
    return Consolidation.from_compact(compact)


def stored_outputs(ledger, period_code: str, output: Path) -> dict[Path, bytes] | None:
    """The leaders' workbook of a period's issued consolidation and the CSVs beside it,
    as written, for writing again at `output`: {path: bytes}, or None when the ledger
    does not hold them under that file name (the workbook names its CSVs: under
    another name it is drawn again)."""
    from toolkit.xlsx.leaders import beside_files

    kept = queries.issued_outputs(ledger, period_code)
    if "workbook" not in kept or kept["workbook"][0] != output.name:
        return None
    paths = beside_files(output)
    files = {}
    for role, (name, digest, data) in kept.items():
        if hashlib.sha256(data).hexdigest() != digest:
            raise LedgerError(f"{period_code} 汇总时写出的“{name}”与台账记录不一致（sha256 不符）", where=str(ledger.path),
                              hint="台账可能被其他程序改动过；请用备份副本替换")
        files[paths[role]] = data
    return files


# ------------------------------------------------------------------ import


def import_history(ledger, plan, path, *, period=None) -> dict:
    """An earlier consolidation (its JSON, or its workbook's 领导总览) as that period's
    unit and area figures. Indicators are matched to series by id (same plan), name, or
    the ledger's series names. Returns what was imported."""
    from toolkit.periods import parse_period

    path = Path(path)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if path.suffix.lower() == ".json":
        content = json.loads(data.decode("utf-8"))
        period_code = parse_period(period or content["period"]).code
        values, areas = _json_figures(ledger, plan, content)
    elif path.suffix.lower() == ".xlsx":
        if not period:
            raise LedgerError("导入汇总工作簿时须给出 --period（该工作簿所属的报送期）", where=str(path))
        from toolkit.pipeline.baselines import workbook_area_levels

        period_code = parse_period(period).code
        _, by_id = workbook_area_levels(path, plan)
        values = {}
        areas = {plan.indicator(i).series_key: (plan.indicator(i).name, plan.indicator(i).unit, v)
                 for i, v in by_id.items() if not plan.indicator(i).relative}
    else:
        raise LedgerError("只能导入汇总的 JSON（consolidate --json）或汇总工作簿（.xlsx）", where=str(path))
    with ledger.transaction():
        run = ledger.start_run("import", plan, period_code, source=str(path))
        period_id = ledger.period_id(period_code)
        rows = []
        for unit, cells in values.items():
            cursor = ledger.conn.execute(
                "INSERT OR IGNORE INTO files (sha256, path, unit, period, status, first_run, last_run, accepted_at)"
                " VALUES (?, ?, ?, ?, 'used', ?, ?, ?)",
                (f"{digest}:{unit}", f"{path.name}#{unit}", ledger.id_of("units", unit), period_id, run, run, now()))
            if not cursor.rowcount:
                continue  # imported before
            file_id = cursor.lastrowid
            ledger._supersede(file_id, ledger.id_of("units", unit), period_id, None)
            for key, name, unit_of_measure, row_id, field, number, text, sheet, cell in cells:
                if number is None and text is None:
                    continue  # a blank cell is no value (as recorded from returns)
                series = ledger.id_of("series", key, name=name, unit=unit_of_measure)
                rows.append((file_id, series, row_id, ledger.id_of("fields", field), number, text,
                             ledger.id_of("sheets", sheet or ""), cell))
        ledger.conn.executemany("INSERT INTO cells (file, series, row_id, field, number, text, sheet, cell)"
                                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        ledger._area_figures(period_id, areas, f"import:{path.name}", run)
    return {"period": period_code, "units": len(values), "values": len(rows), "series": len(areas)}


def _json_figures(ledger, plan, content):
    """{unit: [cell tuples]} and {series key: (name, unit, area level)} of a consolidation's JSON."""
    by_id = {ind.id: ind for _, _, ind in plan.indicators()} if content.get("plan") == plan.id else {}
    by_name = {ind.name: ind for _, _, ind in plan.indicators()}
    known = {name: (key, unit) for key, name, unit in ledger.conn.execute("SELECT key, name, unit FROM series")}
    meta = {a["indicator_id"]: a for a in content.get("aggregates", [])}

    def series_of(indicator_id, name):
        ind = by_id.get(indicator_id) or by_name.get(name)
        if ind is not None:
            return ind.series_key, ind.name, ind.unit, ind.measure == "rate" and ind.rollup == "ratio"
        unit = (meta.get(indicator_id) or {}).get("unit")
        key, unit = known.get(name, (f"import:{name}:{unit or '-'}", unit))
        return key, name, unit, (meta.get(indicator_id) or {}).get("rollup") == "ratio"

    values: dict[str, list] = defaultdict(list)
    per_series: dict[str, dict[str, dict]] = defaultdict(lambda: defaultdict(dict))
    series_meta = {}
    for v in content.get("values", []):
        if not v.get("unit"):
            continue
        key = name = unit = None
        rate = False
        if v.get("indicator_id"):
            key, name, unit, rate = series_of(v["indicator_id"], v.get("indicator"))
            series_meta[key] = (name, unit, rate)
        number = v["value"] if isinstance(v["value"], (int, float)) and not isinstance(v["value"], bool) else None
        text = v["value"] if isinstance(v["value"], str) else None
        values[v["unit"]].append((key, name, unit, v.get("row_id") or "", v["field"], number, text, v.get("sheet"), v.get("cell")))
        if key and number is not None and v["field"] in LEVEL_FIELDS:
            per_series[key][v["unit"]][v["field"]] = float(number)
    areas = {key: (series_meta[key][0], series_meta[key][1], area_level(list(units.values()), series_meta[key][2]))
             for key, units in per_series.items()}
    for a in content.get("aggregates", []):  # figures without unit values: the area's own, when a level
        key, name, unit, _ = series_of(a["indicator_id"], a["indicator"])
        if key not in areas and a.get("value") is not None and a.get("rollup") in ("sum", "ratio") \
                and not (plan and (by_id.get(a["indicator_id"]) or by_name.get(a["indicator"]) or _NoRel).relative):
            areas[key] = (name, unit, a["value"])
    return values, areas


class _NoRel:
    relative = None


# ------------------------------------------------------------------ export


def _blob_words(table: str, row, value: bytes) -> str:
    """What a CSV cell says in place of stored bytes."""
    if table == "consolidations":
        return f"(见 consolidation-{row[0]}.json)"
    return f"(文件内容 {len(value):,} 字节，压缩保存，未导出)"


def export_csv(ledger, out_dir) -> list[Path]:
    """Every table as plain CSV (UTF-8 with BOM, for Excel), and each issued consolidation's JSON."""
    from toolkit.store.schema import TABLES

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for table in TABLES:
        cursor = ledger.conn.execute(f"SELECT * FROM {table}")
        names = [d[0] for d in cursor.description]
        path = out / f"{table}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(names)
            for row in cursor:
                writer.writerow([_blob_words(table, row, v) if isinstance(v, bytes) else v for v in row])
        written.append(path)
    from toolkit.model.consolidation import Consolidation
    from toolkit.store.packed import unpack

    for number, blob in ledger.conn.execute("SELECT id, json_gz FROM consolidations"):
        compact, stored = unpack(blob)
        head = "".join(Consolidation.from_compact(compact).json_chunks(values=False))
        path = out / f"consolidation-{number}.json"
        with path.open("w", encoding="utf-8", newline="") as handle:  # in pieces, and as issued (no \r\n on Windows)
            handle.writelines(stored.json_text_chunks(head))
        written.append(path)
    return written
