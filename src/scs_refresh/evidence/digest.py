"""The evidence digest: per SCS theme, the headline figures, how Breckland compares, the trend.

Pure: it takes the tidy table and statements and returns typed objects (no files, no
charts drawn). The report generator and the markdown digest both read these objects, so a
figure quoted anywhere is the same figure, carrying its source and cell reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from scs_refresh.core.atomic import slug
from scs_refresh.evidence.manifest import LoadedManifest, Source


@dataclass(frozen=True)
class Comparison:
    area_name: str
    value: float | None


@dataclass(frozen=True)
class Chart:
    """A chart to draw: its file name, title and the text alternative read out in its place."""

    file: str
    kind: str  # "distribution", "trend" or "comparison"
    title: str
    alt_text: str


@dataclass(frozen=True)
class Headline:
    area: str  # the focus area the figure is about
    indicator: str
    unit: str
    period: str
    source_id: str
    source_title: str
    illustrative: bool
    value: float | None
    cite: str  # file, sheet, row and column of the focus area's figure
    text: str
    missing_reason: str | None = None
    comparisons: tuple[Comparison, ...] = ()
    rank: str | None = None
    trend: tuple[tuple[str, float], ...] = ()
    distribution: tuple[tuple[int, int], ...] = ()
    chart: Chart | None = None


@dataclass(frozen=True)
class Statement:
    theme: str
    statement: str
    count: int
    source_id: str
    source_title: str
    illustrative: bool
    cite: str


@dataclass(frozen=True)
class SourceStatus:
    """One line of the provenance list: where a source came from, when it was published, whether it was read."""

    source_id: str
    kind: str
    title: str
    publisher: str
    period: str
    published: date
    file: str
    illustrative: bool
    rows: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Awaited:
    """A release not yet published on the day, that the officer expects (``expected`` in evidence.yaml)."""

    source_id: str
    title: str
    expected: str
    illustrative: bool

    @property
    def text(self) -> str:
        """'English Indices of Deprivation 2010 (...): expected spring 2011'."""
        return f"{self.title}{' (ILLUSTRATIVE)' if self.illustrative else ''}: expected {self.expected}"


@dataclass(frozen=True)
class ThemeDigest:
    theme_id: str
    title: str
    headlines: tuple[Headline, ...]
    statements: tuple[Statement, ...]
    awaited: tuple[Awaited, ...] = ()


@dataclass(frozen=True)
class Digest:
    focus: str
    on: date
    themes: tuple[ThemeDigest, ...]
    provenance: tuple[SourceStatus, ...] = field(default=())
    awaited: tuple[Awaited, ...] = ()  # every release expected but not yet published on ``on``

    @property
    def charts(self) -> list[tuple[Headline, Chart]]:
        return [(h, h.chart) for t in self.themes for h in t.headlines if h.chart]


def fmt(value: float | None, unit: str) -> str:
    """A figure as a report prints it."""
    if value is None or pd.isna(value):
        return "no figure"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit in ("count", "rank", "decile"):
        return f"{value:,.0f}"
    if unit == "years":
        return f"{value:.1f} years"
    return f"{value:,.1f}"


def _cite(row: pd.Series) -> str:
    sheet = f", sheet '{row['sheet']}'" if row["sheet"] else ""
    return f"{row['file']}{sheet}, row {row['row']}, column '{row['column']}'"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _distribution(rows: pd.DataFrame, focus: str, focus_name: str, source: Source, indicator: str) -> Headline:
    """Deciles of small areas (LSOAs): how many of the district's fall in each national decile."""
    mine = rows[(rows["district_code"] == focus) & rows["value"].notna()]
    counts = tuple((d, int((mine["value"] == d).sum())) for d in range(1, 11))
    n, worst = len(mine), int((mine["value"] <= 2).sum())
    everyone = rows[rows["value"].notna()]
    share_all = 100 * (everyone["value"] <= 2).mean()
    level = mine["area_level"].iloc[0] if n else "area"
    spread = "; ".join(f"decile {d}: {c}" for d, c in counts)
    text = (f"Of {focus_name}'s {n} {level}s, {worst} ({100 * worst / n:.0f}%) {'is' if worst == 1 else 'are'} in the "
            "most deprived 20% in England "
            f"(deciles 1-2), against {share_all:.0f}% of all {len(everyone)} {level}s in this file and 20% across England "
            f"by definition. By decile (1 = most deprived 10%): {spread}.")
    period = str(mine["period"].iloc[0]) if n else source.period
    title = f"{focus_name}: {level}s by {indicator}, {period} (1 = most deprived)" + (
        " (ILLUSTRATIVE)" if source.illustrative else "")
    alt = f"Bar chart. {text} Source: {source.release}."
    return Headline(
        area=focus_name, indicator=indicator, unit="decile", period=period,
        source_id=source.id, source_title=source.release, illustrative=source.illustrative, value=None,
        cite=f"{source.file}, {n} {level} rows, column '{mine['column'].iloc[0] if n else ''}'",
        text=text, distribution=counts,
        chart=Chart(slug(source.id, indicator, limit=80) + ".png", "distribution", title, alt))


