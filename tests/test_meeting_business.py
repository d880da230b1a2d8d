"""The business of a council meeting: the agenda's standing items, the exclusion of the press and
public before exempt business, and what follows a meeting."""

from datetime import date

import pytest

from scs_refresh.core.errors import ConfigError
from scs_refresh.papers.contexts import RefreshState, agenda_context, paragraphs_text
from scs_refresh.papers.wording import load_papers_config
from scs_refresh.timetable.model import load_timetable

from .conftest import ROOT


@pytest.fixture(scope="module")
def tt():
    return load_timetable(ROOT / "config" / "timetable.yaml")


@pytest.fixture(scope="module")
def papers_cfg():
    return load_papers_config(ROOT / "config" / "papers.yaml")


def _agenda(tt, cfg, meeting, on, decisions=()):
    event = tt.event[meeting]
    refs = [(p, f"Paper {c}") for p, c in zip([p for p in event.papers if p.kind not in ("agenda", "board_pack")],
                                             "ABCDEF")]
    return agenda_context(RefreshState(tt, cfg, on, decisions=decisions), event, refs)


def test_the_agenda_opens_with_apologies_declarations_and_the_last_minutes(tt, papers_cfg):
    titles = [i["title"] for i in _agenda(tt, papers_cfg, "lsp-board-2011-02-03", date(2011, 1, 20)).context["items"]]
    assert titles[:4] == ["Apologies for absence", "Declarations of interest",
                          "Minutes of the meeting held on 03 December 2010: to confirm them as a correct record",
                          "Matters arising"]  # the Board's own standing item, from its block in papers.yaml
    assert titles[-2:] == ["Any other business", "Date of next meeting"]


def test_a_body_meeting_for_the_first_time_has_no_minutes_to_confirm(tt, papers_cfg):
    titles = [i["title"] for i in _agenda(tt, papers_cfg, "executive-board-2011-05-09",
                                          date(2011, 4, 20)).context["items"]]
    assert titles[:2] == ["Apologies for absence", "Declarations of interest"]
    assert not any(t.startswith("Minutes of") for t in titles)
    assert "Matters arising" not in titles and "Date of next meeting" not in titles  # the Board's items only


def test_exempt_business_comes_last_after_the_resolution_to_exclude_the_public(tt, papers_cfg):
    items = _agenda(tt, papers_cfg, "lsp-board-2010-12-03", date(2010, 11, 18)).context["items"]
    exclusion, exempt = items[-2], items[-1]
    assert exclusion["title"].startswith("Exclusion of the press and public")
    assert ('"That under section 100A(4) of the Local Government Act 1972 the press and public be excluded from the '
            "meeting for the following item(s) of business on the grounds that they involve the likely disclosure "
            "of exempt information as defined in paragraph 3 of Part 1 of Schedule 12A to the Act\"") \
        in exclusion["title"]
    assert exempt["paper"] == "Paper C" and "paragraph 3 of Part 1 of Schedule 12A" in exempt["title"]
    assert "funding" not in exempt["title"].lower()  # the published agenda never names it
    before = [i["title"] for i in items[:-2]]
    assert "Any other business" in before and "Update report on SCS refresh and Breckland Partnership" in before


def test_the_resolution_names_every_paragraph_once():
    assert paragraphs_text([3]) == "paragraph 3"
    assert paragraphs_text([3, 1, 3]) == "paragraphs 1 and 3"
    assert paragraphs_text([7, 1, 3]) == "paragraphs 1, 3 and 7"


def test_a_body_block_for_a_body_not_in_the_timetable_is_refused(tmp_path, tt):
    from scs_refresh.papers.wording import check_against_timetable

    text = (ROOT / "config" / "papers.yaml").read_text().replace("    cabinet:\n", "    cabinett:\n")
    (tmp_path / "papers.yaml").write_text(text)
    cfg = load_papers_config(tmp_path / "papers.yaml")
    with pytest.raises(ConfigError, match="no body 'cabinett' in the timetable"):
        check_against_timetable(cfg, tt, tmp_path / "papers.yaml")


def test_a_minutes_item_with_an_unknown_placeholder_is_refused(tmp_path):
    text = (ROOT / "config" / "papers.yaml").read_text().replace("held on {previous_meeting}", "held on {date}")
    (tmp_path / "papers.yaml").write_text(text)
    with pytest.raises(ConfigError, match=r"unknown placeholder \{date\}"):
        load_papers_config(tmp_path / "papers.yaml")


# --- the forward plan: pure date rules pinned to real dates -------------------------------------

from scs_refresh.timetable import forward_plan as fp  # noqa: E402


def test_2011_cabinet_decision_is_listed_in_the_may_forward_plan_published_by_fri_15_april():
    # Cabinet, Tue 10 May 2011: the plan for May to August must be out 14 days before Sun 1 May, i.e. by
    # Sun 17 Apr 2011; published on the working day before, Fri 15 Apr 2011.
    assert fp.regulations_for(date(2011, 5, 10)) is fp.REGULATIONS_2000
    assert fp.forward_plan_2000(date(2011, 5, 10)) == date(2011, 4, 15)
    # A decision on 1 June: 18 May 2011 is a Wednesday, a working day.
    assert fp.forward_plan_2000(date(2011, 6, 1)) == date(2011, 5, 18)


def test_after_10_september_2012_the_notice_needs_28_clear_days():
    assert fp.regulations_for(date(2012, 9, 9)) is fp.REGULATIONS_2000
    assert fp.regulations_for(date(2012, 9, 10)) is fp.REGULATIONS_2012
    # Cabinet on Tue 13 May 2014 (the 2014 cycle): 28 clear days (15 Apr to 12 May): published Mon 14 Apr 2014.
    assert fp.notice_2012(date(2014, 5, 13)) == date(2014, 4, 14)
    # A decision on Wed 23 Jan 2013: 29 days before is Christmas Day 2012; the working day before, Mon 24 Dec.
    assert fp.notice_2012(date(2013, 1, 23)) == date(2012, 12, 24)
    # Thu 27 Apr 2017: 29 days before is Tue 29 Mar 2017, a working day
    assert fp.notice_2012(date(2017, 4, 27)) == date(2017, 3, 29)


def test_the_latest_day_before_easter_moves_back_over_the_bank_holidays():
    # Decision Fri 20 May 2011 under the 2012 rule would need publication by Thu 21 Apr 2011 (29 days before):
    assert fp.notice_2012(date(2011, 5, 20)) == date(2011, 4, 21)
    # ...and a decision on Mon 23 May 2011: 24 Apr is Easter Sunday; Good Friday 22 Apr is a bank holiday: Thu 21 Apr.
    assert fp.notice_2012(date(2011, 5, 23)) == date(2011, 4, 21)


def test_a_forward_plan_naming_a_body_outside_the_approval_chain_is_refused(tmp_path, tt):
    from scs_refresh.papers.wording import check_against_timetable

    text = (ROOT / "config" / "papers.yaml").read_text().replace("  executive: cabinet ", "  executive: cabinett ")
    (tmp_path / "papers.yaml").write_text(text)
    with pytest.raises(ConfigError, match=r"forward_plan.executive: 'cabinett' has no meeting in the timetable's "
                                          r"approval chain \(bodies that do: cabinet, cmt, executive-board"):
        check_against_timetable(load_papers_config(tmp_path / "papers.yaml"), tt, tmp_path / "papers.yaml")
