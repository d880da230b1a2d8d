"""``scs decision``, ``scs decisions`` and ``scs replan``: the approval chain (4.3.6), recorded by the officer."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from scs_cli.app import app, load_timetable, parse_on, workspace
from scs_refresh.approval.outcomes import Outcome
from scs_refresh.core.dates import recorded_at
from scs_refresh.core.errors import UserError


def _show_chain(ctx: typer.Context, tt) -> None:
    from scs_refresh.approval.decisions import chain_lines, load_approvals

    for line in chain_lines(tt, load_approvals(ctx.obj.store)):
        typer.echo(line)


@app.command()
def decision(
    ctx: typer.Context,
    meeting: Annotated[str, typer.Argument(help="The meeting id, as in `scs timetable --json`.")],
    outcome: Annotated[str, typer.Argument(help="approved, approved_with_amendments, deferred or rejected.")],
    note: Annotated[str, typer.Option(help="The minute or a note of the decision.")] = "",
    amendment: Annotated[Optional[str], typer.Option(help="The amendment agreed (approved_with_amendments).")] = None,
    on: Annotated[Optional[str], typer.Option(help="The day of the decision, YYYY-MM-DD (default: today).")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Correct the decision already recorded (it is kept).")] = False,
    by: Annotated[Optional[str], typer.Option(help="Who records it (default: the officer in the timetable).")] = None,
) -> None:
    """Record a meeting's decision on the SCS; an amendment makes a new draft version, a deferral re-plans."""
    from scs_refresh.approval.decisions import record_decision
    from scs_refresh.core.store import Store

    tt, day = load_timetable(ctx), parse_on(on)
    outcome = outcome.strip().lower().replace("-", "_")
    with Store.open(ctx.obj.store) as store:
        record_decision(store, tt, meeting, outcome, on=day, note=note, amendment=amendment,
                        by=by or tt.cycle.officer.name, at=recorded_at(day), replace=replace)
    typer.echo(f"recorded: {meeting} {outcome} on {day}" + (" (the earlier record is kept)" if replace else ""))
    if outcome == Outcome.APPROVED_WITH_AMENDMENTS and (ctx.obj.config / "scs.yaml").exists():
        from scs_refresh.as_at import draft_on

        for line in draft_on(workspace(ctx), day).summary():
            typer.echo(line)
    if outcome in (Outcome.APPROVED, Outcome.APPROVED_WITH_AMENDMENTS) and (ctx.obj.config / "scs.yaml").exists():
        from scs_refresh.as_at import adopted_on

        adopted = adopted_on(workspace(ctx), day)  # only once the adopting meeting has adopted it
        if adopted is not None:
            typer.echo(f"wrote the adopted Strategy and published it: {adopted}")
    _show_chain(ctx, tt)


@app.command()
def decisions(ctx: typer.Context) -> None:
    """The approval chain: each step's date, decision, and any re-planned or at-risk dates."""
    _show_chain(ctx, load_timetable(ctx))


@app.command()
def replan(
    ctx: typer.Context,
    meeting: Annotated[str, typer.Argument(help="The meeting id, as in `scs timetable --json`.")],
    new_date: Annotated[str, typer.Argument(metavar="DATE", help="The confirmed new date, YYYY-MM-DD.")],
    by: Annotated[Optional[str], typer.Option(help="Who records it (default: the officer in the timetable).")] = None,
    on: Annotated[Optional[str], typer.Option(help="The day it is recorded, YYYY-MM-DD (default: today).")] = None,
) -> None:
    """Record a meeting's confirmed new date (after a deferral); papers and reminders follow it."""
    from scs_refresh.approval.decisions import record_replan
    from scs_refresh.core.store import Store
    from scs_refresh.core.yamlio import parse_iso_date

    tt = load_timetable(ctx)
    try:
        day = parse_iso_date(new_date)
    except ValueError as exc:
        raise UserError(f"DATE: {exc}") from None
    with Store.open(ctx.obj.store) as store:
        record_replan(store, tt, meeting, day, by=by or tt.cycle.officer.name, at=recorded_at(parse_on(on)))
    typer.echo(f"re-planned: {meeting} on {day}")
    _show_chain(ctx, tt)
