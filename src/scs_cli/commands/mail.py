"""``scs mail status|confirm|resend``: the send ledger as the officer sees it, and what to do with a
message in doubt (a run stopped while it was on the wire) or refused."""

from __future__ import annotations

from typing import Annotated

import typer

from scs_cli.app import HELP_OPTIONS, OnOption, app, parse_on, workspace
from scs_refresh.core.dates import recorded_at

mail_app = typer.Typer(no_args_is_help=True, context_settings=HELP_OPTIONS,
                       help="The send ledger: what went, what waits, what is in doubt; confirm or resend.")
app.add_typer(mail_app, name="mail")

KeyArgument = Annotated[str, typer.Argument(help="The message's key, as `scs mail status` lists it.")]


@mail_app.command("status")
def mail_status(ctx: typer.Context) -> None:
    """Every message that needs the officer (in doubt, refused, waiting to be tried again), then the counts."""
    from scs_refresh.core.store import Store
    from scs_refresh.mail.ledger import status_lines

    with Store.open(ctx.obj.store) as store:
        for line in status_lines(store):
            typer.echo(line)


@mail_app.command("confirm")
def mail_confirm(ctx: typer.Context, key: KeyArgument, on: OnOption = None) -> None:
    """A message in doubt did arrive (you checked with the recipient): record it as sent, never send it again."""
    from scs_refresh.core.store import Store
    from scs_refresh.mail.ledger import confirm

    with Store.open(ctx.obj.store) as store:
        typer.echo(confirm(store, key, recorded_at(parse_on(on))))


@mail_app.command("resend")
def mail_resend(ctx: typer.Context, key: KeyArgument, on: OnOption = None) -> None:
    """Send a message in doubt (or refused) again now, to everyone who does not have it yet: the same text
    and Message-ID, so a receiving system that already has it can drop the copy."""
    from scs_refresh.core.errors import UserError
    from scs_refresh.mail import dispatch
    from scs_refresh.mail.ledger import resend

    ws = workspace(ctx)
    settings = ws.need_delivery()
    transport = dispatch.transport_for(settings, ws.dirs.out)
    at = recorded_at(parse_on(on))
    with ws.outreach().store() as store:
        report = resend(store, key, transport, settings, at)
    for line in report.lines():
        typer.echo(f"warning: {line}", err=True)
    if report.stopped:
        raise UserError(f"{report.stopped}: {key} stays queued for the next run")
    for k in report.in_doubt:
        typer.echo(f"warning: {dispatch.in_doubt_line(k)}", err=True)
    typer.echo(f"sent again: {key}" if key in report.sent else f"{key}: {_state(report, key)}")


def _state(report, key: str) -> str:
    if key in report.failed:
        return "refused again by the mail server (see above)"
    if key in report.queued:
        return "queued: the server asked to try later; the next run tries again"
    return "in doubt again: the connection went while the server confirmed it"
