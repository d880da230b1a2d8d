"""Mail in the flows: only what may succeed next time is retried; the SMTP password may come from a Secret block."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.mail import PASSWORD_BLOCK, mail_env
from flows.retrying import retry_if
from scs_refresh.core.folders import Dirs
from scs_refresh.core.errors import ConfigError, Problem, UserError
from scs_refresh.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]


def test_only_what_may_succeed_next_time_is_retried():
    from prefect.states import Failed

    condition = retry_if(lambda exc: not isinstance(exc, UserError))
    assert condition(None, None, Failed(data=OSError("disk busy"))) is True
    assert condition(None, None, Failed(data=ConfigError([Problem(Path("x.yaml"), "bad")]))) is False


@pytest.mark.usefixtures("prefect_harness")
def test_smtp_password_can_come_from_a_secret_block(config_dir: Path, tmp_path: Path, monkeypatch):
    from prefect.blocks.system import Secret

    monkeypatch.delenv("SCS_SMTP_PASSWORD", raising=False)
    delivery = Workspace.load(Dirs(config=config_dir, out=tmp_path, state=tmp_path)).need_delivery()
    assert "SCS_SMTP_PASSWORD" not in mail_env(delivery)  # outbox: no password wanted
    smtp = delivery.model_copy(update={"transport": "smtp"})
    assert "SCS_SMTP_PASSWORD" not in mail_env(smtp)  # no block yet
    Secret(value="s3cret").save(PASSWORD_BLOCK, overwrite=True)
    assert mail_env(smtp)["SCS_SMTP_PASSWORD"] == "s3cret"
