"""The public meetings site: static pages under the public folder, as councils publish meetings.

Built from what has been published, never from the papers as written: the public folder holds
no exempt paper (publication leaves them out), so neither does the site. It has

- ``index.html``: the meetings of every public body by date, each with its papers' count;
- ``<meeting>/index.html``: a meeting's date, time, venue, its papers (the web page, the tagged
  PDF and the Word file, with their sizes), and its decision once recorded;
- ``strategy.html``: the Sustainable Community Strategy: adopted (with its papers) or not yet;
- ``meetings.ics``: every meeting as an iCalendar feed members and residents can subscribe to;
- ``papers.atom``: an Atom feed of the papers as they are published.

Every page is written from ``templates/site/`` (the wording and the styles) and checked like a
paper's page (:func:`scs_refresh.documents.accessibility.check_html`) before it is released.
Each file is replaced atomically, so a reader never sees half a page.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date, datetime, time, timedelta
from pathlib import Path

from scs_refresh.approval.chain import adoption, current_decisions
from scs_refresh.approval.decisions import load_approvals
from scs_refresh.approval.outcomes import APPROVING
from scs_refresh.core.atomic import version_of, write_bytes, write_text
from scs_refresh.core.dates import day_text_long
from scs_refresh.core.errors import UserError
from scs_refresh.core.folders import Dirs
from scs_refresh.documents.accessibility import LANGUAGE
from scs_refresh.documents.release import release_html
from scs_refresh.mail.invitations import LONDON, with_timezones
from scs_refresh.papers.wording import AgendaConfig
from scs_refresh.timetable.model import Timetable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Version:
    kind: str  # "pdf" or "docx"
    href: str
    size: str


@dataclass(frozen=True)
class PublishedPaper:
    title: str
    href: str  # its web page, from the meeting's folder
    versions: list[Version]


@dataclass
class Meeting:
    id: str
    title: str
    body: str
    day: date
    date_text: str
    time: str
    venue: str
    papers: list[PublishedPaper] = field(default_factory=list)
    published_on: date | None = None
    decision: str | None = None
    minutes: int = 120  # its planned length: its agenda's, once written


def _size(path: Path) -> str:
    n = path.stat().st_size
    return f"{n / 1_048_576:.1f} MB" if n >= 1_048_576 else f"{max(1, round(n / 1024))} KB"


def _page_title(page: Path) -> str:
    """The page's title; each site build reads every published page, and a page is rarely written again."""
    return _title_of(*version_of(page))


@lru_cache(maxsize=4096)
def _title_of(page: Path, _inode: int, _mtime: int, _size: int) -> str:
    import lxml.html

    return (lxml.html.fromstring(page.read_bytes()).findtext("head/title") or page.stem).strip()


def _published(folder: Path) -> list[PublishedPaper]:
    """The papers published in ``folder`` (a meeting's public folder): each web page with its PDF and Word file."""
    papers = []
    for page in sorted((folder / "html").glob("*.html")) if (folder / "html").is_dir() else []:
        if page.name.endswith(".rejected.html"):
            continue
        versions = [Version(kind, f"{sub}{page.stem}.{kind}", _size(folder / f"{sub}{page.stem}.{kind}"))
                    for kind, sub in (("pdf", "pdf/"), ("docx", "")) if (folder / f"{sub}{page.stem}.{kind}").is_file()]
        papers.append(PublishedPaper(_page_title(page), f"html/{page.name}", versions))
    return papers


def _decision_text(record) -> str:
    words = f"{record.outcome.replace('_', ' ').capitalize()} on {day_text_long(record.decided_on)}"
    if record.amendment:
        words += f", with the amendment: {record.amendment}"
    return words + "." + (f" Note: {record.note}" if record.note else "")


def _agenda_minutes(folder: Path, agenda: AgendaConfig) -> int:
    """The meeting's length as its agenda plans it (papers.json), or the configured longest meeting."""
    try:
        return json.loads((folder / "papers.json").read_text()).get("agenda_minutes") or agenda.max_minutes
    except (OSError, ValueError):
        return agenda.max_minutes


def meetings(dirs: Dirs, tt: Timetable, agenda: AgendaConfig) -> list[Meeting]:
    """Every dated meeting of a body whose papers are public, with what has been published for it."""
    decided = current_decisions(load_approvals(dirs.store).decisions)
    found = []
    for s in tt.schedule:
        e = s.event
        if e.body is None or e.date is None or not tt.body[e.body].public or e.type != "meeting":
            continue
        folder = Path(dirs.out) / "public" / e.id
        m = Meeting(e.id, e.title, tt.body[e.body].name, e.date, day_text_long(e.date), e.time or agenda.default_time,
                    e.venue or agenda.venue, _published(folder), s.publication_deadline if folder.is_dir() else None)
        if e.id in decided:
            m.decision = _decision_text(decided[e.id])
        m.minutes = _agenda_minutes(Path(dirs.out) / e.id, agenda)
        found.append(m)
    return sorted(found, key=lambda m: (m.day, m.id))


def _environment(templates: Path):
    folder = Path(templates) / "site"
    if not (folder / "base.html").is_file():
        raise UserError(f"{folder / 'base.html'}: the site's page template is missing")
    return _site_environment(folder.resolve(), Path(templates).resolve())


