"""The state of the refresh on a given day: only what had happened, and been recorded, by then.

A paper is a statement on the day it is written. Everything written for a day D (a Board
paper, the questionnaire status, the scoping review, the draft SCS, the scorecard) reads
through :func:`records_on`, the one view of the state store as at D: responses received, interviews
requested, agreed and held, messages sent, decisions taken, meetings re-arranged and figures
recorded on or before D. Nothing recorded after D counts, so writing the papers for D again
later, after the cycle has moved on, writes the same papers. The evidence base is likewise the
releases published by D (``evidence.collate``), and the draft SCS versions those written by D
(``strategy.versions.latest``).

This is the edge where the state is read: it takes what the officer has configured (from the
workspace, loaded once), the records known on the day, and collates the evidence base, and returns
a :class:`RefreshState` that the papers read without touching a file again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from scs_refresh.approval.chain import with_confirmed_dates
from scs_refresh.approval.decisions import amendments_agreed, confirmed_dates
from scs_refresh.core.store import Interview, Location, Records, SendRecord, Store, exists
from scs_refresh.evidence.collate import collate_and_write
from scs_refresh.papers.contexts import (DraftSources, EvidenceSnapshot, PartnerReturns, RefreshState, StrategyVersion,
                                        strategy_version)
from scs_refresh.partners.status import status
from scs_refresh.performance.scorecard import ScorecardPaper
from scs_refresh.performance.scorecard import refresh as refresh_scorecard
from scs_refresh.strategy import versions
from scs_refresh.strategy.comments import comments_on, edits
from scs_refresh.strategy.draft import Adoption, DraftResult, write_adopted, write_draft
from scs_refresh.strategy.publish import publish_strategy
from scs_refresh.approval.chain import adoption, current_decisions
from scs_refresh.approval.outcomes import APPROVING
from scs_refresh.workspace import Workspace


# --- the one view of what had happened by a day ---------------------------------------------

def _send_on(rec: SendRecord, on: date) -> SendRecord:
    """A message as it stood on ``on``: one sent later was still waiting to go."""
    if rec.sent_at is not None and rec.sent_at.date() > on:
        return replace(rec, status="pending", sent_at=None, last_error=None)
    return rec


def _interview_on(iv: Interview, on: date) -> Interview | None:
    """An interview as known on ``on``: requested, agreed and held only from the days they were recorded."""
    requested = iv.requested_on if iv.requested_on is not None and iv.requested_on <= on else None
    agreed_known = iv.agreed_at is not None and (iv.agreed_on or iv.agreed_at.date()) <= on
    held = iv.held and (iv.held_on is None or iv.held_on <= on)
    if requested is None and not agreed_known and not held:
        return None
    return replace(iv, requested_on=requested, agreed_at=iv.agreed_at if agreed_known else None,
                   agreed_on=iv.agreed_on if agreed_known else None, held=held,
                   held_on=iv.held_on if held else None, notes=iv.notes if held else "")


def known_on(records: Records, on: date) -> Records:
    """``records`` as they stood at the end of day ``on``: anything received, decided or recorded
    later is left out, and a record corrected later shows as it was before the correction."""
    decisions = [d for d in records.decisions if d.decided_on <= on and d.recorded_at.date() <= on]
    kept = {d.seq for d in decisions}
    interviews = {pid: seen for pid, iv in records.interviews.items() if (seen := _interview_on(iv, on)) is not None}
    return Records(
        responses={pid: r for pid, r in records.responses.items() if r.received_on <= on},
        interviews=interviews,
        sends=[_send_on(r, on) for r in records.sends if r.queued_at.date() <= on],
        decisions=[d if d.replaced_by in kept or d.replaced_by is None else replace(d, replaced_by=None)
                   for d in decisions],
        replans=[r for r in records.replans if r.recorded_at.date() <= on],
        progress=[u for u in records.progress if u.recorded_at.date() <= on],
    )


def records_on(store_file: Location, on: date) -> Records:
    """The state store as known on ``on``: what every paper, status and scorecard for ``on`` is written from."""
    if not exists(store_file):
        return Records.none()
    with Store.read(store_file) as store:
        return known_on(store.records(), on)


# --- what the papers for a day are written from ----------------------------------------------

def partner_returns(ws: Workspace, on: date, records: Records | None = None) -> PartnerReturns | None:
    """Each partner's questionnaire position as at ``on``; None before any partners are configured."""
    if ws.partners is None:
        return None
    records = records_on(ws.dirs.store, on) if records is None else records
    if not exists(ws.dirs.store):
        return PartnerReturns(ws.partners.questionnaire.deadline, [])
    return PartnerReturns(ws.partners.questionnaire.deadline, status(records, ws.partners, ws.timetable.cycle, on))


