"""Days a council should think twice about (pure functions, each named after the real event).

``scs check`` warns, and does not refuse, when a meeting or a publication falls on one of them:
the officer may have good reason (an extraordinary meeting, a Saturday launch event).

- Weekends and England and Wales bank holidays (the ``holidays`` package, as in
  :mod:`scs_refresh.timetable.deadlines`).
- The Christmas and New Year closure, 24 December to 2 January: most councils close their
  offices between Christmas and New Year, so papers cannot be inspected and members are away
  (a local practice, not statute; the bank holidays inside it are named as such).
- The pre-election period before an ordinary local election. The Representation of the People
  Act 1983, s37(1), makes the first Thursday in May the ordinary day of local elections in
  England and Wales (an order can move it, as in 2001 and 2021, so the days come from config).
  The period runs from the notice of election, which the Local Elections (Principal Areas)
  (England and Wales) Rules 2006 (SI 2006/3304), election timetable, require no later than the
  25th day before polling day, not counting Saturdays, Sundays, Christmas Eve, Christmas Day,
  Good Friday and bank holidays. In it the Code of Recommended Practice on Local Authority
  Publicity (2011) asks for particular care over anything the council publishes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from scs_refresh.timetable.deadlines import bank_holiday

#: the election timetable counts this many days back from polling day to the notice of election
NOTICE_OF_ELECTION_DAYS = 25


def is_weekend(d: date) -> bool:
    return d.weekday() >= 5


def in_christmas_closure(d: date) -> bool:
    """24 December to 2 January inclusive: the offices' usual Christmas and New Year closure."""
    return (d.month == 12 and d.day >= 24) or (d.month == 1 and d.day <= 2)


def first_thursday_in_may(year: int) -> date:
    """The ordinary day of local elections in England and Wales (RPA 1983 s37(1))."""
    first = date(year, 5, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7)


def disregarded_in_election_timetable(d: date) -> bool:
    """A day the election timetable does not count (SI 2006/3304): a Saturday, a Sunday, Christmas
    Eve, Christmas Day, Good Friday or a bank holiday."""
    return is_weekend(d) or (d.month == 12 and d.day in (24, 25)) or bank_holiday(d) is not None


def notice_of_election_deadline(polling_day: date) -> date:
    """The last day the notice of election may be published: the 25th counted day before polling day.

    For Thu 7 May 2015 that is Mon 30 March 2015 (Good Friday, Easter Monday and the early May
    bank holiday are not counted); for Thu 5 May 2016, Wed 30 March 2016.
    """
    day, counted = polling_day, 0
    while counted < NOTICE_OF_ELECTION_DAYS:
        day -= timedelta(days=1)
        counted += not disregarded_in_election_timetable(day)
    return day


@dataclass(frozen=True)
class PreElectionPeriod:
    """From the last day for the notice of election to polling day, both included."""

    start: date
    polling_day: date

    def __contains__(self, d: date) -> bool:
        return self.start <= d <= self.polling_day


def pre_election_period(polling_day: date) -> PreElectionPeriod:
    """The pre-election period before ``polling_day`` (at its latest start: councils may give notice earlier)."""
    return PreElectionPeriod(notice_of_election_deadline(polling_day), polling_day)


def why_not_a_meeting_day(d: date) -> str | None:
    """Why ``d`` is a poor day to meet or publish, in a few words; None for an ordinary working day."""
    holiday = bank_holiday(d)
    if holiday:
        return f"a bank holiday ({holiday})"
    if is_weekend(d):
        return f"a {d:%A}"
    if in_christmas_closure(d):
        return "in the Christmas and New Year closure (24 December to 2 January)"
    return None
