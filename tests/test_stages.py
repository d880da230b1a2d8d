"""The officer's stage runs through the real Prefect flows: each does its work once."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from scs_refresh.core.folders import Dirs

from .conftest import ROOT

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def folders(tmp_path):
    shutil.copytree(ROOT / "config", tmp_path / "config")
    shutil.copytree(ROOT / "evidence", tmp_path / "evidence")
    return dict(dirs=Dirs(config=tmp_path / "config", out=tmp_path / "out", state=tmp_path / "state",
                          templates=ROOT / "templates"), pdf=False)


def test_scoping_then_testing_then_nothing_twice(folders):
    from flows.stages import scoping, testing

    first = scoping(on=date(2010, 11, 2), **folders)
    assert [o.action.key for o in first.outcomes] == ["questionnaires", "interview-requests"]
    out = folders["dirs"].out
    assert len(list((out / "outbox").glob("questionnaire--*.eml"))) == 12
    record = (out / "scoping" / "scs-review.md").read_text()
    for question in ("What is still relevant?", "What needs updating?", "What gaps/barriers exist?",
                     "What has been the focus?", "Local Spending Review - implications for future?"):
        assert f"### {question}" in record
    assert "- Partnership (LSP) officer" in record  # the review team, from the timetable
    assert (out / "review" / "partnership_review_2010-12-03.docx").is_file()

    again = scoping(on=date(2010, 11, 2), **folders)
    assert again.outcomes == []  # nothing sent or done twice

    test = testing(on=date(2010, 11, 18), **folders)
    assert "papers:lsp-board-2010-12-03" in [o.action.key for o in test.outcomes]
    assert (out / "lsp-board-2010-12-03" / "papers.json").is_file()
    assert (out / "scs" / "draft-v1.docx").is_file()
    assert any(n.startswith("interviews still to hold: ") for n in test.notes)
