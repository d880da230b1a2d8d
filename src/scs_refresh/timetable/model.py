"""The SCS refresh timetable: stages, meetings, milestones and their paper deadlines.

The process is the one agreed by the Breckland Partnership Board on 7 October 2010
(seed 000, 4.3.2-4.3.7): four stages, LSP Board meetings, then the council's approval
chain from the submission of papers through CMT, Executive Board, Cabinet and Full
Council to the launch Board. All dates are data in ``config/timetable.yaml``; this module
types them, checks that the timetable is possible, and derives each event's deadlines.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

import pendulum
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from scs_refresh.timetable import deadlines as cal
from scs_refresh.core.dates import day_text
from scs_refresh.core.yamlio import Path_, load_model, parse_iso_date
from scs_refresh.core.model import Email, OneLine, OptionalEmail, StrictModel
from scs_refresh.core.schedule_12a import PARAGRAPHS

Day = Annotated[date, BeforeValidator(parse_iso_date)]
Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="lower-case letters, digits, hyphens")]


class Window(StrictModel):
    """A span of days, both ends included (a stage, or the window for a date 'to be arranged')."""

    start: Day
    end: Day

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end < self.start:
            raise ValueError(f"the window ends ({self.end}) before it starts ({self.start})")
        return self

    def __contains__(self, d: date) -> bool:
        return self.start <= d <= self.end

    def covers(self, other: Window) -> bool:
        return other.start in self and other.end in self


class Person(StrictModel):
    """A member of a body: their name and address go into the header of the papers' e-mail."""

    name: OneLine
    role: OneLine = ""
    email: OptionalEmail = ""


class Officer(Person):
    """The officer who runs the refresh: every officer reminder goes to this address."""

    email: Email


class Cycle(StrictModel):
    id: Id
    title: str
    partnership: str
    council: str
    officer: Officer
    source: str = ""


class ClearDaysRule(StrictModel):
    """Papers out ``clear_days`` clear working days before the meeting (LGA 1972 s100B)."""

    clear_days: int = Field(ge=1, le=30)

    def deadline(self, meeting: date) -> pendulum.Date:
        return cal.statutory_publication_deadline(meeting, self.clear_days)

    def describe(self, kind: str) -> str:
        basis = "LGA 1972 s100B" if kind == "council_committee" else "local rule"
        return f"{self.clear_days} clear days ({basis})"


class CalendarDaysRule(StrictModel):
    """Papers in ``calendar_days`` days before the meeting, on a working day (local practice)."""

    calendar_days: int = Field(ge=1, le=90)

    def deadline(self, meeting: date) -> pendulum.Date:
        return cal.calendar_days_deadline(meeting, self.calendar_days)

    def describe(self, kind: str) -> str:
        return f"{self.calendar_days} calendar days before (local rule)"


PapersRule = ClearDaysRule | CalendarDaysRule

BodyKind = Literal["partnership_board", "council_committee", "officer_group"]


class Body(StrictModel):
    """A board or committee that meets, receives papers and (for committees) decides."""

    id: Id
    name: str
    kind: BodyKind
    papers_due: PapersRule = ClearDaysRule(clear_days=cal.STATUTORY_CLEAR_DAYS)
    public: bool = Field(True, description="papers are published for public inspection")
    members: list[Person] = []
    report_lead_working_days: int | None = Field(None, ge=0, le=30, description="overrides rules.*")

    @model_validator(mode="after")
    def _statutory_minimum(self) -> Body:
        rule = self.papers_due
        if self.kind == "council_committee" and not (
            isinstance(rule, ClearDaysRule) and rule.clear_days >= cal.STATUTORY_CLEAR_DAYS
        ):
            raise ValueError(
                "a council committee's papers must be open to inspection at least "
                f"{cal.STATUTORY_CLEAR_DAYS} clear days before it meets (LGA 1972 s100B); "
                f"papers_due must be clear_days: {cal.STATUTORY_CLEAR_DAYS} or more"
            )
        return self


class Activity(StrictModel):
    id: Id
    title: str
    detail: list[str] = []


class Stage(StrictModel):
    id: Id
    name: str
    window: Window
    seed_ref: str = ""
    activities: list[Activity] = []


