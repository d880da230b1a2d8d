"""The demonstration's outside world: its config, partner replies, decisions and a deferral."""

from __future__ import annotations

import shutil
from datetime import date, datetime

import pytest

from scs_refresh.automation import tick
from scs_refresh.core.errors import ConfigError
from scs_refresh.core.folders import Dirs
from scs_refresh.automation.simulation import load_simulation, record_decisions, replies_due, survey_export
from scs_refresh.core.store import Store

from .conftest import ROOT


@pytest.fixture
def ctx(tmp_path):
    shutil.copytree(ROOT / "config", tmp_path / "config")
    dirs = Dirs(tmp_path / "config", tmp_path / "out", tmp_path / "state", ROOT / "templates")
    return tick.Context.load(dirs, pdf=False)


def sim_of(ctx):
    return load_simulation(ctx.dirs.config / "simulation.yaml", ctx.partners, ctx.timetable)


def test_replies_due_by_a_day_and_their_survey_export(ctx):
    sim = sim_of(ctx)
    due = replies_due(sim, set(), date(2010, 11, 9))
    assert [r.partner for r in due] == ["breckland-council", "nhs-norfolk", "norfolk-constabulary"]
    csv = survey_export(due[:1], ["priorities", "scs-still-relevant"])
    assert csv.splitlines()[0] == "partner_id,received_on,priorities,scs-still-relevant"
    assert csv.splitlines()[1].startswith("breckland-council,2010-10-29,")


def test_bad_simulation_config_names_file_and_key(ctx):
    file = ctx.dirs.config / "simulation.yaml"
    file.write_text(file.read_text().replace("partner: nhs-norfolk", "partner: nhs-suffolk")
                    .replace("defer: cabinet-2011-05-10", "defer: tea-party"))
    with pytest.raises(ConfigError) as exc:
        sim_of(ctx)
    lines = exc.value.lines()
    assert any("replies[1].partner: no partner 'nhs-suffolk' in partners.yaml" in line for line in lines)
    assert any("decisions.defer: 'tea-party' is not in the timetable's approval chain" in line for line in lines)


def test_a_deferral_re_arranges_the_chain_and_the_tick_re_issues_papers(ctx):
    sim = sim_of(ctx)
    at = datetime(2011, 5, 10, 7)
    with Store.open(ctx.dirs.store) as store:
        for day in (date(2011, 4, 7), date(2011, 4, 27), date(2011, 5, 9)):
            assert record_decisions(store, ctx.timetable, sim, day, at, defer=True)
        lines = record_decisions(store, ctx.timetable, sim, date(2011, 5, 10), at, defer=True)
    assert lines == ["cabinet-2011-05-10: deferred", "cabinet-2011-05-10: re-arranged for 2011-05-19",
                     "full-council-2011-05-12: re-arranged for 2011-05-20",
                     "lsp-board-2011-05-19: re-arranged for 2011-05-23"]
    keys = {a.key: a.due for a in ctx.actions()}
    # The re-arranged Cabinet (Thu 19 May) needs its papers out five clear days before: Wed 11 May.
    assert keys["publish:cabinet-2011-05-10@2011-05-19"] == date(2011, 5, 11)
    assert keys["publish:full-council-2011-05-12@2011-05-20"] == date(2011, 5, 12)
    assert "publish:cabinet-2011-05-10" not in keys  # the original sitting is no longer planned (done ones stay in the ledger)
    with Store.open(ctx.dirs.store) as store:  # the re-arranged Cabinet approves on its new date
        assert record_decisions(store, ctx.timetable, sim, date(2011, 5, 19), at, defer=True) == [
            "cabinet-2011-05-10: approved"]


def test_scs_check_validates_the_simulation(ctx):
    from scs_refresh.automation.simulation import for_workspace
    from scs_refresh.workspace import Workspace

    file = ctx.dirs.config / "simulation.yaml"
    assert for_workspace(Workspace.load(ctx.dirs)) is not None
    file.write_text(file.read_text().replace('scs-still-relevant: "Yes"', 'still-relevant: "Yes"', 1))
    with pytest.raises(ConfigError) as exc:
        for_workspace(Workspace.load(ctx.dirs))
    assert exc.value.lines()[0].endswith(
        "replies[0].answers.still-relevant: no question 'still-relevant' in the questionnaire")
