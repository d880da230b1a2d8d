"""The public meetings site: built from what was published (never an exempt paper), every page
accessible by the page checks, every link resolving, and the calendar and Atom feeds readable."""

import shutil
from datetime import date, datetime
from urllib.parse import urlsplit

import lxml.html
import pytest
from lxml import etree

from scs_refresh.approval.decisions import record_decision
from scs_refresh.as_at import load_state
from scs_refresh.core.folders import Dirs
from scs_refresh.core.store import Store
from scs_refresh.documents.accessibility import check_html
from scs_refresh.papers import publish
from scs_refresh.papers.generate import generate_meeting_papers
from scs_refresh.papers.site import build_site
from scs_refresh.workspace import Workspace

from .conftest import ROOT

MEETING = "lsp-board-2010-12-03"
EXEMPT = "Partnership funding allocations"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The 3 December 2010 papers written and published, a decision recorded for Cabinet, the site built."""
    tmp = tmp_path_factory.mktemp("site")
    templates = tmp / "templates"
    shutil.copytree(ROOT / "templates", templates)
    ws = Workspace.load(Dirs(ROOT / "config", tmp / "out", tmp / "state", templates))
    tt = ws.timetable
    on = date(2010, 11, 18)
    generate_meeting_papers(load_state(ws, on), MEETING, ws.dirs.out, templates, pdf=False)
    invite = publish.invitation(ws.dirs, tt, tt.event[MEETING], ws.need_papers().agenda, datetime(2010, 11, 25, 7))
    publish.publication(ws.dirs, tt, tt.event[MEETING], publish.written(ws.dirs, MEETING), "papers", invite, ws.mail,
                        ws.need_papers().agenda)
    with Store.open(ws.dirs.store) as store:
        for step in ("lsp-board-2011-04-07", "cmt-2011-04-27", "executive-board-2011-05-09"):
            record_decision(store, tt, step, "approved", on=tt.event[step].date, by="test",
                            at=datetime.combine(tt.event[step].date, datetime.min.time()))
        record_decision(store, tt, "cabinet-2011-05-10", "approved_with_amendments", on=date(2011, 5, 10),
                        amendment="Add the market towns' priorities", by="test", at=datetime(2011, 5, 10, 18))
    written = build_site(ws.dirs, tt, ws.need_papers().agenda, templates, datetime(2011, 5, 11, 7))
    return ws, written


def _pages(public):
    return [p for p in public.rglob("*.html")]


def test_every_page_of_the_site_passes_the_page_checks(site):
    ws, written = site
    public = ws.dirs.out / "public"
    names = {p.relative_to(public).as_posix() for p in written}
    assert {"index.html", "strategy.html", "meetings.ics", "papers.atom", f"{MEETING}/index.html"} <= names
    assert all(check_html(p) == [] for p in written if p.suffix == ".html")


def test_every_link_on_the_site_resolves(site):
    ws, _ = site
    public = ws.dirs.out / "public"
    checked = 0
    for page in _pages(public):
        for element, _, link, _ in lxml.html.fromstring(page.read_bytes()).iterlinks():
            parts = urlsplit(link)
            if parts.scheme in ("mailto", "data") or (not parts.path and parts.fragment):
                continue
            assert (page.parent / parts.path).resolve().is_file(), f"{page.relative_to(public)}: {link}"
            checked += 1
    assert checked > 30


def test_the_calendar_lists_the_public_meetings_and_the_meeting_page_its_papers(site):
    ws, _ = site
    public = ws.dirs.out / "public"
    index = lxml.html.fromstring((public / "index.html").read_bytes())
    assert [h.text_content() for h in index.iter("h2")][:2] == ["Breckland Partnership (LSP) Board",
                                                              "Breckland Council Executive Board"]
    assert "CMT" not in index.text_content()  # an officers' meeting: its papers are not public
    row = next(tr for tr in index.iter("tr") if MEETING in lxml.html.tostring(tr, encoding="unicode"))
    assert [td.text_content() for td in row.iter("td")][::2] == ["Friday 3 December 2010, 10:00", "3 published"]
    meeting = lxml.html.fromstring((public / MEETING / "index.html").read_bytes())
    papers = [a.text_content() for a in meeting.iter("a") if a.get("href", "").startswith("html/")]
    assert papers == ["Agenda: LSP Board, 03 December 2010", "Update report on SCS refresh and Breckland Partnership",
                      "Review of the Breckland Partnership and the Partnership Register"]
    assert "Elizabeth House, Walpole Loke, Dereham" in meeting.text_content()
    cabinet = lxml.html.fromstring((public / "cabinet-2011-05-10" / "index.html").read_bytes())
    assert ("Approved with amendments on Tuesday 10 May 2011, with the amendment: Add the market towns' priorities."
            in cabinet.text_content())


def test_no_exempt_paper_appears_on_the_site(site):
    ws, written = site
    for f in written:
        assert EXEMPT not in f.read_text(encoding="utf-8"), f
    assert not [p for p in (ws.dirs.out / "public").rglob("*") if "funding-allocations" in p.name]


def test_the_feeds_can_be_read(site):
    from icalendar import Calendar

    ws, _ = site
    public = ws.dirs.out / "public"
    events = Calendar.from_ical((public / "meetings.ics").read_bytes()).walk("VEVENT")
    assert len(events) == 8  # the public bodies' dated meetings (not CMT, not the away day still to be arranged)
    dec = next(e for e in events if str(e["uid"]).startswith(MEETING))
    assert dec.decoded("dtstart").isoformat() == "2010-12-03T10:00:00+00:00"
    assert dec.decoded("dtend").isoformat() == "2010-12-03T12:00:00+00:00"  # when its agenda finishes (2 h)
    assert str(dec["location"]) == "Elizabeth House, Walpole Loke, Dereham"
    feed = etree.fromstring((public / "papers.atom").read_bytes())
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 3 and feed.findtext(f"{ATOM}updated") == "2010-11-25T09:00:00+00:00"
    for entry in entries:
        assert (public / entry.find(f"{ATOM}link").get("href")).is_file()


def test_each_meeting_in_the_calendar_ends_when_its_agenda_does(site):
    from scs_refresh.papers.site import meetings

    ws, _ = site
    folder = ws.dirs.out / "cabinet-2011-05-10"
    folder.mkdir(exist_ok=True)
    (folder / "papers.json").write_text('{"agenda_minutes": 65}')
    try:
        found = {m.id: m.minutes for m in meetings(ws.dirs, ws.timetable, ws.need_papers().agenda)}
    finally:
        (folder / "papers.json").unlink()
    assert found["cabinet-2011-05-10"] == 65 and found["full-council-2011-05-12"] == 120  # no agenda yet: the longest


def test_the_strategy_page_says_it_is_not_yet_adopted(site):
    ws, _ = site
    page = lxml.html.fromstring((ws.dirs.out / "public" / "strategy.html").read_bytes())
    assert "has not been adopted yet" in page.text_content()
    assert page.xpath("//a[@href='full-council-2011-05-12/index.html']")


def test_scs_site_builds_it_and_a_missing_template_is_one_line(tmp_path):
    from typer.testing import CliRunner

    from scs_cli.main import app

    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    args = ["--config-dir", str(ROOT / "config"), "--out-dir", str(tmp_path / "out"), "--state-dir",
            str(tmp_path / "state"), "--templates-dir", str(templates), "site", "--on", "2010-10-01"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    index = tmp_path / "out" / "public" / "index.html"
    assert check_html(index) == [] and "Not yet published" in index.read_text()
    shutil.rmtree(templates / "site")
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"error: {templates / 'site' / 'base.html'}: the site's page "
                                                  "template is missing"]


def test_the_calendars_timezones_are_what_icalendar_adds_made_once():
    """with_timezones (the site's calendar, each invitation) adds what ``add_missing_timezones`` adds, the
    VTIMEZONE worked out once in a process; a zone icalendar does not know is left out as it leaves it."""
    from zoneinfo import ZoneInfo

    from icalendar import Calendar, Event

    from scs_refresh.mail.invitations import _vtimezone, with_timezones

    def calendar():
        cal = Calendar()
        cal.add("prodid", "-//test//EN")
        for n, zone in enumerate(("Europe/London", "America/New_York", "Europe/London")):
            ev = Event()
            ev.add("uid", f"{n}@test")
            ev.add("dtstart", datetime(2011, 5, 10, 19, 0, tzinfo=ZoneInfo(zone)))
            cal.add_component(ev)
        return cal

    plain = calendar()
    plain.add_missing_timezones()
    assert with_timezones(calendar()).to_ical() == with_timezones(calendar()).to_ical() == plain.to_ical()
    assert _vtimezone.cache_info().hits >= 2
    assert _vtimezone("Nowhere/Atlantis") is None
