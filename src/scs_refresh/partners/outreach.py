"""The partner operations the CLI and the flows share: load config once, then act on the store.

Each function opens the state store for its own step, so a flow task (or a re-run after a
crash) can do one step on its own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from scs_refresh.mail import dispatch as delivery
from scs_refresh.mail.dispatch import DeliverySettings, load_delivery
from scs_refresh.core.folders import Dirs
from scs_refresh.core.store import Store
from scs_refresh.documents.render import Template
from scs_refresh.timetable.model import Timetable, load_timetable
from scs_refresh.partners import chasing, interviews, questionnaire
from scs_refresh.partners.register import PartnersConfig, load_partners


@dataclass(frozen=True)
class Setup:
    """Everything loaded and validated from the config folder, once."""

    dirs: Dirs
    timetable: Timetable
    partners: PartnersConfig
    delivery: DeliverySettings

    @classmethod
    def load(cls, dirs: Dirs) -> Setup:
        tt = load_timetable(dirs.timetable)
        return cls(dirs, tt, load_partners(dirs.partners, tt), load_delivery(dirs.delivery))

    def store(self) -> Store:
        return Store.open(self.dirs.store)


def queue_questionnaires(setup: Setup, at: datetime) -> list[str]:
    """Render and queue the questionnaire of every partner not yet sent one."""
    renderer = Template(setup.dirs.templates / "questionnaire_tpl.docx")
    qs = questionnaire.Questionnaires(setup.partners, setup.timetable.cycle, renderer)
    with setup.store() as store:
        return questionnaire.queue_questionnaires(store, qs, setup.delivery.sender, at)


def deliver(setup: Setup, at: datetime, env: Mapping[str, str] = os.environ) -> delivery.Report:
    """Send everything queued (from this run or an earlier one), each message once."""
    transport = delivery.transport_for(setup.delivery, setup.dirs.out, env)
    with setup.store() as store:
        return delivery.flush(store, transport, setup.delivery.sender, at)


def queue_chase(setup: Setup, on: date, at: datetime) -> list[chasing.Due]:
    with setup.store() as store:
        return chasing.queue_reminders(store, setup.partners, setup.timetable.cycle, setup.delivery.sender, on, at)


def queue_interview_requests(setup: Setup, on: date, at: datetime, only: str | None = None) -> list[str]:
    with setup.store() as store:
        return interviews.queue_requests(store, setup.partners, setup.timetable.cycle, setup.delivery.sender,
                                         on, at, only)


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
