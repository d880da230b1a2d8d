"""When Prefect's embedded API cannot start, `scs` says so in one line and exits 2, no traceback."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import scs_cli.main as cli

from .conftest import ROOT

TIMED_OUT = "Timed out while attempting to connect to ephemeral Prefect API server."
ENDED = TIMED_OUT + " Ephemeral server process exited with code 3. stdout: ... stderr: ..."


def _error_lines(monkeypatch, capsys, error: BaseException) -> list[str]:
    """What `scs` prints when its command fails with ``error``: it must exit 2 and print nothing else."""
    def app():
        raise error

    monkeypatch.setattr(cli, "load", lambda args: app)
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    return err.splitlines()


def test_a_server_that_does_not_start_is_one_line_and_exit_2(monkeypatch, capsys):
    # the figure is Prefect's setting as this process loaded it (the real command's is checked below)
    [line] = _error_lines(monkeypatch, capsys, RuntimeError(TIMED_OUT))
    assert re.fullmatch(r"error: the embedded Prefect API did not start in \d+ s; try again, or start one with "
                        r"`prefect server start` and set PREFECT_API_URL "
                        r"\(or raise PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS\)", line), line


def test_a_server_that_stopped_by_itself_is_not_called_slow(monkeypatch, capsys):
    """Waiting longer would not help: the line says it stopped, and how to see why."""
    assert _error_lines(monkeypatch, capsys, RuntimeError(ENDED)) == [
        "error: the embedded Prefect API stopped while starting (exit code 3); run `prefect server start` to see why, "
        "or start one and set PREFECT_API_URL"]


def test_the_time_out_is_found_behind_another_error(monkeypatch, capsys):
    try:
        raise RuntimeError(TIMED_OUT)
    except RuntimeError as exc:
        error = RuntimeError("the flow could not start")
        error.__cause__ = exc
    [line] = _error_lines(monkeypatch, capsys, error)
    assert line.startswith("error: the embedded Prefect API did not start")


def test_other_runtime_errors_are_not_hidden(monkeypatch):
    def app():
        raise RuntimeError("something else")

    monkeypatch.setattr(cli, "load", lambda args: app)
    with pytest.raises(RuntimeError, match="something else"):
        cli.main()


def test_a_chain_of_causes_that_loops_is_not_followed_forever(monkeypatch):
    first, second = RuntimeError("first"), RuntimeError("second")
    first.__cause__, second.__cause__ = second, first

    def app():
        raise first

    monkeypatch.setattr(cli, "load", lambda args: app)
    with pytest.raises(RuntimeError, match="first"):
        cli.main()


def test_start_up_time_defaults_to_two_minutes_and_an_officers_setting_wins(monkeypatch):
    seen = []
    monkeypatch.setattr(cli, "load", lambda args: lambda: seen.append(os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"]))
    monkeypatch.delenv("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", raising=False)
    cli.main()
    monkeypatch.setenv("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "300")
    cli.main()
    assert seen == ["120", "300"]



# -- a run imports only its command's module ------------------------------------------------------
_REGISTERED = r"""
import importlib, json, sys
from scs_cli.app import app
from scs_cli.main import COMMANDS
found = {}
for module in COMMANDS:
    before = {c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands} | \
             {g.name for g in app.registered_groups}
    importlib.import_module(f"scs_cli.commands.{module}")
    after = [c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands] + \
            [g.name for g in app.registered_groups]
    found[module] = [n for n in after if n not in before]
