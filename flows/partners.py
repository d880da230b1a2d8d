"""Partner questionnaire flows: send them out, and chase the partners who have not replied.

Prefect wiring only; the work (and the send-once ledger) is in scs_refresh.partners and
scs_refresh.mail.dispatch. Paths and the day are parameters so a run for any date is the same code.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact

from flows.mail import mail_env
from flows.retrying import retry_if
from scs_refresh.mail.dispatch import DeliveryFault
from scs_refresh.partners import outreach as service
from scs_refresh.core.folders import Dirs


#: Only a mail server fault is worth retrying; bad config would fail again the same way.
_retry_if_server_fault = retry_if(lambda exc: isinstance(exc, DeliveryFault))


@task
def load_setup(dirs: Dirs) -> service.Setup:
    return service.Setup.load(dirs)


@task
def queue_questionnaires(setup: service.Setup, at: datetime) -> list[str]:
    return service.queue_questionnaires(setup, at)


@task
def queue_reminders(setup: service.Setup, on: date, at: datetime) -> list:
    return service.queue_chase(setup, on, at)


# The SMTP server may be down or say "try later" (4xx); queued messages wait in the ledger,
# so a retry sends only what is still pending and nothing twice.
@task(retries=3, retry_delay_seconds=[10, 60, 300], retry_condition_fn=_retry_if_server_fault)
def deliver_queued(setup: service.Setup, at: datetime):
    return service.deliver(setup, at, mail_env(setup.delivery))


def _dirs(config_dir: Path, out_dir: Path, state_dir: Path, templates_dir: Path) -> Dirs:
    return Dirs(config=Path(config_dir), out=Path(out_dir), state=Path(state_dir), templates=Path(templates_dir))


@flow(name="send-questionnaires")
def send_questionnaires(on: date, config_dir: Path = Path("config"), out_dir: Path = Path("out"),
                        state_dir: Path = Path("state"), templates_dir: Path = Path("templates")) -> list[str]:
    """Scoping stage: design and distribute the partner questionnaire (seed 000, 4.3.3)."""
    at = datetime.combine(on, time(9))
    setup = load_setup(_dirs(config_dir, out_dir, state_dir, templates_dir))  # 1. config, validated once
    queued = queue_questionnaires(setup, at)                                   # 2. render + queue, once per partner
    deliver_queued(setup, at)                                                  # 3. send everything pending
    return queued


@flow(name="chase-partners")
def chase_partners(on: date, config_dir: Path = Path("config"), out_dir: Path = Path("out"),
                   state_dir: Path = Path("state"), templates_dir: Path = Path("templates")) -> list[str]:
    """Remind partners who have not returned the questionnaire, as the chasing policy says for ``on``."""
    at = datetime.combine(on, time(9))
    setup = load_setup(_dirs(config_dir, out_dir, state_dir, templates_dir))  # 1. config, validated once
    due = queue_reminders(setup, on, at)                                       # 2. reminders owed, queued once
    report = deliver_queued(setup, at)                                         # 3. send everything pending
    create_markdown_artifact(service.chase_summary(setup, due, report),       # 4. who was chased, for the officer
                             key="partners-chased", description=f"Partners chased on {on}")
    return [d.partner.id for d in due]
