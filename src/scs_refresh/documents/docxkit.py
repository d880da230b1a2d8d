"""python-docx helpers for what it has no API for: A4 pages, the document's language, table header
rows, rows kept whole, dates kept on one line, alt text."""

from __future__ import annotations

import functools
import io
import threading
import zipfile
import zlib
from collections import OrderedDict
from contextlib import contextmanager

from docx.document import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import nsmap, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm
from docx.table import Table
from lxml import etree

from scs_refresh.documents.layout import DATE_HYPHEN, breakable_file_names


@functools.lru_cache(maxsize=1024)
def _query(xpath_str: str, _namespaces: int) -> etree.XPath:
    return etree.XPath(xpath_str, namespaces=nsmap)


def _compiled_xpath(self, xpath_str: str):
    """python-docx's ``BaseOxmlElement.xpath`` (the query with its namespaces) with each query compiled once:
    python-docx compiles it at every call, and asks a few queries again for every run and paragraph it writes
    or reads (a run's text, its content cleared; ~10,000 a cycle), five times the work of running them. Keyed
    by the size of python-docx's namespace map too, which docxcompose adds to (test_papers_core checks)."""
    return _query(xpath_str, len(nsmap))(self)


BaseOxmlElement.xpath = _compiled_xpath


def set_language(doc: Document, language: str) -> Document:
    """Write every run in ``language`` unless it says otherwise: the default run language
    (w:docDefaults, which python-docx's template sets to en-US) and the core properties.
    Screen readers pick their voice, and LibreOffice the PDF's /Lang, from it."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), language)
    lang.set(qn("w:eastAsia"), language)
    doc.core_properties.language = language
    return doc


def set_a4(doc: Document, margin_mm: float = 20) -> Document:
    """Council papers are A4 (python-docx's default template is US Letter)."""
    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(margin_mm)
        section.top_margin = section.bottom_margin = Mm(margin_mm)
    return doc


def mark_header_row(table: Table) -> Table:
    """Mark the first row as a header row (w:tblHeader): screen readers announce it, Word repeats it."""
    tr = table.rows[0]._tr
    trpr = tr.get_or_add_trPr()
    if trpr.find(qn("w:tblHeader")) is None:
        el = OxmlElement("w:tblHeader")
        el.set(qn("w:val"), "true")
        trpr.append(el)
    return table


#: What may follow w:cantSplit in a row's properties (CT_TrPr's order): it goes before them.
_AFTER_CANT_SPLIT = ("w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del",
                     "w:trPrChange")


def keep_rows_whole(table: Table) -> Table:
    """No row of ``table`` breaks across a page (w:cantSplit); a row too tall for a page still does."""
    for row in table.rows:
        trpr = row._tr.get_or_add_trPr()
        if trpr.find(qn("w:cantSplit")) is None:
            el = OxmlElement("w:cantSplit")
            later = next((c for c in trpr if c.tag in {qn(t) for t in _AFTER_CANT_SPLIT}), None)
            if later is None:
                trpr.append(el)
            else:
                later.addprevious(el)
    return table


def add_unbroken_text(paragraph, text: str):
    """Add ``text`` as a run in which a hyphen between digits (2010-10-15) is a non-breaking
    hyphen (w:noBreakHyphen), so a date is never split across lines, and each underscore inside a
    file name is followed by a zero-width space, so a long file name breaks after an underscore
    rather than mid-name (other text, a partner's words included, is left exactly as written);
    return the run."""
    parts = DATE_HYPHEN.split(breakable_file_names(text))
    run = paragraph.add_run(parts[0])
    for part in parts[1:]:
        run._r.append(OxmlElement("w:noBreakHyphen"))
        run._r.add_t(part)
    return run


def set_alt_text(inline_shape, text: str) -> None:
    """Give a picture added with ``add_picture`` its text alternative (wp:docPr/@descr).

    Only the description: LibreOffice's tagged PDF joins a title and a description into one
    /Alt ("title - description"), so a title too would have a screen reader say it twice."""
    docpr = inline_shape._inline.docPr
    docpr.set("descr", text)
    docpr.attrib.pop("title", None)


class _DeflatedOnce:
    """zipfile's compressor for one member, which deflates the member's bytes as zlib would (same level,
    raw deflate) unless the same bytes were deflated before: then it gives what they deflated to then,
    which is byte for byte what zlib would give again. The papers of a cycle are made from a dozen
    templates and the same charts: most of what is zipped (a template's 430 KB of styles with effects,
    the charts' pictures) is what an earlier paper zipped, and deflating it again was most of saving."""

    def __init__(self, level):
        self._level, self._chunks = level, []

    def compress(self, data) -> bytes:
        self._chunks.append(bytes(data))
        return b""  # all of it at flush(): zipfile counts the sizes from what each call gives

    def flush(self) -> bytes:
        data = b"".join(self._chunks)
        key = (self._level, data)
        with _deflated_lock:
            deflated = _deflated.get(key)
            if deflated is not None:
                _deflated.move_to_end(key)
                return deflated
        deflater = zlib.compressobj(self._level, zlib.DEFLATED, -15)
        deflated = deflater.compress(data) + deflater.flush()
        with _deflated_lock:
            _deflated[key] = deflated
            global _deflated_bytes
            _deflated_bytes += len(data) + len(deflated)
            while _deflated_bytes > _DEFLATED_LIMIT and _deflated:
                (_, old), old_deflated = _deflated.popitem(last=False)
                _deflated_bytes -= len(old) + len(old_deflated)
        return deflated


#: what was deflated, by (level, bytes): the oldest forgotten past 48 MB
_deflated: OrderedDict[tuple[int, bytes], bytes] = OrderedDict()
_deflated_bytes, _DEFLATED_LIMIT = 0, 48 * 2**20
_deflated_lock, _zipping = threading.Lock(), threading.RLock()  # RLock: a save inside a save stays safe


@contextmanager
def _deflating_once():
    """zipfile deflates through :class:`_DeflatedOnce` meanwhile (the test of ``docx_bytes`` fails if
    zipfile stops asking ``_get_compressor`` for its compressor)."""
    with _zipping:
        plain = zipfile._get_compressor

        def compressor(compress_type, compresslevel=None):
            if compress_type != zipfile.ZIP_DEFLATED:
                return plain(compress_type, compresslevel)
            return _DeflatedOnce(zlib.Z_DEFAULT_COMPRESSION if compresslevel is None else compresslevel)

        zipfile._get_compressor = compressor
        try:
            yield
        finally:
            zipfile._get_compressor = plain


def docx_bytes(doc) -> bytes:
    """The .docx of ``doc`` (python-docx's document, docxtpl's or docxcompose's composer: anything with
    ``save``) as bytes, the same bytes ``doc.save`` writes, the parts an earlier paper had deflated once."""
    buf = io.BytesIO()
    with _deflating_once():
        doc.save(buf)
    return buf.getvalue()
