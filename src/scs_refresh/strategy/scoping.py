"""The scoping stage's own record (seed 000, 4.3.3): the review and project team, and the
review of the current Sustainable Community Strategy against its five questions.

Each question is answered from what the cycle knows on the day: partners' questionnaire
answers (quoted literally, attributed) and the evidence digest's headlines. Where nothing is
known yet the document says so, rather than leaving a blank.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from scs_refresh.timetable.model import Timetable

#: The seed's five questions for the review of the current SCS, and the questionnaire answers
#: (by question id in partners.yaml) that speak to each.
QUESTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("What is still relevant?", ("scs-still-relevant",)),
    ("What needs updating?", ("priorities",)),
    ("What gaps/barriers exist?", ("gaps-barriers",)),
    ("What has been the focus?", ("projects", "strategies")),
    ("Local Spending Review - implications for future?", ("spending-review", "commitment")),
)


def review_team(tt: Timetable) -> list[str]:
    """The review and project team the timetable's scoping stage lists (activity ``review-team``)."""
    for stage in tt.stages:
        for activity in stage.activities:
            if activity.id == "review-team":
                return list(activity.detail)
    return []


def scoping_record(tt: Timetable, on: date, partners, responses: Mapping, digest=None) -> str:
    """The scoping record as markdown: team, then each review question with what is known."""
    names = {p.id: p.name for p in partners.partners} if partners else {}
    lines = ["# Scoping: review of the current Sustainable Community Strategy", "",
             f"{tt.cycle.partnership}, as at {on:%d %B %Y}. Source: the Board report of 7 October 2010, 4.3.3.", "",
             "## Review and project team", ""]
    lines += [f"- {member}" for member in review_team(tt)] or ["- (no review team listed in the timetable)"]
    if partners:
        returned = sum(1 for pid in responses if pid in names)
        lines += ["", "## Partner questionnaire", "",
                  f"{returned} of {len(names)} partners had returned the questionnaire by {on:%d %B %Y}."]
    lines += ["", "## Review of the current SCS", ""]
    for question, ids in QUESTIONS:
        lines += [f"### {question}", ""]
        said = [(names.get(pid, pid), q, r.answers[q]) for pid, r in sorted(responses.items())
                for q in ids if r.answers.get(q, "").strip()]
        lines += [f"- {who} ({q}): \"{text}\"" for who, q, text in said] or [
            f"- No partner has answered this yet ({len(responses)} of {len(names)} questionnaires returned)."]
        lines.append("")
    if digest is not None:
        lines += ["## What the evidence shows", ""]
        for theme in digest.themes:
            if theme.headlines:
                h = theme.headlines[0]
                lines.append(f"- {theme.title}: {h.text} Source: {h.source_title}.")
        if digest.awaited:
            lines.append("- Not yet published, so not quoted: " + "; ".join(a.text for a in digest.awaited) + ".")
        lines.append("")
    return "\n".join(lines)
