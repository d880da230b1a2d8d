"""``scs run STAGE``, ``scs simulate`` and ``scs demo``: a stage of the refresh, or a window of the cycle in virtual time."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Optional

import typer

from scs_cli.app import app, load_timetable, parse_on
from scs_cli.progress import steps
from scs_refresh.core.errors import UserError
from scs_refresh.core.folders import Dirs


def _libreoffice_now(pdf: bool, offices: int = 1) -> None:
    """With PDFs, LibreOffice starts, and readies its PDF export, while Prefect and the cycle load (two of them
    for a replay, which writes many meetings' papers)."""
    if pdf:
        from scs_refresh.documents.pdf import start_libreoffice

        start_libreoffice(offices)


def _run_cycle(ctx: typer.Context, start: date, end: date, pdf: bool, fresh: bool, defer: bool) -> None:
    from rich.console import Console

    console = Console(soft_wrap=True)  # a line per step, never folded at 80 columns in a log
    _libreoffice_now(pdf, offices=2)
    with steps(console, "Starting Prefect's API (the first time can take a minute)") as status:
        # Prefect is slow to import: only here, when a flow runs. Its temporary API starts in the
        # background while the rest of the cycle's code loads.
        from flows.api import start_temporary_api

        api_ready = start_temporary_api()
        from flows.cycle import run_cycle

        def ready() -> None:
            status.update("Waiting for Prefect's API to answer ...")
            api_ready()
            status.update(f"Replaying the cycle from {start:%d %b %Y} ...")

        def show(day, outcomes):
            for o in outcomes:
                late = f" [dim](due {o.action.due})[/dim]" if o.action.due < day else ""
                console.print(f"{day:%a %d %b %Y}  {o.action.text}{late}: {o.summary}")
            status.update(f"{day:%a %d %b %Y} done; on to the next day something is due ...")

        report = run_cycle(ctx.obj, start, end, pdf=pdf, fresh=fresh, defer=defer, on_day=show, api_ready=ready)
    outcomes = report.outcomes()
    sent = sum(len(o.sent) for o in outcomes)
    console.print(f"\n[bold]{start:%d %b %Y} to {end:%d %b %Y}[/bold]: {len(report.ticks)} daily tick(s), "
                  f"{len(outcomes)} action(s) done, {sent} message(s) sent, {len(report.replies)} batch(es) of "
                  f"partner replies imported.")
    if not outcomes:
        console.print("Nothing was due that had not already been done (run with --fresh to start over).")
    for day, line in report.decisions:
        console.print(f"decision {day:%a %d %b %Y}: {line}")
    console.print(f"Index of everything produced: {report.index}")


@app.command("run")
def run_stage(
    ctx: typer.Context,
    stage: Annotated[str, typer.Argument(help="scoping, testing, draft or approval.")],
    on: Annotated[Optional[str], typer.Option(help="Run the stage as at this day, YYYY-MM-DD (default: today).")] = None,
    pdf: Annotated[bool, typer.Option(help="Also make PDFs with LibreOffice when it is installed.")] = True,
    wait: Annotated[bool, typer.Option(help="approval: wait (paused) for each committee's decision.")] = False,
) -> None:
    """Run one stage of the refresh (seed 000, 4.3.3 to 4.3.6): its due actions and its own work, once."""
    from rich.console import Console

    tt = load_timetable(ctx)
    if stage not in tt.stage:
        raise UserError(f"no stage '{stage}' (stages: {', '.join(tt.stage)})")
    day = parse_on(on)
    from flows.api import start_temporary_api  # only once the stage and date are sound

    api_ready = start_temporary_api()  # watched, so a killed run leaves no API behind
    from flows.stages import STAGES

    dirs: Dirs = ctx.obj
    options = {"wait_for_decisions": wait} if stage == "approval" else {}
    console = Console(soft_wrap=True)  # a line per step, never folded at 80 columns in a log
    _libreoffice_now(pdf)
    with steps(console, f"Running the {stage} stage as at {day:%d %b %Y}"):
        api_ready()
        report = STAGES[stage](on=day, dirs=dirs, pdf=pdf, **options)
    for o in report.outcomes:
        console.print(f"[green]done[/green] {o.action.text}: {o.summary}")
    for f in report.files:
        console.print(f"[green]wrote[/green] {f}")
    for n in report.notes:
        console.print(f"[yellow]note[/yellow] {n}")
    sent = sum(len(o.sent) for o in report.outcomes)
    console.print(f"\n[bold]{stage.title()} stage[/bold]: {len(report.outcomes)} action(s), {len(report.files)} "
                  f"file(s), {sent} message(s) sent (out folder: {dirs.out}).")


@app.command()
def simulate(
    ctx: typer.Context,
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
    pdf: Annotated[bool, typer.Option(help="Also make PDFs with LibreOffice when it is installed.")] = True,
    fresh: Annotated[bool, typer.Option(help="Delete the out and state folders first and start over.")] = False,
    defer: Annotated[bool, typer.Option(help="The committee named in simulation.yaml defers its decision.")] = False,
) -> None:
    """Replay a window of the cycle in virtual time through the daily tick flow (resumes where it stopped)."""
    first, last = parse_on(start), parse_on(end)
    if last < first:
        raise UserError(f"--to {last} is before --from {first}")
    _run_cycle(ctx, first, last, pdf, fresh, defer)


@app.command()
def demo(
    ctx: typer.Context,
    pdf: Annotated[bool, typer.Option(help="Also make PDFs with LibreOffice when it is installed.")] = True,
    fresh: Annotated[bool, typer.Option(help="Delete the out and state folders first and start over.")] = False,
    defer: Annotated[bool, typer.Option(help="The committee named in simulation.yaml defers (the chain re-plans).")] = False,
) -> None:
    """The whole bundled 2010/11 cycle, 7 Oct 2010 to 19 May 2011, in virtual time (resumes; --fresh restarts).

    With --defer the cycle runs on past 19 May until the re-arranged meetings have taken place."""
    tt = load_timetable(ctx)
    dated = [s.event.date for s in tt.schedule if s.event.date]
    end = max(dated) + timedelta(days=62) if defer else max(dated)
    _run_cycle(ctx, min(dated), end, pdf, fresh, defer)
