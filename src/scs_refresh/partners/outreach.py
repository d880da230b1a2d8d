"""The partner operations the CLI and the tick share: questionnaires, chasers, interview requests.

Each function opens the state store for its own step, so a flow task (or a re-run after a
crash) can do one step on its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from datetime import date, datetime

from scs_refresh.mail import dispatch as delivery
from scs_refresh.mail.dispatch import Attachment, DeliverySettings, Outgoing
from scs_refresh.mail.wording import MailWording, signed_by
from scs_refresh.core.folders import Dirs
from scs_refresh.core.store import Store
from scs_refresh.documents.render import Template
from scs_refresh.timetable.model import Timetable
from scs_refresh.partners import chasing, interviews, questionnaire
from scs_refresh.partners.questionnaire import DOCX_TYPE
from scs_refresh.partners.register import Partner, PartnersConfig


@dataclass(frozen=True)
class Setup:
    """What the partner operations work with: taken from the cycle's workspace, never re-read."""

    dirs: Dirs
    timetable: Timetable
    partners: PartnersConfig
    delivery: DeliverySettings
    wording: MailWording  # templates/mail: what each e-mail says

    def store(self) -> Store:
        return Store.open(self.dirs.store)


def queue_questionnaires(setup: Setup, at: datetime) -> list[str]:
    """Render and queue the questionnaire of every partner not yet sent one."""
    renderer = Template(setup.dirs.templates / "questionnaire_tpl.docx")
    qs = questionnaire.Questionnaires(setup.partners, setup.timetable.cycle, renderer, setup.wording)
    with setup.store() as store:
        return questionnaire.queue_questionnaires(store, qs, setup.delivery.sender, at)


def deliver(setup: Setup, at: datetime, env: Mapping[str, str] = os.environ) -> delivery.Report:
    """Send everything queued (from this run or an earlier one), each message once."""
    transport = delivery.transport_for(setup.delivery, setup.dirs.out, env)
    with setup.store() as store:
        return delivery.flush(store, transport, setup.delivery.sender, at, retry=setup.delivery.retry)


def queue_chase(setup: Setup, on: date, at: datetime) -> list[chasing.Due]:
    with setup.store() as store:
        return chasing.queue_reminders(store, setup.partners, setup.timetable.cycle, setup.delivery.sender, on, at,
                                        setup.wording)


def queue_interview_requests(setup: Setup, on: date, at: datetime, only: str | None = None) -> list[str]:
    with setup.store() as store:
        return interviews.queue_requests(store, setup.partners, setup.timetable.cycle, setup.delivery.sender,
                                         on, at, setup.wording, only)


def chase_summary(setup: Setup, due: list[chasing.Due], report: delivery.Report) -> str:
    """Markdown listing who was chased (for the flow artifact and the CLI)."""
    if not due:
        return "# Partners chased\n\nNobody was owed a reminder."
    sent = set(report.sent)
    lines = ["# Partners chased", "", "| Partner | Reminder | Due | Sponsor copied | Sent |", "|---|---|---|---|---|"]
    for d in due:
        key = chasing.reminder_key(setup.timetable.cycle, d.partner.id, d.reminder.id)
        lines.append(f"| {d.partner.name} | {d.reminder.id} | {d.on} | {'yes' if d.reminder.copy_sponsor else 'no'} "
                     f"| {'yes' if key in sent else 'queued'} |")
    return "\n".join(lines)


def draft_for_comment(setup: Setup, draft_docx: Path, version: int, answered: Iterable[str]) -> list[Outgoing]:
    """Testing stage (the Board report of 7 October 2010, 4.3.4): draft sections tested with the
    partners who took part. Each responding partner gets draft version ``version`` once."""
    doc = Attachment(f"Draft SCS version {version}.docx", Path(draft_docx).read_bytes(), DOCX_TYPE)
    return [Outgoing(key=f"draft-comment:v{version}:{p.id}", kind="draft-comment", to=(p.contact,),
                     partner_id=p.id, reply_to=setup.partners.questionnaire.reply_to,
                     **_draft_comment(setup, p, version), attachments=(doc,))
            for p in setup.partners.partners if p.id in set(answered)]


def _draft_comment(setup: Setup, partner: Partner, version: int) -> dict[str, str]:
    subject, body = setup.wording.render("draft-comment", **signed_by(setup.timetable.cycle), version=version,
                                         partner_name=partner.name, contact_name=partner.contact.name)
    return {"subject": subject, "body": body}