def evidence_snapshot(ws: Workspace, on: date) -> EvidenceSnapshot | None:
    """Collate the evidence base as at ``on`` into ``<out>/evidence`` (charts included)."""
    if ws.evidence is None:
        return None
    base, folder = collate_and_write(ws.evidence, ws.dirs.out, on)
    return EvidenceSnapshot(base.digest, folder / "charts")


def draft_sources(ws: Workspace, on: date, records: Records | None = None) -> DraftSources | None:
    """The draft SCS's config, the answers partners had sent and the amendments agreed by ``on``;
    None without scs.yaml."""
    if ws.scs is None:
        return None
    records = records_on(ws.dirs.store, on) if records is None else records
    inputs = ws.draft_inputs()
    comments = comments_on(ws.dirs.store, on)
    return DraftSources(inputs, dict(records.responses), amendments_agreed(inputs.timetable, records.decisions, on),
                        comments, edits(comments, inputs.partners))


def scorecard_on(ws: Workspace, on: date, records: Records | None = None) -> ScorecardPaper | None:
    """The delivery plan scorecard as at ``on``: the evidence as collated for ``on`` and the figures
    recorded by then; None before there is a delivery plan."""
    plan = ws.plan_inputs()
    if plan is None:
        return None
    evidence_snapshot(ws, on)  # the scorecard reads the evidence base written for ``on``
    records = records_on(ws.dirs.store, on) if records is None else records
    return refresh_scorecard(plan, ws.dirs, on, records.progress)


def draft_on(ws: Workspace, on: date) -> DraftResult:
    """Collate the evidence and write the draft SCS as at ``on`` (a new version only when it changed):
    the releases out, the answers received and the amendments agreed by ``on``."""
    sources = draft_sources(ws, on)
    if sources is None:
        ws.draft_inputs()  # one line naming the missing scs.yaml
    base, evidence = collate_and_write(sources.inputs.manifest, ws.dirs.out, on)
    return write_draft(sources.inputs, base.digest, sources.responses, evidence / "charts", ws.dirs.out / "scs",
                       ws.dirs.templates, on, sources.amendments, sources.edits)


def adopted_on(ws: Workspace, on: date) -> Path | None:
    """The adopted Strategy, written (and published to the public folder) once the adopting meeting's
    decision to adopt is recorded by ``on``; None before."""
    records = records_on(ws.dirs.store, on)
    event = adoption(ws.timetable)
    decision = current_decisions(records.decisions).get(event.id) if event is not None else None
    if decision is None or decision.outcome not in APPROVING or ws.scs is None:
        return None
    sources = draft_sources(ws, decision.decided_on, records)
    base, evidence = collate_and_write(sources.inputs.manifest, ws.dirs.out, decision.decided_on)
    tt = ws.timetable
    docx = write_adopted(sources.inputs, base.digest, sources.responses, evidence / "charts", ws.dirs.out / "scs",
                         ws.dirs.templates, Adoption(tt.body[event.body].name, decision.decided_on),
                         sources.amendments, sources.edits)
    return publish_strategy(docx, ws.dirs.out / "public" / "strategy", ws.dirs.templates)


def strategy_on(ws: Workspace, on: date) -> StrategyVersion | None:
    """The version of the Strategy current on ``on``: the newest written as at ``on`` or before."""
    folder = ws.dirs.out / "scs"
    found = versions.latest(folder, on)
    return None if found is None else strategy_version(folder, found[0])


def timetable_on(ws: Workspace, records: Records) -> Workspace:
    """The cycle with each re-arranged meeting at the date confirmed in ``records``."""
    return ws.with_timetable(with_confirmed_dates(ws.timetable, confirmed_dates(records.replans)))


def load_state(ws: Workspace, on: date, *, evidence: bool = True) -> RefreshState:
    """Everything the papers may report on ``on``, as known on ``on``. ``evidence=False`` skips collating (faster)."""
    records = records_on(ws.dirs.store, on)
    ws = timetable_on(ws, records)
    snapshot = evidence_snapshot(ws, on) if evidence else None
    plan = ws.plan_inputs()
    return RefreshState(ws.timetable, ws.need_papers(), on, partners=partner_returns(ws, on, records),
                        evidence=snapshot, review=ws.review_inputs(), draft=draft_sources(ws, on, records),
                        scorecard=refresh_scorecard(plan, ws.dirs, on, records.progress) if plan else None,
                        decisions=tuple(records.decisions), strategy=strategy_on(ws, on), funding=ws.funding,
                        equality=ws.equality)
