"""config/papers.yaml: the wording of each kind of report and the agenda settings, typed."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from scs_refresh.core.errors import ConfigError
from scs_refresh.core.yamlio import load_model
from scs_refresh.core.errors import Problem
from scs_refresh.core.model import StrictModel

#: What a piece of wording may say in braces; filled in per meeting by the context builder.
#: {next_step} is the next meeting of the approval chain with its date, {next_body} its body.
PLACEHOLDERS = {"body", "meeting_date", "partnership", "council", "next_meeting", "adoption_date", "next_step",
                "next_body"}
#: What a sentence of the decision record may say too: the day the decision was taken, the amendment, the note.
DECISION_PLACEHOLDERS = PLACEHOLDERS | {"decided_on", "amendment", "note"}


def _allowing(allowed: set[str]):
    def known(text: str) -> str:
        names = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
        unknown = names - allowed
        if unknown:
            raise ValueError(f"unknown placeholder {{{sorted(unknown)[0]}}} (allowed: "
                             + ", ".join(f"{{{p}}}" for p in sorted(allowed)) + ")")
        return text
    return known


Wording = Annotated[str, AfterValidator(_allowing(PLACEHOLDERS))]
#: a sentence of the decision record, filled in for the meeting that decided
DecisionWording = Annotated[str, AfterValidator(_allowing(DECISION_PLACEHOLDERS))]


class UntilAdopted(StrictModel):
    """A report's wording while it is written before the Strategy is adopted: each part given here
    replaces the report's own (the rest stand)."""

    purpose: list[Wording] | None = Field(None, min_length=1)
    background: list[Wording] | None = None
    recommendations: list[Wording] | None = Field(None, min_length=1)
    reasons: list[Wording] | None = Field(None, min_length=1)


class Purpose(StrictModel):
    purpose: list[Wording] = Field(min_length=1)
    background: list[Wording] = []
    recommendations: list[Wording] = Field(min_length=1)
    reasons: list[Wording] = Field(min_length=1)
    until_adopted: UntilAdopted | None = Field(
        None, description="the wording while the adopting meeting (Full Council) has not yet adopted the Strategy")
    issues: Literal["progress", "funding_allocations"] = Field(
        "progress", description="what section 4 of a Board report sets out: the refresh's progress, or the "
        "proposed funding allocations of funding_allocations.yaml (an exempt paper's business)")
    decided: DecisionWording | None = Field(
        None, description="how later reports record this meeting's approval of the Strategy (approval chain)")

    def as_written(self, adopted: bool) -> Purpose:
        """The wording for a paper written after (``adopted``) or before the Strategy was adopted."""
        if adopted or self.until_adopted is None:
            return self
        return self.model_copy(update={k: v for k, v in self.until_adopted if v is not None} | {"until_adopted": None})


class Implication(StrictModel):
    title: str
    text: str


class DecisionRecordWording(StrictModel):
    """How a chain report records the decisions before it: a meeting not yet held, a deferral, a refusal, an
    amendment agreed, a note of the decision. The approval itself is each report's ``decided`` wording."""

    approved: DecisionWording = "On {decided_on} the {body} approved the Strategy."
    pending: DecisionWording = "The {body} is due to consider the Strategy on {meeting_date}."
    deferred: DecisionWording = "On {decided_on} the {body} deferred its decision on the Strategy."
    rejected: DecisionWording = "On {decided_on} the {body} did not approve the Strategy."
    amendment: DecisionWording = "It agreed this amendment: {amendment}"
    note: DecisionWording = "{note}"


_GAP = AfterValidator(_allowing({"event", "title", "start", "end"}))


class GapsWording(StrictModel):
    """How a Board report names a meeting still to be arranged, or one whose window passed undated: {event} its
    short name, {title} its full title, {start} and {end} its window."""

    to_be_arranged: Annotated[str, _GAP] = "The {title} is still to be arranged, between {start} and {end}."
    not_held: Annotated[str, _GAP] = "The {title}, planned for between {start} and {end}, was not held."


class EqualityWording(StrictModel):
    """The equality implication of a chain report: the screening carried out, or none."""

    title: str = "Equality"
    screened: Annotated[str, AfterValidator(_allowing({"screened_by", "screened_on", "summary", "paper"}))]
    full_assessment: Annotated[str, AfterValidator(_allowing({"reason"}))]
    no_full_assessment: Annotated[str, AfterValidator(_allowing({"reason"}))]
    not_screened: str


class AgendaItem(StrictModel):
    title: str
    presenter: str
    minutes: int = Field(ge=1, le=480)
    minute: Annotated[str, AfterValidator(_allowing({"meeting_date", "meeting_time", "venue"}))] | None = Field(
        None, description="what the draft minutes record under the item; {meeting_date}, {meeting_time} and {venue} "
                          "are the body's next meeting's (without one in the timetable, left for the officer)")


