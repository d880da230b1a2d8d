"""What announces a decision and what follows a meeting: the forward plan entry for the Strategy's
adoption, and after each sitting its decision notice and draft minutes.

Each is written from the state of the refresh on the day it is written (a :class:`RefreshState`):
the decisions recorded by then, the meeting's agenda and reports as the timetable says. The draft
minutes are for the officer to complete (who attended, what was said); everything the decision
record knows is filled in. Each document exists in two forms when the meeting had exempt business:
for members (the exempt items, marked NOT FOR PUBLICATION) and for the public (without them).

A meeting's *sittings* are the days it met: its date as the schedule stands, and the day of each
deferral (the Cabinet that deferred on 10 May 2011 sat that day, and sits again on its new date).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from scs_refresh.approval.chain import decision_chain
from scs_refresh.approval.outcomes import Outcome
from scs_refresh.core import schedule_12a
from scs_refresh.core.atomic import write_bytes, write_text
from scs_refresh.core.dates import day_text, long_date
from scs_refresh.core.store import DecisionRecord
from scs_refresh.documents.html import page_body, to_html
from scs_refresh.documents.pdf import PdfQueue, soffice
from scs_refresh.documents.release import release
from scs_refresh.documents.render import render_docx
from scs_refresh.papers.contexts import (RefreshState, agenda_context, fill, next_meeting_of, previous_sitting,
                                        wording)
from scs_refresh.papers.wording import ForwardPlan
from scs_refresh.timetable.forward_plan import regulations_for
from scs_refresh.timetable.model import PRE_CYCLE, Event, Paper, Timetable

NOTICE, MINUTES, MINUTES_PUBLIC, FORWARD_PLAN = "decision-notice", "draft-minutes", "draft-minutes-public", \
    "forward-plan-entry"
RECORDS = "records.json"  # in a meeting's folder: each record written, and the day it was written for


@dataclass(frozen=True)
class Sitting:
    meeting_id: str
    day: date


def sittings(events: Iterable[Event], decisions: Sequence[DecisionRecord]) -> list[Sitting]:
    """Every day a meeting of a body met or is to meet: the date of each of ``events`` (the schedule as
    re-arranged) and each day a meeting deferred, in date order."""
    events = list(events)
    ids = {e.id for e in events}
    # a meeting whose papers were written before the cycle (the 7 October 2010 Board) had its business done then
    days = {Sitting(e.id, e.date) for e in events
            if e.type == "meeting" and e.body and e.date and e.fed_by != PRE_CYCLE}
    days |= {Sitting(d.meeting_id, d.decided_on) for d in decisions
             if d.outcome == Outcome.DEFERRED and d.replaced_by is None and d.meeting_id in ids}
    return sorted(days, key=lambda s: (s.day, s.meeting_id))


def decision_at(decisions: Sequence[DecisionRecord], all_sittings: Sequence[Sitting],
                sitting: Sitting) -> DecisionRecord | None:
    """The decision (in force) taken at ``sitting``: dated on or after it and before the meeting's next sitting."""
    later = [s.day for s in all_sittings if s.meeting_id == sitting.meeting_id and s.day > sitting.day]
    until = min(later) if later else date.max
    found = [d for d in decisions if d.meeting_id == sitting.meeting_id and d.replaced_by is None
             and sitting.day <= d.decided_on < until]
    return min(found, key=lambda d: d.decided_on) if found else None


def _business(event: Event) -> list[Paper]:
    return [p for p in event.papers if p.kind not in ("agenda", "board_pack")]


def _decided_paper(event: Event) -> Paper | None:
    """The report the meeting's decision is about: its first open report."""
    return next((p for p in event.papers if p.purpose and not p.exempt), None)


def resolution(state: RefreshState, event: Event, decision: DecisionRecord | None) -> list[str]:
    """The decision in the words of a minute: 'RESOLVED that ...', then each recommendation agreed."""
    paper = _decided_paper(event)
    if decision is None or paper is None:
        return ["RESOLVED that [the decision is to be completed by the officer]."]
    recs = [f"({chr(97 + i)}) {fill(t, state, event).rstrip('.')}." for i, t in
            enumerate(wording(state, paper).recommendations)]
    match decision.outcome:
        case Outcome.APPROVED:
            return ["RESOLVED that the recommendations of the report be agreed:", *recs]
        case Outcome.APPROVED_WITH_AMENDMENTS:
            return ["RESOLVED that the recommendations of the report be agreed:", *recs,
                    f"with the amendment: {decision.amendment}"]
        case Outcome.DEFERRED:
            return ["RESOLVED that a decision be deferred to a later meeting, and further information be provided."]
        case _:
            return ["RESOLVED that the recommendations of the report be not agreed."]


