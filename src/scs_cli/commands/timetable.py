"""``scs check``, ``scs timetable`` and ``scs plan``: the config files, the timetable, what is due."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from scs_cli.app import app, load_timetable, parse_on


@app.command()
def check(
    ctx: typer.Context,
    strict: Annotated[bool, typer.Option("--strict", help="Fail (exit 2) on warnings too.")] = False,
) -> None:
    """Check every configuration file at once: each problem on one line (exit 2), then the warnings."""
    from scs_refresh.check import check_cycle

    report = check_cycle(ctx.obj)
    if not report.errors:
        for name in report.files:
            typer.echo(f"ok: {ctx.obj.config / name}")
    for problem in report.errors:
        typer.echo(f"error: {problem}", err=True)
    for problem in report.warnings:
        typer.echo(f"warning: {problem}", err=True)
    if report.errors or (strict and report.warnings):
        raise typer.Exit(2)


@app.command()
def timetable(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """The four stages and every event with its publication and report deadlines."""
    from scs_cli import views as render
    from scs_refresh.timetable.model import as_json as to_json

    tt = load_timetable(ctx)
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
    from scs_cli import views as render
    from scs_refresh.timetable.plan import plan as make_plan

    render.plan(make_plan(load_timetable(ctx), parse_on(on), days))
