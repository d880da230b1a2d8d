"""The daily tick: the ledger and the dispatch of whatever falls due.

Each action is recorded in the state store's ledger as started before the work and done
after it. The work itself lives in its room (``papers.publish``, ``partners.outreach``,
``performance.scorecard``); this module only picks the runner and sends what it built
through the send ledger, which keys each message (``papers:<meeting>:<member>``), so whatever
is re-run or crashes, every member, partner and officer receives each message once.

This module does I/O (it is the edge the Prefect tasks wrap) but never imports Prefect.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from scs_refresh.approval.chain import adoption, current_decisions, effective_schedule
from scs_refresh.approval.outcomes import APPROVING
from scs_refresh.approval.decisions import Approvals, load_approvals
from scs_refresh.automation.actions import (Action, after_meeting_actions, cycle_actions, due, forward_plan_action,
                                            moved_actions)
from scs_refresh.core.dates import day_text, recorded_at
from scs_refresh.core.errors import UserError
from scs_refresh.core.folders import Dirs
from scs_refresh.core.store import Records, Store, exists
from scs_refresh.evidence.manifest import fingerprint
from scs_refresh.mail import dispatch
from scs_refresh.mail.dispatch import Outgoing
from scs_refresh.papers import publish, records
from scs_refresh.papers.generate import generate_meeting_papers
from scs_refresh.papers.site import build_site
from scs_refresh.as_at import known_on, load_state, records_on, scorecard_on
from scs_refresh.partners import outreach
from scs_refresh.timetable.model import Scheduled
from scs_refresh.workspace import Workspace

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Context:
    """What every action needs: the cycle's workspace (loaded once), whether to make PDFs, and
    the environment the SMTP password is read from."""

    ws: Workspace
    pdf: bool = True
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))

    @classmethod
    def load(cls, dirs: Dirs, pdf: bool = True, env: Mapping[str, str] | None = None) -> Context:
        return cls(Workspace.load(dirs), pdf, dict(os.environ) if env is None else dict(env))

    @property
    def dirs(self) -> Dirs:
        return self.ws.dirs

    @property
    def timetable(self):
        return self.ws.timetable

    @property
    def partners(self):
        return self.ws.partners

    def schedule(self, approvals: Approvals | None = None) -> list[Scheduled]:
        """The schedule as it now stands: deferred meetings at their re-arranged dates (state store, or
        ``approvals`` already read from it)."""
        approvals = load_approvals(self.dirs.store) if approvals is None else approvals
        return effective_schedule(self.timetable, approvals.decisions, approvals.replans)

    def scheduled(self, meeting_id: str) -> Scheduled:
        return next(s for s in self.schedule() if s.event.id == meeting_id)

    def actions(self, on: date | None = None, *, approvals: Approvals | None = None,
                known: Records | None = None) -> list[Action]:
        """Every action of the cycle as the schedule now stands, with the business before and after
        meetings; with ``on``, only the decision notices of the decisions recorded by then (``approvals``
        and ``known``, the records as at ``on``: what the caller has already read from the store)."""
        approvals = load_approvals(self.dirs.store) if approvals is None else approvals
        schedule = self.schedule(approvals)
        out = cycle_actions(self.timetable, self.partners, schedule)
        papers = self.ws.papers
        if papers is None:
            return out
        decisions = (known or records_on(self.dirs.store, on)).decisions if on else approvals.decisions
        out += after_meeting_actions(self.timetable, schedule, decisions, papers.agenda.notice_days)
        planned = forward_plan_action(self.timetable, papers.forward_plan) if papers.forward_plan else None
        return out + ([planned] if planned else [])

    def store(self) -> Store:
        return Store.open(self.dirs.store)


@dataclass
class ActionResult:
    """What one action did: a line for the officer, the files written, the messages the server took."""

    action: Action
    summary: str
    files: list[Path] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)  # complete in this run: every recipient has them
    queued: list[str] = field(default_factory=list)  # still waiting for the mail server
    held: bool = False  # caught up too late to send blindly: listed for the officer (`scs pending`)
    mail: list[str] = field(default_factory=list)  # addresses refused for good or to be tried again
    stopped: str | None = None  # why the mail server took no more ("mail server ... not reachable (...)")
    elsewhere: bool = False  # another run (a second tick at the same moment) had claimed it: left to that run

    @classmethod
    def mailed(cls, action: Action, summary: str, report: dispatch.Report, queued: list[str] | None = None,
               **more) -> ActionResult:
        """The result of an action that sent mail: its counts are what the server accepted."""
        return cls(action, summary, sent=report.sent, queued=report.queued if queued is None else queued,
                   mail=report.lines(), stopped=report.stopped, **more)


def _send(ctx: Context, messages: Iterable[Outgoing], on: date) -> tuple[dispatch.Report, list[str]]:
    """Queue ``messages`` (each once) and deliver everything pending; returns the report and which of
    ``messages`` are still queued (the action is done once none is)."""
    messages = list(messages)
    settings = ctx.ws.need_delivery()
    transport = dispatch.transport_for(settings, ctx.dirs.out, ctx.env)
    with ctx.store() as store:
        report = dispatch.send(store, transport, messages, settings.sender, recorded_at(on), retry=settings.retry)
    mine = {m.key for m in messages}
    return report, [k for k in report.queued if k in mine]


# --- partners ---------------------------------------------------------------------------

def _deliver(ctx: Context, setup: outreach.Setup, on: date) -> dispatch.Report:
    return outreach.deliver(setup, recorded_at(on), ctx.env)


def mail_notes(ctx: Context, outcomes: Iterable[ActionResult]) -> list[str]:
    """What a tick's report says about the mail, besides each action's line: addresses refused or to be
    tried again, a server that stopped (with what the ledger still holds), and every message in doubt,
    every tick until the officer confirms or resends it."""
    outcomes = list(outcomes)
    lines = list(dict.fromkeys(line for o in outcomes for line in o.mail))
    stops = list(dict.fromkeys(o.stopped for o in outcomes if o.stopped))
    with ctx.store() as store:
        waiting = len(store.sends(status="pending"))
        doubt = [r.key for r in store.sends(status="sending")]
    lines += [f"{stop}: {waiting} message(s) queued for the next tick" for stop in stops]
    return lines + [dispatch.in_doubt_line(key) for key in doubt]


def _sent(report: dispatch.Report, new: int, what: str) -> str:
    """'questionnaire queued for 12 partner(s); 12 message(s) sent': the count is what the server accepted."""
    return f"{what} queued for {new} partner(s); {len(report.sent)} message(s) sent" + (
        f", {len(report.queued)} still queued" if report.queued else "")


def send_questionnaires(ctx: Context, action: Action, on: date) -> ActionResult:
    setup = ctx.ws.outreach()
    queued = outreach.queue_questionnaires(setup, recorded_at(on))
    report = _deliver(ctx, setup, on)
    return ActionResult.mailed(action, _sent(report, len(queued), "questionnaire"), report)


def request_interviews(ctx: Context, action: Action, on: date) -> ActionResult:
    setup = ctx.ws.outreach()
    asked = outreach.queue_interview_requests(setup, on, recorded_at(on))
    report = _deliver(ctx, setup, on)
    return ActionResult.mailed(action, _sent(report, len(asked), "interview requests"), report)


def chase_partners(ctx: Context, action: Action, on: date) -> ActionResult:
    setup = ctx.ws.outreach()
    chased = outreach.queue_chase(setup, on, recorded_at(on))
    report = _deliver(ctx, setup, on)
    return ActionResult.mailed(action, _sent(report, len(chased), "reminders to partners who have not responded:"),
                               report)


def send_draft_for_comment(ctx: Context, draft_docx: Path, version: int, on: date) -> ActionResult:
    """Testing stage: draft version ``version`` to each partner who responded, once each."""
    action = Action(f"draft-comment:v{version}", "send_draft_for_comment", on,
                    f"Send draft SCS version {version} to partners for comment")
    answered = records_on(ctx.dirs.store, on).responses  # only the partners who had replied by ``on``
    messages = outreach.draft_for_comment(ctx.ws.outreach(), draft_docx, version, answered)
    report, queued = _send(ctx, messages, on)
    return ActionResult.mailed(action, f"draft version {version} to {len(messages)} partner(s) for comment", report,
                               queued)


# --- meetings ---------------------------------------------------------------------------

def officer_reminder(ctx: Context, action: Action, on: date) -> ActionResult:
    s = ctx.scheduled(action.meeting_id)
    report, queued = _send(ctx, [publish.officer_reminder(ctx.timetable, s, action.key, ctx.ws.mail, on)], on)
    return ActionResult.mailed(action, f"reminded the officer (reports due {s.report_deadline})", report, queued)


def generate_papers(ctx: Context, action: Action, on: date) -> ActionResult:
    """The meeting's papers as at ``on`` (its report deadline, or later when catching up), at its date
    as confirmed by then."""
    result = generate_meeting_papers(load_state(ctx.ws, on), action.meeting_id, ctx.dirs.out, ctx.dirs.templates,
                                     pdf=ctx.pdf)
    extra = f"; {len(result.not_produced)} expected paper(s) not produced" if result.not_produced else ""
    return ActionResult(action, f"wrote {len(result.files())} file(s) in {result.folder}{extra}",
                        files=result.files())


def _moves(ctx: Context, meeting_id: str, on: date) -> publish.Moves:
    """How often the meeting had been re-arranged by ``on``: the invitation's SEQUENCE follows it."""
    return publish.Moves.of(records_on(ctx.dirs.store, on).replans, meeting_id, ctx.timetable.event[meeting_id].date)


