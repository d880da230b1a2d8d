"""The draft SCS flow end to end against a temporary Prefect API."""

import shutil
from datetime import date

import docx
import pytest

from scs_refresh.core.folders import Dirs

from flows.scs_draft import draft_scs

from .conftest import ROOT

pytestmark = pytest.mark.usefixtures("prefect_harness")


def test_draft_scs_flow_collates_the_evidence_and_writes_a_version_once(tmp_path):
    pdf = shutil.which("soffice") is not None
    run = dict(dirs=Dirs(config=ROOT / "config", out=tmp_path / "out", state=tmp_path / "state",
                         templates=ROOT / "templates"), pdf=pdf)
    first = draft_scs(on=date(2011, 1, 20), **run)
    assert (first.version, first.new, first.docx) == (1, True, tmp_path / "out" / "scs" / "draft-v1.docx")
    assert (tmp_path / "out" / "evidence" / "digest.json").is_file()
    headings = [p.text for p in docx.Document(str(first.docx)).paragraphs if p.style.name == "Heading 1"]
    assert "7. Housing and the environment" in headings and "Annex A: Evidence sources" in headings
    if pdf:
        assert (tmp_path / "out" / "scs" / "draft-v1.pdf").read_bytes()[:5] == b"%PDF-"
    again = draft_scs(on=date(2011, 1, 27), **run)
    assert (again.version, again.new) == (1, False)
