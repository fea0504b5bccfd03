"""`toolkit history`: what the ledger holds (a thin click layer over toolkit.api)."""

from __future__ import annotations

import click

from toolkit.cli_options import db_option
from toolkit.cli_words import ChineseGroup

DB = db_option("台账（SQLite 文件；或环境变量 TOOLKIT_DB）。", required=True)


def _safe(text) -> str:
    from toolkit.textable import terminal_text

    return terminal_text(str(text))


def _number(value) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if abs(value) >= 1 or value == 0 else f"{value:.4g}"


@click.group(cls=ChineseGroup)
def history():
    """台账：查看报送期、单位和指标，导入往期汇总，导出 CSV。"""


@history.command("periods")
@DB
def history_periods(db):
    """台账中的各报送期：文件数、采用的报表、汇总时间、汇总后的更正。"""
    import toolkit
    from toolkit.periods import period_label
    from toolkit.textable import render

    rows = []
    for p in toolkit.history_periods(db):
        changed = "、".join(p["changed_since_issued"])
        rows.append([p["period"], period_label(p["period"]), p["files"], p["used"], (p["issued"] or "未汇总")[:19],
                     f"汇总后又收到 {changed} 的报表" if changed else ""])
    click.echo(render(["报送期", "名称", "文件", "采用", "汇总时间", "汇总后更正"], rows))


@history.command("units")
@DB
def history_units(db):
    """台账中的各单位，及其报送过的报送期。"""
    import toolkit
    from toolkit.textable import render

    rows = [[_safe(u["unit"]), _safe(u["name"] or ""), u["returns"], "、".join(u["periods"])] for u in toolkit.history_units(db)]
    click.echo(render(["单位代码", "单位", "采用的报表", "报送期"], rows))


@history.command("indicator")
@click.argument("name", metavar="指标")
@DB
@click.option("--unit", metavar="单位代码", help="只看这个单位（填单位代码）的数，不看全域的。")
def history_indicator(name, db, unit):
    """一项指标历期的数值：指标写名称、代码或其中一部分。"""
    import toolkit
    from toolkit.errors import UsageError
    from toolkit.textable import render

    found = toolkit.history_indicator(db, name, unit=unit)
    if not found:
        raise UsageError(f"台账中没有名称或代码含“{name}”的指标", hint="用 toolkit history periods 查看台账内容")
    for series in found:
        click.echo(f"{_safe(series['name'])}（{series['unit'] or '-'}）  {_safe(series['key'])}")
        click.echo(render(["报送期", "数值"], [[h["period"], _number(h["value"])] for h in series["history"]]))
        click.echo("")


@history.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True), metavar="文件")
@DB
@click.option("--plan", "plan_file", required=True, metavar="计划", help="这些数属于（或接续）哪个计划的指标。")
@click.option("--period", metavar="报送期", help="该汇总的报送期（导入汇总表时必填；JSON 文件自带）。")
def history_import(file, db, plan_file, period):
    """导入往期汇总（consolidate --json 的文件或汇总表），作为该期的数。"""
    import toolkit

    done = toolkit.history_import(db, plan_file, file, period=period)
    click.echo(f"已导入 {done['period']}：{done['units']} 个单位，{done['values']} 个数值，{done['series']} 个全域指标 → {_safe(db)}")


@history.command("export")
@DB
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), required=True, metavar="文件夹",
              help="存放 CSV 文件的文件夹。")
def history_export(db, out_dir):
    """把台账的每张表导出为 CSV（UTF-8，可用 Excel 打开），并导出每期汇总的 JSON。"""
    import toolkit

    written = toolkit.history_export(db, out_dir)
    click.echo(f"已导出 {len(written)} 个文件 → {_safe(out_dir)}")


def print_ledger_notes(result) -> None:
    """What a consolidation with a ledger has to say beyond its figures."""
    for period, units in sorted(getattr(result, "changed_periods", {}).items()):
        click.echo(f"注意：{period} 的汇总发出后，又采用了 {'、'.join(map(_safe, units))} 的报表（迟到的更正），该期汇总已有变化。")
    since = getattr(result, "since_issued", [])
    if since:
        click.echo(f"按发出时的原样重新生成；此后又采用了 {len(since)} 份报表，未包含在内：")
        for unit, path, when in since:
            click.echo(f"  {_safe(unit)}  {_safe(path)}（{when[:19]}）")
