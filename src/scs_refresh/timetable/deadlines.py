"""Working days, clear days and paper deadlines for English councils (pure functions).

Dates are calendar dates in Europe/London, returned as :class:`pendulum.Date`.
Bank holidays are England and Wales's, from the ``holidays`` package, which includes
substitute days and one-off holidays such as the royal wedding on Fri 29 April 2011.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

import pendulum

from scs_refresh.core.atomic import write_text
from scs_refresh.timetable.bank_holidays_england import BANK_HOLIDAYS


#: Local Government Act 1972 s100B(3), as amended by the Local Government (Access to
#: Information) (Variation) Order 2002 (SI 2002/715): five clear days since 2002, three before.
STATUTORY_CLEAR_DAYS = 5


def as_date(d: date) -> pendulum.Date:
    """Any ``datetime.date`` as a ``pendulum.Date`` (no time, no zone)."""
    return pendulum.Date(d.year, d.month, d.day)


@lru_cache(maxsize=None)
def _holidays_for(year: int) -> dict[date, str]:
    """England and Wales's bank holidays in ``year``: from the table written from the ``holidays`` package
    for the years councils plan in (importing the package costs a short command most of its time), and
    from the package itself for any other year."""
    if year in BANK_HOLIDAYS:
        return {date.fromisoformat(day): name for day, name in BANK_HOLIDAYS[year]}
    return bank_holidays_from_library(year)


def bank_holidays_from_library(year: int) -> dict[date, str]:
    """The ``holidays`` package's England and Wales bank holidays (substitute days and one-off holidays)."""
    import holidays  # only for a year outside the table, or to write the table

    return dict(holidays.UK(subdiv="ENG", years=year))


def write_bank_holiday_table(first: int = 2000, last: int = 2040) -> Path:
    """Write ``bank_holidays_england.py`` from the installed ``holidays`` package (after upgrading it, or when a
    one-off bank holiday is announced); tests/test_calendar.py fails until the table matches the package."""
    import holidays

    rows = {y: sorted((d.isoformat(), n) for d, n in bank_holidays_from_library(y).items())
            for y in range(first, last + 1)}
    lines = [f'"""England and Wales bank holidays {first}-{last}, written by deadlines.write_bank_holiday_table() '
             f'from holidays {holidays.__version__}; do not edit."""', "", "BANK_HOLIDAYS = {"]
    lines += [f"    {y}: {rows[y]!r}," for y in rows] + ["}", ""]
    return Path(write_text(Path(__file__).with_name("bank_holidays_england.py"), "\n".join(lines)))


def bank_holiday(d: date) -> str | None:
    """The name of the England and Wales bank holiday on ``d``, or None."""
    return _holidays_for(d.year).get(date(d.year, d.month, d.day))


def is_working_day(d: date) -> bool:
    """Monday to Friday and not a bank holiday in England and Wales."""
    return d.weekday() < 5 and bank_holiday(d) is None


@lru_cache(maxsize=4096)
def _step_working_days(d: date, n: int, step: int) -> pendulum.Date:
    """Kept for the process: a cycle's schedule is worked out again for every action it checks (some 12,000 steps)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    day = as_date(d)
    while n:
        day = day.add(days=step)
        n -= is_working_day(day)
    return day


def working_days_before(d: date, n: int) -> pendulum.Date:
    """The ``n``-th working day before ``d`` (``d`` itself never counts); n >= 1."""
    return _step_working_days(d, n, -1)


def working_days_after(d: date, n: int) -> pendulum.Date:
    """The ``n``-th working day after ``d`` (``d`` itself never counts); n >= 1."""
    return _step_working_days(d, n, +1)


def working_day_on_or_before(d: date) -> pendulum.Date:
    """``d`` if it is a working day, else the last working day before it."""
    day = as_date(d)
    return day if is_working_day(day) else working_days_before(day, 1)


def clear_days_between(published: date, meeting: date) -> int:
    """Clear days between publishing papers and the meeting.

    R v Swansea City Council, ex p Elitestone Ltd (1993): "clear days" exclude both the
    day of publication and the day of the meeting; weekends and bank holidays are not
    counted either, because the papers cannot be inspected at the council offices then.
    """
    start, end = as_date(published), as_date(meeting)
    count, day = 0, start.add(days=1)
    while day < end:
        count += is_working_day(day)
        day = day.add(days=1)
    return count


def statutory_publication_deadline(meeting: date, clear_days: int = STATUTORY_CLEAR_DAYS) -> pendulum.Date:
    """Last day to publish a principal council committee's agenda and reports.

    Local Government Act 1972 s100B(3): copies of the agenda and reports open to public
    inspection at least ``clear_days`` clear days before the meeting (five since 2002).
    The papers must go out on a working day that leaves ``clear_days`` working days
    between it and the meeting, i.e. the (clear_days + 1)-th working day before it.
    """
    return working_days_before(meeting, clear_days + 1)


def calendar_days_deadline(meeting: date, days: int) -> pendulum.Date:
    """Papers due ``days`` calendar days before a meeting, moved back to a working day.

    For bodies outside s100B, e.g. CMT: seed 000 (4.3.6) has papers submitted on
    20 April 2011 for CMT on 27 April 2011, one week before.
    """
    return working_day_on_or_before(as_date(meeting).subtract(days=days))


def officer_report_deadline(publication: date, lead_working_days: int) -> pendulum.Date:
    """When the officer's report must be final: ``lead_working_days`` before publication.

    A local practice rule, not statute: time for the report to be cleared and printed.
    """
    return working_days_before(publication, lead_working_days)
