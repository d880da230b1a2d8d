"""`scs new-cycle`: the bundled 2010/11 cycle moved to 2014/15, weekdays kept, comments kept, then run."""

from __future__ import annotations

import email
import shutil
from datetime import date, datetime
from email import policy
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scs_cli.main import app
from scs_refresh.timetable.model import load_timetable
from scs_refresh.timetable.rollover import Shift, _out_of_stage, shift_to

from .conftest import ROOT
from .test_cli import scs

BUNDLED = ROOT / "config"


def test_the_shift_keeps_weekdays_and_calendar_ends():
    shift = shift_to(load_timetable(BUNDLED / "timetable.yaml"), 2014)
    assert shift == Shift(weeks=209, years=4)
    assert shift.move(date(2010, 10, 7), ("events", 0, "date")) == date(2014, 10, 9)  # a Thursday stays a Thursday
    assert shift.move(date(2011, 5, 9), ("events", 7, "date")) == date(2015, 5, 11)  # Executive Board, a Monday
    assert shift.move(date(2010, 10, 1), ("stages", 0, "window", "start")) == date(2014, 10, 1)
    assert shift.move(date(2011, 1, 31), ("stages", 1, "window", "end")) == date(2015, 1, 31)
    assert shift.move(date(2014, 3, 31), ("priorities", 0, "outcomes", 0, "due")) == date(2018, 3, 31)
    # the 2011 elections (first Thursday in May) move to the first Thursday in May 2015
    assert shift.move(date(2011, 5, 5), ("elections", 0, "date")) == date(2015, 5, 7)
    # the last day of February stays the last day of February
    assert Shift(weeks=52, years=1).calendar_day(date(2011, 2, 28)) == date(2012, 2, 29)
    assert Shift(weeks=52, years=1).calendar_day(date(2012, 2, 29)) == date(2013, 2, 28)


def test_the_shift_keeps_every_meeting_in_its_stage_in_any_year():
    """2012/13: the nearest whole weeks (104) would put the December Board on Fri 30 Nov 2012 and the
    February Board on Thu 31 Jan 2013, each outside its stage; a week later, both stay where they belong."""
    tt = load_timetable(BUNDLED / "timetable.yaml")
    shift = shift_to(tt, 2012)
    assert shift == Shift(weeks=105, years=2)
    assert shift.move(date(2010, 12, 3), ("events", 1, "date")) == date(2012, 12, 7)
    assert shift.move(date(2011, 2, 3), ("events", 2, "date")) == date(2013, 2, 7)
    assert _out_of_stage(tt, Shift(weeks=104, years=2)) == ["lsp-board-2010-12-03", "lsp-board-2011-02-03"]
    assert {year: _out_of_stage(tt, shift_to(tt, year)) for year in range(2011, 2041)} == {
        year: [] for year in range(2011, 2041)}


def test_the_bundled_cycle_moved_to_2012_13_passes_scs_check(tmp_path):
    dest = tmp_path / "2012" / "config"
    result = _new_cycle(tmp_path, "--year", "2012", "--to", str(dest))
    assert result.exit_code == 0, result.output
    assert "moved by 105 weeks (Thu 7 Oct 2010 -> Thu 11 Oct 2012, the same weekday)" in result.stdout
    assert f"scs check: no problems in {dest}" in result.stdout


def _new_cycle(tmp_path: Path, *args: str):
    return CliRunner().invoke(app, ["--config-dir", str(BUNDLED), "--templates-dir", str(ROOT / "templates"),
                                    "new-cycle", *args])


def test_the_bundled_cycle_moved_to_2014_15_keeps_comments_and_passes_scs_check(tmp_path):
    dest = tmp_path / "2014" / "config"
    result = _new_cycle(tmp_path, "--year", "2014", "--to", str(dest))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith(f"wrote {dest}: ") and "moved by 209 weeks (Thu 7 Oct 2010 -> Thu 9 Oct 2014, the same " \
                                                  "weekday), 12 ids renamed" in out
    assert "  cabinet-2011-05-10 -> cabinet-2015-05-12\n" in out and "  scs-refresh-2010-11 -> scs-refresh-2014-15\n" in out
    assert ("partners.yaml: interview slots to re-offer: Mon 17 Nov 2014 10:00, Wed 19 Nov 2014 14:00, "
            "Tue 25 Nov 2014 10:00, Thu 27 Nov 2014 14:00") in out
    assert "elections[0].date: an election on Thu 7 May 2015? Confirm with the electoral services team" in out
    assert "wording that names 2010 or 2011, kept as written" in out and "papers.yaml lines 33, 37" in out
    assert f"scs check: no problems in {dest}" in out
    # the pre-election period of 2015 is warned of, in the new folder
    assert f"warning: {dest / 'timetable.yaml'}:" in result.stderr and "Thu 7 May 2015" in result.stderr

    old, new = (BUNDLED / "timetable.yaml").read_text(), (dest / "timetable.yaml").read_text()
    assert old.count("\n") == new.count("\n")
    comments = [line for line in old.splitlines() if line.lstrip().startswith("#")]
    assert comments == [line for line in new.splitlines() if line.lstrip().startswith("#")]
    assert "    fed_by: pre-cycle   # the report that launched the cycle was written before it began\n" in new
    tt = load_timetable(dest / "timetable.yaml")
    assert tt.cycle.id == "scs-refresh-2014-15"
    assert tt.approval_chain == ["submission-2015-04-22", "cmt-2015-04-29", "executive-board-2015-05-11",
                                 "cabinet-2015-05-12", "full-council-2015-05-14", "lsp-board-2015-05-21"]
    assert [s.window.start for s in tt.stages] == [date(2014, 10, 1), date(2014, 12, 1), date(2015, 2, 1),
                                                   date(2015, 4, 1)]
    assert tt.event["away-day-2015-03"].to_be_arranged.end == date(2015, 3, 31)
    assert [e.date.weekday() for e in tt.events if e.date] == [
        e.date.weekday() for e in load_timetable(BUNDLED / "timetable.yaml").events if e.date]
    partners = (dest / "partners.yaml").read_text()
    assert "  send_on: 2014-10-17       # the daily tick sends it that day" in partners
    assert "  request_on: 2014-11-03    # the daily tick sends the requests that day" in partners
    assert "defer: cabinet-2015-05-12" in (dest / "simulation.yaml").read_text()
    assert (dest / "delivery_plan.yaml").read_text().count("due: 2018-03-31") == 7
    assert (dest / "evidence.yaml").read_text() != (BUNDLED / "evidence.yaml").read_text()  # evidence_dir only
    assert [line for line in (dest / "evidence.yaml").read_text().splitlines() if "as_at" in line] == [
        line for line in (BUNDLED / "evidence.yaml").read_text().splitlines() if "as_at" in line]


