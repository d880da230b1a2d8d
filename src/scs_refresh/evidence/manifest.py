"""The evidence manifest (``config/evidence.yaml``): what each source is and how to read it.

The officer describes every file once here (sheet, header row, which columns hold the area,
the indicators, the period) so that no real file ever needs hand-editing before it is read.
"""

from __future__ import annotations

import hashlib

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, field_validator, model_validator

from scs_refresh.core.errors import ConfigError, Problem
from scs_refresh.core.yamlio import load_model, parse_iso_date
from scs_refresh.core.model import FolderPath, EvidencePath, StrictModel

Day = Annotated[date, BeforeValidator(parse_iso_date)]
Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="lower-case letters, digits, hyphens")]

#: the eight kinds of evidence the 2010 report lists (4.3.7), plus general indicator tables
KINDS = (
    "place-survey", "mori-survey", "budget-priorities", "ldf-consultation", "partner-consultation",
    "focus-groups", "jsna", "norfolk-insight", "indices-of-deprivation", "population", "indicator-table",
)
Kind = Literal[KINDS]  # type: ignore[valid-type]
Unit = Literal["percent", "count", "rank", "decile", "score", "rate", "years"]
Better = Literal["higher", "lower"]


def header_key(name: object) -> str:
    """A header as the reader compares it: stray, doubled and non-breaking spaces removed."""
    return " ".join(str(name).split())


class Theme(StrictModel):
    id: Id
    title: str


class Area(StrictModel):
    """One place the evidence talks about, with every name and code it goes by in real files."""

    code: str = Field(pattern=r"^[EKWSN]\d{8}$")
    name: str
    level: Literal["district", "county", "region", "country"]
    old_codes: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


class Indicator(StrictModel):
    """A value column (or a family of columns such as ``Mid-2001`` ... ``Mid-2020``)."""

    name: str
    unit: Unit
    column: str | None = None
    columns_matching: str | None = Field(None, description="regular expression; its first group is the period")
    period: str | None = None
    themes: tuple[Id, ...] = ()
    better: Better | None = Field(None, description="which figure is better: 'higher' (satisfaction) or 'lower' "
                                                      "(deprivation, crime); left out, ranks say neither")

    @field_validator("column")
    @classmethod
    def _strip(cls, v: str | None) -> str | None:
        return None if v is None else header_key(v)

    @field_validator("columns_matching")
    @classmethod
    def _regex(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                rx = re.compile(v)
            except re.error as exc:
                raise ValueError(f"'{v}' is not a valid regular expression ({exc})") from None
            if rx.groups != 1:
                raise ValueError(f"'{v}' must have exactly one (group) that captures the period")
        return v

    @model_validator(mode="after")
    def _one_way(self) -> Indicator:
        if (self.column is None) == (self.columns_matching is None):
            raise ValueError(f"indicator '{self.name}' needs exactly one of 'column' or 'columns_matching'")
        return self


class Long(StrictModel):
    """Tidy files with one row per indicator and period (DfE, MORI summaries)."""

    indicator: str
    value: str
    unit: Unit
    period: str | None = None


class Statements(StrictModel):
    """Qualitative files: one statement per row, optionally with a count of mentions or votes."""

    theme: str
    statement: str
    count: str | None = None


class RankAmong(StrictModel):
    """Rank the focus area among the rows whose area name matches ``name_matching`` (e.g. `` DC$``)."""

    name_matching: str
    label: str


class Read(StrictModel):
    """Where the table is in the file and which columns mean what."""

    sheet: str | None = None
    header_row: int = Field(1, ge=1, description="1-based row of the header (rows above it are preamble)")
    encoding: str | None = None
    area_code: str | None = None
    area_name: str | None = None
    district: str | None = Field(None, description="column holding the district of a small area (LSOA, MSOA)")
    area_level: str | None = Field(None, description="e.g. LSOA; leave out when rows are councils")
    areas_in_columns: str | None = Field(None, description="label column of a table whose other columns are areas")
    indicators: tuple[Indicator, ...] = ()
    long: Long | None = None
    statements: Statements | None = None
    unknown_areas: Literal["drop", "keep", "error"] = "drop"
    covers_focus: bool = Field(True, description="false for tables with no row for the focus area (regions, a county, GP practices)")
    rank_among: RankAmong | None = None

    @model_validator(mode="after")
    def _shape(self) -> Read:
        shapes = sum([bool(self.indicators), self.long is not None, self.statements is not None])
        if shapes != 1:
            raise ValueError("give exactly one of 'indicators', 'long' or 'statements'")
        if self.statements is None and not (self.area_code or self.area_name or self.areas_in_columns):
            raise ValueError("say which column holds the area: 'area_code', 'area_name' or 'areas_in_columns'")
        return self


class Source(StrictModel):
    """One release of a statistic or consultation: a file, when it was published, what period it describes.

    Releases of the same statistics share a ``series`` (IMD 2010 and IMD 2019 are both ``imd``):
    the evidence base as at a day uses, for each indicator of a series, the latest release
    published on or before that day, and never one published after it.
    """

    id: Id
    kind: Kind
    title: str
    file: EvidencePath  # inside evidence_dir
    publisher: str
    period: str = Field(min_length=1, description="the period the release describes: 2008, mid-2020, 2006-08 ...")
    published: Day = Field(description="the day the release was published (the day the officer could first use it)")
    series: Id | None = Field(None, description="the statistics this is a release of (default: its own id)")
    expected: str | None = Field(None, min_length=1, description="before it is published, papers name it as awaited: "
                                                                  "'spring 2011'")
    themes: tuple[Id, ...] = Field(min_length=1)
    illustrative: bool = False
    note: str = ""
    read: Read

    @property
    def label(self) -> str:
        """How outputs name the source; illustrative files say so every time they are quoted."""
        return f"{self.title} (ILLUSTRATIVE)" if self.illustrative else self.title

    @property
    def series_id(self) -> str:
        return self.series or self.id

    @property
    def release(self) -> str:
        """How a quoted figure names its release: 'Place Survey 2008 (...), published 23 June 2009'."""
        text = f"{self.title}, published {self.published.day} {self.published:%B %Y}"
        return f"{text} (ILLUSTRATIVE)" if self.illustrative else text

    def out_on(self, on: date) -> bool:
        """Whether the release had been published by ``on``."""
        return self.published <= on


class Neighbours(StrictModel):
    """The districts the focus is ranked among, and where the list comes from (CIPFA nearest
    neighbours, the other districts of the county, the officer's choice): the source is stated
    wherever the ranks are."""

    source: str = Field(min_length=1, description="where the list comes from, as the papers state it")
    group: str = Field(min_length=1, description="how a rank names the focus and its neighbours: 'Norfolk districts'")
    districts: tuple[str, ...] = Field(min_length=1, description="area codes, each listed under 'areas'")


def _fields(template: str, allowed: tuple[str, ...]) -> str:
    """A wording template whose ``{fields}`` are all ones the digest fills in (else a one-line error)."""
    try:
        template.format(**{name: "" for name in allowed})
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"'{template}' cannot be filled in ({type(exc).__name__}: {exc}); its fields can be "
                         + ", ".join("{" + name + "}" for name in allowed)) from None
    return template


