"""The temporary API's own settings (flows.api.temporary_api_settings): given to the API the command starts,
never to the command itself nor to a server the officer configured; and nothing of a run is lost by them."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from prefect.settings import get_current_settings

from flows import prefect_home

from .conftest import ROOT


def _recorder_batch() -> int:
    return get_current_settings().server.services.task_run_recorder.batch_size


def test_the_temporary_api_gets_its_settings_and_the_command_keeps_its_own():
    from flows import temporary_api

    own = _recorder_batch()
    env = temporary_api.environment(temporary_api.temporary_api_settings(prefect_home.Seeded()))
    assert env["PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE"] == "100" != str(own)
    assert _recorder_batch() == own
    assert env["PREFECT__SERVER_EPHEMERAL"] == "1" and env["PREFECT_UI_ENABLED"] == "0"  # as Prefect starts its own


def test_the_temporary_api_listens_where_it_is_told_not_where_the_command_was_pointed(monkeypatch):
    from flows import temporary_api

    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    assert "PREFECT_API_URL" not in temporary_api.environment({})


def test_a_configured_server_is_given_none_of_them(monkeypatch):
    """The API's process reads the command's settings, finds the server and starts nothing."""
    from flows import api

    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    spawned = []
    real = api._spawn
    monkeypatch.setattr(api, "_spawn", lambda env, deadline: spawned.append(real(env, deadline)) or spawned[-1])
    assert api.start_temporary_api()() is None
    [(process, said)] = spawned
    assert said == "configured" and process.returncode == 0


def test_a_server_configured_in_this_process_is_seen_without_starting_anything(monkeypatch):
    """Prefect loaded already (a test session's harness, a served flow): its settings here decide."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows import api

    monkeypatch.setattr(api, "_spawn", lambda env, deadline: pytest.fail("started an API process"))
    with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:4200/api"}):
        assert api.start_temporary_api()() is None


def test_waiting_for_the_api_makes_it_the_commands_api(monkeypatch):
    """Its first request (~0.6 s of the API's CPU to set up) is made before the command is told it is ready,
    so that happens while the command still loads the cycle; then the command's flows use it."""
    import httpx

    from flows import api

    calls: list[str] = []
    ready = api.TemporaryApi(process=None, url="http://127.0.0.1:9/api")

    def get(url, **kwargs):
        calls.append(url)
        raise httpx.ConnectError("refused")  # a failed warm-up is only a saving lost

    monkeypatch.setattr(api, "_launch", lambda env: calls.append("launch") or (ready, None))
    monkeypatch.setattr(api, "_use", lambda url: calls.append(f"use {url}"))
    monkeypatch.setattr(httpx, "get", get)
    assert api.start_temporary_api()() is ready
    assert calls == ["launch", "http://127.0.0.1:9/api/admin/version", "use http://127.0.0.1:9/api"]


def test_an_api_that_does_not_start_in_time_is_reported_in_prefects_words_and_stopped(monkeypatch, tmp_path):
    """The error `scs` turns into one line (tests/test_cli_startup.py), raised in the waiting thread; this
    process's own settings (a temporary home, no time to start) are the API's."""
    from prefect.settings import PREFECT_HOME, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, temporary_settings

    from flows import api

    spawned = []
    real = api._spawn
    monkeypatch.setattr(api, "_spawn", lambda env, deadline: spawned.append(real(env, deadline)) or spawned[-1])
    with temporary_settings({PREFECT_HOME: tmp_path / "prefect-home", PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS: 0}), \
            pytest.raises(RuntimeError, match="^Timed out while attempting to connect to ephemeral Prefect API server"):
        api.start_temporary_api()()
    [(process, _)] = spawned
    assert process.returncode is not None  # not left running


_A_SHORT_RUN = r"""
import time
from pathlib import Path
from flows.api import start_temporary_api
api = start_temporary_api()()
from prefect import flow, task

@task
def step(n):
    return n

@flow
def short():
    return [step(n) for n in range(12)]

short()
import sys, httpx
print("batch:", httpx.get(f"{api.url}/admin/settings").json()["server"]["services"]["task_run_recorder"]["batch_size"])
print("server code imported here:", "prefect.server.api.server" in sys.modules)
"""


@pytest.mark.slow
def test_every_task_runs_last_state_is_recorded_by_the_time_the_command_ends(tmp_path: Path):
    """Task runs are recorded in batches: those still waiting when the command ends are written as the API stops.
    They are recorded by the API this command started (flows.api), to which the flow was pointed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1",
               PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120", PYTHONPATH=f"{ROOT / 'src'}:{ROOT}")
    run = subprocess.run([sys.executable, "-c", _A_SHORT_RUN], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "batch: 100" in run.stdout.splitlines()  # as the API itself says
    # The flow ran against the API started for it, and the command never loaded Prefect's server (~2.7 s of CPU).
    assert "server code imported here: False" in run.stdout.splitlines()
    con = sqlite3.connect(tmp_path / "prefect-home" / "prefect.db")
    try:
        states = con.execute("SELECT state_type, count(*) FROM task_run GROUP BY state_type").fetchall()
        history = con.execute("SELECT count(*) FROM task_run_state").fetchone()[0]
    finally:
        con.close()
    assert states == [("COMPLETED", 12)]
    assert history == 36  # pending, running, completed: each task run's whole history
