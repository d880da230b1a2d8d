"""The Partnership review flow end to end against a temporary Prefect API."""

import shutil
from datetime import date

import docx
import pytest

from scs_refresh.core.folders import Dirs

from flows.review import partnership_review

from .conftest import ROOT

pytestmark = pytest.mark.usefixtures("prefect_harness")


def test_partnership_review_flow_writes_the_board_report(tmp_path):
    pdf = shutil.which("soffice") is not None
    outputs = partnership_review(Dirs(config=ROOT / "config", out=tmp_path / "out", state=tmp_path / "state"),
                                 date(2010, 11, 20), pdf=pdf)
    assert outputs.docx == tmp_path / "out" / "review" / "partnership_review_2010-12-03.docx"
    assert outputs.meeting.id == "lsp-board-2010-12-03"
    assert [a.partnership.short_name for a in outputs.assessments if a.exit_candidate] == ["Towns"]
    assert docx.Document(str(outputs.docx)).tables[1].rows[0].cells[4].text == "Risk"
    if pdf:
        assert outputs.pdf.read_bytes()[:5] == b"%PDF-"
