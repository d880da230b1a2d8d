"""Releasing a document: a paper leaves the building only after it passes the checks, and a
pack is its papers merged with continuous page numbers, checked again as one document."""

from __future__ import annotations

import io
from pathlib import Path

import docx
from docxcompose.composer import Composer

from scs_refresh.core.atomic import write_bytes
from scs_refresh.core.errors import UserError
from scs_refresh.documents.accessibility import check_docx, literal_strings


class PaperCheckFailed(UserError):
    """A generated paper failed the accessibility or safety checks and was not released."""


def release(path: Path, context: dict) -> Path:
    """Refuse a paper that fails the checks: move it aside so it is never sent by mistake."""
    problems = check_docx(path, literal_strings(context))
    if problems:
        rejected = path.with_suffix(".rejected.docx")
        path.replace(rejected)
        raise PaperCheckFailed(f"{path}: not released, it fails the accessibility checks: {problems[0]}"
                               + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    return path


def compose_pack(parts: list[Path], out: Path, title: str) -> Path:
    """Merge ``parts`` (the agenda first) into one .docx, each part on a new page.

    Page numbers run on through the pack because the parts share one footer with a PAGE
    field and no part restarts numbering.
    """
    master = docx.Document(str(parts[0]))
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
