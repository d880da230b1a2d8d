"""``scs check``, ``scs timetable`` and ``scs plan``: the config files, the timetable, what is due."""

from __future__ import annotations

import json
from dataclasses import replace
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


def _as_it_stands(ctx: typer.Context, tt):
    """The schedule after the decisions and re-plans in the state store, and what is now at risk."""
    from scs_refresh.approval.chain import at_risk, effective_schedule
    from scs_refresh.approval.decisions import load_approvals

    approvals = load_approvals(ctx.obj.store)
    schedule = effective_schedule(tt, approvals.decisions, approvals.replans)
    return schedule, at_risk(schedule)


def _partner_items(ctx: typer.Context, tt) -> list:
    """The questionnaire, its chasers, the interview requests, slots and bookings, when partners.yaml exists."""
    from scs_refresh.core.store import Store
    from scs_refresh.partners.register import load_partners, plan_items

    if not ctx.obj.partners.exists():
        return []
    cfg = load_partners(ctx.obj.partners, tt)
    agreed = {}
    if ctx.obj.store.exists():
        with Store.read(ctx.obj.store) as store:
            agreed = {pid: iv.agreed_at for pid, iv in store.interviews().items() if iv.agreed_at and not iv.held}
    return plan_items(cfg, agreed)


@app.command()
def timetable(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """The four stages and every event, with its id and its deadlines, as re-planned."""
    from scs_cli import views as render
    from scs_refresh.timetable.model import as_json as to_json

    tt = load_timetable(ctx)
    schedule, risks = _as_it_stands(ctx, tt)
    if as_json:
        typer.echo(json.dumps(to_json(tt, schedule, {s.event.id: s.status for s in schedule}), indent=2))
    else:
        render.timetable(tt, schedule, risks)


@app.command()
def plan(
    ctx: typer.Context,
    on: Annotated[Optional[str], typer.Option(help="The day to plan from, YYYY-MM-DD (default: today).")] = None,
    days: Annotated[int, typer.Option(min=0, max=3660, help="How many days ahead to look.")] = 28,
) -> None:
    """What is due on and after a date: deadlines, meetings (as re-planned), partner dates, stage changes, warnings."""
    from scs_cli import views as render
    from scs_refresh.timetable.plan import plan as make_plan

    from scs_refresh.as_at import records_on
    from scs_refresh.papers.records import awaited

    tt = load_timetable(ctx)
    schedule, risks = _as_it_stands(ctx, tt)
    day = parse_on(on)
    made = make_plan(tt, day, days, schedule=schedule, at_risk=risks, extra=_partner_items(ctx, tt))
    waiting = awaited([s.event for s in schedule if not getattr(s, "at_risk", False)],
                      records_on(ctx.obj.store, day).decisions, day)
    render.plan(replace(made, warnings=[*made.warnings, *waiting]))
