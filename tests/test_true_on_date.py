"""Every statement in a paper is true on the day the paper is written, even when it is written
again after the cycle has moved on. Pinned to the 2010/11 cycle's real dates: the 3 December 2010
Board's papers were written on 18 November 2010, the 3 February 2011 Board's on 19 January, the
7 April Board's on 23 March, the launch Board's (19 May) on 4 May; IMD 2010 was published on
24 March 2011; Full Council met on 12 May 2011."""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime

import docx
import pytest

from .conftest import ROOT
from scs_refresh.approval.decisions import record_decision
from scs_refresh.as_at import draft_on, load_state, records_on
from scs_refresh.automation.simulation import import_replies, load_simulation
from scs_refresh.core.dates import recorded_at
from scs_refresh.core.folders import Dirs
from scs_refresh.core.store import Store
from scs_refresh.papers.generate import generate_meeting_papers
from scs_refresh.partners import outreach
from scs_refresh.partners.status import status
from scs_refresh.strategy import versions
from scs_refresh.workspace import Workspace


def _text(path) -> str:
    doc = docx.Document(str(path))
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])


@pytest.fixture
def moved_on(tmp_path):
    """A cycle whose store already holds every partner reply of the demo (the last on 14 January 2011)."""
    shutil.copytree(ROOT / "config", tmp_path / "config")
    shutil.copytree(ROOT / "evidence", tmp_path / "evidence")
    dirs = Dirs(tmp_path / "config", tmp_path / "out", tmp_path / "state", ROOT / "templates")
    ws = Workspace.load(dirs)
    setup = ws.outreach()
    outreach.queue_questionnaires(setup, recorded_at(date(2010, 10, 15)))
    outreach.deliver(setup, recorded_at(date(2010, 10, 15)), {})
    sim = load_simulation(dirs.config / "simulation.yaml", ws.partners, ws.timetable)
    with Store.open(dirs.store) as store:
        for reply in sim.replies:
            import_replies(store, [reply], ws.partners, ws.timetable.cycle, dirs.out / "simulation", reply.on,
                           recorded_at(reply.on))
    return dirs


def papers(dirs: Dirs, meeting: str, on: date):
    return generate_meeting_papers(load_state(Workspace.load(dirs), on), meeting, dirs.out, dirs.templates, pdf=False)


def test_the_3_december_board_report_counts_the_returns_of_its_day_and_quotes_no_later_release(moved_on):
    on = date(2010, 11, 18)
    report = _text(papers(moved_on, "lsp-board-2010-12-03", on).papers[0])
    ws = Workspace.load(moved_on)
    rows = status(records_on(moved_on.store, on), ws.partners, ws.timetable.cycle, on)
    returned = sum(1 for r in rows if r.responded_on)
    assert returned == 7
    assert f"As at 18 November 2010, {returned} of 12 partners have responded." in report
    assert "Breckland Business Forum" in report.split("Still awaited after the deadline: ")[1].split(".")[0]
    # the evidence: nothing published after 18 November 2010; IMD 2010 named as awaited
    assert "2019" not in report and "mid-2020" not in report and "2021" not in report
    assert "English Indices of Deprivation 2010 (IMD ranks and deciles, Norfolk 2001 LSOAs): expected spring 2011" \
        in report
    published = [date.fromisoformat(d) for d in re.findall(r"published (\d{4}-\d{2}-\d{2})", report)]
    named = re.findall(r"published (\d{1,2} \w+ \d{4})", report)
    assert not published and named and all(datetime.strptime(d, "%d %B %Y").date() <= on for d in named)
    assert "Place Survey 2008 (NI 1, 2, 4, 5, 42), all English councils, published 23 June 2009" in report


def test_the_draft_sent_in_january_quotes_only_the_answers_received_by_its_day(moved_on):
    ws = Workspace.load(moved_on)
    early = draft_on(ws, date(2010, 12, 10))
    text = _text(early.docx)
    assert versions.content(moved_on.out / "scs", early.version)["responded"] == 9
    assert "Broadband for rural businesses" not in text  # the Business Forum replied on 10 January 2011
    assert "Reducing re-offending" not in text  # the Probation Trust on 14 January 2011


