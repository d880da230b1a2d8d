"""Times as the officer lives them: the daily run's 07:00 is London time, +0100 in summer."""

from __future__ import annotations

from datetime import date, datetime, timezone

from scs_refresh.core.dates import in_london, recorded_at
from scs_refresh.mail.dispatch import Contact, Outgoing, build_message
from scs_refresh.papers.wording import load_papers_config
from scs_refresh.papers.publish import invitation
from scs_refresh.core.folders import Dirs
from scs_refresh.timetable.model import load_timetable

from .conftest import ROOT

SENDER = Contact(name="Partnership (LSP) Officer", email="lsp.officer@example.org")


def _date_header(on: date) -> str:
    out = Outgoing(key="k", kind="officer-reminder", to=(SENDER,), subject="s", body="b")
    return build_message(out, SENDER, recorded_at(on))["Date"]


def test_the_date_header_has_london_s_offset():
    # Wed 4 May 2011, British Summer Time: 07:00 in London is 06:00 UTC
    assert _date_header(date(2011, 5, 4)) == "Wed, 04 May 2011 07:00:00 +0100"
    # Mon 1 Nov 2010, after the clocks went back on 31 October: GMT
    assert _date_header(date(2010, 11, 1)) == "Mon, 01 Nov 2010 07:00:00 +0000"
    # the clocks went forward on Sun 27 Mar 2011
    assert _date_header(date(2011, 3, 26)).endswith("+0000") and _date_header(date(2011, 3, 28)).endswith("+0100")


def test_in_london_reads_a_naive_time_as_london_and_converts_an_aware_one():
    assert in_london(datetime(2011, 5, 4, 7)).utcoffset().total_seconds() == 3600
    assert in_london(datetime(2011, 5, 4, 6, tzinfo=timezone.utc)).hour == 7


def test_the_invitation_is_stamped_in_utc(tmp_path):
    tt = load_timetable(ROOT / "config" / "timetable.yaml")
    agenda = load_papers_config(ROOT / "config" / "papers.yaml").agenda
    ics = invitation(Dirs(out=tmp_path), tt, tt.event["executive-board-2011-05-09"], agenda,
                     recorded_at(date(2011, 4, 27))).content.decode()
    assert "DTSTAMP:20110427T060000Z" in ics  # 07:00 BST
    assert "DTSTART;TZID=Europe/London:20110509T" in ics