def _invitation(ctx: Context, event, on: date):
    return publish.invitation(ctx.dirs, ctx.timetable, event, ctx.ws.need_papers().agenda, recorded_at(on),
                              _moves(ctx, event.id, on))


def meeting_moved(ctx: Context, action: Action, on: date) -> ActionResult:
    """A meeting re-arranged to another day: the old slot cancelled and the new one sent to every member."""
    event = ctx.scheduled(action.meeting_id).event
    messages = publish.moved(ctx.dirs, ctx.timetable, event, _moves(ctx, event.id, on), ctx.ws.need_papers().agenda,
                             action.key, recorded_at(on), ctx.ws.mail)
    report, queued = _send(ctx, messages, on)
    return ActionResult.mailed(action, f"told {len(messages) // 2} member(s) of the new date", report, queued)


def _decided_since(ctx: Context, manifest: dict, on: date) -> bool:
    """A decision or a re-arranged meeting recorded since the papers were written: they are brought up to
    date before they are published, as the officer would, so that (say) the Full Council report written
    before CMT met quotes CMT's decision when it is published after it."""
    written = date.fromisoformat(manifest["generated_for"])
    then, now = records_on(ctx.dirs.store, written), records_on(ctx.dirs.store, on)
    return (then.decisions, then.replans) != (now.decisions, now.replans)


