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
from scs_refresh.evidence.manifest import LoadedManifest, Source, Wording


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
    ranking: tuple[Comparison, ...] = ()  # the focus and its neighbours on the ranked figure, best first
    better: str | None = None  # polarity of the ranked figure: "higher", "lower" or None
    direction: str | None = None  # since the previous release of the same statistics, in the council's words
    trend: tuple[tuple[str, float], ...] = ()
    #: each comparator's series over the same periods, for the trend chart: (area name, ((period, value), ...))
    comparator_trends: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = ()
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
    neighbours: str = ""  # the districts ranks are among, and where that list comes from

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


def _better(source: Source, indicator: str) -> str | None:
    """The indicator's polarity from the manifest ('higher', 'lower'), None when neither is better."""
    return next((i.better for i in source.read.indicators if i.name == indicator), None)


def _flipped(better: str | None) -> str | None:
    """Polarity of the share of small areas in deciles 1-2, from that of the deciles themselves."""
    return {"higher": "lower", "lower": "higher"}.get(better)


def _rank(wording: Wording, values: dict, focus, better: str | None, group: str) -> str:
    """'4th highest of 7 Norfolk districts': ``values[focus]`` among ``values``; ties share a place;
    counted from the better end."""
    mine = values[focus]
    ahead = sum((v < mine) if better == "lower" else (v > mine) for v in values.values())
    position = wording.top if ahead == 0 else _ordinal(ahead + 1)
    return wording.rank.format(position=position, end=wording.ends[better or "higher"], count=len(values), group=group)


def _ranked(template: str, wording: Wording, ranks: list[str], better: str | None) -> str:
    return template.format(ranks=wording.joined_by.join(ranks), polarity=wording.polarity[better] if better else "")


def _ranking(values: dict[str, float], better: str | None, names: dict[str, str]) -> tuple[Comparison, ...]:
    """The focus and its neighbours, best first (highest first when neither is better)."""
    order = sorted(values.items(), key=lambda cv: cv[1], reverse=better != "lower")
    return tuple(Comparison(names[code], value) for code, value in order)


def _direction(wording: Wording, previous: Source | None, then: float | None, now: float | None,
               better: str | None, shown: tuple[str, str]) -> str | None:
    """How the figure moved since the previous release of its statistics out on the day (``previous``);
    ``shown`` is how the paper prints the two figures."""
    if previous is None:
        return wording.direction.first
    if then is None or now is None or pd.isna(then) or pd.isna(now):
        return None
    if round(now, 6) == round(then, 6):
        key = "same"
    elif better is None:
        key = "up" if now > then else "down"
    else:
        key = "better" if (now > then) == (better == "higher") else "worse"
    return getattr(wording.direction, key).format(previous=previous.release, then=shown[0], now=shown[1])


def _previous(earlier: pd.DataFrame | None, manifest: LoadedManifest, source: Source,
              indicator: str) -> tuple[Source, pd.DataFrame] | tuple[None, None]:
    """The release before ``source`` of the same statistics with ``indicator`` (from the releases out
    on the day that a later one superseded), and its rows."""
    if earlier is None or earlier.empty:
        return None, None
    order = {s.id: (s.published, i) for i, s in enumerate(manifest.sources)}
    sources = {s.id: s for s in manifest.sources}
    ids = set(earlier.loc[earlier["indicator"] == indicator, "source_id"])
    older = [sid for sid in ids if sources[sid].series_id == source.series_id and order[sid] < order[source.id]]
    if not older:
        return None, None
    sid = max(older, key=order.__getitem__)
    return sources[sid], earlier[(earlier["source_id"] == sid) & (earlier["indicator"] == indicator)]