class MinutesItem(AgendaItem):
    """The item to confirm the minutes of the body's previous meeting: ``{previous_meeting}`` is its date."""

    title: Annotated[str, AfterValidator(_allowing({"previous_meeting"}))]


class ExclusionItem(AgendaItem):
    """The resolution to exclude the press and public before exempt business (LGA 1972 s100A(4)):
    ``{paragraphs}`` is "paragraph 3" or "paragraphs 1 and 3"."""

    title: Annotated[str, AfterValidator(_allowing({"paragraphs"}))]
    minutes: int = Field(0, ge=0, le=30, description="passing the resolution takes a moment")


class BodyBusiness(StrictModel):
    """One body's own agenda items and the rules for its business after a meeting."""

    opening: list[AgendaItem] = Field([], description="its standing items, after the minutes")
    closing: list[AgendaItem] = Field([], description="its items after the common closing items")
    decision_notice_working_days: int | None = Field(None, ge=0, le=20,
                                                     description="overrides agenda.decision_notice_working_days")
    pack_limit_mb: float | None = Field(None, gt=0, le=50, description="overrides agenda.pack_limit_mb")


class AgendaConfig(StrictModel):
    organisation: str
    default_time: str = Field("10:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    venue: str
    max_minutes: int = Field(120, ge=15)
    exempt_item: Annotated[str, AfterValidator(_allowing({"exemption"}))] = "Exempt item, not for publication: {exemption}"
    opening: list[AgendaItem] = []
    minutes_item: MinutesItem | None = Field(None, description="only when the body met before")
    closing: list[AgendaItem] = []
    exclusion: ExclusionItem | None = Field(None, description="before any exempt item, which comes last")
    paper_minutes: dict[str, int] = {}
    decision_notice_working_days: int = Field(3, ge=0, le=20, description="working days after a meeting")
    pack_limit_mb: float = Field(10, gt=0, le=50, description="the largest pack PDF attached to the papers e-mail")
    bodies: dict[str, BodyBusiness] = Field({}, description="by body id: its own items and rules")

    def body(self, body_id: str) -> BodyBusiness:
        return self.bodies.get(body_id, BodyBusiness())

    def notice_days(self, body_id: str) -> int:
        own = self.body(body_id).decision_notice_working_days
        return self.decision_notice_working_days if own is None else own

    def pack_limit(self, body_id: str) -> float:
        own = self.body(body_id).pack_limit_mb
        return self.pack_limit_mb if own is None else own


class ForwardPlan(StrictModel):
    """The key decision of the executive to adopt the Strategy, for its forward plan entry or notice."""

    executive: str = Field(description="the body (timetable id) that takes the key decision: its meeting in the "
                                       "approval chain")
    council: str | None = Field(None, description="the body that adopts it (policy framework): its meeting in "
                                                  "the approval chain")

    def meeting(self, tt, body: str | None):
        """The approval chain's meeting of ``body``, or None."""
        return next((tt.event[e] for e in tt.approval_chain if body and tt.event[e].body == body), None)
    matter: str = Field(min_length=1)
    wards: str = "All"
    consultation: list[str] = Field(min_length=1)
    documents: list[str] = Field(min_length=1)


class PapersConfig(StrictModel):
    options: list[str] = Field(min_length=1)
    committee_options: list[str] = Field(min_length=1)
    purposes: dict[str, Purpose]
    implications: list[Implication] = []
    equality: EqualityWording | None = None
    decision_record: DecisionRecordWording = DecisionRecordWording()
    gaps: GapsWording = GapsWording()
    exempt_marking: Annotated[str, AfterValidator(_allowing({"exemption"}))] = "NOT FOR PUBLICATION by virtue of {exemption}"
    agenda: AgendaConfig
    forward_plan: ForwardPlan | None = None


def load_papers_config(file: Path) -> PapersConfig:
    return load_model(file, PapersConfig)


def check_against_timetable(cfg: PapersConfig, tt, file: Path) -> None:
    """Every report purpose named in the timetable must have its wording here; the bodies named here
    (agenda.bodies, forward_plan) must be the timetable's."""
    problems = [
        Problem(file, f"no wording for purpose '{p.purpose}', used by {e.id} in the timetable", "purposes")
        for e in tt.events for p in e.papers if p.purpose and p.purpose not in cfg.purposes
    ]
    fp = cfg.forward_plan
    in_chain = ", ".join(sorted({tt.event[e].body for e in tt.approval_chain if tt.event[e].body}))
    for key, body in (("executive", fp.executive if fp else None), ("council", fp.council if fp else None)):
        if body is not None and fp.meeting(tt, body) is None:
            problems.append(Problem(file, f"'{body}' has no meeting in the timetable's approval chain (bodies that "
                                          f"do: {in_chain})", f"forward_plan.{key}"))
    problems += [Problem(file, f"no body '{b}' in the timetable (bodies: {', '.join(tt.body)})", f"agenda.bodies.{b}")
                 for b in cfg.agenda.bodies if b not in tt.body]
    if problems:
        raise ConfigError(problems)