def publish_papers(ctx: Context, action: Action, on: date) -> ActionResult:
    """Publication day: the papers to every member, once each; non-exempt papers to the public folder."""
    event = ctx.scheduled(action.meeting_id).event
    manifest = publish.written(ctx.dirs, event.id)
    if manifest is None or _decided_since(ctx, manifest, on):  # never written (catching up), or out of date
        generate_papers(ctx, action, on)
        manifest = publish.written(ctx.dirs, event.id)
    out = publish.publication(ctx.dirs, ctx.timetable, event, manifest, action.key, _invitation(ctx, event, on),
                              ctx.ws.mail, ctx.ws.need_papers().agenda, _moves(ctx, event.id, on))
    if ctx.timetable.body[event.body].public:  # the meetings site shows the newly published papers
        build_site(ctx.dirs, ctx.timetable, ctx.ws.need_papers().agenda, ctx.dirs.templates, recorded_at(on))
    report, queued = _send(ctx, out.messages, on)
    where = f"; {len(out.published)} file(s) published in out/public/{event.id}" \
        if ctx.timetable.body[event.body].public else ""
    return ActionResult.mailed(action, f"papers to {len(out.messages)} member(s){where}", report, queued,
                               files=out.published)


def member_reminder(ctx: Context, action: Action, on: date) -> ActionResult:
    event = ctx.scheduled(action.meeting_id).event
    messages = publish.member_reminders(ctx.timetable, event, action.key, _invitation(ctx, event, on), ctx.ws.mail)
    report, queued = _send(ctx, messages, on)
    return ActionResult.mailed(action, f"reminded {len(messages)} member(s)", report, queued)


# --- after a meeting, and the forward plan -----------------------------------------------

