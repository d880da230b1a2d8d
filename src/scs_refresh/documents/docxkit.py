"""python-docx helpers for what it has no API for: A4 pages, table header rows, alt text."""

from __future__ import annotations

from docx.document import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.table import Table

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


def set_alt_text(inline_shape, text: str) -> None:
    """Give a picture added with ``add_picture`` its text alternative (wp:docPr/@descr)."""
    docpr = inline_shape._inline.docPr
    docpr.set("descr", text)
    docpr.set("title", text[:100])
