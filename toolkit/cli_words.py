"""Click's own words in Chinese, for the `toolkit` command only.

Click marks its messages ("Usage:", "Missing argument", "No such option" …)
with gettext, importing `_` and `ngettext` into each of its modules when they
are imported. `chinese_click()` binds those names to a small translation of
click's messages while the command runs (and has click measure and wrap
Chinese text by the columns it takes), and puts click's own back when it
ends, so a program that only imports toolkit (or uses click itself) keeps
click as it was. A message not in the table stays in English.

The usage line's placeholders ([选项], 命令 [参数]...) are set by
`ChineseCommand` and `ChineseGroup`, which every toolkit command uses; their
`main` is where the translation is put in place, so it holds for the
installed `toolkit` command, `python -m toolkit` and click's CliRunner alike.
"""

from __future__ import annotations

import gettext
import importlib
import re
import unicodedata
from contextlib import contextmanager

import click
from click._compat import strip_ansi
from click._textwrap import TextWrapper

# click's msgids (click 8.x) -> Chinese; the placeholders stay as click fills them.
WORDS = {
    "Usage:": "用法:",
    "Options": "选项",
    "Commands": "命令",
    "Arguments": "参数",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s 版本 %(version)s",
    "Try '{command} {option}' for help.": "输入 '{command} {option}' 查看帮助。",
    "Error: {message}": "错误：{message}",
    "Error: invalid input": "错误：输入无效",
    "Error: The two entered values do not match.": "错误：两次输入不一致。",
    "Aborted!": "已取消。",
    "Missing command.": "缺少命令。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值不对：{message}",
    "Invalid value: {message}": "值不对：{message}",
    "Value must be an iterable.": "值必须是一组。",
    "Option {name!r} does not take a value.": "选项 {name!r} 后面不带值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    "Invalid start character for option ({option})": "选项开头的字符不对（{option}）",
    "Could not open file {filename!r}: {message}": "打不开文件 {filename!r}：{message}",
    "unknown error": "未知错误",
    "required": "必填",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "(dynamic)": "（运行时决定）",
    "deprecated": "已停用",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件，这里要的是文件夹。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹，这里要的是文件。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 无法读取（没有权限）。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 无法写入（没有权限）。",
    "{name} {filename!r} is not executable.": "{name} {filename!r} 不能运行。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是{number_type}。",
    "{value} is not in the range {range}.": "{value} 超出范围（{range}）。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "{value!r} 不是“是/否”。可以写：{states}",
    "{value!r} is not a valid UUID.": "{value!r} 不是有效的 UUID。",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "Do you want to continue?": "是否继续？",
    "Confirm the action without prompting.": "不询问，直接确认。",
    "Repeat for confirmation": "再输入一次以确认",
    "Press any key to continue...": "按任意键继续……",
    "{editor}: Editing failed": "{editor}：编辑失败",
    "{editor}: Editing failed: {e}": "{editor}：编辑失败：{e}",
}

# ngettext: the singular msgid -> (Chinese for one, Chinese for several); Chinese has one form,
# but click's two forms can say different things.
PLURALS = {
    "Got unexpected extra argument ({args})": ("多余的参数（{args}）", "多余的参数（{args}）"),
    "Did you mean {possibility}?": ("您是不是要输入 {possibility}？", "（您是不是要输入其中之一：{possibilities}？）"),
    "Option {name!r} requires an argument.": ("选项 {name!r} 后面要跟一个值。", "选项 {name!r} 后面要跟 {nargs} 个值。"),
    "Takes {nargs} values but 1 was given.": ("需要 {nargs} 个值，只给了 1 个。", "需要 {nargs} 个值，给了 {len} 个。"),
    "{value!r} is not {choice}.": ("{value!r} 不是 {choice}。", "{value!r} 不在可选值 {choices} 中。"),
    "{value!r} does not match the format {format}.": ("{value!r} 不符合格式 {format}。", "{value!r} 不符合格式 {formats} 中的任何一种。"),
    "{len_type} values are required, but {len_value} was given.": ("需要 {len_type} 个值，给了 {len_value} 个。",) * 2,
}

