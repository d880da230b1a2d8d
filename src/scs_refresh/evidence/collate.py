"""Collate every source into one evidence base and write it: table, statements, digest, charts, provenance.

Reading is per source so that one bad file can be reported while the others collate (the
flow does that); the CLI asks for all or nothing. Output goes to a staging folder that
replaces ``<out>/evidence`` only once everything is written, so a failed run never
overwrites the previous evidence base.
"""

from __future__ import annotations

import logging
import dataclasses
import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from scs_refresh.core import atomic
from scs_refresh.core.errors import ConfigError, Problem
from scs_refresh.evidence import charts
from scs_refresh.evidence.digest import Digest, SourceStatus, build_digest
from scs_refresh.evidence.manifest import LoadedManifest, Source
from scs_refresh.evidence.tidy import COLUMNS, STATEMENT_COLUMNS, SourceEvidence, tidy_source

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvidenceBase:
    """What the report generator consumes: the tidy table, the statements and the digest."""

    table: pd.DataFrame
    statements: pd.DataFrame
    digest: Digest


def status(source: Source, evidence: SourceEvidence | None, error: str | None = None) -> SourceStatus:
    """The provenance line for one source, read or failed."""
    rows = 0 if evidence is None else len(evidence.rows) + len(evidence.statements)
    return SourceStatus(source.id, source.kind, source.label, source.publisher, source.period, source.published,
                        source.file, source.illustrative, rows, error)


def read_all(manifest: LoadedManifest, only: str | None = None) -> list[SourceEvidence]:
    """Every source (or just ``only``), all or nothing: one ConfigError listing each bad source."""
    sources = [manifest.source(only)] if only else list(manifest.sources)
    read, problems = [], []
    for source in sources:
        try:
            read.append(tidy_source(manifest, source))
        except ConfigError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ConfigError(problems)
    return read


