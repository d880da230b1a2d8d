"""The SCS delivery plan (``config/delivery_plan.yaml``) and its scorecard, as pure functions of ``on``.

Seed 003 found "very few reports or discussions about progress on community strategy
priorities" and "few had clear action plans": the refreshed SCS has a delivery plan whose
progress the Board sees. Each SCS priority (an evidence theme) has outcomes with an owner
partner and a due date; each outcome has indicators with a baseline, a target and a
direction. An indicator is either linked to the evidence base (an indicator name and an area
in ``config/evidence.yaml``), or "recorded": its figures are entered by hand with
``scs performance record`` and kept in the state store.

The rating rule (:data:`RULE`, quoted in every output):

- **Green**: the latest figure has reached the target, or it has covered at least as much of
  the planned change (baseline to target) as time has passed by the date of that figure, on a
  straight line from the baseline date to the target date;
- **Amber**: behind that line by no more than the tolerance (``amber_tolerance`` of the
  planned change, 20% unless the plan says otherwise);
- **Red**: further behind than that (including moving the wrong way), or the outcome's due
  date has passed without the target being reached;
- **No data** (grey): no baseline, or no figure newer than the baseline as at ``on``. A missing
  figure is never counted as zero.

Only what was known on ``on`` counts: evidence for periods ending after ``on`` and updates
recorded after ``on`` are left out, so a scorecard for a past date is the one the Board saw.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from scs_refresh.approval.chain import adoption
from scs_refresh.core.dates import day_text
from scs_refresh.core.errors import ConfigError
from scs_refresh.core.yamlio import Path_, parse_iso_date, parse_model, read_yaml
from scs_refresh.core.store import ProgressUpdate
from scs_refresh.evidence.manifest import LoadedManifest
from scs_refresh.partners.register import PartnersConfig
from scs_refresh.core.model import StrictModel
from scs_refresh.timetable.model import Timetable

if TYPE_CHECKING:  # pandas is named in type hints only; `scs performance record` never loads it
    import pandas as pd


FILE_NAME = "delivery_plan.yaml"
DEFAULT_TOLERANCE = 0.2

_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                       "nov", "dec"), 1)}
PERIOD_FORMS = "2010, 2010/11 (financial year), 2006-08 (span of years), mid-2010, Nov 2010 or 2011-03-31"


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def period_end(period: str) -> date | None:
    """The last day a period covers, so figures can be placed in time; None if it cannot be read.

    ``2010`` is the calendar year; ``2010/11`` the financial year to 31 March 2011; ``2006-08``
    a span of calendar years (as health statistics pool years); ``mid-2010`` the ONS mid-year
    (30 June); ``Nov 2010`` a month; ``2011-03-31`` a day.
    """
    text = str(period).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    if m := re.fullmatch(r"(\d{4})", text):
        return date(int(m[1]), 12, 31)
    if m := re.fullmatch(r"(\d{4})/(\d{2}|\d{4})", text):
        start, end = int(m[1]), int(m[2])
        end = end if end > 99 else start // 100 * 100 + end
        return date(end, 3, 31) if end == start + 1 else None
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        start = int(m[1])
        end = start // 100 * 100 + int(m[2])
        return date(end, 12, 31) if end > start else None
    if m := re.fullmatch(r"(?i)mid-(\d{4})", text):
        return date(int(m[1]), 6, 30)
    if m := re.fullmatch(r"(?i)([a-z]{3})[a-z]*\.? (\d{4})", text):
        month = _MONTHS.get(m[1].lower())
        return _month_end(int(m[2]), month) if month else None
    return None


def _period(value: Any) -> str:
    text = str(value).strip()
    if period_end(text) is None:
        raise ValueError(f"'{text}' is not a period this plan can place in time; write it as {PERIOD_FORMS}")
    return text


Period = Annotated[str, BeforeValidator(_period)]
Day = Annotated[date, BeforeValidator(parse_iso_date)]
Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="lower-case letters, digits, hyphens")]
Text = Annotated[str, Field(min_length=1)]


class EvidenceLink(StrictModel):
    """An evidence indicator (its name in evidence.yaml, or in a long-form source's file) for one area."""

    indicator: Text
    area: str | None = Field(None, description="area code; default: the evidence base's focus area")
    source: Id | None = Field(None, description="source id; needed for indicators named inside a file (long form)")


class Recorded(StrictModel):
    """An indicator whose figures are entered by hand (``scs performance record``)."""

    unit: Literal["percent", "count", "rank", "decile", "score", "rate", "years", "pounds"]


class Baseline(StrictModel):
    value: float | None = Field(None, description="leave out to take it from the evidence base")
    period: Period


class Target(StrictModel):
    value: float
    date: Day | None = Field(None, description="default: the outcome's due date")


class Indicator(StrictModel):
    id: Id
    name: Text
    evidence: EvidenceLink | None = None
    recorded: Recorded | None = None
    baseline: Baseline
    target: Target
    direction: Literal["higher", "lower"] = Field(description="which way is better")

    @model_validator(mode="after")
    def _consistent(self) -> Indicator:
        if (self.evidence is None) == (self.recorded is None):
            raise ValueError(f"indicator '{self.id}' needs exactly one of 'evidence' or 'recorded'")
        if self.recorded is not None and self.baseline.value is None:
            raise ValueError(f"indicator '{self.id}' is recorded by hand, so its baseline needs a value")
        if self.baseline.value is not None and not _better(self.target.value, self.baseline.value, self.direction):
            raise ValueError(f"the target {self.target.value:g} is not better than the baseline "
                             f"{self.baseline.value:g} when {self.direction} is better")
        return self


class Outcome(StrictModel):
    id: Id
    title: Text
    owner: Id = Field(description="partner id in partners.yaml")
    due: Day
    indicators: list[Indicator] = Field(min_length=1)

    @model_validator(mode="after")
    def _dates(self) -> Outcome:
        for ind in self.indicators:
            end = period_end(ind.baseline.period)
            when = ind.target.date or self.due
            if when > self.due:
                raise ValueError(f"indicator '{ind.id}': the target date {when} is after the outcome's due date {self.due}")
            if end is not None and when <= end:
                raise ValueError(f"indicator '{ind.id}': the target date {when} is not after the baseline "
                                 f"period {ind.baseline.period} (ends {end})")
        return self

    def target_date(self, ind: Indicator) -> date:
        return ind.target.date or self.due


class Priority(StrictModel):
    theme: Id = Field(description="theme id in evidence.yaml")
    title: str = ""
    outcomes: list[Outcome] = Field(min_length=1)


class DeliveryPlan(StrictModel):
    illustrative: bool = False
    source: str = ""
    amber_tolerance: float = Field(DEFAULT_TOLERANCE, gt=0, lt=1, description="share of the planned change")
    priorities: list[Priority] = Field(min_length=1)

    @field_validator("priorities")
    @classmethod
    def _unique(cls, v: list[Priority]) -> list[Priority]:
        seen: set[str] = set()
        for p in v:
            for o in p.outcomes:
                for key in [f"outcome '{o.id}'"] + [f"indicator '{i.id}'" for i in o.indicators]:
                    if key in seen:
                        raise ValueError(f"the {key} is used twice; ids must be unique in the plan")
                    seen.add(key)
        return v

    def indicators(self) -> Iterable[tuple[Priority, Outcome, Indicator]]:
        for p in self.priorities:
            for o in p.outcomes:
                for i in o.indicators:
                    yield p, o, i

    def indicator(self, indicator_id: str) -> Indicator | None:
        return next((i for _, _, i in self.indicators() if i.id == indicator_id), None)


class LoadedPlan(DeliveryPlan):
    """The plan plus where it was read from, so a later cross-file check can give line numbers."""

    file: Path


def _better(a: float, b: float, direction: str) -> bool:
    return a > b if direction == "higher" else a < b


def load_delivery_plan(file: Path) -> LoadedPlan:
    """Read and validate ``delivery_plan.yaml`` on its own (see :func:`check_plan` for the other files)."""
    plan = parse_model(read_yaml(file), DeliveryPlan)
    return LoadedPlan.model_validate({**plan.model_dump(), "file": Path(file)})


def check_plan(plan: LoadedPlan, manifest: LoadedManifest, partners: PartnersConfig) -> None:
    """What the plan refers to in other files must exist: themes and indicators in evidence.yaml,
    owners in partners.yaml. Raises one ConfigError naming line and key for each problem."""
    themes = {t.id for t in manifest.themes}
    areas = {a.code for a in manifest.areas}
    sources = {s.id: s for s in manifest.sources}
    named = {i.name for s in manifest.sources for i in s.read.indicators}
    problems: list[tuple[Path_, str]] = []
    for p_no, p in enumerate(plan.priorities):
        if p.theme not in themes:
            problems.append((("priorities", p_no, "theme"),
                             f"unknown theme '{p.theme}' (themes in evidence.yaml: {', '.join(sorted(themes))})"))
        for o_no, o in enumerate(p.outcomes):
            here: Path_ = ("priorities", p_no, "outcomes", o_no)
            if o.owner not in partners.partner:
                problems.append((here + ("owner",), f"unknown owner '{o.owner}' (partner ids in partners.yaml: "
                                 f"{', '.join(sorted(partners.partner))})"))
            for i_no, ind in enumerate(o.indicators):
                link = ind.evidence
                if link is None:
                    continue
                at = here + ("indicators", i_no, "evidence")
                if link.area is not None and link.area not in areas:
                    problems.append((at + ("area",), f"unknown area '{link.area}' (not in evidence.yaml's areas)"))
                source = sources.get(link.source) if link.source else None
                if link.source and source is None:
                    problems.append((at + ("source",), f"no source '{link.source}' in evidence.yaml"))
                elif source is not None and source.read.long is not None:
                    continue  # indicator names are in the file itself: checked when the evidence is read
                elif link.indicator not in ({i.name for i in source.read.indicators} if source else named):
                    problems.append((at + ("indicator",), f"no indicator '{link.indicator}' in the evidence "
                                     "manifest (evidence.yaml)" + (f" source '{link.source}'" if link.source else "")))
    if problems:
        doc = read_yaml(plan.file)
        raise ConfigError([doc.problem(path, msg) for path, msg in problems])


# --- progress and ratings -----------------------------------------------------------------

class Rag(str, Enum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    GREY = "grey"

    @property
    def label(self) -> str:
        return "No data" if self is Rag.GREY else self.value.capitalize()


def rule_text(tolerance: float) -> str:
    """The rating rule in words, as it appears in every scorecard."""
    return (f"Green: the target is reached, or the latest figure has covered at least as much of the planned change "
            f"as time has passed, on a straight line from the baseline to the target date. Amber: behind that line "
            f"by no more than {tolerance:.0%} of the planned change. Red: further behind or moving the wrong way, or "
            f"past the outcome's due date without reaching the target. No data: no baseline, or no figure newer than "
            f"the baseline; never counted as zero.")


RULE = rule_text(DEFAULT_TOLERANCE)


@dataclass(frozen=True)
class Reading:
    """One figure of an indicator, placed in time, with where it came from."""

    value: float
    period: str
    as_of: date
    source: str
    illustrative: bool = False  # from a source marked illustrative: quoted with an ILLUSTRATIVE label


@dataclass(frozen=True)
class Progress:
    priority: str
    outcome: Outcome
    owner: str
    indicator: Indicator
    unit: str
    target_date: date
    baseline: Reading | None
    latest: Reading | None
    rag: Rag
    reason: str
    done: float | None = None  # share of the planned change achieved by ``latest``
    expected: float | None = None  # share the straight line expects by ``latest.as_of``


@dataclass(frozen=True)
class Scorecard:
    on: date
    illustrative: bool
    rule: str
    rows: tuple[Progress, ...]

    def count(self, rag: Rag) -> int:
        return sum(r.rag is rag for r in self.rows)


def rate(baseline: float, latest: float, target: float, direction: str, baseline_end: date, as_of: date,
         target_date: date, due: date, on: date, tolerance: float) -> tuple[Rag, str, float | None, float | None]:
    """The rating of one figure under :data:`RULE`: (rating, reason, share done, share expected)."""
    gap = target - baseline
    done = (latest - baseline) / gap if gap else None
    if latest == target or _better(latest, target, direction):
        return Rag.GREEN, "target reached", done, None
    if on > due:
        return Rag.RED, f"the due date {due:%d %b %Y} has passed without reaching the target", done, None
    if done is None or not _better(target, baseline, direction):
        return Rag.RED, "below a target the baseline had already reached", None, None
    expected = min(1.0, max(0.0, (as_of - baseline_end).days / (target_date - baseline_end).days))
    shares = f"{done:.0%} of the change done, {expected:.0%} expected by {as_of:%b %Y}"
    if done >= expected:
        return Rag.GREEN, f"on track: {shares}", done, expected
    if done >= expected - tolerance:
        return Rag.AMBER, f"behind, within the tolerance: {shares}", done, expected
    return Rag.RED, f"off track: {shares}", done, expected


def _evidence_figures(table: pd.DataFrame | None, link: EvidenceLink,
                      focus: str) -> tuple[list[Reading], list[str], str]:
    """Every figure of a linked indicator for its area, the reasons given for missing ones, and its unit."""
    if table is None or table.empty:
        return [], [], ""
    rows = table[(table["indicator"] == link.indicator) & (table["area_code"] == (link.area or focus))]
    if link.source:
        rows = rows[rows["source_id"] == link.source]
    figures, missing = [], []
    unit = str(rows["unit"].iloc[0]) if len(rows) else ""
    for r in rows.itertuples(index=False):
        end = period_end(r.period)
        if end is None:
            continue
        value = r.value
        if value is None or (isinstance(value, float) and math.isnan(value)):
            missing.append(f"{r.period}: {r.missing_reason or 'no figure'} ({r.file}, row {r.row})")
            continue
        figures.append(Reading(float(value), str(r.period), end, f"{r.file}, row {r.row}, column '{r.column}'",
                               bool(getattr(r, "illustrative", False))))
    return figures, missing, unit


def _recorded_figures(updates: Iterable[ProgressUpdate], indicator_id: str, on: date) -> list[Reading]:
    return [Reading(u.value, u.period, period_end(u.period), f"recorded by {u.recorded_by} on {u.recorded_at:%d %b %Y}"
                   + (f" ({u.source})" if u.source else ""))
            for u in updates if u.indicator_id == indicator_id and u.recorded_at.date() <= on
            and period_end(u.period) is not None]


#: What :func:`evidence_figures` finds for one evidence-linked indicator: its figures, the reasons given for
#: missing ones, and its unit.
Found = tuple[list[Reading], list[str], str]


def evidence_figures(plan: DeliveryPlan, table: pd.DataFrame | None, focus: str) -> dict[EvidenceLink, Found]:
    """Each evidence-linked indicator's figures in ``table``: found once for a table that is rated on many days."""
    return {i.evidence: _evidence_figures(table, i.evidence, focus) for _, _, i in plan.indicators() if i.evidence}


def progress(priority: str, outcome: Outcome, ind: Indicator, owner: str, found: Mapping[EvidenceLink, Found],
             updates: Iterable[ProgressUpdate], on: date, tolerance: float) -> Progress:
    """The progress of one indicator as at ``on``, rated under :data:`RULE`."""
    if ind.evidence is not None:
        figures, missing, unit = found[ind.evidence]
    else:
        figures, missing, unit = _recorded_figures(updates, ind.id, on), [], ind.recorded.unit
    known = [f for f in figures if f.as_of <= on]
    base_end = period_end(ind.baseline.period)
    target_date = outcome.target_date(ind)
    if ind.baseline.value is not None:
        baseline = Reading(ind.baseline.value, ind.baseline.period, base_end, "delivery plan")
    else:
        baseline = next((f for f in known if f.period == ind.baseline.period), None)
    common = dict(priority=priority, outcome=outcome, owner=owner, indicator=ind, unit=unit, target_date=target_date)
    if baseline is None:
        why = next((m for m in missing if m.startswith(f"{ind.baseline.period}:")), None)
        return Progress(**common, baseline=None, latest=None, rag=Rag.GREY,
                        reason=f"no baseline: {why}" if why else
                        f"no baseline: the evidence base has no {ind.baseline.period} figure for this indicator")
    later = sorted((f for f in known if f.as_of > base_end), key=lambda f: f.as_of)
    if not later:
        return Progress(**common, baseline=baseline, latest=None, rag=Rag.GREY,
                        reason=f"no figure since the baseline ({ind.baseline.period})")
    latest = later[-1]
    rag, reason, done, expected = rate(baseline.value, latest.value, ind.target.value, ind.direction, base_end,
                                       latest.as_of, target_date, outcome.due, on, tolerance)
    return Progress(**common, baseline=baseline, latest=latest, rag=rag, reason=reason, done=done, expected=expected)


def rated(plan: DeliveryPlan, found: Mapping[EvidenceLink, Found], updates: Iterable[ProgressUpdate], on: date, *,
          themes: Mapping[str, str] | None = None, owners: Mapping[str, str] | None = None) -> Scorecard:
    """Every indicator of the plan rated as at ``on`` from the figures :func:`evidence_figures` found in the
    evidence table (none when the evidence base has not been collated: every evidence-linked indicator then
    shows No data) and the recorded updates; ``themes`` and ``owners`` map ids to the names shown."""
    updates = list(updates)
    themes, owners = themes or {}, owners or {}
    rows = tuple(progress(p.title or themes.get(p.theme, p.theme), o, i, owners.get(o.owner, o.owner), found,
                          updates, on, plan.amber_tolerance)
                 for p, o, i in plan.indicators())
    return Scorecard(on, plan.illustrative, rule_text(plan.amber_tolerance), rows)


def check_due_dates(plan: LoadedPlan, tt: Timetable) -> None:
    """Each outcome of the new strategy falls due after the strategy is adopted (the last council
    committee of the approval chain): a due date left behind by a moved cycle is named here."""
    adopted = adoption(tt)
    when = adopted.date if adopted is not None and adopted.date is not None else tt.span.end
    what = f"the SCS is adopted ('{adopted.id}', {day_text(when)})" if adopted else f"the cycle ends ({day_text(when)})"
    problems = [(("priorities", p_no, "outcomes", o_no, "due"), f"{day_text(o.due)} is before {what}; an outcome of "
                 "the new strategy falls due after it: move the due date on")
                for p_no, p in enumerate(plan.priorities) for o_no, o in enumerate(p.outcomes) if o.due <= when]
    if problems:
        doc = read_yaml(plan.file)
        raise ConfigError([doc.problem(path, msg) for path, msg in problems])
