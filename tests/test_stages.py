"""The officer's stage runs through the real Prefect flows: each does its work once."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from scs_refresh.core.folders import Dirs

from .conftest import ROOT

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def folders(tmp_path):
    shutil.copytree(ROOT / "config", tmp_path / "config")
    shutil.copytree(ROOT / "evidence", tmp_path / "evidence")
    return dict(dirs=Dirs(config=tmp_path / "config", out=tmp_path / "out", state=tmp_path / "state",
                          templates=ROOT / "templates"), pdf=False)


def test_scoping_then_testing_then_nothing_twice(folders):
    from flows.stages import scoping, testing

    first = scoping(on=date(2010, 11, 2), **folders)
    assert [o.action.key for o in first.outcomes] == ["questionnaires", "interview-requests"]
    out = folders["dirs"].out
    assert len(list((out / "outbox").glob("questionnaire--*.eml"))) == 12
    record = (out / "scoping" / "scs-review.md").read_text()
    for question in ("What is still relevant?", "What needs updating?", "What gaps/barriers exist?",
                     "What has been the focus?", "Local Spending Review - implications for future?"):
        assert f"### {question}" in record
    assert "- Partnership (LSP) officer" in record  # the review team, from the timetable
    assert (out / "review" / "partnership_review_2010-12-03.docx").is_file()

    again = scoping(on=date(2010, 11, 2), **folders)
    assert again.outcomes == []  # nothing sent or done twice

    test = testing(on=date(2010, 11, 18), **folders)
    assert "papers:lsp-board-2010-12-03" in [o.action.key for o in test.outcomes]
    assert (out / "lsp-board-2010-12-03" / "papers.json").is_file()
    assert (out / "scs" / "draft-v1.docx").is_file()
    assert any(n.startswith("interviews still to hold: ") for n in test.notes)


@pytest.fixture
def every_reply_in(folders):
    """The demo's partner replies all imported (the last on 14 January 2011): the cycle has moved on."""
    from scs_refresh.automation.simulation import import_replies, load_simulation
    from scs_refresh.core.dates import recorded_at
    from scs_refresh.core.store import Store
    from scs_refresh.workspace import Workspace

    dirs = folders["dirs"]
    ws = Workspace.load(dirs)
    sim = load_simulation(dirs.config / "simulation.yaml", ws.partners, ws.timetable)
    with Store.open(dirs.store) as store:
        for reply in sim.replies:
            import_replies(store, [reply], ws.partners, ws.timetable.cycle, dirs.out / "simulation", reply.on,
                           recorded_at(reply.on))
    return folders


def test_stages_run_for_a_past_day_say_what_was_true_that_day(every_reply_in):
    """`scs run scoping --on 2010-11-30` counts the returns `scs questionnaire status --on 2010-11-30` counts,
    and `scs run testing --on 2010-12-10` sends the draft (thanking them for their return) only to the
    partners who had replied by then: not the Business Forum (10 January) nor the Probation Trust (14 January)."""
    from typer.testing import CliRunner

    from flows.stages import scoping, testing
    from scs_cli.main import app

    dirs = every_reply_in["dirs"]
    report = scoping(on=date(2010, 11, 30), **every_reply_in)
    status = CliRunner().invoke(app, ["--config-dir", str(dirs.config), "--out-dir", str(dirs.out), "--state-dir",
                                      str(dirs.state), "--templates-dir", str(dirs.templates),
                                      "questionnaire", "status", "--on", "2010-11-30"])
    assert "9 of 12 partners responded" in status.output
    assert "questionnaire returns as at 30 November 2010: 9 of 12 partners responded" in report.notes
    record = (dirs.out / "scoping" / "scs-review.md").read_text()
    assert "9 of 12 partners had returned the questionnaire by 30 November 2010." in record
    assert "Breckland Business Forum" not in record and "Norfolk and Suffolk Probation Trust" not in record

    testing(on=date(2010, 12, 10), **every_reply_in)
    thanked = sorted(p.name.split("--")[-1].removesuffix(".eml")
                     for p in (dirs.out / "outbox").glob("draft-comment--*.eml"))
    assert len(thanked) == 9 and "business-forum" not in thanked and "norfolk-probation" not in thanked
