"""Calendar invitations (.ics) for meetings, so members have the date, time and place.

One VEVENT per meeting with a UID fixed by the cycle and meeting, so a re-sent invitation
updates the entry in the member's calendar instead of adding a second one. Times are
Europe/London local times (TZID), which calendar programs convert correctly across the
clock change.

A meeting re-arranged to another day (iTIP, RFC 5546): the UID stays, and the organiser sends
two messages for each move, numbered by SEQUENCE so that the order they arrive in does not matter:

- a CANCEL for the old slot (SEQUENCE ``2n - 1`` for the n-th move, STATUS:CANCELLED, the old
  DTSTART), so a member who never accepted the update still sees the old slot cancelled;
- a REQUEST for the new slot (SEQUENCE ``2n``), which every later invitation (the papers, the
  reminder) repeats.

Why this and not a CANCEL alone or a REQUEST alone: a REQUEST with a higher SEQUENCE is how
RFC 5546 (3.2.2) reschedules an event, and it moves the one entry; a calendar that sees the
CANCEL first deletes the entry and then re-creates it from the REQUEST, and one that sees the
REQUEST first discards the CANCEL as out of date (its SEQUENCE is lower, RFC 5546 2.1.5). Either
way the member ends with exactly one entry, on the new day. A CANCEL with the same or a higher
SEQUENCE than the new REQUEST would cancel the re-arranged meeting too, so it never has one.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from scs_refresh.timetable.model import Event, Timetable

LONDON = ZoneInfo("Europe/London")


def request_sequence(moves: int) -> int:
    """The SEQUENCE of the invitation to a meeting moved ``moves`` times (0: never moved)."""
    return 2 * moves


def cancel_sequence(moves: int) -> int:
    """The SEQUENCE of the cancellation of the old slot on the ``moves``-th move: just below the new REQUEST's."""
    return 2 * moves - 1


def meeting_invitation(tt: Timetable, event: Event, start_time: str, minutes: int, venue: str,
                       stamp: datetime, *, moves: int = 0, cancel_slot: date | None = None) -> bytes:
    """The .ics for ``event`` (dated), organised by the officer, with the body's members as attendees.

    ``moves``: how many times the meeting has been re-arranged (its SEQUENCE follows). With
    ``cancel_slot``, the cancellation of the meeting's old slot on that day instead (METHOD:CANCEL).
    """
    from icalendar import Calendar, Event as VEvent, vCalAddress, vText

    if event.date is None:
        raise ValueError(f"{event.id} has no date yet")
    if cancel_slot is not None and moves < 1:
        raise ValueError("only a move cancels a slot")
    day = cancel_slot or event.date
    hour, minute = map(int, (event.time or start_time).split(":"))
    start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)
    cal = Calendar()
    cal.add("prodid", "-//scs-refresh//meeting invitations//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancel_slot else "REQUEST")
    ev = VEvent()
    ev.add("uid", f"{event.id}@{tt.cycle.id}.scs-refresh")
    ev.add("sequence", cancel_sequence(moves) if cancel_slot else request_sequence(moves))
    ev.add("dtstamp", stamp)
    ev.add("dtstart", start)
    ev.add("dtend", start + timedelta(minutes=minutes))
    ev.add("summary", event.title)
    ev.add("location", event.venue or venue)
    if cancel_slot:
        ev.add("status", "CANCELLED")
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
    with_timezones(cal)  # a VTIMEZONE for Europe/London, so every client reads TZID the same way
    return cal.to_ical()


def with_timezones(cal):
    """``cal.add_missing_timezones()``, each VTIMEZONE made once in a process: icalendar works one out from
    the zone's rules over 1970-2038 each time ("This can take some time. Please cache the results.", its
    ``Timezone.from_tzid`` says), for every invitation and every build of the site's calendar."""
    missing = cal.get_missing_tzids()
    at = len(cal.timezones)
    for tzid in missing:
        timezone = _vtimezone(tzid)
        if timezone is not None:  # an unknown zone is left out, as icalendar leaves it
            cal.subcomponents.insert(at, timezone)  # shared: a calendar is written, never changed, after this
            at += 1
    return cal


@lru_cache(maxsize=16)
def _vtimezone(tzid: str):
    from icalendar import Timezone

    try:
        return Timezone.from_tzid(tzid)
    except ValueError:
        return None
