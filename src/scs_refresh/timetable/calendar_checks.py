"""What ``scs check`` warns about in a timetable: days to think twice about (see civic_calendar).

Warnings, not errors: a meeting on a bank holiday or in the pre-election period may be intended,
so the officer is told, with the rule, and decides. Each is a (key path, sentence) pair, as the
errors of :func:`scs_refresh.timetable.model.check` are.
"""

from __future__ import annotations

from datetime import date

from scs_refresh.core.dates import day_text
from scs_refresh.core.yamlio import Path_
from scs_refresh.timetable.civic_calendar import (PreElectionPeriod, first_thursday_in_may, pre_election_period,
                                                  why_not_a_meeting_day)
from scs_refresh.timetable.model import Timetable

CODE = "the Code of Recommended Practice on Local Authority Publicity applies"


def _period_text(title: str, period: PreElectionPeriod) -> str:
    return (f"the pre-election period before the {title} on {day_text(period.polling_day)} (from "
            f"{day_text(period.start)}, the last day for the notice of election)")


def calendar_warnings(tt: Timetable) -> list[tuple[Path_, str]]:
    """Meetings on a weekend, a bank holiday or in the Christmas closure; meetings and publications in a
    pre-election period; and a cycle spanning the usual election day with no elections listed."""
    out: list[tuple[Path_, str]] = []
    periods = [(e.title, pre_election_period(e.date)) for e in tt.elections or []]
    index = {e.id: i for i, e in enumerate(tt.events)}
    for s in tt.schedule:
        e = s.event
        if e.date is None:
            continue
        path = ("events", index[e.id], "date")
        what = "is due" if e.type == "milestone" else "meets"
        reason = why_not_a_meeting_day(e.date)
        if reason:
            out.append((path, f"'{e.id}' {what} on {day_text(e.date)}, {reason}; move it to a working day, "
                        "or keep it if that is intended"))
        for title, period in periods:
            if e.date in period:
                out.append((path, f"'{e.id}' {what} on {day_text(e.date)}, in {_period_text(title, period)}: "
                            f"{CODE}; agree it with the monitoring officer, or move it after polling day"))
            elif s.publication_deadline is not None and s.publication_deadline in period:
                out.append((path, f"the papers for '{e.id}' go out on {day_text(s.publication_deadline)}, in "
                            f"{_period_text(title, period)}: {CODE}; agree them with the monitoring officer, "
                            "or move the meeting"))
    if tt.elections is None:
        usual = [d for d in (first_thursday_in_may(y) for y in range(tt.span.start.year, tt.span.end.year + 1))
                 if d in tt.span]
        if usual:
            out.append((("elections",), f"{day_text(usual[0])} is the first Thursday in May, the ordinary day of "
                        "local elections (Representation of the People Act 1983 s37): list the polling days in your "
                        "area under elections: (write elections: [] if there are none) so the pre-election period "
                        "is checked"))
    return out


def not_a_working_day(what: str, d: date) -> str | None:
    """The warning for a partner date (questionnaire, deadline, slot) that falls on a day to avoid."""
    reason = why_not_a_meeting_day(d)
    return f"{what} falls on {day_text(d)}, {reason}; choose a working day" if reason else None
