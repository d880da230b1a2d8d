"""Releasing a document: a paper leaves the building only after it passes the checks, and a
pack is its papers merged with continuous page numbers, checked again as one document. A PDF
of a paper is released only when it is tagged as the checks require (:func:`release_pdf`), and
its HTML page only when it passes the page checks (:func:`release_html`)."""

from __future__ import annotations

import io
from pathlib import Path

import docx
from docx.document import Document
from docx.oxml.ns import qn
from docx.styles.styles import Styles
from docx.styles import BabelFish
from docxcompose.composer import Composer

from scs_refresh.core.atomic import write_bytes
from scs_refresh.core.errors import UserError
from scs_refresh.documents.accessibility import check_docx, check_html, check_pdf, literal_strings


class PaperCheckFailed(UserError):
    """A generated paper failed the accessibility or safety checks and was not released."""


def _released(path: Path, problems: list[str], what: str) -> Path:
    """``path`` if it has no problems; otherwise moved aside (``<name>.rejected<suffix>``) so it is
    never sent or published by mistake, and one line saying why."""
    if problems:
        path.replace(path.with_suffix(".rejected" + path.suffix))
        raise PaperCheckFailed(f"{path}: not released, {what} fails the accessibility checks: {problems[0]}"
                               + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    return path


def release(path: Path, context: dict) -> Path:
    """Refuse a paper that fails the checks."""
    return _released(path, check_docx(path, literal_strings(context)), "it")


def release_pdf(path: Path, figures: int = 0) -> Path:
    """Refuse a PDF that is not tagged, not in en-GB, hides its title or loses a figure's alternative text."""
    return _released(path, check_pdf(path, figures), "the PDF")


def release_html(path: Path) -> Path:
    """Refuse an HTML page that fails the checks."""
    return _released(path, check_html(path), "the page")


_STYLE, _STYLE_ID = qn("w:style"), qn("w:styleId")


class _StyleRef:
    """A style seen only for its id and name, without building python-docx's style object."""

    __slots__ = ("element", "style_id")

    def __init__(self, element):
        self.element, self.style_id = element, element.get(_STYLE_ID)

    @property
    def name(self) -> str | None:
        name = self.element.find(qn("w:name"))
        return None if name is None else BabelFish.internal2ui(name.get(qn("w:val")))


class _QuickStyles(Styles):
    def __init__(self, element, listed: dict):
        super().__init__(element)
        self._listed = listed

    def __iter__(self):
        # Styles are only ever added to the pack (docxcompose appends them): the listing stands
        # until the number of entries changes.
        count = len(self._element)
        if self._listed.get("count") != count:
            self._listed.update(count=count, refs=[_StyleRef(e) for e in self._element.iterchildren(_STYLE)])
        return iter(self._listed["refs"])


class _PackDocument(Document):
    """The pack being built. docxcompose lists its styles once for every paragraph it pastes
    in; building a python-docx style object for each of ~160 styles each time was most of the
    cost of a pack, so the listing reads the ids straight from the XML, and is made again only
    when a style was added."""

    def __init__(self, element, part):
        super().__init__(element, part)
        self._listed: dict = {}

    @property
    def styles(self):
        return _QuickStyles(super().styles.element, self._listed)


def compose_pack(parts: list[Path], out: Path, title: str) -> Path:
    """Merge ``parts`` (the agenda first) into one .docx, each part on a new page.

    Page numbers run on through the pack because the parts share one footer with a PAGE
    field and no part restarts numbering.
    """
    first = docx.Document(str(parts[0]))
    master = _PackDocument(first.element, first.part)
    master.core_properties.title = title
    composer = Composer(master)
    for part in parts[1:]:
        master.add_page_break()
        composer.append(docx.Document(str(part)))
    buf = io.BytesIO()
    composer.save(buf)
    return write_bytes(out, buf.getvalue())


def checked_pack(parts: list[Path], out: Path, title: str, quoted: set[str]) -> Path:
    """Merge ``parts`` into one pack and refuse it if the merged document fails the checks."""
    pack = compose_pack(parts, out, title)
    problems = check_docx(pack, quoted)
    if problems:
        raise PaperCheckFailed(f"{pack}: the merged pack fails the checks: {problems[0]}")
    return pack


def pack_footer(first_part: Path) -> tuple[str, str]:
    """The pack's footer words, (left text, what comes before the page number): the first part's
    footer, which the merged pack keeps (:func:`compose_pack`), so its PDF made from the papers'
    PDFs says what the pack .docx says."""
    section = docx.Document(str(first_part)).sections[-1]
    text = "".join(p.text for p in section.footer.paragraphs)
    left, _, page = text.partition("\t")
    return left.strip(), page
