"""What the demonstration pretends the outside world does: partners' replies, committees' decisions.

``config/simulation.yaml`` is illustrative. A reply due on a simulated day is written as a
survey export (CSV) in ``out/simulation/`` and imported with the officer's own importer, so
the demo runs the same code as real use; the action ledger records each reply once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from typing import Literal

from pydantic import Field

from scs_refresh.core.atomic import write_text
from scs_refresh.core.dates import day_text
from scs_refresh.core.errors import ConfigError, Problem
from scs_refresh.timetable.model import Day, Id
from scs_refresh.core.yamlio import Path_, load_model
from scs_refresh.workspace import Workspace
from scs_refresh.approval.chain import chain_steps, decision_chain
from scs_refresh.approval.decisions import confirmed_dates, decision_at_sitting, record_decision, record_replan
from scs_refresh.partners.responses import import_responses
from scs_refresh.approval.outcomes import Outcome
from scs_refresh.core.model import StrictModel

FILE_NAME = "simulation.yaml"


class Reply(StrictModel):
    partner: Id
    on: Day
    answers: dict[str, str] = Field(min_length=1)


class Decisions(StrictModel):
    default: Outcome = "approved"
    defer: Id | None = Field(None, description="the meeting that defers when the demo is run with --defer")
    amendments: dict[Id, str] = Field(default_factory=dict, description="meeting id: the amendment it agrees")
    defer_note: str = Field("", description="the reason the deferring meeting gives, as its minutes record it")


class CommentResponse(StrictModel):
    on: Day
    answer: Literal["accepted", "partly", "not"]
    reason: str = ""
    change_to: str | None = None


class DraftComment(StrictModel):
    """A partner's comment on the draft Strategy, returned on a comments form, and the officer's response."""

    partner: Id
    on: Day
    section: Id
    comment: str = ""
    current_text: str | None = None
    proposed_text: str | None = None
    response: CommentResponse | None = None


class Simulation(StrictModel):
    replies: list[Reply] = []
    comments: list[DraftComment] = []
    decisions: Decisions = Decisions()


def _check(sim: Simulation, partners, tt) -> list[tuple[Path_, str]]:
    problems: list[tuple[Path_, str]] = []
    seen: set[str] = set()
    questions = {q.id for _, q in partners.questionnaire.numbered}
    sent = partners.questionnaire.send_on
    for i, r in enumerate(sim.replies):
        if r.on not in tt.span:
            problems.append((("replies", i, "on"), f"{day_text(r.on)} is outside the cycle ({day_text(tt.span.start)} "
                             f"to {day_text(tt.span.end)}); move the reply into it"))
        elif sent is not None and r.on < sent:
            problems.append((("replies", i, "on"), f"{day_text(r.on)} is before the questionnaire goes out "
                             f"({day_text(sent)}); a partner can only reply after it"))
        if r.partner not in partners.partner:
            problems.append((("replies", i, "partner"), f"no partner '{r.partner}' in partners.yaml"))
        if r.partner in seen:
            problems.append((("replies", i, "partner"), f"'{r.partner}' replies twice"))
        seen.add(r.partner)
        for q in r.answers:
            if q not in questions:
                problems.append((("replies", i, "answers", q), f"no question '{q}' in the questionnaire"))
    for i, c in enumerate(sim.comments):
        if c.partner not in partners.partner:
            problems.append((("comments", i, "partner"), f"no partner '{c.partner}' in partners.yaml"))
        if c.response is not None and c.response.on < c.on:
            problems.append((("comments", i, "response", "on"), f"{day_text(c.response.on)} is before the comment "
                             f"arrives ({day_text(c.on)})"))
    for meeting in sim.decisions.amendments:
        if meeting not in tt.event or tt.event[meeting].type != "meeting" or tt.event[meeting].date is None:
            problems.append((("decisions", "amendments", meeting), f"'{meeting}' is not a dated meeting of the timetable"))
    if sim.decisions.defer is not None and sim.decisions.defer not in tt.approval_chain:
        problems.append((("decisions", "defer"), f"'{sim.decisions.defer}' is not in the timetable's approval chain"))
    return problems


def load_simulation(file: Path, partners, tt) -> Simulation:
    """Read ``simulation.yaml``, checked against the partner register and the timetable."""
    return load_model(file, Simulation, lambda sim: _check(sim, partners, tt))


def reply_key(reply: Reply) -> str:
    return f"simulated-reply:{reply.partner}"


def replies_due(sim: Simulation, done: set[str], on: date) -> list[Reply]:
    """Replies that have arrived by ``on`` and were not yet imported."""
    return [r for r in sim.replies if r.on <= on and reply_key(r) not in done]


def survey_export(replies: Iterable[Reply], columns: list[str]) -> str:
    """The replies as an online survey tool would export them: one row per partner."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["partner_id", "received_on", *columns])
    for r in replies:
        writer.writerow([r.partner, r.on.isoformat(), *(r.answers.get(c, "") for c in columns)])
    return buf.getvalue()


def import_replies(store, replies: list[Reply], partners, cycle, folder: Path, on: date, at) -> Path | None:
    """Write the day's replies as a CSV export and import it; each reply is then recorded as done."""
    if not replies:
        return None

    columns = [q.id for _, q in partners.questionnaire.numbered]
    file = write_text(Path(folder) / f"survey-export-{on.isoformat()}.csv", survey_export(replies, columns))
    try:
        import_responses(store, file, partners, cycle, on, at)
    except ConfigError as exc:  # the simulation config was checked; a failure here is a real bug
        raise ConfigError([Problem(file, f"simulated replies could not be imported: {exc}")]) from None
    for r in replies:
        store.action_started(reply_key(r), "simulated_reply", r.on, at)
        store.action_done(reply_key(r), at, on, f"reply from {r.partner} imported from {file.name}")
    return file