def test_unchanged_since_the_board_last_saw_it_only_when_so(moved_on):
    first = papers(moved_on, "lsp-board-2011-02-03", date(2011, 1, 19))
    assert "This is the first draft of the Strategy (version 1)" in _text(first.papers[0])
    # 7 April, written 23 March: nothing has changed since the 3 February Board saw version 1
    april = _text(papers(moved_on, "lsp-board-2011-04-07", date(2011, 3, 23)).papers[0])
    assert ("Draft version 1 of the Strategy, as at 19 January 2011, accompanies this report. It is unchanged since "
            "the Board last saw it, on 03 February 2011.") in april
    # Had the officer made version 2 on 1 March (a late return), the Board would not have seen it
    with Store.open(moved_on.store) as store:
        store.save_response(partner_id="town-parish-councils", received_on=date(2011, 2, 21), source_file="late.csv",
                            source_kind="csv", answers={"priorities": "Rural bus services", "gaps-barriers": "Buses"},
                            problems=[], at=recorded_at(date(2011, 2, 21)))
    v2 = draft_on(Workspace.load(moved_on), date(2011, 3, 1))
    assert (v2.version, v2.new) == (2, True)
    april = _text(papers(moved_on, "lsp-board-2011-04-07", date(2011, 3, 23)).papers[0])
    assert "unchanged" not in april
    assert ("Draft version 2 of the Strategy, as at 01 March 2011, accompanies this report. Since version 1, which the "
            "Board saw on 03 February 2011:") in april
    assert "partner answer quoted: Town and parish councils (Norfolk ALC, Breckland area)" in april
    assert "Partners' questionnaire returns: 11 of 12 to 12 of 12 partners." in april


def test_papers_written_after_imd_2010_was_published_carry_it_as_a_change(moved_on):
    papers(moved_on, "lsp-board-2011-02-03", date(2011, 1, 19))
    late = papers(moved_on, "lsp-board-2011-04-07", date(2011, 3, 24))  # a day late: IMD 2010 is out
    report = _text(late.papers[0])
    assert "Since version 1, which the Board saw on 03 February 2011:" in report
    assert "figure added: IMD decile, 2010" in report
    assert "1 (1%) is in the most deprived 20% in England" in _text(late.papers[1])  # the draft itself
    assert "English Indices of Deprivation 2010 (IMD ranks and deciles, Norfolk 2001 LSOAs), published 24 March 2011" \
        in _text(late.papers[1])


def _approve(dirs: Dirs, *steps: tuple[str, date]) -> None:
    tt = Workspace.load(dirs).timetable
    with Store.open(dirs.store) as store:
        for meeting, day in steps:
            record_decision(store, tt, meeting, "approved", on=day, by="officer", at=recorded_at(day))


CHAIN_TO_CABINET = (("lsp-board-2011-04-07", date(2011, 4, 7)), ("cmt-2011-04-27", date(2011, 4, 27)),
                    ("executive-board-2011-05-09", date(2011, 5, 9)), ("cabinet-2011-05-10", date(2011, 5, 10)))


def test_the_launch_report_speaks_of_the_adoption_only_once_full_council_has_adopted(moved_on):
    _approve(moved_on, *CHAIN_TO_CABINET, ("full-council-2011-05-12", date(2011, 5, 12)))
    before = _text(papers(moved_on, "lsp-board-2011-05-19", date(2011, 5, 4)).papers[0])
    assert "Note the adoption" not in before and "as adopted" not in before and " adopted the " not in before
    assert ("2.1\tNote that Breckland Council is due to consider the Sustainable Community Strategy for adoption on "
            "12 May 2011.") in before
    assert "Breckland Council (Full Council) is due to consider adopting the Sustainable Community Strategy on " \
           "12 May 2011." in before
    assert "CMT approved it on 27 April 2011; Executive Board on 09 May 2011" in before  # the chain on 4 May
    after = _text(papers(moved_on, "lsp-board-2011-05-19", date(2011, 5, 13)).papers[0])
    assert "2.1\tNote the adoption of the Sustainable Community Strategy by Breckland Council on 12 May 2011." in after
    assert "Breckland Council (Full Council) adopted the Sustainable Community Strategy on 12 May 2011." in after
    assert "Full Council approved it on 12 May 2011" in after and "is due to" not in after
