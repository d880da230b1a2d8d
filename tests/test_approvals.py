"""Committee decisions in the state store: each outcome, the order of the chain, corrections with
history, confirmed new dates, amendments in the next draft SCS, and the CLI's exit codes."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from scs_refresh.approval.decisions import (
    DecisionError, amendments_agreed, check_decision, load_approvals, record_decision, record_replan)
from scs_cli.main import app
from scs_refresh.core.errors import UserError
from scs_refresh.core.store import Store
from scs_refresh.timetable.model import load_timetable

from .conftest import ROOT
from .test_replan import CABINET, CMT, COUNCIL, EXEC, LAUNCH, RATIFY, SUBMIT

AT = datetime(2011, 5, 10, 19, 30)


@pytest.fixture(scope="module")
def tt():
    return load_timetable(ROOT / "config" / "timetable.yaml")


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "scs.sqlite") as s:
        yield s


def decide(store, tt, meeting, outcome, on, **kw):
    return record_decision(store, tt, meeting, outcome, on=on, by=kw.pop("by", "Mark Fretwell"), at=AT, **kw)


def approve_to_exec(store, tt):
    for meeting in (RATIFY, CMT, EXEC):
        decide(store, tt, meeting, "approved", tt.event[meeting].date)


@pytest.mark.parametrize("outcome, amendment", [
    ("approved", None), ("approved_with_amendments", "Add a priority on rural broadband"),
    ("deferred", None), ("rejected", None)])
def test_each_outcome_is_stored_with_note_who_and_when(store, tt, outcome, amendment):
    approve_to_exec(store, tt)
    decide(store, tt, CABINET, outcome, date(2011, 5, 10), note="Minute 42/11", amendment=amendment, by="Clerk")
    d = store.decisions()[-1]
    assert (d.meeting_id, d.outcome, d.decided_on, d.note, d.amendment) == (
        CABINET, outcome, date(2011, 5, 10), "Minute 42/11", amendment)
    assert (d.recorded_by, d.recorded_at, d.replaced_by) == ("Clerk", AT, None)


def test_cabinet_cannot_decide_before_executive_board(store, tt):
    decide(store, tt, RATIFY, "approved", date(2011, 4, 7))
    decide(store, tt, CMT, "approved", date(2011, 4, 27))
    with pytest.raises(DecisionError, match=f"^{CABINET} cannot decide before {EXEC} has approved$"):
        decide(store, tt, CABINET, "approved", date(2011, 5, 10))
    decide(store, tt, EXEC, "deferred", date(2011, 5, 9))
    with pytest.raises(DecisionError, match=f"before {EXEC} has approved"):  # deferred is not approved
        decide(store, tt, CABINET, "approved", date(2011, 5, 10))
    assert [d.meeting_id for d in store.decisions()] == [RATIFY, CMT, EXEC]


def test_cmt_cannot_decide_before_the_submission_has_passed(tt):
    ratified = [record for record in _records(tt, (RATIFY, "approved", date(2011, 4, 7)))]
    with pytest.raises(DecisionError, match=f"^{CMT} cannot decide before {SUBMIT} has passed$"):
        check_decision(tt, ratified, {SUBMIT: date(2011, 4, 29)}, CMT, "approved", date(2011, 4, 27), None, False)
    assert check_decision(tt, ratified, {}, CMT, "approved", date(2011, 4, 27), None, False) is None


def _records(tt, *steps):
    from scs_refresh.core.store import DecisionRecord

    return [DecisionRecord(i, m, o, on, "", None, "x", AT) for i, (m, o, on) in enumerate(steps, 1)]


def test_a_decision_dated_before_the_meeting_is_an_error(store, tt):
    with pytest.raises(DecisionError, match="^lsp-board-2011-04-07 meets on Thu 7 Apr 2011; a decision cannot be "
                                            "dated Wed 6 Apr 2011, before it$"):
        decide(store, tt, RATIFY, "approved", date(2011, 4, 6))


@pytest.mark.parametrize("meeting, outcome, amendment, message", [
    ("cabinet-2011-05-11", "approved", None, "no meeting 'cabinet-2011-05-11' in the timetable (meetings: "),
    (SUBMIT, "approved", None, f"'{SUBMIT}' is a milestone, not a dated meeting"),
    ("away-day-2011-03", "approved", None, "'away-day-2011-03' is a event with no date"),
    (RATIFY, "agreed", None, "outcome 'agreed' is not one of: approved, approved_with_amendments, deferred, rejected"),
    (RATIFY, "approved_with_amendments", "  ", "approved_with_amendments needs the amendment agreed"),
    (RATIFY, "approved", "Some text", "an amendment goes with approved_with_amendments, not approved"),
])
def test_bad_decisions_are_named(store, tt, meeting, outcome, amendment, message):
    with pytest.raises(DecisionError) as err:
        decide(store, tt, meeting, outcome, date(2011, 4, 7), amendment=amendment)
    assert str(err.value).startswith(message) and "\n" not in str(err.value)
    assert store.decisions() == []


def test_a_second_decision_needs_replace_and_the_first_is_kept(store, tt):
    first = decide(store, tt, RATIFY, "approved", date(2011, 4, 7), note="typo")
    with pytest.raises(DecisionError, match="already has a decision .approved on 2011-04-07.; use --replace"):
        decide(store, tt, RATIFY, "approved_with_amendments", date(2011, 4, 7), amendment="Name the lead partner")
    second = decide(store, tt, RATIFY, "approved_with_amendments", date(2011, 4, 7), amendment="Name the lead partner",
                    replace=True)
    history = store.decisions()
    assert [(d.seq, d.outcome, d.replaced_by) for d in history] == [
        (first.seq, "approved", second.seq), (second.seq, "approved_with_amendments", None)]
    assert [a.text for a in amendments_agreed(tt, history, date(2011, 4, 7))] == ["Name the lead partner"]


def test_replacing_an_approval_that_later_steps_rely_on_is_refused(store, tt):
    approve_to_exec(store, tt)
    with pytest.raises(DecisionError, match=f"^{EXEC} already decided after {CMT} approved; replace those"):
        decide(store, tt, CMT, "rejected", date(2011, 4, 27), replace=True)


def test_a_deferred_meeting_decides_again_once_its_new_date_is_confirmed(store, tt):
    approve_to_exec(store, tt)
    decide(store, tt, CABINET, "deferred", date(2011, 5, 10), note="more time for Members")
    with pytest.raises(DecisionError, match=f"record the re-arranged date with `scs replan {CABINET} DATE` first"):
        decide(store, tt, CABINET, "approved", date(2011, 5, 10))
    record_replan(store, tt, CABINET, date(2011, 5, 24), by="Mark Fretwell", at=AT)
    with pytest.raises(DecisionError, match="meets on Tue 24 May 2011; a decision cannot be dated Thu 19 May 2011"):
        decide(store, tt, CABINET, "approved", date(2011, 5, 19))
    decide(store, tt, CABINET, "approved", date(2011, 5, 24))
    assert [(d.outcome, d.replaced_by) for d in store.decisions() if d.meeting_id == CABINET] == [
        ("deferred", None), ("approved", None)]
    with pytest.raises(DecisionError, match=f"^{COUNCIL} cannot decide before {CABINET} has approved$"):
        decide(store, tt, COUNCIL, "approved", date(2011, 5, 12))  # 12 May came before Cabinet's 24 May
    record_replan(store, tt, COUNCIL, date(2011, 5, 26), by="Mark Fretwell", at=AT)
    assert decide(store, tt, COUNCIL, "approved", date(2011, 5, 26)).outcome == "approved"


@pytest.mark.parametrize("new_date, message", [
    (date(2011, 5, 30), "Mon 30 May 2011 is not a working day (Spring Bank Holiday)"),
    (date(2011, 5, 21), "Sat 21 May 2011 is not a working day (a Saturday)"),
    (date(2011, 5, 18), f"{CABINET} cannot meet on Wed 18 May 2011: the earliest possible date is Thu 19 May 2011 "
                        "(after the step before it, papers 5 clear days (LGA 1972 s100B))"),
])
def test_a_new_date_must_be_possible(store, tt, new_date, message):
    approve_to_exec(store, tt)
    decide(store, tt, CABINET, "deferred", date(2011, 5, 10))
    with pytest.raises(DecisionError) as err:
        record_replan(store, tt, CABINET, new_date, by="x", at=AT)
    assert str(err.value).startswith(message)
    assert store.replans() == []


def test_new_dates_keep_their_history_and_a_decided_meeting_cannot_move(store, tt):
    approve_to_exec(store, tt)
    decide(store, tt, CABINET, "deferred", date(2011, 5, 10))
    record_replan(store, tt, CABINET, date(2011, 5, 19), by="x", at=AT)
    record_replan(store, tt, CABINET, date(2011, 5, 24), by="x", at=AT)
    assert [r.new_date for r in store.replans()] == [date(2011, 5, 19), date(2011, 5, 24)]
    assert load_approvals(store.path).replans == {CABINET: date(2011, 5, 24)}
    with pytest.raises(DecisionError, match=f"{EXEC} has already decided"):
        record_replan(store, tt, EXEC, date(2011, 5, 16), by="x", at=AT)


def test_a_decision_recorded_meanwhile_is_not_overwritten(store, tt):
    decide(store, tt, RATIFY, "approved", date(2011, 4, 7))
    with pytest.raises(UserError, match="was recorded meanwhile"):
        store.add_decision(meeting_id=RATIFY, outcome="rejected", decided_on=date(2011, 4, 7), note="", amendment=None,
                           by="x", at=AT, replaces=None, expect_latest=None)
    assert len(store.decisions()) == 1


def test_amendments_count_from_their_day_and_only_while_in_force(tt):
    from scs_refresh.core.store import DecisionRecord

    records = [DecisionRecord(1, CABINET, "approved_with_amendments", date(2011, 5, 10), "", "Old", "x", AT, 2),
               DecisionRecord(2, CABINET, "approved_with_amendments", date(2011, 5, 10), "", "New", "x", AT),
               DecisionRecord(3, COUNCIL, "approved_with_amendments", date(2011, 5, 12), "", "Later", "x", AT)]
    assert [(a.meeting, a.text) for a in amendments_agreed(tt, records, date(2011, 5, 11))] == [
        ("Breckland Council Cabinet", "New")]
    assert [a.text for a in amendments_agreed(tt, records, date(2011, 5, 12))] == ["New", "Later"]


# --- amendments make a new draft version ------------------------------------------------

def test_an_amendment_makes_a_new_draft_version_with_its_change_summary(tmp_path):
    from scs_refresh.approval.decisions import Amendment
    from scs_refresh.evidence.collate import collate_and_write
    from scs_refresh.strategy.draft import AMENDMENTS, write_draft
    from scs_refresh.workspace import Workspace
    from scs_refresh.core.folders import Dirs

    inputs = Workspace.load(Dirs(config=ROOT / "config", out=tmp_path, state=tmp_path)).draft_inputs()
    base, folder = collate_and_write(inputs.manifest, tmp_path, date(2011, 5, 9))

    def draft(on, amendments=()):
        return write_draft(inputs, base.digest, {}, folder / "charts", tmp_path / "scs", ROOT / "templates", on,
                           amendments)

    assert draft(date(2011, 5, 9)).version == 1
    amendment = Amendment("Breckland Council Cabinet", "2011-05-10", "Add a priority on rural broadband & <access>")
    v2 = draft(date(2011, 5, 10), [amendment])
    assert (v2.version, v2.new) == (2, True)
    assert v2.changed == {"Amendments agreed": [
        "amendment added: Breckland Council Cabinet, 10 May 2011: Add a priority on rural broadband & <access>"]}
    rows = [[c.text for c in r.cells] for r in docx.Document(v2.changes).tables[0].rows]
    assert ["Amendments agreed", "Amendment added: Breckland Council Cabinet, 10 May 2011: Add a priority on rural "
            "broadband & <access>", "Breckland Council Cabinet"] in rows  # at whose request: the meeting
    text = [c.text for t in docx.Document(v2.docx).tables for r in t.rows for c in r.cells]
    assert "Add a priority on rural broadband & <access>" in text and "10 May 2011" in text
    assert AMENDMENTS in [p.text for p in docx.Document(v2.docx).paragraphs]
    assert draft(date(2011, 5, 11), [amendment]).new is False  # nothing changed since


# --- the command line ------------------------------------------------------------------

def cli(tmp_path: Path, *args: str, config: Path = ROOT / "config"):
    return CliRunner().invoke(app, ["--config-dir", str(config), "--out-dir", str(tmp_path / "out"), "--state-dir",
                                    str(tmp_path / "state"), "--templates-dir", str(ROOT / "templates"), *args])


def test_cli_records_decisions_and_shows_the_replanned_chain(tmp_path):
    for meeting, on in ((RATIFY, "2011-04-07"), (CMT, "2011-04-27"), (EXEC, "2011-05-09")):
        assert cli(tmp_path, "decision", meeting, "approved", "--on", on).exit_code == 0
    deferred = cli(tmp_path, "decision", CABINET, "deferred", "--on", "2011-05-10", "--note", "more time")
    assert deferred.exit_code == 0, deferred.output
    lines = deferred.output.splitlines()
    assert lines[0] == f"recorded: {CABINET} deferred on 2011-05-10"
    assert f"Tue 10 May 2011  {CABINET}: deferred on Tue 10 May 2011; re-arrange: earliest Thu 19 May 2011" in lines
    assert f"Thu 12 May 2011  {COUNCIL}: AT RISK: earliest now Fri 20 May 2011" in lines
    assert f"Thu 19 May 2011  {LAUNCH}: AT RISK: earliest now Mon 23 May 2011" in lines
    moved = cli(tmp_path, "replan", CABINET, "2011-05-24", "--on", "2011-05-11")
    assert moved.exit_code == 0 and moved.output.startswith(f"re-planned: {CABINET} on 2011-05-24\n")
    shown = cli(tmp_path, "decisions")
    assert f"Tue 24 May 2011 (was Tue 10 May 2011)  {CABINET}: deferred on Tue 10 May 2011; re-arranged for " \
           "Tue 24 May 2011" in shown.output.splitlines()
    assert f"Thu 12 May 2011  {COUNCIL}: AT RISK: earliest now Wed 25 May 2011" in shown.output.splitlines()


@pytest.mark.parametrize("args, error", [
    (("decision", CABINET, "approved", "--on", "2011-05-10"),
     f"error: {CABINET} cannot decide before {RATIFY}, {CMT}, {EXEC} have approved\n"),
    (("decision", RATIFY, "approved", "--on", "7/4/2011"), "error: --on: "),
    (("replan", CABINET, "2011-13-01"), "error: DATE: "),
    (("replan", CABINET, "2011-05-30"), "error: Mon 30 May 2011 is not a working day (Spring Bank Holiday)"),
])
def test_cli_errors_are_one_line_with_exit_code_2(tmp_path, args, error):
    result = cli(tmp_path, *args)
    assert result.exit_code == 2
    assert result.output.startswith(error) and result.output.count("\n") == 1 and "Traceback" not in result.output


def test_cli_replace_and_history(tmp_path):
    assert cli(tmp_path, "decision", RATIFY, "approved", "--on", "2011-04-07").exit_code == 0
    again = cli(tmp_path, "decision", RATIFY, "rejected", "--on", "2011-04-07")
    assert again.exit_code == 2 and "use --replace to correct it" in again.output
    fixed = cli(tmp_path, "decision", RATIFY, "rejected", "--on", "2011-04-07", "--replace", "--note", "minuted wrongly")
    assert fixed.exit_code == 0 and fixed.output.startswith(f"recorded: {RATIFY} rejected on 2011-04-07 (the earlier")
    assert f"Thu 7 Apr 2011  {RATIFY}: rejected on Thu 7 Apr 2011" in fixed.output
    assert f"{CMT}: cannot go ahead: {RATIFY} rejected the SCS" in fixed.output
    assert f"  {RATIFY}: approved on 2011-04-07, recorded 2011-04-07 " in fixed.output
    assert "by Mark Fretwell (replaced)" in fixed.output


def test_cli_amendment_writes_a_new_draft_version(tmp_path, config_dir):
    shutil.copytree(ROOT / "evidence", tmp_path / "evidence")
    assert cli(tmp_path, "scs-draft", "--on", "2011-04-06", "--no-pdf", config=config_dir).exit_code == 0
    result = cli(tmp_path, "decision", RATIFY, "approved-with-amendments", "--on", "2011-04-07",
                 "--amendment", "Add a priority on rural broadband", config=config_dir)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:5] == [f"recorded: {RATIFY} approved_with_amendments on 2011-04-07",
                         f"wrote {tmp_path / 'out' / 'scs' / 'draft-v2.docx'} (draft version 2)",
                         f"wrote {tmp_path / 'out' / 'scs' / 'changes-v2.docx'}",
                         f"wrote {tmp_path / 'out' / 'scs' / 'draft-v2-tracked.docx'}",
                         "changed: Amendments agreed: 1 change(s)"]
    summary = docx.Document(str(tmp_path / "out" / "scs" / "changes-v2.docx"))
    assert "Amendment added: Breckland Partnership (LSP) Board, 07 April 2011: Add a priority on rural broadband" in \
        [c.text for r in summary.tables[0].rows for c in r.cells]
