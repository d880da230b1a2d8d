"""Exempt means exempt (LGA 1972 Schedule 12A), whatever the kind of paper: marked exempt, a paper
goes to members only, and nothing of it (its file, its title, its text) reaches anything public —
the public folder's Word files, PDFs and web pages, the meetings site, its calendar and its feed."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest

from scs_refresh.automation import tick
from scs_refresh.core.folders import Dirs

from .conftest import ROOT

EXEMPT = 'exempt: 3'
#: kind -> (meeting, the paper's line as timetable.yaml writes it, the file it becomes)
PAPERS = {
    "board_report": ("lsp-board-2010-12-03", "- {kind: board_report, title: Update report on SCS refresh and "
                     "Breckland Partnership, purpose: progress-update}", "0?-update-report-on-scs-refresh*.docx"),
    "partnership_review": ("lsp-board-2010-12-03", "- {kind: partnership_review, title: Review of the Breckland "
                           "Partnership}", "partnership_review_*.docx"),
    "draft_scs": ("lsp-board-2011-02-03", "- {kind: draft_scs, title: Draft Sustainable Community Strategy 2011}",
                  "0?-draft-sustainable-community-strategy-2011.docx"),
    "committee_report": ("full-council-2011-05-12", "- {kind: committee_report, title: Sustainable Community "
                         "Strategy 2011 - for adoption, purpose: adopt}", "0?-sustainable-community-strategy-*.docx"),
}


def _docx_text(path: Path) -> str:
    doc = docx.Document(str(path))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def _public_text(path: Path) -> str:
    """What a reader of the public file sees, as words separated by single spaces."""
    if path.suffix == ".docx":
        text = _docx_text(path)
    elif path.suffix == ".pdf":
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
    elif path.suffix in (".html", ".atom", ".ics", ".xml", ".json", ".txt"):
        text = html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))
    else:
        return ""
    return " ".join(text.replace("\\,", ",").split())


@pytest.fixture(scope="module")
def soffice_ready():
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler's pdftotext is needed to read the public PDFs (CI installs poppler-utils)")


@pytest.mark.parametrize("kind", sorted(PAPERS))
def test_a_paper_of_any_kind_marked_exempt_never_reaches_anything_public(tmp_path: Path, kind: str,
                                                                         soffice_ready):
    meeting, line, written_as = PAPERS[kind]
    for name in ("config", "evidence"):
        shutil.copytree(ROOT / name, tmp_path / name)
    timetable = tmp_path / "config" / "timetable.yaml"
    text = timetable.read_text()
    assert line in text
    timetable.write_text(text.replace(line, line[:-1] + ", " + EXEMPT + "}"))
    dirs = Dirs(config=tmp_path / "config", out=tmp_path / "out", state=tmp_path / "state",
                templates=ROOT / "templates")
    ctx = tick.Context.load(dirs, pdf=True)
    actions = {a.kind: a for a in ctx.actions() if a.meeting_id == meeting}
    on = actions["publish_papers"].due
    tick.RUNNERS["generate_papers"](ctx, actions["generate_papers"], on)
    published = tick.RUNNERS["publish_papers"](ctx, actions["publish_papers"], on)

    written = tmp_path / "out" / meeting
    [paper] = written.glob(written_as)
    title = next(p.title for e in ctx.timetable.events for p in e.papers if line.endswith(f"title: {p.title}}}")
                 or f"title: {p.title}," in line)
    public = tmp_path / "out" / "public"
    assert published.files and all(f.is_relative_to(public / meeting) for f in published.files)
    files = [p for p in public.rglob("*") if p.is_file()]
    kinds = {p.suffix for p in files}
    assert {".docx", ".pdf", ".html", ".ics", ".atom"} <= kinds, kinds  # every public form was written
    names = [p.name for p in files]
    assert not [n for n in names if Path(n).stem == paper.stem or "pack" in n], names
    # Its text: every paragraph of the exempt paper long enough to be its own, searched in every public file.
    # A line that stands within another paper of the meeting (the same figure quoted in the open report) is not its own,
    # nor is a meeting's title (the site lists the meetings).
    others = [" ".join(_docx_text(f).split()) for f in written.glob("*.docx") if f != paper and "pack" not in f.name]
    lines = {" ".join(p.split()) for p in _docx_text(paper).splitlines() if len(p) > 60}
    own = {line for line in lines if not any(line in other for other in others)} - {e.title for e in ctx.timetable.events}
    assert own, "the exempt paper has text of its own to look for"
    for f in files:
        seen = _public_text(f)
        assert title not in seen, f"{f.relative_to(public)} names the exempt paper '{title}'"
        leaked = [p for p in own if p in seen]
        assert not leaked, f"{f.relative_to(public)} carries the exempt paper's text: {leaked[:2]}"
