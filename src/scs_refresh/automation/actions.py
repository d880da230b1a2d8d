"""Everything the refresh does by itself, and when: the pure heart of the daily tick.

``cycle_actions`` lists every action of the cycle with the day it falls due, worked out from
the timetable (report and publication deadlines, meetings) and the partner settings
(questionnaire, reminders, interviews). ``due(actions, done, on)`` is what a tick on ``on``
must do: every action due on or before ``on`` that the ledger has not recorded as done, so a
tick that did not run for a week catches up, and a tick run twice does nothing twice.

Each action has a key that never changes (``publish:<meeting>``): the ledger in the state
store records it before and after the work, and every message it sends has its own key in
the send ledger, so a crash midway is finished by the next tick without sending twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from scs_refresh.approval.decisions import moves_of
from scs_refresh.timetable import deadlines as cal
from scs_refresh.core.dates import day_text
from scs_refresh.timetable.model import PRE_CYCLE, Scheduled, Timetable
from scs_refresh.core.store import DecisionRecord, Replan
from scs_refresh.papers import records
from scs_refresh.papers.wording import ForwardPlan
from scs_refresh.partners.register import PartnersConfig

ActionKind = Literal["send_questionnaires", "request_interviews", "chase_partners", "officer_reminder",
                     "meeting_moved", "draft_minutes", "decision_notice", "forward_plan", "generate_papers", "publish_papers", "member_reminder", "refresh_scorecard",
                     "send_draft_for_comment"]

#: The order actions of one day run in: papers are written before they are published.
ORDER: tuple[str, ...] = ActionKind.__args__


@dataclass(frozen=True)
class Action:
    key: str
    kind: ActionKind
    due: date
    text: str
    meeting_id: str | None = None
    stage: str | None = None  # the stage it belongs to: its meeting's, or the questionnaire's

    def sort_key(self) -> tuple:
        return (self.due, ORDER.index(self.kind), self.key)



def meeting_actions(tt: Timetable, s: Scheduled) -> list[Action]:
    """For one dated meeting: reminders to the officer, its papers, their publication, the members' reminder.

    - the officer is reminded ``rules.officer_reminders`` working days before the report deadline;
    - papers are generated on the report deadline (the state of the refresh as at that day);
    - on the publication deadline they go to the members and, unless exempt, to the public folder;
    - members are reminded ``rules.member_reminder_working_days`` working days before the meeting.
    """
    e = s.event
    if e.type == "milestone" and e.date and any(p.kind == "submission_pack" for p in e.papers):
        return [Action(f"papers:{e.id}", "generate_papers", e.date,
                       f"Submit the report and papers to the {tt.cycle.council} committees", e.id, e.stage)]
    if e.tba or e.type == "milestone" or e.body is None or e.fed_by == PRE_CYCLE:
        return []  # a meeting whose papers were written before the cycle (the 7 Oct 2010 Board) needs none
    if getattr(s, "at_risk", False):
        return []  # deferred upstream and not yet re-arranged: nothing goes out for a date that cannot stand
    # A re-arranged meeting (a deferral) gets its own actions: its papers are re-issued for the new date.
    original = getattr(s, "original_date", None)
    at = f"@{e.date}" if original is not None and original != e.date else ""
    body = tt.body[e.body].name
    out = [Action(f"officer-reminder:{e.id}{at}:{n}", "officer_reminder",
                  cal.working_days_before(s.report_deadline, n),
                  f"Remind the officer: reports for {body} ({day_text(e.date)}) are due {day_text(s.report_deadline)}", e.id,
                  e.stage)
           for n in tt.rules.officer_reminders if n > 0]
    out.append(Action(f"papers:{e.id}{at}", "generate_papers", s.report_deadline,
                      f"Write the papers for {body}, {day_text(e.date)}", e.id, e.stage))
    out.append(Action(f"publish:{e.id}{at}", "publish_papers", s.publication_deadline,
                      f"Send the papers to {body} members and publish them ({s.rule})", e.id, e.stage))
    out.append(Action(f"member-reminder:{e.id}{at}", "member_reminder",
                      cal.working_days_before(e.date, tt.rules.member_reminder_working_days),
                      f"Remind {body} members of the meeting on {day_text(e.date)}", e.id, e.stage))
    return out


def moved_actions(tt: Timetable, replans: Sequence[Replan]) -> list[Action]:
    """Each re-arrangement of a meeting to another day, on the day it was recorded: the members'
    calendars are updated then (the old slot cancelled, the new one sent), once per move."""
    return [Action(f"moved:{m.meeting_id}@{m.moved_to}", "meeting_moved", m.record.recorded_at.date(),
                   f"Tell {tt.body[e.body].name} members the meeting of {day_text(m.moved_from)} is moved to "
                   f"{day_text(m.moved_to)}", e.id, e.stage)
            for e in tt.events if e.body for m in moves_of(replans, e.id, e.date)]


def after_meeting_actions(tt: Timetable, schedule: Iterable[Scheduled], decisions: Sequence[DecisionRecord],
                          notice_days: Callable[[str], int]) -> list[Action]:
    """After each sitting of a meeting, ``notice_days(body)`` working days on: its draft minutes, and its
    decision notice when the decision taken there is in ``decisions`` (none while it is awaited)."""
    events = [s.event for s in schedule if not getattr(s, "at_risk", False)]
    every = records.sittings(events, decisions)
    out = []
    for sitting in every:
        e = tt.event[sitting.meeting_id]
        days = notice_days(e.body)
        due = cal.working_days_after(sitting.day, days) if days else sitting.day
        at = f"{e.id}@{sitting.day}"
        body = tt.body[e.body].name
        out.append(Action(f"minutes:{at}", "draft_minutes", due,
                          f"Write the draft minutes of {body}, {day_text(sitting.day)}", e.id, e.stage))
        if records.decision_at(decisions, every, sitting) is not None:
            out.append(Action(f"decision-notice:{at}", "decision_notice", due,
                              f"Publish the decision notice of {body}, {day_text(sitting.day)}", e.id, e.stage))
    return out


def forward_plan_action(tt: Timetable, fp: ForwardPlan) -> Action | None:
    """The forward plan entry for the executive's key decision, on the last day the regulations allow."""
    due = records.forward_plan_due(tt, fp)
    if due is None:
        return None
    e = fp.meeting(tt, fp.executive)
    return Action(f"forward-plan:{e.id}", "forward_plan", due,
                  f"Publish the forward plan entry for {tt.body[e.body].name}, {day_text(e.date)}: {fp.matter}",
                  e.id, e.stage)


