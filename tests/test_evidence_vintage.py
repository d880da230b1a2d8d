"""Evidence by release: as at a day, only releases published by then, the latest per indicator,
each quoted with its release, and the releases still awaited named as such.

Pinned to the real publication dates: Place Survey 2008 on 23 June 2009, the English Indices of
Deprivation 2010 on 24 March 2011, IoD 2019 on 26 September 2019, the mid-2020 population
estimates on 25 June 2021.
"""

from __future__ import annotations

import shutil
from datetime import date

import pytest
import yaml
from typer.testing import CliRunner

from .conftest import ROOT
from .evidence_helpers import manifest_file, source
from scs_cli.main import app
from scs_refresh.evidence.collate import collate, markdown, read_all
from scs_refresh.evidence.manifest import load_manifest

BOARD_PAPERS_WRITTEN = date(2010, 11, 18)  # the 3 December 2010 Board's papers
IMD_2010_OUT = date(2011, 3, 24)


@pytest.fixture(scope="module")
def manifest():
    return load_manifest(ROOT / "config" / "evidence.yaml")


def _as_at(manifest, on):
    return collate(manifest, read_all(manifest.as_at(on)), {}, on)


def _headlines(base):
    return [h for t in base.digest.themes for h in t.headlines]


def test_the_november_2010_evidence_quotes_nothing_published_later(manifest):
    base = _as_at(manifest, BOARD_PAPERS_WRITTEN)
    assert all(p.published <= BOARD_PAPERS_WRITTEN for p in base.digest.provenance)
    quoted = {p.source_id for p in base.digest.provenance}
    assert not quoted & {"imd-2019", "imd-2019-domains", "ons-mye-2020", "imd-2010", "budget-priorities"}
    assert "place-survey-2008" in quoted
    assert not [h for h in _headlines(base) if "IMD" in h.indicator or h.indicator == "Resident population"]
    assert set(base.table["source_id"]) <= {s.id for s in manifest.released(BOARD_PAPERS_WRITTEN)}
    # IMD 2010 was expected, so it is named as awaited; IMD 2019 was not, so it is not mentioned at all
    context = next(t for t in base.digest.themes if t.theme_id == "context")
    assert [a.text for a in context.awaited] == [
        "English Indices of Deprivation 2010 (IMD ranks and deciles, Norfolk 2001 LSOAs): expected spring 2011"]
    md = markdown(base.digest)
    assert "expected spring 2011" in md and "2019" not in md and "mid-2020" not in md


def test_every_quoted_figure_names_its_release(manifest):
    base = _as_at(manifest, BOARD_PAPERS_WRITTEN)
    survey = next(h for h in _headlines(base) if h.indicator == "Overall satisfaction with the local area (NI 5)")
    assert survey.source_title == "Place Survey 2008 (NI 1, 2, 4, 5, 42), all English councils, published 23 June 2009"
    assert survey.chart is None or "published 23 June 2009" in survey.chart.alt_text
    assert all(", published " in h.source_title for h in _headlines(base))
    assert all(", published " in s.source_title for t in base.digest.themes for s in t.statements)


def test_imd_2010_from_the_day_it_was_published(manifest):
    before = _as_at(manifest, IMD_2010_OUT.replace(day=23))
    assert not [h for h in _headlines(before) if h.indicator == "IMD decile"]
    base = _as_at(manifest, IMD_2010_OUT)
    imd = next(h for h in _headlines(base) if h.indicator == "IMD decile")
    assert imd.source_id == "imd-2010" and imd.period == "2010"
    assert dict(imd.distribution) == {1: 1, 2: 0, 3: 6, 4: 9, 5: 7, 6: 18, 7: 16, 8: 12, 9: 9, 10: 0}
    assert "Of Breckland's 78 LSOAs, 1 (1%) is in the most deprived 20% in England" in imd.text
    assert imd.source_title.endswith("published 24 March 2011")
    assert "2010" in imd.chart.title and not base.digest.awaited


def test_a_later_release_supersedes_an_earlier_one_indicator_by_indicator(manifest):
    base = _as_at(manifest, date(2021, 7, 1))
    imd = next(h for h in _headlines(base) if h.indicator == "IMD decile")
    assert imd.source_id == "imd-2019" and "7 (9%) are in the most deprived 20%" in imd.text
    assert "imd-2010" not in {p.source_id for p in base.digest.provenance}
    assert set(base.table.loc[base.table["indicator"] == "IMD rank", "source_id"]) == {"imd-2019"}


def test_an_indicator_missing_from_the_latest_release_comes_from_the_one_before(tmp_path):
    folder = tmp_path / "evidence"
    folder.mkdir()
    (folder / "old.csv").write_text("Area,Crime,Homes\nBreckland,50,100\nNorfolk,60,900\n")
    (folder / "new.csv").write_text("Area,Crime\nBreckland,45\nNorfolk,58\n")
    read = lambda *names: {"area_name": "Area", "indicators": [  # noqa: E731
        {"name": n, "unit": "rate", "column": n} for n in names]}
    m = load_manifest(manifest_file(tmp_path, [
        source("old.csv", read("Crime", "Homes"), id="insight-2010", series="insight", published="2010-11-15",
               period="2010"),
        source("new.csv", read("Crime"), id="insight-2011", series="insight", published="2011-11-15", period="2011",
               expected="November 2011")], folder))
    early = collate(m, read_all(m.as_at(date(2011, 6, 1))), {}, date(2011, 6, 1))
    assert {(h.indicator, h.source_id, h.value) for h in _headlines(early)} == {
        ("Crime", "insight-2010", 50.0), ("Homes", "insight-2010", 100.0)}
    assert [a.text for a in early.digest.awaited] == ["Test source: expected November 2011"]
    late = collate(m, read_all(m), {}, date(2012, 1, 1))  # everything read: only what was out counts, latest first
    assert {(h.indicator, h.source_id, h.value) for h in _headlines(late)} == {
        ("Crime", "insight-2011", 45.0), ("Homes", "insight-2010", 100.0)}
    assert [p.source_id for p in late.digest.provenance] == ["insight-2010", "insight-2011"]
    assert not late.digest.awaited


def test_a_release_read_but_not_yet_published_is_left_out(manifest):
    base = collate(manifest, read_all(manifest), {}, BOARD_PAPERS_WRITTEN)  # e.g. the flow read every file
    assert all(p.published <= BOARD_PAPERS_WRITTEN for p in base.digest.provenance)
    assert "imd-2019" not in set(base.table["source_id"])


def test_scs_check_rejects_a_source_without_its_publication_date_or_period(tmp_path):
    shutil.copytree(ROOT / "config", tmp_path / "config")
    file = tmp_path / "config" / "evidence.yaml"
    data = yaml.safe_load(file.read_text())
    data["sources"][4].pop("published")
    data["sources"][5].pop("period")
    file.write_text(yaml.safe_dump(data, sort_keys=False))
    result = CliRunner().invoke(app, ["--config-dir", str(tmp_path / "config"), "check"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = [line for line in result.output.strip().splitlines() if line.startswith("error: ")]
    assert len(lines) == 2
    assert lines[0].startswith(f"error: {file}:") and "sources[4].published" in lines[0] \
        and "the key 'published' is required but missing" in lines[0]
    assert "sources[5].period" in lines[1] and "the key 'period' is required but missing" in lines[1]
