"""Where each partner stands: questionnaire sent, reminders, response, overdue, interview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from scs_refresh.core.store import Records
from scs_refresh.timetable.model import Cycle
from scs_refresh.partners.questionnaire import questionnaire_key
from scs_refresh.partners.register import PartnersConfig


@dataclass(frozen=True)
class PartnerStatus:
    partner_id: str
    name: str
    sent: str            # "sent 2010-10-15", "queued", "not sent", "failed: ..."
    reminders: list[tuple[str, date]]
    responded_on: date | None
    problems: list[str]
    overdue: bool
    interview: str       # "-", "not requested", "requested", "agreed 2010-11-15 10:00", "held"


def _sent(records: Records, key: str) -> tuple[str, date | None]:
    rec = records.send(key)
    if rec is None:
        return "not sent", None
    if rec.status == "sent":
        return f"sent {rec.sent_at.date()}", rec.sent_at.date()
    if rec.status == "failed":
        return f"failed: {rec.last_error}", None
    if rec.status == "sending":
        return "in doubt (check the mail server)", None
    return "queued", None


def status(records: Records, cfg: PartnersConfig, cycle: Cycle, on: date) -> list[PartnerStatus]:
    """Each partner's position as at ``on``, from ``records``: the store's records as known on
    ``on`` (``scs_refresh.as_at.records_on``), so a response received later does not count yet."""
    out = []
    for p in cfg.partners:
        sent, _ = _sent(records, questionnaire_key(cycle, p.id))
        reminders = [(r.key.rsplit(":", 1)[1], r.sent_at.date())
                     for r in records.sends_of(kind="reminder", partner_id=p.id, status="sent")
                     if r.key.startswith(f"reminder:{cycle.id}:")]
        resp = records.responses.get(p.id)
        iv = records.interviews.get(p.id)
        if not p.interview and iv is None:
            interview = "-"
        elif iv is None:
            interview = "not requested"
        elif iv.held:
            interview = "held"
        elif iv.agreed_at:
            interview = f"agreed {iv.agreed_at:%Y-%m-%d %H:%M}"
        else:
            interview = "requested" if iv.requested_on else "not requested"
        out.append(PartnerStatus(p.id, p.name, sent, reminders, resp.received_on if resp else None,
                                 resp.problems if resp else [], resp is None and on > cfg.questionnaire.deadline,
                                 interview))
    return out
