"""The scorecard flow end to end against a temporary Prefect API."""

from datetime import date

import pytest

from flows.performance import performance_scorecard, refresh_scorecard
from scs_refresh.evidence.collate import collate_and_write
from scs_refresh.evidence.manifest import load_manifest
from scs_refresh.performance.delivery_plan import Rag
from scs_refresh.core.folders import Dirs

from .conftest import ROOT

pytestmark = pytest.mark.usefixtures("prefect_harness")


def test_scorecard_flow_rates_the_plan_from_new_evidence(tmp_path):
    out, state = tmp_path / "out", tmp_path / "state"
    # before any evidence is collated every evidence-linked indicator has no data
    before = refresh_scorecard.fn(Dirs(config=ROOT / "config", out=out, state=state), date(2011, 5, 6))
    assert {r.rag for r in before.card.rows} == {Rag.GREY}
    # new evidence arrives; the flow refreshes the scorecard from it
    collate_and_write(load_manifest(ROOT / "config" / "evidence.yaml"), out, date(2011, 5, 6))
    paper = performance_scorecard(ROOT / "config", out, state, date(2011, 5, 6))
    assert [paper.card.count(r) for r in Rag] == [1, 1, 1, 6]
    assert paper.csv == out / "performance" / "scorecard.csv"
    assert paper.chart.path.stat().st_size > 0 and paper.chart.alt.startswith("Bar chart")