def _area_headline(rows: pd.DataFrame, manifest: LoadedManifest, source: Source, indicator: str) -> Headline | None:
    """A council-level figure: the focus area's latest value, comparators, rank and trend."""
    focus, unit = manifest.focus, rows["unit"].iloc[0]
    mine = rows[rows["district_code"] == focus].sort_values("period")
    if mine.empty:
        return None
    latest = mine.iloc[-1]
    period = str(latest["period"])
    now = rows[rows["period"] == period]
    names = {a.code: a.name for a in manifest.areas}
    comparisons = tuple(
        Comparison(names[code], float(v.iloc[0]) if not v.empty and pd.notna(v.iloc[0]) else None)
        for code in manifest.comparators
        if not (v := now.loc[now["district_code"] == code, "value"]).empty)
    rank = None
    among = source.read.rank_among
    if among and pd.notna(latest["value"]):
        peers = now[now["name_in_file"].str.contains(among.name_matching, regex=True) & now["value"].notna()]
        if focus in set(peers["district_code"]):
            position = int((peers["value"] > latest["value"]).sum()) + 1
            rank = f"{_ordinal(position)} highest of {len(peers)} {among.label}"
    trend = tuple((str(p), float(v)) for p, v in zip(mine["period"], mine["value"]) if pd.notna(v))
    focus_name = names[focus]
    parts = [f"{focus_name}: {fmt(latest['value'], unit)} ({period})"]
    if pd.isna(latest["value"]):
        parts[0] += f", {latest['missing_reason']}"
    parts += [f"{c.area_name} {fmt(c.value, unit)}" for c in comparisons]
    text = "; ".join(parts) + "."
    if rank:
        text += f" Ranked {rank}."
    if len(trend) >= 2:
        (p0, v0), (p1, v1) = trend[0], trend[-1]
        change = f" ({100 * (v1 - v0) / v0:+.1f}%)" if v0 else ""
        text += f" Trend: {fmt(v0, unit)} in {p0} to {fmt(v1, unit)} in {p1}{change}."
    if source.illustrative:
        text = "ILLUSTRATIVE: " + text
    chart = None
    if len(trend) >= 3 or comparisons:
        kind = "trend" if len(trend) >= 3 else "comparison"
        title = f"{indicator}" + (f", {trend[0][0]}-{trend[-1][0]}" if kind == "trend" else f", {period}")
        title += " (ILLUSTRATIVE)" if source.illustrative else ""
        alt = ("Line chart. " if kind == "trend" else "Bar chart. ") + text + f" Source: {source.release}."
        chart = Chart(slug(source.id, indicator, limit=80) + ".png", kind, title, alt)
    return Headline(
        area=focus_name, indicator=indicator, unit=unit, period=period, source_id=source.id, source_title=source.release,
        illustrative=source.illustrative, value=None if pd.isna(latest["value"]) else float(latest["value"]),
        missing_reason=latest["missing_reason"] if pd.isna(latest["value"]) else None, cite=_cite(latest), text=text,
        comparisons=comparisons, rank=rank, trend=trend, chart=chart)


def headlines(table: pd.DataFrame, manifest: LoadedManifest) -> dict[str, list[Headline]]:
    """Headlines grouped by theme id, in manifest order of sources and indicators."""
    by_theme: dict[str, list[Headline]] = {t.id: [] for t in manifest.themes}
    focus_name = next(a.name for a in manifest.areas if a.code == manifest.focus)
    sources = {s.id: s for s in manifest.sources}
    for (source_id, indicator), rows in table.groupby(["source_id", "indicator"], sort=False):
        source = sources[source_id]
        small = bool(source.read.district)
        if small and rows["unit"].iloc[0] == "decile":
            h = _distribution(rows, manifest.focus, focus_name, source, indicator)
        elif small:
            continue  # ranks and counts of small areas stay in the table; deciles summarise them
        else:
            h = _area_headline(rows, manifest, source, indicator)
        if h is not None:
            for theme in rows["themes"].iloc[0].split(";"):
                by_theme[theme].append(h)
    return by_theme


def build_digest(manifest: LoadedManifest, table: pd.DataFrame, statements: pd.DataFrame,
                 provenance: tuple[SourceStatus, ...], on: date) -> Digest:
    """The digest of the whole evidence base as at ``on``: the releases in ``table`` and ``statements``
    (those out on ``on``), and the releases the manifest expects that were not out yet."""
    sources = {s.id: s for s in manifest.sources}
    by_theme = headlines(table, manifest)
    awaited = tuple((Awaited(s.id, s.title, s.expected, s.illustrative),
                     set(s.themes) | {t for i in s.read.indicators for t in i.themes})
                    for s in manifest.awaited(on))
    themes = []
    for t in manifest.themes:
        said = statements[statements["theme"] == t.id].sort_values("count", ascending=False, kind="stable")
        quotes = tuple(Statement(
            theme=t.id, statement=r.statement, count=int(r.count), source_id=r.source_id,
            source_title=sources[r.source_id].release, illustrative=bool(r.illustrative),
            cite=f"{r.file}, rows {r.rows}") for r in said.itertuples())
        themes.append(ThemeDigest(t.id, t.title, tuple(by_theme[t.id]), quotes,
                                  tuple(a for a, where in awaited if t.id in where)))
    focus_name = next(a.name for a in manifest.areas if a.code == manifest.focus)
    return Digest(focus=focus_name, on=on, themes=tuple(themes), provenance=provenance,
                  awaited=tuple(a for a, _ in awaited))
