"""The scorecard as people see it: in a rendered Board report after adoption, and through `scs performance`."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from scs_cli.main import app
from scs_refresh.evidence.collate import collate_and_write
from scs_refresh.evidence.manifest import load_manifest
from scs_refresh.documents.accessibility import WP
from scs_refresh.papers.contexts import RefreshState, adoption, scorecard_section
from scs_refresh.papers.generate import generate_meeting_papers
from scs_refresh.performance.delivery_plan import Rag
from scs_refresh.as_at import scorecard_on
from scs_refresh.core.store import DecisionRecord
from scs_refresh.performance.scorecard import alt_text, record, table
from scs_refresh.workspace import Workspace
from scs_refresh.core.folders import Dirs

from .conftest import ROOT

ON = date(2011, 5, 6)  # the report deadline of the launch Board on 19 May 2011
LAUNCH = "lsp-board-2011-05-19"


@pytest.fixture(scope="module")
def evidence(tmp_path_factory) -> Path:
    """The bundled evidence base, collated once for the module."""
    out = tmp_path_factory.mktemp("evidence-out")
    collate_and_write(load_manifest(ROOT / "config" / "evidence.yaml"), out, ON)
    return out / "evidence"


@pytest.fixture
def dirs(tmp_path, evidence) -> Dirs:
    shutil.copytree(evidence, tmp_path / "out" / "evidence")
    return Dirs(config=ROOT / "config", out=tmp_path / "out", state=tmp_path / "state")


@pytest.fixture
def state(dirs) -> RefreshState:
    ws = Workspace.load(dirs)
    record(ws.plan_inputs(), dirs.store, "volunteers-placed", 330, "2010/11", note="volunteer centre return",
           source="Voluntary Norfolk", by=ws.timetable.cycle.officer.name, at=datetime(2011, 4, 20, 10))
    return RefreshState(ws.timetable, ws.papers, ON, scorecard=scorecard_on(ws, ON))


def test_the_board_report_after_adoption_contains_the_scorecard(state, tmp_path):
    # The scorecard is one of the default sections of a Board report: no extra wiring needed.
    result = generate_meeting_papers(state, LAUNCH, tmp_path / "papers", ROOT / "templates", pdf=False)
    doc = docx.Document(str(result.papers[0]))
    text = [p.text for p in doc.paragraphs]
    assert any(t.endswith("PROGRESS ON THE SCS DELIVERY PLAN") for t in text)
    # Written on 6 May, before Full Council meets on 12 May: the adoption is still to come.
    assert any("Breckland Council (Full Council) is due to consider adopting the Sustainable Community Strategy on "
               "12 May 2011. "
               "The table shows progress on each indicator of its delivery plan as at 06 May 2011: 2 green, "
               "1 amber, 1 red, 5 no data. The delivery plan is illustrative" in t for t in text)
    assert "Progress on the SCS delivery plan as at 06 May 2011" in text  # the caption
    # The day after Full Council met, but before its decision is recorded, the adoption is not yet known ...
    unknown = scorecard_section(replace(state, on=date(2011, 5, 13)), state.timetable.event[LAUNCH])
    assert "is due to consider adopting" in unknown.paragraphs[0]
    # ... once it is recorded, it is.
    adopted = DecisionRecord(6, "full-council-2011-05-12", "approved", date(2011, 5, 12), "", None, "officer",
                             datetime(2011, 5, 12, 7))
    after = scorecard_section(replace(state, on=date(2011, 5, 13), decisions=(adopted,)),
                              state.timetable.event[LAUNCH])
    assert after.paragraphs[0].startswith("Breckland Council (Full Council) adopted the Sustainable Community "
                                          "Strategy on 12 May 2011.")

    [card] = [t for t in doc.tables if t.rows[0].cells[0].text == "Priority and outcome"]
    rows = {r.cells[1].text: [c.text for c in r.cells] for r in card.rows[1:]}
    assert [c.text for c in card.rows[0].cells] == ["Priority and outcome", "Indicator", "Owner", "Baseline; latest",
                                                    "Target", "Rating"]
    assert len(rows) == 9
    assert rows["Residents who feel well informed about local public services (%)"] == [
        "Safer and stronger communities: Residents feel informed about, and well served by, local public services",
        "Residents who feel well informed about local public services (%)", "Breckland Council",
        "39% (2008); latest 44% (2010) (ILLUSTRATIVE)", "55% by Mar 2014",
        "Amber: behind, within the tolerance: 31% of the change done, 38% expected by Dec 2010"]
    assert rows["Residents satisfied with the way the council runs things (%)"][5].startswith("Red: off track: 16%")
    assert rows["Volunteers placed through the volunteer centre in the year"][3:] == [
        "240 (2009/10); latest 330 (2010/11) (ILLUSTRATIVE)", "400 by Mar 2014",
        "Green: on track: 56% of the change done, 25% expected by Mar 2011"]
    assert rows["Working age claimant rate (%)"][3:] == [
        "2.9% (2010); latest none (ILLUSTRATIVE)", "2.5% by Mar 2014", "No data: no figure since the baseline (2010)"]
    # Every figure of the illustrative plan is labelled where it is quoted; with a plan that is not
    # illustrative, the rows whose figures come from an illustrative source still are.
    assert all(r[3].endswith("(ILLUSTRATIVE)") for r in rows.values())
    plain = replace(state.scorecard.card, illustrative=False)
    assert {r[1] for r in table(plain).rows if r[3].endswith("(ILLUSTRATIVE)")} == set(rows) - {
        "Volunteers placed through the volunteer centre in the year", "Affordable homes delivered in the year"}

    [chart] = [d.get("descr") for d in doc.element.body.iter(f"{WP}docPr")]
    assert chart == alt_text(state.scorecard.card)
    assert chart.startswith("Bar chart of the share of the planned change from baseline to target achieved by each "
                            "of the 9 delivery plan indicators as at 06 May 2011 (2 green, 1 amber, 1 red, 5 no data).")
    assert ("Residents who feel well informed about local public services (%): Amber, 31% of the planned change "
            "done, 38% expected") in chart
    assert "Adults who smoke (%): No data" in chart


def test_the_scorecard_appears_only_in_board_reports_after_adoption(state):
    tt = state.timetable
    assert adoption(tt).id == "full-council-2011-05-12"
    assert scorecard_section(state, tt.event[LAUNCH]) is not None
    assert scorecard_section(state, tt.event["lsp-board-2011-04-07"]) is None  # ratified, not yet adopted
    assert scorecard_section(state, tt.event["full-council-2011-05-12"]) is None  # a council meeting
    assert scorecard_section(replace(state, scorecard=None), tt.event[LAUNCH]) is None  # no delivery plan


def test_files_written_for_the_scorecard(state, dirs):
    paper = state.scorecard
    assert paper.chart.path == dirs.out / "performance" / "scorecard_rag.png"
    assert paper.chart.path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    csv = paper.csv.read_text()
    assert csv.splitlines()[0].startswith("priority,outcome_id,outcome,owner,due,indicator_id")
    assert "volunteers-placed" in csv and "recorded by Mark Fretwell on 20 Apr 2011 (Voluntary Norfolk)" in csv
    assert csv.rstrip().endswith("ILLUSTRATIVE delivery plan.")
    assert [r.rag for r in paper.card.rows].count(Rag.GREY) == 5


def test_no_delivery_plan_means_no_scorecard(tmp_path):
    (tmp_path / "config").mkdir()
    shutil.copy(ROOT / "config" / "timetable.yaml", tmp_path / "config")
    assert Workspace.load(Dirs(config=tmp_path / "config", out=tmp_path, state=tmp_path)).plan_inputs() is None


# --- the command ------------------------------------------------------------------------

def _scs(config: Path, dirs: Dirs, *args: str):
    if not (config.parent / "evidence").exists():  # `scs performance --on D` collates the evidence as at D
        shutil.copytree(ROOT / "evidence", config.parent / "evidence")
    return CliRunner().invoke(app, ["--config-dir", str(config), "--out-dir", str(dirs.out), "--state-dir",
                                    str(dirs.state), *args], env={"COLUMNS": "250"})


def test_scs_performance_record_and_show(config_dir, dirs):
    result = _scs(config_dir, dirs, "performance", "record", "affordable-homes-delivered", "118", "--period",
                  "2010/11", "--note", "first year", "--on", "2011-04-20")
    assert (result.exit_code, result.output) == (0, "new: affordable-homes-delivered 2010/11 = 118\n")
    result = _scs(config_dir, dirs, "performance", "record", "affordable-homes-delivered", "121", "--period",
                  "2010/11", "--by", "Housing Enabling Officer", "--on", "2011-04-28")
    assert (result.exit_code, result.output) == (0, "updated: affordable-homes-delivered 2010/11 = 121\n")

    result = _scs(config_dir, dirs, "performance", "--on", "2011-05-06")
    assert result.exit_code == 0, result.output
    assert "SCS delivery plan scorecard as at 06 May 2011 (ILLUSTRATIVE plan)" in result.output
    line = next(ln for ln in result.output.splitlines() if "Affordable homes delivered" in ln)
    assert "95 (2009/10); latest 121 (2010/11)" in line and "Green: on track: 47% of the change done" in line
    assert "2 green, 1 amber, 1 red, 5 no data. Green: the target is reached" in result.output
    assert f"wrote {dirs.out / 'performance' / 'scorecard.csv'}" in result.output

    # an update recorded after the day asked about is not counted
    result = _scs(config_dir, dirs, "performance", "--on", "2011-04-25")
    line = next(ln for ln in result.output.splitlines() if "Affordable homes delivered" in ln)
    assert "latest none" in line and "No data" in line


@pytest.mark.parametrize("args, message", [
    (["nope", "3", "--period", "2011"], r"no indicator 'nope' in the delivery plan \(recorded indicators: "
                                        r"volunteers-placed, affordable-homes-delivered\)"),
    (["well-informed", "3", "--period", "2011"], r"'well-informed' comes from the evidence base"),
    (["volunteers-placed", "3", "--period", "next year"], r"--period: 'next year' cannot be placed in time"),
])
def test_scs_performance_record_refuses_bad_input(config_dir, dirs, args, message):
    result = _scs(config_dir, dirs, "performance", "record", *args)
    assert result.exit_code == 2 and re.match(rf"error: .*{message}", result.output), result.output


def test_a_bad_plan_exits_2_and_loses_nothing(config_dir, dirs):
    assert _scs(config_dir, dirs, "performance", "--on", "2011-05-06").exit_code == 0
    before = (dirs.out / "performance" / "scorecard.csv").read_bytes()
    plan = config_dir / "delivery_plan.yaml"
    plan.write_text(plan.read_text().replace("owner: nhs-norfolk", "owner: the-pct"))
    result = _scs(config_dir, dirs, "performance", "--on", "2011-05-07")
    assert result.exit_code == 2
    assert re.fullmatch(r"error: \S+delivery_plan\.yaml:\d+: priorities\[2\]\.outcomes\[0\]\.owner: unknown owner "
                        r"'the-pct' \(partner ids in partners\.yaml: .*\)\n", result.output), result.output
    assert (dirs.out / "performance" / "scorecard.csv").read_bytes() == before
    assert _scs(config_dir, dirs, "check").exit_code == 2


def test_the_chart_is_drawn_again_only_when_a_figure_changes(dirs, monkeypatch):
    from scs_refresh.performance import scorecard as sc

    drawn = []
    real = sc._draw.__wrapped__
    monkeypatch.setattr(sc, "_draw", sc.functools.lru_cache(lambda rows, ill: drawn.append(rows) or real(rows, ill)))
    ws = Workspace.load(dirs)
    first = scorecard_on(ws, date(2011, 5, 6)).chart.path.read_bytes()
    assert scorecard_on(ws, date(2011, 5, 9)).chart.path.read_bytes() == first
    assert len(drawn) == 1  # a day later, the same figures: the same picture
    record(ws.plan_inputs(), dirs.store, "volunteers-placed", 350, "2010/11", note="revised return",
           source="Voluntary Norfolk", by="officer", at=datetime(2011, 5, 9, 10))
    assert scorecard_on(ws, date(2011, 5, 9)).chart.path.read_bytes() != first
    assert len(drawn) == 2


def test_the_evidence_table_is_read_again_only_when_it_changes(dirs, monkeypatch):
    """The scorecard is refreshed on every paper day: the figures it finds in the evidence table are kept
    while the table is the same, byte for byte, and found again in a changed one."""
    import pandas as pd

    from scs_refresh.performance import scorecard as sc

    reads = []
    real = sc.read_written_table
    monkeypatch.setattr(sc, "_found", [])
    monkeypatch.setattr(sc, "read_written_table", lambda out: reads.append(out) or real(out))
    ws = Workspace.load(dirs)
    indicator = "Feel well informed about local public services"

    def latest(day):
        card = scorecard_on(ws, day).card
        return next(r.latest.value for r in card.rows if r.indicator.evidence and
                    r.indicator.evidence.indicator == indicator)

    before = latest(date(2011, 5, 6))
    assert latest(date(2011, 5, 9)) == before and len(reads) == 1
    file = dirs.out / "evidence" / "evidence.csv"
    frame = pd.read_csv(file, dtype=str, keep_default_na=False)
    frame.loc[frame["indicator"] == indicator, "value"] = str(before + 1)
    frame.to_csv(file, index=False)
    assert latest(date(2011, 5, 9)) == before + 1 and len(reads) == 2
