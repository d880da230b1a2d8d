"""``scs new-cycle``: the next cycle's config folder from the current one, and what to confirm in it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scs_cli.app import app


@app.command("new-cycle")
def new_cycle(
    ctx: typer.Context,
    year: Annotated[int, typer.Option(min=1900, max=2999,
                                      help="The year the new cycle starts, e.g. 2014 for a 2014/15 cycle.")],
    to: Annotated[Path, typer.Option(help="The new config folder to create (it must not exist).")],
) -> None:
    """Create the next cycle's config folder: every date moved to YEAR keeping weekdays; then what to confirm."""
    from dataclasses import replace

    from scs_refresh.check import check_cycle
    from scs_refresh.timetable.rollover import moved_example
    from scs_refresh.timetable.rollover import new_cycle as roll_over

    done = roll_over(ctx.obj.config, year, to)
    example = moved_example(done)
    typer.echo(f"wrote {to}: {len(done.moved)} dates moved by {done.shift.weeks} weeks"
               + (f" ({example}, the same weekday)" if example else "")
               + (f", {len(done.renamed)} ids renamed" if done.renamed else ""))
    for old, new in done.renamed.items():
        typer.echo(f"  {old} -> {new}")
    if done.confirm:
        typer.echo("To confirm:")
        for line in done.confirm:
            typer.echo(f"  - {line}")
    report = check_cycle(replace(ctx.obj, config=to))
    for problem in report.errors:
        typer.echo(f"error: {problem}", err=True)
    for problem in report.warnings:
        typer.echo(f"warning: {problem}", err=True)
    if report.errors:
        typer.echo(f"{to} was written, but scs check finds {len(report.errors)} problem(s) above to fix", err=True)
        raise typer.Exit(2)
    typer.echo(f"scs check: no problems in {to}" + (f", {len(report.warnings)} warning(s) above" if report.warnings
                                                     else "") + f"; use it with: scs --config-dir {to} plan")
