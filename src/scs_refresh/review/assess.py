"""Apply the Appendix B criteria to each partnership in the register (pure functions).

Every rating carries its reason: the policy's wording for the level chosen, plus the figure
it came from where there is one. An officer's override is shown beside the criteria's rating,
never instead of it. Two flags follow the policy: Low value with High risk makes a candidate
for an exit strategy ("the risk of remaining in the partnership outweighs the benefits"), and
the register is "reviewed at a minimum of every year", so no review in the year to ``on`` is flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pendulum

from scs_refresh.review.policy import JUDGED_RISK, RISK_CRITERIA, VALUE_CRITERIA, Criterion, Rating, overall, resources_rating
from scs_refresh.review.register import Override, Partnership, Register


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    rating: Rating
    reason: str


@dataclass(frozen=True)
class Overall:
    criteria: Rating  # what the criteria give under policy.OVERALL_RULE
    override: Override | None

    @property
    def final(self) -> Rating:
        return self.override.rating if self.override else self.criteria

    @property
    def overridden(self) -> bool:
        return self.override is not None and self.override.rating != self.criteria


@dataclass(frozen=True)
class Assessment:
    partnership: Partnership
    risk_criteria: tuple[CriterionResult, ...]
    value_criteria: tuple[CriterionResult, ...]
    risk: Overall
    value: Overall
    review_due: bool  # no review recorded in the year up to ``on``

    @property
    def exit_candidate(self) -> bool:
        return self.value.final is Rating.LOW and self.risk.final is Rating.HIGH

    @property
    def flags(self) -> list[str]:
        out = []
        if self.exit_candidate:
            out.append("exit strategy candidate (Low value, High risk)")
        if self.review_due:
            last = self.partnership.last_reviewed
            out.append("no review in the last year" + (f" (last {last:%d %b %Y})" if last else " (none recorded)"))
        for kind, o in (("risk", self.risk), ("value", self.value)):
            if o.overridden:
                out.append(f"{kind} overridden: {o.criteria.value} by the criteria, {o.final.value} by the officer")
        return out


def money_text(amount) -> str:
    """Pounds as the register shows them: £45,000, or £12,500.50 when there are pence."""
    return f"£{amount:,.0f}" if amount == amount.to_integral() else f"£{amount:,.2f}"


def risk_criteria(p: Partnership) -> tuple[CriterionResult, ...]:
    res = resources_rating(p.budget_contribution)
    resources = CriterionResult(RISK_CRITERIA[0], res,
                                f"{money_text(p.budget_contribution)} a year: {RISK_CRITERIA[0].wording(res)}")
    judged = tuple(CriterionResult(c, getattr(p.risk, c.key), c.wording(getattr(p.risk, c.key)))
                   for c in JUDGED_RISK)
    return (resources, *judged)


def value_criteria(p: Partnership) -> tuple[CriterionResult, ...]:
    return tuple(CriterionResult(c, getattr(p.value, c.key), c.wording(getattr(p.value, c.key)))
                 for c in VALUE_CRITERIA)


def review_due(last_reviewed: date | None, on: date) -> bool:
    """True unless a review is recorded on a day from one year before ``on`` up to ``on``."""
    if last_reviewed is None:
        return True
    year_before = pendulum.Date(on.year, on.month, on.day).subtract(years=1)
    return not (year_before <= last_reviewed <= on)


def assess(p: Partnership, on: date) -> Assessment:
    risks, values = risk_criteria(p), value_criteria(p)
    return Assessment(
        partnership=p, risk_criteria=risks, value_criteria=values,
        risk=Overall(overall([r.rating for r in risks], prefer_higher=True), p.risk_override),
        value=Overall(overall([r.rating for r in values], prefer_higher=False), p.value_override),
        review_due=review_due(p.last_reviewed, on))


def assess_register(register: Register, on: date) -> list[Assessment]:
    return [assess(p, on) for p in register.partnerships]
