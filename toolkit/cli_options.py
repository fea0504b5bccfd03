"""Options several `toolkit` commands share, declared once: the ledger
(`--db`, or the environment variable TOOLKIT_DB) and the largest file read
(`--max-size`). Each command words its help for what the option does there."""

from __future__ import annotations

import click

RECORD_HELP = "台账（SQLite 文件，没有就新建；或环境变量 TOOLKIT_DB）：记下本次结果，与往期比较。"
READ_SIZE_HELP = "读取的文件最大多少 MB。"


def db_option(help: str, *, required: bool = False):
    """`--db FILE`: the ledger (SQLite), also from TOOLKIT_DB."""
    return click.option("--db", type=click.Path(dir_okay=False), envvar="TOOLKIT_DB", required=required,
                        metavar="文件", help=help)


def max_size_option(help: str = READ_SIZE_HELP):
    """`--max-size MB`: the largest file read (20 MB unless given)."""
    return click.option("--max-size", type=click.IntRange(min=1), default=20, show_default=True, metavar="MB",
                        help=help)