def _particulars(state: RefreshState, event: Event, day: date) -> list[dict]:
    cfg = state.papers.agenda
    return [{"label": "Meeting", "value": state.timetable.body[event.body].name},
            {"label": "Date", "value": long_date(day)},
            {"label": "Time", "value": event.time or cfg.default_time},
            {"label": "Venue", "value": event.venue or cfg.venue}]


def _common(state: RefreshState, event: Event, title: str) -> dict:
    tt = state.timetable
    body = tt.body[event.body]
    organisation = state.papers.agenda.organisation if body.kind == "partnership_board" else tt.cycle.council
    officer = tt.cycle.officer
    return {"title": title, "author": officer.name, "organisation_upper": organisation.upper(),
            "footer": title, "contact_line": f"Contact: {officer.name}, {officer.role}, {officer.email}"}


def notice_context(state: RefreshState, event: Event, sitting: Sitting, decision: DecisionRecord) -> dict:
    """The decision notice: what the meeting decided, on which report, and why; no exempt business."""
    tt = state.timetable
    paper = _decided_paper(event)
    body = tt.body[event.body].name
    title = f"Decision notice: {body}, {long_date(sitting.day)}"
    words = wording(state, paper) if paper else None
    sections = [{"heading": f"Decision: {paper.title if paper else event.title}",
                 "paragraphs": resolution(state, event, decision)}]
    if words is not None:
        sections.append({"heading": "Reasons for the decision",
                         "paragraphs": [fill(t, state, event) for t in words.reasons]})
        if tt.body[event.body].kind != "partnership_board":
            sections.append({"heading": "Alternative options considered",
                             "paragraphs": list(state.papers.committee_options)})
    particulars = _particulars(state, event, sitting.day) + [
        {"label": "Decision", "value": decision.outcome.replace("_", " ").capitalize()},
        {"label": "Published", "value": long_date(state.on)}]
    fp = state.papers.forward_plan
    key = fp.meeting(tt, fp.executive) if fp is not None else None
    if key is not None and key.id == event.id:
        particulars.append({"label": "Key decision", "value": "Yes: in the forward plan"})
    return {**_common(state, event, title), "particulars": particulars, "sections": sections,
            "intro": [f"The decision taken by {body} at its meeting on {long_date(sitting.day)}."]}


def minutes_context(state: RefreshState, event: Event, sitting: Sitting, decision: DecisionRecord | None,
                    public: bool) -> dict:
    """The draft minutes in the order of the agenda, with the decision record's resolution; for the
    public without the exempt items (each only named by its paragraph of Schedule 12A)."""
    refs = [(p, "") for p in _business(event) if p.kind not in ("launch_pack", "workshop_pack")]
    items = agenda_context(state, event.model_copy(update={"date": sitting.day}), refs).context["items"]
    decided = _decided_paper(event)
    cfg, own = state.papers.agenda, state.papers.agenda.body(event.body)
    standing = {i.title: i.minute for i in [*cfg.opening, *own.opening, *cfg.closing, *own.closing] if i.minute}
    nxt = next_meeting_of(state.timetable, event.model_copy(update={"date": sitting.day}))  # as planned on the day
    exempt = {p.title: p for p in event.papers if p.exempt}
    described = {state.papers.agenda.exempt_item.format(exemption=schedule_12a.described(p.exempt)): p
                 for p in exempt.values()}
    sections = []
    for item in items:
        heading = f"{item['number']}. {item['title']}"
        paper = described.get(item["title"])
        if paper is not None:
            paras = ([f"NOT FOR PUBLICATION by virtue of {schedule_12a.citation(paper.exempt)}.",
                      f"{paper.title}: [the minute of this item is to be completed by the officer]."]
                     if not public else ["The minute of this item is not for publication."])
        elif decided is not None and item["title"] == decided.title:
            paras = [f"The meeting considered the report of the {state.timetable.cycle.officer.role}.",
                     *resolution(state, event, decision)]
        elif item["title"].startswith("Exclusion of the press and public"):
            paras = ["RESOLVED accordingly."]
        elif item["title"] in standing and nxt is not None:
            paras = [standing[item["title"]].format(meeting_date=long_date(nxt.date),
                                                    meeting_time=nxt.time or cfg.default_time,
                                                    venue=nxt.venue or cfg.venue)]
        else:
            paras = ["[To be completed by the officer.]"]
        sections.append({"heading": heading, "paragraphs": paras})
    body = state.timetable.body[event.body]
    members = ", ".join(m.name for m in body.members) or "[to be completed]"
    title = f"Minutes of the meeting of {body.name} held on {long_date(sitting.day)}"
    return {**_common(state, event, title), "sections": sections,
            "particulars": _particulars(state, event, sitting.day) + [
                {"label": "Members", "value": members},
                {"label": "Present", "value": "[to be completed by the officer]"}],
            "intro": [f"DRAFT, written on {long_date(state.on)}: subject to confirmation at the next meeting of "
                      f"{body.name}."]}


