"""Committee decisions on the SCS and confirmed new meeting dates: the rules, and recording them.

Each meeting of the approval chain (seed 000, 4.3.6) decides: approved, approved with
amendments, deferred or rejected. A decision is only possible in order (CMT cannot approve
before the papers were submitted, Cabinet not before Executive Board approved), never before
the meeting took place, and never silently over an earlier one: a correction needs
``replace`` and the record it replaces is kept. The checks are pure functions of the
timetable and what the store holds; ``record_decision`` and ``record_replan`` check, then write.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from scs_refresh.timetable import deadlines as cal
from scs_refresh.core.dates import day_text
from scs_refresh.core.errors import UserError
from scs_refresh.approval.chain import chain_steps, current_decisions, decision_chain
from scs_refresh.core.store import DecisionRecord, Location, Replan, Store, exists
from scs_refresh.timetable.model import Timetable
from scs_refresh.approval.outcomes import APPROVING, OUTCOMES, Outcome



class DecisionError(UserError):
    """A decision or new date that the approval rules do not allow (one line, exit code 2)."""



def confirmed_dates(replans: Sequence[Replan]) -> dict[str, date]:
    """Each re-planned meeting's confirmed date: the latest recorded for it."""
    return {r.meeting_id: r.new_date for r in sorted(replans, key=lambda r: r.seq)}


@dataclass(frozen=True)
class Move:
    """A meeting re-arranged from one day to another, as the officer recorded it."""

    meeting_id: str
    moved_from: date
    moved_to: date
    record: Replan


def moves_of(replans: Sequence[Replan], meeting_id: str, original: date | None) -> list[Move]:
    """The moves of ``meeting_id`` from the timetable's ``original`` day, in the order recorded;
    confirming the day it already has again is no move."""
    out, was = [], original
    for r in sorted((r for r in replans if r.meeting_id == meeting_id), key=lambda r: r.seq):
        if was is not None and r.new_date != was:
            out.append(Move(meeting_id, was, r.new_date, r))
        was = r.new_date
    return out


def _meeting(tt: Timetable, meeting_id: str):
    event = tt.event.get(meeting_id)
    if event is None:
        meetings = ", ".join(e.id for e in tt.events if e.type == "meeting")
        raise DecisionError(f"no meeting '{meeting_id}' in the timetable (meetings: {meetings})")
    if event.type != "meeting" or event.date is None:
        raise DecisionError(f"'{meeting_id}' is a {event.type if event.date else 'event with no date'}, "
                            "not a dated meeting: there is nothing to decide or re-plan")
    return event


def check_decision(tt: Timetable, decisions: Sequence[DecisionRecord], replans: Mapping[str, date], meeting_id: str,
                   outcome: str, on: date, amendment: str | None, replace: bool) -> DecisionRecord | None:
    """Raise DecisionError if the decision cannot be recorded; return the record it replaces, if any."""
    event = _meeting(tt, meeting_id)
    if outcome not in OUTCOMES:
        raise DecisionError(f"outcome '{outcome}' is not one of: {', '.join(OUTCOMES)}")
    if outcome == Outcome.APPROVED_WITH_AMENDMENTS and not (amendment or "").strip():
        raise DecisionError("approved_with_amendments needs the amendment agreed: give --amendment TEXT")
    if outcome != Outcome.APPROVED_WITH_AMENDMENTS and amendment:
        raise DecisionError(f"an amendment goes with approved_with_amendments, not {outcome}")
    held = replans.get(meeting_id, event.date)
    if on < held:
        raise DecisionError(f"{meeting_id} meets on {day_text(held)}; a decision cannot be dated {day_text(on)}, before it")

    in_force = current_decisions(decisions).get(meeting_id)
    if in_force is not None and not replace:
        if in_force.outcome != "deferred":
            raise DecisionError(f"{meeting_id} already has a decision ({in_force.outcome} on {in_force.decided_on}); "
                                "use --replace to correct it (the earlier record is kept)")
        if held <= in_force.decided_on:
            raise DecisionError(f"{meeting_id} was deferred on {in_force.decided_on}: record the re-arranged date with "
                                f"`scs replan {meeting_id} DATE` first, or --replace to correct the deferral")

    chain = decision_chain(tt)
    if meeting_id in chain:
        steps = {s.event_id: s for s in chain_steps(tt, decisions, replans)}
        missing = [s for s in chain[:chain.index(meeting_id)] if not _done(tt, steps[s], on)]
        if missing:
            raise DecisionError(f"{meeting_id} cannot decide before {', '.join(missing)} "
                                f"{'has' if len(missing) == 1 else 'have'} {_done_word(tt, missing)}")
        later = [s for s in chain[chain.index(meeting_id) + 1:] if steps[s].decision is not None]
        if later and outcome not in APPROVING:
            raise DecisionError(f"{', '.join(later)} already decided after {meeting_id} approved; "
                                "replace those decisions first")
    return in_force if replace else None


def _done(tt: Timetable, step, on: date) -> bool:
    """A milestone is done once its date has passed; a meeting once it approved the SCS."""
    if tt.event[step.event_id].type == "milestone":
        return step.effective <= on
    return step.decision is not None and step.decision.outcome in APPROVING and step.decision.decided_on <= on


def _done_word(tt: Timetable, missing: list[str]) -> str:
    kinds = {tt.event[m].type for m in missing}
    return "passed or approved" if kinds == {"milestone", "meeting"} else (
        "passed" if kinds == {"milestone"} else "approved")


