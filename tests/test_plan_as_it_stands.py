"""`scs plan` and `scs timetable` as the schedule now stands: re-plans, risks, ids, partner dates."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scs_cli.main import app
from scs_refresh.approval.decisions import record_decision, record_replan
from scs_refresh.core.store import Store
from scs_refresh.partners import interviews
from scs_refresh.partners.register import load_partners, plan_items
from scs_refresh.timetable.model import load_timetable
from scs_refresh.timetable.plan import plan

from .conftest import ROOT

AT = datetime(2011, 5, 11, 7)


@pytest.fixture
def deferred(tmp_path: Path) -> Path:
    """The bundled chain with Cabinet deferring on Tue 10 May 2011, then re-arranged for Thu 19 May and
    Full Council for Fri 20 May (their earliest dates): the launch Board of Thu 19 May is now at risk."""
    tt = load_timetable(ROOT / "config" / "timetable.yaml")
    store_file = tmp_path / "scs.sqlite"
    with Store.open(store_file) as store:
        for meeting, on in (("lsp-board-2011-04-07", date(2011, 4, 7)), ("cmt-2011-04-27", date(2011, 4, 27)),
                            ("executive-board-2011-05-09", date(2011, 5, 9))):
            record_decision(store, tt, meeting, "approved", on=on, by="test", at=AT)
        record_decision(store, tt, "cabinet-2011-05-10", "deferred", on=date(2011, 5, 10), by="test", at=AT)
        record_replan(store, tt, "cabinet-2011-05-10", date(2011, 5, 19), by="test", at=AT)
        record_replan(store, tt, "full-council-2011-05-12", date(2011, 5, 20), by="test", at=AT)
    return store_file


def _scs(store_file: Path, *args: str):
    return CliRunner().invoke(app, ["--config-dir", str(ROOT / "config"), "--store", str(store_file), *args],
                              env={"COLUMNS": "200"})


def test_plan_after_replans_lists_the_meetings_at_their_new_dates_and_flags_the_launch_at_risk(deferred):
    result = _scs(deferred, "plan", "--on", "2011-05-11", "--days", "10")
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if line.startswith("│ ")]
    meetings = [row for row in rows if "│ meeting " in row]
    assert "Thu 19 May 2011" in meetings[0] and "Cabinet" in meetings[0] and "cabinet-2011-05-10" in meetings[0]
    assert "Thu 19 May 2011" in meetings[1] and "AT RISK" in meetings[1] and "lsp-board-2011-05-19" in meetings[1]
    assert "Fri 20 May 2011" in meetings[2] and "full-council-2011-05-12" in meetings[2]
    assert not any("Thu 12 May 2011" in row and "│ meeting " in row for row in rows)  # not on its old date
    assert "warning: 'lsp-board-2011-05-19' (Thu 19 May 2011): AT RISK: earliest now Mon 23 May 2011; confirm its " \
           "new date with `scs replan lsp-board-2011-05-19 DATE`" in result.stdout


def test_timetable_shows_ids_new_dates_and_risks(deferred):
    table = _scs(deferred, "timetable")
    assert table.exit_code == 0, table.output
    assert "cabinet-2011-05-10" in table.stdout and "(was Tue 10 May 2011)" in table.stdout
    assert "AT RISK: earliest now Mon 23 May 2011" in table.stdout
    data = json.loads(_scs(deferred, "timetable", "--json").stdout)
    events = {e["id"]: e for e in data["events"]}
    assert events["cabinet-2011-05-10"]["date"] == "2011-05-19"
    assert events["cabinet-2011-05-10"]["original_date"] == "2011-05-10"
    assert events["full-council-2011-05-12"]["date"] == "2011-05-20"
    assert events["full-council-2011-05-12"]["publication_deadline"] == "2011-05-12"  # from the new date
    assert events["lsp-board-2011-05-19"]["status"] == "AT RISK: earliest now Mon 23 May 2011"
    assert data["elections"] == [{"date": "2011-05-05", "title": "Breckland District Council elections"}]


def test_without_a_store_the_plan_is_the_timetable_and_shows_meeting_ids(tmp_path):
    result = _scs(tmp_path / "none.sqlite", "plan", "--on", "2011-04-18", "--days", "3")
    assert result.exit_code == 0, result.output
    assert "executive-board-2011-05-09" in result.stdout and not (tmp_path / "none.sqlite").exists()


def test_plan_shows_the_questionnaire_its_chasers_and_the_interview_slots():
    tt = load_timetable(ROOT / "config" / "timetable.yaml")
    partners = load_partners(ROOT / "config" / "partners.yaml", tt)
    p = plan(tt, date(2010, 10, 15), days=45, extra=plan_items(partners))
    partner_items = [(i.on, i.kind) for i in p.items if i.event_id is None and not i.kind.startswith("stage")]
    assert partner_items == [
        (date(2010, 10, 15), "questionnaire"),
        (date(2010, 11, 1), "interview_requests"),
        (date(2010, 11, 5), "reminder"),  # first: 7 days before the deadline
        (date(2010, 11, 10), "reminder"),  # second: 2 days before
        (date(2010, 11, 12), "reminder"),  # on the deadline, sponsors copied
        (date(2010, 11, 12), "partner_deadline"),
        (date(2010, 11, 15), "interview"), (date(2010, 11, 17), "interview"),
        (date(2010, 11, 23), "interview"), (date(2010, 11, 25), "interview")]
    texts = [i.text for i in p.items]
    assert "Questionnaire out to 12 partners (reply by Fri 12 Nov 2010)" in texts
    assert "Interview requests to 6 partners, offering 4 slots" in texts


def test_a_booked_slot_names_the_partner(tmp_path):
    tt = load_timetable(ROOT / "config" / "timetable.yaml")
    partners = load_partners(ROOT / "config" / "partners.yaml", tt)
    with Store.open(tmp_path / "scs.sqlite") as store:
        interviews.record(store, partners, "nhs-norfolk", agreed_at=datetime(2010, 11, 17, 14), on=date(2010, 11, 1))
        interviews.record(store, partners, "business-forum", agreed_at=datetime(2010, 11, 18, 9, 30), on=date(2010, 11, 1))
    result = CliRunner().invoke(app, ["--config-dir", str(ROOT / "config"), "--store", str(tmp_path / "scs.sqlite"),
                                      "plan", "--on", "2010-11-15", "--days", "5"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "14:00 interview (60 minutes): booked with NHS Norfolk (Primary Care Trust)" in result.stdout
    assert "10:00 interview (60 minutes): slot offered, not yet booked" in result.stdout
    assert "09:30 interview (60 minutes) with Breckland Business Forum" in result.stdout
