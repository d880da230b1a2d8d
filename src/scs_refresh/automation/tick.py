"""Doing what falls due: one function per kind of action, each safe to repeat.

Each action is recorded in the state store's ledger as started before the work and done
after it; messages go through the delivery module, whose send ledger keys each message
(``papers:<meeting>:<member>``), so whatever is re-run or crashes, every member, partner
and officer receives each message once. Files are written atomically.

This module does I/O (it is the edge the Prefect tasks wrap) but never imports Prefect.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from scs_refresh.mail import dispatch as delivery
from scs_refresh.automation.actions import Action, cycle_actions
from scs_refresh.core.atomic import write_bytes
from scs_refresh.timetable.deadlines import day_text_long
from scs_refresh.mail.dispatch import Attachment, Contact, Outgoing
from scs_refresh.core.errors import UserError
from scs_refresh.core.folders import Dirs
from scs_refresh.core.store import Store
from scs_refresh.timetable.model import Event, Scheduled, Timetable, load_timetable

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Context:
    """What every action needs, loaded once per tick at the edge."""

    dirs: Dirs
    timetable: Timetable
    partners: object | None  # PartnersConfig, when partners.yaml exists
    settings: delivery.DeliverySettings
    pdf: bool = True
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))  # SMTP password source

    @classmethod
    def load(cls, dirs: Dirs, pdf: bool = True, env: Mapping[str, str] | None = None) -> Context:
        tt = load_timetable(dirs.timetable)
        partners = None
        if dirs.partners.exists():
            from scs_refresh.partners.register import load_partners

            partners = load_partners(dirs.partners, tt)
        return cls(dirs, tt, partners, delivery.load_delivery(dirs.delivery), pdf,
                   dict(os.environ) if env is None else dict(env))

    def schedule(self) -> list[Scheduled]:
        """The schedule as it now stands: deferred meetings at their re-arranged dates (state store)."""
        from scs_refresh.approval.decisions import load_approvals
        from scs_refresh.approval.chain import effective_schedule

        approvals = load_approvals(self.dirs.store)
        return effective_schedule(self.timetable, approvals.decisions, approvals.replans)

    def scheduled(self, meeting_id: str) -> Scheduled:
        return next(s for s in self.schedule() if s.event.id == meeting_id)

    def actions(self) -> list[Action]:
        return cycle_actions(self.timetable, self.partners, self.schedule())

    def store(self) -> Store:
        return Store.open(self.dirs.store)


@dataclass
class Outcome:
    """What one action did: a line for the officer, the files written, the messages sent."""

    action: Action
    summary: str
    files: list[Path] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    queued: list[str] = field(default_factory=list)  # still waiting for the mail server


def tick_time(on: date) -> datetime:
    """The moment recorded for work done on a (possibly virtual) day: 07:00, when the tick runs."""
    return datetime.combine(on, time(7, 0))


def _flush(ctx: Context, store: Store, on: date) -> delivery.Report:
    transport = delivery.transport_for(ctx.settings, ctx.dirs.out, ctx.env)
    return delivery.flush(store, transport, ctx.settings.sender, tick_time(on))


def _send(ctx: Context, store: Store, messages: list[Outgoing], on: date) -> tuple[list[str], list[str]]:
    """Queue ``messages`` (each once) and deliver everything pending; returns (sent, still queued)."""
    delivery.queue(store, messages, ctx.settings.sender, tick_time(on))
    report = _flush(ctx, store, on)
    mine = {m.key for m in messages}
    return [k for k in report.sent if k in mine], [k for k in report.queued if k in mine]


def _contact(person) -> Contact | None:
    return Contact(name=person.name, email=person.email) if person.email else None


def _members(tt: Timetable, event: Event) -> list[Contact]:
    return [c for c in (_contact(m) for m in tt.body[event.body].members) if c]



# --- partners ---------------------------------------------------------------------------

def _partner_setup(ctx: Context):
    from scs_refresh.partners.outreach import Setup

    if ctx.partners is None:
        raise UserError(f"{ctx.dirs.partners}: file not found; the partner actions need the partner register")
    return Setup(ctx.dirs, ctx.timetable, ctx.partners, ctx.settings)


def send_questionnaires(ctx: Context, action: Action, on: date) -> Outcome:
    from scs_refresh.partners import outreach as service

    setup = _partner_setup(ctx)
    queued = service.queue_questionnaires(setup, tick_time(on))
    report = service.deliver(setup, tick_time(on), ctx.env)
    return Outcome(action, f"questionnaire queued for {len(queued)} partner(s); {len(report.sent)} message(s) sent",
                   sent=report.sent, queued=report.queued)


def request_interviews(ctx: Context, action: Action, on: date) -> Outcome:
    from scs_refresh.partners import outreach as service

    setup = _partner_setup(ctx)
    asked = service.queue_interview_requests(setup, on, tick_time(on))
    report = service.deliver(setup, tick_time(on), ctx.env)
    return Outcome(action, f"interview requests to {len(asked)} partner(s)", sent=report.sent, queued=report.queued)


def chase_partners(ctx: Context, action: Action, on: date) -> Outcome:
    from scs_refresh.partners import outreach as service

    setup = _partner_setup(ctx)
    chased = service.queue_chase(setup, on, tick_time(on))
    report = service.deliver(setup, tick_time(on), ctx.env)
    return Outcome(action, f"reminders to {len(chased)} partner(s) who have not responded",
                   sent=report.sent, queued=report.queued)


# --- meetings ---------------------------------------------------------------------------

def officer_reminder(ctx: Context, action: Action, on: date) -> Outcome:
    tt = ctx.timetable
    s = ctx.scheduled(action.meeting_id)
    officer = Contact(name=tt.cycle.officer.name, email=tt.cycle.officer.email)
    papers = "\n".join(f"  - {p.title}" for p in s.event.papers)
    msg = Outgoing(
        key=action.key, kind="officer-reminder", to=(officer,),
        subject=f"Reports due {day_text_long(s.report_deadline)}: {s.event.title}",
        body=(f"The reports for {tt.body[s.event.body].name} on {day_text_long(s.event.date)} must be final by "
              f"{day_text_long(s.report_deadline)}; the papers go out on {day_text_long(s.publication_deadline)} ({s.rule}).\n\n"
              f"Papers expected:\n{papers}\n\nThe tool writes them from the state of the refresh on "
              f"{day_text_long(s.report_deadline)}.\n"))
    with ctx.store() as store:
        sent, queued = _send(ctx, store, [msg], on)
    return Outcome(action, f"reminded the officer (reports due {s.report_deadline})", sent=sent, queued=queued)


def generate_papers(ctx: Context, action: Action, on: date) -> Outcome:
    """The meeting's papers as at ``on`` (its report deadline, or later when catching up)."""
    from scs_refresh.papers.generate import generate_meeting_papers
    from scs_refresh.papers.refresh import load_state

    from scs_refresh.approval.decisions import load_approvals
    from scs_refresh.approval.chain import with_confirmed_dates

    tt = with_confirmed_dates(ctx.timetable, load_approvals(ctx.dirs.store).replans)
    state = load_state(ctx.dirs, on, timetable=tt)
    result = generate_meeting_papers(state, action.meeting_id, ctx.dirs.out, ctx.dirs.templates, pdf=ctx.pdf)
    extra = f"; {len(result.not_produced)} expected paper(s) not produced" if result.not_produced else ""
    return Outcome(action, f"wrote {len(result.files())} file(s) in {result.folder}{extra}", files=result.files())


