"""The draft SCS (seed 000, 4.3.5, the draft stage) as Prefect tasks and a flow the stage flows call."""

from __future__ import annotations

from datetime import date

from prefect import flow, task

from flows.evidence import collate_evidence
from scs_refresh.documents.pdf import to_pdf
from scs_refresh.core.folders import Dirs
from scs_refresh.strategy.draft import DraftResult, agreed_amendments, partner_responses, write_draft
from scs_refresh.workspace import Workspace
from flows.logs import route_domain_logs

route_domain_logs()

read_responses = task(partner_responses, name="read-partner-answers")
read_amendments = task(agreed_amendments, name="read-amendments-agreed")
write_draft_scs = task(write_draft, name="write-draft-scs")
# LibreOffice now and then fails to start with a fresh profile; converting again is harmless.
draft_pdf = task(to_pdf, name="draft-scs-pdf", retries=2, retry_delay_seconds=[2, 5])


@flow(name="draft-scs")
def draft_scs(dirs: Dirs, on: date, pdf: bool = False) -> DraftResult:
    # 1. scs.yaml, evidence.yaml, partners.yaml and the timetable, cross-checked, from the cycle's workspace.
    inputs = Workspace.load(dirs).draft_inputs()
    # 2. Collate the evidence base (digest, charts, provenance) into <out>/evidence.
    base = collate_evidence(dirs, on)
    # 3. Partners' questionnaire answers and the amendments agreed, from the state store.
    responses = read_responses(dirs.store)
    amendments = read_amendments(dirs.store, inputs.timetable, on)
    # 4. A new draft version in <out>/scs when anything changed, with the change summary.
    result = write_draft_scs(inputs, base.digest, responses, dirs.out / "evidence" / "charts", dirs.out / "scs",
                             dirs.templates, on, amendments)
    # 5. The PDF of a new version, when asked.
    if pdf and result.new:
        draft_pdf([result.docx], result.docx.parent)
    return result
