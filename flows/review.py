"""The Partnership review (seed 000, 4.3.3) as Prefect tasks and a flow the scoping flow calls."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from prefect import flow, task

from scs_refresh.documents.pdf import to_pdf
from scs_refresh.review.paper import ReviewOutputs, load_inputs, write_review
from scs_refresh.core.folders import Dirs

load_review_inputs = task(load_inputs, name="load-review-inputs")
write_review_paper = task(write_review, name="write-partnership-review")
# LibreOffice now and then fails to start with a fresh profile; converting again is harmless.
review_pdf = task(to_pdf, name="partnership-review-pdf", retries=2, retry_delay_seconds=[2, 5])


@flow(name="partnership-review")
def partnership_review(config_dir: Path, out_dir: Path, state_dir: Path, on: date,
                       meeting: str | None = None, pdf: bool = False) -> ReviewOutputs:
    dirs = Dirs(config=Path(config_dir), out=Path(out_dir), state=Path(state_dir))
    # 1. Read and validate the timetable, the Partnership Register and the officer's text.
    timetable, register, content = load_review_inputs(dirs)
    # 2. Assess the register (Appendix B) and write the report, chart and register workbook.
    outputs = write_review_paper(timetable, register, content, on, dirs.out / "review", meeting)
    # 3. The PDF for the Board pack, when asked.
    if pdf:
        outputs = replace(outputs, pdf=review_pdf([outputs.docx], dirs.out / "review")[0])
    return outputs
