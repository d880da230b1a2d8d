"""``scs comments import/list/respond``: partners' comments on the draft Strategy and the officer's responses."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from scs_cli.app import HELP_OPTIONS, app, load_timetable, parse_on, workspace
from scs_refresh.core.dates import recorded_at

comments_app = typer.Typer(context_settings=HELP_OPTIONS, help="Partners' comments on the draft Strategy: import returns, list, respond.",
                           no_args_is_help=True)
app.add_typer(comments_app, name="comments")


def _drafts(ctx: typer.Context, day):
    """The versions written by ``day`` (number: snapshot)."""
    from scs_refresh.core.errors import UserError
    from scs_refresh.strategy import versions

    folder = ctx.obj.out / "scs"
    drafts = {n: versions.content(folder, n) for n in versions.numbers(folder) if versions.written_on(folder, n) <= day}
    if not drafts:
        raise UserError(f"{folder}: no draft of the Strategy written by {day}; write one with `scs scs-draft` first")
    return drafts


@comments_app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The returned draft (.docx) or a comments form (.csv, .xlsx).")],
    partner: Annotated[Optional[str], typer.Option(help="Whose returned draft it is (partner id); a form names them.")] = None,
    on: Annotated[Optional[str], typer.Option(help="The day it was received, YYYY-MM-DD (default: today).")] = None,
) -> None:
    """Import a partner's comments and tracked changes on the draft; each is tied to its section."""
    from scs_refresh.core.store import Store
    from scs_refresh.strategy.comments import import_comments

    day = parse_on(on)
    ws = workspace(ctx)
    drafts = _drafts(ctx, day)
    with Store.open(ctx.obj.store) as store:
        added = import_comments(store, file, ws.need_partners(), drafts, max(drafts), day, recorded_at(day), partner)
    typer.echo(f"imported {len(added)} new comment(s) from {file}")
    for c in added:
        typer.echo(f"  {c.key}  {c.section}: {c.text or c.new_text}")


@comments_app.command("list")
def list_(ctx: typer.Context,
          on: Annotated[Optional[str], typer.Option(help="As known on this day, YYYY-MM-DD (default: today).")] = None) -> None:
    """Every comment received, with the response given (or "waiting")."""
    from scs_refresh.strategy.comments import RESPONSES, comments_on

    for c in comments_on(ctx.obj.store, parse_on(on)):
        answer = f"{RESPONSES[c.response]} ({c.responded_on})" if c.response else "waiting for a response"
        typer.echo(f"{c.key}  {c.partner_id}  v{c.version}  {c.section}: {c.text or c.new_text}  -> {answer}")


@comments_app.command()
def respond(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="The comment, as `scs comments list` shows it.")],
    response: Annotated[str, typer.Argument(help="accepted, partly or not.")],
    reason: Annotated[str, typer.Option(help="Why (required unless accepted).")] = "",
    change_to: Annotated[Optional[str], typer.Option(help="The words the Strategy will have (default: the partner's).")] = None,
    on: Annotated[Optional[str], typer.Option(help="The day of the response, YYYY-MM-DD (default: today).")] = None,
) -> None:
    """Record the response to a comment; `scs scs-draft` then writes the version with the changes agreed."""
    from scs_refresh.core.store import Store
    from scs_refresh.strategy.comments import RESPONSES, respond as record

    day = parse_on(on)
    with Store.open(ctx.obj.store) as store:
        c = record(store, key, response, reason, on=day, by=load_timetable(ctx).cycle.officer.name, change_to=change_to)
    typer.echo(f"{key}: {RESPONSES[c.response]}" + (f"; the Strategy will read: {c.change_to}" if c.change_to else ""))
