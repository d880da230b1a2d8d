"""The partner flows: tasks through .fn(), and one end-to-end run of each flow on a temporary Prefect API."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from flows import partners as pf
from flows.mail import PASSWORD_BLOCK, mail_env
from scs_refresh.mail.dispatch import DeliveryFault, Report
from scs_refresh.partners import outreach as service
from scs_refresh.core.folders import Dirs

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.usefixtures("prefect_harness")


def _dirs(config_dir: Path, tmp_path: Path) -> Dirs:
    return Dirs(config=config_dir, out=tmp_path / "out", state=tmp_path / "state", templates=ROOT / "templates")


def test_tasks_queue_then_deliver_once(config_dir: Path, tmp_path: Path):
    setup = pf.load_setup.fn(_dirs(config_dir, tmp_path))
    at = datetime(2010, 10, 15, 9)
    assert len(pf.queue_questionnaires.fn(setup, at)) == 12
    assert pf.queue_questionnaires.fn(setup, at) == []
    assert len(pf.deliver_queued.fn(setup, at).sent) == 12
    assert pf.deliver_queued.fn(setup, at).sent == []


def test_only_a_mail_server_fault_is_retried():
    from prefect.states import Failed

    fault = Failed(data=DeliveryFault("server down; 3 stay queued", Report(queued=["a", "b", "c"])))
    assert pf._retry_if_server_fault(None, None, fault) is True
    assert pf._retry_if_server_fault(None, None, Failed(data=ValueError("bad config"))) is False


def test_smtp_password_can_come_from_a_secret_block(config_dir: Path, tmp_path: Path, monkeypatch):
    from prefect.blocks.system import Secret

    monkeypatch.delenv("SCS_SMTP_PASSWORD", raising=False)
    setup = pf.load_setup.fn(_dirs(config_dir, tmp_path))
    assert "SCS_SMTP_PASSWORD" not in mail_env(setup.delivery)  # outbox: no password wanted
    smtp = setup.delivery.model_copy(update={"transport": "smtp"})
    setup = service.Setup(setup.dirs, setup.timetable, setup.partners, smtp)
    assert "SCS_SMTP_PASSWORD" not in mail_env(setup.delivery)  # no block yet
    Secret(value="s3cret").save(PASSWORD_BLOCK, overwrite=True)
    assert mail_env(setup.delivery)["SCS_SMTP_PASSWORD"] == "s3cret"


def test_send_then_chase_flows(config_dir: Path, tmp_path: Path):
    from prefect.artifacts import Artifact

    kw = dict(config_dir=config_dir, out_dir=tmp_path / "out", state_dir=tmp_path / "state",
              templates_dir=ROOT / "templates")
    assert len(pf.send_questionnaires(on=date(2010, 10, 15), **kw)) == 12
    chased = pf.chase_partners(on=date(2010, 11, 10), **kw)
    assert len(chased) == 12
    assert pf.chase_partners(on=date(2010, 11, 10), **kw) == []  # a second run sends nothing
    outbox = tmp_path / "out" / "outbox"
    assert len(list(outbox.glob("reminder--*--second.eml"))) == 12
    artifact = Artifact.get("partners-chased")
    assert "Nobody was owed a reminder" in artifact.data
    with service.Setup.load(Dirs(config=config_dir, out=kw["out_dir"], state=kw["state_dir"])).store() as store:
        assert {r.status for r in store.sends()} == {"sent"}
