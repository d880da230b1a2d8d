"""Re-planning the approval chain after a deferral, on the real 2011 calendar (Easter, the royal
wedding, the spring bank holiday), and the effective schedule the daily tick works from."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from scs_refresh.approval.chain import chain_steps, decision_chain, earliest_date, effective_schedule
from scs_refresh.core.store import DecisionRecord
from scs_refresh.timetable.model import load_timetable

from .conftest import ROOT

RATIFY, SUBMIT, CMT, EXEC = "lsp-board-2011-04-07", "submission-2011-04-20", "cmt-2011-04-27", "executive-board-2011-05-09"
CABINET, COUNCIL, LAUNCH = "cabinet-2011-05-10", "full-council-2011-05-12", "lsp-board-2011-05-19"


@pytest.fixture(scope="module")
def tt():
    return load_timetable(ROOT / "config" / "timetable.yaml")


def decided(*steps: tuple[str, str, date]) -> list[DecisionRecord]:
    return [DecisionRecord(i, m, outcome, on, "", None, "officer", datetime(2011, 1, 1))
            for i, (m, outcome, on) in enumerate(steps, 1)]


APPROVED_TO_EXEC = (
    (RATIFY, "approved", date(2011, 4, 7)), (CMT, "approved", date(2011, 4, 27)), (EXEC, "approved", date(2011, 5, 9)))


def by_id(steps):
    return {s.event_id: s for s in steps}


def test_the_decision_chain_starts_with_the_board_that_ratifies(tt):
    assert decision_chain(tt) == [RATIFY, SUBMIT, CMT, EXEC, CABINET, COUNCIL, LAUNCH]


def test_nothing_decided_nothing_at_risk(tt):
    steps = chain_steps(tt, [], {})
    assert [(s.effective, s.earliest, s.at_risk) for s in steps] == [
        (tt.event[s.event_id].date, None, False) for s in steps]


def test_cabinet_deferred_on_10_may_puts_full_council_and_the_launch_at_risk(tt):
    steps = by_id(chain_steps(tt, decided(*APPROVED_TO_EXEC, (CABINET, "deferred", date(2011, 5, 10))), {}))
    # Papers re-issued Wed 11 May; five clear days (12, 13, 16, 17, 18 May): Cabinet on Thu 19 May.
    assert steps[CABINET].earliest == date(2011, 5, 19) and steps[CABINET].at_risk
    assert steps[CABINET].status == "deferred on Tue 10 May 2011; re-arrange: earliest Thu 19 May 2011"
    # Full Council must follow Cabinet: Fri 20 May, so 12 May is at risk.
    assert (steps[COUNCIL].earliest, steps[COUNCIL].at_risk) == (date(2011, 5, 20), True)
    assert steps[COUNCIL].status == "AT RISK: earliest now Fri 20 May 2011"
    assert (steps[LAUNCH].earliest, steps[LAUNCH].at_risk) == (date(2011, 5, 23), True)
    assert all(steps[s].earliest is None and not steps[s].at_risk for s in (RATIFY, SUBMIT, CMT, EXEC))


def test_cmt_deferred_in_the_royal_wedding_week_flags_only_what_cannot_be_met(tt):
    steps = by_id(chain_steps(tt, decided((RATIFY, "approved", date(2011, 4, 7)), (CMT, "deferred", date(2011, 4, 27))), {}))
    # CMT's papers are due 7 calendar days before: re-issued Thu 28 Apr, so CMT on Thu 5 May.
    assert steps[CMT].earliest == date(2011, 5, 5)
    # Executive Board: 5 clear days from Thu 28 Apr skip the royal wedding (29 Apr) and 2 May: Tue 10 May.
    assert (steps[EXEC].earliest, steps[EXEC].at_risk) == (date(2011, 5, 10), True)
    assert (steps[CABINET].earliest, steps[CABINET].at_risk) == (date(2011, 5, 11), True)
    # Full Council can still meet on Thu 12 May, and the launch on 19 May.
    assert (steps[COUNCIL].earliest, steps[COUNCIL].at_risk) == (date(2011, 5, 12), False)
    assert (steps[LAUNCH].earliest, steps[LAUNCH].at_risk) == (date(2011, 5, 13), False)
    assert steps[COUNCIL].status == "as planned"


def test_a_second_deferral_skips_the_spring_bank_holiday(tt):
    history = decided(*APPROVED_TO_EXEC, (CABINET, "approved", date(2011, 5, 10)),
                      (COUNCIL, "deferred", date(2011, 5, 12)), (COUNCIL, "deferred", date(2011, 5, 23)))
    steps = by_id(chain_steps(tt, history, {COUNCIL: date(2011, 5, 23)}))
    # Re-issued Tue 24 May; clear days 25, 26, 27, 31 May (30 May is a bank holiday), 1 Jun: Thu 2 Jun.
    assert (steps[COUNCIL].earliest, steps[COUNCIL].at_risk) == (date(2011, 6, 2), True)
    assert steps[LAUNCH].earliest == date(2011, 6, 3)
    assert steps[COUNCIL].replanned and steps[COUNCIL].original == date(2011, 5, 12)


def test_a_confirmed_date_moves_the_floor_for_what_follows(tt):
    history = decided(*APPROVED_TO_EXEC, (CABINET, "deferred", date(2011, 5, 10)))
    steps = by_id(chain_steps(tt, history, {CABINET: date(2011, 5, 24)}))
    assert not steps[CABINET].at_risk
    assert steps[CABINET].status == "deferred on Tue 10 May 2011; re-arranged for Tue 24 May 2011"
    assert (steps[COUNCIL].earliest, steps[COUNCIL].at_risk) == (date(2011, 5, 25), True)
    safe = by_id(chain_steps(tt, history, {CABINET: date(2011, 5, 24), COUNCIL: date(2011, 5, 26)}))
    assert not safe[COUNCIL].at_risk and safe[COUNCIL].status == "re-planned from Thu 12 May 2011"


def test_a_rejection_blocks_every_later_step(tt):
    steps = by_id(chain_steps(tt, decided(*APPROVED_TO_EXEC, (CABINET, "rejected", date(2011, 5, 10))), {}))
    assert steps[CABINET].blocked_by is None and steps[CABINET].status == "rejected on Tue 10 May 2011"
    assert steps[COUNCIL].blocked_by == CABINET and steps[LAUNCH].blocked_by == CABINET
    assert steps[COUNCIL].status == f"cannot go ahead: {CABINET} rejected the SCS"


def test_earliest_date_for_a_committee_counts_clear_working_days(tt):
    # Deferred on Fri 20 May: papers out Mon 23 May; 24, 25, 26, 27, 31 May clear: Wed 1 Jun.
    assert earliest_date(tt, tt.event[CABINET], date(2011, 5, 23), after=date(2011, 5, 20)) == date(2011, 6, 1)
    # A milestone has no papers rule: the next working day.
    assert earliest_date(tt, tt.event[SUBMIT], date(2011, 5, 23), after=date(2011, 5, 27)) == date(2011, 5, 31)


def test_effective_schedule_without_decisions_is_the_timetable(tt):
    effective = effective_schedule(tt, [], {})
    assert [(s.event.id, s.event.date, s.publication_deadline, s.report_deadline) for s in effective] == [
        (s.event.id, s.event.date, s.publication_deadline, s.report_deadline) for s in tt.schedule]
    assert not any(s.at_risk for s in effective)


def test_effective_schedule_puts_the_confirmed_date_in_and_derives_its_deadlines(tt):
    history = decided(*APPROVED_TO_EXEC, (CABINET, "deferred", date(2011, 5, 10)))
    effective = effective_schedule(tt, history, {CABINET: date(2011, 5, 24)})
    by_event = {s.event.id: s for s in effective}
    cabinet = by_event[CABINET]
    assert (cabinet.event.date, cabinet.original_date) == (date(2011, 5, 24), date(2011, 5, 10))
    assert cabinet.publication_deadline == date(2011, 5, 16)  # 6th working day before 24 May
    assert cabinet.report_deadline == date(2011, 5, 9)  # 5 working days before publication
    assert cabinet.chain_position == 4 and not cabinet.at_risk
    assert by_event[COUNCIL].at_risk and by_event[COUNCIL].earliest == date(2011, 5, 25)
    assert [s.event.id for s in effective][-3:] == [COUNCIL, LAUNCH, CABINET]  # date order
    untouched = {s.event.id: s for s in tt.schedule}
    assert by_event["lsp-board-2010-12-03"].publication_deadline == untouched["lsp-board-2010-12-03"].publication_deadline
