"""Exempt information: the paragraphs of Part 1 of Schedule 12A to the Local Government Act 1972.

A paper is exempt only under one of these paragraphs (as substituted for England by the Local
Government (Access to Information) (Variation) Order 2006, SI 2006/88). The paper, the agenda's
resolution to exclude the press and public, and `scs check` all name the paragraph by number.
"""

from __future__ import annotations

#: Paragraph number -> the category of information, in the Schedule's words.
PARAGRAPHS: dict[int, str] = {
    1: "information relating to any individual",
    2: "information which is likely to reveal the identity of an individual",
    3: "information relating to the financial or business affairs of any particular person "
       "(including the authority holding that information)",
    4: "information relating to any consultations or negotiations, or contemplated consultations or "
       "negotiations, in connection with any labour relations matter arising between the authority or "
       "a Minister of the Crown and employees of, or office holders under, the authority",
    5: "information in respect of which a claim to legal professional privilege could be maintained "
       "in legal proceedings",
    6: "information which reveals that the authority proposes to give under any enactment a notice by "
       "virtue of which requirements are imposed on a person, or to make an order or direction under "
       "any enactment",
    7: "information relating to any action taken or to be taken in connection with the prevention, "
       "investigation or prosecution of crime",
}


def citation(paragraph: int) -> str:
    """'paragraph 3 of Part 1 of Schedule 12A to the Local Government Act 1972' — how papers cite it."""
    return f"paragraph {paragraph} of Part 1 of Schedule 12A to the Local Government Act 1972"


def described(paragraph: int) -> str:
    """The citation with the category of information, for the agenda's exempt item."""
    return f"{citation(paragraph)} ({PARAGRAPHS[paragraph]})"
