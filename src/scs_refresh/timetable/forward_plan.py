"""The notice of a key decision of the executive (pure date rules, one per set of regulations).

Adopting the Sustainable Community Strategy is a key decision of the executive and a policy
framework item for Council, so the public must be told in advance that it is to be taken. Which
rule applies depends on the day the decision is to be taken:

- until 9 September 2012, the Local Authorities (Executive Arrangements) (Access to Information)
  (England) Regulations 2000 (SI 2000/3272): a key decision is listed in the forward plan, a plan of
  the key decisions of the four months beginning with the first day of a month, published at least
  14 days before that first day (regulations 13 and 14). The last plan that can list a decision is
  the one beginning on the first day of the decision's month.
- from 10 September 2012, the Local Authorities (Executive Arrangements) (Meetings and Access to
  Information) (England) Regulations 2012 (SI 2012/2089), regulation 9: a notice of the key decision
  published at least 28 clear days before it is made. Clear days leave out the day of publication
  and the day of the decision.

Both are published on a working day: a latest day that falls on a weekend or bank holiday moves
back to the working day before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from scs_refresh.timetable.deadlines import working_day_on_or_before

#: The day the 2012 regulations came into force (regulation 1).
COMMENCED_2012 = date(2012, 9, 10)


def forward_plan_2000(decision: date) -> date:
    """The last day to publish the forward plan listing a key decision taken on ``decision`` (2000 regs,
    regs 13 and 14): 14 days before the first day of the decision's month, on a working day."""
    return working_day_on_or_before(decision.replace(day=1) - timedelta(days=14))


def notice_2012(decision: date) -> date:
    """The last day to publish the notice of a key decision taken on ``decision`` (2012 regs, reg 9):
    28 clear days between publication and decision, so 29 days before it, on a working day."""
    return working_day_on_or_before(decision - timedelta(days=29))


@dataclass(frozen=True)
class Regulations:
    title: str
    rule: str  # what it requires, as the entry cites it
    document: str  # what is published: "forward plan entry" or "notice of key decision"
    latest: Callable[[date], date]


REGULATIONS_2000 = Regulations(
    "the Local Authorities (Executive Arrangements) (Access to Information) (England) Regulations 2000",
    "regulations 13 and 14: a key decision is listed in the forward plan published at least 14 days before the "
    "first day of the month in which it is to be taken",
    "forward plan entry", forward_plan_2000)

REGULATIONS_2012 = Regulations(
    "the Local Authorities (Executive Arrangements) (Meetings and Access to Information) (England) Regulations 2012",
    "regulation 9: a notice of the key decision is published at least 28 clear days before it is made",
    "notice of key decision", notice_2012)


def regulations_for(decision: date) -> Regulations:
    """The regulations in force on the day the decision is to be taken."""
    return REGULATIONS_2012 if decision >= COMMENCED_2012 else REGULATIONS_2000