@lru_cache(maxsize=4)
def _site_environment(folder: Path, templates: Path):
    """One environment per templates folder in a process: the site is built after every publication, and
    its pages were compiled each time. Jinja reloads a page template edited meanwhile (auto_reload)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    # the site's own pages, and the house style they share with each paper's page (templates/house_style.css)
    return Environment(loader=FileSystemLoader([str(folder), str(templates)]), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True)


def _calendar(tt: Timetable, found: list[Meeting], stamp: datetime) -> bytes:
    from icalendar import Calendar, Event as VEvent

    stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=LONDON)
    cal = Calendar()
    cal.add("prodid", "-//scs-refresh//meetings//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{tt.cycle.partnership}: meetings")
    for m in found:
        hour, minute = map(int, m.time.split(":"))
        start = datetime.combine(m.day, time(hour, minute), tzinfo=LONDON)
        ev = VEvent()
        ev.add("uid", f"{m.id}@{tt.cycle.id}.scs-refresh")  # as the members' invitations: one entry per meeting
        ev.add("dtstamp", stamp)
        ev.add("dtstart", start)
        ev.add("dtend", start + timedelta(minutes=m.minutes))  # when its agenda finishes
        ev.add("summary", m.title)
        ev.add("location", m.venue)
        ev.add("description", f"{m.body}. Agenda and papers: {m.id}/index.html")
        cal.add_component(ev)
    with_timezones(cal)
    return cal.to_ical()


def _feed(tt: Timetable, found: list[Meeting], stamp: datetime) -> str:
    """An Atom feed (RFC 4287) of the published papers, newest first."""
    from xml.sax.saxutils import escape

    def when(d: date) -> str:
        return datetime.combine(d, time(9), tzinfo=LONDON).isoformat()

    entries = [(m, p) for m in found if m.published_on for p in m.papers]
    entries.sort(key=lambda e: (e[0].published_on, e[0].id, e[1].href), reverse=True)
    stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=LONDON)
    updated = when(entries[0][0].published_on) if entries else stamp.isoformat()
    ns = uuid.uuid5(uuid.NAMESPACE_URL, f"scs-refresh:{tt.cycle.id}")
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{LANGUAGE}">',
             f"  <title>{escape(tt.cycle.partnership)}: papers published</title>",
             f"  <id>urn:uuid:{ns}</id>", f"  <updated>{updated}</updated>",
             f"  <author><name>{escape(tt.cycle.officer.name)}</name></author>",
             '  <link rel="self" href="papers.atom"/>', '  <link rel="alternate" href="index.html"/>']
    for m, p in entries:
        lines += ["  <entry>", f"    <title>{escape(p.title)}</title>",
                  f"    <id>urn:uuid:{uuid.uuid5(ns, f'{m.id}/{p.href}')}</id>",
                  f"    <updated>{when(m.published_on)}</updated>",
                  f'    <link rel="alternate" type="text/html" href="{escape(m.id)}/{escape(p.href)}"/>',
                  f"    <summary>{escape(f'For {m.title}, {m.date_text}.')}</summary>", "  </entry>"]
    return "\n".join(lines + ["</feed>", ""])


def _strategy(tt: Timetable, found: list[Meeting], dirs: Dirs) -> dict:
    """The Strategy's page: adopted at which meeting (with its papers), or not yet."""
    event = adoption(tt)
    decided = current_decisions(load_approvals(dirs.store).decisions)
    record = decided.get(event.id) if event else None
    meeting = next((m for m in found if event and m.id == event.id), None)
    adopted = record is not None and record.outcome in APPROVING
    # the papers that put the Strategy to the meeting that adopted it (all but its agenda)
    papers = [p for p in meeting.papers if p.href != "html/00-agenda.html"] if meeting and adopted else []
    return {"adopted": adopted, "meeting": meeting, "decision": _decision_text(record) if adopted else None,
            "papers": papers, "event_title": event.title if event else None}


def _same(out: Path, text: str) -> bool:
    try:
        return out.read_bytes() == text.encode("utf-8")
    except OSError:
        return False


def build_site(dirs: Dirs, tt: Timetable, agenda: AgendaConfig, templates: Path, stamp: datetime) -> list[Path]:
    """Write the public site under ``<out>/public``; return its files (each checked when it was written: a page
    that reads as it did is left as it was released)."""
    env = _environment(templates)
    public = Path(dirs.out) / "public"
    found = meetings(dirs, tt, agenda)
    common = {"language": LANGUAGE, "partnership": tt.cycle.partnership, "organisation": agenda.organisation,
              "officer": tt.cycle.officer}
    written = []

    def page(name: str, out: Path, root: str, **values) -> None:
        text = env.get_template(name).render(**common, root=root, **values)
        if _same(out, text):  # as it was released last time: most pages do not change with one meeting's papers
            written.append(out)
        else:
            written.append(release_html(write_text(out, text)))

    for m in found:
        page("meeting.html", public / m.id / "index.html", "../", meeting=m)
    bodies = {}
    for m in found:
        bodies.setdefault(m.body, []).append(m)
    page("index.html", public / "index.html", "", bodies=bodies, meetings=found)
    page("strategy.html", public / "strategy.html", "", **_strategy(tt, found, dirs))
    written.append(write_bytes(public / "meetings.ics", _calendar(tt, found, stamp)))
    written.append(write_text(public / "papers.atom", _feed(tt, found, stamp)))
    log.info("built the public site: %d meeting page(s) in %s", len(found), public)
    return written
