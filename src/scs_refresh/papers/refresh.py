"""The state of the refresh on a given day, gathered once from config, state store and evidence.

This is the edge where files are read: it loads what the officer has configured (the
partner register and the evidence manifest are optional until their stage needs them),
takes the partners' position from the state store and collates the evidence base, and
returns a :class:`RefreshState` that the papers read without touching a file again.
"""

from __future__ import annotations

from datetime import date

from scs_refresh.papers.wording import check_against_timetable, load_papers_config
from scs_refresh.papers.contexts import DraftSources, EvidenceSnapshot, PartnerReturns, RefreshState, ReviewInputs
from scs_refresh.core.folders import Dirs
from scs_refresh.timetable.model import Timetable, load_timetable


def partner_returns(dirs: Dirs, tt: Timetable, on: date) -> PartnerReturns | None:
    """Each partner's questionnaire position as at ``on``; None before any partners are configured."""
    if not dirs.partners.exists():
        return None
    from scs_refresh.partners.register import load_partners
    from scs_refresh.partners.status import status
    from scs_refresh.core.store import Store

    cfg = load_partners(dirs.partners, tt)
    if not dirs.store.exists():
        return PartnerReturns(cfg.questionnaire.deadline, [])
    with Store.open(dirs.store) as store:
        return PartnerReturns(cfg.questionnaire.deadline, status(store, cfg, tt.cycle, on))


def evidence_snapshot(dirs: Dirs, on: date) -> EvidenceSnapshot | None:
    """Collate the evidence base as at ``on`` into ``<out>/evidence`` (charts included)."""
    evidence_yaml = dirs.config / "evidence.yaml"
    if not evidence_yaml.exists():
        return None
    from scs_refresh.evidence.collate import collate_and_write
    from scs_refresh.evidence.manifest import load_manifest

    base, folder = collate_and_write(load_manifest(evidence_yaml), dirs.out, on)
    return EvidenceSnapshot(base.digest, folder / "charts")


def review_inputs(dirs: Dirs) -> ReviewInputs | None:
    """The Partnership Register and review text, once the officer has set them up."""
    from scs_refresh.review.register import XLSX_NAME, YAML_NAME

    if not ((dirs.config / YAML_NAME).exists() or (dirs.config / XLSX_NAME).exists()):
        return None
    from scs_refresh.review.paper import load_review_content
    from scs_refresh.review.register import load_register

    return ReviewInputs(load_register(dirs.config), load_review_content(dirs.config / "partnership_review.yaml"))


def draft_sources(dirs: Dirs, on: date) -> DraftSources | None:
    """The draft SCS's config, the answers partners had sent and the amendments agreed by ``on``;
    None without scs.yaml."""
    if not (dirs.config / "scs.yaml").exists():
        return None
    from scs_refresh.strategy.draft import agreed_amendments, load_inputs, partner_responses

    answers = {pid: r for pid, r in partner_responses(dirs.store).items() if r.received_on <= on}
    inputs = load_inputs(dirs)
    return DraftSources(inputs, answers, agreed_amendments(dirs.store, inputs.timetable, on))


def load_state(dirs: Dirs, on: date, *, timetable: Timetable | None = None, evidence: bool = True) -> RefreshState:
    """Everything the papers may report on ``on``. ``evidence=False`` skips collating (faster)."""
    tt = timetable or load_timetable(dirs.timetable)
    cfg = load_papers_config(dirs.papers)
    check_against_timetable(cfg, tt, dirs.papers)
    from scs_refresh.performance.scorecard import for_papers

    snapshot = evidence_snapshot(dirs, on) if evidence else None  # the scorecard reads what this writes
    return RefreshState(tt, cfg, on, partners=partner_returns(dirs, tt, on), evidence=snapshot,
                        review=review_inputs(dirs), draft=draft_sources(dirs, on), scorecard=for_papers(dirs, on))
