"""The delivery plan and its scorecard: the rating rule at its edges, evidence-linked and recorded
indicators, missing data, and every kind of mistake in delivery_plan.yaml."""

from __future__ import annotations

import re
import sqlite3
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from scs_refresh.workspace import check_all
from scs_refresh.core.errors import ConfigError
from scs_refresh.evidence.tidy import COLUMNS
from scs_refresh.performance.delivery_plan import (DeliveryPlan, Rag, check_plan, evidence_figures, load_delivery_plan,
                                                  period_end, rate, rated)
from scs_refresh.core.folders import Dirs
from scs_refresh.workspace import Workspace
from scs_refresh.core.store import MIGRATIONS, ProgressUpdate, Store

from .conftest import ROOT

BASE_END, TARGET_DATE, DUE = date(2010, 12, 31), date(2014, 12, 31), date(2014, 12, 31)
HALF = date(2012, 12, 31)  # 731 of 1461 days from baseline to target: the line expects 50.03%


# --- periods --------------------------------------------------------------------------------

@pytest.mark.parametrize("period, end", [
    ("2010", date(2010, 12, 31)), ("2010/11", date(2011, 3, 31)), ("2010/2011", date(2011, 3, 31)),
    ("2006-08", date(2008, 12, 31)), ("mid-2020", date(2020, 6, 30)), ("Nov 2010", date(2010, 11, 30)),
    ("Feb 2012", date(2012, 2, 29)), ("2011-03-31", date(2011, 3, 31)),
    ("2010/12", None), ("2011-02-30", None), ("next year", None), ("Foo 2010", None), ("2008-06", None),
])
def test_period_end(period, end):
    assert period_end(period) == end


# --- the rating rule ------------------------------------------------------------------------

def _rate(latest, *, baseline=40.0, target=60.0, direction="higher", as_of=HALF, on=date(2013, 1, 15), tol=0.2):
    return rate(baseline, latest, target, direction, BASE_END, as_of, TARGET_DATE, DUE, on, tol)


@pytest.mark.parametrize("latest, expected", [
    (60.0, Rag.GREEN),    # target reached exactly
    (61.0, Rag.GREEN),    # beyond it
    (50.1, Rag.GREEN),    # 50.5% done, 50.03% expected: on the line
    (50.0, Rag.AMBER),    # 50% done: just behind the line
    (46.01, Rag.AMBER),   # 30.05% done: within 20 points of 50.03%
    (45.9, Rag.RED),      # 29.5% done: beyond the tolerance
    (38.0, Rag.RED),      # moving the wrong way
])
def test_rule_higher_is_better(latest, expected):
    assert _rate(latest)[0] is expected


@pytest.mark.parametrize("latest, expected", [(20.0, Rag.GREEN), (29.9, Rag.GREEN), (30.0, Rag.AMBER),
                                              (34.1, Rag.RED), (41.0, Rag.RED)])
def test_rule_lower_is_better(latest, expected):
    assert _rate(latest, baseline=40.0, target=20.0, direction="lower")[0] is expected


def test_rule_reports_the_shares_it_compared():
    rag, reason, done, expected = _rate(47.0)
    assert rag is Rag.AMBER and done == pytest.approx(0.35) and expected == pytest.approx(731 / 1461)
    assert reason == "behind, within the tolerance: 35% of the change done, 50% expected by Dec 2012"


def test_rule_tolerance_comes_from_the_plan():
    assert _rate(46.01, tol=0.2)[0] is Rag.AMBER
    assert _rate(46.01, tol=0.1)[0] is Rag.RED


def test_rule_past_the_due_date():
    assert _rate(59.0, as_of=date(2014, 6, 30), on=date(2015, 1, 1))[:2] == (
        Rag.RED, "the due date 31 Dec 2014 has passed without reaching the target")
    assert _rate(60.0, as_of=date(2014, 6, 30), on=date(2015, 1, 1))[0] is Rag.GREEN


def test_rule_a_figure_after_the_target_date_expects_the_whole_change():
    assert _rate(59.0, as_of=date(2015, 6, 30), on=date(2014, 12, 1))[3] == 1.0


