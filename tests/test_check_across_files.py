"""Checks across files: every dated thing inside the cycle, the questionnaire before its chasers and
interview requests, interview slots never double-booked, the demo's file never blocking a real cycle."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from scs_refresh.check import check_cycle
from scs_refresh.core.errors import UserError
from scs_refresh.core.folders import Dirs
from scs_refresh.core.store import Store
from scs_refresh.partners import interviews
from scs_refresh.partners.register import load_partners
from scs_refresh.workspace import Workspace

from .test_check import _edit, _workspace


def _report(root: Path):
    return check_cycle(Dirs(config=root / "config", out=root / "out", state=root / "state",
                            templates=root / "templates"))


def _errors(root: Path) -> list[str]:
    return [f"{p.key}: {p.message}" for p in _report(root).errors]


def test_the_issue_15_cycle_moved_by_hand_with_partner_dates_left_in_2010_is_refused(tmp_path):
    """As measured on main: the timetable and the questionnaire moved to 2014/15, request_on and the
    slots left in November 2010, the delivery plan's outcomes still due in March 2014."""
    root = _workspace(tmp_path)
    config = root / "config"
    _edit(config / "timetable.yaml", ("2010-", "2014-"), ("2011-", "2015-"))
    _edit(config / "partners.yaml", ("send_on: 2010-10-15", "send_on: 2014-10-15"),
          ("deadline: 2010-11-12", "deadline: 2014-11-12"))
    errors = _errors(root)
    cycle = "outside the cycle (Wed 1 Oct 2014 to Sun 31 May 2015); move it into the cycle"
    assert f"interviews.request_on: the day the interview requests go out (Mon 1 Nov 2010) is {cycle}" in errors
    assert f"interviews.slots[0]: the slot at 10:00 (Mon 15 Nov 2010) is {cycle}" in errors
    assert sum(e.startswith("interviews.slots[") for e in errors) == 4
    due = [e for e in errors if e.endswith(".due: Mon 31 Mar 2014 is before the SCS is adopted ('full-council-2015-05-12', "
                                           "Tue 12 May 2015); an outcome of the new strategy falls due after it: move "
                                           "the due date on")]
    assert len(due) == 7  # every outcome of the delivery plan


def test_the_questionnaire_goes_out_before_its_chasers_and_the_interview_requests(config_dir: Path):
    _edit(config_dir / "partners.yaml", ("send_on: 2010-10-15", "send_on: 2010-11-06"))
    with pytest.raises(Exception) as err:
        load_partners(config_dir / "partners.yaml")
    lines = err.value.lines()
    assert any("chasing.reminders[0].days_before: the 'first' reminder would go on Fri 5 Nov 2010 (7 days before the "
               "deadline), not after the questionnaire goes out on Sat 6 Nov 2010" in line for line in lines)
    assert any("interviews.request_on: the interview requests would go out on Mon 1 Nov 2010, not after the "
               "questionnaire (Sat 6 Nov 2010); send them after it" in line for line in lines)
    assert not any("reminders[1]" in line for line in lines)  # the second reminder (10 Nov) is after it


def test_interview_slots_are_not_double_booked_in_the_config(config_dir: Path):
    _edit(config_dir / "partners.yaml", ("    - 2010-11-17 14:00", "    - 2010-11-15 10:30"),
          ("    - 2010-11-23 10:00", "    - 2010-11-15 10:00"))
    with pytest.raises(Exception) as err:
        load_partners(config_dir / "partners.yaml")
    lines = err.value.lines()
    assert any(":48: interviews.slots[1]: the slot 2010-11-15 10:30 overlaps slots[0] (2010-11-15 10:00; interviews "
               "last 60 minutes): one officer cannot hold both" in line for line in lines)
    assert any(":49: interviews.slots[2]: the slot 2010-11-15 10:00 is the same as slots[0]" in line for line in lines)


def test_two_partners_are_never_booked_into_the_same_slot(config_dir: Path, tmp_path: Path):
    ws = Workspace.load(Dirs(config=config_dir, out=tmp_path / "out", state=tmp_path / "state"))
    with Store.open(tmp_path / "scs.sqlite") as store:
        interviews.record(store, ws.partners, "nhs-norfolk", agreed_at=datetime(2010, 11, 17, 14), on=date(2010, 11, 1))
        with pytest.raises(UserError, match=r"^Wednesday 17 November 2010 at 14:30 is taken: NHS Norfolk \(Primary Care "
                           r"Trust\) is booked for Wednesday 17 November 2010 at 14:00 \(60 minutes\); agree another "
                           "time with the partner$"):
            interviews.record(store, ws.partners, "voluntary-norfolk", agreed_at=datetime(2010, 11, 17, 14, 30), on=date(2010, 11, 1))
        interviews.record(store, ws.partners, "voluntary-norfolk", agreed_at=datetime(2010, 11, 17, 15), on=date(2010, 11, 1))
        interviews.record(store, ws.partners, "nhs-norfolk", agreed_at=datetime(2010, 11, 17, 14), on=date(2010, 11, 1))  # the same again
        assert store.interviews()["voluntary-norfolk"].agreed_at == datetime(2010, 11, 17, 15)


def test_simulated_replies_outside_the_cycle_warn_as_demo_only(tmp_path):
    root = _workspace(tmp_path)
    _edit(root / "config" / "simulation.yaml", ("on: 2010-10-29", "on: 2010-10-14"), ("on: 2011-01-14", "on: 2011-06-14"))
    report = _report(root)
    assert report.errors == []
    demo = [f"{p.key}: {p.message}" for p in report.warnings if p.file.name == "simulation.yaml"]
    assert demo == [
        "replies[0].on: Thu 14 Oct 2010 is before the questionnaire goes out (Fri 15 Oct 2010); a partner can only "
        "reply after it (demo only: `scs demo` and `scs simulate` need this fixed, a real cycle does not)",
        "replies[10].on: Tue 14 Jun 2011 is outside the cycle (Fri 1 Oct 2010 to Tue 31 May 2011); move the reply "
        "into it (demo only: `scs demo` and `scs simulate` need this fixed, a real cycle does not)"]
