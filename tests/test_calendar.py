"""Calendar rules against real historic dates, and their properties."""

from datetime import date, timedelta

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scs_refresh.timetable import deadlines as cal


@pytest.mark.parametrize("day, name", [
    (date(2011, 4, 22), "Good Friday"),
    (date(2011, 4, 25), "Easter Monday"),
    (date(2011, 4, 29), "Wedding of William and Catherine"),  # one-off, inside the approval stage
    (date(2011, 5, 2), "May Day"),
    (date(2010, 12, 27), "Christmas Day (observed)"),  # substitute days
    (date(2010, 12, 28), "Boxing Day (observed)"),
    (date(2011, 1, 3), "New Year's Day (observed)"),
])
def test_bank_holidays_include_substitute_and_one_off_days(day, name):
    assert cal.bank_holiday(day) == name
    assert not cal.is_working_day(day)


def test_the_bundled_table_is_what_the_holidays_package_says():
    """The table short commands read is the package's, year by year (regenerate it with
    ``deadlines.write_bank_holiday_table()`` when this fails after an upgrade or an announcement)."""
    from scs_refresh.timetable.bank_holidays_england import BANK_HOLIDAYS

    assert min(BANK_HOLIDAYS) <= 2010 and max(BANK_HOLIDAYS) >= 2035
    for year, days in BANK_HOLIDAYS.items():
        assert {date.fromisoformat(d): n for d, n in days} == cal.bank_holidays_from_library(year), year
    assert cal.bank_holiday(date(2060, 12, 25)) == "Christmas Day"  # beyond the table: the package itself


def test_ordinary_weekdays_and_weekends():
    assert cal.is_working_day(date(2011, 4, 27))  # Wednesday
    assert not cal.is_working_day(date(2011, 4, 30))  # Saturday
    assert cal.bank_holiday(date(2011, 4, 27)) is None


def test_returns_pendulum_dates():
    assert isinstance(cal.working_days_before(date(2011, 5, 9), 1), pendulum.Date)


def test_working_days_skip_easter_and_royal_wedding_2011():
    # Tue 3 May 2011 back over Mon 2 May (bank holiday), the weekend, Fri 29 Apr (royal wedding).
    assert cal.working_days_before(date(2011, 5, 3), 1) == date(2011, 4, 28)
    # Tue 26 Apr back over Easter Monday, the weekend and Good Friday.
    assert cal.working_days_before(date(2011, 4, 26), 1) == date(2011, 4, 21)
    assert cal.working_days_after(date(2011, 4, 21), 1) == date(2011, 4, 26)


def test_executive_board_9_may_2011_papers_out_by_27_april():
    """Fri 29 Apr (royal wedding) and Mon 2 May are not clear days, so the five clear
    days are 28 Apr and 3, 4, 5, 6 May, and the papers go out on Wed 27 Apr."""
    meeting = date(2011, 5, 9)
    assert cal.statutory_publication_deadline(meeting) == date(2011, 4, 27)
    assert cal.clear_days_between(date(2011, 4, 27), meeting) == 5
    assert cal.clear_days_between(date(2011, 4, 28), meeting) == 4


@pytest.mark.parametrize("meeting, deadline", [
    (date(2011, 5, 10), date(2011, 4, 28)),  # Cabinet
    (date(2011, 5, 12), date(2011, 5, 4)),  # Full Council
    (date(2011, 2, 3), date(2011, 1, 26)),  # LSP Board
    (date(2010, 12, 3), date(2010, 11, 25)),
])
def test_five_clear_days_for_the_2010_11_meetings(meeting, deadline):
    assert cal.statutory_publication_deadline(meeting) == deadline


def test_elitestone_1990_agenda_was_late_under_three_clear_days():
    """R v Swansea CC ex p Elitestone (1993): published Thu 26 Apr 1990 for Tue 1 May 1990.

    Clear days then were three; Fri 27 and Mon 30 April give only two, so it was late.
    """
    published, meeting = date(1990, 4, 26), date(1990, 5, 1)
    assert cal.clear_days_between(published, meeting) == 2
    assert cal.statutory_publication_deadline(meeting, clear_days=3) == date(1990, 4, 25)
    assert published > cal.statutory_publication_deadline(meeting, clear_days=3)


def test_cmt_papers_a_week_before_as_in_the_seed():
    # Seed 000, 4.3.6: papers submitted 20 April for CMT on 27 April 2011.
    assert cal.calendar_days_deadline(date(2011, 4, 27), 7) == date(2011, 4, 20)
    # A week before Tue 3 May 2011 is Tue 26 Apr (working); before Mon 9 May is Mon 2 May
    # (bank holiday), so back to Thu 28 Apr.
    assert cal.calendar_days_deadline(date(2011, 5, 9), 7) == date(2011, 4, 28)


def test_officer_report_deadline_counts_working_days_back_from_publication():
    # Five working days before Wed 27 Apr 2011, skipping Easter Monday and Good Friday.
    assert cal.officer_report_deadline(date(2011, 4, 27), 5) == date(2011, 4, 18)


def test_counting_rejects_non_positive_n():
    with pytest.raises(ValueError):
        cal.working_days_before(date(2011, 5, 9), 0)


days = st.dates(min_value=date(1990, 1, 1), max_value=date(2035, 12, 31))


@settings(max_examples=300, deadline=None)
@given(meeting=days, n=st.integers(min_value=1, max_value=10))
def test_publication_deadline_is_the_latest_working_day_with_n_clear_days(meeting, n):
    deadline = cal.statutory_publication_deadline(meeting, n)
    assert cal.is_working_day(deadline)
    assert deadline < meeting
    assert cal.clear_days_between(deadline, meeting) == n
    later = cal.working_days_after(deadline, 1)
    assert later >= meeting or cal.clear_days_between(later, meeting) == n - 1


@settings(max_examples=300, deadline=None)
@given(d=days, n=st.integers(min_value=1, max_value=30))
def test_working_days_before_and_after_are_inverse_on_working_days(d, n):
    start = cal.working_day_on_or_before(d)
    back = cal.working_days_before(start, n)
    assert cal.is_working_day(back)
    assert cal.working_days_after(back, n) == start
    assert sum(cal.is_working_day(back + timedelta(days=k)) for k in range(1, (start - back).days + 1)) == n


@settings(max_examples=200, deadline=None)
@given(a=days, gap=st.integers(min_value=0, max_value=60))
def test_clear_days_never_exceed_the_days_strictly_between(a, gap):
    b = a + timedelta(days=gap)
    assert 0 <= cal.clear_days_between(a, b) <= max(gap - 1, 0)
