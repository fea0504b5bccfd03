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
from toolkit.cli_options import RECORD_HELP, db_option, max_size_option
from toolkit.cli_words import ChineseGroup
from toolkit.errors import ToolkitError


class _Group(ChineseGroup):
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
@click.version_option(__version__, prog_name="toolkit", message="%(prog)s 版本 %(version)s", help="显示版本号并退出。")
def cli():
    """安全生产、防灾减灾目标任务的报表工具。

    \b
    工作步骤：
      plan         计划：导入附件的目标表，查看、检查
      templates    模板：按单位、按报送期生成填报表
      validate     校验：检查收回的报表
      consolidate  汇总：把合格的报表汇总成领导看的汇总表
      brief        通报：生成一期的通报稿（.docx）

    下面各命令里的“计划”，指计划文件（.yaml），或自带计划的名称（用 toolkit plan list 查看）；“路径”指报表文件或所在的文件夹，可以给多个。
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
    """计划：导入印发的附件，查看、检查计划文件。"""


@plan.command("list")
def plan_list():
    """列出自带的计划。"""
    from toolkit.plan import load_plan
    from toolkit.resources import builtin_plans
    from toolkit.textable import render

    rows = []
    for name, path in builtin_plans().items():
        loaded = load_plan(path)
        rows.append([name, loaded.title, loaded.doc_number or "", "、".join(map(str, loaded.years))])
    click.echo(render(["名称", "标题", "文号", "年度"], rows, max_widths={1: 50}))


@plan.command("show")
@click.argument("plan_file", metavar="计划")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 格式输出计划（给其他程序用）。")
def plan_show(plan_file, as_json):
    """把计划（计划文件或自带计划的名称）显示成表格。"""
    from toolkit.plan import load_plan
    from toolkit.plan.inspect import plan_json, show_plan

    loaded = load_plan(plan_file)
    if as_json:
        _emit_json(plan_json(loaded))
    else:
        click.echo(show_plan(loaded))


@plan.command("check")
@click.argument("plan_file", metavar="计划")
def plan_check(plan_file):
    """检查计划，列出问题；有错误时退出码为 1。"""
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
@click.argument("annex", type=click.Path(dir_okay=False), metavar="附件")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, metavar="文件",
              help="要写出的计划文件（.yaml）。")
@click.option("--notice", type=click.Path(dir_okay=False), metavar="文件",
              help="印发通知的正文：从中读出标题、发文机关和文号。")
@click.option("--id", "plan_id", metavar="代号", help="计划的简短代号（默认：附件的文件名）。")
@click.option("--title", metavar="标题", help="计划标题（代替通知中的）。")
@click.option("--issuer", metavar="机关", help="发文机关（代替通知中的）。")
@click.option("--doc-number", metavar="文号", help="文号，如 丁山府发〔2026〕11号（代替通知中的）。")
@click.option("--years", metavar="年份", help="计划的年度，如 2026 或 2024-2026（默认：从标题或附件中读出）。")
@click.option("--quiet", is_flag=True, help="不显示复核表。")
def plan_import(annex, output, notice, plan_id, title, issuer, doc_number, years, quiet):
    """导入印发的计划，写成计划文件。

    附件是目标表（.docx 或 .xlsx）；计划若是分条写的文字，就给通知正文（.txt，UTF-8 或 GBK 编码；或 .docx）。附件和通知都给时，以附件为准，并与通知文字里写的目标逐一核对。

    导入后显示复核表：认出了哪些表、读出了哪些目标、哪些要人工看一下。需要更正时直接修改计划文件，再运行 'toolkit plan check'。
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
    """模板：每个填报单位、每个报送期一份填报表。"""


@templates.command("build")
@click.argument("plan_file", metavar="计划")
@click.option("--units", "units_file", type=click.Path(dir_okay=False), required=True, metavar="文件",
              help="单位名单（.csv 或 .xlsx），列为 code、name，可再加 kind、parent、contact、aliases、rows。")
