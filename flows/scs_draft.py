"""The draft SCS (seed 000, 4.3.5, the draft stage) as Prefect tasks and a flow the stage flows call."""

from __future__ import annotations

from datetime import date

from prefect import flow, task

from flows.evidence import collate_evidence
from scs_refresh.documents.pdf import to_pdf
from scs_refresh.core.folders import Dirs
from scs_refresh.as_at import draft_sources
from scs_refresh.strategy.draft import DraftResult, write_draft
from scs_refresh.workspace import Workspace
from flows.logs import route_domain_logs

route_domain_logs()

read_sources = task(draft_sources, name="read-answers-and-amendments-as-at-the-day")
write_draft_scs = task(write_draft, name="write-draft-scs")
# LibreOffice now and then fails to start with a fresh profile; converting again is harmless.
draft_pdf = task(to_pdf, name="draft-scs-pdf", retries=2, retry_delay_seconds=[2, 5])


@flow(name="draft-scs")
def draft_scs(dirs: Dirs, on: date, pdf: bool = False) -> DraftResult:
    # 1. scs.yaml, evidence.yaml, partners.yaml and the timetable, cross-checked, from the cycle's workspace.
    ws = Workspace.load(dirs)
    ws.draft_inputs()
    # 2. Collate the evidence base as at the day (the releases out by then) into <out>/evidence.
    base = collate_evidence(dirs, on)
    # 3. Partners' answers, the changes agreed to their comments and the amendments agreed by the day,
    #    from the state store as known then.
    sources = read_sources(ws, on)
    # 4. A new draft version in <out>/scs when anything changed, with its change summary paper and the copy
    #    with its changes against the version before as tracked changes.
    result = write_draft_scs(sources.inputs, base.digest, sources.responses, dirs.out / "evidence" / "charts",
                             dirs.out / "scs", dirs.templates, on, sources.amendments, sources.edits)
    # 5. The PDFs of a new version and of its change summary, when asked.
    if pdf and result.new:
        draft_pdf([result.docx, result.changes], result.docx.parent)
    return result
