"""A copy of a document with its changes against an earlier one shown as Word tracked changes.

Members are used to seeing what moved between two versions of a paper as revision marks. The
comparison is by paragraph (every paragraph of the body and its tables, in order), and within a
paragraph that was reworded, by word: words taken out are ``w:del`` runs, words put in ``w:ins``
runs, so Word and LibreOffice show them struck through and underlined, and "Accept all changes"
gives the new version exactly. A paragraph taken out is put back where it stood, marked deleted.
"""

from __future__ import annotations

import re
from copy import deepcopy
from datetime import datetime
from difflib import SequenceMatcher
from itertools import count
from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from scs_refresh.core.atomic import write_bytes
from scs_refresh.documents.docxkit import docx_bytes

_WORDS = re.compile(r"\s+|\w+|[^\w\s]")  # spaces, words, and each mark of punctuation on its own


def _paragraphs(document) -> list:
    """Every paragraph of the body, table cells included, in reading order."""
    return list(document.element.body.iter(qn("w:p")))


def _text(p) -> str:
    return Paragraph(p, None).text


def _has_picture(p) -> bool:
    return next(p.iter(qn("w:drawing")), None) is not None


class _Marks:
    """Revision marks with the ids, author and date Word requires on each."""

    def __init__(self, author: str, when: datetime):
        self.author, self.when, self.ids = author, when.strftime("%Y-%m-%dT%H:%M:%SZ"), count(1)

    def mark(self, tag: str):
        el = OxmlElement(tag)
        el.set(qn("w:id"), str(next(self.ids)))
        el.set(qn("w:author"), self.author)
        el.set(qn("w:date"), self.when)
        return el

    def run(self, text: str, rpr, deleted: bool = False):
        r = OxmlElement("w:r")
        if rpr is not None:
            r.append(deepcopy(rpr))
        for i, part in enumerate(text.split("\t")):
            if i:
                r.append(OxmlElement("w:tab"))
            if part:
                t = OxmlElement("w:delText" if deleted else "w:t")
                t.set(qn("xml:space"), "preserve")
                t.text = part
                r.append(t)
        return r

    def wrapped(self, tag: str, text: str, rpr):
        el = self.mark(tag)
        el.append(self.run(text, rpr, deleted=tag == "w:del"))
        return el

    def paragraph_mark(self, p, tag: str) -> None:
        """Mark the paragraph's own mark as inserted or deleted (so the paragraph itself is new or gone)."""
        ppr = p.get_or_add_pPr()
        rpr = ppr.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            later = next((c for c in ppr if c.tag in (qn("w:sectPr"), qn("w:pPrChange"))), None)
            later.addprevious(rpr) if later is not None else ppr.append(rpr)
        rpr.insert(0, self.mark(tag))


def _first_rpr(p):
    run = next((r for r in p.iter(qn("w:r")) if r.find(qn("w:t")) is not None), None)
    return None if run is None else run.find(qn("w:rPr"))


def _content_children(p) -> list:
    return [c for c in p if c.tag != qn("w:pPr")]


def _mark_inserted(p, marks: _Marks) -> None:
    for child in _content_children(p):
        if child.tag == qn("w:r"):
            wrapper = marks.mark("w:ins")
            child.addprevious(wrapper)
            wrapper.append(child)
    marks.paragraph_mark(p, "w:ins")


def _reword(p, old: str, new: str, marks: _Marks) -> None:
    """Rewrite ``p`` (which now reads ``new``) as word-level changes from ``old``."""
    rpr = _first_rpr(p)
    rpr = deepcopy(rpr) if rpr is not None else None
    for child in _content_children(p):
        p.remove(child)
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            p.append(marks.wrapped("w:del", "".join(a[i1:i2]), rpr))
        if op in ("insert", "replace"):
            p.append(marks.wrapped("w:ins", "".join(b[j1:j2]), rpr))
        if op == "equal":
            p.append(marks.run("".join(b[j1:j2]), rpr))


def _deleted(old_p, text: str, marks: _Marks):
    """The paragraph ``old_p`` (which read ``text``) as a paragraph marked deleted."""
    p = OxmlElement("w:p")
    ppr = old_p.find(qn("w:pPr"))
    if ppr is not None:
        ppr = deepcopy(ppr)
        for junk in ppr.findall(qn("w:sectPr")):
            ppr.remove(junk)
        p.append(ppr)
    if text:
        p.append(marks.wrapped("w:del", text, _first_rpr(old_p)))
    marks.paragraph_mark(p, "w:del")
    return p


def tracked_copy(old: Path, new: Path, out: Path, author: str, when: datetime) -> Path:
    """Write ``new`` to ``out`` with its differences from ``old`` as tracked changes by ``author``."""
    before, after = docx.Document(str(old)), docx.Document(str(new))
    old_ps, new_ps = _paragraphs(before), _paragraphs(after)
    old_text, new_text = [_text(p) for p in old_ps], [_text(p) for p in new_ps]
    marks = _Marks(author, when)
    body_end = after.element.body.find(qn("w:sectPr"))
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old_text, new_text, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(paired):
            if not _has_picture(new_ps[j1 + k]):
                _reword(new_ps[j1 + k], old_text[i1 + k], new_text[j1 + k], marks)
        for j in range(j1 + paired, j2):
            _mark_inserted(new_ps[j], marks)
        gone = range(i1 + paired, i2)
        if gone:
            anchor = new_ps[j2] if j2 < len(new_ps) else None
            for i in gone:
                p = _deleted(old_ps[i], old_text[i], marks)
                if anchor is not None:
                    anchor.addprevious(p)
                elif body_end is not None:
                    body_end.addprevious(p)
                else:
                    after.element.body.append(p)
    return write_bytes(out, docx_bytes(after))


def revisions(path: Path) -> tuple[list[str], list[str]]:
    """The text inserted and the text deleted in a document's tracked changes, each run by run."""
    body = docx.Document(str(path)).element.body
    inserted = ["".join(t.text or "" for t in el.iter(qn("w:t"))) for el in body.iter(qn("w:ins"))]
    deleted = ["".join(t.text or "" for t in el.iter(qn("w:delText"))) for el in body.iter(qn("w:del"))]
    return [t for t in inserted if t], [t for t in deleted if t]