def _manifest(ctx: Context, action: Action, on: date) -> tuple[Path, dict]:
    folder = ctx.dirs.out / action.meeting_id
    if not (folder / "papers.json").is_file():  # catching up: the papers were never written
        generate_papers(ctx, action, on)
    return folder, json.loads((folder / "papers.json").read_text())


def _invitation(ctx: Context, event: Event, on: date) -> Attachment:
    from scs_refresh.mail.invitations import meeting_invitation
    from scs_refresh.papers.wording import load_papers_config

    agenda = load_papers_config(ctx.dirs.papers).agenda
    ics = meeting_invitation(ctx.timetable, event, agenda.default_time, agenda.max_minutes, agenda.venue,
                             tick_time(on).astimezone())
    write_bytes(ctx.dirs.out / event.id / f"{event.id}.ics", ics)
    return Attachment(f"{event.id}.ics", ics, "text/calendar")


def publish_papers(ctx: Context, action: Action, on: date) -> Outcome:
    """Publication day: the papers to every member, once each; non-exempt papers to the public folder.

    Exempt items (LGA 1972 Schedule 12A) go to members only and never to the public folder.
    """
    tt = ctx.timetable
    event = ctx.scheduled(action.meeting_id).event
    body = tt.body[event.body]
    folder, manifest = _manifest(ctx, action, on)
    exempt = set(manifest.get("exempt", []))
    pack = manifest.get("pack")
    files = [pack] if pack else [f for f in manifest["files"] if f.endswith(".docx")]
    attachments = tuple(Attachment(Path(f).name, (folder / f).read_bytes(), DOCX) for f in files)
    attachments += (_invitation(ctx, event, on),)
    note = ("\nItems marked exempt (Local Government Act 1972, Schedule 12A) are confidential to members "
            "and are not published.\n" if exempt else "")
    messages = [Outgoing(key=f"{action.key}:{m.email}", kind="papers", to=(m,),
                         subject=f"Papers: {event.title} ({day_text_long(event.date)})",
                         body=(f"Dear {m.name},\n\nPlease find attached the papers for {body.name} on "
                               f"{day_text_long(event.date)}, and a calendar invitation.\n{note}\n{tt.cycle.officer.name}\n"
                               f"{tt.cycle.officer.role}\n"),
                         attachments=attachments)
                for m in _members(tt, event)]
    published = []
    if body.public:
        public = ctx.dirs.out / "public" / event.id
        for f in manifest["files"]:
            if f in exempt or f == pack or (pack and f == f"pdf/{Path(pack).stem}.pdf"):
                continue  # the pack holds exempt items; the public get each open paper instead
            published.append(write_bytes(public / f, (folder / f).read_bytes()))
    with ctx.store() as store:
        sent, queued = _send(ctx, store, messages, on)
    where = f"; {len(published)} file(s) published in out/public/{event.id}" if body.public else ""
    return Outcome(action, f"papers to {len(messages)} member(s){where}", files=published, sent=sent, queued=queued)


