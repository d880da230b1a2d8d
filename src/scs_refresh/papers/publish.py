"""A meeting's papers leave the building: the officer's report reminder, the papers to every
member with a calendar invitation, the open papers to the public folder, and the members'
reminder before the meeting.

These functions build the messages and write the files; the tick sends the messages through
the send ledger, so each member receives each message once however often a day is re-run.
Exempt items (Local Government Act 1972, Schedule 12A) go to members only, never to the public.
"""

from __future__ import annotations

import logging
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from scs_refresh.core.atomic import write_bytes
from scs_refresh.core.dates import day_text_long
from scs_refresh.core.folders import Dirs
from scs_refresh.mail.dispatch import Attachment, Contact, Outgoing
from scs_refresh.mail.invitations import meeting_invitation
from scs_refresh.papers.wording import AgendaConfig
from scs_refresh.partners.questionnaire import DOCX_TYPE
from scs_refresh.timetable.model import Event, Scheduled, Timetable

log = logging.getLogger(__name__)

def _contact(person) -> Contact | None:
    return Contact(name=person.name, email=person.email) if person.email else None


def members(tt: Timetable, event: Event) -> list[Contact]:
    """The members of the meeting's body who have an e-mail address."""
    return [c for c in (_contact(m) for m in tt.body[event.body].members) if c]


def officer_reminder(tt: Timetable, s: Scheduled, key: str) -> Outgoing:
    """The officer's reminder that a meeting's reports must be final by its report deadline."""
    officer = Contact(name=tt.cycle.officer.name, email=tt.cycle.officer.email)
    papers = "\n".join(f"  - {p.title}" for p in s.event.papers)
    return Outgoing(
        key=key, kind="officer-reminder", to=(officer,),
        subject=f"Reports due {day_text_long(s.report_deadline)}: {s.event.title}",
        body=(f"The reports for {tt.body[s.event.body].name} on {day_text_long(s.event.date)} must be final by "
              f"{day_text_long(s.report_deadline)}; the papers go out on {day_text_long(s.publication_deadline)} "
              f"({s.rule}).\n\nPapers expected:\n{papers}\n\nThe tool writes them from the state of the refresh on "
              f"{day_text_long(s.report_deadline)}.\n"))


def invitation(dirs: Dirs, tt: Timetable, event: Event, agenda: AgendaConfig, at: datetime) -> Attachment:
    """The meeting's calendar invitation (.ics), kept beside its papers."""
    ics = meeting_invitation(tt, event, agenda.default_time, agenda.max_minutes, agenda.venue, at.astimezone())
    write_bytes(dirs.out / event.id / f"{event.id}.ics", ics)
    return Attachment(f"{event.id}.ics", ics, "text/calendar")


@dataclass(frozen=True)
class Publication:
    """What publication day sends and publishes."""

    messages: list[Outgoing]
    published: list[Path]  # copies in out/public/<meeting>/ (never an exempt item)


def written(dirs: Dirs, meeting_id: str) -> dict | None:
    """The manifest of a meeting's papers as written (papers.json), or None before they are."""
    manifest = dirs.out / meeting_id / "papers.json"
    return json.loads(manifest.read_text()) if manifest.is_file() else None


def publication(dirs: Dirs, tt: Timetable, event: Event, manifest: dict, key: str,
                invite: Attachment) -> Publication:
    """The papers to every member, once each; non-exempt papers to the public folder."""
    body = tt.body[event.body]
    folder = dirs.out / event.id
    exempt = set(manifest.get("exempt", []))
    pack = manifest.get("pack")
    files = [pack] if pack else [f for f in manifest["files"] if f.endswith(".docx")]
    attachments = tuple(Attachment(Path(f).name, (folder / f).read_bytes(), DOCX_TYPE) for f in files) + (invite,)
    note = ("\nItems marked exempt (Local Government Act 1972, Schedule 12A) are confidential to members "
            "and are not published.\n" if exempt else "")
    messages = [Outgoing(key=f"{key}:{m.email}", kind="papers", to=(m,),
                         subject=f"Papers: {event.title} ({day_text_long(event.date)})",
                         body=(f"Dear {m.name},\n\nPlease find attached the papers for {body.name} on "
                               f"{day_text_long(event.date)}, and a calendar invitation.\n{note}\n"
                               f"{tt.cycle.officer.name}\n{tt.cycle.officer.role}\n"),
                         attachments=attachments)
                for m in members(tt, event)]
    published = []
    if body.public:
        public = dirs.out / "public" / event.id
        for f in manifest["files"]:
            if f in exempt or f == pack or (pack and f == f"pdf/{Path(pack).stem}.pdf"):
                continue  # the pack holds exempt items; the public get each open paper instead
            published.append(write_bytes(public / f, (folder / f).read_bytes()))
    log.info("papers for %s: %d member(s); %d file(s) published", event.id, len(messages), len(published))
    return Publication(messages, published)


def member_reminders(tt: Timetable, event: Event, key: str, invite: Attachment) -> list[Outgoing]:
    """A reminder to each member shortly before the meeting, with the invitation again."""
    return [Outgoing(key=f"{key}:{m.email}", kind="meeting-reminder", to=(m,),
                     subject=f"Reminder: {event.title}, {day_text_long(event.date)}",
                     body=(f"Dear {m.name},\n\nA reminder that {tt.body[event.body].name} meets on "
                           f"{day_text_long(event.date)}. The papers were sent on publication; the calendar "
                           f"invitation is attached.\n\n{tt.cycle.officer.name}\n"),
                     attachments=(invite,))
            for m in members(tt, event)]
