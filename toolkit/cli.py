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
            click.echo(f"错误：{_safe(exc)}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("已中断。", err=True)
            ctx.exit(130)
        except OSError as exc:  # a folder that cannot be written, a full disk …
            where = f"{_safe(exc.filename)}：" if exc.filename else ""
            click.echo(f"错误：{where}{exc.strerror or exc}\n  解决办法：检查路径是否存在、是否有写入权限、磁盘是否已满",
                       err=True)
            ctx.exit(1)
        except Exception as exc:  # a bug: say so plainly, keep details for the developer
            if os.environ.get("TOOLKIT_DEBUG"):
                raise
            from toolkit.logs import log_internal_error

            log = log_internal_error(f"toolkit {' '.join(sys.argv[1:])}")
            click.echo(f"toolkit 内部错误（{exc.__class__.__name__}），不是您的文件或操作的问题。\n"
                       f"  详情已记入日志：{log}\n  请把该日志发给技术支持。", err=True)
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
      brief        the 通报 draft (.docx) of a period
    """


def _safe(text) -> str:
    """Text from files and units, shown on a terminal: control characters
    (escape sequences, bidirectional overrides) made visible, never obeyed."""
    from toolkit.textable import terminal_text

    return terminal_text(str(text))


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
    click.echo(f"《{loaded.title}》：{indicators} 项目标，{len(errors)} 个错误，{len(warnings)} 个提示")
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
            raise UsageError(f"--years：“{years}”不是年份或年份范围", hint="写作 --years 2026 或 --years 2024-2026") from None
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
        click.echo(f"已跳过：{line}")
    plan_obj = result.plan
    targets = sum(1 for _ in plan_obj.indicators())
    review = sum(1 for i in result.review if i.status == "review")
    unparsed = sum(1 for i in result.review if i.status == "unparsed")
    tables = "、".join(f"{t.title}({len(t.rows)}行)" for t in plan_obj.tables)
    click.echo(f"已导入 {tables}：{targets} 项目标，{review} 项待人工复核，{unparsed} 项未能解析 → {output}")


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
@click.option("--db", type=click.Path(dir_okay=False), envvar="TOOLKIT_DB", help="The ledger (or TOOLKIT_DB): fill in what it knows (baselines, tasks done) and note last period's 本年累计.")
def templates_build(plan_file, units_file, period, out_dir, due, contact, password, dry_run, db):
    """Write one fill-in workbook per unit for PLAN and PERIOD.

    Who reports which rows follows the annex's responsibility columns
    (责任办公室, 责任单位, 配合单位); a units list column 'rows' overrides it.
    Use --dry-run to check the assignment before sending.
    """
    import toolkit
    from toolkit.errors import UsageError

    if dry_run:
        from toolkit.assign_listing import format_assignment

        plan_obj, units = toolkit.load_plan(plan_file), toolkit.load_units(units_file)
        click.echo(format_assignment(plan_obj, units, toolkit.assignment(plan_obj, units)))
        return
    if not out_dir:
        raise UsageError("缺少 -o/--output", hint="给出存放模板的文件夹，例如 -o 模板/2026Q2")
    result = toolkit.build_templates(plan_file, units_file, period, out_dir, due=due, contact=contact,
                                     password=password, db=db)
    for built in result.templates:
        click.echo(f"{_safe(built.path)}  （{len(built.rows)} 行）")
    names = {u.code: u.name for u in toolkit.load_units(units_file)}
    for code in result.without_rows:
        click.echo(f"{_safe(code)} {_safe(names.get(code, ''))}：本计划没有需要该单位填报的行，未生成模板（见 --dry-run）")
    from toolkit.api import period_of

    click.echo(f"已生成 {len(result.templates)} 个模板（{period_of(period).label}）→ {_safe(out_dir)}")
    if result.prefilled:
        click.echo(f"已按台账预填或标注 {result.prefilled} 个单元格（基线、上期本年累计、已完成的任务）")
    if result.removed:
        click.echo(f"已删除被本次取代的旧模板（其他计划版本或单位改名前的） {len(result.removed)} 个：{_safe('、'.join(result.removed[:5]))}"
                   + ("……" if len(result.removed) > 5 else ""))


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
@click.option("--db", type=click.Path(dir_okay=False), envvar="TOOLKIT_DB", help="The ledger (SQLite file, created if new; or TOOLKIT_DB): record this run, compare with earlier periods.")
def validate_cmd(plan_file, paths, units_file, period, feedback_dir, report_file, as_json, max_size, db):
    """Check returned workbooks (files or folders) against PLAN.

    Exit 0 when no file has an error, 1 when any has, 2 for usage errors.
    Input files are never modified.
    """
    import toolkit

    _check_paths(paths)
    report = _shown_on_failure(lambda: toolkit.validate(
        plan_file, paths, units=units_file, period=period, feedback=feedback_dir, report=report_file,
        limits=_limits(max_size), db=db), lambda r: _print_validation(r, as_json))
    _print_validation(report, as_json)
    sys.exit(1 if report.has_errors else 0)


def _print_validation(report, as_json: bool) -> None:
    if as_json:
        _emit_json(report.to_json())
        return
    click.echo(_safe(report.to_text(max_findings=200)))
    for path in report.written:
        click.echo(f"已写入：{_safe(path)}")


def _shown_on_failure(run, show):
    """Run a command's library call; when its outputs could not be written,
    show its results first, then the error (the checking is not lost)."""
    from toolkit.errors import OutputsNotWritten

    try:
        return run()
    except OutputsNotWritten as exc:
        show(exc.result)
        raise


def _limits(max_size_mb: int):
    from toolkit.gate import Limits

    return Limits(max_bytes=max_size_mb * 2**20)


def _check_paths(paths) -> None:
    from pathlib import Path

    from toolkit.errors import UsageError

    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise UsageError(f"找不到：{'、'.join(missing)}", hint="给出收回的报表文件，或它们所在的文件夹")


# ---------------------------------------------------------------- consolidate


@cli.command("consolidate")
@click.argument("plan_file", metavar="PLAN")
@click.argument("paths", nargs=-1, metavar="PATH...")
@click.option("--units", "units_file", type=click.Path(dir_okay=False), required=True, help="Units list: who is expected to report.")
@click.option("--period", required=True, help="The period being consolidated, e.g. 2026Q2.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The leaders' workbook to write (.xlsx).")
@click.option("--json", "json_file", type=click.Path(dir_okay=False), help="Also write the result as JSON to this file.")
@click.option("--baseline", type=click.Path(dir_okay=False), help="Baselines (上年同期): a CSV (unit, indicator, value) or last year's consolidated workbook.")
@click.option("--due", help="Due date of the returns (e.g. 2026-07-10): later returns are marked late.")
@click.option("--feedback", "feedback_dir", type=click.Path(file_okay=False), help="Also write marked-up copies of returns with findings here.")
@click.option("--brief", "brief_file", type=click.Path(dir_okay=False), help="Also write the 通报 draft (.docx) here.")
@click.option("--max-size", type=click.IntRange(min=1), default=20, show_default=True, help="Largest file read, in MB.")
@click.option("--db", type=click.Path(dir_okay=False), envvar="TOOLKIT_DB", help="The ledger (SQLite file, created if new; or TOOLKIT_DB): record this run, compare with earlier periods.")
def consolidate_cmd(plan_file, paths, units_file, period, output, json_file, baseline, due, feedback_dir, brief_file,
                    max_size, db):
    """Validate the returns in PATH... and merge the valid ones into one workbook for leaders.

    With --db and no PATH, the period's summary is rendered again from the
    ledger exactly as it was issued."""
    import toolkit
    from toolkit.errors import UsageError

    if not paths and not db:
        raise UsageError("缺少收回的报表（PATH）", hint="给出报表文件或文件夹；或用 --db 从台账重新生成已发出的汇总")
    _check_paths(paths)
    result = _shown_on_failure(lambda: toolkit.consolidate(
        plan_file, paths, units=units_file, period=period, due=due, baseline=baseline, output=output,
        json=json_file, feedback=feedback_dir, brief=brief_file, limits=_limits(max_size), fork=True, db=db),
        _print_consolidation)
    _print_consolidation(result)
    from toolkit.cli_history import print_ledger_notes

    print_ledger_notes(result)


@cli.command("brief")
@click.argument("plan_file", metavar="[PLAN]", required=False)
@click.argument("paths", nargs=-1, metavar="[PATH...]")
@click.option("--units", "units_file", type=click.Path(dir_okay=False), help="Units list: who is expected to report.")
@click.option("--period", help="The period, e.g. 2026Q2.")
@click.option("--due", help="Due date of the returns (e.g. 2026-07-10): later returns are marked late.")
@click.option("--baseline", type=click.Path(dir_okay=False), help="Baselines (上年同期), as for consolidate.")
@click.option("--from-json", "from_json", type=click.Path(dir_okay=False, exists=True), help="Build it from the JSON consolidate --json wrote, instead of the returns.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The 通报 draft to write (.docx).")
@click.option("--max-size", type=click.IntRange(min=1), default=20, show_default=True, help="Largest file read, in MB.")
@click.option("--db", type=click.Path(dir_okay=False), envvar="TOOLKIT_DB", help="The ledger (or TOOLKIT_DB): with no PATH, the 通报 of the summary issued for --period; compared with the period before.")
def brief_cmd(plan_file, paths, units_file, period, due, baseline, from_json, output, max_size, db):
    """Write the 通报 draft (.docx) of a period: from the returns, as consolidate, from its JSON, or from the ledger."""
    import toolkit

    if not from_json:
        _check_paths(paths)
    result = _shown_on_failure(lambda: toolkit.brief(
        plan_file, paths, units=units_file, period=period, due=due, baseline=baseline, from_json=from_json,
        output=output, limits=_limits(max_size), db=db), _print_consolidation)
    _print_consolidation(result)
    from toolkit.cli_history import print_ledger_notes

    print_ledger_notes(result)


def _print_consolidation(result) -> None:
    from collections import Counter

    from toolkit.words import FILE_STATUS_WORDS, STATUS_WORDS

    c = result.completeness
    click.echo(f"单位：应报 {c['expected']}，有效 {c['valid']}，退回 {c['rejected']}，未报 {c['missing']}，逾期 {c['late']}")
    files = Counter(f.status for f in result.files)
    click.echo("文件：" + "，".join(f"{FILE_STATUS_WORDS.get(k, k)} {n}" for k, n in files.items()))
    click.echo("指标：" + "，".join(f"{STATUS_WORDS.get(k, k)} {n}" for k, n in result.status_counts.items() if n))
    for notice in result.notices:
        click.echo(f"注意：{_safe(notice)}")
    for path in result.written:
        click.echo(f"已写入：{_safe(path)}")


# ---------------------------------------------------------------- simulate and demo


@cli.command("simulate")
@click.argument("plan_file", metavar="PLAN")
@click.option("--units", "units_file", type=click.Path(dir_okay=False), required=True, help="Units list.")
@click.option("--period", required=True, help="Reporting period, e.g. 2026Q2.")
@click.option("-n", "count", type=click.IntRange(min=1), help="How many returns (default: one per unit that reports).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed: the same seed gives the same returns.")
@click.option("--error-rate", type=click.FloatRange(0, 1), default=0.0, show_default=True, help="Share of returns with one of the usual mistakes.")
@click.option("--due", "due", help="Due date of the returns (YYYY-MM-DD): returns are saved by then, late ones after.")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), required=True, help="Folder for the returns.")
def simulate_cmd(plan_file, units_file, period, count, seed, error_rate, due, out_dir):
    """Fill real templates the way reporting units would (for trying toolkit out).

    Writes the returns into the folder and simulation.json beside it (not in
    it), which lists the mistake made in each return and the finding it must
    produce.
    """
    import toolkit

    result = toolkit.simulate_returns(plan_file, units_file, period, out_dir, n=count, seed=seed, error_rate=error_rate,
                                      due=due)
    mistakes = sum(1 for r in result.returns if r.mistake)
    click.echo(f"已生成 {len(result.returns)} 份报表（其中 {mistakes} 份有错误）→ {_safe(out_dir)}；"
               f"说明文件 → {_safe(result.manifest_file)}")


@cli.command("demo")
@click.argument("folder", default="toolkit-demo", type=click.Path(file_okay=False))
def demo_cmd(folder):
    """Run the whole job on the built-in 丁山镇 2026 plan, in FOLDER.

    Builds the templates, makes the returns units would send (some with the
    usual mistakes), validates them with feedback copies, and consolidates
    them into the leaders' workbook.
    """
    import toolkit

    click.echo(toolkit.run_demo(folder))


@cli.command("codes")
@click.option("--markdown", is_flag=True, help="Print the list as Markdown (docs/finding-codes.md).")
def codes_cmd(markdown):
    """List every finding code with its severity and message."""
    from toolkit.findings import CODES, codes_markdown
    from toolkit.textable import render

    if markdown:
        click.echo(codes_markdown(), nl=False)
        return
    from toolkit.words import LEVEL_WORDS

    rows = [[t.code, LEVEL_WORDS.get(t.severity, t.severity), t.scope, t.title] for t in CODES.values()]
    click.echo(render(["代码", "级别", "范围", "标题"], rows))


from toolkit.cli_history import history  # noqa: E402 (the ledger's commands)

cli.add_command(history)

from toolkit.cli_serve import serve  # noqa: E402 (the clerk's desk)

cli.add_command(serve)


def main():
    cli(prog_name="toolkit")


if __name__ == "__main__":
    main()