def forward_plan_context(state: RefreshState, fp: ForwardPlan, publish_by: date) -> dict:
    """The forward plan entry (or notice of key decision) for the Strategy's adoption, citing the
    regulations in force on the day the decision is to be taken."""
    tt = state.timetable
    event = fp.meeting(tt, fp.executive)
    regs = regulations_for(event.date)
    council = fp.meeting(tt, fp.council)
    title = f"{regs.document.capitalize()}: {fp.matter}"
    particulars = [{"label": "Matter for decision", "value": fp.matter},
                   {"label": "Decision maker", "value": tt.body[event.body].name},
                   {"label": "Date of decision", "value": long_date(event.date)},
                   {"label": "Key decision", "value": "Yes"},
                   {"label": "Wards affected", "value": fp.wards},
                   {"label": "Open or exempt", "value": "Open"},
                   {"label": "Published", "value": long_date(state.on)}]
    if council is not None:
        particulars.append({"label": "Policy framework", "value": f"Yes: {tt.body[council.body].name} is asked "
                                                                  f"to adopt it on {long_date(council.date)}"})
    sections = [{"heading": "Consultation", "paragraphs": list(fp.consultation)},
                {"heading": "Documents to be considered", "paragraphs": list(fp.documents)},
                {"heading": "Why this notice is published",
                 "paragraphs": [f"Under {regs.title}, {regs.rule}. This {regs.document} is to be published by "
                                f"{long_date(publish_by)}."]}]
    return {**_common(state, event, title), "particulars": particulars, "sections": sections,
            "intro": [f"{tt.cycle.council}: notice that a key decision is to be taken."]}


def forward_plan_due(tt: Timetable, fp: ForwardPlan) -> date | None:
    """The last day to publish the entry, by the regulations in force on the day of the decision."""
    event = fp.meeting(tt, fp.executive)
    return regulations_for(event.date).latest(event.date) if event is not None and event.date else None


def forward_plan_warnings(tt: Timetable, fp: ForwardPlan | None) -> list[tuple[tuple, str]]:
    """For `scs check`: the entry falls due before the Partnership Board has ratified the Strategy it
    announces, so the timetable leaves less time between ratification and the decision than the rule needs."""
    by = forward_plan_due(tt, fp) if fp is not None else None
    if by is None:
        return []
    event = fp.meeting(tt, fp.executive)
    ratify = tt.event[decision_chain(tt)[0]]
    if ratify.date is None or by >= ratify.date:
        return []
    regs = regulations_for(event.date)
    return [(("forward_plan", "executive"),
             f"the {regs.document} for {event.id} ({day_text(event.date)}) must be published by {day_text(by)} "
             f"under {regs.title}, {regs.rule}; that is before {ratify.id} ({day_text(ratify.date)}) ratifies the "
             "Strategy: move the decision later or the ratification earlier")]


def write_record(context: dict, templates: Path, folder: Path, name: str, *, pdf: bool,
                 public: Path | None = None) -> list[Path]:
    """Render ``context`` as ``folder/name.docx`` (checked before release), with its tagged PDF when
    LibreOffice is there and its web page; copy all three into ``public`` when given."""
    docx = release(render_docx(Path(templates) / "record_tpl.docx", context, Path(folder) / f"{name}.docx"),
                   context)
    files = [docx]
    if pdf and soffice() is not None:
        with PdfQueue(Path(folder) / "pdf") as pdfs:
            pdfs.add(docx)
            page_body(docx)  # the web page's content, made while LibreOffice converts
            files += pdfs.wait([docx])
    files.append(to_html(docx, Path(templates) / "paper_page.html", Path(folder) / "html" / f"{name}.html",
                         files[:]))
    if public is not None:
        files += [write_bytes(Path(public) / f.relative_to(folder), f.read_bytes()) for f in list(files)]
    return files


