"""The public API: what `import toolkit` offers, one call per CLI command.

    import toolkit
    plan = toolkit.load_plan("dingshan-2026")
    units = toolkit.load_units("examples/dingshan-units.csv")
    toolkit.build_templates(plan, units, "2026Q2", "模板/2026Q2", due="2026-07-10")
    report = toolkit.validate(plan, ["回收/"], units=units, period="2026Q2", feedback="退回修改/")
    result = toolkit.consolidate(plan, ["回收/"], units=units, period="2026Q2", output="汇总.xlsx")

Every argument that names something may be given as the thing itself or as
its name: a plan as a Plan or a plan file or built-in name, units as a list or
a units file, a period as a Period or "2026Q2", a date as a date or
"2026-07-10". Outputs are written as one set (toolkit.fileio.OutputSet): all
of them or none, never over an input file, and locked against a second run.
Library calls never fork and keep no state between calls, so a server may
make them from several threads.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path


def load_plan(plan):
    """A Plan, from a Plan, a plan file or a built-in plan's name."""
    from toolkit.plan import load_plan as _load
    from toolkit.plan.model import Plan

    return plan if isinstance(plan, Plan) else _load(plan)


def load_units(units):
    """The units list, from a list of Unit or a units file (.csv or .xlsx)."""
    if units is None or isinstance(units, (list, tuple)):
        return units
    from toolkit.units import load_units as _load

    return _load(units)


def period_of(period):
    from toolkit.periods import Period, parse_period

    return period if period is None or isinstance(period, Period) else parse_period(str(period))


def date_of(value) -> dt.date | None:
    from toolkit.periods import parse_due_date

    return value if value is None or isinstance(value, dt.date) else parse_due_date(str(value))


def check_plan(plan):
    """Problems of a plan (toolkit.plan.inspect.PlanProblem), errors first."""
    from toolkit.plan import check_plan as _check

    return _check(load_plan(plan))


def assignment(plan, units):
    """Who reports which rows (toolkit.assign.Assignment)."""
    from toolkit.assign import assign_rows

    return assign_rows(load_plan(plan), load_units(units))


def build_templates(plan, units, period, out_dir, *, due=None, contact=None, password=None, issued=None, db=None):
    """One fill-in workbook per unit that reports a row (toolkit.templates.BuildResult).

    db: the ledger: each unit's baselines filled in, last period's 本年累计 shown
    beside its input, tasks it reported 已完成 filled in as done, each of those
    cells locked (`prefilled` counts the cells)."""
    from toolkit.templates import build_templates as _build

    plan, period = load_plan(plan), period_of(period)
    result = _build(plan, load_units(units), period, Path(out_dir), due=date_of(due),
                    contact=contact, password=password, issued=date_of(issued))
    if db is not None:
        from toolkit.store.queries import template_prefill
        from toolkit.templates.prefill import prefill_templates

        known = _with(db, lambda ledger: template_prefill(ledger, plan, period))
        result.prefilled = prefill_templates(result, known, plan, period)
    return result


def validate(plan, paths, *, units=None, period=None, feedback=None, report=None, limits=None,
             timeout: float | None = None, rules=None, db=None):
    """Check the returns in `paths` (files or folders) against the plan.

    feedback: a folder for the marked-up copies; report: the validation report
    workbook (.xlsx). Returns the ValidationReport, with `written` (the files
    written). If the outputs cannot be written (a full disk, a folder that may
    not be written), OutputsNotWritten is raised carrying the report: the
    checking is not lost, and no output is half there.
    db: the ledger (a path or a Ledger): the returns are checked against the
    unit's previous period and every file is recorded, in one transaction."""
    from toolkit.intake import DEFAULT_TIMEOUT
    from toolkit.pipeline.validate import validate_returns

    plan = load_plan(plan)
    out = _outputs(paths, files=[report] if report else [], folders=[feedback] if feedback else [])
    ledger = _ledger(db)
    try:
        result = validate_returns(plan, paths, units=load_units(units), period=period_of(period), rules=rules,
                                  limits=limits, timeout=timeout or DEFAULT_TIMEOUT, ledger=ledger)
        result.written = _write(result, out, lambda: _validation_outputs(result, out, feedback, report, plan.title))
    finally:
        out.release()
        _close(ledger, db)
    return result


