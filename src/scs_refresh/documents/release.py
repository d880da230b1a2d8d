"""Releasing a document: a paper leaves the building only after it passes the checks, and a
pack is its papers merged with continuous page numbers, checked again as one document. A PDF
of a paper is released only when it is tagged as the checks require (:func:`release_pdf`), and
its HTML page only when it passes the page checks (:func:`release_html`)."""

from __future__ import annotations

import functools
import threading
from contextlib import contextmanager
from pathlib import Path

import docx
import docxcompose.composer
from docx.document import Document
from docx.oxml.ns import nsmap, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.styles.styles import Styles
from docx.styles import BabelFish
from docxcompose.composer import Composer
from docxcompose.utils import NS
from lxml import etree

from scs_refresh.core.atomic import write_bytes
from scs_refresh.core.errors import UserError
from scs_refresh.documents.accessibility import check_docx, check_html, check_pdf, literal_strings
from scs_refresh.documents.docxkit import docx_bytes
from scs_refresh.documents.render import just_written


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
    """Refuse a paper that fails the checks: checked as rendered if the file is still the one
    :func:`~scs_refresh.documents.render.render_docx` wrote from it, else as read from the file."""
    document = just_written(path)
    return _released(path, check_docx(path if document is None else document, literal_strings(context)), "it")


def release_pdf(path: Path, figures: int = 0, problems: list[str] | None = None) -> Path:
    """Refuse a PDF that is not tagged, not in en-GB, hides its title or loses a figure's alternative text.
    ``problems``: what the checks found on the PDF in memory just before it was written (a joined pack)."""
    return _released(path, check_pdf(path, figures) if problems is None else problems, "the PDF")


def release_html(path: Path) -> Path:
    """Refuse an HTML page that fails the checks."""
    return _released(path, check_html(path), "the page")


_STYLE, _STYLE_ID = qn("w:style"), qn("w:styleId")


class _StyleRef:
    """A style seen only for its id and name, without building python-docx's style object."""

    __slots__ = ("element", "style_id", "_name")

    def __init__(self, element):
        self.element, self.style_id = element, element.get(_STYLE_ID)

    @property
    def name(self) -> str | None:
        # read once: docxcompose asks the pack for every style's name at each paper it appends
        if not hasattr(self, "_name"):
            name = self.element.find(qn("w:name"))
            self._name = None if name is None else BabelFish.internal2ui(name.get(qn("w:val")))
        return self._name


class _StylesElement:
    """A document's ``<w:styles>`` with its styles found by id from a table, not by an XPath query over
    every style each time (docxcompose asks for several per paragraph). Everything else is the element's."""

    __slots__ = ("_element", "_count", "_refs", "_by_id")

    def __init__(self, element):
        self._element, self._count = element, -1

    def _listed(self) -> None:
        # Styles are only ever added to a document being composed (docxcompose appends them): the listing
        # stands until the number of entries changes.
        count = len(self._element)
        if count != self._count:
            self._refs = [_StyleRef(e) for e in self._element.iterchildren(_STYLE)]
            self._by_id = {}
            for ref in self._refs:
                self._by_id.setdefault(ref.style_id, ref.element)  # the first, as CT_Styles.get_by_id
            self._count = count

    def refs(self) -> list[_StyleRef]:
        self._listed()
        return self._refs

    def get_by_id(self, style_id):
        self._listed()
        return self._by_id.get(style_id)

    def xpath(self, query: str, namespaces=None):
        """docxcompose's ``xpath()`` gives an element that is not python-docx's its namespaces, which
        python-docx's element has (docxcompose adds its own to python-docx's map)."""
        return self._element.xpath(query)

    def __getattr__(self, name):
        return getattr(self._element, name)


class _QuickStyles(Styles):
    def __init__(self, element):
        super().__init__(element)
        self._indexed = _StylesElement(element)

    @property
    def element(self):
        return self._indexed

    def __iter__(self):
        return iter(self._indexed.refs())


class _PackDocument(Document):
    """A document docxcompose merges, or merges into. docxcompose lists the pack's styles once for
    every paragraph it pastes in, and finds styles by id several times per paragraph; building a
    python-docx style object for each of ~160 styles each time, and the styles part's lookup behind
    ``Document.styles``, were most of the cost of a pack. So the styles are listed from the XML,
    indexed by id, and listed again only when a style was added."""

    def __init__(self, element, part):
        super().__init__(element, part)
        self._quick_styles = None

    @property
    def styles(self):
        if self._quick_styles is None:
            self._quick_styles = _QuickStyles(super().styles.element)
        return self._quick_styles


@functools.lru_cache(maxsize=4096)
def _compiled(query: str, oxml: bool) -> etree.XPath:
    return etree.XPath(query, namespaces=nsmap if oxml else NS)


def _xpath(element, query: str):
    """docxcompose's ``utils.xpath`` with each query compiled once: it runs about ten queries on every
    element it pastes in, and compiling them each time was a third of a pack's merging."""
    return _compiled(query, isinstance(element, BaseOxmlElement))(element)


_composing = threading.Lock()


@contextmanager
def _compiled_queries():
    """docxcompose's composer uses :func:`_xpath` meanwhile (docxcompose pinned: see the test that
    checks what this replaces)."""
    with _composing:
        plain = docxcompose.composer.xpath
        docxcompose.composer.xpath = _xpath
        try:
            yield
        finally:
            docxcompose.composer.xpath = plain


def _opened(path: Path) -> _PackDocument:
    doc = docx.Document(str(path))
    return _PackDocument(doc.element, doc.part)


def _composed(parts: list[Path], title: str) -> tuple[Document, bytes]:
    """The pack as python-docx's document and as the bytes of its .docx."""
    master = _opened(parts[0])
    master.core_properties.title = title
    composer = Composer(master)
    with _compiled_queries():
        for part in parts[1:]:
            master.add_page_break()
            composer.append(_opened(part))
    return Document(master.element, master.part), docx_bytes(composer)


def compose_pack(parts: list[Path], out: Path, title: str) -> Path:
    """Merge ``parts`` (the agenda first) into one .docx, each part on a new page.

    Page numbers run on through the pack because the parts share one footer with a PAGE
    field and no part restarts numbering.
    """
    return write_bytes(out, _composed(parts, title)[1])


def checked_pack(parts: list[Path], out: Path, title: str, quoted: set[str]) -> Path:
    """Merge ``parts`` into one pack and refuse it if the merged document fails the checks (checked as
    merged, not read back from the file just written from it)."""
    doc, data = _composed(parts, title)
    pack = write_bytes(out, data)
    problems = check_docx(doc, quoted)
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