def recorded(folder: Path) -> dict[str, str]:
    """The records written in a meeting's folder: name -> the day (ISO) each was written for."""
    file = Path(folder) / RECORDS
    return json.loads(file.read_text()) if file.is_file() else {}


def note_record(folder: Path, name: str, on: date) -> None:
    write_text(Path(folder) / RECORDS, json.dumps({**recorded(folder), name: on.isoformat()}, indent=2))


@dataclass(frozen=True)
class Written:
    """A record written for a sitting: the files, the members' version (the one mailed) and the public files."""

    files: list[Path]
    for_members: Path
    public: list[Path]


def sitting_of(key: str, meeting_id: str) -> Sitting:
    """The sitting an after-meeting action is for: its key ends ``<meeting>@<day>``."""
    return Sitting(meeting_id, date.fromisoformat(key.rpartition("@")[2]))


def minutes_name(sitting: Sitting, members: bool = False) -> str:
    return f"{MINUTES}{'-members' if members else ''}-{sitting.day}"


def folder_of(out: Path, meeting_id: str) -> Path:
    """Where what follows a meeting is kept: ``out/records/<meeting>``, beside its papers, not among them —
    the papers are one set, written again whole when they change, and must not take the minutes with them."""
    return Path(out) / "records" / meeting_id


def write_after_meeting(state: RefreshState, sitting: Sitting, kind: str, out: Path, templates: Path, *,
                        pdf: bool) -> Written:
    """The decision notice (``kind`` NOTICE) or the draft minutes (MINUTES) of ``sitting``, as at ``state.on``:
    in the meeting's records folder, and without exempt parts in the public folder when the body publishes."""
    tt = state.timetable
    event = tt.event[sitting.meeting_id]
    decision = decision_at(state.decisions, sittings([s.event for s in tt.schedule], state.decisions), sitting)
    folder = folder_of(out, event.id)
    public = Path(out) / "public" / event.id if tt.body[event.body].public else None
    if kind == NOTICE:
        if decision is None:
            raise ValueError(f"{event.id}: no decision recorded for {sitting.day}")  # the tick never asks
        name = f"{NOTICE}-{sitting.day}"
        files = write_record(notice_context(state, event, sitting, decision), templates, folder, name, pdf=pdf,
                             public=public)
        members = files[0]
    else:
        files = write_record(minutes_context(state, event, sitting, decision, public=True), templates, folder,
                             minutes_name(sitting), pdf=pdf, public=public)
        members = files[0]
        if any(p.exempt for p in event.papers):  # the members' minutes hold the exempt items: never published
            members = write_record(minutes_context(state, event, sitting, decision, public=False), templates,
                                   folder, minutes_name(sitting, members=True), pdf=pdf)[0]
            files.append(members)
        name = minutes_name(sitting)
    note_record(folder, name, state.on)
    return Written(files, members, [f for f in files if public is not None and public in f.parents])


def minutes_for_approval(state: RefreshState, event: Event, out: Path) -> Path | None:
    """The draft minutes of the body's previous sitting, when written by ``state.on``: the next agenda
    carries them for confirmation (the public version: the pack's open papers are published)."""
    previous = previous_sitting(state, event)
    if previous is None:
        return None
    sitting = Sitting(*previous)
    written_on = recorded(folder_of(out, sitting.meeting_id)).get(minutes_name(sitting))
    if written_on is None or date.fromisoformat(written_on) > state.on:
        return None
    return folder_of(out, sitting.meeting_id) / f"{minutes_name(sitting)}.docx"


def awaited(events: Iterable[Event], decisions: Sequence[DecisionRecord], on: date) -> list[str]:
    """For the officer's plan: each sitting held by ``on`` whose decision is not recorded, so it has no
    decision notice yet."""
    every = sittings(events, decisions)
    return [f"'{s.meeting_id}' met on {day_text(s.day)}: its decision notice waits for the decision; record it "
            f"with `scs decision {s.meeting_id} OUTCOME --on {s.day}`"
            for s in every if s.day <= on and decision_at(decisions, every, s) is None]