def consolidate(plan, paths, *, units, period, due=None, baseline=None, output=None, json=None, feedback=None,
                brief=None, limits=None, rules=None, fork: bool = False, db=None):
    """Validate the returns in `paths` and consolidate the valid ones for `period`.

    output: the leaders' workbook (.xlsx); json: the result as JSON; feedback:
    a folder for the marked-up copies; brief: the 通报 draft (.docx). fork: write the JSON and CSVs in forked
    processes while the workbook renders (only for a command's own process,
    never a server). Returns the Consolidation, with `written`; OutputsNotWritten
    (carrying the consolidation) when its outputs cannot be written.
    db: the ledger (a path or a Ledger): baselines come from it, the returns
    are checked against the previous period, the aggregates carry their
    history, and the run and the consolidation issued are recorded. With db
    and no paths, the period's issued consolidation is rendered again as it
    was (`since_issued` lists the corrections accepted after it)."""
    from toolkit.pipeline.consolidate import consolidate as _consolidate

    if db is not None and not paths:
        return _rerender(db, period_of(period), output, json, fork)
    plan = load_plan(plan)
    out = _outputs(paths, files=[f for f in (output, json, brief) if f], folders=[feedback] if feedback else [])
    ledger = _ledger(db)
    try:
        period = period_of(period)
        result = _consolidate(plan, paths, units=load_units(units), period=period, due=date_of(due),
                              baseline=baseline, rules=rules, limits=limits, ledger=ledger)
        previous = _previous_issued(ledger, period) if brief else None
        result.written = _write(result, out, lambda: _consolidation_outputs(result, out, output, json, feedback, fork,
                                                                            brief, previous))
        if ledger is not None:
            (returns, report), result.sources = result.sources, None
            ledger.record_consolidation(plan, returns, report, result, json_file=json,
                                        outputs=_leaders_files(result.written, output))
    finally:
        out.release()
        _close(ledger, db)
    return result


def _leaders_files(written, output) -> dict:
    """{role: path} of the leaders' workbook and the CSVs beside it that a run wrote."""
    if not output or not written:
        return {}
    from toolkit.xlsx.leaders import beside_files

    done = {Path(p).resolve() for p in written}
    files = {role: path for role, path in beside_files(Path(output)).items() if path.resolve() in done}
    return files if "workbook" in files else {}


def _rerender(db, period, output, json_file, fork):
    """The period's consolidation as issued, from the ledger: the same JSON; the
    workbook (and the CSVs beside it) as written when it was issued under the same
    name, else drawn again from the stored consolidation."""
    from toolkit.store.history import rerender, stored_outputs

    ledger = _ledger(db)
    try:
        kept = stored_outputs(ledger, period.code, Path(output)) if output else None
        result, chunks = rerender(ledger, period.code, values=bool(output) and kept is None)
    finally:
        _close(ledger, db)
    out = _outputs([], files=[f for f in (output, json_file) if f], folders=[])
    try:
        def make():
            from toolkit.fileio import written_alongside

            jobs = [out.add_later(json_file, chunks)] if json_file else []
            with written_alongside(jobs, fork=fork):
                if kept is not None:
                    for path, data in kept.items():
                        out.add(path, data)
                elif output:
                    from toolkit.xlsx.leaders import write_consolidated_workbook

                    write_consolidated_workbook(result, Path(output), out=out, fork=fork)
        result.written = _write(result, out, make)
    finally:
        out.release()
    return result


# ------------------------------------------------------------------ the ledger


def open_ledger(db, *, timeout: float | None = None):
    """The ledger (toolkit.store.Ledger) at path `db`, created and migrated if new."""
    from toolkit.store import Ledger, open_ledger as _open

    return db if isinstance(db, Ledger) else _open(db, timeout=timeout)


def _ledger(db):
    return None if db is None else open_ledger(db)


def _close(ledger, db) -> None:
    if ledger is not None and ledger is not db:  # a Ledger handed in stays open for its owner
        ledger.close()


def history_periods(db) -> list[dict]:
    """The periods in the ledger: files, returns used, when last issued, changed since."""
    from toolkit.store.queries import periods_summary

    return _with(db, periods_summary)


def history_units(db) -> list[dict]:
    """The units in the ledger and the periods they reported."""
    from toolkit.store.queries import units_summary

    return _with(db, units_summary)


