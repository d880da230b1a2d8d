"""Tables that hold together on the page: every column wide enough for its longest word, so no
word is broken across lines ("Constabula / ry"), and dates never split at their hyphens.

Widths are measured with Arial's metrics (Helvetica's, which Arial and Liberation Sans share):
the papers are set in Arial, and LibreOffice sets them in the metric-compatible Liberation Sans.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Advance widths of the printable ASCII characters (32 to 126) in 1/1000 em.
_REGULAR = [int(w) for w in """
278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 556 278 278
584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 556 833 722 778 667 778 722 667 611 722 667 944
667 667 611 278 278 278 469 556 333 556 556 500 556 556 278 556 556 222 222 500 222 833 556 556 556 556 333 500
278 556 500 722 500 500 500 334 260 334 584""".split()]
_BOLD = [int(w) for w in """
278 333 474 556 556 889 722 238 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 556 333 333
584 584 584 611 975 722 722 722 722 667 611 778 722 278 556 722 611 833 722 778 667 778 722 667 611 722 667 944
667 667 611 333 278 333 584 556 333 556 611 556 611 556 333 611 611 278 278 556 278 889 611 611 611 611 389 556
333 611 556 778 556 556 500 389 280 389 584""".split()]
_OTHER = 1000  # a character outside ASCII: as wide as the widest, so it always fits
_HYPHEN = 333

#: Table Grid's cell margins (108 twips left and right), and a millimetre to spare for rounding.
CELL_PADDING_MM = 2 * 108 / 1440 * 25.4 + 1.0
#: The smallest size a table's text is set in to make its words fit (below it, words may break).
SMALLEST_PT = 9.0
#: A "word" wider than this share of the table is a code or a file name, not a word: it is left to
#: break where it must rather than take a column of its own.
LONGEST_SHARE = 0.45

#: A hyphen between digits (2010-10-15, 2009-10): a line may not break there.
DATE_HYPHEN = re.compile(r"(?<=\d)-(?=\d)")
#: A file name with underscores (place_survey_2008.csv): a line may break after an underscore.
FILE_NAME = re.compile(r"\b[\w-]+(?:_[\w-]+)+\.[A-Za-z0-9]{2,5}\b")
ZERO_WIDTH_SPACE = "\u200b"


def breakable_file_names(text: str) -> str:
    """``text`` with a zero-width space after each underscore of a file name (nowhere else)."""
    return FILE_NAME.sub(lambda m: m.group(0).replace("_", "_" + ZERO_WIDTH_SPACE), text)
_NO_BREAK_HYPHEN = "\u2011"


def text_width_mm(text: str, size_pt: float, bold: bool = False) -> float:
    """How wide ``text`` is set in Arial at ``size_pt``, in millimetres."""
    widths = _BOLD if bold else _REGULAR
    units = 0
    for ch in text:
        code = ord(ch)
        units += widths[code - 32] if 32 <= code <= 126 else _HYPHEN if ch == _NO_BREAK_HYPHEN else _OTHER
    return units / 1000 * size_pt * 25.4 / 72


def words(text: str) -> list[str]:
    """The pieces a line may not be broken inside: split at spaces, after a hyphen (except a
    hyphen between digits: a date or a year range) and after an underscore of a file name
    (:func:`breakable_file_names` marks the place)."""
    kept = breakable_file_names(DATE_HYPHEN.sub(_NO_BREAK_HYPHEN, text))
    return [w for w in re.split(r"\s+|(?<=-)|" + ZERO_WIDTH_SPACE, kept) if w]


def fit_columns(header: Sequence[str], rows: Sequence[Sequence[str]], widths_mm: Sequence[float],
                size_pt: float) -> list[float] | None:
    """Column widths summing to ``sum(widths_mm)`` in which every column holds its longest word at
    ``size_pt`` (the header in bold); as close to ``widths_mm`` as that allows. None if the words
    cannot all fit at that size. A "word" wider than :data:`LONGEST_SHARE` of the table is not
    counted (a long file name breaks after its underscores, or where it must)."""
    total = sum(widths_mm)
    cap = LONGEST_SHARE * total
    need = []
    for i in range(len(widths_mm)):
        cells = [(str(header[i]), True)] + [(str(row[i]), False) for row in rows if i < len(row) and row[i] is not None]
        longest = max((w for text, bold in cells for w in (text_width_mm(x, size_pt, bold) for x in words(text))
                       if w <= cap), default=0.0)
        need.append(longest + CELL_PADDING_MM)
    if sum(need) > total + 1e-9:
        return None
    short = [max(0.0, n - w) for n, w in zip(need, widths_mm)]
    deficit = sum(short)
    if deficit == 0:
        return list(widths_mm)
    room = [max(0.0, w - n) for n, w in zip(need, widths_mm)]
    return [n if s > 0 else w - deficit * r / sum(room) for n, w, s, r in zip(need, widths_mm, short, room)]


def layout(header: Sequence[str], rows: Sequence[Sequence[str]], widths_mm: Sequence[float],
           size_pt: float) -> tuple[list[float], float]:
    """Column widths and a text size at which no word of the table is broken: ``size_pt`` if the
    words fit at it, else the largest half-point size down to :data:`SMALLEST_PT` at which they do
    (at the smallest, the widths as fitted as they can be)."""
    size = size_pt
    while True:
        fitted = fit_columns(header, rows, widths_mm, size)
        if fitted is not None or size - 0.5 < SMALLEST_PT:
            return (fitted or list(widths_mm)), size
        size -= 0.5