def partner_actions(partners: PartnersConfig) -> list[Action]:
    """The questionnaire going out, the interview requests, and each reminder day of the chasing policy."""
    q, out = partners.questionnaire, []
    if q.send_on:
        out.append(Action("questionnaires", "send_questionnaires", q.send_on,
                          f"Send the partner questionnaire (deadline {day_text(q.deadline)})", stage=q.stage))
    if partners.interviews.request_on:
        out.append(Action("interview-requests", "request_interviews", partners.interviews.request_on,
                          "Ask the partners flagged for a one to one interview for a date", stage=q.stage))
    for r in partners.chasing.reminders:
        day = q.deadline - timedelta(days=r.days_before)
        out.append(Action(f"chase:{r.id}", "chase_partners", day,
                          f"Chase partners who have not returned the questionnaire ('{r.id}' reminder)",
                          stage=q.stage))
    return out


def cycle_actions(tt: Timetable, partners: PartnersConfig | None = None,
                  schedule: Iterable[Scheduled] | None = None) -> list[Action]:
    """Every action of the cycle, in the order they fall due.

    ``schedule`` is the effective schedule (after any re-planning); the timetable's by default.
    """
    actions = [a for s in (tt.schedule if schedule is None else schedule) for a in meeting_actions(tt, s)]
    if partners is not None:
        actions += partner_actions(partners)
    return sorted(actions, key=Action.sort_key)


def due(actions: Iterable[Action], done: set[str], on: date) -> list[Action]:
    """What a tick on ``on`` must do: everything due by then and not yet done, oldest first."""
    return [a for a in actions if a.due <= on and a.key not in done]


def next_due(actions: Iterable[Action], done: set[str], after: date) -> date | None:
    """The first day after ``after`` on which something falls due (for simulating a cycle)."""
    days = [a.due for a in actions if a.due > after and a.key not in done]
    return min(days) if days else None
