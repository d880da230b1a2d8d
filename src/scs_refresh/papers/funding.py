"""config/funding_allocations.yaml: the Partnership funding the officer proposes to allocate, per theme,
partner and project, for the exempt paper to the Board (Schedule 12A, paragraph 3: the financial
affairs of particular organisations). Only members see it; nothing public names or quotes it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from pydantic import Field

from scs_refresh.core.model import StrictModel
from scs_refresh.core.yamlio import load_model
from scs_refresh.documents.render import TableData

FILE_NAME = "funding_allocations.yaml"


class Allocation(StrictModel):
    theme: str = Field(min_length=1)
    partner: str = Field(min_length=1)
    project: str = Field(min_length=1)
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2, description="pounds sterling")


class FundingAllocations(StrictModel):
    year: str = Field(min_length=1, description="the financial year, e.g. 2011/12")
    allocations: list[Allocation] = Field(min_length=1)

    def themes(self) -> dict[str, list[Allocation]]:
        """The allocations grouped by theme, in the order the file first names each theme."""
        out: dict[str, list[Allocation]] = {}
        for a in self.allocations:
            out.setdefault(a.theme, []).append(a)
        return out

    def total(self) -> Decimal:
        return sum((a.amount for a in self.allocations), Decimal(0))


def pounds(amount: Decimal) -> str:
    """£12,500 or £12,500.50: whole pounds without pence."""
    return f"£{amount:,.0f}" if amount == amount.to_integral_value() else f"£{amount:,.2f}"


def table(funding: FundingAllocations) -> TableData:
    """One row per project, each theme followed by its total, then the total of all allocations."""
    rows = []
    for theme, items in funding.themes().items():
        rows += [[theme, a.partner, a.project, pounds(a.amount)] for a in items]
        rows.append([f"Total: {theme}", "", "", pounds(sum((a.amount for a in items), Decimal(0)))])
    rows.append([f"Total allocated {funding.year}", "", "", pounds(funding.total())])
    return TableData(["Theme", "Partner", "Project", "Amount"], rows, [40, 42, 62, 26])


def load_funding(file: Path) -> FundingAllocations:
    return load_model(file, FundingAllocations)
