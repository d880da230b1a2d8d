"""What is due on and after a date, on the bundled 2010/11 timetable."""

from datetime import date

import pytest

from scs_refresh.timetable.plan import plan
from scs_refresh.timetable.model import load_timetable

from .conftest import ROOT


@pytest.fixture(scope="module")
def tt():
    return load_timetable(ROOT / "config" / "timetable.yaml")


def test_easter_and_royal_wedding_fortnight_2011(tt):
    p = plan(tt, date(2011, 4, 18), days=14)
    assert p.stage.id == "approval"
    assert [(i.on, i.kind, i.event_id) for i in p.items] == [
        (date(2011, 4, 18), "report_deadline", "executive-board-2011-05-09"),
        (date(2011, 4, 19), "report_deadline", "cabinet-2011-05-10"),
        (date(2011, 4, 20), "publication_deadline", "cmt-2011-04-27"),
        (date(2011, 4, 20), "milestone", "submission-2011-04-20"),
        (date(2011, 4, 21), "report_deadline", "full-council-2011-05-12"),
        (date(2011, 4, 27), "publication_deadline", "executive-board-2011-05-09"),
        (date(2011, 4, 27), "meeting", "cmt-2011-04-27"),
        (date(2011, 4, 28), "publication_deadline", "cabinet-2011-05-10"),
    ]


def test_stage_boundaries_and_a_quiet_window(tt):
    p = plan(tt, date(2010, 11, 26), days=5)
    assert [(i.on, i.kind) for i in p.items] == [(date(2010, 11, 30), "stage_end"), (date(2010, 12, 1), "stage_start")]
    assert p.stage.id == "scoping"
    assert plan(tt, date(2010, 12, 20), days=7).items == []


def test_warns_while_the_away_day_is_unset_and_after_its_window(tt):
    before = plan(tt, date(2011, 2, 10), days=7).warnings
    assert len(before) == 1 and "has no date yet" in before[0] and "Tue 1 Mar 2011" in before[0]
    after = plan(tt, date(2011, 4, 5), days=7).warnings
    assert len(after) == 1 and "was never dated" in after[0]


def test_no_warning_once_the_away_day_is_dated(tmp_path):
    text = (ROOT / "config" / "timetable.yaml").read_text().replace(
        "    to_be_arranged: {start: 2011-03-01, end: 2011-03-31}\n",
        "    to_be_arranged: {start: 2011-03-01, end: 2011-03-31}\n    date: 2011-03-17\n")
    (tmp_path / "timetable.yaml").write_text(text)
    p = plan(load_timetable(tmp_path / "timetable.yaml"), date(2011, 3, 1), days=31)
    assert p.warnings == []
    assert ("publication_deadline", date(2011, 3, 9)) in [(i.kind, i.on) for i in p.items]
    assert ("workshop", date(2011, 3, 17)) in [(i.kind, i.on) for i in p.items]


def test_between_stages_and_outside_the_cycle(tt):
    assert plan(tt, date(2011, 6, 10), days=30).stage is None


def test_negative_days_rejected(tt):
    with pytest.raises(ValueError):
        plan(tt, date(2011, 1, 1), days=-1)
