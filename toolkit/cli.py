"""The `toolkit` command: a thin click layer over the library.

Heavy libraries (pandas, pandera, openpyxl, python-docx) are imported inside
the commands, so `toolkit --help` stays fast.
"""

from __future__ import annotations

import json
import os
import sys

import click

from toolkit import __version__
from toolkit.errors import ToolkitError


class _Group(click.Group):
    """Turns ToolkitError into a clean message and exit code, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ToolkitError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except OSError as exc:  # a folder that cannot be written, a full disk …
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"Error: {where}{exc.strerror or exc}\n  how to fix: check that the path exists, "
                       "that you may write there, and that the disk is not full", err=True)
            ctx.exit(1)
        except Exception as exc:  # a bug: say so plainly, keep details for the developer
            if os.environ.get("TOOLKIT_DEBUG"):
                raise
            click.echo(f"Internal error: {exc.__class__.__name__}: {exc}\n"
                       "This is a bug in toolkit. Run again with TOOLKIT_DEBUG=1 for details and report it.", err=True)
            ctx.exit(3)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="toolkit")
def cli():
    """Reporting toolkit for work-safety and disaster-prevention plans.

    \b
    The four steps:
      plan         the annex tables as data (import, show, check)
      templates    fill-in workbooks per reporting unit and period
      validate     check returned workbooks
      consolidate  merge valid returns into the leaders' workbook
    """


def _emit_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False))  # strict JSON: no NaN or Infinity


# ---------------------------------------------------------------- plan


@cli.group()
def plan():
    """Plans: import a published annex, show and check plan files."""


@plan.command("list")
def plan_list():
    """List the built-in plans."""
    from toolkit.plan import load_plan
    from toolkit.resources import builtin_plans
    from toolkit.textable import render

    rows = []
    for name, path in builtin_plans().items():
        loaded = load_plan(path)
        rows.append([name, loaded.title, loaded.doc_number or "", "、".join(map(str, loaded.years))])
    click.echo(render(["名称", "标题", "文号", "年度"], rows, max_widths={1: 50}))


@plan.command("show")
@click.argument("plan_file", metavar="PLAN")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON (see README: the indicators contract).")
def plan_show(plan_file, as_json):
    """Print PLAN (a plan file or built-in plan name) as readable tables."""
    from toolkit.plan import load_plan
    from toolkit.plan.inspect import plan_json, show_plan

    loaded = load_plan(plan_file)
    if as_json:
        _emit_json(plan_json(loaded))
    else:
        click.echo(show_plan(loaded))


@plan.command("check")
@click.argument("plan_file", metavar="PLAN")
def plan_check(plan_file):
    """List problems in PLAN; exit 1 when any is an error."""
    from toolkit.plan import check_plan, load_plan
    from toolkit.plan.inspect import problems_table

    loaded = load_plan(plan_file)
    problems = check_plan(loaded)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    if problems:
        click.echo(problems_table(problems))
        click.echo("")
    indicators = sum(1 for _ in loaded.indicators())
    click.echo(f"{loaded.id}: {indicators} targets, {len(errors)} errors, {len(warnings)} warnings")
    sys.exit(1 if errors else 0)


@plan.command("import")
@click.argument("annex", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="Plan file to write (.yaml).")
@click.option("--notice", type=click.Path(dir_okay=False), help="Text of the issuing notice: title, issuer and document number are read from it.")
@click.option("--id", "plan_id", help="Short id of the plan (default: the annex file name).")
@click.option("--title", help="Plan title (overrides the notice).")
@click.option("--issuer", help="Issuing body (overrides the notice).")
@click.option("--doc-number", help="Document number, e.g. 丁山府发〔2026〕11号 (overrides the notice).")
@click.option("--years", help="Year or years of the plan, e.g. 2026 or 2024-2026 (default: from the title or the annex).")
@click.option("--quiet", is_flag=True, help="Do not print the review table.")
def plan_import(annex, output, notice, plan_id, title, issuer, doc_number, years, quiet):
    """Import a published plan into a plan file: its annex tables (.docx or
    .xlsx), or, for a plan written as numbered paragraphs, its notice text
    (.txt in UTF-8 or GBK, or .docx). With both an annex and a notice, the
    annex is the source of truth and the targets the notice's prose states are
    compared with it.

    Prints a review: every table recognised, every target parsed, and what
    needs a person's look. Edit the plan file to correct it, then run
    'toolkit plan check'.
    """
    from toolkit.errors import UsageError
    from toolkit.plan import save_plan
    from toolkit.plan.importer import Identity, read_notice
    from toolkit.plan.inspect import review_table, sentence_review
    from toolkit.plan.sources import import_plan

    identity = read_notice(notice) if notice else Identity()
    identity.id = plan_id or identity.id
    identity.title = title or identity.title
    identity.issuer = issuer or identity.issuer
    identity.doc_number = doc_number or identity.doc_number
    if years:
        try:
            parts = [int(y) for y in years.replace("—", "-").split("-")]
        except ValueError:
            raise UsageError(f"--years: '{years}' is not a year or range", hint="write --years 2026 or --years 2024-2026") from None
        identity.years = list(range(parts[0], parts[-1] + 1))
    previous = None
    if os.path.exists(output):  # re-import: keep the indicator keys a ledger knows
        from toolkit.plan import load_plan

        previous = load_plan(output)
    result = import_plan(annex, notice=notice, identity=identity, previous=previous)
    save_plan(result.plan, output)
    if not quiet:
        prose = any(t.kind == "prose" for t in result.plan.tables)
        click.echo(sentence_review(result.review) if prose else review_table(result.review))
        click.echo("")
    if result.comparison is not None:
        from toolkit.plan.compare import comparison_report

        report = comparison_report(result.comparison)
        click.echo((report if not quiet else report.splitlines()[0]) + "\n")
    for line in result.skipped_tables:
        click.echo(f"skipped: {line}")
    plan_obj = result.plan
    targets = sum(1 for _ in plan_obj.indicators())
    review = sum(1 for i in result.review if i.status == "review")
    unparsed = sum(1 for i in result.review if i.status == "unparsed")
    tables = "、".join(f"{t.title}({len(t.rows)}行)" for t in plan_obj.tables)
    click.echo(f"imported {tables}: {targets} targets, {review} for review, {unparsed} unparsed -> {output}")


# ---------------------------------------------------------------- templates


@cli.group()
def templates():
    """Fill-in workbooks: one per reporting unit and period."""


@templates.command("build")
@click.argument("plan_file", metavar="PLAN")
@click.option("--units", "units_file", type=click.Path(dir_okay=False), required=True,
              help="Units list (.csv or .xlsx) with columns code, name and optionally kind, parent, contact, aliases, rows.")
@click.option("--period", required=True, help="Reporting period: 2026, 2026H1, 2026Q2 or 2026M05.")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), help="Folder for the workbooks.")
@click.option("--due", help="Due date of the returns, e.g. 2026-07-10 (shown in every workbook).")
@click.option("--contact", help="Who units ask about the templates, e.g. '应急办 张三 023-00000000'.")
@click.option("--password", help="Sheet protection password (default: protected without a password).")
@click.option("--dry-run", is_flag=True, help="Only print which unit reports which rows; write nothing.")
def templates_build(plan_file, units_file, period, out_dir, due, contact, password, dry_run):
    """Write one fill-in workbook per unit for PLAN and PERIOD.

    Who reports which rows follows the annex's responsibility columns
    (责任办公室, 责任单位, 配合单位); a units list column 'rows' overrides it.
    Use --dry-run to check the assignment before sending.
    """
    from toolkit.assign import assign_rows, format_assignment
    from toolkit.errors import UsageError
    from toolkit.periods import parse_due_date, parse_period
    from toolkit.plan import load_plan
    from toolkit.templates import build_templates
    from toolkit.units import load_units

    loaded = load_plan(plan_file)
    units = load_units(units_file)
    period_obj = parse_period(period)
    due_date = parse_due_date(due) if due else None
    assignment = assign_rows(loaded, units)
    if dry_run:
        click.echo(format_assignment(loaded, units, assignment))
        return
    if not out_dir:
        raise UsageError("missing -o/--output", hint="give the folder to write the workbooks to, e.g. -o 模板/2026Q2")
    result = build_templates(loaded, units, period_obj, out_dir, due=due_date, contact=contact,
                             password=password, assignment=assignment)
    for built in result.templates:
        click.echo(f"{built.path}  ({len(built.rows)} rows)")
    for code in result.without_rows:
        name = next(u.name for u in units if u.code == code)
        click.echo(f"no template for {code} {name}: it reports no row of this plan (see --dry-run)")
    click.echo(f"{len(result.templates)} templates for {period_obj.label} -> {out_dir}")


# ---------------------------------------------------------------- validate


@cli.command("validate")
@click.argument("plan_file", metavar="PLAN")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--units", "units_file", type=click.Path(dir_okay=False), help="Units list: returns from other units are errors.")
@click.option("--period", help="The period being collected (e.g. 2026Q2): returns for other periods are errors.")
@click.option("--feedback", "feedback_dir", type=click.Path(file_okay=False), help="Write a marked-up copy of every return with findings here.")
@click.option("--report", "report_file", type=click.Path(dir_okay=False), help="Write the report as a workbook (.xlsx).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON instead of text.")
@click.option("--max-size", type=click.IntRange(min=1), default=20, show_default=True, help="Largest file read, in MB.")
def validate_cmd(plan_file, paths, units_file, period, feedback_dir, report_file, as_json, max_size):
    """Check returned workbooks (files or folders) against PLAN.

    Exit 0 when no file has an error, 1 when any has, 2 for usage errors.
    Input files are never modified.
    """
    from toolkit.periods import parse_period
    from toolkit.plan import load_plan
    from toolkit.units import load_units
    from toolkit.pipeline.validate import validate_returns

    loaded = load_plan(plan_file)
    units = load_units(units_file) if units_file else None
    period_obj = parse_period(period) if period else None
    _check_paths(paths)
    report = validate_returns(loaded, paths, units=units, period=period_obj, limits=_limits(max_size))
    written = _write_outputs(report, feedback_dir, report_file)
    if as_json:
        _emit_json(report.to_json())
    else:
        click.echo(report.to_text(max_findings=200))
        for line in written:
            click.echo(line)
    sys.exit(1 if report.has_errors else 0)


def _limits(max_size_mb: int):
    from toolkit.gate import Limits

    return Limits(max_bytes=max_size_mb * 2**20)


def _check_paths(paths) -> None:
    from pathlib import Path

    from toolkit.errors import UsageError

    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise UsageError(f"not found: {', '.join(missing)}", hint="give the returned workbooks or the folder they are in")


def _write_outputs(report, feedback_dir, report_file) -> list[str]:
    from pathlib import Path

    lines = []
    if feedback_dir:
        from toolkit.xlsx.feedback import write_feedback

        sources = {f.path: Path(f.path) for f in report.files}
        written = write_feedback(report, sources, Path(feedback_dir))
        lines.append(f"feedback: {len(written)} marked-up copies -> {feedback_dir}")
    if report_file:
        from toolkit.xlsx.report import write_report_workbook

        write_report_workbook(report, Path(report_file))
        lines.append(f"report: {report_file}")
    return lines


# ---------------------------------------------------------------- consolidate


@cli.command("consolidate")
@click.argument("plan_file", metavar="PLAN")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--units", "units_file", type=click.Path(dir_okay=False), required=True, help="Units list: who is expected to report.")
@click.option("--period", required=True, help="The period being consolidated, e.g. 2026Q2.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The leaders' workbook to write (.xlsx).")
@click.option("--json", "json_file", type=click.Path(dir_okay=False), help="Also write the result as JSON to this file.")
@click.option("--baseline", type=click.Path(dir_okay=False), help="Baselines (上年同期): a CSV (unit, indicator, value) or last year's consolidated workbook.")
@click.option("--due", help="Due date of the returns (e.g. 2026-07-10): later returns are marked late.")
@click.option("--feedback", "feedback_dir", type=click.Path(file_okay=False), help="Also write marked-up copies of returns with findings here.")
@click.option("--max-size", type=click.IntRange(min=1), default=20, show_default=True, help="Largest file read, in MB.")
def consolidate_cmd(plan_file, paths, units_file, period, output, json_file, baseline, due, feedback_dir, max_size):
    """Validate the returns in PATH... and merge the valid ones into one workbook for leaders."""
    from pathlib import Path

    from toolkit.pipeline.consolidate import consolidate
    from toolkit.xlsx.leaders import write_consolidated_workbook
    from toolkit.fileio import written_alongside
    from toolkit.periods import parse_due_date, parse_period
    from toolkit.plan import load_plan
    from toolkit.units import load_units

    loaded = load_plan(plan_file)
    units = load_units(units_file)
    period_obj = parse_period(period)
    due_date = parse_due_date(due) if due else None
    _check_paths(paths)
    result = consolidate(loaded, paths, units=units, period=period_obj, due=due_date, baseline=baseline,
                         limits=_limits(max_size))
    # the JSON is written by a second process while the workbook is made (this command's own process: it may fork)
    with written_alongside([(json_file, result.json_chunks)] if json_file else [], fork=True):
        data_file = write_consolidated_workbook(result, Path(output))
    if feedback_dir:
        from toolkit.xlsx.feedback import write_feedback
        from toolkit.model.validation import FileReport, ValidationReport

        files = [FileReport(path=f.path, sha256=f.sha256, unit=f.unit, unit_name=f.unit_name, period=f.period,
                            findings=[x for x in result.findings if x.file == f.path], status=f.status)
                 for f in result.files]
        written = write_feedback(ValidationReport(plan_id=loaded.id, period=period_obj.code, files=files),
                                 {f.path: Path(f.path) for f in files}, Path(feedback_dir))
        click.echo(f"feedback: {len(written)} marked-up copies -> {feedback_dir}")
    c = result.completeness
    statuses = {s: sum(1 for a in result.aggregates if a.status == s) for s in ("met", "missed", "review", "no-data")}
    files = {s: sum(1 for f in result.files if f.status == s) for s in ("used", "superseded", "rejected", "unrecognised")}
    click.echo(f"units: {c['expected']} expected, {c['valid']} valid, {c['rejected']} rejected, {c['missing']} missing, {c['late']} late")
    click.echo(f"files: {files['used']} used, {files['superseded']} superseded, {files['rejected']} rejected, {files['unrecognised']} unrecognised")
    click.echo(f"indicators: {statuses['met']} met, {statuses['missed']} missed, {statuses['review']} for review, {statuses['no-data']} no data")
    click.echo(f"consolidated workbook: {output}" + (f"\nvalues (too many for the 数据 sheet): {data_file}" if data_file else "")
               + (f"\njson: {json_file}" if json_file else ""))


# ---------------------------------------------------------------- simulate and demo


@cli.command("simulate")
@click.argument("plan_file", metavar="PLAN")
@click.option("--units", "units_file", type=click.Path(dir_okay=False), required=True, help="Units list.")
@click.option("--period", required=True, help="Reporting period, e.g. 2026Q2.")
@click.option("-n", "count", type=click.IntRange(min=1), help="How many returns (default: one per unit that reports).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed: the same seed gives the same returns.")
@click.option("--error-rate", type=click.FloatRange(0, 1), default=0.0, show_default=True, help="Share of returns with one of the usual mistakes.")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), required=True, help="Folder for the returns.")
def simulate_cmd(plan_file, units_file, period, count, seed, error_rate, out_dir):
    """Fill real templates the way reporting units would (for trying toolkit out).

    Writes the returns and simulation.json, which lists the mistake made in
    each return and the finding it must produce.
    """
    from pathlib import Path

    from toolkit.fileio import write_atomic
    from toolkit.periods import parse_period
    from toolkit.plan import load_plan
    from toolkit.simulate import simulate_returns
    from toolkit.units import load_units

    loaded = load_plan(plan_file)
    result = simulate_returns(loaded, load_units(units_file), parse_period(period), Path(out_dir), n=count, seed=seed,
                              error_rate=error_rate)
    write_atomic(Path(out_dir) / "simulation.json", result.manifest())
    mistakes = sum(1 for r in result.returns if r.mistake)
    click.echo(f"{len(result.returns)} returns ({mistakes} with mistakes) -> {out_dir}")


@cli.command("demo")
@click.argument("folder", default="toolkit-demo", type=click.Path(file_okay=False))
def demo_cmd(folder):
    """Run the whole job on the built-in 丁山镇 2026 plan, in FOLDER.

    Builds the templates, makes the returns units would send (some with the
    usual mistakes), validates them with feedback copies, and consolidates
    them into the leaders' workbook.
    """
    from toolkit.demo import run_demo

    summary = run_demo(folder)
    click.echo(summary)


@cli.command("codes")
@click.option("--markdown", is_flag=True, help="Print the list as Markdown (docs/finding-codes.md).")
def codes_cmd(markdown):
    """List every finding code with its severity and message."""
    from toolkit.findings import CODES, codes_markdown
    from toolkit.textable import render

    if markdown:
        click.echo(codes_markdown(), nl=False)
        return
    rows = [[t.code, t.severity, t.scope, t.title] for t in CODES.values()]
    click.echo(render(["code", "severity", "where", "title"], rows))


def main():
    cli(prog_name="toolkit")


if __name__ == "__main__":
    main()
