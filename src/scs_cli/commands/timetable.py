"""``scs check``, ``scs timetable`` and ``scs plan``: the config files, the timetable, what is due."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from scs_cli.app import app, load_timetable, parse_on, workspace


@app.command()
def check(ctx: typer.Context) -> None:
    """Validate every configuration file; exit 2 naming each problem."""
    from scs_refresh.automation.simulation import FILE_NAME, for_workspace

    ws = workspace(ctx)
    names = ws.loaded() + ([FILE_NAME] if for_workspace(ws) is not None else [])
    for name in names:
        typer.echo(f"ok: {ctx.obj.config / name}")


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
