"""A committee's decision on the SCS (seed 000, 4.3.6): wait for it, then record it.

Prefect wiring only; the rules are in scs_refresh.approval.decisions. The flow pauses until the
officer (or the clerk) gives the decision through the Prefect UI or ``resume_flow_run`` with
a typed :class:`Decision`. Re-running it for a meeting whose decision is recorded returns that
decision at once, and a decision recorded with ``scs decision`` while the run waits is the one that
stands: the store, not Prefect, says what has been decided.
"""

from __future__ import annotations

from datetime import date, timedelta

from prefect import flow, get_run_logger, task
from prefect.exceptions import FlowPauseTimeout
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput

from flows.scs_draft import draft_scs
from scs_refresh.approval.outcomes import Outcome
from scs_refresh.approval.decisions import decision_at_sitting, load_approvals, record_decision
from scs_refresh.core.dates import recorded_at
from scs_refresh.core.folders import Dirs
from scs_refresh.core.store import DecisionRecord, Store
from scs_refresh.timetable.model import Timetable
from scs_refresh.workspace import Workspace
from flows.logs import route_domain_logs

route_domain_logs()

#: Council committees meet on a cycle of about four weeks: a decision not given by then has missed
#: the next cycle too, and the run fails so that the officer re-plans (Prefect's default is one hour).
DECISION_TIMEOUT = timedelta(weeks=4)


class Decision(RunInput):
    """What the meeting decided, as given when the paused run is resumed."""

    outcome: Outcome
    note: str = ""
    amendment: str | None = None
    decided_on: date | None = None  # default: the day the flow was run for


@task
def decision_so_far(dirs: Dirs, tt: Timetable, meeting_id: str) -> DecisionRecord | None:
    approvals = load_approvals(dirs.store)
    return decision_at_sitting(tt, approvals.decisions, approvals.replans, meeting_id)


@task
def record(dirs: Dirs, tt: Timetable, meeting_id: str, answer: Decision, on: date) -> DecisionRecord:
    with Store.open(dirs.store) as store:
        return record_decision(store, tt, meeting_id, answer.outcome, on=on, note=answer.note,
                               amendment=answer.amendment, by=tt.cycle.officer.name, at=recorded_at(on))


@flow(name="committee-decision")
def committee_decision(meeting_id: str, on: date, dirs: Dirs = Dirs(), poll_seconds: int = 60,
                       timeout: timedelta = DECISION_TIMEOUT) -> DecisionRecord:
    """The decision of ``meeting_id`` met on ``on``: recorded already, or waited for (up to four weeks)."""
    tt = Workspace.load(dirs).timetable                          # 1. config, validated once
    known = decision_so_far(dirs, tt, meeting_id)                # 2. already decided? then nothing to wait for
    if known is not None:
        return known
    try:
        answer = pause_flow_run(wait_for_input=Decision, timeout=int(timeout.total_seconds()),
                                poll_interval=poll_seconds, key=f"decision-{meeting_id}")
    except FlowPauseTimeout:
        answer = None
    known = decision_so_far(dirs, tt, meeting_id)
    if known is not None:  # given with `scs decision` while the run waited: that one stands
        if answer is not None and (known.outcome, known.note) != (answer.outcome, answer.note):
            get_run_logger().warning("%s: the decision recorded meanwhile (%s) stands; the form's (%s) was not "
                                     "recorded: correct it with `scs decision --replace`", meeting_id, known.outcome,
                                     answer.outcome)
        return known
    if answer is None:
        raise FlowPauseTimeout(f"no decision of {meeting_id} was given in {timeout}: re-plan the meeting with "
                               "`scs replan`, or record the decision with `scs decision`")
    decided = record(dirs, tt, meeting_id, answer, answer.decided_on or on)  # 3. checked against the chain, stored
    if decided.outcome == Outcome.APPROVED_WITH_AMENDMENTS and (dirs.config / "scs.yaml").exists():
        draft_scs(dirs, decided.decided_on)  # 4. new SCS version
    return decided
