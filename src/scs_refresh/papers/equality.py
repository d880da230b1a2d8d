"""config/equality.yaml: the equality impact assessment screening of the Strategy, as the officer
records it (the groups considered, the likely impact on each, the evidence, the mitigation, and
whether a full assessment is needed). The committees' reports cite it only once it exists: a
screening carried out after the day a report is written is not claimed by that report."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import Field

from scs_refresh.core.model import StrictModel
from scs_refresh.core.yamlio import load_model
from scs_refresh.documents.render import TableData
from scs_refresh.timetable.model import Day

FILE_NAME = "equality.yaml"

Impact = Literal["positive", "neutral", "negative", "not known"]


class GroupImpact(StrictModel):
    group: str = Field(min_length=1, description="the protected characteristic or group considered")
    impact: Impact
    evidence: str = Field(min_length=1)
    mitigation: str = "None needed."


class EqualityScreening(StrictModel):
    title: str = Field(min_length=1)
    screened_by: str = Field(min_length=1)
    screened_on: Day
    summary: str = Field(min_length=1)
    groups: list[GroupImpact] = Field(min_length=1)
    full_assessment_needed: bool
    reason: str = Field(min_length=1, description="why a full assessment is or is not needed")

    def done_by(self, on: date) -> bool:
        """Whether the screening had been carried out by ``on``."""
        return self.screened_on <= on

    def table(self) -> TableData:
        return TableData(["Group", "Likely impact", "Evidence", "Mitigation"],
                         [[g.group, g.impact.capitalize(), g.evidence, g.mitigation] for g in self.groups], [34, 22, 64, 50])


def load_equality(file: Path) -> EqualityScreening:
    return load_model(file, EqualityScreening)
