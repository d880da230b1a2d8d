"""What a committee can decide on the Strategy (the Board report of 7 October 2010, 4.3.6):
the one vocabulary the store, the papers, the demo and the Prefect UI share."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    APPROVED = "approved"
    APPROVED_WITH_AMENDMENTS = "approved_with_amendments"
    DEFERRED = "deferred"
    REJECTED = "rejected"


#: the outcomes that let the approval chain go on to its next step
APPROVING = (Outcome.APPROVED, Outcome.APPROVED_WITH_AMENDMENTS)
#: every outcome, in the order the officer's help lists them
OUTCOMES = tuple(o.value for o in Outcome)