def _after_meeting(ctx: Context, action: Action, on: date, kind: str) -> ActionResult:
    """The decision notice or the draft minutes of one sitting, as at ``on``: written, published without
    exempt parts, and sent to every member once."""
    state = load_state(ctx.ws, on, evidence=False)
    sitting = records.sitting_of(action.key, action.meeting_id)
    written = records.write_after_meeting(state, sitting, kind, ctx.dirs.out, ctx.dirs.templates, pdf=ctx.pdf)
    event = state.timetable.event[sitting.meeting_id]
    messages = publish.meeting_record(ctx.timetable, event, sitting.day, written.for_members, action.key,
                                      ctx.ws.mail, minutes=kind == records.MINUTES)
    if written.public:
        build_site(ctx.dirs, ctx.timetable, ctx.ws.need_papers().agenda, ctx.dirs.templates, recorded_at(on))
    report, queued = _send(ctx, messages, on)
    what = "draft minutes" if kind == records.MINUTES else "decision notice"
    return ActionResult.mailed(action, f"{what} to {len(messages)} member(s); {len(written.public)} file(s) published",
                               report, queued, files=written.files)


def draft_minutes(ctx: Context, action: Action, on: date) -> ActionResult:
    return _after_meeting(ctx, action, on, records.MINUTES)


def decision_notice(ctx: Context, action: Action, on: date) -> ActionResult:
    return _after_meeting(ctx, action, on, records.NOTICE)


def forward_plan(ctx: Context, action: Action, on: date) -> ActionResult:
    """The forward plan entry for the Strategy's adoption: written and published (it is public by law)."""
    state = load_state(ctx.ws, on, evidence=False)
    fp = ctx.ws.need_papers().forward_plan
    folder = ctx.dirs.out / "forward-plan"
    files = records.write_record(records.forward_plan_context(state, fp, action.due), ctx.dirs.templates, folder,
                                 records.FORWARD_PLAN, pdf=ctx.pdf, public=ctx.dirs.out / "public" / "forward-plan")
    return ActionResult(action, f"forward plan entry published in out/public/forward-plan ({len(files)} file(s))",
                        files=files)


# --- the scorecard ----------------------------------------------------------------------

def scorecard_action(ctx: Context, on: date, approvals: Approvals | None = None) -> Action | None:
    """Once the SCS is adopted, each new state of the evidence refreshes the scorecard, once."""
    if ctx.ws.delivery_plan is None:
        return None
    adopting = adoption(ctx.timetable)
    approvals = load_approvals(ctx.dirs.store) if approvals is None else approvals
    decided = current_decisions(approvals.decisions).get(adopting.id) if adopting else None
    if decided is None or decided.outcome not in APPROVING or decided.decided_on > on:
        return None
    return Action(f"scorecard:{fingerprint(ctx.dirs.config)}", "refresh_scorecard", on,
                  "Refresh the SCS delivery plan scorecard: the evidence has changed since it was last drawn")


def refresh_scorecard(ctx: Context, action: Action, on: date) -> ActionResult:
    paper = scorecard_on(ctx.ws, on)
    return ActionResult(action, f"scorecard as at {on}: {len(paper.card.rows)} indicator(s) rated",
                        files=[ctx.dirs.out / "performance" / "scorecard.csv"])


# --- the ledger -------------------------------------------------------------------------

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


def long_gone(ctx: Context, action: Action, on: date) -> str | None:
    """Why a message caught up after downtime has lost its moment, with what the officer can do; None
    when it is still useful and goes out as on its day. Such a message is held, never sent blindly
    and never dropped: `scs pending` lists it to send or skip."""
    if action.due >= on:
        return None
    partners = ctx.partners
    deadline = partners.questionnaire.deadline if partners is not None else None
    if action.kind == "send_questionnaires" and on >= deadline:
        return (f"it asks for replies by {day_text(deadline)}, which has passed; move the deadline in "
                "partners.yaml, then send it, or skip it")
    if action.kind == "chase_partners" and on > deadline:
        return (f"it reminds partners of the deadline {day_text(deadline)}, which has passed; send it as a late "
                "reminder, or skip it")
    if action.kind == "request_interviews":
        slots = partners.interviews.slots
        past = [f"{day_text(slot.date())} {slot:%H:%M}" for slot in slots if slot.date() <= on]
        if past:
            return (f"{len(past)} of the {len(slots)} slots it offers have passed ({', '.join(past)}); offer new "
                    "slots in partners.yaml, then send it, or skip it")
    if action.kind == "publish_papers":
        meets = ctx.scheduled(action.meeting_id).event.date
        if on >= meets:
            return f"the meeting ({day_text(meets)}) has taken place; send the papers for the record, or skip them"
    return None


