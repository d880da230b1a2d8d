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
    templates_dir: Annotated[Path, typer.Option(envvar="SCS_TEMPLATES_DIR", help="Folder of <paper>_tpl.docx.")] = Path("templates"),
) -> None:
    ctx.obj = Dirs(config=config_dir, out=out_dir, state=state_dir, templates=templates_dir)


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


def _papers_state(ctx: typer.Context, on: date):
    from .papers.config import check_against_timetable, load_papers_config
    from .papers.contexts import RefreshState

    dirs: Dirs = ctx.obj
    tt = _timetable(ctx)
    cfg = load_papers_config(dirs.papers)
    check_against_timetable(cfg, tt, dirs.papers)
    return RefreshState(tt, cfg, on)


def _report_papers(result) -> None:
    for path in result.files():
        typer.echo(f"wrote {path}")
    for note in result.not_produced:
        typer.echo(f"not produced: {note}")
    for warning in result.warnings:
        typer.echo(f"warning: {warning}")


@app.command()
def papers(
    ctx: typer.Context,
    meeting: Annotated[str, typer.Argument(help="The meeting id, as in `scs timetable --json`.")],
    on: Annotated[Optional[str], typer.Option(help="Write the papers as at this day, YYYY-MM-DD (default: today).")] = None,
    pdf: Annotated[bool, typer.Option(help="Also make PDFs with LibreOffice when it is installed.")] = True,
) -> None:
    """Generate everything a meeting needs (reports, agenda, board pack) into out/<meeting-id>/."""
    from .papers.generate import generate_meeting_papers

    state = _papers_state(ctx, _parse_on(on))
    _report_papers(generate_meeting_papers(state, meeting, ctx.obj.out, ctx.obj.templates, pdf=pdf))


@app.command()
def demo(
    ctx: typer.Context,
    pdf: Annotated[bool, typer.Option(help="Also make PDFs with LibreOffice when it is installed.")] = True,
) -> None:
    """The bundled 2010/11 cycle: the timetable, the plan from the Board of 7 Oct 2010, and
    every meeting's papers as they would be written on its report deadline."""
    from dataclasses import replace

    from . import render
    from .papers.generate import generate_meeting_papers
    from .plan import plan as make_plan

    state = _papers_state(ctx, _parse_on(None))  # each meeting's papers are dated below
    tt = state.timetable
    render.timetable(tt)
    first = tt.schedule[0].event.date
    last = max(s.event.date for s in tt.schedule if s.event.date)
    render.plan(make_plan(tt, first, (last - first).days))
    for s in tt.schedule:
        if s.event.type == "meeting" and s.event.date:
            typer.echo(f"\n{s.event.title} ({s.event.date}): papers as at {s.report_deadline}")
            _report_papers(generate_meeting_papers(replace(state, on=s.report_deadline), s.event.id,
                                                   ctx.obj.out, ctx.obj.templates, pdf=pdf))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