@click.option("--period", required=True, metavar="报送期", help="报送期：2026、2026H1、2026Q2 或 2026M05。")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), metavar="文件夹", help="存放模板的文件夹。")
@click.option("--due", metavar="日期", help="报表截止日期，如 2026-07-10（写在每份模板上）。")
@click.option("--contact", metavar="联系人", help="单位有疑问时找谁，如 '应急办 张三 023-00000000'。")
@click.option("--password", metavar="密码", help="工作表保护密码（默认：保护但不设密码）。")
@click.option("--dry-run", is_flag=True, help="只显示哪个单位填哪些行，不生成文件。")
@db_option("台账（或环境变量 TOOLKIT_DB）：预填台账中已有的基线、已完成的任务，并注明上期本年累计。")
def templates_build(plan_file, units_file, period, out_dir, due, contact, password, dry_run, db):
    """为计划的一个报送期，给每个单位生成一份填报模板。

    哪个单位填哪些行，按附件的责任列（责任办公室、责任单位、配合单位）分；单位名单里有 rows 列的，以它为准。发出前可先用 --dry-run 核对分工。
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
@click.argument("plan_file", metavar="计划")
@click.argument("paths", nargs=-1, required=True, metavar="路径...")
@click.option("--units", "units_file", type=click.Path(dir_okay=False), metavar="文件",
              help="单位名单：名单外单位的报表算错误。")
@click.option("--period", metavar="报送期", help="本次收的报送期（如 2026Q2）：其他报送期的报表算错误。")
@click.option("--feedback", "feedback_dir", type=click.Path(file_okay=False), metavar="文件夹",
              help="把有问题的报表标注后复制一份到这个文件夹，可退回单位修改。")
@click.option("--report", "report_file", type=click.Path(dir_okay=False), metavar="文件",
              help="把校验结果另存为表格（.xlsx）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 格式输出校验结果（给其他程序用）。")
@max_size_option()
@db_option(RECORD_HELP)
def validate_cmd(plan_file, paths, units_file, period, feedback_dir, report_file, as_json, max_size, db):
    """按计划校验收回的报表（文件或文件夹）。

    退出码：没有文件有错误为 0，有错误为 1，命令用错为 2。不会改动收回的文件。
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
@click.argument("plan_file", metavar="计划")
@click.argument("paths", nargs=-1, metavar="路径...")
@click.option("--units", "units_file", type=click.Path(dir_okay=False), required=True, metavar="文件",
              help="单位名单：哪些单位应当报送。")
@click.option("--period", required=True, metavar="报送期", help="汇总的报送期，如 2026Q2。")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), metavar="文件",
              help="要写出的汇总表（.xlsx，给领导看）。")
@click.option("--json", "json_file", type=click.Path(dir_okay=False), metavar="文件",
              help="同时把结果以 JSON 格式写到这个文件。")
@click.option("--baseline", type=click.Path(dir_okay=False), metavar="文件",
              help="基线（上年同期）：CSV 文件（单位、指标、数值），或上年的汇总表。")
@click.option("--due", metavar="日期", help="报表截止日期（如 2026-07-10）：之后收到的标为逾期。")
@click.option("--feedback", "feedback_dir", type=click.Path(file_okay=False), metavar="文件夹",
              help="同时把有问题的报表标注后复制到这个文件夹。")
@click.option("--brief", "brief_file", type=click.Path(dir_okay=False), metavar="文件",
              help="同时写出通报稿（.docx）。")
@max_size_option()
@db_option(RECORD_HELP)
def consolidate_cmd(plan_file, paths, units_file, period, output, json_file, baseline, due, feedback_dir, brief_file,
                    max_size, db):
    """校验报表，把合格的汇总成一份汇总表。

    校验给出的报表（文件或文件夹），把合格的汇总成一份给领导看的汇总表。用了 --db 而不给路径时，从台账按发出时的原样重新生成该期汇总。"""
    import toolkit
    from toolkit.errors import UsageError

    if not paths and not db:
        raise UsageError("缺少收回的报表（路径）", hint="给出报表文件或文件夹；或用 --db 从台账重新生成已发出的汇总")
    _check_paths(paths)
    result = _shown_on_failure(lambda: toolkit.consolidate(
        plan_file, paths, units=units_file, period=period, due=due, baseline=baseline, output=output,
        json=json_file, feedback=feedback_dir, brief=brief_file, limits=_limits(max_size), fork=True, db=db),
        _print_consolidation)
    _print_consolidation(result)
    from toolkit.cli_history import print_ledger_notes

    print_ledger_notes(result)


