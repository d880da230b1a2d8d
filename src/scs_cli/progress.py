"""A live line for long commands: the step under way, so the officer never watches a silent terminal.

The domain says what it is doing through ``logging`` (one logger per module, under
``scs_refresh``); while a long command runs, each such line replaces the text of a rich status
line at the foot of the terminal. Nothing is added to the command's own output (``-v`` prints
the lines themselves).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.status import Status
from rich.text import Text


class _ToStatus(logging.Handler):
    def __init__(self, status: Status):
        super().__init__(logging.INFO)
        self.status = status

    def emit(self, record: logging.LogRecord) -> None:
        self.status.update(Text(record.getMessage()[:160] + " ..."))  # as written, never as markup


@contextmanager
def steps(console: Console, first: str) -> Iterator[Status]:
    """Show ``first``, then each step the domain logs, on one live line until the block ends."""
    domain = logging.getLogger("scs_refresh")
    level = domain.level
    with console.status(Text(first + " ...")) as status:
        handler = _ToStatus(status)
        domain.addHandler(handler)
        if domain.getEffectiveLevel() > logging.INFO:
            domain.setLevel(logging.INFO)
        try:
            yield status
        finally:
            domain.removeHandler(handler)
            domain.setLevel(level)
