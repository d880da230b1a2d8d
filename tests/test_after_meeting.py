"""After each meeting: its draft minutes and decision notice on the body's working day, true on their
date, published without exempt parts, sent once; the next agenda carries the minutes; the forward
plan entry on the day the regulations require."""

from __future__ import annotations

import email
import email.policy
import shutil
from datetime import date, datetime
from pathlib import Path

import docx
import pytest

from scs_refresh.approval.decisions import record_decision
from scs_refresh.as_at import load_state
from scs_refresh.automation import tick
from scs_refresh.check import check_cycle
from scs_refresh.core.folders import Dirs
from scs_refresh.core.store import Store
from scs_refresh.papers.generate import generate_meeting_papers

from .conftest import ROOT
from .test_approvals import cli
from .test_replan import CMT, EXEC, RATIFY

BOARD = "lsp-board-2010-12-03"
AFTER = ("draft_minutes", "decision_notice", "forward_plan")


def _context(tmp_path: Path, config: Path = ROOT / "config") -> tick.Context:
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    return tick.Context.load(Dirs(config, tmp_path / "out", tmp_path / "state", templates), pdf=False, env={})


def _decide(ctx, meeting, on, recorded=None):
    with Store.open(ctx.dirs.store) as store:
        record_decision(store, ctx.timetable, meeting, "approved", on=on, by="officer",
                        at=datetime.combine(recorded or on, datetime.min.time().replace(hour=17)))


def _after(ctx, on):
    return {a.key: a for a in tick.pending(ctx, on) if a.kind in AFTER}


def _text(path: Path) -> str:
    doc = docx.Document(str(path))
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])


@pytest.fixture
def ctx(tmp_path):
    return _context(tmp_path)


def test_minutes_and_notices_fall_due_on_each_bodys_working_day(ctx):
    actions = {a.key: a.due for a in ctx.actions() if a.kind in AFTER}
    # CMT on Wed 27 Apr 2011, three working days: 28 Apr, then the royal wedding (29 Apr) and the
    # early May bank holiday (2 May) do not count: 3 and 4 May.
    assert actions[f"minutes:{CMT}@2011-04-27"] == date(2011, 5, 4)
    # the Executive Board's decisions within two working days (papers.yaml agenda.bodies)
    assert actions[f"minutes:{EXEC}@2011-05-09"] == date(2011, 5, 11)
    assert actions[f"minutes:{BOARD}@2010-12-03"] == date(2010, 12, 8)
    # no decision recorded yet: no notice for any meeting
    assert not any(k.startswith("decision-notice:") for k in actions)


def test_a_notice_waits_for_the_decision_and_is_true_on_its_date(ctx):
    _decide(ctx, RATIFY, date(2011, 4, 7), recorded=date(2011, 4, 13))  # recorded the day after the notice was due
    assert f"decision-notice:{RATIFY}@2011-04-07" not in _after(ctx, date(2011, 4, 12))  # not known yet: awaited
    assert f"minutes:{RATIFY}@2011-04-07" in _after(ctx, date(2011, 4, 12))
    [notice] = [a for k, a in _after(ctx, date(2011, 4, 13)).items() if k.startswith("decision-notice:")]
    result = tick.run(ctx, notice, date(2011, 4, 13))
    members = [m for m in ctx.timetable.body["lsp-board"].members if m.email]
    assert len(result.sent) == len(members)
    text = _text(ctx.dirs.out / "records" / RATIFY / "decision-notice-2011-04-07.docx")
    assert "RESOLVED that the recommendations of the report be agreed:" in text
    assert "(a) Agree and ratify the Sustainable Community Strategy 2011 and the proposed Partnership structure." in text
    assert "13 April 2011" in text  # published the day it was written
    assert (ctx.dirs.out / "public" / RATIFY / "decision-notice-2011-04-07.docx").is_file()
    # exactly once: done, and running it again sends nothing
    assert f"decision-notice:{RATIFY}@2011-04-07" not in _after(ctx, date(2011, 4, 14))
    assert tick.run(ctx, notice, date(2011, 4, 13)).sent == []