def decision_at_sitting(tt: Timetable, decisions: Sequence[DecisionRecord], replans: Mapping[str, date],
                        meeting_id: str) -> DecisionRecord | None:
    """The decision taken at the meeting as now dated (its confirmed new date, if re-planned), or None.

    A deferral taken at the original sitting does not count once the meeting is re-arranged:
    the re-arranged meeting has still to decide.
    """
    event = _meeting(tt, meeting_id)
    d = current_decisions(decisions).get(meeting_id)
    return d if d is not None and d.decided_on >= replans.get(meeting_id, event.date) else None


def check_replan(tt: Timetable, decisions: Sequence[DecisionRecord], replans: Mapping[str, date],
                 meeting_id: str, new_date: date) -> None:
    """Raise DecisionError unless ``new_date`` is a working day on or after the meeting's earliest possible date."""
    event = _meeting(tt, meeting_id)
    if not cal.is_working_day(new_date):
        why = cal.bank_holiday(new_date) or f"a {new_date:%A}"
        raise DecisionError(f"{day_text(new_date)} is not a working day ({why}); choose another date for {meeting_id}")
    others = {k: v for k, v in replans.items() if k != meeting_id}
    step = next((s for s in chain_steps(tt, decisions, others) if s.event_id == meeting_id), None)
    if step is not None and step.decision is not None and step.decision.outcome != "deferred":
        raise DecisionError(f"{meeting_id} has already decided ({step.decision.outcome} on {step.decision.decided_on})")
    if step is not None and step.earliest is not None and new_date < step.earliest:
        raise DecisionError(f"{meeting_id} cannot meet on {day_text(new_date)}: the earliest possible date is "
                            f"{day_text(step.earliest)} (after the step before it, papers {tt.papers_rule(event).describe(tt.body[event.body].kind)})")


@dataclass(frozen=True)
class Approvals:
    """What the store holds about the approval chain: every decision (history included) and confirmed dates."""

    decisions: list[DecisionRecord]
    replans: dict[str, date]

    @classmethod
    def of(cls, decisions: list[DecisionRecord], replans: Sequence[Replan]) -> Approvals:
        """From the decisions and re-arrangements as the store records them."""
        return cls(decisions, confirmed_dates(replans))


def load_approvals(store_file: Location) -> Approvals:
    """The decisions and confirmed dates in the state store; none before the store exists."""
    if not exists(store_file):
        return Approvals([], {})
    with Store.read(store_file) as store:
        return Approvals.of(store.decisions(), store.replans())


def record_decision(store: Store, tt: Timetable, meeting_id: str, outcome: str, *, on: date, note: str = "",
                    amendment: str | None = None, by: str, at: datetime, replace: bool = False) -> DecisionRecord:
    """Check the decision against the chain and what is recorded, then append it to the store."""
    decisions = store.decisions()
    replaced = check_decision(tt, decisions, confirmed_dates(store.replans()), meeting_id, outcome, on, amendment,
                              replace)
    latest = max((d.seq for d in decisions if d.meeting_id == meeting_id), default=None)
    return store.add_decision(meeting_id=meeting_id, outcome=outcome, decided_on=on, note=note,
                              amendment=(amendment or "").strip() or None, by=by, at=at,
                              replaces=replaced.seq if replaced else None, expect_latest=latest)


def record_replan(store: Store, tt: Timetable, meeting_id: str, new_date: date, *, by: str, at: datetime) -> Replan:
    """Check the new date against the chain, then record it as the meeting's confirmed date."""
    check_replan(tt, store.decisions(), confirmed_dates(store.replans()), meeting_id, new_date)
    return store.add_replan(meeting_id=meeting_id, new_date=new_date, by=by, at=at)


@dataclass(frozen=True)
class Amendment:
    """An amendment to the SCS agreed by a meeting, as the draft lists it."""

    meeting: str  # the body that agreed it
    decided_on: str  # ISO date
    text: str


def amendments_agreed(tt: Timetable, decisions: Sequence[DecisionRecord], on: date) -> list[Amendment]:
    """The amendments in force by ``on`` (a replaced decision's amendment no longer counts), in date order."""
    agreed = [d for d in decisions if d.replaced_by is None and d.outcome == Outcome.APPROVED_WITH_AMENDMENTS
              and d.amendment and d.decided_on <= on and d.meeting_id in tt.event]
    return [Amendment(tt.body[tt.event[d.meeting_id].body].name, d.decided_on.isoformat(), d.amendment)
            for d in sorted(agreed, key=lambda d: (d.decided_on, d.seq))]


def chain_lines(tt: Timetable, approvals: Approvals) -> list[str]:
    """The approval chain for the officer: each step's date, decision or risk, then the history kept."""
    lines = []
    for step in chain_steps(tt, approvals.decisions, approvals.replans):
        moved = f" (was {day_text(step.original)})" if step.replanned else ""
        lines.append(f"{day_text(step.effective)}{moved}  {step.event_id}: {step.status}")
        d = step.decision
        if d is not None and (d.note or d.amendment):
            lines.append("    " + "; ".join(x for x in (d.note, f"amendment: {d.amendment}" if d.amendment else "") if x))
    earlier = [d for d in approvals.decisions if d.replaced_by is not None
               or d.seq != current_decisions(approvals.decisions)[d.meeting_id].seq]
    if earlier:
        lines += ["", "Earlier records (kept):"]
        lines += [f"  {d.meeting_id}: {d.outcome} on {d.decided_on}, recorded {d.recorded_at:%Y-%m-%d %H:%M} by "
                  f"{d.recorded_by}" + (" (replaced)" if d.replaced_by else "") for d in earlier]
    return lines
