"""Partners' comments on the draft Strategy: read from drafts returned by LibreOffice (comments and
tracked changes) and from a comments form, tied to their sections, answered, and made into changes."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scs_cli.main import app
from scs_refresh.core.folders import Dirs
from scs_refresh.core.store import Store
from scs_refresh.strategy.comments import CommentsError, edits, import_comments, known_on, read_docx, respond
from scs_refresh.strategy.draft import _edited
from scs_refresh.workspace import Workspace

from .conftest import ROOT

DATA = ROOT / "tests" / "data" / "strategy_comments"
DRAFT = {"themes": [{"id": "health-older-people", "title": "Healthier communities and older people"},
                    {"id": "economy-enterprise", "title": "Economic development and enterprise"}]}
AT = datetime(2011, 1, 25, 9)


@pytest.fixture(scope="module")
def partners():
    return Workspace.load(Dirs(config=ROOT / "config", out=Path("out"), state=Path("state"))).need_partners()


def test_a_draft_returned_by_libreoffice_gives_its_comments_and_tracked_changes_by_section():
    version, found = read_docx(DATA / "returned-draft-v1.docx")
    assert version == 1
    by_kind = {f.kind: f for f in found}
    change = by_kind["change"]
    assert (change.section, change.old_text, change.new_text) == (
        "Healthier communities and older people", "Reduce smoking.", "Reduce smoking, above all in pregnancy.")
    assert (by_kind["comment"].section, by_kind["comment"].text) == ("Our vision", "Say what 'proud' will be measured by.")


def test_import_stores_each_comment_once_and_an_accepted_change_rewords_the_strategy(tmp_path, partners):
    with Store.open(tmp_path / "scs.sqlite") as store:
        added = import_comments(store, DATA / "returned-draft-v1.docx", partners, {1: DRAFT}, 1, date(2011, 1, 25), AT,
                                "nhs-norfolk")
        assert sorted(c.section for c in added) == ["health-older-people", "vision"]
        assert import_comments(store, DATA / "returned-draft-v1.docx", partners, {1: DRAFT}, 1, date(2011, 1, 26), AT,
                               "nhs-norfolk") == []  # importing it again adds nothing
        change = next(c for c in added if c.kind == "change")
        with pytest.raises(CommentsError, match="say why the comment is not accepted"):
            respond(store, change.key, "not", "", on=date(2011, 1, 31), by="officer")
        respond(store, change.key, "accepted", "", on=date(2011, 1, 31), by="officer")
        stored = store.strategy_comments()
    # True on its date: the response is not known the day before it was given.
    assert [c.response for c in known_on(stored, date(2011, 1, 30)) if c.kind == "change"] == [None]
    agreed = edits(known_on(stored, date(2011, 1, 31)), partners)
    assert [(e.section, e.old, e.new, e.partner) for e in agreed] == [
        ("health-older-people", "Reduce smoking.", "Reduce smoking, above all in pregnancy.", "NHS Norfolk (Primary Care Trust)")]
    cfg = Workspace.load(Dirs(config=ROOT / "config", out=Path("out"), state=Path("state"))).draft_inputs().scs
    changed, made, warnings = _edited(cfg, agreed)
    health = next(t for t in changed.themes if t.id == "health-older-people")
    assert "Reduce smoking, above all in pregnancy." in health.priorities and "Reduce smoking." not in health.priorities
    assert made == [{"section": "Healthier communities and older people", "partner": "NHS Norfolk (Primary Care Trust)",
                     "on": "2011-01-31", "text": "Reduce smoking, above all in pregnancy."}] and warnings == []


def test_a_comments_form_names_sections_by_id_or_title(tmp_path, partners):
    form = tmp_path / "form.csv"
    form.write_text("partner_id,received_on,section,comment,proposed_text\n"
                    "business-forum,2011-01-26,Economic development and enterprise,Broadband please,Press for broadband.\n")
    with Store.open(tmp_path / "scs.sqlite") as store:
        (c,) = import_comments(store, form, partners, {1: DRAFT}, 1, date(2011, 1, 27), AT)
    assert (c.partner_id, c.received_on, c.section, c.kind, c.old_text) == (
        "business-forum", date(2011, 1, 26), "economy-enterprise", "change", None)


def _cycle(tmp_path: Path) -> list[str]:
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    (tmp_path / "evidence").symlink_to(ROOT / "evidence")
    scs = tmp_path / "out" / "scs"
    scs.mkdir(parents=True)
    (scs / "draft-v1.json").write_text(json.dumps({"version": 1, "on": "2011-01-19", "content": DRAFT}))
    return ["--config-dir", str(config), "--out-dir", str(tmp_path / "out"), "--state-dir", str(tmp_path / "state")]


@pytest.mark.parametrize("file, message", [
    ("returned-draft-v7.docx", "is draft version 7, not one sent for comment by 2011-01-25 (versions: 1)"),
    ("returned-draft-removed-section.docx", "a comment on section 'Transport' (\u201cAdd the A11 dualling here.\u201d), which is not in the current draft (version 1)"),
    ("corrupt.docx", "not a Word document that can be read"),
])
def test_a_bad_return_is_one_line_and_nothing_is_stored(tmp_path, file, message):
    args = _cycle(tmp_path)
    (tmp_path / "corrupt.docx").write_bytes((DATA / "returned-draft-v1.docx").read_bytes()[:2000])
    path = tmp_path / file if file == "corrupt.docx" else DATA / file
    result = CliRunner().invoke(app, [*args, "comments", "import", str(path), "--partner", "nhs-norfolk",
                                      "--on", "2011-01-25"])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1 and str(path) in result.output
    with Store.open(tmp_path / "state" / "scs.sqlite") as store:
        assert store.strategy_comments() == []
    good = CliRunner().invoke(app, [*args, "comments", "import", str(DATA / "returned-draft-v1.docx"),
                                    "--partner", "nhs-norfolk", "--on", "2011-01-25"])
    assert good.exit_code == 0 and "imported 2 new comment(s)" in good.output
