"""One-to-one interviews with partners flagged for one (seed 000: scoping, completed in testing).

The request offers the slots in partners.yaml; the officer records the agreed date and,
once held, the notes. Anything not held by the end of the interviews stage is reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from scs_refresh.mail import dispatch as delivery
from scs_refresh.mail.dispatch import Contact, Outgoing
from scs_refresh.mail.wording import MailWording, signed_by
from scs_refresh.core.errors import UserError
from scs_refresh.core.store import Interview, Store
from scs_refresh.timetable.model import Cycle, Timetable
from scs_refresh.core.dates import day_text_long
from scs_refresh.partners.questionnaire import reference
from scs_refresh.partners.register import Partner, PartnersConfig


def request_key(cycle: Cycle, partner_id: str) -> str:
    return f"interview-request:{cycle.id}:{partner_id}"


def _slot(s: datetime) -> str:
    return f"{day_text_long(s.date())} at {s:%H:%M}"


def request_message(cfg: PartnersConfig, cycle: Cycle, partner: Partner, wording: MailWording) -> Outgoing:
    """The request offering the slots of partners.yaml (templates/mail/interview-request.txt)."""
    subject, body = wording.render(
        "interview-request", **signed_by(cycle), partner_name=partner.name, board_rep_name=partner.board_rep.name,
        minutes=cfg.interviews.minutes, slots=[_slot(s) for s in cfg.interviews.slots],
        reference=reference(cycle, partner.id))
    return Outgoing(key=request_key(cycle, partner.id), kind="interview-request", partner_id=partner.id,
                    to=(partner.board_rep,), cc=(partner.contact,), reply_to=cfg.questionnaire.reply_to,
                    subject=subject, body=body)


def _known(cfg: PartnersConfig, partner_id: str) -> Partner:
    if partner_id not in cfg.partner:
        raise UserError(f"no partner '{partner_id}' in partners.yaml (partners: {', '.join(cfg.partner)})")
    return cfg.partner[partner_id]


def queue_requests(store: Store, cfg: PartnersConfig, cycle: Cycle, sender: Contact, on: date, at: datetime,
                   wording: MailWording, only: str | None = None) -> list[str]:
    """Queue an interview request for each flagged partner (or ``only`` one) not yet asked."""
    partners = [_known(cfg, only)] if only else [p for p in cfg.partners if p.interview]
    known = store.interviews()
    todo = [p for p in partners if p.id not in known
            or not (known[p.id].requested_on or known[p.id].agreed_at or known[p.id].held)]
    # Queue first (once per key), then record: a crash in between is mended by the next run.
    delivery.queue(store, (request_message(cfg, cycle, p, wording) for p in todo), sender, at)
    with store.transaction():
        for p in todo:
            store.interview_requested(p.id, on, list(cfg.interviews.slots))
    return [p.id for p in todo]


def record(store: Store, cfg: PartnersConfig, partner_id: str, *, on: date, agreed_at: datetime | None = None,
           notes: str | None = None, held: bool = False) -> None:
    """Record on day ``on`` the agreed date and/or, once held, the notes (stored as written)."""
    _known(cfg, partner_id)
    if agreed_at is None and notes is None and not held:
        raise UserError("give the agreed date (--date), the notes (--notes) or --held")
    if agreed_at is not None:
        length = timedelta(minutes=cfg.interviews.minutes)
        clash = next((pid for pid, iv in store.interviews().items() if pid != partner_id and iv.agreed_at is not None
                      and iv.agreed_at < agreed_at + length and agreed_at < iv.agreed_at + length), None)
        if clash is not None:
            raise UserError(f"{_slot(agreed_at)} is taken: {cfg.partner[clash].name if clash in cfg.partner else clash} "
                            f"is booked for {_slot(store.interviews()[clash].agreed_at)} ({cfg.interviews.minutes} "
                            "minutes); agree another time with the partner")
    store.interview_recorded(partner_id, agreed_at=agreed_at, held=held or notes is not None, notes=notes, on=on)


@dataclass(frozen=True)
class Incomplete:
    partner: Partner
    state: str  # "not requested", "requested", "agreed for <date>"


def incomplete(known: Mapping[str, Interview], cfg: PartnersConfig) -> list[Incomplete]:
    """Flagged partners whose interview has not been held (``known``: the interviews recorded, by partner)."""
    out = []
    for p in cfg.partners:
        iv = known.get(p.id)
        if not p.interview or (iv and iv.held):
            continue
        state = ("not requested" if iv is None or (iv.requested_on is None and iv.agreed_at is None)
                 else f"agreed for {_slot(iv.agreed_at)}" if iv.agreed_at else f"requested {iv.requested_on}")
        out.append(Incomplete(p, state))
    return out


def stage_warning(known: Mapping[str, Interview], cfg: PartnersConfig, tt: Timetable, on: date) -> str | None:
    """In (or after) the interviews stage, the sentence that says which interviews are outstanding
    (``known``: the interviews as recorded by ``on``)."""
    stage = tt.stage[cfg.interviews.stage]
    missing = incomplete(known, cfg)
    if not missing or on < stage.window.start:
        return None
    verb = "were due by" if on > stage.window.end else "must be held by"
    names = ", ".join(f"{i.partner.name} ({i.state})" for i in missing)
    return f"{len(missing)} interviews incomplete; they {verb} the end of the {stage.name} ({stage.window.end}): {names}"
