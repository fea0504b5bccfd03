"""The `toolkit` command speaks Chinese: every --help, click's own words, the usual mistakes.

Only names stay in ASCII: the commands and options a clerk types (as typed), file types, the
environment variables, and a few technical names (JSON, SQLite, Excel …).
"""

import re
import subprocess
import sys

import click
import pytest

from toolkit.cli import cli
from toolkit.cli_words import display_width

# Names that are ASCII on purpose; every other run of three or more letters is English leaking.
TECHNICAL = {"toolkit", "help", "version", "docx", "xlsx", "yaml", "csv", "json", "txt", "utf", "gbk", "sqlite",
             "excel", "markdown", "ctrl", "password",  # TOOLKIT_DB, TOOLKIT_PASSWORD
             "simulation", "docs", "finding", "codes",
             "demo", "code", "name", "kind", "parent", "contact", "aliases", "rows"}


def _commands(group, path=()):
    """Every command path under group, the group itself included, e.g. ('history', 'import')."""
    yield path
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name)


def _names(group):
    """The command names and option words a clerk types."""
    names = set()
    for path in _commands(group):
        names.update(path)
        command = group
        for part in path:
            command = command.commands[part]
        for param in command.params:
            for opt in param.opts + param.secondary_opts:
                names.update(opt.lstrip("-").split("-"))
    return names


NAMES = _names(cli)
COMMANDS = list(_commands(cli))


def english(text, typed=()):
    """Runs of three or more ASCII letters that are not allowed names (nor words the clerk typed, echoed)."""
    echoed = {w for arg in typed for w in re.findall(r"[A-Za-z]+", arg)}
    return sorted({w for w in re.findall(r"[A-Za-z]{3,}", text)
                   if w not in NAMES and w not in echoed and w.lower() not in TECHNICAL})


def test_the_allow_list_catches_english():
    assert english("Usage: toolkit validate [OPTIONS] PLAN") == ["OPTIONS", "PLAN", "Usage"]
    assert english("用法: toolkit validate [选项] 计划 --max-size 2026Q2 .xlsx") == []


def test_every_command_is_found():
    assert {("plan", "import"), ("templates", "build"), ("history", "export"), ("serve",), ("validate",)} <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "toolkit")
def test_help_is_chinese(runner, path):
    result = runner.invoke(cli, [*path, "--help"], prog_name="toolkit")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"用法: {' '.join(('toolkit', *path))} [选项]")
    assert "选项:" in result.output and "显示本帮助并退出。" in result.output
    assert english(result.output) == []
    lines = result.output.splitlines()
    assert max(map(display_width, lines)) <= 80, "a line wider than the terminal"
    assert not [line for line in lines if line.strip()[:1] in set("，。、；：？！）》」")], "a line begins with a closing mark"


def test_help_through_the_real_command_is_chinese():
    for args in (["--help"], ["history", "import", "--help"]):
        done = subprocess.run([sys.executable, "-m", "toolkit", *args], capture_output=True, text=True, encoding="utf-8")
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("用法: toolkit") and "显示本帮助并退出。" in done.stdout
        assert english(done.stdout) == []


def test_version_is_chinese(runner):
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("toolkit 版本 ")


MISTAKES = [
    (["validate"], "缺少参数 '计划'"),
    (["validate", "plan.yaml", "x.xlsx", "--max-siz", "3"], "没有选项 '--max-siz'。 您是不是要输入 '--max-size'？"),
    (["validate", "plan.yaml", "x.xlsx", "--max-size", "大"], "'--max-size' 的值不对：'大' 不是整数。"),
    (["validate", "plan.yaml", "x.xlsx", "--max-size", "0"], "'--max-size' 的值不对：0 超出范围（x>=1）。"),
    (["simulate", "plan.yaml", "--error-rate", "半"], "'--error-rate' 的值不对：'半' 不是数。"),
    (["brief", "--from-json", "没有.json", "-o", "x.docx"], "'--from-json' 的值不对：文件 '没有.json' 不存在。"),
    (["consolidate", "plan.yaml", "--period", "2026Q2", "-o", "x.xlsx"], "缺少选项 '--units'"),
    (["history", "export", "--db", "l.db", "-o", "d", "多余"], "多余的参数（多余）"),
    (["templatez"], "没有命令 'templatez'。"),
]


@pytest.mark.parametrize("args, said", MISTAKES, ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_usage_mistakes_are_said_in_chinese(runner, args, said):
    result = runner.invoke(cli, args, prog_name="toolkit")
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert f"错误：{said}" in result.output
    assert "--help' 查看帮助。" in result.output
    assert english(result.output, typed=args) == [], result.output


def test_a_mistake_through_the_real_command_is_chinese():
    done = subprocess.run([sys.executable, "-m", "toolkit", "validate", "--bogus"], capture_output=True, text=True,
                          encoding="utf-8")
    assert done.returncode == 2
    assert "错误：没有选项 '--bogus'。" in done.stderr and "Traceback" not in done.stderr
    assert english(done.stderr, typed=["--bogus"]) == []


def _english_click():
    """click's words as another program using click sees them."""
    import click.core
    import click.exceptions
    import click.formatting
    import click.testing

    assert click.exceptions._("Error: {message}") == "Error: {message}"
    assert click.formatting._("Usage:") == "Usage:"
    assert click.core.ngettext("Got unexpected extra argument ({args})", "x", 1) == "Got unexpected extra argument ({args})"
    assert click.formatting.term_len is click._compat.term_len
    assert click._textwrap.TextWrapper.__module__ == "click._textwrap"

    @click.command()
    @click.argument("name")
    def other(name):
        """Another program."""

    runner = click.testing.CliRunner()
    assert runner.invoke(other, ["--help"]).output.startswith("Usage: other [OPTIONS] NAME")
    assert "Error: Missing argument 'NAME'." in runner.invoke(other, []).output


def test_click_is_left_english_for_other_programs(runner):
    runner.invoke(cli, ["validate"])  # toolkit ran in this process: click is as it was afterwards
    _english_click()


def test_importing_toolkit_does_not_change_click():
    code = ("import toolkit, toolkit.cli, click.exceptions, click.formatting; "
            "print(click.exceptions._('Error: {message}'), click.formatting._('Usage:'), sep='|')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "Error: {message}|Usage:"