def history_indicator(db, name, *, unit=None) -> list[dict]:
    """One series over every period: [{"key", "name", "unit", "history": [{"period", "value"}]}],
    the area's figures, or one unit's (`unit` a unit code) levels."""
    from toolkit.store import queries

    def run(ledger):
        found = []
        for key, series_name, measure in queries.find_series(ledger, name):
            if unit:
                periods = [p["period"] for p in queries.periods_summary(ledger)]
                levels = queries.unit_series(ledger, key, periods).get(unit, {})
                history = [{"period": p, "value": levels[p]} for p in periods if p in levels]
            else:
                history = [{"period": p, "value": v} for p, v in queries.series_history(ledger, key)]
            found.append({"key": key, "name": series_name, "unit": measure, "history": history})
        return found

    return _with(db, run)


def history_import(db, plan, path, *, period=None) -> dict:
    """An earlier consolidation (JSON or workbook) as that period's unit and area figures."""
    from toolkit.store.history import import_history

    plan = load_plan(plan)
    return _with(db, lambda ledger: import_history(ledger, plan, path, period=period))


def history_export(db, out_dir) -> list[Path]:
    """Every table of the ledger as CSV in `out_dir`, and each issued consolidation's JSON."""
    from toolkit.store.history import export_csv

    return _with(db, lambda ledger: export_csv(ledger, out_dir))


def _with(db, run):
    ledger = open_ledger(db)
    try:
        return run(ledger)
    finally:
        _close(ledger, db)


# ------------------------------------------------------------------ the clerk's desk (toolkit serve)


def receive_uploads(plan, uploads, *, db, units, period, max_size: int = 20 * 2**20, limits=None):
    """Keep uploaded returns beside the ledger, check them and record them (toolkit.desk).

    uploads: (name, bytes) pairs, returns or .zip files; a name is never used as a path.
    Returns toolkit.desk.Received: `paths` stored, `skipped` (name, why), and `report`,
    the ValidationReport of the stored files (None when none was a return).
    UploadTooLarge when a return is larger than max_size."""
    from toolkit.desk import Received, receive_returns, store_upload

    received = Received()
    for name, data in uploads:
        got = store_upload(db, period, name, data, max_bytes=max_size)
        received.paths += got.paths
        received.skipped += got.skipped
    if received.paths:
        received.report = receive_returns(plan, sorted(set(received.paths)), units=units, period=period, db=db,
                                          limits=limits)
    return received


def period_status(db, units, period, *, due=None) -> dict:
    """Every expected unit's state in `period` (on time, late, rejected, missing) from the ledger."""
    from toolkit.desk import period_status as _status

    return _status(db, units, period, due=due)


def simulate_returns(plan, units, period, out_dir, *, n=None, seed: int = 0, error_rate: float = 0.0, due=None):
    """Returns filled the way units would, in `out_dir`, with `simulation.json`
    (each mistake made and the finding it must produce) beside that folder."""
    from toolkit.fileio import write_atomic
    from toolkit.simulate import manifest_path
    from toolkit.simulate import simulate_returns as _simulate

    out_dir = Path(out_dir)
    result = _simulate(load_plan(plan), load_units(units), period_of(period), out_dir, n=n, seed=seed,
                       error_rate=error_rate, due=date_of(due))
    result.manifest_file = manifest_path(out_dir)
    write_atomic(result.manifest_file, result.manifest())
    return result


def run_demo(folder):
    """The whole job on the built-in 丁山镇 plan, in `folder`; a summary in words."""
    from toolkit.demo import run_demo as _run

    return _run(folder)


# ------------------------------------------------------------------ outputs


def _outputs(paths, *, files, folders):
    """The run's output set, checked against its inputs and locked, before anything is read."""
    from toolkit.fileio import OutputSet
    from toolkit.intake import collect_paths

    out = OutputSet(inputs=[path for path, _ in collect_paths(paths)])
    try:
        for target in files:
            out.claim(target)
        for folder in folders:
            out.claim_folder(folder)
    except BaseException:
        out.release()
        raise
    return out


def _write(result, out, make) -> list[Path]:
    """Write the outputs `make()` adds to `out`, then move them into place together."""
    from toolkit.errors import OutputsNotWritten
    from toolkit.fileio import OutputError

    try:
        make()
        return out.commit()
    except OutputError as exc:
        out.discard()
        raise OutputsNotWritten(exc.message, result=result, hint=exc.hint) from None
    except OSError as exc:
        out.discard()
        where = f"“{exc.filename}”：" if exc.filename else ""
        raise OutputsNotWritten(f"{where}{exc.strerror or exc}", result=result,
                                hint="检查文件夹是否存在、是否有写入权限、磁盘是否已满") from None
    except BaseException:
        out.discard()
        raise


