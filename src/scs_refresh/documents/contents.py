"""Page numbers for a contents list, worked out from the document as LibreOffice lays it out.

A Word TOC field shows page numbers only once someone updates it, and a PDF made without that
shows none. Instead the document is rendered to PDF, each heading is found on the page it starts
on, and the numbers are written into the contents as plain text (the document is then rendered
again with them: the contents list keeps its length, so the pages do not move).
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from scs_refresh.documents.pdf import to_pdf

_SPACE = re.compile(r"\s+")


def _flat(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def heading_pages(page_texts: Sequence[str], headings: Sequence[str], after: str = "Contents") -> dict[str, int]:
    """Each heading's page (1-based): the first page after the one holding ``after`` (the contents list
    itself, which names every heading too) on which the heading's words appear in that order."""
    pages = [_flat(t) for t in page_texts]
    start = next((i + 1 for i, t in enumerate(pages) if after in t), 0)
    found = {}
    for heading in headings:
        want = _flat(heading)
        page = next((i for i in range(start, len(pages)) if want in pages[i]), None)
        if page is not None:
            found[heading] = page + 1
            start = page  # headings come in order: the next is on this page or later
    return found


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page of ``pdf`` (poppler's pdftotext, pages split at form feeds)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")


def pages_of(docx: Path, headings: Sequence[str]) -> dict[str, int]:
    """The page each heading of ``docx`` starts on, as LibreOffice lays the document out."""
    with tempfile.TemporaryDirectory(prefix="scs-contents-") as tmp:
        (pdf,) = to_pdf([docx], Path(tmp))
        return heading_pages(pdf_pages(pdf), headings)
