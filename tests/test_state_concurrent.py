"""Two `scs tick --on DATE` processes started together against one state (PostgreSQL, then SQLite), ten
rounds: every message due is sent exactly once, counted by Message-ID at a real SMTP server on loopback.

Each tick is the officer's own command with its own temporary Prefect API, as two ticks started by
hand (or on two hosts) are: no Prefect concurrency limit keeps them apart (that second guard is
tests/test_tick_guard.py), so only the state store's claims do. Each round starts from an empty
state on the day the questionnaire goes to every partner, so both processes find the same action
due and race for it. Each of the two keeps its own Prefect home from round to round, as an officer's
does: an API on a new home first builds its database, which doubles its start. Slow: several minutes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from scs_refresh.core.folders import Dirs
from scs_refresh.core.store import StateURL, Store
from scs_refresh.workspace import Workspace

from .conftest import ROOT
from .test_mail_servers import Strict, _smtp_cycle, server  # noqa: F401  (server: the SMTP fixture)
from .test_serve_integration import _env

ROUNDS = 10
DAY = "2010-10-15"  # the questionnaire goes to every partner (timetable.yaml, partners.yaml)

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.environ.get("SCS_SKIP_SERVER_TESTS") == "1", reason="SCS_SKIP_SERVER_TESTS=1")]


def _tick(cycle: Path, run: Path, env: dict[str, str], state: list[str], home: Path) -> subprocess.Popen:
    """`scs tick --on DAY` in a process of its own (this checkout's code), with its own Prefect home."""
    run.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "scs_cli.main", "--config-dir", str(cycle / "config"),
               "--out-dir", str(run.parent / "out"), "--templates-dir", str(cycle / "templates"), *state,
               "tick", "--on", DAY, "--no-pdf"]
    return subprocess.Popen(command, cwd=run, env={**env, "PREFECT_HOME": str(home)},
                            stdout=(run / "out.txt").open("w"), stderr=(run / "err.txt").open("w"))


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_two_ticks_started_together_send_each_due_message_once(backend, tmp_path: Path, request, monkeypatch):
    handler, settings = request.getfixturevalue("server")(Strict())
    cycle = _smtp_cycle(tmp_path, settings.port)
    partners = len(Workspace.load(Dirs(config=cycle / "config", templates=cycle / "templates")).need_partners().partners)
    env = {**_env(tmp_path, None), "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "300",
           "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}  # this checkout's code, each its own temporary API
    env.pop("SCS_STATE_URL", None)
    raced = 0
    for i in range(ROUNDS):
        round_dir = tmp_path / f"round-{i}"
        if backend == "postgresql":
            url = request.getfixturevalue("postgres").url(f"r{i}_{os.getpid()}")
            with request.getfixturevalue("postgres").admin() as admin:
                admin.execute(f"CREATE DATABASE r{i}_{os.getpid()}")
            env["PGPASSWORD"] = request.getfixturevalue("postgres").password
            monkeypatch.setenv("PGPASSWORD", env["PGPASSWORD"])  # this process reads the ledger too
            state, location = ["--state-url", url], StateURL(url, "Breckland Council/scs-refresh-2010-11")
        else:
            state, location = ["--state-dir", str(round_dir / "state")], round_dir / "state" / "scs.sqlite"
        before = len(handler.received)
        homes = {name: tmp_path / f"prefect-home-{name}" for name in ("a", "b")}  # kept from round to round
        ticks = [_tick(cycle, round_dir / name, env, state, homes[name]) for name in homes]
        codes = [t.wait(timeout=600) for t in ticks]
        outputs = [(round_dir / n / "out.txt").read_text() + (round_dir / n / "err.txt").read_text() for n in "ab"]
        assert codes == [0, 0] and not any("Traceback" in o for o in outputs), "\n".join(outputs)
        with Store.open(location) as store:
            ledger = store.sends()
        ids = Counter(handler.ids()[before:])
        assert len(ledger) == partners and {r.status for r in ledger} == {"sent"}
        assert ids == Counter({r.message_id: 1 for r in ledger}), f"round {i}: {ids}"
        raced += all("Send the partner questionnaire" in o for o in outputs)  # both found it due
    print(f"{backend}: {ROUNDS} rounds, {raced} in which both ticks found the questionnaire due")