def _validation_outputs(report, out, feedback, report_file, plan_title=None) -> None:
    if feedback:
        from toolkit.xlsx.feedback import write_feedback

        sources = {f.path: Path(f.path) for f in report.files}
        write_feedback(report, sources, Path(feedback), out=out)
    if report_file:
        from toolkit.xlsx.report import write_report_workbook

        write_report_workbook(report, Path(report_file), out=out, plan_title=plan_title)


def brief(plan=None, paths=(), *, output, units=None, period=None, due=None, baseline=None, from_json=None,
          limits=None, rules=None, db=None):
    """The 通报 draft (.docx) of a period: consolidated from `paths` as
    `consolidate` does (with the ledger `db` when given), or from a
    consolidation's JSON (`from_json`: a file `consolidate --json` wrote, or
    its dict), or, with `db` and no paths, from the consolidation the ledger
    keeps as issued for `period`. With a ledger it compares the targets with
    the previous period's consolidation (上期) where there is one. Returns the
    Consolidation, with `written`."""
    if from_json is not None:
        import json as _json

        from toolkit.fileio import OutputSet
        from toolkit.model.consolidation import Consolidation

        data = from_json if isinstance(from_json, dict) else _json.loads(Path(from_json).read_text(encoding="utf-8"))
        result = Consolidation.from_json(data)
        out = OutputSet(inputs=[] if isinstance(from_json, dict) else [Path(from_json)])
        try:
            out.claim(output)
            result.written = _write(result, out, lambda: _brief_output(result, out, output))
        finally:
            out.release()
        return result
    if db is not None and not paths:
        if period is None:
            from toolkit.errors import UsageError

            raise UsageError("从台账生成通报需要报送期（--period）", hint="toolkit brief --db 台账.db --period 2026Q2 -o 通报.docx")
        return _brief_from_ledger(db, period_of(period), output)
    if plan is None or not paths or units is None or period is None:
        from toolkit.errors import UsageError

        raise UsageError("通报需要计划、回收报表、单位名单和报送期；或用 --from-json 指定汇总的 JSON 文件；"
                         "或用 --db 和 --period 从台账中已发出的汇总生成",
                         hint="toolkit brief 计划 回收/ --units 单位.csv --period 2026Q2 -o 通报.docx")
    return consolidate(plan, paths, units=units, period=period, due=due, baseline=baseline, brief=output,
                       limits=limits, rules=rules, db=db)


def _brief_from_ledger(db, period, output):
    """The 通报 of the consolidation issued for `period`, as the ledger keeps it, with the one before it."""
    from toolkit.store.history import rerender

    ledger = _ledger(db)
    try:
        result, _ = rerender(ledger, period.code, values=False)
        previous = _previous_issued(ledger, period)
    finally:
        _close(ledger, db)
    out = _outputs([], files=[output], folders=[])
    try:
        result.written = _write(result, out, lambda: _brief_output(result, out, output, previous))
    finally:
        out.release()
    return result


def _previous_issued(ledger, period):
    """The previous period's consolidation in the ledger (None without a ledger or such a period)."""
    if ledger is None:
        return None
    from toolkit.store.history import previous_issued

    return previous_issued(ledger, period)


def _brief_output(result, out, brief_file, previous=None) -> None:
    from toolkit.docx.brief import write_brief

    write_brief(result, Path(brief_file), out=out, previous=previous)


def _consolidation_outputs(result, out, output, json_file, feedback, fork, brief_file=None, previous=None) -> None:
    from toolkit.fileio import written_alongside

    if brief_file:
        _brief_output(result, out, brief_file, previous)

    jobs = [out.add_later(json_file, result.json_chunks)] if json_file else []
    with written_alongside(jobs, fork=fork):  # the JSON by a second process while the workbook is made
        if output:
            from toolkit.xlsx.leaders import write_consolidated_workbook

            write_consolidated_workbook(result, Path(output), out=out, fork=fork)
    if feedback:
        from toolkit.xlsx.feedback import write_feedback

        report = result.validation_report()
        write_feedback(report, {f.path: Path(f.path) for f in report.files}, Path(feedback), out=out)