def member_reminder(ctx: Context, action: Action, on: date) -> Outcome:
    tt = ctx.timetable
    event = ctx.scheduled(action.meeting_id).event
    invitation = _invitation(ctx, event, on)
    messages = [Outgoing(key=f"{action.key}:{m.email}", kind="meeting-reminder", to=(m,),
                         subject=f"Reminder: {event.title}, {day_text_long(event.date)}",
                         body=(f"Dear {m.name},\n\nA reminder that {tt.body[event.body].name} meets on "
                               f"{day_text_long(event.date)}. The papers were sent on publication; the calendar "
                               f"invitation is attached.\n\n{tt.cycle.officer.name}\n"),
                         attachments=(invitation,))
                for m in _members(tt, event)]
    with ctx.store() as store:
        sent, queued = _send(ctx, store, messages, on)
    return Outcome(action, f"reminded {len(messages)} member(s)", sent=sent, queued=queued)




def too_late(ctx: Context, action: Action, on: date) -> str | None:
    """Why a reminder caught up after downtime would be pointless, or None if it is still worth sending."""
    if action.kind not in ("officer_reminder", "member_reminder"):
        return None
    s = ctx.scheduled(action.meeting_id)
    if action.kind == "officer_reminder" and on > s.report_deadline:
        return f"skipped: the report deadline ({s.report_deadline}) had passed"
    if action.kind == "member_reminder" and on >= s.event.date:
        return f"skipped: the meeting ({s.event.date}) had taken place"
    return None


def run(ctx: Context, action: Action, on: date) -> Outcome:
    """Do one action: ledger 'started', the work, ledger 'done' (only when nothing is left queued)."""
    with ctx.store() as store:
        store.action_started(action.key, action.kind, action.due, tick_time(on))
    skip = too_late(ctx, action, on)
    outcome = Outcome(action, skip) if skip else RUNNERS[action.kind](ctx, action, on)
    if not outcome.queued:  # a mail server that was down: the next tick sends what is left, once
        with ctx.store() as store:
            store.action_done(action.key, tick_time(on), on, outcome.summary)
    return outcome


def evidence_fingerprint(dirs: Dirs) -> str:
    """What the evidence base is made of right now: the manifest, the delivery plan and every
    file in the evidence folder. A new file, or a changed one, gives a new fingerprint."""
    import hashlib

    digest = hashlib.sha256()
    folder = dirs.config.parent / "evidence"
    files = [dirs.config / "evidence.yaml", dirs.config / "delivery_plan.yaml",
             *sorted(p for p in folder.rglob("*") if p.is_file())]
    for f in files:
        if f.is_file():
            digest.update(f.name.encode() + f.read_bytes())
    return digest.hexdigest()[:16]