PaperKind = Literal[
    "board_report", "committee_report", "agenda", "board_pack", "draft_scs_sections",
    "draft_scs", "final_scs", "partnership_review", "submission_pack", "minutes", "launch_pack",
    "workshop_pack",
]


class Paper(StrictModel):
    kind: PaperKind
    title: str
    purpose: Id | None = Field(None, description="for reports: which wording in papers.yaml to use")
    exempt: int | None = Field(None, description="the paragraph (1-7) of Part 1 of Schedule 12A to the Local "
                               "Government Act 1972 the paper is exempt under: members only, never public")

    @field_validator("exempt", mode="before")
    @classmethod
    def _exempt_names_its_paragraph(cls, value: object) -> object:
        """An exempt paper must say which paragraph of Schedule 12A applies; 'yes' is not enough."""
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value not in PARAGRAPHS:
            raise ValueError(f"exempt must be the paragraph of Part 1 of Schedule 12A (LGA 1972) that applies, "
                             f"a number from 1 to 7 (3 is the financial or business affairs of any particular "
                             f"person); got {value!r}")
        return value

    @model_validator(mode="after")
    def _reports_have_a_purpose(self) -> Paper:
        if self.kind in ("board_report", "committee_report") and self.purpose is None:
            raise ValueError(f"a {self.kind} needs a purpose: the wording to use from papers.yaml")
        return self


EventType = Literal["meeting", "milestone", "workshop"]

#: ``fed_by`` value for papers written before the cycle began (the report that launched it).
PRE_CYCLE = "pre-cycle"


