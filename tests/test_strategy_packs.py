"""The packs built around the Strategy: the away day workshop pack once the day is dated (the questions,
the evidence headlines, the draft), and the open points a committee is told of."""

from __future__ import annotations

import json
import shutil
from datetime import date

import docx

from scs_refresh.core.folders import Dirs
from scs_refresh.strategy.papers import open_points

from .conftest import ROOT


def _text(path) -> str:
    d = docx.Document(str(path))
    return "\n".join([p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells])


def test_the_workshop_pack_once_the_away_day_is_dated(tmp_path):
    from scs_refresh.as_at import load_state
    from scs_refresh.papers.generate import generate_meeting_papers
    from scs_refresh.workspace import Workspace

    shutil.copytree(ROOT / "config", tmp_path / "config")
    (tmp_path / "evidence").symlink_to(ROOT / "evidence")
    timetable = tmp_path / "config" / "timetable.yaml"
    timetable.write_text(timetable.read_text().replace("to_be_arranged: {start: 2011-03-01, end: 2011-03-31}",
                                                       "date: 2011-03-15", 1))
    dirs = Dirs(tmp_path / "config", tmp_path / "out", tmp_path / "state", ROOT / "templates")
    ws = Workspace.load(dirs)
    result = generate_meeting_papers(load_state(ws, date(2011, 3, 1)), "away-day-2011-03", dirs.out, dirs.templates,
                                     pdf=False)
    names = [p.name for p in result.papers]
    assert names[0] == "01-away-day-workshop-pack.docx" and "02-sustainable-community-strategy.docx" in names
    pack = _text(result.papers[0])
    assert "For the workshop on 15 March 2011, as at 01 March 2011" in pack
    for question in ws.draft_inputs().scs.workshop:
        assert question in pack
    assert "Overall satisfaction with the local area (NI 5), 2008" in pack and "82.2%" in pack
    assert "Draft version 1 for the Breckland Partnership, as at 01 March 2011" in _text(result.papers[1])
    manifest = json.loads((dirs.out / "away-day-2011-03" / "papers.json").read_text())
    assert manifest["draft_version"] == 1 and manifest["not_produced"] == []


def test_outcomes_with_no_indicator_or_baseline_are_open_points():
    content = {"themes": [{"title": "Economic development and enterprise", "outcomes": [
        {"outcome": "More business start-ups surviving three years", "indicator": "to be agreed",
         "baseline": "to be set", "owner": "Breckland Business Forum"},
        {"outcome": "Working age claimant rate at or below the Norfolk rate", "indicator": "Working age claimant rate",
         "baseline": "2.9% (2010)", "owner": "Jobcentre Plus"}]}]}
    assert open_points(content) == [
        "Economic development and enterprise: the outcome \u201cMore business start-ups surviving three years\u201d "
        "(lead: Breckland Business Forum) has no indicator and no baseline yet; Breckland Business Forum is to "
        "propose an indicator and a baseline for the delivery plan."]
