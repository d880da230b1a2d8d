"""``scs``: the officer's command line. Thin: it parses, loads config once, calls the domain.

Commands that need no Prefect never import it (or pandas), so they answer at once.
Errors in the officer's files are printed as one line each and exit with code 2.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import click
import typer
from typer.core import TyperGroup

from .errors import UserError
from .settings import Dirs


class _Group(TyperGroup):
    """Turn a UserError anywhere below into one line on stderr and exit code 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UserError as exc:
            for line in exc.lines():
                typer.echo(f"error: {line}", err=True)
            ctx.exit(exc.exit_code)


app = typer.Typer(cls=_Group, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Run the refresh of the Sustainable Community Strategy (SCS).")


@app.callback()
def _dirs(
    ctx: typer.Context,
    config_dir: Annotated[Path, typer.Option(envvar="SCS_CONFIG_DIR", help="Folder of timetable.yaml etc.")] = Path("config"),
    out_dir: Annotated[Path, typer.Option(envvar="SCS_OUT_DIR", help="Where papers and outputs are written.")] = Path("out"),
    state_dir: Annotated[Path, typer.Option(envvar="SCS_STATE_DIR", help="Where the state store lives.")] = Path("state"),
) -> None:
    ctx.obj = Dirs(config=config_dir, out=out_dir, state=state_dir)


def _parse_on(value: Optional[str]) -> date:
    from .calendar import today
    from .yamlio import parse_iso_date

    if value is None:
        return today()
    try:
        return parse_iso_date(value)
    except ValueError as exc:
        raise UserError(f"--on: {exc}") from None


def _timetable(ctx: typer.Context):
    from .timetable import load_timetable

    return load_timetable(ctx.obj.timetable)


@app.command()
def check(ctx: typer.Context) -> None:
    """Validate every configuration file; exit 2 naming each problem."""
    from .config import check_all

    for name in check_all(ctx.obj.config):
        typer.echo(f"ok: {ctx.obj.config / name}")


@app.command()
def timetable(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """The four stages and every event with its publication and report deadlines."""
    from . import render
    from .timetable import as_json as to_json

    tt = _timetable(ctx)
    if as_json:
        typer.echo(json.dumps(to_json(tt), indent=2))
    else:
        render.timetable(tt)


@app.command()
def plan(
    ctx: typer.Context,
    on: Annotated[Optional[str], typer.Option(help="The day to plan from, YYYY-MM-DD (default: today).")] = None,
    days: Annotated[int, typer.Option(min=0, max=3660, help="How many days ahead to look.")] = 28,
) -> None:
    """What is due on and after a date: deadlines, meetings, stage changes, warnings."""
    from . import render
    from .plan import plan as make_plan

    render.plan(make_plan(_timetable(ctx), _parse_on(on), days))


@app.command()
def review(
    ctx: typer.Context,
    on: Annotated[Optional[str], typer.Option(help="Assess as at this day, YYYY-MM-DD (default: today).")] = None,
    meeting: Annotated[Optional[str], typer.Option(help="Timetable id of the Board meeting (default: the next one).")] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also make a PDF with LibreOffice.")] = False,
) -> None:
    """The Partnership review report: the register assessed against policy Appendix B, into <out>/review/."""
    from .review.paper import write_review_from_dirs

    outputs = write_review_from_dirs(ctx.obj, _parse_on(on), meeting, pdf=pdf)
    typer.echo(outputs.summary())


@app.command()
def demo(ctx: typer.Context) -> None:
    """The bundled 2010/11 cycle: the timetable, then the plan from the Board of 7 Oct 2010."""
    from . import render
    from .plan import plan as make_plan

    tt = _timetable(ctx)
    render.timetable(tt)
    first = tt.schedule[0].event.date
    last = max(s.event.date for s in tt.schedule if s.event.date)
    render.plan(make_plan(tt, first, (last - first).days))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
