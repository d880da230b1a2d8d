"""``scs``: the officer's command line. Thin: it parses, loads config once, calls the domain.

Where things are: :mod:`scs_cli.app` holds the Typer app, its folder options and error handling;
:mod:`scs_cli.commands` holds the sub-commands, one module per part of the process (its docstring
lists which command is where); :mod:`scs_cli.views` draws the tables. This module registers the
commands and is the console script.

Commands that need no Prefect never import it (or pandas), so they answer at once; and a run
imports only the module of the command it names (``COMMANDS``), so `scs timetable` neither
imports nor builds the other forty commands. ``from scs_cli.main import app`` gives the app with
every command. Errors in the officer's files are printed as one line each and exit with code 2.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import os
import re
import sys
from collections.abc import Sequence

# pydantic looks for plugins in every installed package's metadata when the first model is made, a
# noticeable part of a quick command such as `scs timetable`; scs uses none.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import typer  # noqa: E402

from scs_cli.app import app as _app  # noqa: E402

__all__ = ["COMMANDS", "collect_less", "load", "main"]  # and `app`, every command registered (see __getattr__)

#: Python's default garbage collection thresholds (700, 10, 10) walk every long-lived object again and again
#: in a process holding documents, data tables and charts: a whole cycle made 17 full collections and 260 of
#: the middle generation, 4-8 s of its time. These make a full collection rare and a young one cheap.
GC_THRESHOLDS = (5000, 20, 20)


def collect_less() -> None:
    """Collect garbage as a long document run needs (what ``scs`` runs with; the cycle's bench too)."""
    gc.set_threshold(*GC_THRESHOLDS)


#: Each module of scs_cli.commands and the commands (or groups) it registers, in the order `scs --help`
#: lists them. Importing a module registers its commands; a command missing here still works (every
#: module is imported for a name not listed), only slower.
COMMANDS: dict[str, tuple[str, ...]] = {
    "timetable": ("check", "timetable", "plan"),
    "papers": ("papers", "review", "scs-draft", "site"),
    "cycle": ("run", "simulate", "demo"),
    "approval": ("decision", "decisions", "replan"),
    "daily": ("tick", "serve", "deploy", "pending"),
    "partners": ("questionnaire", "interview"),
    "evidence": ("evidence",),
    "performance": ("performance",),
    "mail": ("mail",),
    "new_cycle": ("new-cycle",),
    "comments": ("comments",),
}

#: the app's own options that take a value (``scs --config-dir DIR timetable``)
VALUED_OPTIONS = frozenset({"--config-dir", "--out-dir", "--state-dir", "--templates-dir", "--store", "--state-url"})


def command_named(args: Sequence[str]) -> str | None:
    """The command ``args`` runs, after the app's own options; None for none, or for the app's help."""
    rest = iter(args)
    for arg in rest:
        if arg in ("-h", "--help"):
            return None
        if arg in VALUED_OPTIONS:
            next(rest, None)
        elif not arg.startswith("-"):
            return arg
    return None


def load(args: Sequence[str]) -> typer.Typer:
    """The app with what ``args`` needs registered: its command's module, or every module (`scs --help`,
    a name not in COMMANDS, so typer can list them or suggest the nearest)."""
    name = command_named(args)
    for module in [m for m, names in COMMANDS.items() if name in names] or COMMANDS:
        importlib.import_module(f"scs_cli.commands.{module}")
    return _app


def __getattr__(name: str):
    if name == "app":  # `from scs_cli.main import app`: the app with every command (the tests')
        return load([])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """The console script. Prefect's embedded API gets two minutes to start (its default, 20 s, is too
    short on a slow machine); if it still does not start, one line says so and the exit code is 2."""
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    collect_less()
    # The interpreter's last garbage collections walk every object Prefect and the cycle made: ~2 s of the
    # exit, for memory the OS takes back anyway. Frozen at exit, they are skipped; every exit handler still
    # runs (Prefect's API stopped, its logs sent, LibreOffice ended). Once per process, however often called.
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    try:
        load(sys.argv[1:])()
    except RuntimeError as exc:
        cause: BaseException | None = exc
        seen: set[int] = set()  # a chain of causes can loop
        while cause is not None and id(cause) not in seen:
            if "attempting to connect to ephemeral Prefect API server" in str(cause):
                break
            seen.add(id(cause))
            cause = cause.__cause__ or cause.__context__
        else:
            raise
        ended = re.search(r"exited with code (-?\d+)", str(cause))
        if ended:  # it stopped by itself: waiting longer would not help
            typer.echo(f"error: the embedded Prefect API stopped while starting (exit code {ended[1]}); run "
                       "`prefect server start` to see why, or start one and set PREFECT_API_URL", err=True)
            raise SystemExit(2) from None
        try:
            from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS  # only on this failure

            seconds = f"{PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()} s"
        except Exception:  # the message matters more than the figure
            seconds = "the time allowed"
        typer.echo(f"error: the embedded Prefect API did not start in {seconds}; try again, or start one with "
                   "`prefect server start` and set PREFECT_API_URL (or raise "
                   "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS)", err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
