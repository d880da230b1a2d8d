"""Polite, escalating chasing of partners who have not returned the questionnaire.

``due_reminders`` is pure: for a date it says which reminder each non-respondent is owed.
A reminder is owed once its day has come, only the latest one owed is sent (a chase that
did not run for a week sends one reminder, not three), and never one already in the ledger
or earlier than one already sent. The idempotency key has no date in it, so running the
chase any number of times, on any dates, sends each reminder at most once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from scs_refresh.mail import dispatch as delivery
from scs_refresh.mail.dispatch import Contact, Outgoing
from scs_refresh.mail.wording import MailWording, signed_by
from scs_refresh.core.store import Store
from scs_refresh.timetable.model import Cycle
from scs_refresh.core.dates import day_text_long
from scs_refresh.partners.questionnaire import questionnaire_key, reference
from scs_refresh.partners.register import Partner, PartnersConfig, Reminder


@dataclass(frozen=True)
class Due:
    partner: Partner
    reminder: Reminder
    on: date  # the day the reminder fell due


def reminder_key(cycle: Cycle, partner_id: str, reminder_id: str) -> str:
    return f"reminder:{cycle.id}:{partner_id}:{reminder_id}"


def due_reminders(cfg: PartnersConfig, on: date, sent_on: dict[str, date], responded: set[str],
                  reminded: dict[str, set[str]]) -> list[Due]:
    """Reminders owed on ``on``. ``sent_on``: partner -> day the questionnaire went;
    ``reminded``: partner -> reminder ids already in the ledger."""
    order = [r.id for r in cfg.chasing.reminders]
    out = []
    for p in cfg.partners:
        if p.id not in sent_on or p.id in responded:
            continue
        owed = [r for r in cfg.chasing.reminders if sent_on[p.id] < cfg.reminder_date(r) <= on]
        if not owed:
            continue
        latest = owed[-1]
        done = reminded.get(p.id, set())
        if done and max(order.index(r) for r in done) >= order.index(latest.id):
            continue
        out.append(Due(p, latest, cfg.reminder_date(latest)))
    return out


def reminder_message(cfg: PartnersConfig, cycle: Cycle, due: Due, wording: MailWording) -> Outgoing:
    """The reminder ``due`` (templates/mail/reminder.txt): "Due today" on the deadline, the sponsor
    copied in when the reminder says so."""
    p, r, q = due.partner, due.reminder, cfg.questionnaire
    subject, body = wording.render(
        "reminder", **signed_by(cycle), partner_name=p.name, contact_name=p.contact.name, sponsor_name=p.sponsor.name,
        sponsor_copied=r.copy_sponsor, due_today=due.on == q.deadline, deadline=day_text_long(q.deadline),
        reply_to=q.reply_to, reference=reference(cycle, p.id))
    return Outgoing(key=reminder_key(cycle, p.id, r.id), kind="reminder", partner_id=p.id, to=(p.contact,),
                    cc=(p.sponsor,) if r.copy_sponsor else (), reply_to=q.reply_to, subject=subject, body=body)


def owed(store: Store, cfg: PartnersConfig, cycle: Cycle, on: date) -> list[Due]:
    """Reminders owed on ``on`` according to the state store."""
    sent_on, reminded = {}, {}
    for rec in store.sends(kind="questionnaire", status="sent"):
        if rec.key == questionnaire_key(cycle, rec.partner_id):
            sent_on[rec.partner_id] = rec.sent_at.date()
    prefix = f"reminder:{cycle.id}:"
    for rec in store.sends(kind="reminder"):
        if rec.key.startswith(prefix):
            reminded.setdefault(rec.partner_id, set()).add(rec.key.rsplit(":", 1)[1])
    return due_reminders(cfg, on, sent_on, set(store.responses()), reminded)


def queue_reminders(store: Store, cfg: PartnersConfig, cycle: Cycle, sender: Contact, on: date,
                    at: datetime, wording: MailWording) -> list[Due]:
    """Queue every reminder owed on ``on``; the caller then flushes the queue."""
    due = owed(store, cfg, cycle, on)
    delivery.queue(store, (reminder_message(cfg, cycle, d, wording) for d in due), sender, at)
    return due
