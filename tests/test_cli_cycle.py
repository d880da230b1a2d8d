"""`scs simulate` as the officer runs it: one Prefect flow run for the replay, each day's actions its task runs."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from scs_cli.main import app

from .conftest import ROOT

pytestmark = pytest.mark.usefixtures("prefect_harness")


def test_a_replayed_window_is_one_flow_run_with_a_task_run_per_action(tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    for name in ("config", "evidence", "templates"):
        shutil.copytree(ROOT / name, tmp_path / name)
    folders = [f"--{n}-dir" for n in ("config", "out", "state", "templates")]
    args = [a for n, f in zip(("config", "out", "state", "templates"), folders) for a in (f, str(tmp_path / n))]
    result = CliRunner().invoke(app, [*args, "simulate", "--from", "2010-10-07", "--to", "2010-11-12", "--no-pdf"])
    assert result.exit_code == 0, result.output
    assert "Fri 15 Oct 2010  Send the partner questionnaire" in result.output
    done = [line for line in result.output.splitlines() if line[:3] in ("Mon", "Tue", "Wed", "Thu", "Fri")]

    with get_client(sync_client=True) as client:
        runs = [r for r in client.read_flow_runs() if r.name == "07 Oct 2010 to 12 Nov 2010"]
        assert len(runs) == 1 and runs[0].state.is_completed()
        tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[runs[0].id])))
        [page] = [a for a in client.read_artifacts() if a.flow_run_id == runs[0].id]
    assert len(tasks) == len(done) >= 5  # questionnaires, interview requests, three chasers at least
    assert page.key == "cycle-replay" and page.data.count("# Daily tick, ") == len({line[:15] for line in done})
    assert "# Daily tick, Friday 15 October 2010" in page.data


def test_prefects_own_lines_stay_off_the_officers_terminal(tmp_path):
    """A real `scs tick` process against the test API: the officer sees the tick's lines, not Prefect's."""
    import os
    import subprocess
    import sys

    from prefect.settings import PREFECT_API_URL

    for name in ("config", "evidence", "templates"):
        shutil.copytree(ROOT / name, tmp_path / name)
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}
    env.pop("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", None)
    scs = [sys.executable, "-c", "from scs_cli.main import main; main()"]
    quiet = subprocess.run([*scs, "tick", "--on", "2010-10-15", "--no-pdf"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=300)
    assert quiet.returncode == 0, quiet.stderr
    assert "questionnaire queued for 12 partner(s)" in quiet.stdout
    assert "Flow run" not in quiet.stdout + quiet.stderr
    verbose = subprocess.run([*scs, "-v", "tick", "--on", "2010-11-01", "--no-pdf"], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=300)
    assert "Flow run" in verbose.stdout + verbose.stderr  # -v keeps everything


def test_a_bad_file_found_inside_a_task_is_still_one_line(tmp_path):
    """A damaged Word template is found by a task of the tick's flow: the officer gets one line and exit 2,
    not Prefect's report of the failed task with its traceback (the UI keeps that)."""
    import os
    import subprocess
    import sys

    from prefect.settings import PREFECT_API_URL

    for name in ("config", "evidence", "templates"):
        shutil.copytree(ROOT / name, tmp_path / name)
    (tmp_path / "templates" / "questionnaire_tpl.docx").unlink()
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}
    env.pop("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", None)
    run = subprocess.run([sys.executable, "-c", "from scs_cli.main import main; main()", "tick", "--on", "2010-10-15",
                          "--no-pdf"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 2, run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), run.stderr
    assert lines[0].endswith("questionnaire_tpl.docx: template not found"), lines[0]
