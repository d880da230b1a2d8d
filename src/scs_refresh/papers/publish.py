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
from datetime import date, datetime, timezone
from pathlib import Path

from scs_refresh.core.atomic import write_bytes
from scs_refresh.core.dates import day_text_long, in_london
from scs_refresh.core.folders import Dirs
from scs_refresh.mail.dispatch import Attachment, Contact, Outgoing
from scs_refresh.mail.invitations import meeting_invitation
from scs_refresh.mail.wording import MailWording, signed_by
from scs_refresh.papers.wording import AgendaConfig
from scs_refresh.partners.questionnaire import DOCX_TYPE
from scs_refresh.timetable.model import Event, Scheduled, Timetable
from scs_refresh.timetable.plan import plan

log = logging.getLogger(__name__)

def _contact(person) -> Contact | None:
    return Contact(name=person.name, email=person.email) if person.email else None


def members(tt: Timetable, event: Event) -> list[Contact]:
    """The members of the meeting's body who have an e-mail address."""
    return [c for c in (_contact(m) for m in tt.body[event.body].members) if c]


def officer_reminder(tt: Timetable, s: Scheduled, key: str, wording: MailWording, on: date) -> Outgoing:
    """The officer's reminder that a meeting's reports must be final by its report deadline, with what the
    timetable still lacks on ``on`` (a meeting to be arranged): the officer's to fix, never the Board's to read."""
    officer = Contact(name=tt.cycle.officer.name, email=tt.cycle.officer.email)
    subject, body = wording.render(
        "officer-reminder", **signed_by(tt.cycle), meeting_title=s.event.title, body_name=tt.body[s.event.body].name,
        meeting_date=day_text_long(s.event.date), report_deadline=day_text_long(s.report_deadline),
        publication_deadline=day_text_long(s.publication_deadline), publication_rule=s.rule,
        papers=[p.title for p in s.event.papers], to_fix=plan(tt, on, days=0).warnings)
    return Outgoing(key=key, kind="officer-reminder", to=(officer,), subject=subject, body=body)


def invitation(dirs: Dirs, tt: Timetable, event: Event, agenda: AgendaConfig, at: datetime) -> Attachment:
    """The meeting's calendar invitation (.ics), kept beside its papers."""
    ics = meeting_invitation(tt, event, agenda.default_time, agenda.max_minutes, agenda.venue,
                              in_london(at).astimezone(timezone.utc))  # DTSTAMP is UTC (RFC 5545)
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
                invite: Attachment, wording: MailWording) -> Publication:
    """The papers to every member, once each; non-exempt papers to the public folder."""
    body = tt.body[event.body]
    folder = dirs.out / event.id
    exempt = set(manifest.get("exempt", []))
    pack = manifest.get("pack")
    files = [pack] if pack else [f for f in manifest["files"] if f.endswith(".docx")]
    attachments = tuple(Attachment(Path(f).name, (folder / f).read_bytes(), DOCX_TYPE) for f in files) + (invite,)
    messages = [Outgoing(key=f"{key}:{m.email}", kind="papers", to=(m,),
                         **_worded(wording, "papers", tt, event, member_name=m.name, exempt=bool(exempt)),
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


def member_reminders(tt: Timetable, event: Event, key: str, invite: Attachment,
                     wording: MailWording) -> list[Outgoing]:
    """A reminder to each member shortly before the meeting, with the invitation again."""
    return [Outgoing(key=f"{key}:{m.email}", kind="meeting-reminder", to=(m,),
                     **_worded(wording, "meeting-reminder", tt, event, member_name=m.name), attachments=(invite,))
            for m in members(tt, event)]


def _worded(wording: MailWording, kind: str, tt: Timetable, event: Event, **values) -> dict[str, str]:
    """The subject and body of a message to a member about ``event`` (templates/mail)."""
    subject, body = wording.render(kind, **signed_by(tt.cycle), meeting_title=event.title,
                                   meeting_date=day_text_long(event.date), body_name=tt.body[event.body].name,
                                   **values)
    return {"subject": subject, "body": body}