def test_rule_when_the_evidence_baseline_already_met_the_target():
    assert _rate(55.0, baseline=65.0)[:2] == (Rag.RED, "below a target the baseline had already reached")


# --- progress from the evidence table and from recorded figures -------------------------------

FOCUS = "E07000143"


def _plan(**indicator) -> DeliveryPlan:
    ind = {"id": "ind", "name": "An indicator", "direction": "higher", "target": {"value": 60},
           "baseline": {"period": "2010"}, **indicator}
    return DeliveryPlan.model_validate({"priorities": [{"theme": "economy", "outcomes": [
        {"id": "out", "title": "An outcome", "owner": "police", "due": "2014-12-31", "indicators": [ind]}]}]})


def _evidence(*rows) -> pd.DataFrame:
    """Tidy evidence rows: (indicator, area, period, value, missing_reason)."""
    return pd.DataFrame([{c: "" for c in COLUMNS} | {"indicator": i, "area_code": a, "period": p, "value": v,
                                                     "missing_reason": why, "unit": "percent", "source_id": "s",
                                                     "file": "f.csv", "row": str(n + 2), "column": "Value"}
                         for n, (i, a, p, v, why) in enumerate(rows)])


LINKED = {"evidence": {"indicator": "Rate"}}


def _one(plan, table=None, updates=(), on=date(2013, 6, 1)):
    [row] = rated(plan, evidence_figures(plan, table, FOCUS), updates, on, themes={"economy": "Economy"},
                  owners={"police": "Norfolk Constabulary"}).rows
    return row


def test_evidence_linked_indicator_takes_baseline_and_latest_from_the_table():
    table = _evidence(("Rate", FOCUS, "2010", 40.0, None), ("Rate", FOCUS, "2011", 44.0, None),
                      ("Rate", FOCUS, "2012", 52.0, None), ("Rate", "E10000020", "2012", 99.0, None),
                      ("Other", FOCUS, "2012", 1.0, None))
    row = _one(_plan(**LINKED), table)
    assert (row.baseline.value, row.latest.value, row.latest.period, row.rag) == (40.0, 52.0, "2012", Rag.GREEN)
    assert row.latest.source == "f.csv, row 4, column 'Value'"
    assert (row.priority, row.owner, row.unit) == ("Economy", "Norfolk Constabulary", "percent")


def test_only_evidence_known_on_the_day_counts():
    table = _evidence(("Rate", FOCUS, "2010", 40.0, None), ("Rate", FOCUS, "2011", 41.0, None),
                      ("Rate", FOCUS, "2013", 60.0, None))
    assert _one(_plan(**LINKED), table, on=date(2013, 6, 1)).latest.period == "2011"
    assert _one(_plan(**LINKED), table, on=date(2014, 1, 1)).rag is Rag.GREEN


def test_a_missing_figure_is_no_data_never_zero():
    table = _evidence(("Rate", FOCUS, "2010", 40.0, None), ("Rate", FOCUS, "2012", float("nan"), "suppressed (*)"))
    row = _one(_plan(**LINKED), table)
    assert (row.rag, row.latest, row.done) == (Rag.GREY, None, None)
    assert row.reason == "no figure since the baseline (2010)"


def test_no_baseline_in_the_evidence_names_the_reason_given_in_the_file():
    table = _evidence(("Rate", FOCUS, "2010", float("nan"), "suppressed small number (<5)"),
                      ("Rate", FOCUS, "2012", 50.0, None))
    row = _one(_plan(**LINKED), table)
    assert row.rag is Rag.GREY
    assert row.reason == "no baseline: 2010: suppressed small number (<5) (f.csv, row 2)"


def test_no_evidence_base_collated_yet_is_no_data():
    row = _one(_plan(**LINKED), None)
    assert row.rag is Rag.GREY and row.baseline is None


def test_an_area_and_a_source_narrow_the_evidence():
    table = _evidence(("Rate", "E10000020", "2010", 40.0, None), ("Rate", "E10000020", "2012", 58.0, None))
    row = _one(_plan(evidence={"indicator": "Rate", "area": "E10000020"}), table)
    assert row.rag is Rag.GREEN
    assert _one(_plan(evidence={"indicator": "Rate", "area": "E10000020", "source": "other"}), table).rag is Rag.GREY


