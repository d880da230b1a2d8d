"""The Partnership review (seed 000, 4.3.3) as a Prefect task and a flow the scoping flow calls."""

from __future__ import annotations

from datetime import date

from prefect import flow, task

from flows.retrying import retry_if
from scs_refresh.core.errors import UserError
from scs_refresh.core.folders import Dirs
from scs_refresh.review.paper import ReviewOutputs, write_review_from_dirs
from scs_refresh.workspace import Workspace
from flows.logs import route_domain_logs

route_domain_logs()

# The report, chart, workbook and PDF are written as one set (all or nothing), so a retry is safe:
# LibreOffice now and then fails to start with a fresh profile. A refused paper (UserError) is never retried.
write_review_set = task(write_review_from_dirs, name="write-partnership-review", retries=2,
                        retry_delay_seconds=[2, 5], retry_condition_fn=retry_if(lambda e: not isinstance(e, UserError)))


@flow(name="partnership-review")
def partnership_review(dirs: Dirs, on: date, meeting: str | None = None, pdf: bool = False) -> ReviewOutputs:
    # 1. The timetable, the Partnership Register and the officer's text, from the cycle's workspace.
    ws = Workspace.load(dirs)
    review = ws.need_review()
    # 2. Assess the register (Appendix B); write the report, chart, register workbook and PDF as one set.
    return write_review_set(ws.timetable, review.register, review.content, dirs, on, meeting, pdf)
