"""``scs performance`` (the SCS delivery plan scorecard) and ``scs performance record`` (a figure by hand)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from scs_cli.app import HELP_OPTIONS, OnOption, app, parse_on, workspace
from scs_refresh.core.dates import recorded_at
from scs_refresh.core.errors import UserError

performance_app = typer.Typer(context_settings=HELP_OPTIONS,
                              help="The SCS delivery plan scorecard, and figures recorded by hand.")
app.add_typer(performance_app, name="performance")


@performance_app.callback(invoke_without_command=True)
def performance(
    ctx: typer.Context,
    on: Annotated[Optional[str], typer.Option(help="The scorecard as at this day, YYYY-MM-DD (default: today).")] = None,
) -> None:
    """Each indicator of config/delivery_plan.yaml rated red/amber/green; writes <out>/performance/."""
    if ctx.invoked_subcommand is not None:
        return
    from scs_cli import views as render
    from scs_refresh.as_at import scorecard_on

    ws = workspace(ctx)
    paper = scorecard_on(ws, parse_on(on))
    if paper is None:
        raise UserError(f"{ws.dirs.config / 'delivery_plan.yaml'}: file not found; the scorecard rates its indicators")
    render.scorecard(paper.card)
    typer.echo(f"wrote {paper.csv}\nwrote {paper.chart.path}")


@performance_app.command("record")
def performance_record(
    ctx: typer.Context,
    indicator: Annotated[str, typer.Argument(help="A recorded indicator's id in delivery_plan.yaml.")],
    value: Annotated[float, typer.Argument(help="The figure.")],
    period: Annotated[str, typer.Option(help="The period it is for: 2011, 2010/11, Nov 2010, 2011-03-31 ...")],
    note: Annotated[str, typer.Option(help="A note shown with the figure.")] = "",
    source: Annotated[str, typer.Option(help="Where the figure comes from.")] = "",
    by: Annotated[Optional[str], typer.Option(help="Who recorded it (default: the officer in the timetable).")] = None,
    on: OnOption = None,
) -> None:
    """Record a figure for an indicator; recording the same period again updates it."""
    from scs_refresh.performance.scorecard import record

    day, ws = parse_on(on), workspace(ctx)
    plan = ws.plan_inputs()
    if plan is None:
        raise UserError(f"{ws.dirs.config / 'delivery_plan.yaml'}: file not found; figures are recorded against it")
    how = record(plan, ws.dirs.store, indicator, value, period, note=note, source=source,
                 by=by or ws.timetable.cycle.officer.name, at=recorded_at(day))
    typer.echo(f"{how}: {indicator} {period} = {value:g}")
