"""Calendar invitations (.ics) for meetings, so members have the date, time and place.

One VEVENT per meeting with a UID fixed by the cycle and meeting, so a re-sent invitation
updates the entry in the member's calendar instead of adding a second one. Times are
Europe/London local times (TZID), which calendar programs convert correctly across the
clock change.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from scs_refresh.timetable.model import Event, Timetable

LONDON = ZoneInfo("Europe/London")


def meeting_invitation(tt: Timetable, event: Event, start_time: str, minutes: int, venue: str,
                       stamp: datetime) -> bytes:
    """The .ics for ``event`` (dated), organised by the officer, with the body's members as attendees."""
    from icalendar import Calendar, Event as VEvent, vCalAddress, vText

    if event.date is None:
        raise ValueError(f"{event.id} has no date yet")
    hour, minute = map(int, (event.time or start_time).split(":"))
    start = datetime(event.date.year, event.date.month, event.date.day, hour, minute, tzinfo=LONDON)
    cal = Calendar()
    cal.add("prodid", "-//scs-refresh//meeting invitations//EN")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    ev = VEvent()
    ev.add("uid", f"{event.id}@{tt.cycle.id}.scs-refresh")
    ev.add("dtstamp", stamp)
    ev.add("dtstart", start)
    ev.add("dtend", start + timedelta(minutes=minutes))
    ev.add("summary", event.title)
    ev.add("location", event.venue or venue)
    ev.add("description", f"{tt.body[event.body].name}. Papers from {tt.cycle.officer.name}, "
                          f"{tt.cycle.officer.role} ({tt.cycle.officer.email}).")
    organizer = vCalAddress(f"mailto:{tt.cycle.officer.email}")
    organizer.params["cn"] = vText(tt.cycle.officer.name)
    ev["organizer"] = organizer
    for m in tt.body[event.body].members:
        if m.email:
            attendee = vCalAddress(f"mailto:{m.email}")
            attendee.params["cn"] = vText(m.name)
            attendee.params["role"] = vText("REQ-PARTICIPANT")
            ev.add("attendee", attendee, encode=0)
    cal.add_component(ev)
    cal.add_missing_timezones()  # a VTIMEZONE for Europe/London, so every client reads TZID the same way
    return cal.to_ical()