@pytest.mark.parametrize("year, message", [
    ("2009", "--year 2009: the cycle in config starts in 2010; the new cycle must start in a later year (nothing "
             "was written)"),
    ("2010", "--year 2010: the cycle in config starts in 2010; the new cycle must start in a later year (nothing "
             "was written)"),
])
def test_a_year_not_after_the_last_cycle_is_one_line_and_writes_nothing(tmp_path, year, message):
    shutil.copytree(BUNDLED, tmp_path / "config")
    proc = scs("new-cycle", "--year", year, "--to", "next/config", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [f"error: {message}"]
    assert not (tmp_path / "next").exists()


def test_a_folder_that_exists_is_one_line_and_nothing_is_overwritten(tmp_path):
    shutil.copytree(BUNDLED, tmp_path / "config")
    (tmp_path / "next").mkdir()
    (tmp_path / "next" / "timetable.yaml").write_text("# the officer's own draft\n")
    proc = scs("new-cycle", "--year", "2014", "--to", "next", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == ["error: --to next: the folder exists; give a new folder (nothing was written)"]
    assert [p.name for p in (tmp_path / "next").iterdir()] == ["timetable.yaml"]
    assert (tmp_path / "next" / "timetable.yaml").read_text() == "# the officer's own draft\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config", "next"]  # no half-written folder beside it


@pytest.mark.usefixtures("prefect_harness")
def test_the_moved_cycle_runs_a_tick_and_papers_with_nothing_dated_2010(tmp_path):
    """The measure of issue 15: a tick on the moved cycle e-mails no 2010 date and no slot in the past."""
    for name in ("evidence", "templates"):
        shutil.copytree(ROOT / name, tmp_path / name)
    assert _new_cycle(tmp_path, "--year", "2014", "--to", str(tmp_path / "config")).exit_code == 0
    folders = ["--config-dir", str(tmp_path / "config"), "--out-dir", str(tmp_path / "out"),
               "--state-dir", str(tmp_path / "state"), "--templates-dir", str(tmp_path / "templates")]
    tick = CliRunner().invoke(app, [*folders, "tick", "--on", "2014-11-04", "--no-pdf"])
    assert tick.exit_code == 0, tick.output
    assert tick.stdout.splitlines()[0].startswith("Send the partner questionnaire (deadline Fri 14 Nov 2014) "
                                                  "(due 2014-10-17, caught up)")
    messages = [email.message_from_bytes(f.read_bytes(), policy=policy.default)
                for f in sorted((tmp_path / "out" / "outbox").glob("*.eml"))]
    assert len(messages) == 18  # 12 questionnaires, 6 interview requests
    for msg in messages:
        text = msg["Subject"] + msg.get_body(("plain",)).get_content()
        assert msg["Date"].datetime.year == 2014 and "2010" not in text, msg["Subject"]
    request = next(m for m in messages if "interview" in m["Subject"]).get_body(("plain",)).get_content()
    slots = [line.strip()[2:] for line in request.splitlines() if line.strip().startswith("- ")]
    assert slots == ["Monday 17 November 2014 at 10:00", "Wednesday 19 November 2014 at 14:00",
                     "Tuesday 25 November 2014 at 10:00", "Thursday 27 November 2014 at 14:00"]
    assert all(datetime.strptime(s, "%A %d %B %Y at %H:%M").date() > date(2014, 11, 4) for s in slots)

    papers = CliRunner().invoke(app, [*folders, "papers", "lsp-board-2014-12-05", "--on", "2014-11-21", "--no-pdf"])
    assert papers.exit_code == 0, papers.output
    pack = tmp_path / "out" / "lsp-board-2014-12-05" / "lsp-board-2014-12-05-board-pack.docx"
    assert pack.is_file()
    import docx

    agenda = "\n".join(p.text for p in docx.Document(tmp_path / "out" / "lsp-board-2014-12-05" / "00-agenda.docx")
                       .paragraphs)
    assert "5 December 2014" in agenda and "2010" not in agenda
