"""Checks every generated paper must pass before it is released.

Public Sector Bodies (Websites and Mobile Applications) Accessibility Regulations 2018
(WCAG 2.1 AA): a document title, headings in order, a text alternative on every image, a
marked header row on every table, no merged header cells. We also refuse any text that
still looks like a template tag, which would mean a field was never filled in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
_TAG = re.compile(r"\{\{|\}\}|\{%|%\}")
_HEADING = re.compile(r"^(Heading (\d)|Title)$")


def check_docx(path: Path, literals: Iterable[str] = ()) -> list[str]:
    """Every accessibility problem in the .docx at ``path``, each as a sentence (empty = pass).

    ``literals`` are values the paper quotes (e.g. partner answers): tag-like text inside
    them is content, not a forgotten field. :func:`literal_strings` collects them from a context.
    """
    import docx

    doc = docx.Document(str(path))
    problems: list[str] = []
    if not (doc.core_properties.title or "").strip():
        problems.append("the document has no title (File > Properties > Title)")

    level = 0
    for p in doc.paragraphs:
        m = _HEADING.match(p.style.name if p.style is not None else "")
        if m:
            new = 1 if m.group(1) == "Title" else int(m.group(2))
            if new > level + 1:
                problems.append(f"heading '{p.text[:60]}' jumps from level {level} to {new}")
            level = new

    for i, docpr in enumerate(doc.element.body.iter(f"{WP}docPr"), 1):
        if not (docpr.get("descr") or "").strip():
            problems.append(f"image {i} ('{docpr.get('name', '')}') has no alternative text")

    for i, table in enumerate(doc.tables, 1):
        rows = table._tbl.findall(f"{W}tr")
        if not rows:
            continue
        first = rows[0]
        trpr = first.find(f"{W}trPr")
        if trpr is None or trpr.find(f"{W}tblHeader") is None:
            problems.append(f"table {i} has no header row marked (repeat as header row)")
        if first.find(f".//{W}gridSpan") is not None or first.find(f".//{W}vMerge") is not None:
            problems.append(f"table {i} has merged cells in its header row")

    texts = [p.text for p in doc.paragraphs] + [
        c.text for t in doc.tables for r in t.rows for c in r.cells]
    quoted = sorted({q for q in literals if _TAG.search(q)}, key=len, reverse=True)
    for t in texts:
        for q in quoted:
            t = t.replace(q, "")
        if _TAG.search(t):
            problems.append(f"text still looks like a template tag: '{t.strip()[:60]}'")
            break
    return problems


def literal_strings(value: Any) -> Iterator[str]:
    """Every string inside a render context (dicts, lists, dataclasses, pydantic models)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from literal_strings(v)
    elif isinstance(value, (list, tuple, set)):
        for v in value:
            yield from literal_strings(v)
    elif hasattr(value, "model_dump"):
        yield from literal_strings(value.model_dump())
    elif is_dataclass(value) and not isinstance(value, type):
        yield from literal_strings(asdict(value))
