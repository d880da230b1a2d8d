"""The cycle's actions and when they fall due, against the real 2010/11 calendar."""

from datetime import date

import pytest

from scs_refresh.automation.actions import cycle_actions, due, next_due
from scs_refresh.partners.register import load_partners
from scs_refresh.timetable.model import load_timetable

from .conftest import ROOT


@pytest.fixture(scope="module")
def actions():
    tt = load_timetable(ROOT / "config" / "timetable.yaml")
    return cycle_actions(tt, load_partners(ROOT / "config" / "partners.yaml", tt))


def when(actions, key):
    return next(a.due for a in actions if a.key == key)


def test_easter_and_royal_wedding_2011(actions):
    # Executive Board Mon 9 May: papers out Wed 27 Apr (29 Apr and 2 May are not clear days);
    # reports due five working days before, over Easter Monday and Good Friday: Mon 18 Apr.
    assert when(actions, "publish:executive-board-2011-05-09") == date(2011, 4, 27)
    assert when(actions, "papers:executive-board-2011-05-09") == date(2011, 4, 18)
    assert when(actions, "officer-reminder:executive-board-2011-05-09:1") == date(2011, 4, 15)
    # Members of CMT (Wed 27 Apr) are reminded two working days before: Tue 26, then Thu 21 Apr.
    assert when(actions, "member-reminder:cmt-2011-04-27") == date(2011, 4, 21)
    # Executive Board members: Fri 6, Thu 5 May.
    assert when(actions, "member-reminder:executive-board-2011-05-09") == date(2011, 5, 5)
    assert when(actions, "publish:cabinet-2011-05-10") == date(2011, 4, 28)
    assert when(actions, "publish:full-council-2011-05-12") == date(2011, 5, 4)
    holidays = {date(2011, 4, 22), date(2011, 4, 25), date(2011, 4, 29), date(2011, 5, 2)}
    assert not [a for a in actions if a.due in holidays and a.kind != "chase_partners"]


def test_partner_actions_follow_the_questionnaire_settings(actions):
    assert when(actions, "questionnaires") == date(2010, 10, 15)
    assert when(actions, "interview-requests") == date(2010, 11, 1)
    assert [when(actions, f"chase:{r}") for r in ("first", "second", "deadline")] == [
        date(2010, 11, 5), date(2010, 11, 10), date(2010, 11, 12)]


def test_the_board_that_launched_the_cycle_gets_no_automatic_papers(actions):
    assert not [a for a in actions if a.meeting_id == "lsp-board-2010-10-07"]
    assert not [a for a in actions if a.meeting_id == "away-day-2011-03"]
    # The submission milestone (20 April) has one action: its pack, on the day.
    assert [(a.key, a.due) for a in actions if a.meeting_id == "submission-2011-04-20"] == [
        ("papers:submission-2011-04-20", date(2011, 4, 20))]


def test_every_dated_meeting_has_its_five_actions(actions):
    meetings = {a.meeting_id for a in actions if a.meeting_id} - {"submission-2011-04-20"}
    assert len(meetings) == 8
    for m in meetings:
        kinds = sorted(a.kind for a in actions if a.meeting_id == m)
        assert kinds == ["generate_papers", "member_reminder", "officer_reminder", "officer_reminder",
                         "publish_papers"], m


def test_due_catches_up_and_never_repeats(actions):
    week = due(actions, set(), date(2010, 11, 12))
    assert [a.key for a in week] == ["questionnaires", "interview-requests", "chase:first", "chase:second",
                                     "officer-reminder:lsp-board-2010-12-03:5", "chase:deadline"]
    done = {a.key for a in week}
    assert due(actions, done, date(2010, 11, 12)) == []
    assert next_due(actions, done, date(2010, 11, 12)) == date(2010, 11, 17)


def test_papers_are_written_before_they_are_published_on_the_same_day(actions):
    same_day = [a.kind for a in actions if a.due == date(2011, 5, 4)]
    assert same_day.index("generate_papers") < same_day.index("publish_papers")
