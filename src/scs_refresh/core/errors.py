"""User-facing errors: one line each, naming the file, the place in it and the problem.

Anything an officer can fix by editing a file raises :class:`UserError` (or its
subclass :class:`ConfigError`); the CLI prints it without a traceback and exits 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input file, located as precisely as we can."""

    file: Path
    message: str
    key: str = ""  # YAML key path such as ``meetings[3].date``; empty for the whole file
    line: int | None = None  # 1-based line in ``file``

    def __str__(self) -> str:
        where = str(self.file) if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class UserError(Exception):
    """An error caused by input the officer controls; shown as one line, exit code 2."""

    exit_code = 2

    def lines(self) -> list[str]:
        return [str(self)]


class ConfigError(UserError):
    """One or more problems found while loading a configuration or input file."""

    def __init__(self, problems: list[Problem]):
        if not problems:
            raise ValueError("ConfigError needs at least one problem")
        self.problems = list(problems)
        super().__init__(str(self.problems[0]))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]