def _update(value, period, recorded_on, by="Mark Fretwell"):
    return ProgressUpdate("ind", period, value, "", "volunteer centre", by, datetime.combine(recorded_on, datetime.min.time()), 1)


RECORDED = {"recorded": {"unit": "count"}, "baseline": {"value": 40, "period": "2010/11"}}


def test_recorded_indicator_uses_the_latest_period_recorded_by_the_day():
    updates = [_update(47.0, "2011/12", date(2012, 4, 20)), _update(44.0, "2012/13", date(2013, 4, 20)),
               _update(59.0, "2013/14", date(2014, 4, 20))]
    row = _one(_plan(**RECORDED), updates=updates, on=date(2013, 6, 1))
    assert (row.latest.value, row.latest.period, row.unit) == (44.0, "2012/13", "count")
    assert row.latest.source == "recorded by Mark Fretwell on 20 Apr 2013 (volunteer centre)"
    assert row.rag is Rag.RED  # 20% of the change done by Mar 2013, 53% expected


def test_recorded_indicator_with_no_update_is_no_data():
    row = _one(_plan(**RECORDED))
    assert (row.rag, row.baseline.value, row.latest) == (Rag.GREY, 40.0, None)


def test_re_recording_a_period_updates_it_never_duplicates(tmp_path):
    with Store.open(tmp_path / "s.sqlite") as store:
        common = dict(indicator_id="homes", note="", source="", by="MF")
        assert store.record_progress(period="2010/11", value=101, at=datetime(2011, 4, 20), **common) == "new"
        assert store.record_progress(period="2010/11", value=104, at=datetime(2011, 4, 28), **common) == "updated"
        assert store.record_progress(period="2011/12", value=120, at=datetime(2012, 4, 20), **common) == "new"
        got = [(u.period, u.value, u.revisions, u.recorded_at) for u in store.progress_updates()]
    assert got == [("2010/11", 104.0, 2, datetime(2011, 4, 28)), ("2011/12", 120.0, 1, datetime(2012, 4, 20))]


def test_a_version_1_store_is_upgraded_keeping_its_data(tmp_path):
    path = tmp_path / "s.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(f"{MIGRATIONS[0]}; PRAGMA user_version = 1;")
    conn.execute("INSERT INTO interviews (partner_id) VALUES ('police')")
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        assert list(store.interviews()) == ["police"] and store.progress_updates() == []
        assert store.schema_version() == len(MIGRATIONS)


# --- the bundled plan ---------------------------------------------------------------------

def test_bundled_plan_is_illustrative_and_checks_against_the_other_files():
    inputs = Workspace.load(Dirs(config=ROOT / "config")).plan_inputs()
    assert inputs.plan.illustrative
    assert {p.theme for p in inputs.plan.priorities} <= set(inputs.themes)
    assert any(i.recorded for _, _, i in inputs.plan.indicators())
    assert any(i.evidence for _, _, i in inputs.plan.indicators())


# --- mistakes in delivery_plan.yaml ---------------------------------------------------------

def _with(config_dir: Path, old: str, new: str) -> Path:
    file = config_dir / "delivery_plan.yaml"
    text = file.read_text()
    assert old in text, old
    file.write_text(text.replace(old, new, 1))
    return file


