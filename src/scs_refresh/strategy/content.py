"""config/scs.yaml: the strategy's vision and, per theme, its vision, priorities and outcomes, typed.

Checked alone when loaded (shape, duplicate theme ids) and against evidence.yaml (theme ids)
and partners.yaml (owners, partners, questions) by :func:`check_against`, which ``scs check``
and ``scs scs-draft`` both run, so a mistake names its line before a draft is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field

from scs_refresh.core.errors import ConfigError
from scs_refresh.timetable.model import Id
from scs_refresh.core.yamlio import parse_model, read_yaml
from scs_refresh.core.model import StrictModel

Text = Annotated[str, Field(min_length=1)]


class Outcome(StrictModel):
    outcome: Text
    owner: Id = Field(description="the partner (partners.yaml id) who leads on it")
    indicator: str | None = Field(None, description="an indicator of the evidence base; its figure is the baseline")


class PartnersSaid(StrictModel):
    questions: list[Id] = Field(min_length=1)
    partners: list[Id] = Field(default_factory=list, description="empty: every partner who answered")


class ThemeStrategy(StrictModel):
    id: Id
    title: Text
    vision: Text
    priorities: list[Text] = Field(min_length=1)
    outcomes: list[Outcome] = Field(min_length=1)
    partners_said: PartnersSaid


class LaunchStep(StrictModel):
    when: Text
    action: Text
    lead: Id = Field(description="the partner (partners.yaml id) who leads it")


class ScsConfig(StrictModel):
    illustrative: bool = False
    title: Text
    period: Text
    charts_per_theme: int = Field(3, ge=1, le=10)
    vision: list[Text] = Field(min_length=1)
    themes: list[ThemeStrategy] = Field(min_length=1)
    launch: list[LaunchStep] = Field(default_factory=list, description="the launch and publicity plan")
    workshop: list[Text] = Field(default_factory=list, description="the questions for the away day workshop")


def load_scs_config(file: Path) -> ScsConfig:
    """Read scs.yaml; a theme id used twice is named at its second use."""
    doc = read_yaml(file)
    cfg = parse_model(doc, ScsConfig)
    seen: set[str] = set()
    problems = []
    for i, t in enumerate(cfg.themes):
        if t.id in seen:
            problems.append(doc.problem(("themes", i, "id"), f"theme id '{t.id}' is used twice"))
        seen.add(t.id)
    if problems:
        raise ConfigError(problems)
    return cfg


def check_against(cfg: ScsConfig, manifest, partners, file: Path) -> None:
    """Theme ids must be evidence.yaml themes; owners, partners and questions must be in partners.yaml."""
    themes = {t.id for t in manifest.themes}
    partner_ids = set(partners.partner)
    questions = {q.id for _, q in partners.questionnaire.numbered}
    found = []
    for i, t in enumerate(cfg.themes):
        if t.id not in themes:
            found.append((("themes", i, "id"), f"no theme '{t.id}' in evidence.yaml (themes: {', '.join(sorted(themes))})"))
        for k, o in enumerate(t.outcomes):
            if o.owner not in partner_ids:
                found.append((("themes", i, "outcomes", k, "owner"), f"no partner '{o.owner}' in partners.yaml"))
        for k, p in enumerate(t.partners_said.partners):
            if p not in partner_ids:
                found.append((("themes", i, "partners_said", "partners", k), f"no partner '{p}' in partners.yaml"))
        for k, q in enumerate(t.partners_said.questions):
            if q not in questions:
                found.append((("themes", i, "partners_said", "questions", k),
                              f"no question '{q}' in the partners.yaml questionnaire (questions: {', '.join(sorted(questions))})"))
    for k, step in enumerate(cfg.launch):
        if step.lead not in partner_ids:
            found.append((("launch", k, "lead"), f"no partner '{step.lead}' in partners.yaml"))
    if found:  # the file is read again only to say on which line each problem is
        doc = read_yaml(file)
        raise ConfigError([doc.problem(path, msg) for path, msg in found])