print(json.dumps(found))
"""


def test_commands_lists_what_each_module_registers():
    """A command added to a module but not to COMMANDS still works (every module is loaded), but is slow:
    this says where to add it."""
    import json

    proc = subprocess.run([sys.executable, "-c", _REGISTERED], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {m: sorted(names, key=list(names).index) for m, names in cli.COMMANDS.items()}


def test_the_app_options_that_take_a_value_are_known():
    import typer.main

    group = typer.main.get_command(cli.app)
    valued = {name for p in group.params if not getattr(p, "is_flag", False) for name in p.opts}
    assert valued == cli.VALUED_OPTIONS


def test_the_command_is_found_after_the_app_options():
    assert cli.command_named(["--config-dir", "plan", "timetable", "--json"]) == "timetable"
    assert cli.command_named(["-v", "--store=x.sqlite", "pending", "send", "k"]) == "pending"
    assert cli.command_named(["plan", "--help"]) == "plan"
    assert cli.command_named(["--help", "plan"]) is None and cli.command_named(["-v"]) is None


def test_scs_timetable_imports_its_module_only_and_help_lists_every_command():
    code = ("import sys; from scs_cli.main import load; load(sys.argv[1:]); "
            "print(sorted(m for m in sys.modules if m.startswith('scs_cli.commands.')))")
    only = subprocess.run([sys.executable, "-c", code, "--config-dir", "x", "timetable"], capture_output=True,
                          text=True, timeout=120)
    assert only.stdout.strip() == "['scs_cli.commands.timetable']", only.stderr
    every = subprocess.run([sys.executable, "-c", "from scs_cli.main import main; main()", "--help"],
                           capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"})
    panel = every.stdout.split("─ Commands ─", 1)[1].splitlines()
    listed = {line.split()[1] for line in panel if line.startswith("│ ") and not line.startswith("│  ")}
    assert listed == {n for names in cli.COMMANDS.values() for n in names}, every.stdout


def _real_tick_errors(tmp_path: Path, **prefect_env: str) -> list[str]:
    """The real console script's `scs tick` with ``prefect_env`` (and no other Prefect setting): its error lines,
    once it has exited 2 with no traceback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1",
               **prefect_env)
    result = subprocess.run(
        [str(Path(sys.executable).parent / "scs"), "--config-dir", str(ROOT / "config"), "--out-dir",
         str(tmp_path / "out"), "--state-dir", str(tmp_path / "state"), "tick", "--on", "2010-10-15", "--no-pdf"],
        cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def test_the_real_command_with_no_time_to_start(tmp_path: Path):
    """A zero start-up time makes the wait give up at once."""
    assert _real_tick_errors(tmp_path, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="0") == [
        "error: the embedded Prefect API did not start in 0 s; try again, or start one with `prefect server start` "
        "and set PREFECT_API_URL (or raise PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS)"]


@pytest.mark.slow
def test_the_real_command_whose_api_cannot_open_its_database(tmp_path: Path):
    """Prefect's API process stops at once (a database it cannot create): one line that says so."""
    (tmp_path / "a-file").write_text("")
    database = f"sqlite+aiosqlite:///{tmp_path / 'a-file' / 'prefect.db'}"
    assert _real_tick_errors(tmp_path, PREFECT_SERVER_DATABASE_CONNECTION_URL=database,
                             PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120") == [
        "error: the embedded Prefect API stopped while starting (exit code 3); run `prefect server start` to see why, "
        "or start one and set PREFECT_API_URL"]


_KILLED_WITH_AN_API = r"""
import os, signal
from flows.api import start_temporary_api
print(start_temporary_api()().process.pid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.slow
def test_a_killed_command_leaves_no_temporary_api_running(tmp_path: Path):
    """kill -9 gives Prefect no chance to stop its temporary API; the watchdog does, within seconds."""
    import time

    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1",
               PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120")
    out, err = tmp_path / "stdout", tmp_path / "stderr"  # files, not pipes: the API must not hold them open
    with out.open("w") as stdout, err.open("w") as stderr:
        killed = subprocess.run([sys.executable, "-c", _KILLED_WITH_AN_API], stdout=stdout, stderr=stderr, env=env,
                                timeout=300)
    assert killed.returncode == -9, err.read_text()
    server = int(out.read_text().split()[0])
    def running() -> bool:  # a zombie waiting for a reaper is not running
        try:
            return Path(f"/proc/{server}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    deadline = time.monotonic() + 20
    while running() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not running(), "the temporary Prefect API outlived the killed command"
