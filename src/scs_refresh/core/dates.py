"""Dates as the council writes them, and the one clock rule.

Every "today" in the product is a parameter (``on``); only the command line asks the wall
clock, through :func:`today`. Work done for a day is stamped by :func:`recorded_at`.
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

import pendulum

TIMEZONE = "Europe/London"
LONDON = ZoneInfo(TIMEZONE)

#: when the daily run does a day's work (London time); what is done "on" a day is stamped then
DAILY_RUN = time(7, 0)


def today(tz: str = TIMEZONE) -> pendulum.Date:
    """Today's date in London; only the CLI edge calls this, everything else takes ``on``."""
    return pendulum.today(tz).date()


def recorded_at(on: date) -> datetime:
    """The moment recorded for anything done on (possibly virtual) day ``on``: the daily run's time.

    One rule for the tick, the stage runs and the officer's commands, so "what was known on
    day D" is the same question everywhere. It is London wall-clock time, kept naive as the
    state store keeps it; :func:`in_london` gives it its offset wherever it is shown to others.
    """
    return datetime.combine(on, DAILY_RUN)


def in_london(at: datetime) -> datetime:
    """A moment as the officer lives it, with London's offset: a naive time (what :func:`recorded_at`
    gives) is London wall-clock time, an aware one is converted. The daily run at 07:00 on Wed 4 May
    2011 is 07:00 +0100 (British Summer Time), 06:00 UTC; at 07:00 on Mon 1 Nov 2010 it is +0000."""
    return at.replace(tzinfo=LONDON) if at.tzinfo is None else at.astimezone(LONDON)


def day_text(d: date) -> str:
    """A day as the officer reads it in messages and errors: Mon 9 May 2011."""
    return _day_text(d) if type(d) is date else f"{d:%a} {d.day} {d:%b %Y}"


@lru_cache(maxsize=4096)
def _day_text(d: date) -> str:
    # a plain date's text, kept: each day of a cycle's replay lists every action with its days in words
    return f"{d:%a} {d.day} {d:%b %Y}"


def day_text_long(d: date) -> str:
    """A day written out in full, for letters and e-mails: Monday 9 May 2011."""
    return f"{d:%A} {d.day} {d:%B %Y}"


def long_date(d: date) -> str:
    """As the Partnership's own papers write it: 07 October 2010."""
    return f"{d:%d %B %Y}"


def short_date(d: date | None) -> str:
    """A meeting's day in a table, or "to be arranged" while it has none."""
    return day_text(d) if d else "to be arranged"


def month_year(d: date) -> str:
    """A month as targets and stage windows are written: May 2011."""
    return f"{d:%B %Y}"
