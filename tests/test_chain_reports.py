"""The approval chain's reports (issue #12, 1 and 3): each written from the decision record as it stood on
its day, each with its own ask; the equality screening as a paper of its own, or none claimed; the exempt
funding paper with its allocations and its Schedule 12A marking, and `scs check` on its file."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import docx
import pytest

from scs_refresh.approval.chain import with_confirmed_dates
from scs_refresh.core.store import DecisionRecord
from scs_refresh.papers.contexts import RefreshState, StrategyVersion, committee_report_context
from scs_refresh.papers.equality import load_equality
from scs_refresh.papers.funding import load_funding, pounds
from scs_refresh.papers.generate import generate_meeting_papers
from scs_refresh.papers.wording import load_papers_config
from scs_refresh.timetable.model import load_timetable

from .conftest import ROOT
from .test_cli import scs

TEMPLATES = ROOT / "templates"
CHAIN = ("cmt-2011-04-27", "executive-board-2011-05-09", "cabinet-2011-05-10", "full-council-2011-05-12")
AMENDMENT = "Add rural transport to the priorities of the Healthier communities theme."


def _decision(seq: int, meeting: str, outcome: str, on: date, amendment: str | None = None,
              note: str = "") -> DecisionRecord:
    return DecisionRecord(seq, meeting, outcome, on, note, amendment, "officer", datetime.combine(on, datetime.min.time()))


#: the chain decided as in 2011, with an amendment agreed by the Executive Board
DECIDED = (_decision(1, "lsp-board-2011-04-07", "approved", date(2011, 4, 7)),
           _decision(2, "cmt-2011-04-27", "approved", date(2011, 4, 27)),
           _decision(3, "executive-board-2011-05-09", "approved_with_amendments", date(2011, 5, 9), AMENDMENT),
           _decision(4, "cabinet-2011-05-10", "approved", date(2011, 5, 10)))


@pytest.fixture(scope="module")
def state() -> RefreshState:
    return RefreshState(load_timetable(ROOT / "config" / "timetable.yaml"),
                        load_papers_config(ROOT / "config" / "papers.yaml"), date(2011, 5, 11),
                        equality=load_equality(ROOT / "config" / "equality.yaml"),
                        funding=load_funding(ROOT / "config" / "funding_allocations.yaml"))


def _context(state: RefreshState, meeting: str, on: date, decisions=DECIDED) -> dict:
    known = tuple(d for d in decisions if d.decided_on <= on)
    s = replace(state, on=on, decisions=known)
    event = s.timetable.event[meeting]
    return committee_report_context(s, event, event.papers[0])


def _texts(paras) -> list[str]:
    return [p.text for p in paras]


def test_each_step_of_the_chain_is_asked_its_own_question_naming_the_next_body(state):
    asks = {m: _texts(_context(state, m, date(2011, 5, 11))["recommendations"]) for m in CHAIN}
    assert len({tuple(a) for a in asks.values()}) == 4  # four different asks
    assert asks["cmt-2011-04-27"][0].startswith("Endorse the Sustainable Community Strategy 2011 and refer it to "
                                                "the Breckland Council Executive Board on 09 May 2011")
    assert "Recommend to the Breckland Council Cabinet on 10 May 2011" in asks["executive-board-2011-05-09"][0]
    assert "Recommend to the Breckland Council (Full Council) on 12 May 2011 that the Sustainable Community " \
           "Strategy 2011 be adopted as part of the Council's policy framework" in asks["cabinet-2011-05-10"][0]
    assert asks["full-council-2011-05-12"][0] == "Adopt the Sustainable Community Strategy 2011 as part of the " \
                                                 "Council's policy framework."


def test_each_report_quotes_the_decisions_before_it_with_their_dates_and_amendments(state):
    council = _texts(_context(state, "full-council-2011-05-12", date(2011, 5, 11))["background"])
    said = "\n".join(council)
    assert "At its meeting on 07 April 2011 the Breckland Partnership (LSP) Board agreed and ratified" in said
    assert "On 27 April 2011 the Corporate Management Team (CMT) endorsed the Strategy and referred it to the " \
           "Breckland Council Executive Board." in said
    assert ("On 09 May 2011 the Breckland Council Executive Board recommended the Strategy to the Breckland Council "
            f"Cabinet for approval. It agreed this amendment: {AMENDMENT}") in said
    assert "On 10 May 2011 the Breckland Council Cabinet recommended the Strategy to the Breckland Council (Full " \
           "Council) for adoption." in said
    # earlier steps know less: the Executive Board's report names CMT's endorsement, not its own decision
    executive = "\n".join(_texts(_context(state, "executive-board-2011-05-09", date(2011, 5, 3))["background"]))
    assert "On 27 April 2011 the Corporate Management Team (CMT) endorsed" in executive
    assert "09 May 2011 the Breckland Council Executive Board recommended" not in executive


def test_a_report_written_before_a_step_has_met_says_when_it_is_due_and_claims_no_decision(state):
    # the 2011 timetable had the Full Council report final on 21 April, before CMT met on 27 April
    said = "\n".join(_texts(_context(state, "full-council-2011-05-12", date(2011, 4, 21))["background"]))
    assert "The Corporate Management Team (CMT) is due to consider the Strategy on 27 April 2011." in said
    assert "The Breckland Council Cabinet is due to consider the Strategy on 10 May 2011." in said
    assert "endorsed" not in said and "recommended the Strategy" not in said
    assert "agreed and ratified" in said  # the Board had ratified it on 7 April


def test_a_deferred_meeting_that_meets_again_reports_its_own_deferral_and_why(state):
    note = "Members asked for more information on delivery."
    decisions = (*DECIDED[:3], _decision(4, "cabinet-2011-05-10", "deferred", date(2011, 5, 10), note=note))
    tt = with_confirmed_dates(state.timetable, {"cabinet-2011-05-10": date(2011, 5, 19),
                                                "full-council-2011-05-12": date(2011, 5, 26)})
    s = replace(state, timetable=tt, on=date(2011, 5, 11), decisions=decisions)
    event = tt.event["cabinet-2011-05-10"]
    context = committee_report_context(s, event, event.papers[0])
    said = "\n".join(_texts(context["background"]))
    assert f"On 10 May 2011 the Breckland Council Cabinet deferred its decision on the Strategy. {note}" in said
    assert "Full Council) on 26 May 2011" in _texts(context["recommendations"])[0]
    # Full Council's report, written between the deferral and the re-arranged Cabinet, says both
    event = tt.event["full-council-2011-05-12"]
    council = "\n".join(_texts(committee_report_context(s, event, event.papers[0])["background"]))
    assert "On 10 May 2011 the Breckland Council Cabinet deferred its decision on the Strategy." in council
    assert "The Breckland Council Cabinet is due to consider the Strategy on 19 May 2011." in council


def test_the_strategy_before_the_meeting_is_the_version_current_on_the_day_with_its_amendments(state):
    amendment = {"meeting": "Breckland Council Executive Board", "decided_on": "2011-05-09", "text": AMENDMENT}
    s = replace(state, strategy=StrategyVersion(5, date(2011, 5, 9), (amendment,)))
    event = s.timetable.event["cabinet-2011-05-10"]
    [issue] = committee_report_context(s, event, event.papers[0])["issues"]
    text = " ".join(p.text for p in issue["paragraphs"])
    assert "version 5 of the Sustainable Community Strategy, as at 09 May 2011" in text
    assert f"Breckland Council Executive Board, 09 May 2011: {AMENDMENT}" in text


def test_the_equality_screening_goes_with_the_report_once_done_and_none_is_claimed_before(state, tmp_path):
    equality = lambda c: next(i["text"] for i in c["implications"] if i["title"] == "Equality")  # noqa: E731
    assert equality(_context(replace(state, equality=None), "cmt-2011-04-27", date(2011, 4, 13))) == \
        "No equality impact assessment of the Strategy has been carried out."
    screened_on = state.equality.screened_on
    before = _context(state, "cmt-2011-04-27", screened_on.replace(day=screened_on.day - 1))
    assert equality(before) == "No equality impact assessment of the Strategy has been carried out."
    assert "carried out an equality impact assessment screening" in equality(
        _context(state, "cmt-2011-04-27", date(2011, 4, 13)))

    result = generate_meeting_papers(replace(state, on=date(2011, 4, 13)), "cmt-2011-04-27", tmp_path, TEMPLATES,
                                     pdf=False)
    [screening] = [p for p in result.papers if "equality-impact-assessment" in p.name]
    doc = docx.Document(str(screening))
    assert doc.paragraphs[2].text == state.equality.title
    [table] = doc.tables
    assert [r.cells[0].text for r in table.rows[1:]] == [g.group for g in state.equality.groups]
    pack = docx.Document(str(result.pack))
    assert state.equality.title in [p.text for p in pack.paragraphs]
    # without a screening, the meeting has its report alone
    plain = generate_meeting_papers(replace(state, on=date(2011, 4, 13), equality=None), "cmt-2011-04-27",
                                    tmp_path / "plain", TEMPLATES, pdf=False)
    assert len(plain.papers) == 1


def _all_text(doc) -> list[str]:
    section = doc.sections[0]
    return ([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]
            + [p.text for p in section.header.paragraphs] + [p.text for p in section.footer.paragraphs])


def test_the_exempt_paper_is_marked_and_carries_the_allocations_with_their_totals(state, tmp_path):
    result = generate_meeting_papers(replace(state, on=date(2010, 11, 18)), "lsp-board-2010-12-03", tmp_path,
                                     TEMPLATES, pdf=False)
    [exempt] = result.exempt
    doc = docx.Document(str(exempt))
    marking = ("NOT FOR PUBLICATION by virtue of paragraph 3 of Part 1 of Schedule 12A to the Local Government "
               "Act 1972")
    assert doc.paragraphs[0].text == marking and doc.sections[0].header.paragraphs[0].text == marking
    assert doc.sections[0].first_page_header.paragraphs[0].text == ""  # page 1 says it once, above the heading
    funding = state.funding
    [table] = doc.tables
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0] == ["Theme", "Partner", "Project", "Amount"]
    projects = [r for r in rows[1:] if not r[0].startswith("Total")]
    assert [(r[1], r[2], r[3]) for r in projects] == [(a.partner, a.project, pounds(a.amount))
                                                       for a in funding.allocations]
    assert rows[-1] == [f"Total allocated {funding.year}", "", "", pounds(sum(a.amount for a in funding.allocations))]
    for theme, items in funding.themes().items():
        assert [f"Total: {theme}", "", "", pounds(sum((a.amount for a in items), Decimal(0)))] in rows
    text = "\n".join(_all_text(doc))
    assert "STAGE PROGRESS" not in text and "Sources of evidence" not in text  # not the progress report again
    # the public papers carry no marking and no trace of it
    for paper in set(result.papers) - {exempt}:
        assert not [t for t in _all_text(docx.Document(str(paper))) if "NOT FOR PUBLICATION" in t or
                    funding.allocations[0].project in t]


def test_pounds_are_written_as_the_council_writes_them():
    assert [pounds(Decimal(x)) for x in ("87500", "12500.5", "0.75")] == ["£87,500", "£12,500.50", "£0.75"]


@pytest.mark.parametrize("edit, where", [
    (("amount: 18000", "amount: -18000"), r"funding_allocations\.yaml:\d+: allocations\[0\]\.amount"),
    (("amount: 9500", "amount: lots"), r"funding_allocations\.yaml:\d+: allocations\[1\]\.amount"),
    (("partner: Jobcentre Plus, ", ""), r"funding_allocations\.yaml:\d+: allocations\[5\]\.partner"),
    (("theme: Children and young people", 'theme: ""'), r"funding_allocations\.yaml:\d+: allocations\[2\]\.theme"),
])
def test_a_malformed_allocations_file_is_one_line_naming_file_line_and_key_and_exit_2(tmp_path, edit, where):
    for name in ("config", "evidence", "templates"):
        shutil.copytree(ROOT / name, tmp_path / name)
    file = tmp_path / "config" / "funding_allocations.yaml"
    old, new = edit
    assert old in file.read_text()
    file.write_text(file.read_text().replace(old, new, 1))
    proc = scs("check", cwd=tmp_path)
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(errors) == 1 and re.search(where, errors[0]), proc.stderr


def test_an_exempt_paper_without_its_paragraph_is_refused_by_check(tmp_path):
    for name in ("config", "evidence", "templates"):
        shutil.copytree(ROOT / name, tmp_path / name)
    file = tmp_path / "config" / "timetable.yaml"
    file.write_text(file.read_text().replace("exempt: 3}", "exempt: true}"))
    proc = scs("check", cwd=tmp_path)
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(errors) == 1 and re.search(r"timetable\.yaml:\d+: events\[1\]\.papers\[2\]\.exempt", errors[0])


def test_a_gap_the_officer_must_fix_goes_to_the_officers_reminder_and_the_board_reads_it_in_its_own_words(state):
    from scs_refresh.mail.wording import load_mail_wording
    from scs_refresh.papers.contexts import board_report_context
    from scs_refresh.papers.publish import officer_reminder

    tt, on = state.timetable, date(2010, 11, 18)
    event = tt.event["lsp-board-2010-12-03"]
    issues = board_report_context(replace(state, on=on), event, event.papers[0])["issues"]
    [gaps] = [i for i in issues if i["title"] == "GAPS AND ISSUES"]
    assert [p.text for p in gaps["paragraphs"]] == [
        "The Away day / workshop is still to be arranged: it is planned for between 01 March 2011 and 31 March "
        "2011. Board members are asked to hold a day in that period."]
    scheduled = next(s for s in tt.schedule if s.event.id == event.id)
    reminder = officer_reminder(tt, scheduled, "officer-reminder", load_mail_wording(TEMPLATES / "mail"),
                                date(2010, 11, 11))
    assert "has no date yet: it must fall between Tue 1 Mar 2011 and Thu 31 Mar 2011; set its date in " \
           "timetable.yaml" in reminder.body


def test_check_asks_for_the_allocations_file_when_a_paper_is_written_from_it(tmp_path):
    for name in ("config", "evidence", "templates"):
        shutil.copytree(ROOT / name, tmp_path / name)
    (tmp_path / "config" / "funding_allocations.yaml").unlink()
    proc = scs("check", cwd=tmp_path)
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert proc.returncode == 2 and errors == [
        "error: config/funding_allocations.yaml: file not found: 'Partnership funding allocations 2011/12' "
        "(lsp-board-2010-12-03) is written from it (theme, partner, project, amount for each allocation)"]