def test_exempt_business_stays_out_of_the_public_minutes(ctx):
    minutes = _after(ctx, date(2010, 12, 8))[f"minutes:{BOARD}@2010-12-03"]
    result = tick.run(ctx, minutes, date(2010, 12, 8))
    public = ctx.dirs.out / "public" / BOARD
    published = sorted(p.relative_to(public).as_posix() for p in public.rglob("*") if p.is_file())
    assert "draft-minutes-2010-12-03.docx" in published and "html/draft-minutes-2010-12-03.html" in published
    assert not any("members" in p for p in published)
    open_text = _text(public / "draft-minutes-2010-12-03.docx")
    members_text = _text(ctx.dirs.out / "records" / BOARD / "draft-minutes-members-2010-12-03.docx")
    assert "funding" not in open_text.lower() and "The minute of this item is not for publication." in open_text
    assert "NOT FOR PUBLICATION by virtue of paragraph 3 of Part 1 of Schedule 12A" in members_text
    assert "Partnership funding allocations 2011/12" in members_text
    assert "Minutes of the meeting held on 07 October 2010: to confirm them as a correct record" in open_text
    # each member receives the members' version, once
    mails = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in (ctx.dirs.out / "outbox").glob("minutes--*.eml")]
    assert len(mails) == len(result.sent) > 0
    assert {a.get_filename() for m in mails for a in m.iter_attachments()} == {"draft-minutes-members-2010-12-03.docx"}
    assert mails[0]["Subject"] == ("Draft minutes: LSP Board - progress on the SCS refresh and review of the "
                                   "Partnership (Friday 3 December 2010)")


def test_the_draft_minutes_record_the_next_meeting_as_the_timetable_stands_and_leave_the_last_to_the_officer(ctx):
    """papers.yaml gives the Board's "Date of next meeting" its minute: the Board's next meeting as planned
    on the day the minutes are written; after the Board's last meeting of the cycle, the officer writes it."""
    from scs_refresh.papers.records import Sitting, minutes_context

    minutes = _after(ctx, date(2010, 12, 8))[f"minutes:{BOARD}@2010-12-03"]
    tick.run(ctx, minutes, date(2010, 12, 8))
    text = _text(ctx.dirs.out / "public" / BOARD / "draft-minutes-2010-12-03.docx")
    assert ("Date of next meeting\nThe next meeting will be held on 03 February 2011 at 10:00 at Elizabeth House, "
            "Walpole Loke, Dereham.") in text
    last = "lsp-board-2011-05-19"
    state = load_state(ctx.ws, date(2011, 5, 24), evidence=False)
    sections = minutes_context(state, ctx.timetable.event[last], Sitting(last, date(2011, 5, 19)), None,
                               public=True)["sections"]
    assert sections[-1]["heading"].endswith("Date of next meeting")
    assert sections[-1]["paragraphs"] == ["[To be completed by the officer.]"]


def test_the_next_agenda_carries_the_minutes_for_confirmation(ctx):
    tick.run(ctx, _after(ctx, date(2010, 12, 8))[f"minutes:{BOARD}@2010-12-03"], date(2010, 12, 8))
    nxt = "lsp-board-2011-02-03"
    before = generate_meeting_papers(load_state(ctx.ws, date(2010, 12, 7), evidence=False), nxt, ctx.dirs.out,
                                     ctx.dirs.templates, pdf=False)
    assert not any("draft-minutes" in p.name for p in before.papers)  # not yet written on 7 December
    after = generate_meeting_papers(load_state(ctx.ws, date(2011, 1, 20), evidence=False), nxt, ctx.dirs.out,
                                    ctx.dirs.templates, pdf=False)
    assert after.papers[0].name == "01-draft-minutes-2010-12-03.docx"
    agenda = docx.Document(str(after.agenda)).tables[0]
    row = next(r for r in agenda.rows if r.cells[1].text.startswith("Minutes of the meeting held on 03 December"))
    assert row.cells[4].text == "Paper A"
    assert "Minutes of the meeting of Breckland Partnership (LSP) Board held on 03 December 2010" in _text(after.pack)
    # The meeting's own papers written again (one set, swapped in whole) leave its minutes where they were.
    generate_meeting_papers(load_state(ctx.ws, date(2011, 1, 20), evidence=False), BOARD, ctx.dirs.out,
                            ctx.dirs.templates, pdf=False)
    assert (ctx.dirs.out / "records" / BOARD / "draft-minutes-2010-12-03.docx").is_file()
    assert (ctx.dirs.out / "public" / BOARD / "draft-minutes-2010-12-03.docx").is_file()


