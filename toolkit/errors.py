"""Exceptions for what stops a run.

Findings (what is wrong inside a returned workbook) are data, not exceptions;
these are for the run itself: a plan file that cannot be loaded, an annex that
is not an annex, a units list with duplicate codes. The CLI turns every
ToolkitError into a clean message and a non-zero exit.
"""

from __future__ import annotations


class ToolkitError(Exception):
    """Base class: a message for a person, and where it happened."""

    exit_code = 1

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.where}：{self.message}" if self.where else self.message
        if self.hint:
            text += f"\n  解决办法：{self.hint}"
        return text


class PlanError(ToolkitError):
    """A plan file is missing, malformed or inconsistent."""


class PlanFileErrors(PlanError):
    """Several problems found while loading a plan file, each with its line."""

    def __init__(self, path: str, problems: list[tuple[int | None, str, str | None]]):
        self.path = path
        self.problems = problems
        lines = []
        for line, message, hint in problems:
            where = f"{path}:{line}" if line else path
            lines.append(f"{where}：{message}" + (f"\n  解决办法：{hint}" if hint else ""))
        super().__init__(f"计划文件中有 {len(problems)} 处问题\n" + "\n".join(lines))

    def __str__(self) -> str:
        return self.message


class AnnexError(ToolkitError):
    """An annex document cannot be read or holds no recognisable table."""


class UnitsError(ToolkitError):
    """A units list cannot be read or is inconsistent."""


class UsageError(ToolkitError):
    """The command line asks for something impossible."""

    exit_code = 2


class OutputsNotWritten(ToolkitError):
    """The run's work is done but its outputs could not be written; none of
    them was (toolkit.fileio.OutputSet). `result` holds the work, so that it
    can still be shown."""

    def __init__(self, message: str, *, result, hint: str | None = None):
        super().__init__(f"输出文件未能写入：{message}", hint=hint)
        self.result = result