def scorecard_action(ctx: Context, on: date) -> Action | None:
    """Once the SCS is adopted, each new state of the evidence refreshes the scorecard, once
    (issue 7: the daily tick refreshes it when new evidence arrives)."""
    if not (ctx.dirs.config / "delivery_plan.yaml").exists():
        return None
    from scs_refresh.approval.decisions import load_approvals
    from scs_refresh.papers.contexts import adoption
    from scs_refresh.approval.chain import APPROVING, current_decisions

    adopting = adoption(ctx.timetable)
    decided = current_decisions(load_approvals(ctx.dirs.store).decisions).get(adopting.id) if adopting else None
    if decided is None or decided.outcome not in APPROVING or decided.decided_on > on:
        return None
    return Action(f"scorecard:{evidence_fingerprint(ctx.dirs)}", "refresh_scorecard", on,
                  "Refresh the SCS delivery plan scorecard: the evidence has changed since it was last drawn")


def refresh_scorecard(ctx: Context, action: Action, on: date) -> Outcome:
    from scs_refresh.papers.refresh import evidence_snapshot
    from scs_refresh.performance.scorecard import refresh

    evidence_snapshot(ctx.dirs, on)  # the scorecard reads the evidence base as collated
    paper = refresh(ctx.dirs, on)
    return Outcome(action, f"scorecard as at {on}: {len(paper.card.rows)} indicator(s) rated",
                   files=[ctx.dirs.out / "performance" / "scorecard.csv"])




def pending(ctx: Context, on: date) -> list[Action]:
    """The actions a tick on ``on`` must do (due, not yet done), oldest first."""
    from scs_refresh.automation.actions import due

    with ctx.store() as store:
        done = store.actions_done()
    scorecard = scorecard_action(ctx, on)
    return due(ctx.actions() + ([scorecard] if scorecard else []), done, on)


def stage_pending(ctx: Context, stage_id: str, on: date) -> list[Action]:
    """The pending actions that belong to one stage (what `scs run STAGE` does): the papers for
    the 3 December Board belong to the testing stage though they fall due in November."""
    return [a for a in pending(ctx, on) if a.stage == stage_id]


def send_draft_for_comment(ctx: Context, draft_docx: Path, version: int, on: date) -> Outcome:
    """Testing stage (seed 000, 4.3.4): draft sections tested with the partners who took part.

    Each responding partner gets draft version ``version`` once (key ``draft-comment:v<N>:<partner>``).
    """
    from scs_refresh.strategy.draft import partner_responses

    setup = _partner_setup(ctx)
    answered = partner_responses(ctx.dirs.store)
    tt = ctx.timetable
    action = Action(f"draft-comment:v{version}", "send_questionnaires", on,
                    f"Send draft SCS version {version} to partners for comment")
    doc = Attachment(f"Draft SCS version {version}.docx", Path(draft_docx).read_bytes(), DOCX)
    messages = [Outgoing(key=f"draft-comment:v{version}:{p.id}", kind="draft-comment", to=(p.contact,),
                         partner_id=p.id, reply_to=setup.partners.questionnaire.reply_to,
                         subject=f"Draft Sustainable Community Strategy (version {version}) for your comments",
                         body=(f"Dear {p.contact.name},\n\nThank you for {p.name}'s questionnaire return. The attached "
                               f"draft sections of the refreshed Sustainable Community Strategy draw on it; we would "
                               f"welcome your comments before the {tt.cycle.partnership} Board considers the draft.\n\n"
                               f"{tt.cycle.officer.name}\n{tt.cycle.officer.role}\n"),
                         attachments=(doc,))
                for p in setup.partners.partners if p.id in answered]
    with ctx.store() as store:
        sent, queued = _send(ctx, store, messages, on)
    return Outcome(action, f"draft version {version} to {len(messages)} partner(s) for comment", sent=sent,
                   queued=queued)


RUNNERS: dict[str, Callable[[Context, Action, date], Outcome]] = {
    "send_questionnaires": send_questionnaires, "request_interviews": request_interviews,
    "chase_partners": chase_partners, "officer_reminder": officer_reminder, "generate_papers": generate_papers,
    "publish_papers": publish_papers, "member_reminder": member_reminder, "refresh_scorecard": refresh_scorecard,
}
