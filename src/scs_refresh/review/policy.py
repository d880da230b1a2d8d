"""Breckland Council Partnership Policy (shared/seeds/002), Appendices B and C, transcribed.

Appendix B (seed 002, lines ~573-690) gives each risk and value criterion a High, Medium
and Low description. The wording below is the policy's own, so a report can quote the
description that applies as the reason for each rating. The policy says the criteria
"should be used for guidance only", which is why an officer may override an overall rating
(with a recorded reason, see :mod:`.register`).

Only one criterion is quantified: the Council's resource contribution (over £100k High,
£50k to £100k Medium, under £50k Low). The others are the officer's judgement, recorded
per criterion in the register.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum


class Rating(str, Enum):
    HIGH = "High"
    MEDIUM = "Medium"
    LOW = "Low"

    @property
    def rank(self) -> int:
        return {"Low": 0, "Medium": 1, "High": 2}[self.value]


@dataclass(frozen=True)
class Criterion:
    """One row of an Appendix B table: what it is about and its three descriptions."""

    key: str
    topic: str
    high: str
    medium: str
    low: str

    def wording(self, rating: Rating) -> str:
        return {Rating.HIGH: self.high, Rating.MEDIUM: self.medium, Rating.LOW: self.low}[rating]


#: Appendix B, "Partnership Risk Assessment" (seed 002), in the policy's order.
RISK_CRITERIA: tuple[Criterion, ...] = (
    Criterion("resources", "Council resource contribution",
              "Council resource contribution greater than £100k",
              "Council resource contribution between £50k and £100k",
              "Council resource contribution less than £50k"),
    Criterion("time", "Time resource commitment",
              "Considerable time resource commitment from Council",
              "Moderate time resource commitment",
              "Minimal time resource commitment"),
    Criterion("fallout", "Fallout if the partnership fails",
              "Medium to long term problems/fallout if partnership fails",
              "Short term problems/fallout if partnership fails",
              "Inconvenience if partnership fails"),
    Criterion("priorities", "Impact on Council priorities",
              "Partnership has a critical impact on the achievement of Council priorities",
              "Partnership has a moderate impact on the achievement of Council priorities",
              "Partnership does not impact in a material way on the achievement of Council priorities"),
    Criterion("reputation", "Reputation impact",
              "Serious reputation impact (sub-regional / national)",
              "Moderate reputation impact (local impact)",
              "Minimal reputation impact"),
    Criterion("administration", "Importance for the administration",
              "Significant importance for the administration",
              "Moderate importance for the administration",
              "Little or no importance to the administration"),
)

#: Appendix B, "Partnership Value Assessment" (seed 002), in the policy's order.
VALUE_CRITERIA: tuple[Criterion, ...] = (
    Criterion("corporate_plan", "Contribution to the Corporate Plan",
              "Significant contribution to delivering the Corporate Plan",
              "Moderate contribution to delivering the Corporate Plan",
              "Little contribution to delivering the Corporate Plan"),
    Criterion("cost", "Cost of service delivery",
              "Significantly reduced costs of service delivery",
              "Some reduction in the cost of service delivery",
              "Does not reduce cost of service delivery"),
    Criterion("funding", "Access to external funding",
              "Provides significant opportunity to access external funding",
              "Provides some opportunity to access external funding",
              "Provides little or no opportunity to access external funding"),
    Criterion("reputation", "Council's reputation",
              "Significantly enhances Councils reputation",
              "Moderately enhances Councils reputation",
              "Little enhancement to Councils reputation"),
    Criterion("service_delivery", "Service delivery",
              "Significantly improves service delivery",
              "Moderately improves service delivery",
              "Minimal improvement to service delivery"),
    Criterion("resilience", "Service resilience",
              "Significantly improves service resilience",
              "Moderately improves service resilience",
              "Minimal improvement to service resilience"),
    Criterion("influence", "Influence on decisions and policy",
              "Key to influencing sub-regional and local decision making and policy development",
              "Key to influencing local decision-making and policy development",
              "Minimal influence on decision-making and policy development"),
    Criterion("statutory", "Support for a statutory function",
              "Significantly supports the delivery of a statutory function",
              "Moderately supports the delivery of a statutory function",
              "Does not support the delivery of a statutory function"),
    Criterion("benefit", "Benefit against investment",
              "Benefit to the Council exceeds investment of resources (time/money)",
              "Investment of resources (time/money) commensurate with benefit to the Council",
              "Investment of resources (time/money) exceeds benefit to the Council"),
)

#: Risk criteria the officer judges (the resource contribution is worked out from the £ figure).
JUDGED_RISK = tuple(c for c in RISK_CRITERIA if c.key != "resources")

#: Appendix B money thresholds: "greater than £100k" is High; "between £50k and £100k"
#: (both ends included) Medium; "less than £50k" Low.
HIGH_ABOVE = Decimal(100_000)
MEDIUM_FROM = Decimal(50_000)


def resources_rating(contribution: Decimal) -> Rating:
    """The resource-contribution criterion from the Council's budget contribution in pounds."""
    if contribution > HIGH_ABOVE:
        return Rating.HIGH
    if contribution >= MEDIUM_FROM:
        return Rating.MEDIUM
    return Rating.LOW


