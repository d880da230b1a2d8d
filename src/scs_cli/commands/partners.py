"""``scs questionnaire ...`` and ``scs interview ...``: the partners' questionnaire and one-to-one interviews (4.3.3 to 4.3.4)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import typer

from scs_cli.app import HELP_OPTIONS, OnOption, app, parse_on, workspace
from scs_refresh.core.dates import recorded_at

questionnaire_app = typer.Typer(no_args_is_help=True, context_settings=HELP_OPTIONS,
                                help="The partner questionnaire: send, import, status, chase.")
interview_app = typer.Typer(no_args_is_help=True, context_settings=HELP_OPTIONS,
                            help="One-to-one interviews with partners.")
app.add_typer(questionnaire_app, name="questionnaire")
app.add_typer(interview_app, name="interview")


def _setup(ctx: typer.Context):
    return workspace(ctx).outreach()


def _delivered(setup, at) -> None:
    """Send what is queued; a line for each address refused or to be tried again and each message in doubt;
    a server that took nothing more is one error line (exit 2), its messages queued for the next run."""
    from scs_refresh.core.errors import UserError
    from scs_refresh.mail.dispatch import in_doubt_line
    from scs_refresh.partners.outreach import deliver

    report = deliver(setup, at)
    where = f"to {setup.dirs.out / setup.delivery.outbox}" if setup.delivery.transport == "outbox" else "by SMTP"
    typer.echo(f"sent {len(report.sent)} message(s) {where}")
    for line in report.lines() + [in_doubt_line(key) for key in report.in_doubt]:
        typer.echo(f"warning: {line}", err=True)
    if report.stopped:
        raise UserError(f"{report.stopped}: {len(report.queued)} message(s) queued for the next run")


@questionnaire_app.command("send")
def questionnaire_send(ctx: typer.Context, on: OnOption = None) -> None:
    """Write and send each partner their questionnaire (once; a re-run sends only what is queued)."""
    from scs_refresh.partners.outreach import queue_questionnaires

    setup, at = _setup(ctx), recorded_at(parse_on(on))
    typer.echo(f"queued {len(queue_questionnaires(setup, at))} new questionnaire(s)")
    _delivered(setup, at)


@questionnaire_app.command("import")
def questionnaire_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A returned .docx, or a survey export .csv/.xlsx.")],
    on: Annotated[Optional[str], typer.Option(help="The day it was received, YYYY-MM-DD (default: today).")] = None,
) -> None:
    """Store the answers in a returned questionnaire or survey export (re-importing updates)."""
    from scs_refresh.partners.responses import import_responses

    setup = _setup(ctx)
    received = parse_on(on)
    with setup.store() as store:
        done = import_responses(store, file, setup.partners, setup.timetable.cycle, received, recorded_at(received))
        problems = {pid: r.problems for pid, r in store.responses().items() if pid in done}
    for pid, how in done.items():
        typer.echo(f"{how}: {pid}" + (f" ({'; '.join(problems[pid])})" if problems[pid] else ""))


@questionnaire_app.command("status")
def questionnaire_status(ctx: typer.Context, on: OnOption = None) -> None:
    """Per partner: sent, reminded, responded, overdue, interview."""
    from scs_refresh.as_at import records_on
    from scs_refresh.partners.interviews import stage_warning
    from scs_refresh.partners.status import status

    setup, day = _setup(ctx), parse_on(on)
    records = records_on(setup.dirs.store, day)  # what had happened by that day, nothing later
    rows = status(records, setup.partners, setup.timetable.cycle, day)
    warning = stage_warning(records.interviews, setup.partners, setup.timetable, day)
    typer.echo(f"Questionnaire deadline {setup.partners.questionnaire.deadline}; status on {day}")
    for r in rows:
        reminded = ", ".join(f"{rid} {d}" for rid, d in r.reminders) or "none"
        responded = f"responded {r.responded_on}" if r.responded_on else ("OVERDUE" if r.overdue else "awaiting")
        typer.echo(f"{r.partner_id:24} {r.sent:16} reminders: {len(r.reminders)} ({reminded}); {responded}; "
                   f"interview: {r.interview}")
    responded = sum(1 for r in rows if r.responded_on)
    typer.echo(f"{responded} of {len(rows)} partners responded")
    if warning:
        typer.echo(f"warning: {warning}")


@questionnaire_app.command("chase")
def questionnaire_chase(ctx: typer.Context, on: OnOption = None) -> None:
    """Send the reminders owed on a date to partners who have not responded (each at most once)."""
    from scs_refresh.partners.outreach import queue_chase

    setup, day = _setup(ctx), parse_on(on)
    due = queue_chase(setup, day, recorded_at(day))
    for d in due:
        cc = f", copied to {d.partner.sponsor.name}" if d.reminder.copy_sponsor else ""
        typer.echo(f"reminder '{d.reminder.id}' for {d.partner.id}{cc}")
    if not due:
        typer.echo(f"no reminders owed on {day}")
    _delivered(setup, recorded_at(day))


@interview_app.command("request")
def interview_request(
    ctx: typer.Context,
    partner: Annotated[Optional[str], typer.Option(help="Only this partner id (default: every partner flagged).")] = None,
    on: OnOption = None,
) -> None:
    """Ask each partner flagged for an interview to pick one of the proposed slots (once)."""
    from scs_refresh.partners.outreach import queue_interview_requests

    setup, day = _setup(ctx), parse_on(on)
    asked = queue_interview_requests(setup, day, recorded_at(day), partner)
    typer.echo(f"requested {len(asked)} interview(s): {', '.join(asked) or 'none new'}")
    _delivered(setup, recorded_at(day))


@interview_app.command("record")
def interview_record(
    ctx: typer.Context,
    partner: Annotated[str, typer.Argument(help="The partner id.")],
    when: Annotated[Optional[str], typer.Option("--date", help="Agreed date and time, 'YYYY-MM-DD HH:MM'.")] = None,
    notes: Annotated[Optional[str], typer.Option(help="Notes of the interview (marks it held).")] = None,
    held: Annotated[bool, typer.Option("--held", help="The interview has been held.")] = False,
    on: Annotated[Optional[str], typer.Option(help="The day this is recorded, YYYY-MM-DD (default: today).")] = None,
) -> None:
    """Record the agreed date, and once held, the notes."""
    from scs_refresh.partners.interviews import record

    agreed = None
    if when is not None:
        try:
            agreed = datetime.strptime(when.strip(), "%Y-%m-%d %H:%M")
        except ValueError:
            raise typer.BadParameter(f"'{when}' is not a date and time; write it as 'YYYY-MM-DD HH:MM'") from None
    setup, day = _setup(ctx), parse_on(on)
    with setup.store() as store:
        record(store, setup.partners, partner, on=day, agreed_at=agreed, notes=notes, held=held)
    typer.echo(f"recorded interview for {partner}")