def record_decisions(store, tt, sim: Simulation, day: date, at, *, defer: bool) -> list[str]:
    """The Board and the committees that meet on ``day`` decide, as the officer would record with `scs decision`
    (so that each meeting held has its decision notice).

    With ``defer``, the meeting named in ``decisions.defer`` defers at its first sitting; the
    officer then re-arranges it, and each later step it puts at risk, at their earliest dates
    (`scs replan`), and the re-arranged meetings decide in their turn.
    """
    lines = []
    chain = decision_chain(tt)
    for meeting in [*chain, *(e.id for e in tt.events if e.type == "meeting" and e.id not in chain)]:
        event = tt.event[meeting]
        replans = confirmed_dates(store.replans())
        if event.type == "milestone" or replans.get(meeting, event.date) != day:
            continue
        if decision_at_sitting(tt, store.decisions(), replans, meeting) is not None:
            continue
        deferred_before = any(d.meeting_id == meeting and d.outcome == "deferred" for d in store.decisions())
        amendment = sim.decisions.amendments.get(meeting)
        outcome = "deferred" if defer and meeting == sim.decisions.defer and not deferred_before \
            else Outcome.APPROVED_WITH_AMENDMENTS if amendment else sim.decisions.default
        note = sim.decisions.defer_note if outcome == "deferred" else ""
        record_decision(store, tt, meeting, outcome, on=day, note=note, by="demo", at=at,
                        amendment=amendment if outcome == Outcome.APPROVED_WITH_AMENDMENTS else None)
        lines.append(f"{meeting}: {outcome.replace('_', ' ')}")
        if outcome != "deferred":
            continue
        while True:  # re-arrange the deferred meeting, then each step now at risk, in chain order
            steps = chain_steps(tt, store.decisions(), confirmed_dates(store.replans()))
            risky = next((s for s in steps if s.at_risk and s.earliest and not s.blocked_by), None)
            if risky is None:
                break
            record_replan(store, tt, risky.event_id, risky.earliest, by="demo", at=at)
            lines.append(f"{risky.event_id}: re-arranged for {risky.earliest}")
    return lines


def for_workspace(ws: Workspace) -> Simulation | None:
    """The demo's outside world beside a cycle's config, checked against its partners and timetable;
    None when there is no simulation.yaml (a real cycle)."""
    file = Path(ws.dirs.config) / FILE_NAME
    if not file.exists():
        return None
    if ws.partners is None:
        raise ConfigError([Problem(file, "needs partners.yaml beside it: the replies name partners")])
    return load_simulation(file, ws.partners, ws.timetable)


def comment_key(i: int, c: DraftComment) -> str:
    return f"simulated-comment:{c.partner}:{i}"


def comment_days(sim: Simulation) -> list[date]:
    """The days partners' comments arrive and the officer answers them."""
    return sorted({c.on for c in sim.comments} | {c.response.on for c in sim.comments if c.response})


def comments_form(comments: Iterable[DraftComment]) -> str:
    """Comments as the partners' comments form holds them: one row per comment."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["partner_id", "received_on", "section", "comment", "current_text", "proposed_text"])
    for c in comments:
        writer.writerow([c.partner, c.on.isoformat(), c.section, c.comment, c.current_text or "", c.proposed_text or ""])
    return buf.getvalue()


def exchange_comments(store, sim: Simulation, partners, out_dir: Path, on: date, at) -> bool:
    """The day's comments arrive on a comments form, imported with the officer's importer; the officer
    answers those due. True when an answer was given (so the Strategy may change)."""
    from scs_refresh.strategy import versions
    from scs_refresh.strategy.comments import import_comments, respond

    done = store.actions_done()
    arrived = [(i, c) for i, c in enumerate(sim.comments) if c.on <= on and comment_key(i, c) not in done]
    if arrived and versions.numbers(out_dir / "scs"):
        drafts = {n: versions.content(out_dir / "scs", n) for n in versions.numbers(out_dir / "scs")
                  if versions.written_on(out_dir / "scs", n) <= on}
        file = write_text(out_dir / "simulation" / f"comments-form-{on.isoformat()}.csv",
                          comments_form(c for _, c in arrived))
        import_comments(store, file, partners, drafts, max(drafts), on, at)
        for i, c in arrived:
            store.action_started(comment_key(i, c), "simulated_comment", c.on, at)
            store.action_done(comment_key(i, c), at, on, f"comment from {c.partner} imported from {file.name}")
    answered = False
    stored = store.strategy_comments()
    for i, c in enumerate(sim.comments):
        key = f"{comment_key(i, c)}:answer"
        if c.response is None or c.response.on > on or key in done or comment_key(i, c) not in store.actions_done():
            continue
        record = next(r for r in stored if r.partner_id == c.partner and r.text == c.comment and r.section == c.section)
        respond(store, record.key, c.response.answer, c.response.reason, on=on, by="demo", change_to=c.response.change_to)
        store.action_started(key, "simulated_comment_answer", c.response.on, at)
        store.action_done(key, at, on, f"answered the comment from {c.partner}: {c.response.answer}")
        answered = True
    return answered
