"""config/papers.yaml: the wording of each kind of report and the agenda settings, typed."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field

from scs_refresh.core.errors import ConfigError
from scs_refresh.core.yamlio import load_model
from scs_refresh.core.errors import Problem
from scs_refresh.core.model import StrictModel

#: What a piece of wording may say in braces; filled in per meeting by the context builder.
PLACEHOLDERS = {"body", "meeting_date", "partnership", "council", "next_meeting", "adoption_date"}


def _known_placeholders(text: str) -> str:
    names = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    unknown = names - PLACEHOLDERS
    if unknown:
        raise ValueError(f"unknown placeholder {{{sorted(unknown)[0]}}} (allowed: "
                         + ", ".join(f"{{{p}}}" for p in sorted(PLACEHOLDERS)) + ")")
    return text


Wording = Annotated[str, AfterValidator(_known_placeholders)]


def _names_exemption(text: str) -> str:
    """The published agenda's line for an exempt item: it may say {exemption}, and nothing else in braces."""
    names = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    if names - {"exemption"}:
        raise ValueError(f"unknown placeholder {{{sorted(names - {'exemption'})[0]}}} (allowed: {{exemption}})")
    return text


class UntilAdopted(StrictModel):
    """A report's wording while it is written before the Strategy is adopted: each part given here
    replaces the report's own (the rest stand)."""

    purpose: list[Wording] | None = Field(None, min_length=1)
    background: list[Wording] | None = None
    recommendations: list[Wording] | None = Field(None, min_length=1)
    reasons: list[Wording] | None = Field(None, min_length=1)


class Purpose(StrictModel):
    purpose: list[Wording] = Field(min_length=1)
    background: list[Wording] = []
    recommendations: list[Wording] = Field(min_length=1)
    reasons: list[Wording] = Field(min_length=1)
    until_adopted: UntilAdopted | None = Field(
        None, description="the wording while the adopting meeting (Full Council) has not yet adopted the Strategy")

    def as_written(self, adopted: bool) -> Purpose:
        """The wording for a paper written after (``adopted``) or before the Strategy was adopted."""
        if adopted or self.until_adopted is None:
            return self
        return self.model_copy(update={k: v for k, v in self.until_adopted if v is not None} | {"until_adopted": None})


class Implication(StrictModel):
    title: str
    text: str


class AgendaItem(StrictModel):
    title: str
    presenter: str
    minutes: int = Field(ge=1, le=480)


class AgendaConfig(StrictModel):
    organisation: str
    default_time: str = Field("10:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    venue: str
    max_minutes: int = Field(120, ge=15)
    exempt_item: Annotated[str, AfterValidator(_names_exemption)] = "Exempt item, not for publication: {exemption}"
    opening: list[AgendaItem] = []
    closing: list[AgendaItem] = []
    paper_minutes: dict[str, int] = {}


class PapersConfig(StrictModel):
    options: list[str] = Field(min_length=1)
    committee_options: list[str] = Field(min_length=1)
    purposes: dict[str, Purpose]
    implications: list[Implication] = []
    agenda: AgendaConfig


def load_papers_config(file: Path) -> PapersConfig:
    return load_model(file, PapersConfig)


def check_against_timetable(cfg: PapersConfig, tt, file: Path) -> None:
    """Every report purpose named in the timetable must have its wording here."""
    problems = [
        Problem(file, f"no wording for purpose '{p.purpose}', used by {e.id} in the timetable", "purposes")
        for e in tt.events for p in e.papers if p.purpose and p.purpose not in cfg.purposes
    ]
    if problems:
        raise ConfigError(problems)
