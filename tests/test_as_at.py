"""One view of the refresh as at a day (scs_refresh.as_at.records_on): what was recorded after the day
never counts, so the outputs written for a day are the same whatever happened later."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import ROOT
from scs_refresh.approval.decisions import Approvals, chain_lines, confirmed_dates
from scs_refresh.as_at import draft_on, known_on, load_state, records_on, scorecard_on
from scs_refresh.automation.simulation import import_replies, load_simulation
from scs_refresh.core.dates import recorded_at
from scs_refresh.core.folders import Dirs
from scs_refresh.core.store import DecisionRecord, Interview, Records, Replan, SendRecord, Store
from scs_refresh.papers.generate import generate_meeting_papers
from scs_refresh.partners import outreach
from scs_refresh.partners.interviews import stage_warning
from scs_refresh.partners.status import status
from scs_refresh.strategy.scoping import scoping_record
from scs_refresh.workspace import Workspace

D = date(2010, 11, 30)  # the end of the scoping stage: three partners have still to reply


def _at(day: date, hour: int = 7) -> datetime:
    return datetime.combine(day, datetime.min.time()).replace(hour=hour)


# --- the view, record by record -------------------------------------------------------------

def _send(key, queued, sent, status="sent"):
    return SendRecord(key, "reminder", "p1", ["a@example.org"], "s", "m", status, 1, _at(queued),
                      _at(sent) if sent else None, None)


def test_the_view_leaves_out_everything_recorded_after_the_day():
    from scs_refresh.core.store import ProgressUpdate, Response

    resp = lambda pid, day: Response(pid, day, "f.csv", "csv", {}, [], _at(day), 1)  # noqa: E731
    dec = lambda seq, mid, day, replaced=None, rec=None: DecisionRecord(  # noqa: E731
        seq, mid, "approved", day, "", None, "officer", _at(rec or day), replaced)
    records = Records(
        responses={"early": resp("early", D), "late": resp("late", D + timedelta(days=1))},
        interviews={
            "asked-late": Interview("asked-late", D + timedelta(days=1), [], None, False, ""),
            "agreed-late": Interview("agreed-late", date(2010, 11, 1), [], _at(date(2010, 12, 9), 14), False, "",
                                     agreed_on=date(2010, 12, 2)),
            "held-late": Interview("held-late", date(2010, 11, 1), [], _at(date(2010, 11, 17), 14), True, "notes",
                                   agreed_on=date(2010, 11, 3), held_on=date(2010, 12, 1)),
        },
        sends=[_send("sent", D, D), _send("sent-later", D, D + timedelta(days=2)), _send("queued-later", D + timedelta(days=1), None)],
        decisions=[dec(1, "cmt", date(2010, 11, 1), replaced=2), dec(2, "cmt", date(2010, 12, 1)),
                   dec(3, "exec", date(2010, 11, 2), rec=date(2010, 12, 5))],
        replans=[Replan(1, "cabinet", date(2011, 5, 19), "officer", _at(D)),
                 Replan(2, "council", date(2011, 5, 20), "officer", _at(D + timedelta(days=1)))],
        progress=[ProgressUpdate("x", "2009/10", 1.0, "", "", "officer", _at(D), 1),
                  ProgressUpdate("x", "2010/11", 2.0, "", "", "officer", _at(D + timedelta(days=1)), 1)])
    seen = known_on(records, D)
    assert list(seen.responses) == ["early"]
    assert "asked-late" not in seen.interviews
    assert seen.interviews["agreed-late"].agreed_at is None  # requested by then, not yet agreed
    held = seen.interviews["held-late"]
    assert (held.agreed_at, held.held, held.notes) == (_at(date(2010, 11, 17), 14), False, "")
    assert [(s.key, s.status, s.sent_at) for s in seen.sends] == [("sent", "sent", _at(D)), ("sent-later", "pending", None)]
    # the correction recorded on 1 December does not exist yet: the first decision stands, not replaced
    assert [(d.seq, d.replaced_by) for d in seen.decisions] == [(1, None)]
    assert [r.meeting_id for r in seen.replans] == ["cabinet"] and [u.period for u in seen.progress] == ["2009/10"]
    assert known_on(records, D + timedelta(days=10)) == records


def test_no_store_yet_is_nothing_recorded(tmp_path):
    assert records_on(tmp_path / "state" / "scs.sqlite", D) == Records.none()


# --- the property: later records leave the outputs for D unchanged ---------------------------

def _text(path: Path) -> str:
    doc = docx.Document(str(path))
    return "\n".join([p.text for p in doc.paragraphs]
                     + [c.text for t in doc.tables for r in t.rows for c in r.cells])


def outputs(dirs: Dirs, on: date) -> dict:
    """Everything written for ``on``: the status, the scoping review, the Board's papers, the draft
    SCS, the scorecard and the approval chain."""
    ws = Workspace.load(dirs)
    records = records_on(dirs.store, on)
    rows = status(records, ws.partners, ws.timetable.cycle, on)
    papers = generate_meeting_papers(load_state(ws, on), "lsp-board-2010-12-03", dirs.out, dirs.templates, pdf=False)
    draft = draft_on(ws, on)
    card = scorecard_on(ws, on).card
    return {
        "status": [(r.partner_id, r.sent, r.reminders, r.responded_on, r.overdue, r.interview) for r in rows],
        "warning": stage_warning(records.interviews, ws.partners, ws.timetable, on),
        "scoping": scoping_record(ws.timetable, on, ws.partners, records.responses, None),
        "board report": _text(papers.papers[0]),
        "draft": (draft.version, _text(draft.docx)),
        "scorecard": [(r.indicator.id, r.rag.label, r.reason) for r in card.rows],
        "chain": chain_lines(ws.timetable, Approvals(records.decisions, confirmed_dates(records.replans))),
    }


@pytest.fixture(scope="module")
def cycle_on_d(tmp_path_factory):
    """A cycle as it stood at the end of 30 November 2010, with its outputs for that day written once."""
    root = tmp_path_factory.mktemp("as-at")
    shutil.copytree(ROOT / "config", root / "config")
    shutil.copytree(ROOT / "evidence", root / "evidence")
    dirs = Dirs(root / "config", root / "out", root / "state", ROOT / "templates")
    ws = Workspace.load(dirs)
    setup = ws.outreach()
    outreach.queue_questionnaires(setup, _at(date(2010, 10, 15)))
    outreach.deliver(setup, _at(date(2010, 10, 15)), {})
    outreach.queue_interview_requests(setup, date(2010, 11, 1), _at(date(2010, 11, 1)))
    outreach.deliver(setup, _at(date(2010, 11, 1)), {})
    sim = load_simulation(dirs.config / "simulation.yaml", ws.partners, ws.timetable)
    with Store.open(dirs.store) as store:
        for reply in sim.replies:
            if reply.on <= D:
                import_replies(store, [reply], ws.partners, ws.timetable.cycle, dirs.out / "simulation", reply.on,
                               recorded_at(reply.on))
        store.interview_recorded("nhs-norfolk", agreed_at=_at(date(2010, 11, 17), 14), held=False, notes=None,
                                 on=date(2010, 11, 3))
        store.interview_recorded("nhs-norfolk", agreed_at=None, held=True, notes="Public health data offered",
                                 on=date(2010, 11, 17))
        store.record_progress(indicator_id="volunteers-placed", period="2009/10", value=300, note="", source="",
                              by="officer", at=_at(date(2010, 11, 20)))
    for day in (date(2010, 11, 5), date(2010, 11, 10), date(2010, 11, 12)):
        outreach.queue_chase(setup, day, _at(day))
        outreach.deliver(setup, _at(day), {})
    outputs(dirs, D)  # the first writing (draft version 1 among them)
    pristine = root / "pristine"
    for name in ("out", "state"):
        shutil.copytree(root / name, pristine / name)
    return root, dirs


def _restore(root: Path) -> None:
    for name in ("out", "state"):
        shutil.rmtree(root / name, ignore_errors=True)
        shutil.copytree(root / "pristine" / name, root / name)


@pytest.fixture(scope="module")
def baseline(cycle_on_d):
    root, dirs = cycle_on_d
    _restore(root)
    return outputs(dirs, D)


AFTER = st.integers(min_value=1, max_value=170).map(lambda n: D + timedelta(days=n))
LATER = st.one_of(
    st.tuples(st.just("response"), st.sampled_from(["business-forum", "norfolk-probation", "town-parish-councils"]),
              AFTER),
    st.tuples(st.just("interview agreed"), st.sampled_from(["breckland-council", "business-forum", "voluntary-norfolk"]),
              AFTER),
    st.tuples(st.just("interview held"), st.sampled_from(["norfolk-constabulary", "norfolk-county-council"]), AFTER),
    st.tuples(st.just("interview requested"), st.sampled_from(["jobcentre-plus", "environment-agency"]), AFTER),
    st.tuples(st.just("reminder"), st.sampled_from(["business-forum", "town-parish-councils"]), AFTER),
    st.tuples(st.just("decision"), st.sampled_from(["lsp-board-2011-04-07", "cmt-2011-04-27", "full-council-2011-05-12"]),
              AFTER),
    st.tuples(st.just("replan"), st.sampled_from(["lsp-board-2011-02-03", "cabinet-2011-05-10"]), AFTER),
    st.tuples(st.just("figure"), st.sampled_from(["volunteers-placed", "affordable-homes-delivered"]), AFTER),
    st.tuples(st.just("draft version"), st.just(""), AFTER),
)


def _add(dirs: Dirs, ws: Workspace, later: list[tuple[str, str, date]]) -> None:
    with Store.open(dirs.store) as store:
        for n, (kind, who, day) in enumerate(later):
            at = _at(day, 9)
            if kind == "response" and who not in store.responses():
                store.save_response(partner_id=who, received_on=day, source_file="late.csv", source_kind="csv",
                                    answers={"priorities": f"A late reply {n}"}, problems=[], at=at)
            elif kind == "interview agreed":
                store.interview_recorded(who, agreed_at=at + timedelta(days=7), held=False, notes=None, on=day)
            elif kind == "interview held":
                store.interview_recorded(who, agreed_at=None, held=True, notes=f"notes {n}", on=day)
            elif kind == "interview requested" and who not in store.interviews():
                store.interview_requested(who, day, [at])
            elif kind == "reminder":
                key = f"reminder:{ws.timetable.cycle.id}:{who}:later-{n}"
                if store.enqueue(key=key, kind="reminder", partner_id=who, recipients=["x@example.org"], subject="s",
                                 message_id=f"<{n}@x>", raw=b"x", at=at):
                    store.mark_sent(key, at)
            elif kind == "decision":
                latest = max((d.seq for d in store.decisions() if d.meeting_id == who), default=None)
                store.add_decision(meeting_id=who, outcome="approved_with_amendments", decided_on=day, note="later",
                                   amendment=f"amendment {n}", by="officer", at=at, replaces=None,
                                   expect_latest=latest)
            elif kind == "replan":
                store.add_replan(meeting_id=who, new_date=day + timedelta(days=30), by="officer", at=at)
            elif kind == "figure":
                period = f"{2010 + n % 3}/{11 + n % 3}"
                if not any(u.indicator_id == who and u.period == period for u in store.progress_updates()):
                    store.record_progress(indicator_id=who, period=period, value=400 + n, note="", source="",
                                          by="officer", at=at)
            elif kind == "draft version":
                scs = dirs.out / "scs"
                number = max(int(p.stem.split("-v")[1]) for p in scs.glob("draft-v*.json")) + 1
                content = json.loads((scs / "draft-v1.json").read_text())["content"]
                content["title"] = f"A later title {n}"
                (scs / f"draft-v{number}.json").write_text(json.dumps({"version": number, "on": day.isoformat(),
                                                                       "content": content}))
                shutil.copyfile(scs / "draft-v1.docx", scs / f"draft-v{number}.docx")


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(later=st.lists(LATER, min_size=1, max_size=8))
def test_records_dated_after_the_day_leave_its_outputs_unchanged(cycle_on_d, baseline, later):
    root, dirs = cycle_on_d
    _restore(root)
    _add(dirs, Workspace.load(dirs), later)
    assert outputs(dirs, D) == baseline


def test_the_baseline_is_the_state_on_the_day(baseline):
    status = dict((row[0], row) for row in baseline["status"])
    assert sum(1 for row in baseline["status"] if row[3]) == 9  # nine of twelve replied by 30 November 2010
    assert status["business-forum"][3] is None and status["business-forum"][4]  # overdue
    assert status["nhs-norfolk"][5] == "held"
    assert "Broadband for rural businesses" not in baseline["scoping"]  # the Business Forum replied in January
    assert "9 of 12 partners have responded" in baseline["board report"]
    assert baseline["draft"][0] == 1
