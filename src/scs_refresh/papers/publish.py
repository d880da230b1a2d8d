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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from scs_refresh.core.atomic import write_bytes
from scs_refresh.core.dates import day_text, day_text_long, in_london
from scs_refresh.core.folders import Dirs
from scs_refresh.approval.decisions import moves_of
from scs_refresh.core.store import Replan
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


@dataclass(frozen=True)
class Moves:
    """How often a meeting has been re-arranged to another day, and the day it was last moved from."""

    count: int = 0
    moved_from: date | None = None

    @classmethod
    def of(cls, replans: Sequence[Replan], event_id: str, original: date | None) -> Moves:
        done = moves_of(replans, event_id, original)
        return cls(len(done), done[-1].moved_from if done else None)


def _length(dirs: Dirs, event: Event, agenda: AgendaConfig) -> int:
    """The meeting's planned length: its agenda's, once written, else the configured longest meeting."""
    manifest = written(dirs, event.id)
    return (manifest or {}).get("agenda_minutes") or agenda.max_minutes


def invitation(dirs: Dirs, tt: Timetable, event: Event, agenda: AgendaConfig, at: datetime,
               moves: Moves = Moves(), cancel: bool = False) -> Attachment:
    """The meeting's calendar invitation (.ics), kept beside its papers; ending when its agenda does.
    With ``cancel``, the cancellation of the slot it was moved from."""
    ics = meeting_invitation(tt, event, agenda.default_time, _length(dirs, event, agenda), agenda.venue,
                             in_london(at).astimezone(timezone.utc),  # DTSTAMP is UTC (RFC 5545)
                             moves=moves.count, cancel_slot=moves.moved_from if cancel else None)
    name = f"{event.id}-cancel-{moves.moved_from}.ics" if cancel else f"{event.id}.ics"
    write_bytes(dirs.out / event.id / name, ics)
    return Attachment(name, ics, "text/calendar")


def moved(dirs: Dirs, tt: Timetable, event: Event, moves: Moves, agenda: AgendaConfig, key: str, at: datetime,
          wording: MailWording) -> list[Outgoing]:
    """A meeting re-arranged to another day: to each member, the cancellation of the old slot and the
    invitation for the new one, each a message of its own (``key`` names the move, so each goes once)."""
    cancel, request = (invitation(dirs, tt, event, agenda, at, moves, cancel=c) for c in (True, False))
    was = day_text(moves.moved_from)
    return [Outgoing(key=f"{key}:{part}:{m.email}", kind=kind, to=(m,), attachments=(ics,),
                     **_worded(wording, kind, tt, event, member_name=m.name, moved_from=was, **extra))
            for m in members(tt, event)
            for part, kind, ics, extra in (("cancel", "meeting-cancelled", cancel, {}),
                                           ("invite", "meeting-moved", request, _where(event, agenda)))]


def _where(event: Event, agenda: AgendaConfig) -> dict[str, str]:
    return {"meeting_time": event.time or agenda.default_time, "venue": event.venue or agenda.venue}


@dataclass(frozen=True)
class Publication:
    """What publication day sends and publishes."""

    messages: list[Outgoing]
    published: list[Path]  # copies in out/public/<meeting>/ (never an exempt item)


def written(dirs: Dirs, meeting_id: str) -> dict | None:
    """The manifest of a meeting's papers as written (papers.json), or None before they are."""
    manifest = dirs.out / meeting_id / "papers.json"
    return json.loads(manifest.read_text()) if manifest.is_file() else None


def _pack_pdf(folder: Path, pack: str | None, limit_mb: float) -> tuple[Attachment | None, str]:
    """The pack's PDF to attach when there is one within ``limit_mb``, and its size in words."""
    pdf = folder / "pdf" / f"{Path(pack).stem}.pdf" if pack else None
    if pdf is None or not pdf.is_file():
        return None, ""
    size = pdf.stat().st_size
    words = f"{size / 1_048_576:.1f} MB"
    return (Attachment(pdf.name, pdf.read_bytes(), "application/pdf") if size <= limit_mb * 1_048_576 else None), words


def publication(dirs: Dirs, tt: Timetable, event: Event, manifest: dict, key: str,
                invite: Attachment, wording: MailWording, agenda: AgendaConfig, moves: Moves = Moves()) -> Publication:
    """The papers to every member, once each, with the time and venue, the pack as Word and (within the
    body's size limit) as PDF; non-exempt papers to the public folder."""
    body = tt.body[event.body]
    folder = dirs.out / event.id
    exempt = set(manifest.get("exempt", []))
    pack = manifest.get("pack")
    files = [pack] if pack else [f for f in manifest["files"] if f.endswith(".docx")]
    pdf, pdf_size = _pack_pdf(folder, pack, agenda.pack_limit(event.body))
    attachments = tuple(Attachment(Path(f).name, (folder / f).read_bytes(), DOCX_TYPE) for f in files) \
        + ((pdf,) if pdf else ()) + (invite,)
    details = {**_where(event, agenda), "moved_from": day_text(moves.moved_from) if moves.moved_from else "",
               "pack_pdf_attached": pdf is not None, "pack_pdf_size": pdf_size,
               "papers_online": f"public/{event.id}/index.html" if body.public else ""}
    messages = [Outgoing(key=f"{key}:{m.email}", kind="papers", to=(m,),
                         **_worded(wording, "papers", tt, event, member_name=m.name, exempt=bool(exempt), **details),
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


def meeting_record(tt: Timetable, event: Event, met: date, document: Path, key: str, wording: MailWording, *,
                   minutes: bool) -> list[Outgoing]:
    """A meeting's decision notice or draft minutes (``document``, the members' version) to each member, once."""
    exempt = minutes and any(p.exempt for p in event.papers)
    attachment = Attachment(document.name, document.read_bytes(), DOCX_TYPE)
    return [Outgoing(key=f"{key}:{m.email}", kind="meeting-record", to=(m,), attachments=(attachment,),
                     **_worded(wording, "meeting-record", tt, event, member_name=m.name,
                               record="the draft minutes" if minutes else "the decision notice", draft=minutes,
                               exempt=exempt, met=met))
            for m in members(tt, event)]


def member_reminders(tt: Timetable, event: Event, key: str, invite: Attachment,
                     wording: MailWording) -> list[Outgoing]:
    """A reminder to each member shortly before the meeting, with the invitation again."""
    return [Outgoing(key=f"{key}:{m.email}", kind="meeting-reminder", to=(m,),
                     **_worded(wording, "meeting-reminder", tt, event, member_name=m.name), attachments=(invite,))
            for m in members(tt, event)]


def _worded(wording: MailWording, kind: str, tt: Timetable, event: Event, met: date | None = None,
            **values) -> dict[str, str]:
    """The subject and body of a message to a member about ``event`` (templates/mail); the meeting's day is
    its date unless ``met`` (the sitting a record is of) says otherwise."""
    subject, body = wording.render(kind, **signed_by(tt.cycle), meeting_title=event.title,
                                   meeting_date=day_text_long(met or event.date),
                                   body_name=tt.body[event.body].name, **values)
    return {"subject": subject, "body": body}