# Words click fills into a message in English (named when the command was defined, before
# the translation was in place): "is not a valid {number_type}", "{name} 'x' does not exist".
FILLED = {
    "number_type": {"integer": "整数", "float": "数", "integer range": "整数", "float range": "数"},
    "name": {"File": "文件", "Directory": "文件夹", "Path": "路径"},
}


class _Template(str):
    """A translated message whose English fillings (FILLED) are said in Chinese."""

    def format(self, *args, **kwargs):
        for key, words in FILLED.items():
            if isinstance(kwargs.get(key), str):
                kwargs[key] = words.get(kwargs[key], kwargs[key])
        return str.format(self, *args, **kwargs)


class ClickChinese(gettext.NullTranslations):
    """click's msgids -> Chinese; anything else unchanged (English)."""

    def gettext(self, message):
        return _Template(WORDS[message]) if message in WORDS else message

    def ngettext(self, msgid1, msgid2, n):
        if msgid1 in PLURALS:
            return _Template(PLURALS[msgid1][0 if n == 1 else 1])
        return msgid1 if n == 1 else msgid2


def display_width(text: str) -> int:
    """Columns text takes on a terminal: a Chinese character or full-width mark takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in strip_ansi(text))


_WIDE = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
_OPENING = "（《「『【〔“‘"
_CLOSING = "，。、；：？！）》」』】〕”’"


def _pieces(chunk: str) -> list[str]:
    """A word of text split where a line may break: between Chinese characters, but never before
    a closing mark nor after an opening one, and never inside a run of other text."""
    pieces: list[str] = []
    for ch in chunk:
        if pieces and (ch in _CLOSING or pieces[-1][-1] in _OPENING
                       or not (_WIDE.match(ch) or _WIDE.match(pieces[-1][-1]))):
            pieces[-1] += ch
        else:
            pieces.append(ch)
    return pieces


class ChineseTextWrapper(TextWrapper):
    """click's wrapper, breaking lines between Chinese characters too, which take two columns."""

    def _split(self, text):
        return [piece for chunk in super()._split(text)
                for piece in ([chunk] if chunk.isspace() else _pieces(chunk))]


# click's modules that import `_` or `ngettext` from gettext
CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "types", "parser", "termui", "utils",
                 "_termui_impl", "shell_completion")


def _replacements():
    """(module, name, ours): what click's modules use that the command replaces while it runs."""
    words = ClickChinese()
    for name in CLICK_MODULES:
        try:
            module = importlib.import_module(f"click.{name}")
        except ImportError:  # a module another click version lacks
            continue
        for attr, ours in (("_", words.gettext), ("ngettext", words.ngettext)):
            if attr in vars(module):
                yield module, attr, ours
    wrapping = importlib.import_module("click._textwrap")
    for module in (importlib.import_module("click.formatting"), wrapping):
        if hasattr(module, "term_len"):  # click before 8.3 wraps by len(): Chinese lines come out long
            yield module, "term_len", display_width
    yield wrapping, "TextWrapper", ChineseTextWrapper


@contextmanager
def chinese_click():
    """While the block runs, click speaks Chinese and wraps Chinese text; afterwards it is as it was."""
    replaced = list(_replacements())
    saved = [(module, attr, getattr(module, attr)) for module, attr, _ in replaced]
    for module, attr, ours in replaced:
        setattr(module, attr, ours)
    try:
        yield
    finally:
        for module, attr, theirs in reversed(saved):
            setattr(module, attr, theirs)


class _Chinese:
    """The command's own words, and click's, in Chinese while it runs."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)

    def main(self, *args, **kwargs):
        with chinese_click():
            return super().main(*args, **kwargs)


class ChineseCommand(_Chinese, click.Command):
    pass


class ChineseGroup(_Chinese, click.Group):
    command_class = ChineseCommand
    group_class = type  # subgroups are of the class of their parent

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)