def run(ctx: Context, action: Action, on: date, *, officer: bool = False) -> ActionResult:
    """Do one action: claimed in the ledger ('started'; another run at the same moment leaves it), the
    work, then 'done', or, when something is left queued or the work failed, free for the next tick.

    A message whose moment is long gone is held for the officer instead (ledger 'held'), unless
    ``officer`` (the officer chose to send it with `scs pending send`).
    """
    with ctx.store() as store:
        if not store.action_started(action.key, action.kind, action.due, recorded_at(on), now=datetime.now()):
            log.info("%s: under way in another run; left to it", action.key)
            return ActionResult(action, "under way in another run at the same time; left to it", elsewhere=True)
    back = "held" if officer else "pending"  # what the action is again if this run does not finish it
    try:
        skip = too_late(ctx, action, on)
        log.info("%s: %s", action.key, action.text)
        held = None if skip or officer else long_gone(ctx, action, on)
        if held:
            with ctx.store() as store:
                store.action_held(action.key, recorded_at(on), on, held)
            log.info("%s: held for the officer: %s", action.key, held)
            return ActionResult(action, f"held for you: {held} (`scs pending`)", held=True)
        result = ActionResult(action, skip) if skip else RUNNERS[action.kind](ctx, action, on)
    except BaseException:  # the claim goes with the run: the next tick does the work again
        with ctx.store() as store:
            store.action_released(action.key, back)
        raise
    with ctx.store() as store:
        if result.queued:  # a mail server that was down: the next tick sends what is left, once
            store.action_released(action.key, back)
        else:
            store.action_done(action.key, recorded_at(on), on, result.summary)
    log.info("%s: %s", action.key, result.summary)
    return result


def pending(ctx: Context, on: date) -> list[Action]:
    """The actions a tick on ``on`` must do (due, not yet done nor held for the officer), oldest first."""
    with Store.read(ctx.dirs.store) as store:  # read once: a replay asks this twice a day
        done = store.actions_done() | {r["key"] for r in store.actions_held()}
        every = store.records()
    approvals, known = Approvals.of(every.decisions, every.replans), known_on(every, on)
    scorecard = scorecard_action(ctx, on, approvals)
    moved = moved_actions(ctx.timetable, known.replans)
    return sorted(due(ctx.actions(on, approvals=approvals, known=known) + moved + ([scorecard] if scorecard else []),
                      done, on), key=Action.sort_key)


def held(ctx: Context) -> list:
    """What the ticks held for the officer: each action's key, due day, the day it was held and why."""
    if not exists(ctx.dirs.store):
        return []
    with Store.read(ctx.dirs.store) as store:
        return store.actions_held()


def officer_sends(ctx: Context, key: str, on: date) -> ActionResult:
    """The officer sends a held message now (`scs pending send KEY`), as the configuration now says."""
    action = _held_action(ctx, key)
    return run(ctx, action, on, officer=True)


def officer_skips(ctx: Context, key: str, on: date, by: str) -> None:
    """The officer decides a held message is not to go (`scs pending skip KEY`); the ledger keeps who and when."""
    _is_held(ctx, key)
    with ctx.store() as store:
        store.action_done(key, recorded_at(on), on, f"skipped by {by} on {on}")


def _is_held(ctx: Context, key: str) -> None:
    keys = [r["key"] for r in held(ctx)]
    if key not in keys:
        raise UserError(f"nothing held under '{key}'" + (f" (held: {', '.join(keys)})" if keys else
                                                         " (nothing is held)"))


def _held_action(ctx: Context, key: str) -> Action:
    _is_held(ctx, key)
    action = next((a for a in ctx.actions() if a.key == key), None)
    if action is None:
        raise UserError(f"'{key}' is no longer in the timetable or partners.yaml; skip it")
    return action


def stage_pending(ctx: Context, stage_id: str, on: date) -> list[Action]:
    """The pending actions that belong to one stage (what `scs run STAGE` does): the papers for
    the 3 December Board belong to the testing stage though they fall due in November."""
    return [a for a in pending(ctx, on) if a.stage == stage_id]


RUNNERS: dict[str, Callable[[Context, Action, date], ActionResult]] = {
    "send_questionnaires": send_questionnaires, "request_interviews": request_interviews,
    "chase_partners": chase_partners, "officer_reminder": officer_reminder, "meeting_moved": meeting_moved,
    "draft_minutes": draft_minutes, "decision_notice": decision_notice, "forward_plan": forward_plan,
    "generate_papers": generate_papers,
    "publish_papers": publish_papers, "member_reminder": member_reminder, "refresh_scorecard": refresh_scorecard,
}
