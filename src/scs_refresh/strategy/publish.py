"""The adopted Strategy published: its Word file, a tagged PDF (when LibreOffice is installed) and
an accessible web page, in the public folder beside the meetings site."""

from __future__ import annotations

from pathlib import Path

from scs_refresh.core.atomic import write_bytes
from scs_refresh.documents.html import to_html
from scs_refresh.documents.pdf import soffice, to_pdf


def publish_strategy(docx: Path, folder: Path, templates: Path) -> Path:
    """Copy the adopted Strategy into ``folder`` with its PDF and web page; return the published .docx."""
    published = write_bytes(Path(folder) / docx.name, docx.read_bytes())
    formats = [published] + (to_pdf([published], folder) if soffice() is not None else [])
    to_html(published, templates / "paper_page.html", folder / "html" / f"{docx.stem}.html", formats)
    return published
