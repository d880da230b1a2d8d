"""Exempt means exempt (LGA 1972 Schedule 12A), whatever the kind of paper: marked exempt, a paper
goes to members only, and nothing of it (its file, its PDF, its text) reaches the public folder."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import docx
import pytest

from scs_refresh.automation import tick
from scs_refresh.core.folders import Dirs

from .conftest import ROOT

MEETING = "lsp-board-2010-12-03"
EXEMPT = 'exempt: 3'
PAPERS = {  # the 3 December Board's papers as timetable.yaml writes them, and the file each becomes
    "partnership_review": ("- {kind: partnership_review, title: Review of the Breckland Partnership}",
                           "partnership_review_*.docx"),
    "board_report": ("- {kind: board_report, title: Update report on SCS refresh and Breckland Partnership, "
                     "purpose: progress-update}", "0?-update-report-on-scs-refresh*.docx"),
}


def _text(path: Path) -> str:
    doc = docx.Document(str(path))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


@pytest.mark.parametrize("kind", sorted(PAPERS))
def test_a_paper_of_any_kind_marked_exempt_never_reaches_the_public_folder(tmp_path: Path, kind: str):
    for name in ("config", "evidence"):
        shutil.copytree(ROOT / name, tmp_path / name)
    timetable = tmp_path / "config" / "timetable.yaml"
    line, written_as = PAPERS[kind]
    text = timetable.read_text()
    assert line in text
    timetable.write_text(text.replace(line, line[:-1] + ", " + EXEMPT + "}"))
    dirs = Dirs(config=tmp_path / "config", out=tmp_path / "out", state=tmp_path / "state",
                templates=ROOT / "templates")
    ctx = tick.Context.load(dirs, pdf=False)
    actions = {a.kind: a for a in ctx.actions() if a.meeting_id == MEETING}
    on = date(2010, 11, 25)
    tick.RUNNERS["generate_papers"](ctx, actions["generate_papers"], on)
    published = tick.RUNNERS["publish_papers"](ctx, actions["publish_papers"], on)

    written = tmp_path / "out" / MEETING
    [paper] = written.glob(written_as)
    public = tmp_path / "out" / "public" / MEETING
    assert published.files and all(f.is_relative_to(public) for f in published.files)
    names = [p.name for p in public.rglob("*") if p.is_file()]
    assert not [n for n in names if Path(n).stem == paper.stem or "board-pack" in n], names
    # Its text: every paragraph of the exempt paper long enough to be its own, searched in every public file.
    own = {p for p in _text(paper).splitlines() if len(p) > 60} - {
        p for f in written.glob("*.docx") if f != paper and "board-pack" not in f.name
        for p in _text(f).splitlines()}
    assert own, "the exempt paper has text of its own to look for"
    for f in public.rglob("*.docx"):
        leaked = own & set(_text(f).splitlines())
        assert not leaked, f"{f.name} carries the exempt paper's text: {sorted(leaked)[:2]}"