class Event(StrictModel):
    """A dated (or to-be-arranged) meeting, workshop or milestone in the cycle."""

    id: Id
    type: EventType
    title: str
    stage: Id
    body: Id | None = None
    date: Day | None = None
    to_be_arranged: Window | None = Field(None, description="window while the date is not fixed")
    time: str | None = Field(None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    venue: str = ""
    fed_by: Id | None = Field(None, description=f"stage whose work the papers report (default: own stage), "
                              f"or '{PRE_CYCLE}' for papers prepared before the cycle began")
    outside_stage: str | None = Field(None, description="reason the date may fall outside its stage")
    papers_due: PapersRule | None = Field(None, description="overrides the body's rule")
    papers: list[Paper] = []
    purpose: str = ""

    @model_validator(mode="after")
    def _dated_or_window(self) -> Event:
        if self.date is None and self.to_be_arranged is None:
            raise ValueError("give either a date or a to_be_arranged window")
        if self.date is not None and self.to_be_arranged is not None and self.date not in self.to_be_arranged:
            raise ValueError(f"the date {self.date} is outside its to_be_arranged window")
        if self.type != "milestone" and self.body is None:
            raise ValueError(f"a {self.type} needs the body that holds it")
        return self

    @property
    def tba(self) -> bool:
        return self.date is None


class Election(StrictModel):
    """A polling day in the council's area: the pre-election period before it is checked by ``scs check``."""

    date: Day
    title: str = Field("local elections", min_length=1)


class Rules(StrictModel):
    report_lead_working_days: int = Field(5, ge=0, le=30)
    officer_reminders: list[int] = Field([5, 1], description="working days before a report deadline")
    member_reminder_working_days: int = Field(2, ge=1, le=20, description="meeting reminder to members")


class Timetable(StrictModel):
    """The whole refresh cycle as written in config/timetable.yaml."""

    cycle: Cycle
    rules: Rules = Rules()
    bodies: list[Body]
    stages: list[Stage] = Field(min_length=1)
    events: list[Event]
    approval_chain: list[Id] = Field(description="event ids, in the order approval must happen")
    elections: list[Election] | None = Field(None, description="polling days in the area; [] when there are none")

    @cached_property
    def span(self) -> Window:
        """The whole cycle: from the first stage's start to the last stage's end."""
        return Window(start=self.stages[0].window.start, end=self.stages[-1].window.end)

    @cached_property
    def body(self) -> dict[str, Body]:
        return {b.id: b for b in self.bodies}

    @cached_property
    def stage(self) -> dict[str, Stage]:
        return {s.id: s for s in self.stages}

    @cached_property
    def event(self) -> dict[str, Event]:
        return {e.id: e for e in self.events}

    def papers_rule(self, event: Event) -> PapersRule | None:
        if event.papers_due is not None:
            return event.papers_due
        return self.body[event.body].papers_due if event.body else None

    @cached_property
    def schedule(self) -> list[Scheduled]:
        """Every event with its derived deadlines, in date order (to-be-arranged ones last)."""
        items = [schedule_events(self, e) for e in self.events]
        return sorted(items, key=lambda s: (s.event.date or s.event.to_be_arranged.start, s.event.tba))


class Scheduled(BaseModel):
    """An event and the deadlines derived from its date under its body's rule."""

    model_config = ConfigDict(frozen=True)

    event: Event
    publication_deadline: date | None
    report_deadline: date | None
    rule: str
    chain_position: int | None


def schedule_events(tt: Timetable, e: Event) -> Scheduled:
    chain_pos = tt.approval_chain.index(e.id) + 1 if e.id in tt.approval_chain else None
    if e.tba:
        return Scheduled(event=e, publication_deadline=None, report_deadline=None,
                         rule="date to be arranged", chain_position=chain_pos)
    if e.type == "milestone":
        # A milestone is itself a deadline: the papers are due on the day.
        return Scheduled(event=e, publication_deadline=None, report_deadline=e.date,
                         rule="due on the day", chain_position=chain_pos)
    body = tt.body[e.body]
    rule = tt.papers_rule(e)
    publication = rule.deadline(e.date)
    lead = tt.rules.report_lead_working_days if body.report_lead_working_days is None else body.report_lead_working_days
    report = cal.officer_report_deadline(publication, lead) if lead else publication
    return Scheduled(event=e, publication_deadline=publication, report_deadline=report,
                     rule=rule.describe(body.kind), chain_position=chain_pos)



def check(tt: Timetable) -> list[tuple[Path_, str]]:
    """Everything that makes a well-formed timetable impossible, as (key path, sentence)."""
    problems: list[tuple[Path_, str]] = []

    for key, items in (("bodies", tt.bodies), ("stages", tt.stages), ("events", tt.events)):
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            if item.id in seen:
                problems.append(((key, i, "id"), f"duplicate id '{item.id}' (already used by {key}[{seen[item.id]}])"))
            seen.setdefault(item.id, i)
    for si, stage in enumerate(tt.stages):
        seen_act: set[str] = set()
        for ai, act in enumerate(stage.activities):
            if act.id in seen_act:
                problems.append((("stages", si, "activities", ai, "id"), f"duplicate activity id '{act.id}'"))
            seen_act.add(act.id)

    # Stages run one after another without overlapping.
    for i in range(1, len(tt.stages)):
        prev, cur = tt.stages[i - 1], tt.stages[i]
        if cur.window.start < prev.window.start:
            problems.append((("stages", i, "window", "start"),
                             f"stage '{cur.id}' starts {day_text(cur.window.start)}, before the stage listed before it "
                             f"('{prev.id}', {day_text(prev.window.start)}); list stages in order"))
        elif cur.window.start <= prev.window.end:
            problems.append((("stages", i, "window", "start"),
                             f"stage '{cur.id}' starts {day_text(cur.window.start)}, while stage '{prev.id}' "
                             f"runs until {day_text(prev.window.end)}; stages must not overlap"))

    for i, e in enumerate(tt.events):
        if e.body is not None and e.body not in tt.body:
            problems.append((("events", i, "body"), f"no body with id '{e.body}' (bodies: {', '.join(tt.body)})"))
        if e.stage not in tt.stage:
            problems.append((("events", i, "stage"), f"no stage with id '{e.stage}' (stages: {', '.join(tt.stage)})"))
            continue
        if e.fed_by not in (None, PRE_CYCLE) and e.fed_by not in tt.stage:
            problems.append((("events", i, "fed_by"),
                             f"no stage with id '{e.fed_by}' (stages: {', '.join(tt.stage)}, or {PRE_CYCLE})"))
            continue
        window = tt.stage[e.stage].window
        if e.outside_stage is None:
            if e.date is not None and e.date not in window:
                problems.append((("events", i, "date"),
                                 f"{day_text(e.date)} is outside the {e.stage} stage ({day_text(window.start)} to "
                                 f"{day_text(window.end)}); move it, or say why with outside_stage: <reason>"))
            elif e.date is None and not window.covers(e.to_be_arranged):
                problems.append((("events", i, "to_be_arranged"),
                                 f"the window is not inside the {e.stage} stage ({day_text(window.start)} to "
                                 f"{day_text(window.end)}); narrow it, or say why with outside_stage: <reason>"))

    # The approval chain: every link exists, is dated and comes after the one before.
    chain_ok = True
    for i, eid in enumerate(tt.approval_chain):
        if eid not in tt.event:
            problems.append((("approval_chain", i), f"no event with id '{eid}'"))
            chain_ok = False
        elif tt.event[eid].tba:
            problems.append((("approval_chain", i), f"'{eid}' has no date yet; every step of the approval chain needs one"))
            chain_ok = False
    if len(set(tt.approval_chain)) != len(tt.approval_chain):
        problems.append((("approval_chain",), "an event appears twice in the approval chain"))
        chain_ok = False
    if chain_ok:
        for i in range(1, len(tt.approval_chain)):
            prev, cur = tt.event[tt.approval_chain[i - 1]], tt.event[tt.approval_chain[i]]
            if cur.date <= prev.date:
                problems.append((("approval_chain", i),
                                 f"'{cur.id}' ({day_text(cur.date)}) must come after '{prev.id}' ({day_text(prev.date)}); "
                                 "the approval chain runs submission, CMT, Executive Board, Cabinet, Full Council, launch"))

    if problems:  # deadlines need valid references
        return problems

    # Papers cannot be due before the stage whose work they report has begun.
    for i, e in enumerate(tt.events):
        if e.fed_by == PRE_CYCLE:
            continue
        s = schedule_events(tt, e)
        feeder = tt.stage[e.fed_by or e.stage]
        if s.report_deadline is not None and s.report_deadline < feeder.window.start:
            problems.append((("events", i, "fed_by" if e.fed_by else "date"),
                             f"the papers for '{e.id}' are due {day_text(s.report_deadline)}, before the stage that "
                             f"feeds them ('{feeder.id}') starts on {day_text(feeder.window.start)}"))
    return problems


def load_timetable(file: Path) -> Timetable:
    """Read, type and check ``file``; raise ConfigError naming file, line and key."""
    return load_model(file, Timetable, check)


def as_json(tt: Timetable, schedule: list[Scheduled] | None = None, status: dict[str, str] | None = None) -> dict:
    """The timetable and every derived deadline as plain JSON-ready data; with ``schedule``, as it now stands
    (re-planned dates in place, ``original_date`` the timetable's, ``status`` what the approval chain says)."""
    original = {e.id: e.date for e in tt.events}
    status = status or {}

    def iso(d: date | None) -> str | None:
        return d.isoformat() if d else None

    def recipients(e: Event) -> list[str]:
        if e.body is None:
            return [tt.cycle.council]
        body = tt.body[e.body]
        return [f"{m.name} <{m.email}>" if m.email else m.name for m in body.members] + (
            ["public inspection"] if body.public else [])

    return {
        "cycle": tt.cycle.model_dump(),
        "stages": [
            {"id": s.id, "name": s.name, "start": iso(s.window.start), "end": iso(s.window.end),
             "seed_ref": s.seed_ref, "activities": [a.model_dump() for a in s.activities]}
            for s in tt.stages
        ],
        "events": [
            {"id": s.event.id, "type": s.event.type, "title": s.event.title, "stage": s.event.stage,
             "body": s.event.body, "body_kind": tt.body[s.event.body].kind if s.event.body else None,
             "date": iso(s.event.date), "original_date": iso(original[s.event.id]),
             "status": status.get(s.event.id, "as planned"), "time": s.event.time,
             "to_be_arranged": ({"start": iso(s.event.to_be_arranged.start), "end": iso(s.event.to_be_arranged.end)}
                                if s.event.to_be_arranged else None),
             "publication_deadline": iso(s.publication_deadline), "report_deadline": iso(s.report_deadline),
             "rule": s.rule, "approval_chain_position": s.chain_position,
             "papers": [p.model_dump() for p in s.event.papers], "recipients": recipients(s.event)}
            for s in (tt.schedule if schedule is None else schedule)
        ],
        "approval_chain": list(tt.approval_chain),
        "elections": [{"date": iso(e.date), "title": e.title} for e in tt.elections or []],
    }