#: The policy gives no rule for combining criteria into the overall rating. Ours: the level
#: most criteria fall at; when two levels tie, risk takes the higher and value the lower,
#: so a split judgement errs on the side of caution. Shown in every report.
OVERALL_RULE = ("the level most criteria fall at; on a tie, the higher level for risk and "
                "the lower level for value (the Partnership Policy gives no combining rule)")


def overall(ratings: list[Rating], *, prefer_higher: bool) -> Rating:
    """Combine criterion ratings by :data:`OVERALL_RULE`."""
    counts = Counter(ratings)
    top = max(counts.values())
    tied = [r for r in counts if counts[r] == top]
    return (max if prefer_higher else min)(tied, key=lambda r: r.rank)


@dataclass(frozen=True)
class Question:
    key: str
    heading: str
    text: str


#: Appendix C, "Questions for Assessing Partnerships" (seed 002), in the policy's order.
QUESTIONS: tuple[Question, ...] = tuple(Question(k, h, t) for h, k, t in (
    ("Governance", "structure", "What is the structure of the partnership/committee?"),
    ("Governance", "decision_making", "Who has decision making power?"),
    ("Governance", "bc_representation", "Who represents BC at each level?"),
    ("Governance", "powers", "What power does each person have?"),
    ("Governance", "other_authorities", "What are the other authorities involved?"),
    ("Governance", "feedback", "How does the information feed back to the Council?"),
    ("Governance", "meeting_frequency", "How often does the partnership meet?"),
    ("Officer resources", "officers", "Which Officers from the Council are involved?"),
    ("Officer resources", "time", "How much time does this partnership take? (hours per week)"),
    ("Officer resources", "officer_role", "What is their role within the partnership?"),
    ("Finance", "contribution", "Does BC make a financial contribution?"),
    ("Finance", "budget", "Which budget is this from?"),
    ("Finance", "one_off_or_annual", "Is this a one-off or annual payment?"),
    ("Finance", "other_contributors", "Who else contributes?"),
    ("Finance", "funding_received", "Do we receive funding through being in the partnership?"),
    ("Finance", "spent_on", "What is the money spent on?"),
    ("Effectiveness", "effective", "Is this partnership effective? Why?"),
    ("Effectiveness", "more_effective", "How could we make this partnership more effective?"),
    ("Effectiveness", "aims", "What is the partnership trying to achieve?"),
    ("Effectiveness", "achieving", "Is it achieving this?"),
    ("Effectiveness", "bc_help", "Can BC help to make it better?"),
    ("Importance", "important", "Is this partnership important to us? Why?"),
    ("Importance", "corporate_priority", "How is the partnership linked to the Corporate Priority?"),
    ("Importance", "employs", "Does the partnership employ anyone?"),
    ("Importance", "political_agendas",
     "Are there any emerging strategic political agendas that this partnership can help with?"),
))
QUESTION = {q.key: q for q in QUESTIONS}