@cli.command("brief")
@click.argument("plan_file", metavar="[计划]", required=False)
@click.argument("paths", nargs=-1, metavar="[路径...]")
@click.option("--units", "units_file", type=click.Path(dir_okay=False), metavar="文件",
              help="单位名单：哪些单位应当报送。")
@click.option("--period", metavar="报送期", help="报送期，如 2026Q2。")
@click.option("--due", metavar="日期", help="报表截止日期（如 2026-07-10）：之后收到的标为逾期。")
@click.option("--baseline", type=click.Path(dir_okay=False), metavar="文件", help="基线（上年同期），与 consolidate 的相同。")
@click.option("--from-json", "from_json", type=click.Path(dir_okay=False, exists=True), metavar="文件",
              help="用 consolidate --json 写出的 JSON 文件生成，不再读报表。")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), metavar="文件",
              help="要写出的通报稿（.docx）。")
@max_size_option()
@db_option("台账（或环境变量 TOOLKIT_DB）：不给路径时，生成 --period 那期已发出汇总的通报；并与上期比较。")
def brief_cmd(plan_file, paths, units_file, period, due, baseline, from_json, output, max_size, db):
    """生成一期的通报稿（.docx）。

    可以从报表生成（与 consolidate 相同），也可以从汇总的 JSON 文件或台账生成。"""
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
@click.argument("plan_file", metavar="计划")
@click.option("--units", "units_file", type=click.Path(dir_okay=False), required=True, metavar="文件", help="单位名单。")
@click.option("--period", required=True, metavar="报送期", help="报送期，如 2026Q2。")
@click.option("-n", "count", type=click.IntRange(min=1), metavar="份数", help="生成多少份报表（默认：每个填报单位一份）。")
@click.option("--seed", type=int, default=0, show_default=True, metavar="数字", help="随机种子：种子相同，生成的报表相同。")
@click.option("--error-rate", type=click.FloatRange(0, 1), default=0.0, show_default=True, metavar="比例",
              help="带常见错误的报表所占比例（0 到 1）。")
@click.option("--due", "due", metavar="日期", help="报表截止日期（如 2026-07-10）：多数报表在此前保存，逾期的在此后。")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), required=True, metavar="文件夹",
              help="存放报表的文件夹。")
def simulate_cmd(plan_file, units_file, period, count, seed, error_rate, due, out_dir):
    """模拟单位填报（用来试用本工具）。

    像各单位那样填写真实的模板，写入指定文件夹；旁边（不在文件夹里）另写
    simulation.json，列出每份报表故意犯的错误和应当查出的问题。
    """
    import toolkit

    result = toolkit.simulate_returns(plan_file, units_file, period, out_dir, n=count, seed=seed, error_rate=error_rate,
                                      due=due)
    mistakes = sum(1 for r in result.returns if r.mistake)
    click.echo(f"已生成 {len(result.returns)} 份报表（其中 {mistakes} 份有错误）→ {_safe(out_dir)}；"
               f"说明文件 → {_safe(result.manifest_file)}")


@cli.command("demo")
@click.argument("folder", default="toolkit-demo", type=click.Path(file_okay=False), metavar="[文件夹]")
def demo_cmd(folder):
    """演示：用自带的丁山镇 2026 年计划走一遍全流程。

    在文件夹（默认 toolkit-demo）中生成模板，模拟各单位报回的报表（有些带常见错误），校验并标注退回件，再汇总成给领导看的汇总表。
    """
    import toolkit

    click.echo(toolkit.run_demo(folder))


@cli.command("codes")
@click.option("--markdown", is_flag=True, help="以 Markdown 格式输出（即 docs/finding-codes.md）。")
def codes_cmd(markdown):
    """列出所有问题代码，及其级别和说明。"""
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
