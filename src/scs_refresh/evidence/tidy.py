"""Turn one source into tidy evidence: one row per area x indicator x period, traceable to its cell.

Quantitative sources give rows of :data:`COLUMNS`; qualitative ones (focus groups, consultation
comments, budget priorities) give themed statements with counts. Either way each row keeps
the source id, file, sheet, row and column it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from scs_refresh.core.errors import ConfigError
from scs_refresh.evidence.areas import Gazetteer, name_key
from scs_refresh.evidence.manifest import LoadedManifest, Read, Source, header_key
from scs_refresh.evidence.readers import RawTable, parse_values, read_table

COLUMNS = [
    "source_id", "kind", "illustrative", "themes", "indicator", "unit", "period", "area_code", "area_name",
    "name_in_file", "area_level", "district_code", "value", "missing_reason", "file", "sheet", "row", "column",
]
STATEMENT_COLUMNS = ["source_id", "illustrative", "theme", "statement", "count", "file", "sheet", "rows"]


@dataclass(frozen=True)
class SourceEvidence:
    """What one source contributed: tidy rows and/or themed statements."""

    source: Source
    file: Path
    rows: pd.DataFrame
    statements: pd.DataFrame


def _wanted(read: Read):
    """Which headers the reader must keep (None: all of them)."""
    if read.areas_in_columns:
        return None
    exact = {header_key(c) for c in (read.area_code, read.area_name, read.district) if c}
    if read.long:
        exact |= {header_key(c) for c in (read.long.indicator, read.long.value, read.long.period) if c}
    if read.statements:
        exact |= {header_key(c) for c in (read.statements.theme, read.statements.statement, read.statements.count) if c}
    exact |= {i.column for i in read.indicators if i.column}
    patterns = [re.compile(i.columns_matching) for i in read.indicators if i.columns_matching]
    return lambda h: h in exact or any(p.fullmatch(h) for p in patterns)


def _require(table: RawTable, *columns: str | None) -> None:
    for c in columns:
        if c and header_key(c) not in table.frame.columns:
            found = ", ".join(table.header[:12]) + (" ..." if len(table.header) > 12 else "")
            raise ConfigError([table.problem(f"no column '{c}' in the header (found: {found})", table.header_row)])


def _text(table: RawTable, column: str | None) -> pd.Series:
    if not column:
        return pd.Series("", index=table.frame.index)
    return table.frame[header_key(column)].astype(str).str.strip()


def _areas(table: RawTable, source: Source, gaz: Gazetteer, focus: str) -> pd.DataFrame:
    """Area columns for each row, resolved through the gazetteer; applies ``unknown_areas``."""
    read = source.read
    codes, names = _text(table, read.area_code), _text(table, read.area_name)
    if read.district:
        key_codes, key_names = _text(table, read.district), _text(table, read.district)
    else:
        key_codes, key_names = codes, names
    lookup = {k: gaz.resolve(*k) for k in set(zip(key_codes, key_names))}
    found = [lookup[k] for k in zip(key_codes, key_names)]
    small = bool(read.district)
    out = pd.DataFrame({
        "area_code": codes if small else [a.code if a else c for a, c in zip(found, codes)],
        "area_name": names if small else [a.name if a else n for a, n in zip(found, names)],
        "name_in_file": names,
        "area_level": (read.area_level or "") if small else [a.level if a else (read.area_level or "") for a in found],
        "district_code": [a.code if a else None for a in found],
    }, index=table.frame.index)
    unknown = out["district_code"].isna()
    if unknown.any() and read.unknown_areas == "error":
        row = unknown.idxmax()
        what = f"{key_codes[row]} {key_names[row]}".strip() if key_codes[row] != key_names[row] else key_names[row]
        raise ConfigError([table.problem(f"unknown area '{what}' (not in the manifest's areas)", row,
                                         read.district or read.area_code or read.area_name)])
    if read.covers_focus and not (out["district_code"] == focus).any():
        raise ConfigError([table.problem(f"no row for the focus area {gaz[focus].name} ({focus}); check the area columns")])
    return out if read.unknown_areas == "keep" else out[~unknown]


def _wide(table: RawTable, source: Source, areas: pd.DataFrame) -> list[pd.DataFrame]:
    pieces = []
    for ind in source.read.indicators:
        if ind.column:
            _require(table, ind.column)
            columns = [(ind.column, ind.period or source.period)]
        else:
            rx = re.compile(ind.columns_matching)
            columns = [(c, m.group(1)) for c in table.frame.columns if (m := rx.fullmatch(c))]
            if not columns:
                raise ConfigError([table.problem(f"no column matches '{ind.columns_matching}' for '{ind.name}'", table.header_row)])
        for column, period in columns:
            values, reasons = parse_values(table, column)
            pieces.append(areas.assign(
                indicator=ind.name, unit=ind.unit, period=period, value=values[areas.index],
                missing_reason=reasons[areas.index], column=column,
                themes=";".join(ind.themes or source.themes)))
    return pieces


def _long(table: RawTable, source: Source, areas: pd.DataFrame) -> list[pd.DataFrame]:
    spec = source.read.long
    _require(table, spec.indicator, spec.value, spec.period)
    values, reasons = parse_values(table, header_key(spec.value))
    period = _text(table, spec.period) if spec.period else source.period
    piece = areas.assign(
        indicator=_text(table, spec.indicator)[areas.index], unit=spec.unit,
        period=period[areas.index] if spec.period else period,
        value=values[areas.index], missing_reason=reasons[areas.index], column=header_key(spec.value),
        themes=";".join(source.themes))
    return [piece]


def _areas_in_columns(table: RawTable, source: Source, gaz: Gazetteer, focus: str) -> list[pd.DataFrame]:
    """Tables with one column per area (Nomis exports): each indicator is a row label."""
    read = source.read
    label = header_key(read.areas_in_columns)
    _require(table, label)
    area_columns = [c for c in table.frame.columns if c != label]
    resolved = {c: gaz.resolve(name=c) for c in area_columns}
    keep = [c for c in area_columns if resolved[c] or read.unknown_areas == "keep"]
    if read.unknown_areas == "error" and len(keep) < len(area_columns):
        bad = next(c for c in area_columns if not resolved[c])
        raise ConfigError([table.problem(f"unknown area '{bad}' (not in the manifest's areas)", table.header_row, bad)])
    labels = table.frame[label].astype(str).str.strip()
    pieces = []
    for ind in read.indicators:
        rows = labels.index[labels == ind.column]
        if rows.empty:
            raise ConfigError([table.problem(f"no row labelled '{ind.column}' in column '{label}'")])
        row = rows[0]
        for c in keep:
            values, reasons = parse_values(RawTable(table.file, table.sheet, table.header_row, table.frame.loc[[row]]), c)
            a = resolved[c]
            pieces.append(pd.DataFrame({
                "area_code": [a.code if a else ""], "area_name": [a.name if a else c], "name_in_file": [c],
                "area_level": [a.level if a else ""], "district_code": [a.code if a else None],
                "indicator": [ind.name], "unit": [ind.unit], "period": [ind.period or source.period],
                "value": values.tolist(), "missing_reason": reasons.tolist(), "column": [c],
                "themes": [";".join(ind.themes or source.themes)]}, index=[row]))
    if read.covers_focus and not any(resolved[c] and resolved[c].code == focus for c in keep):
        raise ConfigError([table.problem(f"no column for the focus area {gaz[focus].name} ({focus})", table.header_row)])
    return pieces


def _statements(table: RawTable, source: Source, manifest: LoadedManifest) -> pd.DataFrame:
    spec = source.read.statements
    _require(table, spec.theme, spec.statement, spec.count)
    themes = {**{t.id: t.id for t in manifest.themes}, **{name_key(t.title): t.id for t in manifest.themes}}
    raw_theme = _text(table, spec.theme)
    theme = raw_theme.map(lambda v: themes.get(v) or themes.get(name_key(v)))
    if theme.isna().any():
        row = theme.isna().idxmax()
        raise ConfigError([table.problem(f"unknown theme '{raw_theme[row]}' (themes: {', '.join(t.id for t in manifest.themes)})", row, spec.theme)])
    if spec.count:
        counts, reasons = parse_values(table, header_key(spec.count))
        counts = counts.fillna(1)
    else:
        counts = pd.Series(1.0, index=table.frame.index)
    text = _text(table, spec.statement)
    frame = pd.DataFrame({"theme": theme, "statement": text, "key": text.map(name_key), "count": counts,
                          "row": table.frame.index}).query("statement != ''")
    grouped = (frame.groupby(["theme", "key"], sort=False)
               .agg(statement=("statement", "first"), count=("count", "sum"), rows=("row", lambda r: ",".join(map(str, r))))
               .reset_index().drop(columns="key"))
    return grouped.assign(source_id=source.id, illustrative=source.illustrative, file=source.file,
                          sheet=table.sheet or "", count=grouped["count"].astype(int)
                          ).sort_values(["theme", "count"], ascending=[True, False])[STATEMENT_COLUMNS].reset_index(drop=True)


def tidy_source(manifest: LoadedManifest, source: Source) -> SourceEvidence:
    """Read one source described in the manifest into tidy rows or statements."""
    path = manifest.path(source)
    gaz = Gazetteer(manifest.areas)
    read = source.read
    table = read_table(path, read, _wanted(read))
    empty_rows = pd.DataFrame(columns=COLUMNS)
    if read.statements:
        return SourceEvidence(source, path, empty_rows, _statements(table, source, manifest))
    if read.areas_in_columns:
        pieces = _areas_in_columns(table, source, gaz, manifest.focus)
    else:
        _require(table, read.area_code, read.area_name, read.district)
        areas = _areas(table, source, gaz, manifest.focus)
        pieces = _long(table, source, areas) if read.long else _wide(table, source, areas)
    rows = pd.concat(pieces)
    rows = rows.assign(source_id=source.id, kind=source.kind, illustrative=source.illustrative,
                       file=source.file, sheet=table.sheet or "", row=rows.index)
    return SourceEvidence(source, path, rows[COLUMNS].reset_index(drop=True), pd.DataFrame(columns=STATEMENT_COLUMNS))
