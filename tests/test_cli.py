"""The `scs` command as an officer meets it: output, exit codes, one-line errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import typer
from typer.testing import CliRunner

from scs_cli.main import app

from .conftest import ROOT

runner = CliRunner()


def scs(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real console script in a subprocess, as the officer would."""
    return subprocess.run([str(Path(sys.executable).parent / "scs"), *args], cwd=cwd, capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=60)


def test_timetable_json_lists_every_event_with_deadlines():
    result = runner.invoke(app, ["--config-dir", str(ROOT / "config"), "timetable", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    events = {e["id"]: e for e in data["events"]}
    assert len(events) == 11
    assert [e["date"] for e in data["events"] if e["date"]] == [
        "2010-10-07", "2010-12-03", "2011-02-03", "2011-04-07", "2011-04-20", "2011-04-27",
        "2011-05-09", "2011-05-10", "2011-05-12", "2011-05-19"]
    assert events["executive-board-2011-05-09"]["publication_deadline"] == "2011-04-27"
    assert events["cmt-2011-04-27"]["publication_deadline"] == "2011-04-20"
    assert events["away-day-2011-03"]["date"] is None
    assert events["away-day-2011-03"]["to_be_arranged"] == {"start": "2011-03-01", "end": "2011-03-31"}
    assert [s["id"] for s in data["stages"]] == ["scoping", "testing", "draft", "approval"]


def test_timetable_table_shows_deadlines_and_the_tba():
    result = runner.invoke(app, ["--config-dir", str(ROOT / "config"), "timetable"], env={"COLUMNS": "160"})
    assert result.exit_code == 0
    assert "Wed 27 Apr 2011" in result.output and "to be arranged" in result.output


def test_plan_on_a_date():
    result = runner.invoke(app, ["--config-dir", str(ROOT / "config"), "plan", "--on", "2011-04-18", "--days", "3"],
                           env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "Reports final for Breckland Council Executive Board" in result.output
    assert "Approval stage" in result.output


def test_check_ok():
    result = runner.invoke(app, ["--config-dir", str(ROOT / "config"), "check"])
    assert result.exit_code == 0 and "timetable.yaml" in result.output


def _command_paths(command: click.Command, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [path]
    for name, sub in getattr(command, "commands", {}).items():
        paths += _command_paths(sub, (*path, name))
    return paths


def test_every_command_takes_h_for_help():
    paths = _command_paths(typer.main.get_command(app))
    assert ("questionnaire", "status") in paths and ("performance", "record") in paths and ("serve",) in paths
    for path in paths:
        short = runner.invoke(app, [*path, "-h"], env={"COLUMNS": "100"})
        long = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "100"})
        assert short.exit_code == 0 and "Usage:" in short.output, (path, short.output)
        assert short.output == long.output, path


def test_bad_timetable_is_one_line_exit_2_no_traceback(tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    text = (ROOT / "config" / "timetable.yaml").read_text().replace("date: 2011-05-10", "date: 2011-02-30")
    (config / "timetable.yaml").write_text(text)
    for command in (["check"], ["timetable"], ["plan", "--on", "2011-01-01"]):
        proc = scs(*command, cwd=tmp_path)
        assert proc.returncode == 2, proc
        assert proc.stdout == ""
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in proc.stderr
        assert lines[0].startswith("error: config/timetable.yaml:") and "events[8].date" in lines[0]


def test_bad_on_date_is_one_line(tmp_path):
    proc = scs("plan", "--on", "2011-13-01")
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: --on: 2011-13-01 is not a real date (no such day in the calendar)"


def test_folders_from_environment_variables(tmp_path):
    proc = scs("check", cwd=tmp_path, env={"SCS_CONFIG_DIR": str(ROOT / "config")})
    assert proc.returncode == 0 and f"ok: {ROOT / 'config' / 'timetable.yaml'}" in proc.stdout
    missing = scs("check", cwd=tmp_path)
    assert missing.returncode == 2 and missing.stderr.strip() == "error: config: config folder not found"


def test_timetable_does_not_import_prefect_or_pandas():
    code = ("import sys; from scs_cli.main import app; "
            "app(['--config-dir', sys.argv[1], 'timetable', '--json'], standalone_mode=False); "
            "bad = [m for m in ('prefect', 'pandas') if m in sys.modules]; "
            "sys.exit(f'imported {bad}' if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code, str(ROOT / "config")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