def _deprived_shares(rows: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """Per district: how many of its small areas are in deciles 1-2, and of how many."""
    rated = rows[rows["value"].notna() & rows["district_code"].notna()]
    return {code: (int((g["value"] <= 2).sum()), len(g)) for code, g in rated.groupby("district_code")}


def _share(worst_of: tuple[int, int]) -> str:
    worst, n = worst_of
    return f"{worst} of {n} ({100 * worst / n:.0f}%)"


def _distribution(rows: pd.DataFrame, manifest: LoadedManifest, source: Source, indicator: str,
                  earlier: pd.DataFrame | None) -> Headline:
    """Deciles of small areas (LSOAs): how many of the district's fall in each national decile, its
    share in the most deprived 20% ranked among its neighbours, and how that share moved since the
    previous release."""
    focus, names = manifest.focus, {a.code: a.name for a in manifest.areas}
    focus_name, wording = names[focus], manifest.wording
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
    better = _flipped(_better(source, indicator))
    shares = _deprived_shares(rows)
    percent = {code: 100 * w / total for code, (w, total) in shares.items()
               if code == focus or (manifest.neighbours and code in manifest.neighbours.districts)}
    ranking, rank = (), None
    if manifest.neighbours and n and len(percent) > 1:
        rank = _rank(wording, percent, focus, better, manifest.neighbours.group)
        text += " " + _ranked(wording.shares_ranked, wording, [rank], better)
        ranking = _ranking(percent, better, names)
    previous, before = _previous(earlier, manifest, source, indicator)
    then = _deprived_shares(before).get(focus) if previous is not None else None
    direction = _direction(wording, previous, then and 100 * then[0] / then[1], 100 * worst / n, better,
                           (then and _share(then), _share((worst, n)))) if n else None
    if direction:
        text += " " + direction
    period = str(mine["period"].iloc[0]) if n else source.period
    title = f"{focus_name}: {level}s by {indicator}, {period} (1 = most deprived)" + (
        " (ILLUSTRATIVE)" if source.illustrative else "")
    alt = f"Bar chart. {text}" + (_values(f"Share of {level}s in the most deprived 20%", ranking, "percent")
                                  if ranking else "") + f" Source: {source.release}."
    return Headline(
        area=focus_name, indicator=indicator, unit="decile", period=period,
        source_id=source.id, source_title=source.release, illustrative=source.illustrative, value=None,
        cite=f"{source.file}, {n} {level} rows, column '{mine['column'].iloc[0] if n else ''}'",
        text=text, rank=rank, ranking=ranking, better=better, direction=direction, distribution=counts,
        chart=Chart(slug(source.id, indicator, limit=80) + ".png", "distribution", title, alt))


def _values(label: str, figures: tuple[Comparison, ...], unit: str) -> str:
    """The figures a chart draws, for its text alternative: ' Norfolk districts: South Norfolk 91.0%; ...'."""
    return f" {label}: " + "; ".join(f"{c.area_name} {fmt(c.value, unit)}" for c in figures) + "."


def _comparator_trends(rows: pd.DataFrame, manifest: LoadedManifest, names: dict[str, str],
                       periods: list[str]) -> tuple[tuple[str, tuple[tuple[str, float], ...]], ...]:
    """Each comparator's figures for the focus area's periods, where it has them all."""
    out = []
    for code in manifest.comparators:
        theirs = rows[(rows["district_code"] == code) & rows["value"].notna()]
        series = dict(zip(theirs["period"].astype(str), theirs["value"].astype(float)))
        if all(p in series for p in periods):
            out.append((names[code], tuple((p, series[p]) for p in periods)))
    return tuple(out)


def _growth(series: tuple[tuple[str, float], ...], unit: str) -> str:
    """'914,039 in 2020, +14.7% since 2001' for a chart's text alternative."""
    (p0, v0), (p1, v1) = series[0], series[-1]
    return f"{fmt(v1, unit)} in {p1}" + (f", {100 * (v1 - v0) / v0:+.1f}% since {p0}" if v0 else "")


def _area_headline(rows: pd.DataFrame, manifest: LoadedManifest, source: Source, indicator: str,
                   earlier: pd.DataFrame | None) -> Headline | None:
    """A council-level figure: the focus area's latest value, comparators, ranks, trend and direction of travel."""
    focus, unit, wording = manifest.focus, rows["unit"].iloc[0], manifest.wording
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
    better = _better(source, indicator)
    ranks, ranking = [], ()
    if manifest.neighbours and pd.notna(latest["value"]):
        group = now[now["district_code"].isin({focus, *manifest.neighbours.districts}) & now["value"].notna()]
        values = dict(zip(group["district_code"], group["value"].astype(float)))
        if len(values) > 1:
            ranks.append(_rank(wording, values, focus, better, manifest.neighbours.group))
            ranking = _ranking(values, better, names)
    among = source.read.rank_among
    if among and pd.notna(latest["value"]):
        peers = now[now["name_in_file"].str.contains(among.name_matching, regex=True) & now["value"].notna()]
        if focus in set(peers["district_code"]):
            me = peers.index[peers["district_code"] == focus][0]
            ranks.append(_rank(wording, dict(zip(peers.index, peers["value"].astype(float))), me, better, among.label))
    rank = wording.joined_by.join(ranks) or None
    trend = tuple((str(p), float(v)) for p, v in zip(mine["period"], mine["value"]) if pd.notna(v))
    focus_name = names[focus]
    parts = [f"{focus_name}: {fmt(latest['value'], unit)} ({period})"]
    if pd.isna(latest["value"]):
        parts[0] += f", {latest['missing_reason']}"
    parts += [f"{c.area_name} {fmt(c.value, unit)}" for c in comparisons]
    text = "; ".join(parts) + "."
    if ranks:
        text += " " + _ranked(wording.ranked, wording, ranks, better)
    if len(trend) >= 2:
        (p0, v0), (p1, v1) = trend[0], trend[-1]
        change = f" ({100 * (v1 - v0) / v0:+.1f}%)" if v0 else ""
        text += f" Trend: {fmt(v0, unit)} in {p0} to {fmt(v1, unit)} in {p1}{change}."
    previous, before = _previous(earlier, manifest, source, indicator)
    direction = None
    if previous is not None or len(trend) < 2:  # a release with its own series shows its trend instead
        mine_then = before[before["district_code"] == focus].sort_values("period") if previous is not None else None
        then = mine_then["value"].iloc[-1] if mine_then is not None and len(mine_then) else None
        direction = _direction(wording, previous, then, latest["value"], better, (fmt(then, unit), fmt(latest["value"], unit)))
    if direction:
        text += " " + direction
    if source.illustrative:
        text = "ILLUSTRATIVE: " + text
    chart, comparator_trends = None, ()
    if len(trend) >= 3 or comparisons or ranking:
        kind = "trend" if len(trend) >= 3 else "comparison"
        if kind == "trend":
            comparator_trends = _comparator_trends(rows, manifest, names, [p for p, _ in trend])
        title = f"{indicator}" + (f", {trend[0][0]}-{trend[-1][0]}" if kind == "trend" else f", {period}")
        title += f" ({trend[0][0]} = 100)" if comparator_trends else ""
        title += " (ILLUSTRATIVE)" if source.illustrative else ""
        alt = ("Line chart. " if kind == "trend" else "Bar chart. ") + text
        if kind == "comparison" and ranking:
            alt += _values(manifest.neighbours.group, ranking, unit)
        if kind == "trend":
            alt += "".join(f" {name}: {_growth(series, unit)}." for name, series in comparator_trends)
        chart = Chart(slug(source.id, indicator, limit=80) + ".png", kind, title, alt + f" Source: {source.release}.")
    return Headline(
        area=focus_name, indicator=indicator, unit=unit, period=period, source_id=source.id, source_title=source.release,
        illustrative=source.illustrative, value=None if pd.isna(latest["value"]) else float(latest["value"]),
        missing_reason=latest["missing_reason"] if pd.isna(latest["value"]) else None, cite=_cite(latest), text=text,
        comparisons=comparisons, rank=rank, ranking=ranking, better=better, direction=direction, trend=trend,
        comparator_trends=comparator_trends, chart=chart)


def headlines(table: pd.DataFrame, manifest: LoadedManifest,
              earlier: pd.DataFrame | None = None) -> dict[str, list[Headline]]:
    """Headlines grouped by theme id, in manifest order of sources and indicators; ``earlier`` holds the
    rows of releases out on the day that a later release of the same statistics superseded."""
    by_theme: dict[str, list[Headline]] = {t.id: [] for t in manifest.themes}
    sources = {s.id: s for s in manifest.sources}
    for (source_id, indicator), rows in table.groupby(["source_id", "indicator"], sort=False):
        source = sources[source_id]
        small = bool(source.read.district)
        if small and rows["unit"].iloc[0] == "decile":
            h = _distribution(rows, manifest, source, indicator, earlier)
        elif small:
            continue  # ranks and counts of small areas stay in the table; deciles summarise them
        else:
            h = _area_headline(rows, manifest, source, indicator, earlier)
        if h is not None:
            for theme in rows["themes"].iloc[0].split(";"):
                by_theme[theme].append(h)
    return by_theme


def build_digest(manifest: LoadedManifest, table: pd.DataFrame, statements: pd.DataFrame,
                 provenance: tuple[SourceStatus, ...], on: date, earlier: pd.DataFrame | None = None) -> Digest:
    """The digest of the whole evidence base as at ``on``: the releases in ``table`` and ``statements``
    (those out on ``on``; ``earlier`` the superseded ones, for the direction of travel), and the
    releases the manifest expects that were not out yet."""
    sources = {s.id: s for s in manifest.sources}
    by_theme = headlines(table, manifest, earlier)
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
    neighbours = manifest.neighbours
    ranked_among = "" if neighbours is None else (
        f"{neighbours.group}: {focus_name}, " + ", ".join(a.name for code in neighbours.districts
                                                         for a in manifest.areas if a.code == code)
        + f". Source of the list: {neighbours.source}.")
    return Digest(focus=focus_name, on=on, themes=tuple(themes), provenance=provenance,
                  awaited=tuple(a for a, _ in awaited), neighbours=ranked_among)
