"""`scs tick`: the officer's manual trigger of the daily tick, through the real flow."""

import pytest
from typer.testing import CliRunner

from scs_cli.main import app

from .conftest import ROOT

pytestmark = pytest.mark.usefixtures("prefect_harness")


def test_tick_does_what_is_due_once_and_says_so(tmp_path, config_dir):
    import shutil

    shutil.copytree(ROOT / "evidence", tmp_path / "evidence")  # config/evidence.yaml reads ../evidence
    args = ["--config-dir", str(config_dir), "--out-dir", str(tmp_path / "out"), "--state-dir", str(tmp_path / "state"),
            "--templates-dir", str(ROOT / "templates"), "tick", "--on", "2010-11-01", "--no-pdf"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    lines = first.stdout.strip().splitlines()
    assert lines[0].startswith("Send the partner questionnaire (deadline Fri 12 Nov 2010) (due 2010-10-15, caught up): ")
    assert lines[1].startswith("Ask the partners flagged for a one to one interview for a date: ")
    outbox = list((tmp_path / "out" / "outbox").glob("*.eml"))
    assert lines[-1] == f"2 action(s) done on 2010-11-01, {len(outbox)} message(s) sent" and len(outbox) == 18

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.sorting import FlowRunSort

    def latest_run():
        with get_client(sync_client=True) as client:
            return [r.id for r in client.read_flow_runs(sort=FlowRunSort.START_TIME_DESC, limit=1)]

    before = latest_run()
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    assert again.stdout.strip().splitlines()[-1] == "nothing was due on 2010-11-01"
    assert latest_run() == before  # a quiet day costs no flow run, as in `scs simulate`
    assert len(list((tmp_path / "out" / "outbox").glob("*.eml"))) == 18


def test_tick_with_a_bad_config_is_one_line_and_writes_nothing(tmp_path, config_dir):
    (config_dir / "timetable.yaml").write_text("cycle: [\n")
    result = CliRunner().invoke(app, ["--config-dir", str(config_dir), "--out-dir", str(tmp_path / "out"),
                                      "--state-dir", str(tmp_path / "state"), "tick", "--on", "2010-11-01"])
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {config_dir / 'timetable.yaml'}") and "Traceback" not in result.output
    assert not (tmp_path / "out").exists() and not (tmp_path / "state").exists()


def test_a_tick_without_delivery_yaml_names_the_file(config_dir, tmp_path):
    """Mail cannot go out without delivery.yaml: the tick says so in one line, before doing anything."""
    from datetime import date

    from flows.daily import daily_tick
    from scs_refresh.core.errors import UserError
    from scs_refresh.core.folders import Dirs

    (config_dir / "delivery.yaml").unlink()
    with pytest.raises(UserError, match=r"delivery\.yaml: file not found; it says how mail goes out"):
        daily_tick.fn(on=date(2010, 11, 1), dirs=Dirs(config=config_dir, out=tmp_path / "out", state=tmp_path / "s"))
    assert not (tmp_path / "s").exists()  # nothing was started
