"""The ``scs`` Typer app: UserError handling, the folder options and ``-v``, and the helpers every command uses.

The commands live in :mod:`scs_cli.commands`, one module per part of the process; each imports
``app`` from here to register itself, and :mod:`scs_cli.main` imports the one a run needs (all of them
for `scs --help`) and runs the app.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from scs_refresh.core.errors import UserError
from scs_refresh.core.folders import Dirs

#: `-h` as well as `--help`, on the app and on each group of sub-commands.
HELP_OPTIONS = {"help_option_names": ["-h", "--help"]}


class _Group(TyperGroup):
    """Turn a UserError anywhere below into one line on stderr and exit code 2."""

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except UserError as exc:
            for line in dict.fromkeys(exc.lines()):  # two sources in one damaged file: the file's line once
                typer.echo(f"error: {line}", err=True)
            ctx.exit(exc.exit_code)


app = typer.Typer(cls=_Group, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  context_settings=HELP_OPTIONS, help="Run the refresh of the Sustainable Community Strategy (SCS).")


@app.callback()
def _dirs(
    ctx: typer.Context,
    config_dir: Annotated[Path, typer.Option(envvar="SCS_CONFIG_DIR", help="Folder of timetable.yaml etc.")] = Path("config"),
    out_dir: Annotated[Path, typer.Option(envvar="SCS_OUT_DIR", help="Where papers and outputs are written.")] = Path("out"),
    state_dir: Annotated[Path, typer.Option(envvar="SCS_STATE_DIR", help="Where the state store lives.")] = Path("state"),
    templates_dir: Annotated[Path, typer.Option(envvar="SCS_TEMPLATES_DIR", help="Folder of the Word templates.")] = Path("templates"),
    store: Annotated[Optional[Path], typer.Option(envvar="SCS_STORE", help="The SQLite state store (default: STATE_DIR/scs.sqlite).")] = None,
    state_url: Annotated[Optional[str], typer.Option(envvar="SCS_STATE_URL", show_default=False, help="The state store on PostgreSQL instead: postgresql://USER@HOST:PORT/DATABASE, the password in PGPASSWORD; one database holds many cycles.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show what each step did, line by line.")] = False,
) -> None:
    if verbose:
        _show_domain_logs()
    else:  # Prefect's own lines ("Task run ... Completed", and a failed task's traceback when the officer's
        # input is at fault) would drown the officer's one line; the UI keeps them, and -v shows them
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
    ctx.obj = Dirs(config=config_dir, out=out_dir, state=state_dir, templates=templates_dir, store_file=store,
                   state_url=_state_url(state_url))
    _sweep(out_dir)


def _state_url(text: str | None) -> str | None:
    """The PostgreSQL URL checked, its password (if given in it) moved to PGPASSWORD; None keeps SQLite."""
    if not text:
        return None
    from scs_refresh.core.store import state_url

    return state_url(text)


def _sweep(out_dir: Path) -> None:
    """What a killed run left half-written in the out folder is removed before anything else runs
    (a set moved aside and never replaced is put back): one line with -v, nothing otherwise."""
    import logging

    from scs_refresh.core.atomic import sweep

    removed = sweep(out_dir)
    if removed:
        logging.getLogger("scs_refresh.core.atomic").info(
            "removed %d temporary file(s) or folder(s) a stopped run left in %s", len(removed), out_dir)


def _show_domain_logs() -> None:
    """`scs -v`: the domain's log lines on the terminal, through rich."""
    import logging

    from rich.logging import RichHandler

    domain = logging.getLogger("scs_refresh")
    domain.addHandler(RichHandler(show_path=False, markup=False))
    domain.setLevel(logging.INFO)
    domain.propagate = False


OnOption = Annotated[Optional[str], typer.Option(help="The day to act on, YYYY-MM-DD (default: today).")]


def parse_on(value: Optional[str]) -> date:
    """A day given as YYYY-MM-DD (``--on``); none means today. A bad date is one line and exit 2."""
    from scs_refresh.core.dates import today
    from scs_refresh.core.yamlio import parse_iso_date

    if value is None:
        return today()
    try:
        return parse_iso_date(value)
    except ValueError as exc:
        raise UserError(f"--on: {exc}") from None


def workspace(ctx: typer.Context):
    """The cycle's workspace: every config file, loaded and checked once for this command."""
    from scs_refresh.workspace import Workspace  # brings pandas and python-docx: only the commands that need it

    return Workspace.load(ctx.obj)


def load_timetable(ctx: typer.Context):
    """config/timetable.yaml alone, for the commands that need nothing else (quick to load)."""
    from scs_refresh.timetable.model import load_timetable as load

    return load(ctx.obj.timetable)