def latest_releases(manifest: LoadedManifest, table: pd.DataFrame,
                    said: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For each indicator of a series, only the rows of its latest release (published last; the later
    in the manifest on the same day); for each series' statements, only its latest release's."""
    rank = {s.id: (s.published, i) for i, s in enumerate(manifest.sources)}
    series = {s.id: s.series_id for s in manifest.sources}

    def keep(frame: pd.DataFrame, key) -> pd.DataFrame:
        if frame.empty:
            return frame
        keys = [key(row) for row in frame.itertuples(index=False)]
        chosen: dict = {}
        for k, sid in zip(keys, frame["source_id"]):
            if k not in chosen or rank[sid] > rank[chosen[k]]:
                chosen[k] = sid
        mask = [chosen[k] == sid for k, sid in zip(keys, frame["source_id"])]
        return frame[mask].reset_index(drop=True)

    return (keep(table, lambda r: (series[r.source_id], r.indicator)),
            keep(said, lambda r: series[r.source_id]))


def collate(manifest: LoadedManifest, read: list[SourceEvidence], failed: dict[str, str], on: date) -> EvidenceBase:
    """One evidence base as at ``on`` from the sources that were read; ``failed`` maps source id to its error.

    Only releases published on or before ``on`` count (any other that was read is left out), and of
    those, per indicator, the latest of its series; the earlier releases out on ``on`` give the
    direction of travel. The provenance lists the releases the evidence base quotes; the digest
    also names the releases still awaited on ``on``.
    """
    out = {s.id for s in manifest.released(on)}
    read = [e for e in read if e.source.id in out]
    failed = {sid: error for sid, error in failed.items() if sid in out}
    table = pd.concat([e.rows for e in read if len(e.rows)] or [pd.DataFrame(columns=COLUMNS)], ignore_index=True)
    said = pd.concat([e.statements for e in read if len(e.statements)] or [pd.DataFrame(columns=STATEMENT_COLUMNS)],
                     ignore_index=True)
    everything = table
    table, said = latest_releases(manifest, table, said)
    kept = set(zip(table["source_id"], table["indicator"]))
    earlier = everything[[k not in kept for k in zip(everything["source_id"], everything["indicator"])]]
    used = set(table["source_id"]) | set(said["source_id"])
    by_id = {e.source.id: e for e in read}
    provenance = tuple(status(s, by_id.get(s.id), failed.get(s.id)) for s in manifest.sources
                       if s.id in used or s.id in failed or (s.id in by_id and by_id[s.id].rows.empty
                                                             and by_id[s.id].statements.empty))
    return EvidenceBase(table, said, build_digest(manifest, table, said, provenance, on, earlier))


def markdown(digest: Digest) -> str:
    """The digest as a readable markdown page; every chart has its text alternative beside it."""
    out = [f"# Evidence digest: {digest.focus}", "", f"As at {digest.on:%d %B %Y}: only releases published by then. "
           "Figures marked ILLUSTRATIVE are examples, not real data.", ""]
    if digest.neighbours:
        out += [f"Ranks are among the {digest.neighbours}", ""]
    for t in digest.themes:
        out += [f"## {t.title}", ""]
        for h in t.headlines:
            out += [f"### {h.indicator}", "", h.text, "", f"Source: {h.source_title} ({h.cite})", ""]
            if h.chart:
                out += [f"![{h.chart.alt_text}](charts/{h.chart.file})", ""]
        if t.statements:
            out += ["What people told us:", ""]
            out += [f"- {s.statement} ({s.count}) - {s.source_title}" for s in t.statements]
            out.append("")
        if t.awaited:
            out += ["Not yet published:", ""] + [f"- {a.text}" for a in t.awaited] + [""]
        if not t.headlines and not t.statements and not t.awaited:
            out += ["No evidence yet for this theme.", ""]
    out += ["## Provenance", "", "| Source | Kind | Publisher | Period | Published | File | Status |",
            "|---|---|---|---|---|---|---|"]
    for p in digest.provenance:
        state = f"{p.rows} rows" if p.ok else f"FAILED: {p.error}"
        out.append(f"| {p.title} | {p.kind} | {p.publisher} | {p.period} | {p.published} | {p.file} | {state} |")
    return "\n".join(out) + "\n"


def _json_default(value):
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


#: Which headline each chart in a written evidence base was drawn from (by fingerprint).
CHART_INDEX = "charts.json"
#: What a written evidence base was collated from (the manifest's content key).
STAMP = "collated-from.json"


def _fingerprint(headline) -> str:
    """A chart depends only on its headline: the same headline draws the same picture."""
    return hashlib.sha256(repr(headline).encode()).hexdigest()


#: The files of a written evidence base besides its charts.
WRITTEN = ("evidence.csv", "statements.csv", "provenance.csv", "digest.md", "digest.json")


def _indexed(folder: Path) -> set[str]:
    try:
        return set(json.loads((folder / "charts" / CHART_INDEX).read_text()))
    except (OSError, ValueError, TypeError):
        return set()


def _drawn(folder: Path) -> dict[str, str]:
    """The charts already drawn in ``folder`` whose file is still there, by fingerprint."""
    index = folder / "charts" / CHART_INDEX
    try:
        known = json.loads(index.read_text())
    except (OSError, ValueError):
        return {}
    return {f: h for f, h in known.items() if (folder / "charts" / f).is_file()}


def write(base: EvidenceBase, out_dir: Path, key: str | None = None) -> Path:
    """Write the evidence base to ``out_dir/evidence``, replacing the previous one only when complete."""
    final = Path(out_dir) / "evidence"
    with atomic.output_set(final) as staging:
        atomic.write_text(staging / "evidence.csv", base.table.to_csv(index=False))
        atomic.write_text(staging / "statements.csv", base.statements.to_csv(index=False))
        prov = pd.DataFrame([dataclasses.asdict(p) for p in base.digest.provenance])
        atomic.write_text(staging / "provenance.csv", prov.to_csv(index=False))
        atomic.write_text(staging / "digest.md", markdown(base.digest))
        atomic.write_text(staging / "digest.json",
                          json.dumps(dataclasses.asdict(base.digest), default=_json_default, indent=1))
        drawn = _drawn(final)
        fingerprints = {}
        for headline, chart in base.digest.charts:
            fingerprints[chart.file] = print_ = _fingerprint(headline)
            png = (final / "charts" / chart.file).read_bytes() if drawn.get(chart.file) == print_ else None
            atomic.write_bytes(staging / "charts" / chart.file, png or charts.render(headline))
        atomic.write_text(staging / "charts" / CHART_INDEX, json.dumps(fingerprints, indent=1))
        if key is not None:
            atomic.write_text(staging / STAMP, json.dumps({"key": key, "on": base.digest.on.isoformat()}))
    return final


def read_written_table(out_dir: Path) -> pd.DataFrame | None:
    """The tidy table of the evidence base last written to ``out_dir/evidence``; None if there is none yet."""
    file = Path(out_dir) / "evidence" / "evidence.csv"
    if not file.is_file():
        return None
    try:
        table = pd.read_csv(file, dtype={c: str for c in COLUMNS if c not in ("value", "illustrative")},
                            keep_default_na=False, na_values={"value": [""]})
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ConfigError([Problem(file, f"not a readable evidence table ({str(exc).splitlines()[0]})")]) from None
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise ConfigError([Problem(file, f"not an evidence table: no column {', '.join(missing)}; "
                                         "run `scs evidence collate` again")])
    return table.assign(missing_reason=table["missing_reason"].replace("", None))


def _stamp(folder: Path) -> str | None:
    """The content key a complete written evidence base was collated from; None if any file is gone."""
    if not all((folder / f).is_file() for f in WRITTEN) or _drawn(folder).keys() != _indexed(folder):
        return None
    try:
        return json.loads((folder / STAMP).read_text())["key"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


#: The last evidence base collated in this process, by content key: a cycle collates on every
#: meeting day, and the sources rarely change between them.
_collated: dict[str, EvidenceBase] = {}
#: Each source as read, for the manifest and source files of one content key (all releases): a day with
#: a new release out reads that release, not every source again.
_read: dict[str, dict[str, SourceEvidence]] = {}


def _read_as_at(manifest: LoadedManifest, on: date) -> list[SourceEvidence]:
    """Every release out on ``on``, read (all or nothing) or as read before in this process from the same files."""
    out = manifest.as_at(on)
    key = manifest.content_key()
    if key not in _read:
        _read.clear()
        _read[key] = {}
    known = _read[key]
    new = tuple(s for s in out.sources if s.id not in known)
    log.info("reading the %d evidence sources published by %s (%d not read before)", len(out.sources), on, len(new))
    if new:
        known.update((e.source.id, e) for e in read_all(out.model_copy(update={"sources": new})))
    return [known[s.id] for s in out.sources]


def collate_and_write(manifest: LoadedManifest, out_dir: Path, on: date) -> tuple[EvidenceBase, Path]:
    """All or nothing, for the CLI: any bad source stops the run before anything is written.

    Only the releases published by ``on`` are read. Collated only when the manifest or a source
    file changed, or a release came out, since the last time (in this process, or in ``out_dir`` by
    its stamp): otherwise the evidence base stands as it is.
    """
    key = manifest.content_key(on)  # the sources' content and which releases were out on ``on``
    base = _collated.get(key)
    if base is None:
        base = collate(manifest, _read_as_at(manifest, on), {}, on)
        _collated.clear()
        _collated[key] = base
    folder = Path(out_dir) / "evidence"
    if _stamp(folder) == key:
        log.info("the evidence sources are unchanged since %s was written; kept as it is", folder)
    else:
        log.info("writing the evidence base and drawing its charts")
        folder = write(base, out_dir, key)
        log.info("collated the evidence base as at %s into %s", base.digest.on, folder)
    return base, folder


def summary(base: EvidenceBase) -> list[str]:
    """One line per source for the terminal and the Prefect artifact."""
    return [f"{'ok' if p.ok else 'FAILED'}: {p.source_id} ({p.rows} rows) {p.file}" + (f" - {p.error}" if p.error else "")
            for p in base.digest.provenance]

