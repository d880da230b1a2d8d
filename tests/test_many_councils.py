"""Two councils on one real `prefect server` whose own database is PostgreSQL, deployed with `scs deploy`
to one process work pool with two workers, their state in one PostgreSQL database: their ticks, driven day
by day through the deployments, send every message once to a loopback SMTP server, and each council keeps
to its own folders and rows. (The throwaway PostgreSQL cluster is tests/postgres_cluster.py's.)

Slow (two to four minutes): `make test-all` and CI run it. Set SCS_SKIP_SERVER_TESTS=1 where a Prefect
server cannot run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from . import prefect_rig as rig

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.environ.get("SCS_SKIP_SERVER_TESTS") == "1", reason="SCS_SKIP_SERVER_TESTS=1")]

POOL = "councils"
DAYS = 3  # the first three tick days of each cycle: the questionnaire, the interview requests, the first chaser


def _runs(client, api_runs, logs):
    """Wait for every run to end; their final states."""
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    ids = [r.id for r in api_runs]

    def ended():
        runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=ids)))
        return runs if len(runs) == len(ids) and all(r.state and r.state.is_final() for r in runs) else None

    return rig.wait_until("the runs did not end", ended, 300, logs, every=2)


def test_two_councils_on_one_server_two_workers_send_each_message_once(tmp_path: Path, postgres, monkeypatch):
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from scs_refresh.automation import tick

    with postgres.admin() as conn:
        for database in ("prefect", "councils"):
            conn.execute(f"CREATE DATABASE {database}")
    monkeypatch.setenv("PGPASSWORD", postgres.password)  # the workers' runs read the state's password from it
    state = postgres.url("councils")
    home, logs = tmp_path / "prefect-home", tmp_path
    server, api = rig.start_server(home, logs, f"postgresql+asyncpg://{postgres.user}:{postgres.password}"
                                               f"@127.0.0.1:{postgres.port}/prefect")
    workers = []
    try:
        with rig.MessageCounter() as smtp:
            councils = rig.make_councils(tmp_path, 2, smtp.port, first_year=2013)
            for council in councils:
                rig.deploy(council, POOL, api, state)
            workers = [rig.start_worker(f"worker-{i}", POOL, home, api, logs) for i in (1, 2)]
            log_files = [logs / "server.log", logs / "worker-1.log", logs / "worker-2.log"]
            days = {c: rig.tick_days(c)[:DAYS] for c in councils}
            with temporary_settings({PREFECT_API_URL: api}), get_client(sync_client=True) as client:
                tick_dep = client.read_deployment_by_name(f"daily-tick/{councils[0].name}")
                assert tick_dep.schedules[0].schedule.timezone == "Europe/London"
                assert tick_dep.global_concurrency_limit.limit == 1
                assert {d.name for d in client.read_deployments()} == {c.name for c in councils}
                for k in range(DAYS):
                    submitted = [run_deployment(f"daily-tick/{c.name}", parameters={"on": days[c][k].isoformat()},
                                                timeout=0) for c in councils]
                    if k == 0:  # the first day twice at once for the first council: one tick at a time, each sent once
                        submitted.append(run_deployment(f"daily-tick/{councils[0].name}", timeout=0,
                                                        parameters={"on": days[councils[0]][0].isoformat()}))
                    assert {r.state.type.value for r in _runs(client, submitted, log_files)} == {"COMPLETED"}
                # The officer starts a stage from the UI with a date: the scoping record of the first council.
                scoping = run_deployment(f"scoping/{councils[0].name}", timeout=0,
                                         parameters={"on": days[councils[0]][-1].isoformat()})
                assert _runs(client, [scoping], log_files)[0].state.is_completed()
            figures = rig.count(smtp, councils, state)
    finally:
        for w in workers:
            rig.stop(w)
        rig.stop(server)
    assert figures["sent"] > 20 and figures["duplicates"] == 0 and figures["missing"] == 0, figures
    for council in councils:
        assert not tick.pending(tick.Context.load(rig.council_dirs(council, state), pdf=False), days[council][-1])  # nothing left undone
        own = f"c{council.name[-2:]}.example.org"
        assert all(own in recipient for _, recipient in rig.ledger_deliveries(council, state))  # its own partners only
    assert (councils[0] / "out" / "scoping" / "scs-review.md").exists()
    assert not (councils[1] / "out" / "scoping").exists()
    assert not any((c / "state").exists() and any((c / "state").iterdir()) for c in councils)  # no SQLite beside
