"""``config/partners.yaml``: the partner register, the questionnaire, the chasing policy, interviews.

Everything here is checked when loaded, including against the timetable (the questionnaire
deadline inside its stage), so a mistake is reported with its file and line before anything
is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from scs_refresh.mail.dispatch import Contact, Email
from scs_refresh.timetable.calendar_checks import not_a_working_day
from scs_refresh.timetable.model import Day, Id, Timetable, load_timetable
from scs_refresh.timetable.plan import PlanItem
from scs_refresh.core.yamlio import load_model
from scs_refresh.core.dates import day_text
from scs_refresh.core.model import StrictModel

def _slot(value: object) -> datetime:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.strptime(str(value).strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise ValueError(f"'{value}' is not a slot; write it as YYYY-MM-DD HH:MM, e.g. 2010-11-15 10:00") from None


Slot = Annotated[datetime, BeforeValidator(_slot)]


Sector = Literal["public", "health", "voluntary", "housing", "business", "community", "environment"]


class Partner(StrictModel):
    id: Id
    name: str = Field(min_length=1)
    sector: Sector
    contact: Contact = Field(description="who receives the questionnaire and the reminders")
    board_rep: Contact
    sponsor: Contact = Field(description="the senior person copied when the deadline arrives")
    interview: bool = Field(False, description="invite to a one-to-one interview")


AnswerType = Literal["text", "yes_no", "number"]


class Question(StrictModel):
    id: Id
    text: str = Field(min_length=1)
    answer: AnswerType = "text"
    required: bool = False


class Area(StrictModel):
    title: str = Field(min_length=1)
    questions: list[Question] = Field(min_length=1)


class Questionnaire(StrictModel):
    title: str
    stage: Id
    send_on: Day | None = Field(None, description="the day the daily tick sends it (default: never by itself)")
    deadline: Day
    reply_to: Email
    areas: list[Area] = Field(min_length=1)

    @cached_property
    def numbered(self) -> list[tuple[str, Question]]:
        """Each question with the reference printed beside it in the document (``Q2.1``)."""
        return [(f"Q{a}.{q}", question) for a, area in enumerate(self.areas, 1)
                for q, question in enumerate(area.questions, 1)]


class Reminder(StrictModel):
    id: Id
    days_before: int = Field(ge=0, le=60)
    copy_sponsor: bool = False


class Chasing(StrictModel):
    reminders: list[Reminder] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> Chasing:
        days = [r.days_before for r in self.reminders]
        if days != sorted(days, reverse=True) or len(set(days)) != len(days):
            raise ValueError("list reminders from the earliest to the latest, each on a different day")
        return self


class Interviews(StrictModel):
    stage: Id
    request_on: Day | None = Field(None, description="the day the daily tick sends the requests")
    slots: list[Slot] = Field(min_length=1)
    minutes: int = Field(60, ge=15, le=240)


class PartnersConfig(StrictModel):
    """The whole of partners.yaml, checked for duplicate ids and against the timetable."""

    questionnaire: Questionnaire
    chasing: Chasing
    interviews: Interviews
    partners: list[Partner] = Field(min_length=1)

    @cached_property
    def partner(self) -> dict[str, Partner]:
        return {p.id: p for p in self.partners}

    def reminder_date(self, reminder: Reminder) -> date:
        return self.questionnaire.deadline - timedelta(days=reminder.days_before)


def _problems(cfg: PartnersConfig, tt: Timetable | None) -> list[tuple[tuple, str]]:
    """What is wrong in the file itself, then (with ``tt``) against the timetable."""
    out: list[tuple[tuple, str]] = []
    seen: dict[str, int] = {}
    for i, p in enumerate(cfg.partners):
        if p.id in seen:
            out.append((("partners", i, "id"), f"duplicate partner id '{p.id}' (already used by partners[{seen[p.id]}])"))
        seen.setdefault(p.id, i)
    qids: set[str] = set()
    for a, area in enumerate(cfg.questionnaire.areas):
        for q, question in enumerate(area.questions):
            if question.id in qids:
                out.append((("questionnaire", "areas", a, "questions", q, "id"), f"duplicate question id '{question.id}'"))
            qids.add(question.id)
    q, iv = cfg.questionnaire, cfg.interviews
    out += _double_booked(iv)
    if tt is None:
        return out
    out += _dates_in_order(cfg, tt)
    if q.stage not in tt.stage:
        out.append((("questionnaire", "stage"), f"no stage '{q.stage}' in the timetable (stages: {', '.join(tt.stage)})"))
    elif q.deadline not in tt.stage[q.stage].window:
        w = tt.stage[q.stage].window
        out.append((("questionnaire", "deadline"),
                    f"the deadline {q.deadline} is outside the {tt.stage[q.stage].name} ({w.start} to {w.end})"))
    if q.send_on is not None and q.send_on >= q.deadline:
        out.append((("questionnaire", "send_on"), f"the questionnaire would go out on {q.send_on}, on or after its "
                    f"deadline {q.deadline}"))
    if iv.request_on is not None and any(slot.date() <= iv.request_on for slot in iv.slots):
        out.append((("interviews", "request_on"), f"requests would go out on {iv.request_on}, but some offered "
                    "slots are on or before that day; send them earlier or offer later slots"))
    if iv.stage not in tt.stage:
        out.append((("interviews", "stage"), f"no stage '{iv.stage}' in the timetable (stages: {', '.join(tt.stage)})"))
    else:
        end = tt.stage[iv.stage].window.end
        for i, slot in enumerate(iv.slots):
            if slot.date() > end:
                out.append((("interviews", "slots", i), f"the slot {slot:%Y-%m-%d %H:%M} is after the "
                            f"{tt.stage[iv.stage].name} ends ({end}), when interviews must be complete"))
    return out


def _double_booked(iv: Interviews) -> list[tuple[tuple, str]]:
    """One officer holds the interviews: no slot may start before the one before it has ended."""
    out = []
    length = timedelta(minutes=iv.minutes)
    for i, slot in enumerate(iv.slots):
        clash = next((j for j, other in enumerate(iv.slots[:i]) if other < slot + length and slot < other + length), None)
        if clash is not None:
            other = iv.slots[clash]
            same = "is the same as" if other == slot else "overlaps"
            out.append((("interviews", "slots", i), f"the slot {slot:%Y-%m-%d %H:%M} {same} slots[{clash}] "
                        f"({other:%Y-%m-%d %H:%M}; interviews last {iv.minutes} minutes): one officer cannot hold both; "
                        "remove or move one"))
    return out


def _dates_in_order(cfg: PartnersConfig, tt: Timetable) -> list[tuple[tuple, str]]:
    """Every partner date inside the cycle, and the questionnaire out before its chasers and the
    interview requests (a moved cycle with a date left behind is caught here, not by partners)."""
    out: list[tuple[tuple, str]] = []
    q, iv, span = cfg.questionnaire, cfg.interviews, tt.span
    cycle = f"the cycle ({day_text(span.start)} to {day_text(span.end)})"
    dated = [(("questionnaire", "send_on"), "the day the questionnaire goes out", q.send_on),
             (("interviews", "request_on"), "the day the interview requests go out", iv.request_on)]
    dated += [(("interviews", "slots", i), f"the slot at {slot:%H:%M}", slot.date()) for i, slot in enumerate(iv.slots)]
    for path, what, d in dated:
        if d is not None and d not in span:
            out.append((path, f"{what} ({day_text(d)}) is outside {cycle}; move it into the cycle"))
    if q.send_on is None or q.send_on not in span:
        return out
    for i, r in enumerate(cfg.chasing.reminders):
        on = cfg.reminder_date(r)
        if on <= q.send_on:
            out.append((("chasing", "reminders", i, "days_before"), f"the '{r.id}' reminder would go on {day_text(on)} "
                        f"({r.days_before} days before the deadline), not after the questionnaire goes out on "
                        f"{day_text(q.send_on)}; make days_before smaller, or send the questionnaire earlier"))
    if iv.request_on is not None and iv.request_on in span and iv.request_on <= q.send_on:
        out.append((("interviews", "request_on"), f"the interview requests would go out on {day_text(iv.request_on)}, "
                    f"not after the questionnaire ({day_text(q.send_on)}); send them after it"))
    return out


def load_partners(file: Path, timetable: Timetable | None = None, *, alone: bool = False) -> PartnersConfig:
    """Read partners.yaml; checked against ``timetable`` (default: timetable.yaml beside it), or ``alone``
    (when the timetable has problems of its own, so that this file's are still all reported)."""
    tt = None if alone else timetable if timetable is not None else load_timetable(Path(file).parent / "timetable.yaml")
    return load_model(file, PartnersConfig, lambda cfg: _problems(cfg, tt))


def calendar_warnings(cfg: PartnersConfig) -> list[tuple[tuple, str]]:
    """Partner dates on a weekend, a bank holiday or in the Christmas closure."""
    q, iv = cfg.questionnaire, cfg.interviews
    dated = [(("questionnaire", "send_on"), "the day the questionnaire goes out", q.send_on),
             (("questionnaire", "deadline"), "the questionnaire deadline", q.deadline),
             (("interviews", "request_on"), "the day the interview requests go out", iv.request_on)]
    dated += [(("interviews", "slots", i), f"the interview slot at {slot:%H:%M}", slot.date())
              for i, slot in enumerate(iv.slots)]
    return [(path, warning) for path, what, d in dated
            if d is not None and (warning := not_a_working_day(what, d)) is not None]


def plan_items(cfg: PartnersConfig, agreed: Mapping[str, datetime] | None = None) -> list[PlanItem]:
    """The partners' dates for ``scs plan``: the questionnaire, each chaser, the deadline, the interview
    requests, each slot offered and each interview agreed (``agreed``: partner id to time)."""
    q, iv = cfg.questionnaire, cfg.interviews
    items = [PlanItem(cfg.reminder_date(r), "reminder", None, f"Reminder '{r.id}' to partners who have not replied "
                      f"(deadline {day_text(q.deadline)})" + (", sponsors copied" if r.copy_sponsor else ""))
             for r in cfg.chasing.reminders]
    items.append(PlanItem(q.deadline, "partner_deadline", None, f"Questionnaire deadline: {q.title}"))
    if q.send_on is not None:
        items.append(PlanItem(q.send_on, "questionnaire", None,
                              f"Questionnaire out to {len(cfg.partners)} partners (reply by {day_text(q.deadline)})"))
    wanted = [p for p in cfg.partners if p.interview]
    if iv.request_on is not None:
        items.append(PlanItem(iv.request_on, "interview_requests", None,
                              f"Interview requests to {len(wanted)} partners, offering {len(iv.slots)} slots"))
    booked = {at: pid for pid, at in (agreed or {}).items()}
    for slot in iv.slots:
        who = cfg.partner[booked[slot]].name if booked.get(slot) in cfg.partner else None
        items.append(PlanItem(slot.date(), "interview", None, f"{slot:%H:%M} interview ({iv.minutes} minutes): "
                              + (f"booked with {who}" if who else "slot offered, not yet booked")))
    for pid, at in (agreed or {}).items():
        if at not in iv.slots and pid in cfg.partner:
            items.append(PlanItem(at.date(), "interview", None, f"{at:%H:%M} interview ({iv.minutes} minutes) with "
                                  f"{cfg.partner[pid].name}"))
    return items