def test_the_forward_plan_entry_is_published_on_the_day_the_2000_regulations_require(ctx):
    [entry] = [a for a in ctx.actions() if a.kind == "forward_plan"]
    assert (entry.key, entry.due) == ("forward-plan:cabinet-2011-05-10", date(2011, 4, 15))
    assert "forward-plan:cabinet-2011-05-10" not in _after(ctx, date(2011, 4, 14))
    result = tick.run(ctx, _after(ctx, date(2011, 4, 15))["forward-plan:cabinet-2011-05-10"], date(2011, 4, 15))
    text = _text(ctx.dirs.out / "public" / "forward-plan" / "forward-plan-entry.docx")
    assert "Local Authorities (Executive Arrangements) (Access to Information) (England) Regulations 2000" in text
    assert "Date of decision\n10 May 2011" in text and "Published\n15 April 2011" in text
    assert "Yes: Breckland Council (Full Council) is asked to adopt it on 12 May 2011" in text
    assert result.files and "forward-plan:cabinet-2011-05-10" not in _after(ctx, date(2011, 4, 16))


def test_check_warns_when_the_forward_plan_falls_due_before_the_board_ratifies(tmp_path):
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    (config / "timetable.yaml").write_text((config / "timetable.yaml").read_text().replace(
        "date: 2011-04-07", "date: 2011-04-19"))  # the Board ratifies on Tue 19 Apr, after the plan is due (15 Apr)
    report = check_cycle(Dirs(config, tmp_path / "out", tmp_path / "state", ROOT / "templates"))
    [warning] = [str(w) for w in report.warnings if "forward plan" in w.message]
    assert "forward_plan.executive" in warning and "must be published by Fri 15 Apr 2011" in warning
    assert "before lsp-board-2011-04-07 (Tue 19 Apr 2011) ratifies the Strategy" in warning
    assert not [w for w in check_cycle(Dirs(ROOT / "config", tmp_path / "o", tmp_path / "s",
                                            ROOT / "templates")).warnings if "forward plan" in w.message]


def test_a_decision_for_a_meeting_not_yet_held_is_one_line_and_exit_2(tmp_path):
    result = cli(tmp_path, "decision", RATIFY, "approved", "--on", "2011-04-06")
    assert result.exit_code == 2 and result.output.count("\n") == 1 and "Traceback" not in result.output
    assert result.output == (f"error: {RATIFY} meets on Thu 7 Apr 2011; a decision cannot be dated Wed 6 Apr 2011, "
                             "before it\n")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("decision-notice*"))


def test_the_officers_plan_says_which_decision_notices_are_awaited(ctx):
    from scs_refresh.as_at import records_on
    from scs_refresh.papers.records import awaited

    _decide(ctx, RATIFY, date(2011, 4, 7))
    events = [s.event for s in ctx.schedule()]
    lines = awaited(events, records_on(ctx.dirs.store, date(2011, 4, 8)).decisions, date(2011, 4, 8))
    # (the Board of 7 October 2010, whose papers came before the cycle, had its business done then)
    assert [line.split("'")[1] for line in lines] == [BOARD, "lsp-board-2011-02-03"]
    assert lines[0].endswith(f"record it with `scs decision {BOARD} OUTCOME --on 2010-12-03`")
    # as known the day before the Board ratified: the ratification had not been recorded, and was not due
    assert len(awaited(events, records_on(ctx.dirs.store, date(2011, 4, 6)).decisions, date(2011, 4, 6))) == 2
