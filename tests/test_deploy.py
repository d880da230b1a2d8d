"""`scs serve` and `scs deploy` build a cycle's deployments: the daily tick on its schedule in London
time, one at a time, and the four stage flows beside it for the officer to start with a date; and
`scs deploy` refuses bad input in one line, before anything reaches a server."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from flows.serving import council_deployments
from scs_cli.main import app
from scs_refresh.core.folders import Dirs

from .conftest import ROOT

PARAMS = {"dirs": Dirs(config=Path("/srv/scs/a/config"), out=Path("/srv/scs/a/out"), state=Path("/srv/scs/a/state"),
                       templates=ROOT / "templates"), "pdf": False}


def test_the_tick_on_its_schedule_one_at_a_time_and_the_stages_to_start_by_hand():
    tick, *stages = council_deployments("breckland", "0 7 * * 1-5", PARAMS)
    assert (tick.flow_name, tick.name) == ("daily-tick", "breckland")
    assert [(s.schedule.cron, s.schedule.timezone) for s in tick.schedules] == [("0 7 * * 1-5", "Europe/London")]
    assert tick.concurrency_limit == 1 and tick.concurrency_options.collision_strategy.value == "ENQUEUE"
    assert [s.flow_name for s in stages] == ["scoping", "testing", "draft", "approval"]
    assert all(s.name == "breckland" and not s.schedules and s.concurrency_limit is None for s in stages)
    # each with the cycle's folders; the date is the officer's to give (none: today)
    assert all(d.parameters["dirs"] == PARAMS["dirs"] and "on" not in d.parameters for d in (tick, *stages))
    assert stages[-1].parameters["wait_for_decisions"] is True  # the approval stage waits for the committees' form
    assert "wait_for_decisions" not in stages[0].parameters
    assert {"council:breckland"} == set(tick.tags) == set(stages[0].tags)


def test_a_worker_imports_the_deployed_flows_from_the_installed_package():
    tick, *_ = council_deployments("breckland", "0 7 * * 1-5", PARAMS, by_module=True)
    assert tick.entrypoint == "flows.daily.daily_tick"


def _deploy(*args: str):
    """`scs deploy` with the Prefect API at a port where nothing answers (whatever API another test started)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from .prefect_rig import free_port

    with temporary_settings({PREFECT_API_URL: f"http://127.0.0.1:{free_port()}/api"}):
        return CliRunner().invoke(app, ["--templates-dir", str(ROOT / "templates"), "deploy", *args])


def test_deploy_refuses_a_folder_without_config(tmp_path):
    result = _deploy("--council-dir", str(tmp_path), "--pool", "scs")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"error: --council-dir: {tmp_path} has no config/ folder; make one with `scs new-cycle`"]


def test_deploy_checks_the_council_config_then_needs_a_server(tmp_path):
    import shutil

    shutil.copytree(ROOT / "config", tmp_path / "config")
    shutil.copytree(ROOT / "evidence", tmp_path / "evidence")
    result = _deploy("--council-dir", str(tmp_path), "--pool", "scs")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output.strip().splitlines()[0].startswith("error: no Prefect server answers at PREFECT_API_URL=")
    assert not (tmp_path / "state").exists() and not (tmp_path / "out").exists()
    timetable = tmp_path / "config" / "timetable.yaml"
    timetable.write_text(timetable.read_text().replace("date: 2010-12-03", "date: 2010-13-03", 1))
    result = _deploy("--council-dir", str(tmp_path), "--pool", "scs")
    assert result.exit_code == 2
    assert "timetable.yaml" in result.output and "2010-13-03 is not a real date" in result.output
