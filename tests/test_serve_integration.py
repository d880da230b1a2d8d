"""`scs serve` against a real `prefect server` on loopback: the deployment is registered and a
scheduled run of the daily tick completes; and the ways it refuses to start.

The integration test takes one to two minutes (a server start, up to a minute until the next
cron minute, a catch-up tick), so it is marked slow: `make test-all` and CI run it, `make test`
does not. Set SCS_SKIP_SERVER_TESTS=1 where a Prefect server cannot run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from scs_refresh.core.dates import today

from .conftest import ROOT
from .prefect_rig import free_port as _free_port, stop as _stop, tail as _tail, wait_until as _wait_until

SCS = str(Path(sys.executable).parent / "scs")
PREFECT = str(Path(sys.executable).parent / "prefect")


def _env(tmp_path: Path, api_url: str | None) -> dict[str, str]:
    """The environment of every child: its own Prefect home, no telemetry, the given API (or none)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               DO_NOT_TRACK="1")
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


def _cycle(tmp_path: Path) -> Path:
    """A copy of the bundled config and evidence (config refers to ../evidence); out/ and state/ beside them."""
    shutil.copytree(ROOT / "config", tmp_path / "config")
    shutil.copytree(ROOT / "evidence", tmp_path / "evidence")
    return tmp_path


def _scs(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([SCS, "--templates-dir", str(ROOT / "templates"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


def test_serve_without_an_api_url_says_how_to_start_a_server(tmp_path):
    result = _scs(_cycle(tmp_path), _env(tmp_path, None), "serve")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith("error: PREFECT_API_URL is not set")
    assert "`prefect server start`" in lines[0]
    assert "`export PREFECT_API_URL=http://127.0.0.1:4200/api`" in lines[0]


def test_serve_with_no_server_answering_exits_2(tmp_path):
    url = f"http://127.0.0.1:{_free_port()}/api"
    result = _scs(_cycle(tmp_path), _env(tmp_path, url), "serve")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: no Prefect server answers at PREFECT_API_URL={url}: start one with `prefect server start` "
        "and, in this terminal, `export PREFECT_API_URL=http://127.0.0.1:4200/api`"]


def test_serve_checks_the_config_before_anything_else(tmp_path):
    cycle = _cycle(tmp_path)
    timetable = cycle / "config" / "timetable.yaml"
    timetable.write_text(timetable.read_text().replace("date: 2010-12-03", "date: 2010-13-03", 1))
    result = _scs(cycle, _env(tmp_path, f"http://127.0.0.1:{_free_port()}/api"), "serve")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and re.fullmatch(r"error: config/timetable\.yaml:\d+: events\[1\]\.date: 2010-13-03 "
                                            r"is not a real date \(no such day in the calendar\)", lines[0]), lines
    assert not (cycle / "state").exists() and not (cycle / "out").exists()


def test_serve_refuses_a_bad_cron_line(tmp_path):
    result = _scs(_cycle(tmp_path), _env(tmp_path, None), "serve", "--cron", "7am weekdays")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ['error: --cron: Invalid cron string: "7am weekdays"']


def test_the_served_flow_survives_the_trip_to_a_run_process():
    """Each served run gets the flow by pickle; its parameter model must still resolve `date` there."""
    import cloudpickle

    from flows.daily import daily_tick

    copy = cloudpickle.loads(cloudpickle.dumps(daily_tick))
    assert copy.validate_parameters({"on": "2011-04-20", "pdf": False})["on"] == date(2011, 4, 20)


# --- the real thing ------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("SCS_SKIP_SERVER_TESTS") == "1", reason="SCS_SKIP_SERVER_TESTS=1")
def test_scs_serve_registers_the_deployment_and_a_scheduled_run_completes(tmp_path):
    import httpx
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    from prefect.client.schemas.objects import StateType
    from prefect.settings import PREFECT_API_URL, temporary_settings

    cycle = _cycle(tmp_path)
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = _env(tmp_path, api)
    server_log, serve_log = tmp_path / "server.log", tmp_path / "serve.log"
    logs = [server_log, serve_log]
    with server_log.open("w") as out:
        server = subprocess.Popen([PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                                  cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    serve = None
    try:
        def healthy() -> bool:
            try:
                return httpx.get(f"{api}/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        _wait_until("the Prefect server was not healthy", healthy, 120, logs)  # as prefect_rig: a busy machine
        with serve_log.open("w") as out:
            # Poll every 2 s rather than 10 s for runs due: the run starts close to its minute.
            serve = subprocess.Popen([SCS, "--templates-dir", str(ROOT / "templates"), "serve",
                                      "--cron", "* * * * *", "--name", "it", "--no-pdf"],
                                     cwd=cycle, env={**env, "PREFECT_RUNNER_POLL_FREQUENCY": "2"},
                                     stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

        with temporary_settings({PREFECT_API_URL: api}), get_client(sync_client=True) as client:
            def deployment():
                try:
                    return client.read_deployment_by_name("daily-tick/it")
                except Exception:  # not registered yet
                    return None

            dep = _wait_until("`scs serve` did not register the deployment", deployment, 60, logs)
            assert dep.schedules and dep.schedules[0].schedule.cron == "* * * * *"
            assert dep.schedules[0].schedule.timezone == "Europe/London"
            assert dep.parameters["dirs"]["state"] == str(cycle / "state") and dep.parameters["pdf"] is False

            def finished_run():
                runs = client.read_flow_runs(deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[dep.id])))
                done = [r for r in runs if r.state and r.state.is_final()]
                return done[0] if done else None

            run = _wait_until("no scheduled run of the deployment finished", finished_run, 150, logs, every=2)
            assert run.state.type == StateType.COMPLETED, f"{run.state}\n{_tail(serve_log)}"
            assert run.auto_scheduled  # made by the schedule, not by hand
            artifacts = [a for a in client.read_artifacts() if a.flow_run_id == run.id and a.key == "daily-tick"]
            assert artifacts and f"Daily tick, {today():%A}" in artifacts[0].data
        # The run's `on` is today, so with the 2010/11 timetable it caught up every action: the
        # questionnaire, long past its deadline, is held for the officer, not sent.
        assert (cycle / "state" / "scs.sqlite").exists()
        assert not list((cycle / "out" / "outbox").glob("questionnaire--*.eml"))
        from scs_refresh.core.store import Store

        with Store.open(cycle / "state" / "scs.sqlite") as store:
            assert "questionnaires" in {r["key"] for r in store.actions_held()}
    finally:
        if serve is not None:
            _stop(serve)  # serve first: left without its server it ignores SIGTERM
        _stop(server)
    assert "stopped serving 'daily-tick/it'" in serve_log.read_text()
