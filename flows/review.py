"""The Partnership review (seed 000, 4.3.3) as Prefect tasks and a flow the scoping flow calls."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from prefect import flow, task

from scs_refresh.documents.pdf import to_pdf
from scs_refresh.core.folders import Dirs
from scs_refresh.review.paper import ReviewOutputs, write_review
from scs_refresh.workspace import Workspace
from flows.logs import route_domain_logs

route_domain_logs()

write_review_paper = task(write_review, name="write-partnership-review")
# LibreOffice now and then fails to start with a fresh profile; converting again is harmless.
review_pdf = task(to_pdf, name="partnership-review-pdf", retries=2, retry_delay_seconds=[2, 5])


@flow(name="partnership-review")
def partnership_review(dirs: Dirs, on: date, meeting: str | None = None, pdf: bool = False) -> ReviewOutputs:
    # 1. The timetable, the Partnership Register and the officer's text, from the cycle's workspace.
    ws = Workspace.load(dirs)
    review = ws.need_review()
    # 2. Assess the register (Appendix B) and write the report, chart and register workbook.
    outputs = write_review_paper(ws.timetable, review.register, review.content, on, dirs.out / "review", meeting)
    # 3. The PDF for the Board pack, when asked.
    if pdf:
        outputs = replace(outputs, pdf=review_pdf([outputs.docx], dirs.out / "review")[0])
    return outputs
