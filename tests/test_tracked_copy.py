"""The tracked-changes copy of a Strategy version: accepting every change gives the new version, rejecting
every change gives the old one, and LibreOffice reads the changes as tracked changes."""

from __future__ import annotations

import re
import subprocess
import zipfile
from copy import deepcopy
from datetime import datetime

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from scs_refresh.documents.pdf import soffice
from scs_refresh.documents.tracked import revisions, tracked_copy

OLD = ["1. Our vision", "Reduce smoking.", "Keep this paragraph as it is.", "A paragraph the Board took out.",
       "Annex B: Amendments agreed"]
NEW = ["1. Our vision", "Reduce smoking, above all in pregnancy.", "Keep this paragraph as it is.",
       "Annex B: Amendments agreed", "Carers are named among the people the priorities serve."]


def _doc(path, lines, table=None):
    d = docx.Document()
    d.add_heading(lines[0], 1)
    for line in lines[1:]:
        d.add_paragraph(line)
    if table:
        d.add_table(rows=1, cols=1).cell(0, 0).text = table
    d.save(str(path))
    return path


def _resolved(path, accept: bool) -> list[str]:
    """The document's paragraphs with every change accepted (or rejected), as Word would show them."""
    body = deepcopy(docx.Document(str(path)).element.body)
    drop, keep = (qn("w:del"), qn("w:ins")) if accept else (qn("w:ins"), qn("w:del"))
    for p in list(body.iter(qn("w:p"))):
        mark = p.find(f"{qn('w:pPr')}/{qn('w:rPr')}/{drop}")
        if mark is not None:
            p.getparent().remove(p)
    for el in list(body.iter(drop)):
        el.getparent().remove(el)
    for el in list(body.iter(keep)):
        for t in list(el.iter(qn("w:delText"))):
            plain = OxmlElement("w:t")
            plain.text = t.text
            t.addprevious(plain)
            t.getparent().remove(t)
        parent = el.getparent()
        if parent.tag == qn("w:rPr"):
            parent.remove(el)
            continue
        for child in list(el):
            el.addprevious(child)
        parent.remove(el)
    return [Paragraph(p, None).text for p in body.iter(qn("w:p"))]


def test_accepting_every_change_gives_the_new_version_and_rejecting_gives_the_old(tmp_path):
    old, new = _doc(tmp_path / "v1.docx", OLD), _doc(tmp_path / "v2.docx", NEW, table="Carers")
    tracked = tracked_copy(old, new, tmp_path / "v2-tracked.docx", "Breckland Partnership", datetime(2011, 2, 3, 9))
    assert _resolved(tracked, accept=True) == NEW + ["Carers"]
    assert _resolved(tracked, accept=False) == OLD
    inserted, deleted = revisions(tracked)
    assert ", above all in pregnancy" in inserted and "A paragraph the Board took out." in deleted
    assert "Keep this paragraph as it is." not in inserted + deleted  # what did not move is not marked
    xml = zipfile.ZipFile(tracked).read("word/document.xml").decode()
    assert 'w:author="Breckland Partnership"' in xml and 'w:date="2011-02-03T09:00:00Z"' in xml


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_the_changes_as_tracked_changes(tmp_path):
    old, new = _doc(tmp_path / "v1.docx", OLD), _doc(tmp_path / "v2.docx", NEW)
    tracked = tracked_copy(old, new, tmp_path / "v2-tracked.docx", "Breckland Partnership", datetime(2011, 2, 3, 9))
    subprocess.run([soffice(), f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                    "fodt", "--outdir", str(tmp_path), str(tracked)], check=True, capture_output=True, timeout=180)
    fodt = (tmp_path / "v2-tracked.fodt").read_text()
    regions = dict(re.findall(r'<text:changed-region[^>]* text:id="([^"]+)">\s*<text:(insertion|deletion)>', fodt))
    assert sorted(set(regions.values())) == ["deletion", "insertion"] and "Breckland Partnership" in fodt
    marked = dict((text.strip(), regions[cid]) for cid, text in re.findall(
        r'<text:change-start text:change-id="([^"]+)"/>([^<]+)', fodt))
    assert marked["A paragraph the Board took out."] == "deletion"  # the paragraph taken out, shown struck out
    assert marked[", above all in pregnancy"] == "insertion"
