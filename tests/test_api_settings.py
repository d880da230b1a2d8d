"""The temporary API's own settings (flows.api.temporary_api_settings): given to the API the command starts,
never to the command itself nor to a server the officer configured; and nothing of a run is lost by them."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

from flows import prefect_home

from .conftest import ROOT


def _recorder_batch() -> int:
    return get_current_settings().server.services.task_run_recorder.batch_size


@pytest.fixture
def stand_in(monkeypatch) -> list[int]:
    """Prefect's server replaced by one that notes the task run recorder's batch its process would get."""
    import prefect.server.api.server as server

    from flows import api

    started: list[int] = []

    class Server:  # what the real one passes its process is get_current_settings()
        server_process = None
        api_url = "http://127.0.0.1:9/api"

        def start(self):
            started.append(_recorder_batch())

    monkeypatch.setattr(server, "SubprocessASGIServer", Server)
    monkeypatch.setattr(api, "_warm_up", lambda url: None)
    monkeypatch.setattr(api, "_seed_database", lambda: prefect_home.Seeded())
    return started


def test_the_temporary_api_gets_its_settings_and_the_command_keeps_its_own(stand_in):
    from flows import api

    own = _recorder_batch()
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        api.start_temporary_api()()
        assert _recorder_batch() == own
    assert stand_in == [100] != [own]


def test_a_configured_server_is_given_none_of_them(stand_in):
    from flows import api

    own = _recorder_batch()
    with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:4200/api"}):
        api.start_temporary_api()()
        assert _recorder_batch() == own
    assert stand_in == []
    assert not [k for k in os.environ if k.startswith("PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER")]


_A_SHORT_RUN = r"""
import time
from pathlib import Path
from flows.api import start_temporary_api
start_temporary_api()()
from prefect import flow, task
from prefect.server.api.server import SubprocessASGIServer

@task
def step(n):
    return n

@flow
def short():
    return [step(n) for n in range(12)]

short()
server = SubprocessASGIServer().server_process.pid
print(Path(f"/proc/{server}/environ").read_bytes().replace(b"\0", b"\n").decode(), flush=True)
"""


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads the API's environment from /proc")
def test_every_task_runs_last_state_is_recorded_by_the_time_the_command_ends(tmp_path: Path):
    """Task runs are recorded in batches: those still waiting when the command ends are written as the API stops."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1",
               PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120", PYTHONPATH=f"{ROOT / 'src'}:{ROOT}")
    run = subprocess.run([sys.executable, "-c", _A_SHORT_RUN], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE=100" in run.stdout.splitlines()
    con = sqlite3.connect(tmp_path / "prefect-home" / "prefect.db")
    try:
        states = con.execute("SELECT state_type, count(*) FROM task_run GROUP BY state_type").fetchall()
        history = con.execute("SELECT count(*) FROM task_run_state").fetchone()[0]
    finally:
        con.close()
    assert states == [("COMPLETED", 12)]
    assert history == 36  # pending, running, completed: each task run's whole history
