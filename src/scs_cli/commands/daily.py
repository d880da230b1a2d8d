"""``scs tick``, ``scs serve``, ``scs deploy`` and ``scs pending``: the daily tick, run once now or on a
schedule as a Prefect deployment (with the stage flows beside it), and the messages it held for the officer
after downtime."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from scs_cli.app import HELP_OPTIONS, OnOption, app, parse_on
from scs_cli.progress import steps
from scs_refresh.core.errors import UserError
from scs_refresh.core.folders import Dirs


def _tick_parameters(dirs: Dirs, pdf: bool) -> dict:
    """The daily tick's parameters, once every config file is sound: absolute folders, so a served
    run finds them wherever it starts."""
    from scs_refresh.workspace import Workspace

    Workspace.load(dirs)
    if dirs.store_file is not None and dirs.store_file.resolve() != (dirs.state / "scs.sqlite").resolve():
        raise UserError("--store: the daily tick keeps its ledger in STATE_DIR/scs.sqlite; set --state-dir instead")
    return {"dirs": Dirs(config=dirs.config.resolve(), out=dirs.out.resolve(), state=dirs.state.resolve(),
                         templates=dirs.templates.resolve(), state_url=dirs.state_url), "pdf": pdf}


@app.command()
def tick(
    ctx: typer.Context,
    on: Annotated[Optional[str], typer.Option(help="Act as on this day, YYYY-MM-DD (default: today).")] = None,
    pdf: Annotated[bool, typer.Option(help="Also make PDFs with LibreOffice when it is installed.")] = True,
) -> None:
    """Run the daily tick once now: do whatever is due (or was missed) and not yet done."""
    from rich.console import Console

    from scs_refresh.automation import tick as ledger

    day = parse_on(on)
    params = _tick_parameters(ctx.obj, pdf)
    context = ledger.Context.load(params["dirs"], pdf)
    if not ledger.pending(context, day):  # as `scs simulate` skips a quiet day
        typer.echo(f"nothing was due on {day}")
        _mail_notes(ledger.mail_notes(context, []))
        return
    with steps(Console(stderr=True), f"The daily tick for {day:%a %d %b %Y}: starting Prefect's API"):
        # Prefect is slow to import: only once the date and config are sound; its API starts meanwhile.
        from flows.api import start_temporary_api

        api_ready = start_temporary_api()
        from flows.daily import daily_tick

        api_ready()
        outcomes = daily_tick(on=day, **params)
    for o in outcomes:
        late = f" (due {o.action.due}, caught up)" if o.action.due < day else ""
        typer.echo(f"{o.action.text}{late}: {o.summary}")
    sent = sum(len(o.sent) for o in outcomes)
    held, waiting = sum(o.held for o in outcomes), sum(1 for o in outcomes if o.queued)
    elsewhere = sum(o.elsewhere for o in outcomes)
    typer.echo(f"{len(outcomes) - held - waiting - elsewhere} action(s) done on {day}"
               + (f", {waiting} waiting for the mail server" if waiting else "") + f", {sent} message(s) sent"
               + (f"; {held} held for you to send or skip: `scs pending`" if held else "")
               + (f"; {elsewhere} left to another run doing them at the same time" if elsewhere else "") if outcomes
               else f"nothing was due on {day}")
    _mail_notes(ledger.mail_notes(context, outcomes))


def _mail_notes(lines: list[str]) -> None:
    """Mail that needs the officer, one line each on stderr: refusals, waits, a server down, doubts."""
    for line in lines:
        typer.echo(f"warning: {line}", err=True)


pending_app = typer.Typer(context_settings=HELP_OPTIONS, invoke_without_command=True,
                          help="Messages a tick held after downtime because their moment had passed: send or skip each.")
app.add_typer(pending_app, name="pending")


def _context(ctx: typer.Context):
    from scs_refresh.automation import tick as ledger

    return ledger.Context.load(ctx.obj, pdf=False)


@pending_app.callback()
def pending(ctx: typer.Context) -> None:
    """List what the ticks held for you: each message, why it was held, and how to send or skip it."""
    if ctx.invoked_subcommand is not None:
        return
    from scs_refresh.automation import tick as ledger

    rows = ledger.held(_context(ctx))
    if not rows:
        typer.echo("nothing is held")
    for r in rows:
        typer.echo(f"{r['key']} (due {r['due']}, held {r['ran_on']}): {r['detail']}")
    if rows:
        typer.echo("send one with `scs pending send KEY`, or drop it with `scs pending skip KEY`")


@pending_app.command("send")
def pending_send(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="The key `scs pending` lists, e.g. interview-requests.")],
    on: OnOption = None,
    pdf: Annotated[bool, typer.Option(help="Also make PDFs with LibreOffice when it is installed.")] = True,
) -> None:
    """Send a held message now, as the configuration now says (new slots, a new deadline)."""
    from dataclasses import replace

    from scs_refresh.automation import tick as ledger

    day = parse_on(on)
    result = ledger.officer_sends(replace(_context(ctx), pdf=pdf), key, day)
    typer.echo(f"{result.action.text}: {result.summary}")
    if result.queued:
        typer.echo(f"warning: {len(result.queued)} message(s) still queued for the mail server; the next tick "
                   "sends them", err=True)


@pending_app.command("skip")
def pending_skip(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="The key `scs pending` lists.")],
    on: OnOption = None,
    by: Annotated[Optional[str], typer.Option(help="Who decides (default: the officer in the timetable).")] = None,
) -> None:
    """Decide a held message is not to go; the ledger keeps who decided and when."""
    from scs_refresh.automation import tick as ledger

    c = _context(ctx)
    ledger.officer_skips(c, key, parse_on(on), by or c.timetable.cycle.officer.name)
    typer.echo(f"skipped: {key}")


#: 07:00 Monday to Friday, London time (GMT or BST).
WORKING_DAYS_7AM = "0 7 * * 1-5"
SERVE_HELP = (
    "Run the daily tick on a schedule, as a Prefect deployment served from this process, with the four "
    "stage flows beside it for you to start from the Prefect UI with a date.\n\n"
    f'The schedule is a cron line in Europe/London (default "{WORKING_DAYS_7AM}": 07:00 on working days). '
    "On a bank holiday the tick runs as usual and does what is due; a day it misses is caught up on the "
    "next run, and running it twice repeats nothing.\n\n"
    "Needs a Prefect server: run `prefect server start`, then "
    "`export PREFECT_API_URL=http://127.0.0.1:4200/api`. Stop with Ctrl-C or SIGTERM."
)
DEPLOY_HELP = (
    "Deploy a council's daily tick and stage flows to a work pool on a shared Prefect server, for the "
    "pool's workers to run: the tick on a schedule (cron in Europe/London), one tick of the council at a time.\n\n"
    "COUNCIL_DIR holds the council's config/, out/ and state/ (and templates/, or --templates-dir). "
    "The pool is created as a pool of local processes when missing; start its workers with "
    "`prefect worker start --pool POOL` on hosts that see COUNCIL_DIR."
)


@app.command(help=SERVE_HELP)
def serve(
    ctx: typer.Context,
    cron: Annotated[str, typer.Option(help="When to run, as cron in Europe/London.")] = WORKING_DAYS_7AM,
    name: Annotated[str, typer.Option(help="The deployment's name (one per cycle or council).")] = "scs-daily",
    pdf: Annotated[bool, typer.Option(help="Also make PDFs with LibreOffice when it is installed.")] = True,
) -> None:
    params = _tick_parameters(ctx.obj, pdf)
    from flows.serving import serve as serve_daily_tick  # Prefect is slow to import: only once the config is sound

    serve_daily_tick(name, cron, params, typer.echo)


@app.command(help=DEPLOY_HELP)
def deploy(
    ctx: typer.Context,
    council_dir: Annotated[Path, typer.Option(help="The council's folder: config/, out/, state/ (templates/).")],
    pool: Annotated[str, typer.Option(help="The work pool (created as local processes when missing).")],
    name: Annotated[Optional[str], typer.Option(help="The deployments' name (default: COUNCIL_DIR's name).")] = None,
    cron: Annotated[str, typer.Option(help="When the daily tick runs, as cron in Europe/London.")] = WORKING_DAYS_7AM,
    pdf: Annotated[bool, typer.Option(help="Also make PDFs with LibreOffice when it is installed.")] = True,
) -> None:
    if not (council_dir / "config").is_dir():
        raise UserError(f"--council-dir: {council_dir} has no config/ folder; make one with `scs new-cycle`")
    own = council_dir / "templates"
    dirs = Dirs(config=council_dir / "config", out=council_dir / "out", state=council_dir / "state",
                templates=own if own.is_dir() else ctx.obj.templates, state_url=ctx.obj.state_url)
    params = _tick_parameters(dirs, pdf)
    from flows.serving import deploy as deploy_council  # Prefect is slow to import: only once the config is sound

    deploy_council(name or council_dir.resolve().name, pool, cron, params, typer.echo)
