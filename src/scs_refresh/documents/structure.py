"""The parts every paper is made of: numbered paragraphs, subsections with their tables and
figures, annexes. Plain data that the templates render; nothing here touches Word."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from scs_refresh.documents.render import Figure, TableData


@dataclass(frozen=True)
class Para:
    number: str
    text: str


@dataclass(frozen=True)
class Subsection:
    title: str
    paragraphs: list[str]
    table: TableData | None = None
    figures: list[tuple[Figure, str]] = field(default_factory=list)  # (figure, caption)


@dataclass(frozen=True)
class Annex:
    title: str
    intro: str
    table: TableData


def numbered(prefix: str, texts: Sequence[str]) -> list[Para]:
    """Number paragraphs as the seed does: 1.1, 1.2 ... (or 4.2.1, 4.2.2 ... under 4.2)."""
    return [Para(f"{prefix}.{i}", t) for i, t in enumerate(texts, 1)]


def numbered_subsections(subs: Sequence[Subsection], section: int, start: int = 1) -> list[dict]:
    """Subsections as the templates' ``subsections`` block renders them: 4.1 TITLE, paragraphs 4.1.1 ..."""
    out = []
    for i, sub in enumerate(subs, start):
        number = f"{section}.{i}"
        out.append({"number": number, "title": sub.title, "paragraphs": numbered(number, sub.paragraphs),
                    "table": sub.table, "figures": [{"image": f, "caption": c} for f, c in sub.figures]})
    return out