@pytest.mark.parametrize("old, new, message", [
    ("  - theme: economy-enterprise", "  - theme: economy",
     r"delivery_plan\.yaml:\d+: priorities\[1\]\.theme: unknown theme 'economy'"),
    ("evidence: {indicator: Working age claimant rate}", "evidence: {indicator: Claimant count}",
     r"priorities\[1\]\.outcomes\[0\]\.indicators\[0\]\.evidence\.indicator: no indicator 'Claimant count' "
     r"in the evidence manifest"),
    ("owner: jobcentre-plus", "owner: dwp",
     r"priorities\[1\]\.outcomes\[0\]\.owner: unknown owner 'dwp'"),
    ("evidence: {indicator: Adults who smoke}", "evidence: {indicator: Adults who smoke, area: E07000999}",
     r"priorities\[2\]\.outcomes\[0\]\.indicators\[0\]\.evidence\.area: unknown area 'E07000999'"),
    ("source: mori-survey}\n            baseline: {period: \"2008\"}\n            target: {value: 55}",
     "source: mori}\n            baseline: {period: \"2008\"}\n            target: {value: 55}",
     r"priorities\[0\]\.outcomes\[0\]\.indicators\[0\]\.evidence\.source: no source 'mori' in evidence\.yaml"),
])
def test_cross_file_mistakes_name_file_line_and_field(config_dir, old, new, message):
    file = _with(config_dir, old, new)
    with pytest.raises(ConfigError) as exc:
        check_all(config_dir)
    assert re.search(message, str(exc.value)), str(exc.value)
    assert str(exc.value).startswith(str(file))


@pytest.mark.parametrize("old, new, message", [
    ("            recorded: {unit: count}\n            baseline: {value: 240, period: 2009/10}",
     "            recorded: {unit: count}\n            baseline: {period: 2009/10}",
     r"outcomes\[2\]\.indicators\[0\]: indicator 'volunteers-placed' is recorded by hand, so its baseline needs a value"),
    ("            recorded: {unit: count}\n            baseline: {value: 240",
     "            recorded: {unit: count}\n            evidence: {indicator: Households}\n            baseline: {value: 240",
     r"needs exactly one of 'evidence' or 'recorded'"),
    ("target: {value: 400}", "target: {value: 200}",
     r"the target 200 is not better than the baseline 240 when higher is better"),
    ("baseline: {value: 95, period: 2009/10}", "baseline: {value: 95, period: 2009/11}",
     r"indicators\[0\]\.baseline\.period: '2009/11' is not a period"),
    ("target: {value: 150, date: 2014-03-31}", "target: {value: 150, date: 2015-03-31}",
     r"outcomes\[0\]: indicator 'affordable-homes-delivered': the target date 2015-03-31 is after the outcome's due date"),
    ("baseline: {value: 95, period: 2009/10}", "baseline: {value: 95, period: \"2015\"}",
     r"the target date 2014-03-31 is not after the baseline period 2015"),
    ("direction: lower\n\n  - theme: children", "direction: down\n\n  - theme: children",
     r"priorities\[2\]\.outcomes\[0\]\.indicators\[0\]\.direction: Input should be 'higher' or 'lower'"),
    ("          - id: value-for-money", "          - id: well-informed",
     r"priorities: the indicator 'well-informed' is used twice"),
    ("due: 2014-03-31", "due: 2014-02-30", r"outcomes\[0\]\.due: 2014-02-30 is not a real date"),
])
def test_plan_mistakes_name_file_line_and_field(config_dir, old, new, message):
    file = _with(config_dir, old, new)
    with pytest.raises(ConfigError) as exc:
        load_delivery_plan(file)
    assert re.search(message, str(exc.value)), str(exc.value)
    assert re.match(rf"{re.escape(str(file))}:\d+: ", str(exc.value))


def test_check_all_needs_the_files_the_plan_refers_to(config_dir):
    (config_dir / "partners.yaml").unlink()
    with pytest.raises(ConfigError) as exc:
        check_all(config_dir)
    assert any(line.endswith("delivery_plan.yaml: needs partners.yaml beside it: the themes, indicators and "
                             "partners it names are defined there") for line in exc.value.lines())


def test_check_plan_lists_every_problem(config_dir):
    _with(config_dir, "owner: jobcentre-plus", "owner: dwp")
    _with(config_dir, "owner: nhs-norfolk", "owner: pct")
    from scs_refresh.evidence.manifest import load_manifest
    from scs_refresh.partners.register import load_partners

    with pytest.raises(ConfigError) as exc:
        check_plan(load_delivery_plan(config_dir / "delivery_plan.yaml"), load_manifest(config_dir / "evidence.yaml"),
                   load_partners(config_dir / "partners.yaml"))
    assert [p.key for p in exc.value.problems] == ["priorities[1].outcomes[0].owner", "priorities[2].outcomes[0].owner"]
