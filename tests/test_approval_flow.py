"""The committee-decision flow on the temporary Prefect API: it pauses for a typed decision, is
resumed from outside the run, records the decision, and does not pause when it is already known."""

from __future__ import annotations

import contextvars
import threading
import time
from datetime import date, datetime

import pytest

from flows.approval import DECISION_TIMEOUT, Decision, committee_decision, decision_so_far
from scs_refresh.approval.decisions import load_approvals, record_decision, record_replan
from scs_refresh.core.folders import Dirs
from scs_refresh.core.store import Store
from scs_refresh.timetable.model import load_timetable

from .conftest import ROOT
from .test_replan import CABINET, CMT, EXEC, RATIFY

pytestmark = pytest.mark.usefixtures("prefect_harness")

AT = datetime(2011, 5, 1, 9)


@pytest.fixture
def dirs(tmp_path):
    """The bundled config with the chain approved up to Executive Board."""
    d = Dirs(config=ROOT / "config", out=tmp_path / "out", state=tmp_path / "state", templates=ROOT / "templates")
    tt = load_timetable(d.timetable)
    with Store.open(d.store) as store:
        for meeting in (RATIFY, CMT, EXEC):
            record_decision(store, tt, meeting, "approved", on=tt.event[meeting].date, by="x", at=AT)
    return d


def run(dirs: Dirs, meeting: str, on: date, **kw):
    return committee_decision(meeting, on, dirs, **kw)


def paused_run(started: float, timeout: float = 60):
    """The committee-decision run waiting for input, once it has paused (or fail after ``timeout`` s)."""
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
    from prefect.client.schemas.objects import StateType

    paused = FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED])))
    with get_client(sync_client=True) as client:
        while time.monotonic() - started < timeout:
            runs = [r for r in client.read_flow_runs(flow_run_filter=paused) if r.parameters.get("meeting_id") == CABINET]
            if runs:
                return runs[0]
            time.sleep(0.2)
    pytest.fail("the flow never paused")


def test_the_timeout_is_four_weeks_and_the_input_is_typed():
    assert DECISION_TIMEOUT.days == 28
    with pytest.raises(ValueError):
        Decision(outcome="agreed")


def test_decision_is_waited_for_then_recorded(dirs):
    result: dict = {}

    def target():
        try:
            result["decision"] = run(dirs, CABINET, date(2011, 5, 10), poll_seconds=1)
        except BaseException as exc:  # reported by the assertion below
            result["error"] = exc

    from prefect.flow_runs import resume_flow_run

    started = time.monotonic()
    # The flow runs in a thread with this context, so it talks to the same temporary API.
    worker = threading.Thread(target=contextvars.copy_context().run, args=(target,), daemon=True)
    worker.start()
    flow_run = paused_run(started)
    assert load_approvals(dirs.store).decisions[-1].meeting_id == EXEC  # nothing recorded while it waits
    for _ in range(50):  # the input schema is saved just after the run pauses
        try:
            resume_flow_run(flow_run.id, run_input={"outcome": "deferred", "note": "More time for Members"})
            break
        except RuntimeError:
            time.sleep(0.2)
    worker.join(timeout=60)
    assert not worker.is_alive() and "error" not in result, result
    stored = load_approvals(dirs.store).decisions[-1]
    assert (stored.meeting_id, stored.outcome, stored.decided_on, stored.note) == (
        CABINET, "deferred", date(2011, 5, 10), "More time for Members")
    assert result["decision"] == stored


def test_a_recorded_decision_is_returned_without_pausing(dirs):
    tt = load_timetable(dirs.timetable)
    with Store.open(dirs.store) as store:
        recorded = record_decision(store, tt, CABINET, "approved", on=date(2011, 5, 10), by="x", at=AT)
    from prefect import get_client

    state = run(dirs, CABINET, date(2011, 5, 10), return_state=True)
    assert state.result() == recorded
    # It never paused: the run's own state history has no Paused state in it.
    with get_client(sync_client=True) as client:
        history = client.read_flow_run_states(state.state_details.flow_run_id)
    assert [s.type.value for s in history][-1] == "COMPLETED"
    assert "PAUSED" not in {s.type.value for s in history}
    assert len(load_approvals(dirs.store).decisions) == 4


def test_a_deferral_at_the_first_sitting_does_not_count_for_the_rearranged_one(dirs):
    tt = load_timetable(dirs.timetable)
    with Store.open(dirs.store) as store:
        deferred = record_decision(store, tt, CABINET, "deferred", on=date(2011, 5, 10), by="x", at=AT)
        assert decision_so_far.fn(dirs, tt, CABINET) == deferred
        record_replan(store, tt, CABINET, date(2011, 5, 24), by="x", at=AT)
    assert decision_so_far.fn(dirs, tt, CABINET) is None


def _in_thread(dirs: Dirs, meeting: str, on: date, **kw):
    """The flow run in a thread with this context (the same temporary API); its result or error in the dict."""
    result: dict = {}

    def target():
        try:
            result["decision"] = run(dirs, meeting, on, **kw)
        except BaseException as exc:  # reported by the test's assertions
            result["error"] = exc

    worker = threading.Thread(target=contextvars.copy_context().run, args=(target,), daemon=True)
    worker.start()
    return worker, result


def test_a_decision_given_with_scs_decision_while_the_run_waits_is_the_one_that_stands(dirs):
    from prefect.flow_runs import resume_flow_run
    from typer.testing import CliRunner

    from scs_cli.main import app

    started = time.monotonic()
    worker, result = _in_thread(dirs, CABINET, date(2011, 5, 10), poll_seconds=1)
    flow_run = paused_run(started)
    given = CliRunner().invoke(app, ["--config-dir", str(dirs.config), "--state-dir", str(dirs.state),
                                     "--out-dir", str(dirs.out), "decision", CABINET, "approved",
                                     "--on", "2011-05-10", "--note", "Agreed by Cabinet"])
    assert given.exit_code == 0, given.output
    for _ in range(50):  # then the form is sent too, saying otherwise
        try:
            resume_flow_run(flow_run.id, run_input={"outcome": "deferred"})
            break
        except RuntimeError:
            time.sleep(0.2)
    worker.join(timeout=60)
    assert not worker.is_alive() and "error" not in result, result
    decisions = [d for d in load_approvals(dirs.store).decisions if d.meeting_id == CABINET]
    assert [(d.outcome, d.note) for d in decisions] == [("approved", "Agreed by Cabinet")]
    assert result["decision"] == decisions[0]


def test_no_decision_within_the_timeout_fails_the_run_saying_what_to_do(dirs):
    from datetime import timedelta

    from prefect.exceptions import FlowPauseTimeout

    with pytest.raises(FlowPauseTimeout, match="scs replan"):
        run(dirs, CABINET, date(2011, 5, 10), poll_seconds=1, timeout=timedelta(seconds=3))
    assert CABINET not in {d.meeting_id for d in load_approvals(dirs.store).decisions}