_MOVED = ("previous", "then", "now")
Moved = Annotated[str, AfterValidator(lambda t: _fields(t, _MOVED))]


class Direction(StrictModel):
    """How a figure is said to have moved since the previous release of the same statistics:
    {previous} names that release, {then} and {now} are the two figures."""

    better: Moved
    worse: Moved
    same: Moved
    up: Moved = Field(description="for a figure that is neither better higher nor lower")
    down: Moved
    first: Moved = Field(description="when no earlier release of the statistics was out")


class Wording(StrictModel):
    """The council's words for ranks and the direction of travel; ``{name}`` fields are filled in.

    ``ranked``: {ranks} {polarity}; ``rank``: {position} {end} {count} {group} (``top`` is the
    position of the first); ``shares_ranked``
    the same for the share of small areas in the most deprived 20%; a direction: {previous}
    (the earlier release), {then}, {now}.
    """

    ranked: Annotated[str, AfterValidator(lambda t: _fields(t, ("ranks", "polarity")))]
    shares_ranked: Annotated[str, AfterValidator(lambda t: _fields(t, ("ranks", "polarity")))]
    rank: Annotated[str, AfterValidator(lambda t: _fields(t, ("position", "end", "count", "group")))]
    top: str
    joined_by: str
    ends: dict[Better, str]
    polarity: dict[Better, str]
    direction: Direction

    @model_validator(mode="after")
    def _both(self) -> Wording:
        for key in ("ends", "polarity"):
            if set(getattr(self, key)) != {"higher", "lower"}:
                raise ValueError(f"'{key}' needs both 'higher' and 'lower'")
        return self


class Manifest(StrictModel):
    evidence_dir: FolderPath = "../evidence"
    focus: str = Field(description="code of the area the evidence base is about")
    comparators: tuple[str, ...] = ()
    neighbours: Neighbours | None = None
    wording: Wording
    themes: tuple[Theme, ...] = Field(min_length=1)
    areas: tuple[Area, ...] = Field(min_length=1)
    sources: tuple[Source, ...] = Field(min_length=1)

    def theme(self, theme_id: str) -> Theme:
        return next(t for t in self.themes if t.id == theme_id)


