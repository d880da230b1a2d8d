"""The state of the refresh on a given day, gathered once from the workspace, the state store
and the evidence base.

This is the edge where the state is read: it takes what the officer has configured (from the
workspace, loaded once), the partners' position from the state store, and collates the
evidence base, and returns a :class:`RefreshState` that the papers read without touching a
file again.
"""

from __future__ import annotations

from datetime import date

from scs_refresh.core.store import Store
from scs_refresh.evidence.collate import collate_and_write
from scs_refresh.papers.contexts import DraftSources, EvidenceSnapshot, PartnerReturns, RefreshState
from scs_refresh.partners.status import status
from scs_refresh.performance.scorecard import refresh as refresh_scorecard
from scs_refresh.strategy.draft import agreed_amendments, partner_responses
from scs_refresh.workspace import Workspace


def partner_returns(ws: Workspace, on: date) -> PartnerReturns | None:
    """Each partner's questionnaire position as at ``on``; None before any partners are configured."""
    if ws.partners is None:
        return None
    if not ws.dirs.store.exists():
        return PartnerReturns(ws.partners.questionnaire.deadline, [])
    with Store.open(ws.dirs.store) as store:
        return PartnerReturns(ws.partners.questionnaire.deadline, status(store, ws.partners, ws.timetable.cycle, on))


def evidence_snapshot(ws: Workspace, on: date) -> EvidenceSnapshot | None:
    """Collate the evidence base as at ``on`` into ``<out>/evidence`` (charts included)."""
    if ws.evidence is None:
        return None
    base, folder = collate_and_write(ws.evidence, ws.dirs.out, on)
    return EvidenceSnapshot(base.digest, folder / "charts")


def draft_sources(ws: Workspace, on: date) -> DraftSources | None:
    """The draft SCS's config, the answers partners had sent and the amendments agreed by ``on``;
    None without scs.yaml."""
    if ws.scs is None:
        return None
    answers = {pid: r for pid, r in partner_responses(ws.dirs.store).items() if r.received_on <= on}
    inputs = ws.draft_inputs()
    return DraftSources(inputs, answers, agreed_amendments(ws.dirs.store, inputs.timetable, on))


def load_state(ws: Workspace, on: date, *, evidence: bool = True) -> RefreshState:
    """Everything the papers may report on ``on``. ``evidence=False`` skips collating (faster)."""
    snapshot = evidence_snapshot(ws, on) if evidence else None  # the scorecard reads what this writes
    plan = ws.plan_inputs()
    return RefreshState(ws.timetable, ws.need_papers(), on, partners=partner_returns(ws, on), evidence=snapshot,
                        review=ws.review_inputs(), draft=draft_sources(ws, on),
                        scorecard=refresh_scorecard(plan, ws.dirs, on) if plan else None)
