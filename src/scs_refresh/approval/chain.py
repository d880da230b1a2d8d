"""Re-planning the approval chain after a deferral (pure: no files, no clock).

Seed 000 (4.3.6) runs the approval stage as a chain: the LSP Board agrees and ratifies the
SCS (7 April), the papers are submitted to the council (20 April), then CMT, Executive Board,
Cabinet and Full Council approve it, and the Board launches it. When a meeting defers the
item, it has to come back to a later meeting of the same body, and every later step has to
follow it. This module computes, from the timetable, the decisions recorded and the dates the
officer has confirmed, the earliest date each step can now take place, flags each planned
date that is now too early ("at risk"), and gives the effective schedule that the daily tick
works from (confirmed new dates in place of the original ones, deadlines derived again).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from scs_refresh.timetable import deadlines as cal
from scs_refresh.core.dates import day_text
from scs_refresh.core.store import DecisionRecord
from scs_refresh.timetable.model import Event, Scheduled, Timetable, schedule_events



def decision_chain(tt: Timetable) -> list[str]:
    """The steps approval runs through, in order: the LSP Board meetings that agree and ratify
    the SCS (the partnership Board meetings of the chain's stage dated before its first step),
    then ``approval_chain`` from timetable.yaml."""
    first = tt.event[tt.approval_chain[0]]
    ratify = [e.id for e in tt.events
              if e.type == "meeting" and e.stage == first.stage and e.date is not None and e.date < first.date
              and tt.body[e.body].kind == "partnership_board" and e.id not in tt.approval_chain]
    return sorted(ratify, key=lambda i: tt.event[i].date) + list(tt.approval_chain)


def current_decisions(decisions: Sequence[DecisionRecord]) -> dict[str, DecisionRecord]:
    """Each meeting's decision now in force: the latest one recorded that no correction replaced.

    A deferred meeting that met again on its re-planned date has two records in force; the
    later one (the decision of the re-arranged meeting) is its current decision.
    """
    out: dict[str, DecisionRecord] = {}
    for d in sorted(decisions, key=lambda d: d.seq):
        if d.replaced_by is None:
            out[d.meeting_id] = d
    return out


def earliest_date(tt: Timetable, event: Event, papers_from: date | None, after: date) -> date:
    """The first day ``event`` can take place: a working day after ``after`` whose papers rule can
    be met by papers published no sooner than ``papers_from``.

    For a council committee (5 clear days, LGA 1972 s100B) deferred on day D: the papers can go
    out on the first working day after D, and the meeting can be held once five clear working
    days have passed after that, so on the sixth working day after publication. For CMT (papers
    in 7 calendar days before, on a working day) it is the first working day at least a week on.
    A milestone has no papers rule: it can be on the first working day after ``after``.
    The officer's report lead time is not counted again: the report exists and is re-issued.
    """
    rule = tt.papers_rule(event)
    day = cal.working_days_after(after, 1)
    while papers_from is not None and rule is not None and rule.deadline(day) < papers_from:
        day = cal.working_days_after(day, 1)
    return date(day.year, day.month, day.day)


@dataclass(frozen=True)
class ChainStep:
    """One step of the approval chain as it stands: its dates, its decision, and whether it is at risk."""

    event_id: str
    title: str
    original: date
    effective: date  # the confirmed re-planned date, else the original
    decision: DecisionRecord | None  # the decision in force
    earliest: date | None  # the earliest it can now happen, when a deferral or move upstream affects it
    at_risk: bool  # its effective date is earlier than ``earliest``: it cannot go ahead as planned
    blocked_by: str | None  # a step before it rejected the SCS: it cannot go ahead at all

    @property
    def replanned(self) -> bool:
        return self.effective != self.original

    @property
    def status(self) -> str:
        """A short phrase for the officer, e.g. 'deferred on Tue 10 May 2011; re-arrange: earliest Thu 19 May 2011'."""
        d = self.decision
        if self.blocked_by:
            return f"cannot go ahead: {self.blocked_by} rejected the SCS"
        if d is not None and d.outcome != "deferred":
            return f"{d.outcome.replace('_', ' ')} on {day_text(d.decided_on)}"
        if d is not None and self.at_risk:
            return f"deferred on {day_text(d.decided_on)}; re-arrange: earliest {day_text(self.earliest)}"
        if self.at_risk:
            return f"AT RISK: earliest now {day_text(self.earliest)}"
        if d is not None:
            return f"deferred on {day_text(d.decided_on)}; re-arranged for {day_text(self.effective)}"
        return f"re-planned from {day_text(self.original)}" if self.replanned else "as planned"



def chain_steps(tt: Timetable, decisions: Sequence[DecisionRecord], replans: Mapping[str, date]) -> list[ChainStep]:
    """Every step of the decision chain with its effective date, earliest date and risk.

    A step is affected once any step before it (or itself) was deferred or moved. A deferred
    step must meet again after its deferral with its papers re-issued from the next working
    day; each later step must come after the one before it (on the date that one can really
    happen) and, when a deferral caused the move, meet its own papers rule counted from that
    same re-issue day. A step already approved or rejected is fixed: it has happened.
    """
    in_force = current_decisions(decisions)
    deferred_on = {d.meeting_id: d.decided_on for d in decisions if d.replaced_by is None and d.outcome == "deferred"}
    steps: list[ChainStep] = []
    papers_from: date | None = None  # re-issue day after the latest deferral so far
    affected = False
    blocked_by = None
    for eid in decision_chain(tt):
        e = tt.event[eid]
        effective = replans.get(eid, e.date)
        d = in_force.get(eid)
        if eid in deferred_on:
            reissue = cal.working_days_after(deferred_on[eid], 1)
            papers_from = max(papers_from or reissue, reissue)
        earliest = None
        if blocked_by is None and (d is None or d.outcome == "deferred"):
            if d is not None:  # deferred: it must meet again
                earliest = earliest_date(tt, e, papers_from, after=d.decided_on)
            if affected and steps:
                after_previous = earliest_date(tt, e, papers_from, after=_happens(steps[-1]))
                earliest = max(earliest or after_previous, after_previous)
        steps.append(ChainStep(eid, e.title, e.date, effective, d, earliest,
                               earliest is not None and effective < earliest, blocked_by))
        affected = affected or eid in deferred_on or eid in replans
        if d is not None and d.outcome == "rejected":
            blocked_by = blocked_by or eid
    return steps


def _happens(step: ChainStep) -> date:
    """When a step really takes place: its date, or its earliest possible date if that is later."""
    return max(step.effective, step.earliest) if step.earliest else step.effective


class EffectiveScheduled(Scheduled):
    """A scheduled event as it now stands: the re-planned date in place, and the chain's view of it."""

    original_date: date | None
    at_risk: bool = False
    earliest: date | None = None
    status: str = "as planned"


def effective_schedule(tt: Timetable, decisions: Sequence[DecisionRecord],
                       replans: Mapping[str, date]) -> list[EffectiveScheduled]:
    """``tt.schedule`` with each confirmed new date in place of the original, its publication and
    report deadlines derived again from the new date, and each approval step marked with its
    status (at risk, deferred, blocked, decided); in date order, to-be-arranged events last."""
    steps = {s.event_id: s for s in chain_steps(tt, decisions, replans)}
    out = []
    for e in tt.events:
        moved = e.model_copy(update={"date": replans[e.id]}) if e.id in replans else e
        step = steps.get(e.id)
        extra = {"original_date": e.date}
        if step is not None:
            extra |= {"at_risk": step.at_risk or step.blocked_by is not None, "earliest": step.earliest,
                      "status": step.status}
        elif e.id in replans:
            extra["status"] = f"re-planned from {day_text(e.date)}"
        out.append(EffectiveScheduled(**dict(schedule_events(tt, moved)), **extra))
    return sorted(out, key=lambda s: (s.event.date or s.event.to_be_arranged.start, s.event.tba))


def at_risk(schedule: Sequence[EffectiveScheduled]) -> dict[str, str]:
    """Each event that cannot go ahead as planned, with what the officer should do ("AT RISK: earliest now
    Fri 22 May 2015; confirm its new date with `scs replan ...`"), for ``scs plan`` and ``scs timetable``."""
    out = {}
    for s in schedule:
        if s.at_risk:
            can_move = s.earliest is not None and not s.status.startswith("cannot go ahead")
            out[s.event.id] = s.status + (f"; confirm its new date with `scs replan {s.event.id} DATE`"
                                          if can_move else "")
    return out


def with_confirmed_dates(tt: Timetable, replans: Mapping[str, date]) -> Timetable:
    """The timetable with each re-arranged meeting at its confirmed new date (for its papers)."""
    if not replans:
        return tt
    events = [e.model_copy(update={"date": replans[e.id]}) if e.id in replans else e for e in tt.events]
    return Timetable.model_validate({**tt.model_dump(), "events": [e.model_dump() for e in events]})


def adoption(tt: Timetable) -> Event | None:
    """The meeting that adopts the SCS: the last council committee in the approval chain (Full Council)."""
    council = [tt.event[e] for e in tt.approval_chain
               if tt.event[e].body and tt.body[tt.event[e].body].kind == "council_committee"]
    return council[-1] if council else None