def _check(m: Manifest) -> list[tuple[tuple, str]]:
    """Cross-references pydantic cannot see: ids unique, themes and areas defined."""
    problems: list[tuple[tuple, str]] = []
    theme_ids = {t.id for t in m.themes}
    codes = {a.code for a in m.areas}
    if m.focus not in codes:
        problems.append((("focus",), f"'{m.focus}' is not one of the areas listed under 'areas'"))
    for i, code in enumerate(m.comparators):
        if code not in codes:
            problems.append((("comparators", i), f"'{code}' is not one of the areas listed under 'areas'"))
    for i, code in enumerate(m.neighbours.districts if m.neighbours else ()):
        at = ("neighbours", "districts", i)
        if code == m.focus:
            problems.append((at, f"'{code}' is the focus area itself: list only the districts it is compared with"))
        elif code not in codes:
            problems.append((at, f"'{code}' is not one of the areas listed under 'areas': add it there "
                                  "(code, name, and any old codes) or correct the code"))
        elif code in m.neighbours.districts[:i]:
            problems.append((at, f"'{code}' is listed twice"))
    seen: set[str] = set()
    for i, s in enumerate(m.sources):
        if s.id in seen:
            problems.append((("sources", i, "id"), f"the source id '{s.id}' is used twice"))
        seen.add(s.id)
        for j, t in enumerate(s.themes):
            if t not in theme_ids:
                problems.append((("sources", i, "themes", j), f"unknown theme '{t}' (themes: {', '.join(sorted(theme_ids))})"))
        for k, ind in enumerate(s.read.indicators):
            for j, t in enumerate(ind.themes):
                if t not in theme_ids:
                    problems.append((("sources", i, "read", "indicators", k, "themes", j), f"unknown theme '{t}'"))
    return problems


class LoadedManifest(Manifest):
    """The manifest plus where it was read from, so relative file names resolve."""

    file: Path

    @property
    def folder(self) -> Path:
        return (self.file.parent / self.evidence_dir).resolve()

    def path(self, source: Source) -> Path:
        return self.folder / source.file

    def released(self, on: date) -> tuple[Source, ...]:
        """The sources whose release had been published on or before ``on``, in manifest order."""
        return tuple(s for s in self.sources if s.out_on(on))

    def awaited(self, on: date) -> tuple[Source, ...]:
        """Releases not yet published on ``on`` that the officer expects (they have ``expected``)."""
        return tuple(s for s in self.sources if not s.out_on(on) and s.expected)

    def as_at(self, on: date) -> LoadedManifest:
        """The manifest with only the releases out on ``on``: what an officer could have read that day."""
        return self.model_copy(update={"sources": self.released(on)})

    def content_key(self, on: date | None = None) -> str:
        """What a collation of this manifest is made of: the manifest and each source file's bytes, and,
        as at a day, which releases were out: two days with the same releases out share a collation."""
        digest = hashlib.sha256(self.model_dump_json(exclude={"file"}).encode())
        for s in self.sources:
            f = self.path(s)
            digest.update(s.id.encode() + b"\0" + (f.read_bytes() if f.is_file() else b"(missing)") + b"\0")
        if on is not None:
            digest.update(b"released:" + ",".join(s.id for s in self.released(on)).encode())
        return digest.hexdigest()

    def source(self, key: str) -> Source:
        """A source by id or by file name, for ``scs evidence check FILE``."""
        for s in self.sources:
            if key in (s.id, s.file, Path(s.file).name):
                return s
        ids = ", ".join(s.id for s in self.sources)
        raise ConfigError([Problem(self.file, f"no source or file '{key}' in the manifest (ids: {ids})")])


def load_manifest(file: Path) -> LoadedManifest:
    """Read and check ``config/evidence.yaml``; problems name file, line and key."""
    m = load_model(file, Manifest, _check)
    return LoadedManifest.model_validate({**m.model_dump(), "file": Path(file)})


def fingerprint(config_dir: Path) -> str:
    """What the evidence base is made of right now: the manifest, the delivery plan and every
    file in the evidence folder. A new file, or a changed one, gives a new fingerprint."""
    digest = hashlib.sha256()
    folder = Path(config_dir).parent / "evidence"
    files = [Path(config_dir) / "evidence.yaml", Path(config_dir) / "delivery_plan.yaml",
             *sorted(p for p in folder.rglob("*") if p.is_file())]
    for f in files:
        if f.is_file():
            digest.update(f.name.encode() + f.read_bytes())
    return digest.hexdigest()[:16]
