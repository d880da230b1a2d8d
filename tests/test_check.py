"""`scs check`: every problem in every file in one run, then the warnings, pinned to real dates."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from scs_refresh.check import check_cycle
from scs_refresh.core.folders import Dirs
from scs_refresh.timetable.civic_calendar import (first_thursday_in_may, in_christmas_closure,
                                                  notice_of_election_deadline, pre_election_period,
                                                  why_not_a_meeting_day)

from .conftest import ROOT
from .test_cli import scs


# --- the date rules, against the real calendar ------------------------------------------------

def test_the_ordinary_day_of_local_elections_is_the_first_thursday_in_may():
    assert first_thursday_in_may(2015) == date(2015, 5, 7)  # the 2015 local (and general) elections
    assert first_thursday_in_may(2011) == date(2011, 5, 5)
    assert first_thursday_in_may(2025) == date(2025, 5, 1)


@pytest.mark.parametrize("polling_day, notice_by", [
    # Good Friday 3 Apr, Easter Monday 6 Apr and the early May bank holiday 4 May 2015 are not counted
    (date(2015, 5, 7), date(2015, 3, 30)),
    # the Electoral Commission's timetable for 5 May 2016: notice "not later than Wednesday 30 March"
    (date(2016, 5, 5), date(2016, 3, 30)),
    # Gloucestershire's county elections of 1 May 2025: notice of election published Tuesday 25 March
    (date(2025, 5, 1), date(2025, 3, 25)),
])
def test_the_notice_of_election_is_due_25_counted_days_before_polling_day(polling_day, notice_by):
    assert notice_of_election_deadline(polling_day) == notice_by
    period = pre_election_period(polling_day)
    assert notice_by in period and polling_day in period and polling_day.replace(day=polling_day.day + 1) not in period


def test_days_to_think_twice_about():
    assert why_not_a_meeting_day(date(2015, 5, 4)) == "a bank holiday (May Day)"  # Mon 4 May 2015
    assert why_not_a_meeting_day(date(2014, 12, 25)) == "a bank holiday (Christmas Day)"  # Thu 25 Dec 2014
    assert why_not_a_meeting_day(date(2015, 5, 16)) == "a Saturday"
    assert "Christmas and New Year closure" in why_not_a_meeting_day(date(2014, 12, 29))  # a Monday
    assert in_christmas_closure(date(2014, 12, 24)) and in_christmas_closure(date(2015, 1, 2))
    assert not in_christmas_closure(date(2015, 1, 5)) and not in_christmas_closure(date(2014, 12, 23))
    assert why_not_a_meeting_day(date(2015, 5, 5)) is None  # Tue 5 May 2015, an ordinary working day


# --- the warnings on a 2014/15 cycle -----------------------------------------------------------

def _workspace(tmp_path: Path) -> Path:
    for name in ("config", "evidence", "templates"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


def _dirs(root: Path) -> Dirs:
    return Dirs(config=root / "config", out=root / "out", state=root / "state", templates=root / "templates")


def _edit(file: Path, *pairs: tuple[str, str]) -> None:
    text = file.read_text()
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    file.write_text(text)


def _cycle_2014_15(tmp_path: Path) -> Path:
    """The bundled cycle four years on, with the three dates of issue 15 and the 2015 election."""
    root = _workspace(tmp_path)
    config = root / "config"
    (config / "simulation.yaml").unlink()
    _edit(config / "timetable.yaml", ("2010-", "2014-"), ("2011-", "2015-"))
    _edit(config / "partners.yaml", ("2010-", "2014-"))
    _edit(config / "delivery_plan.yaml", ("2014-03-31", "2018-03-31"))
    _edit(config / "timetable.yaml",
          ("date: 2014-12-03", "date: 2014-12-25"),  # the Board on Christmas Day
          ("date: 2015-05-09", "date: 2015-05-04"),  # Executive Board on the May Day bank holiday
          ("date: 2015-05-10", "date: 2015-05-05"),
          ("date: 2015-05-12", "date: 2015-05-16"),  # Full Council on a Saturday
          ("{date: 2015-05-05, title: Breckland", "{date: 2015-05-07, title: Breckland"))
    return root


def _lines(report) -> list[str]:
    return [str(p) for p in report.warnings]


def test_meetings_on_a_bank_holiday_christmas_day_a_saturday_and_in_the_pre_election_period(tmp_path):
    root = _cycle_2014_15(tmp_path)
    report = check_cycle(_dirs(root))
    assert report.errors == []
    warnings = "\n".join(_lines(report))
    assert "'lsp-board-2014-12-03' meets on Thu 25 Dec 2014, a bank holiday (Christmas Day)" in warnings
    assert "'executive-board-2015-05-09' meets on Mon 4 May 2015, a bank holiday (May Day)" in warnings
    assert "'full-council-2015-05-12' meets on Sat 16 May 2015, a Saturday" in warnings
    period = ("the pre-election period before the Breckland District Council elections on Thu 7 May 2015 "
              "(from Mon 30 Mar 2015, the last day for the notice of election)")
    assert f"'cmt-2015-04-27' meets on Mon 27 Apr 2015, in {period}" in warnings
    assert f"'executive-board-2015-05-09' meets on Mon 4 May 2015, in {period}" in warnings
    # Full Council meets after polling day; its papers (Fri 8 May) go out after it too
    assert "'full-council-2015-05-12' meets on Sat 16 May 2015, in" not in warnings
    assert "papers for 'full-council-2015-05-12'" not in warnings
    # partner dates too: the dates moved by hand land on a weekend in 2014
    assert "interviews.request_on: the day the interview requests go out falls on Sat 1 Nov 2014, a Saturday" in warnings
    assert "interviews.slots[2]: the interview slot at 10:00 falls on Sun 23 Nov 2014, a Sunday" in warnings
    # each names the file, the line of the date and its key
    christmas = next(p for p in report.warnings if "Christmas Day" in p.message)
    timetable = (root / "config" / "timetable.yaml").read_text().splitlines()
    assert christmas.key == "events[1].date" and timetable[christmas.line - 1] == "    date: 2014-12-25"


def test_a_cycle_over_the_first_thursday_in_may_with_no_elections_listed_is_told_to_list_them(tmp_path):
    root = _cycle_2014_15(tmp_path)
    _edit(root / "config" / "timetable.yaml",
          ("elections:\n  - {date: 2015-05-07, title: Breckland District Council elections}\n", ""))
    report = check_cycle(_dirs(root))
    election = [w for w in _lines(report) if w.startswith(f"{root / 'config' / 'timetable.yaml'}: elections:")]
    assert len(election) == 1 and "Thu 7 May 2015 is the first Thursday in May" in election[0]
    assert not any("in the pre-election period" in w for w in _lines(report))


def test_warnings_alone_exit_0_and_strict_makes_them_fail(tmp_path):
    root = _cycle_2014_15(tmp_path)
    proc = scs("check", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert "ok: config/timetable.yaml" in proc.stdout
    warnings = proc.stderr.splitlines()
    assert warnings and all(line.startswith("warning: config/") for line in warnings)
    assert any("Thu 25 Dec 2014, a bank holiday (Christmas Day)" in line for line in warnings)
    strict = scs("check", "--strict", cwd=root)
    assert strict.returncode == 2 and strict.stderr == proc.stderr


def test_three_problems_in_three_files_are_all_told_in_one_run(tmp_path):
    root = _workspace(tmp_path)
    config = root / "config"
    _edit(config / "timetable.yaml", ("date: 2011-05-10", "date: 2011-02-30"))
    _edit(config / "partners.yaml", ("deadline: 2010-11-12", "deadline: 2010-11-31"))
    _edit(config / "delivery.yaml", ("  port: 587", "  port: 99999"))
    _edit(config / "evidence.yaml", ("evidence_dir: ../evidence", "evidence_dir: ../evidence-2014"))
    proc = scs("check", cwd=root)
    assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert [line.split(":")[1].strip() for line in errors] == [
        "config/timetable.yaml", "config/partners.yaml", "config/delivery.yaml"]
    assert "events[8].date: 2011-02-30 is not a real date" in errors[0]
    assert "questionnaire.deadline: 2010-11-31 is not a real date" in errors[1]
    assert "smtp.port" in errors[2]
    # then the warnings: the evidence files cannot be found, named with the setting that points to them
    missing = [line for line in proc.stderr.splitlines() if "evidence.yaml" in line]
    assert len(missing) == 1 and missing[0].startswith("warning: config/evidence.yaml:5: evidence_dir: the folder ")
    assert "(evidence_dir: ../evidence-2014, relative to evidence.yaml)" in missing[0]


def test_a_missing_evidence_file_is_named_with_its_setting(tmp_path):
    root = _workspace(tmp_path)
    (root / "evidence" / "imd2019_file1_imd_norfolk.csv").unlink()
    report = check_cycle(_dirs(root))
    missing = [w for w in _lines(report) if "imd2019_file1" in w]
    assert len(missing) == 1 and ": sources[0].file: imd2019_file1_imd_norfolk.csv is not in " in missing[0]
    assert "(evidence_dir: ../evidence, relative to evidence.yaml)" in missing[0]


def test_a_broken_demo_file_warns_and_never_fails_a_real_cycle(tmp_path):
    root = _workspace(tmp_path)
    _edit(root / "config" / "simulation.yaml", ("partner: nhs-norfolk", "partner: nhs-suffolk"))
    proc = scs("check", cwd=root)
    assert proc.returncode == 0, proc.stderr
    demo = [line for line in proc.stderr.splitlines() if "simulation.yaml" in line]
    assert len(demo) == 2 and all(d.startswith("warning: config/simulation.yaml:") for d in demo)  # a reply, a comment
    assert all("no partner 'nhs-suffolk'" in d and "(demo only:" in d for d in demo)
    assert "ok: config/simulation.yaml" not in proc.stdout
