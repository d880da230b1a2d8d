"""What is due on and after a date: the pure heart of ``scs plan`` (and later the daily tick).

``plan(timetable, on, days)`` lists, in date order, every report deadline, publication
deadline, meeting, milestone and stage boundary in ``[on, on + days]``, the stage (and its
activities) in progress on ``on``, and warnings the officer must act on, such as an event
whose date is still to be arranged. The caller passes the schedule as it now stands (after
``scs replan``), the meetings now at risk, and the dated items of the rooms above (the partner
questionnaire, its chasers, interview slots), since the timetable cannot import them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from scs_refresh.core.dates import day_text
from scs_refresh.timetable.model import Scheduled, Stage, Timetable

ItemKind = Literal["report_deadline", "publication_deadline", "meeting", "milestone", "workshop",
                   "stage_start", "stage_end", "questionnaire", "reminder", "partner_deadline",
                   "interview_requests", "interview"]


@dataclass(frozen=True)
class PlanItem:
    on: date
    kind: ItemKind
    event_id: str | None
    text: str


@dataclass(frozen=True)
class Plan:
    on: date
    until: date
    stage: Stage | None
    items: list[PlanItem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)



def plan(tt: Timetable, on: date, days: int = 28, *, schedule: Sequence[Scheduled] | None = None,
         at_risk: Mapping[str, str] | None = None, extra: Iterable[PlanItem] = ()) -> Plan:
    """Everything due from ``on`` to ``on + days`` inclusive, and what needs the officer's attention.

    ``schedule`` is the schedule as it now stands (default: the timetable's own), ``at_risk`` the
    meetings that cannot go ahead as planned with why, ``extra`` the dated items of other files.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    until = on + timedelta(days=days)
    schedule = tt.schedule if schedule is None else schedule
    at_risk = at_risk or {}
    items: list[PlanItem] = [it for it in extra if on <= it.on <= until]

    def add(d: date | None, kind: ItemKind, event_id: str | None, text: str) -> None:
        if d is not None and on <= d <= until:
            items.append(PlanItem(d, kind, event_id, text))

    for st in tt.stages:
        add(st.window.start, "stage_start", None, f"{st.name} begins (to {day_text(st.window.end)})")
        add(st.window.end, "stage_end", None, f"{st.name} ends")
    for s in schedule:
        e = s.event
        if e.tba:
            continue
        risk = " - AT RISK (see the warnings)" if e.id in at_risk else ""
        papers = ", ".join(p.title for p in e.papers) or "papers"
        if e.type == "milestone":
            add(e.date, "milestone", e.id, f"{e.title}: {papers}{risk}")
            continue
        body = tt.body[e.body].name
        add(s.report_deadline, "report_deadline", e.id,
            f"Reports final for {body}, {day_text(e.date)}: {papers}{risk}")
        add(s.publication_deadline, "publication_deadline", e.id,
            f"Papers out for {body}, {day_text(e.date)} ({s.rule}){risk}")
        add(e.date, e.type, e.id, e.title + risk)

    warnings = [f"'{s.event.id}' ({day_text(s.event.date)}): {at_risk[s.event.id]}" for s in schedule
                if s.event.id in at_risk and s.event.date is not None]
    for s in schedule:
        w = s.event.to_be_arranged
        if s.event.tba and on <= w.end:
            warnings.append(f"'{s.event.title}' has no date yet: it must fall between {day_text(w.start)} and "
                            f"{day_text(w.end)}; set its date in timetable.yaml so its papers can be scheduled")
        elif s.event.tba:
            warnings.append(f"'{s.event.title}' was never dated and its window ({day_text(w.start)} to "
                            f"{day_text(w.end)}) has passed")

    stage = next((st for st in tt.stages if on in st.window), None)
    order = {k: i for i, k in enumerate(ItemKind.__args__)}
    items.sort(key=lambda it: (it.on, order[it.kind]))
    return Plan(on=on, until=until, stage=stage, items=items, warnings=warnings)
