"""``scs``: the officer's command line. Thin: it parses, loads config once, calls the domain.

Commands that need no Prefect never import it (or pandas), so they answer at once.
Errors in the officer's files are printed as one line each and exit with code 2.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Optional

import click
import typer
from typer.core import TyperGroup

from scs_refresh.approval.outcomes import Outcome
from scs_refresh.core.dates import recorded_at
from scs_refresh.core.errors import UserError
from scs_refresh.core.folders import Dirs


class _Group(TyperGroup):
    """Turn a UserError anywhere below into one line on stderr and exit code 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UserError as exc:
            for line in exc.lines():
                typer.echo(f"error: {line}", err=True)
            ctx.exit(exc.exit_code)


app = typer.Typer(cls=_Group, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Run the refresh of the Sustainable Community Strategy (SCS).")


@app.callback()
def _dirs(
    ctx: typer.Context,
    config_dir: Annotated[Path, typer.Option(envvar="SCS_CONFIG_DIR", help="Folder of timetable.yaml etc.")] = Path("config"),
    out_dir: Annotated[Path, typer.Option(envvar="SCS_OUT_DIR", help="Where papers and outputs are written.")] = Path("out"),
    state_dir: Annotated[Path, typer.Option(envvar="SCS_STATE_DIR", help="Where the state store lives.")] = Path("state"),
    templates_dir: Annotated[Path, typer.Option(envvar="SCS_TEMPLATES_DIR", help="Folder of the Word templates.")] = Path("templates"),
    store: Annotated[Optional[Path], typer.Option(envvar="SCS_STORE", help="The SQLite state store (default: STATE_DIR/scs.sqlite).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show what each step did, line by line.")] = False,
) -> None:
    if verbose:
        _show_domain_logs()
    ctx.obj = Dirs(config=config_dir, out=out_dir, state=state_dir, templates=templates_dir, store_file=store)


def _show_domain_logs() -> None:
    """`scs -v`: the domain's log lines on the terminal, through rich."""
    import logging

    from rich.logging import RichHandler

    domain = logging.getLogger("scs_refresh")
    domain.addHandler(RichHandler(show_path=False, markup=False))
    domain.setLevel(logging.INFO)
    domain.propagate = False


def _parse_on(value: Optional[str]) -> date:
    from scs_refresh.core.dates import today
    from scs_refresh.core.yamlio import parse_iso_date

    if value is None:
        return today()
    try:
        return parse_iso_date(value)
    except ValueError as exc:
        raise UserError(f"--on: {exc}") from None


def _ws(ctx: typer.Context):
    """The cycle's workspace: every config file, loaded and checked once for this command."""
    from scs_refresh.workspace import Workspace

    return Workspace.load(ctx.obj)


def _timetable(ctx: typer.Context):
    from scs_refresh.timetable.model import load_timetable

    return load_timetable(ctx.obj.timetable)


@app.command()
def check(ctx: typer.Context) -> None:
    """Validate every configuration file; exit 2 naming each problem."""
    from scs_refresh.automation.simulation import FILE_NAME, for_workspace

    ws = _ws(ctx)
    names = ws.loaded() + ([FILE_NAME] if for_workspace(ws) is not None else [])
    for name in names:
        typer.echo(f"ok: {ctx.obj.config / name}")


@app.command()
def timetable(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """The four stages and every event with its publication and report deadlines."""
    from scs_cli import views as render
    from scs_refresh.timetable.model import as_json as to_json

    tt = _timetable(ctx)
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

    render.plan(make_plan(_timetable(ctx), _parse_on(on), days))


def _report_papers(result) -> None:
    for path in result.files():
        typer.echo(f"wrote {path}")
    for note in result.not_produced:
        typer.echo(f"not produced: {note}")
    for warning in result.warnings:
        typer.echo(f"warning: {warning}")


@app.command()
def papers(
    ctx: typer.Context,
    meeting: Annotated[str, typer.Argument(help="The meeting id, as in `scs timetable --json`.")],
    on: Annotated[Optional[str], typer.Option(help="Write the papers as at this day, YYYY-MM-DD (default: today).")] = None,
    pdf: Annotated[bool, typer.Option(help="Also make PDFs with LibreOffice when it is installed.")] = True,
) -> None:
    """Generate everything a meeting needs (reports, agenda, board pack) into out/<meeting-id>/."""
    from scs_refresh.papers.generate import generate_meeting_papers

    from scs_refresh.as_at import load_state

    state = load_state(_ws(ctx), _parse_on(on))
    _report_papers(generate_meeting_papers(state, meeting, ctx.obj.out, ctx.obj.templates, pdf=pdf))


@app.command()
def review(
    ctx: typer.Context,
    on: Annotated[Optional[str], typer.Option(help="Assess as at this day, YYYY-MM-DD (default: today).")] = None,
    meeting: Annotated[Optional[str], typer.Option(help="Timetable id of the Board meeting (default: the next one).")] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also make a PDF with LibreOffice.")] = False,
) -> None:
    """The Partnership review report: the register assessed against policy Appendix B, into <out>/review/."""
    from scs_refresh.review.paper import write_review_from_dirs

    ws = _ws(ctx)
    review = ws.need_review()
    outputs = write_review_from_dirs(ws.timetable, review.register, review.content, ws.dirs, _parse_on(on), meeting,
                                     pdf=pdf)
    typer.echo(outputs.summary())


@app.command("scs-draft")
def scs_draft(
    ctx: typer.Context,
    on: Annotated[Optional[str], typer.Option(help="Write the draft as at this day, YYYY-MM-DD (default: today).")] = None,
    pdf: Annotated[bool, typer.Option(help="Also make a PDF of a new version with LibreOffice when it is installed.")] = True,
) -> None:
    """The draft SCS: collate the evidence, then write a new draft version into <out>/scs/ if anything changed."""
    from scs_refresh.documents.pdf import soffice, to_pdf
    from scs_refresh.strategy.draft import write_draft_from_dirs

    ws = _ws(ctx)
    result = write_draft_from_dirs(ws.draft_inputs(), ws.dirs, _parse_on(on))
    for line in result.summary():
        typer.echo(line)
    if result.new and pdf and soffice() is not None:
        typer.echo(f"wrote {to_pdf([result.docx], result.docx.parent)[0]}")


def _run_cycle(ctx: typer.Context, start: date, end: date, pdf: bool, fresh: bool, defer: bool) -> None:
    from rich.console import Console

    from flows.cycle import run_cycle

    console = Console()

    def show(day, outcomes):
        for o in outcomes:
            late = f" [dim](due {o.action.due})[/dim]" if o.action.due < day else ""
            console.print(f"{day:%a %d %b %Y}  {o.action.text}{late}: {o.summary}")

    report = run_cycle(ctx.obj, start, end, pdf=pdf, fresh=fresh, defer=defer, on_day=show)
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

    tt = _timetable(ctx)
    if stage not in tt.stage:
        raise UserError(f"no stage '{stage}' (stages: {', '.join(tt.stage)})")
    day = _parse_on(on)
    from flows.stages import STAGES

    dirs: Dirs = ctx.obj
    options = {"wait_for_decisions": wait} if stage == "approval" else {}
    console = Console()
    with console.status(f"Running the {stage} stage as at {day:%d %b %Y} ..."):
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
    first, last = _parse_on(start), _parse_on(end)
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
    tt = _timetable(ctx)
    dated = [s.event.date for s in tt.schedule if s.event.date]
    end = max(dated) + timedelta(days=62) if defer else max(dated)
    _run_cycle(ctx, min(dated), end, pdf, fresh, defer)


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

    tt, day = _timetable(ctx), _parse_on(on)
    outcome = outcome.strip().lower().replace("-", "_")
    with Store.open(ctx.obj.store) as store:
        record_decision(store, tt, meeting, outcome, on=day, note=note, amendment=amendment,
                        by=by or tt.cycle.officer.name, at=recorded_at(day), replace=replace)
    typer.echo(f"recorded: {meeting} {outcome} on {day}" + (" (the earlier record is kept)" if replace else ""))
    if outcome == Outcome.APPROVED_WITH_AMENDMENTS and (ctx.obj.config / "scs.yaml").exists():
        from scs_refresh.strategy.draft import write_draft_from_dirs

        ws = _ws(ctx)
        for line in write_draft_from_dirs(ws.draft_inputs(), ws.dirs, day).summary():
            typer.echo(line)
    _show_chain(ctx, tt)


@app.command()
def decisions(ctx: typer.Context) -> None:
    """The approval chain: each step's date, decision, and any re-planned or at-risk dates."""
    _show_chain(ctx, _timetable(ctx))


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

    tt = _timetable(ctx)
    try:
        day = parse_iso_date(new_date)
    except ValueError as exc:
        raise UserError(f"DATE: {exc}") from None
    with Store.open(ctx.obj.store) as store:
        record_replan(store, tt, meeting, day, by=by or tt.cycle.officer.name, at=recorded_at(_parse_on(on)))
    typer.echo(f"re-planned: {meeting} on {day}")
    _show_chain(ctx, tt)


def _tick_parameters(dirs: Dirs, pdf: bool) -> dict:
    """The daily tick's parameters, once every config file is sound: absolute folders, so a served
    run finds them wherever it starts."""
    from scs_refresh.workspace import Workspace

    Workspace.load(dirs)
    if dirs.store_file is not None and dirs.store_file.resolve() != (dirs.state / "scs.sqlite").resolve():
        raise UserError("--store: the daily tick keeps its ledger in STATE_DIR/scs.sqlite; set --state-dir instead")
    return {"dirs": Dirs(config=dirs.config.resolve(), out=dirs.out.resolve(), state=dirs.state.resolve(),
                         templates=dirs.templates.resolve()), "pdf": pdf}


@app.command()
def tick(
    ctx: typer.Context,
    on: Annotated[Optional[str], typer.Option(help="Act as on this day, YYYY-MM-DD (default: today).")] = None,
    pdf: Annotated[bool, typer.Option(help="Also make PDFs with LibreOffice when it is installed.")] = True,
) -> None:
    """Run the daily tick once now: do whatever is due (or was missed) and not yet done."""
    day = _parse_on(on)
    params = _tick_parameters(ctx.obj, pdf)
    from flows.daily import daily_tick

    outcomes = daily_tick(on=day, **params)
    for o in outcomes:
        late = f" (due {o.action.due}, caught up)" if o.action.due < day else ""
        typer.echo(f"{o.action.text}{late}: {o.summary}")
        if o.queued:
            typer.echo(f"warning: {len(o.queued)} message(s) still queued for the mail server; "
                       "the next tick sends them", err=True)
    sent = sum(len(o.sent) for o in outcomes)
    typer.echo(f"{len(outcomes)} action(s) done on {day}, {sent} message(s) sent" if outcomes
               else f"nothing was due on {day}")


#: 07:00 Monday to Friday, London time (GMT or BST).
WORKING_DAYS_7AM = "0 7 * * 1-5"
SERVE_HELP = (
    "Run the daily tick on a schedule, as a Prefect deployment served from this process.\n\n"
    f'The schedule is a cron line in Europe/London (default "{WORKING_DAYS_7AM}": 07:00 on working days). '
    "On a bank holiday the tick runs as usual and does what is due; a day it misses is caught up on the "
    "next run, and running it twice repeats nothing.\n\n"
    "Needs a Prefect server: run `prefect server start`, then "
    "`export PREFECT_API_URL=http://127.0.0.1:4200/api`. Stop with Ctrl-C or SIGTERM."
)


@app.command(help=SERVE_HELP)
def serve(
    ctx: typer.Context,
    cron: Annotated[str, typer.Option(help="When to run, as cron in Europe/London.")] = WORKING_DAYS_7AM,
    name: Annotated[str, typer.Option(help="The deployment's name (one per cycle or council).")] = "scs-daily",
    pdf: Annotated[bool, typer.Option(help="Also make PDFs with LibreOffice when it is installed.")] = True,
) -> None:
    params = _tick_parameters(ctx.obj, pdf)
    from flows.serving import serve as serve_daily_tick

    serve_daily_tick(name, cron, params, typer.echo)


questionnaire_app = typer.Typer(no_args_is_help=True, help="The partner questionnaire: send, import, status, chase.")
interview_app = typer.Typer(no_args_is_help=True, help="One-to-one interviews with partners.")
app.add_typer(questionnaire_app, name="questionnaire")
app.add_typer(interview_app, name="interview")
OnOption = Annotated[Optional[str], typer.Option(help="The day to act on, YYYY-MM-DD (default: today).")]


def _setup(ctx: typer.Context):
    return _ws(ctx).outreach()


def _delivered(setup, at) -> None:
    from scs_refresh.partners.outreach import deliver

    report = deliver(setup, at)
    where = f"to {setup.dirs.out / setup.delivery.outbox}" if setup.delivery.transport == "outbox" else "by SMTP"
    typer.echo(f"sent {len(report.sent)} message(s) {where}")
    for key in report.failed:
        typer.echo(f"warning: refused by the mail server, not retried: {key}", err=True)
    for key in report.in_doubt:
        typer.echo(f"warning: in doubt (a run stopped while sending; check before resending): {key}", err=True)


@questionnaire_app.command("send")
def questionnaire_send(ctx: typer.Context, on: OnOption = None) -> None:
    """Write and send each partner their questionnaire (once; a re-run sends only what is queued)."""
    from scs_refresh.partners.outreach import queue_questionnaires

    setup, at = _setup(ctx), recorded_at(_parse_on(on))
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
    received = _parse_on(on)
    with setup.store() as store:
        done = import_responses(store, file, setup.partners, setup.timetable.cycle, received, recorded_at(received))
        problems = {pid: r.problems for pid, r in store.responses().items() if pid in done}
    for pid, how in done.items():
        typer.echo(f"{how}: {pid}" + (f" ({'; '.join(problems[pid])})" if problems[pid] else ""))


@questionnaire_app.command("status")
def questionnaire_status(ctx: typer.Context, on: OnOption = None) -> None:
    """Per partner: sent, reminded, responded, overdue, interview."""
    from scs_refresh.partners.interviews import stage_warning
    from scs_refresh.partners.status import status

    setup, day = _setup(ctx), _parse_on(on)
    with setup.store() as store:
        rows = status(store, setup.partners, setup.timetable.cycle, day)
        warning = stage_warning(store, setup.partners, setup.timetable, day)
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

    setup, day = _setup(ctx), _parse_on(on)
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

    setup, day = _setup(ctx), _parse_on(on)
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
) -> None:
    """Record the agreed date, and once held, the notes."""
    from datetime import datetime

    from scs_refresh.partners.interviews import record

    agreed = None
    if when is not None:
        try:
            agreed = datetime.strptime(when.strip(), "%Y-%m-%d %H:%M")
        except ValueError:
            raise typer.BadParameter(f"'{when}' is not a date and time; write it as 'YYYY-MM-DD HH:MM'") from None
    setup = _setup(ctx)
    with setup.store() as store:
        record(store, setup.partners, partner, agreed_at=agreed, notes=notes, held=held)
    typer.echo(f"recorded interview for {partner}")


evidence_app = typer.Typer(no_args_is_help=True, help="The evidence base: check sources, collate the digest.")
app.add_typer(evidence_app, name="evidence")


def _manifest(ctx: typer.Context):
    from scs_refresh.evidence.manifest import load_manifest

    return load_manifest(ctx.obj.config / "evidence.yaml")


@evidence_app.command("check")
def evidence_check(
    ctx: typer.Context,
    source: Annotated[Optional[str], typer.Argument(help="A source id or file name (default: every source).")] = None,
) -> None:
    """Read one source (or all) as the manifest describes it; exit 2 naming file, row and column."""
    from scs_refresh.evidence.collate import read_all

    manifest = _manifest(ctx)
    for ev in read_all(manifest, source):
        missing = int(ev.rows["missing_reason"].notna().sum()) if len(ev.rows) else 0
        what = f"{len(ev.rows)} rows, {missing} missing with a reason" if len(ev.rows) else f"{len(ev.statements)} statements"
        label = " (illustrative)" if ev.source.illustrative else ""
        typer.echo(f"ok: {ev.source.id}{label}: {what} from {ev.file}")


@evidence_app.command("collate")
def evidence_collate(
    ctx: typer.Context,
    on: Annotated[Optional[str], typer.Option(help="The 'as at' date of the digest, YYYY-MM-DD (default: today).")] = None,
) -> None:
    """Build the evidence table, digest, charts and provenance list in <out>/evidence."""
    from scs_refresh.evidence.collate import collate_and_write, summary

    base, folder = collate_and_write(_manifest(ctx), ctx.obj.out, _parse_on(on))
    for line in summary(base):
        typer.echo(line)
    typer.echo(f"wrote {folder} ({len(base.table)} rows, {len(base.statements)} statements, {len(base.digest.charts)} charts)")


performance_app = typer.Typer(help="The SCS delivery plan scorecard, and figures recorded by hand.")
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
    from scs_refresh.performance.scorecard import refresh

    ws = _ws(ctx)
    plan = ws.plan_inputs()
    if plan is None:
        raise UserError(f"{ws.dirs.config / 'delivery_plan.yaml'}: file not found; the scorecard rates its indicators")
    paper = refresh(plan, ws.dirs, _parse_on(on))
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

    day, ws = _parse_on(on), _ws(ctx)
    plan = ws.plan_inputs()
    if plan is None:
        raise UserError(f"{ws.dirs.config / 'delivery_plan.yaml'}: file not found; figures are recorded against it")
    how = record(plan, ws.dirs.store, indicator, value, period, note=note, source=source,
                 by=by or ws.timetable.cycle.officer.name, at=recorded_at(day))
    typer.echo(f"{how}: {indicator} {period} = {value:g}")


def main() -> None:
    """The console script. Prefect's embedded API gets two minutes to start (its default, 20 s, is too
    short on a slow machine); if it still does not start, one line says so and the exit code is 2."""
    import os

    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    try:
        app()
    except RuntimeError as exc:
        cause: BaseException | None = exc
        seen: set[int] = set()  # a chain of causes can loop
        while cause is not None and id(cause) not in seen:
            if "attempting to connect to ephemeral Prefect API server" in str(cause):
                break
            seen.add(id(cause))
            cause = cause.__cause__ or cause.__context__
        else:
            raise
        try:
            from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS

            seconds = f"{PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()} s"
        except Exception:  # the message matters more than the figure
            seconds = "the time allowed"
        typer.echo(f"error: the embedded Prefect API did not start in {seconds}; try again, or start one with "
                   "`prefect server start` and set PREFECT_API_URL (or raise "
                   "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS)", err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
