"""The evidence base on the bundled defaults: the table, digest, charts, provenance, and the CLI."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pandas as pd
import pytest
from typer.testing import CliRunner

from .conftest import ROOT
from scs_cli.main import app
from scs_refresh.evidence.collate import collate, read_all, write
from scs_refresh.evidence.manifest import load_manifest

ON = date(2010, 12, 3)
NOW = date(2021, 7, 1)  # a current cycle: every bundled release is out (the latest, mid-2020 estimates, 25 Jun 2021)


@pytest.fixture(scope="module")
def base():
    m = load_manifest(ROOT / "config" / "evidence.yaml")
    return collate(m, read_all(m), {}, NOW)


def _headline(base, indicator):
    return next(h for t in base.digest.themes for h in t.headlines if h.indicator == indicator)


def test_imd_2019_decile_distribution_for_breckland(base):
    h = _headline(base, "IMD decile")
    assert dict(h.distribution) == {1: 1, 2: 6, 3: 9, 4: 5, 5: 19, 6: 18, 7: 9, 8: 8, 9: 3, 10: 0}
    assert h.source_id == "imd-2019" and not h.illustrative and h.period == "2019"
    assert h.source_title.endswith(", published 26 September 2019")
    assert "Of Breckland's 78 LSOAs, 7 (9%) are in the most deprived 20%" in h.text
    assert h.chart.kind == "distribution" and "decile 5: 19" in h.chart.alt_text


def test_place_survey_overall_satisfaction_82_2_attributed(base):
    h = _headline(base, "Overall satisfaction with the local area (NI 5)")
    assert h.value == 82.2 and h.period == "2008" and h.source_id == "place-survey-2008"
    assert h.cite == "place_survey_2008_ukcontentment_all_england.csv, row 261, column 'Overall'"
    assert [(c.area_name, c.value) for c in h.comparisons] == [("Norfolk", 85.3)]
    satisfied = [v for v in base.table.query("indicator == @h.indicator and name_in_file.str.endswith(' DC')", engine="python")["value"]]
    norfolk = base.table.query("indicator == @h.indicator and district_code.str.startswith('E0700014')",
                               engine="python")["value"]
    assert len(satisfied) == 201 and len(norfolk) == 7
    assert h.rank == (f"{sum(v > 82.2 for v in norfolk) + 1}th highest of 7 Norfolk districts and "
                      f"{sum(v > 82.2 for v in satisfied) + 1}th highest of 201 English district councils")


def test_population_trend_and_comparators(base):
    h = _headline(base, "Resident population")
    assert h.value == 141255.0 and h.trend[0][0] == "2001" and len(h.trend) == 20
    assert dict((c.area_name, c.value) for c in h.comparisons)["Norfolk"] == 914039.0
    assert h.chart.kind == "trend"


def test_illustrative_sources_say_so_everywhere_they_are_quoted(base):
    illustrative = [h for t in base.digest.themes for h in t.headlines if h.illustrative]
    assert illustrative and all(h.text.startswith("ILLUSTRATIVE") and "ILLUSTRATIVE" in h.chart.title for h in illustrative)
    said = [s for t in base.digest.themes for s in t.statements]
    assert said and all(s.illustrative and s.source_title.endswith("(ILLUSTRATIVE)") for s in said)
    assert set(base.table.loc[base.table["illustrative"], "source_id"]) == {
        "mori-survey", "jsna-life-expectancy", "jsna-lifestyles", "norfolk-insight"}


def test_statements_are_themed_with_counts(base):
    housing = next(t for t in base.digest.themes if t.theme_id == "environment-housing")
    top = housing.statements[0]
    assert (top.statement, top.count, top.source_id) == ("Affordable homes for local people", 154, "budget-priorities")
    ldf = [s for s in housing.statements if s.source_id == "ldf-consultation"]
    assert ("Need more affordable housing in villages", 3) in [(s.statement, s.count) for s in ldf]


def test_suppressed_values_stay_missing_in_the_table(base):
    row = base.table[(base.table["source_id"] == "jsna-lifestyles") & (base.table["area_name"] == "Norfolk")
                     & (base.table["indicator"] == "Teenage conceptions per 1,000")].iloc[0]
    assert pd.isna(row["value"]) and row["missing_reason"] == "suppressed small number (<5)"


def test_write_produces_table_digest_charts_provenance(base, tmp_path):
    folder = write(base, tmp_path)
    table = pd.read_csv(folder / "evidence.csv")
    assert len(table) == len(base.table)
    b = table[(table["source_id"] == "place-survey-2008") & (table["area_code"] == "E07000143") & (table["column"] == "Overall")]
    assert b["value"].tolist() == [82.2]
    md = (folder / "digest.md").read_text()
    assert "Breckland: 82.2% (2008)" in md and "decile 5: 19" in md and "## Provenance" in md
    pngs = sorted(p.name for p in (folder / "charts").glob("*.png"))
    assert pngs == sorted(c.file for _, c in base.digest.charts)
    assert all((folder / "charts" / p).read_bytes().startswith(b"\x89PNG") for p in pngs)
    digest = json.loads((folder / "digest.json").read_text())
    assert digest["on"] == NOW.isoformat() and len(digest["provenance"]) == len(base.digest.provenance)


def test_failed_sources_are_listed_and_earlier_output_survives_a_crash(base, tmp_path, monkeypatch):
    m = load_manifest(ROOT / "config" / "evidence.yaml")
    partial = collate(m, [e for e in read_all(m) if e.source.id != "mori-survey"], {"mori-survey": "bad file"}, NOW)
    assert [p.source_id for p in partial.digest.provenance if not p.ok] == ["mori-survey"]
    folder = write(partial, tmp_path)
    assert "FAILED: bad file" in (folder / "digest.md").read_text()

    from scs_refresh.evidence import charts

    def boom(headline):
        raise OSError("disk full")
    monkeypatch.setattr(charts, "render", boom)
    with pytest.raises(OSError):
        write(base, tmp_path)
    assert "FAILED: bad file" in (folder / "digest.md").read_text()  # the previous base is intact
    assert [p.name for p in tmp_path.iterdir()] == ["evidence"]  # no staging debris


runner = CliRunner()


def test_cli_collate_on_bundled_defaults(tmp_path):
    result = runner.invoke(app, ["--config-dir", str(ROOT / "config"), "--out-dir", str(tmp_path),
                                 "evidence", "collate", "--on", "2010-12-03"])
    assert result.exit_code == 0, result.output
    assert "ok: place-survey-2008" in result.output and (tmp_path / "evidence" / "digest.md").is_file()


def test_cli_check_one_source_and_a_bad_file_exit_2(tmp_path):
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    evidence = tmp_path / "evidence"
    shutil.copytree(ROOT / "evidence", evidence)
    ok = runner.invoke(app, ["--config-dir", str(config), "evidence", "check", "place-survey-2008"])
    assert ok.exit_code == 0 and "ok: place-survey-2008: 1760 rows" in ok.output
    (evidence / "mori_residents_survey_illustrative.csv").write_text("Area,Question,Year,Percent\nBreckland,Q,2010,lots\n")
    bad = runner.invoke(app, ["--config-dir", str(config), "--out-dir", str(tmp_path / "out"), "evidence", "collate"])
    assert bad.exit_code == 2
    assert "mori_residents_survey_illustrative.csv: row 2, column 'Percent': 'lots' is not a number" in bad.output
    assert "Traceback" not in bad.output and not (tmp_path / "out" / "evidence").exists()


def test_charts_are_redrawn_only_when_their_headline_changes(base, tmp_path, monkeypatch):
    from dataclasses import replace

    from scs_refresh.evidence import charts

    first = write(base, tmp_path)
    before = {p.name: p.read_bytes() for p in (first / "charts").glob("*.png")}

    def no_drawing(headline):
        raise AssertionError(f"redrew {headline.indicator}")

    monkeypatch.setattr(charts, "render", no_drawing)
    again = write(base, tmp_path)  # same headlines: every chart is the one drawn before
    assert {p.name: p.read_bytes() for p in (again / "charts").glob("*.png")} == before

    theme = base.digest.themes[0]
    changed = replace(theme.headlines[0], text=theme.headlines[0].text + " (revised)")
    digest = replace(base.digest, themes=(replace(theme, headlines=(changed, *theme.headlines[1:])),
                                          *base.digest.themes[1:]))
    with pytest.raises(AssertionError, match="redrew"):
        write(replace(base, digest=digest), tmp_path)
    assert {p.name: p.read_bytes() for p in (tmp_path / "evidence" / "charts").glob("*.png")} == before


def test_charts_laid_out_once_are_the_pictures_matplotlib_lays_out(base):
    """render lays a chart out itself to draw it once, not savefig's three passes: the PNG must be byte for byte
    the one matplotlib's own constrained layout saves, for every kind of chart (a matplotlib upgrade may differ)."""
    import io
    from dataclasses import replace

    from scs_refresh.evidence import charts

    kinds = {}
    for h, c in base.digest.charts:
        kinds.setdefault((c.kind, bool(h.ranking), bool(h.comparator_trends)), h)
        if c.kind == "trend":  # a trend without comparators, and a distribution without the neighbours' shares
            kinds.setdefault(("trend", True, False), replace(h, comparator_trends=()))
        if c.kind == "distribution":
            kinds.setdefault(("distribution", False, False), replace(h, ranking=()))
    assert len(kinds) == 6  # bars ranked or not, IMD with and without shares, trends with and without comparators
    for headline in kinds.values():
        fig = charts.figure(headline)
        fig.set_layout_engine("constrained")
        saved = io.BytesIO()
        fig.savefig(saved, format="png", metadata={"Title": headline.chart.title,
                                                   "Description": headline.chart.alt_text})
        assert charts.render(headline) == saved.getvalue(), headline.chart.file


def test_collated_again_only_when_a_source_changes(tmp_path, monkeypatch):
    from scs_refresh.evidence import collate as collating
    from scs_refresh.evidence.collate import collate_and_write

    shutil.copytree(ROOT / "evidence", tmp_path / "evidence")
    shutil.copytree(ROOT / "config", tmp_path / "config")
    manifest = load_manifest(tmp_path / "config" / "evidence.yaml")
    survey = tmp_path / "evidence" / "mori_residents_survey_illustrative.csv"
    survey.write_text(survey.read_text() + "\n")  # sources no other test has collated in this process
    reads = []
    monkeypatch.setattr(collating, "read_all", lambda m: reads.append({s.id for s in m.sources}) or read_all(m))
    out = tmp_path / "out"
    _, folder = collate_and_write(manifest, out, ON)
    written = (folder / "evidence.csv").stat().st_mtime_ns
    collate_and_write(manifest, out, date(2011, 2, 3))  # nothing changed: neither read nor written again
    assert len(reads) == 1 and (folder / "evidence.csv").stat().st_mtime_ns == written

    (folder / "digest.md").unlink()  # an incomplete evidence base on disk is written again
    collate_and_write(manifest, out, date(2011, 2, 3))
    assert (folder / "digest.md").is_file() and len(reads) == 1

    survey.write_text(survey.read_text() + "\n")
    base, _ = collate_and_write(manifest, out, date(2011, 2, 3))
    assert len(reads) == 2 and base.digest.on == date(2011, 2, 3)
    assert json.loads((folder / "collated-from.json").read_text())["on"] == "2011-02-03"

    # A day with a release out that was not out before (IMD 2010, 24 March 2011) collates again ...
    base, _ = collate_and_write(manifest, out, date(2011, 3, 24))
    assert len(reads) == 3 and "imd-2010" in {p.source_id for p in base.digest.provenance}
    assert reads[-1] == {"imd-2010"}  # only the new release is read: the others are as read for 3 February
    assert json.loads((folder / "collated-from.json").read_text())["on"] == "2011-03-24"
    # ... and the days after it, with the same releases out, share that collation
    collate_and_write(manifest, out, date(2011, 4, 7))
    assert len(reads) == 3
    # a day before it is a different set of releases again: no IMD 2010 in it (collated from the sources as read)
    base, _ = collate_and_write(manifest, out, date(2011, 3, 23))
    assert len(reads) == 3 and "imd-2010" not in {p.source_id for p in base.digest.provenance}
    assert "imd-2010" not in set(pd.read_csv(folder / "evidence.csv")["source_id"])

def test_every_value_label_on_a_comparison_bar_can_be_read(base, monkeypatch):
    """A value written on its bar is black or white, whichever reaches 4.5:1 on that bar's colour."""
    from matplotlib.axes import Axes
    from matplotlib.colors import to_hex

    from scs_refresh.core.colour import contrast
    from scs_refresh.evidence import charts

    drawn = {}
    real_barh, real_text = Axes.barh, Axes.text

    def barh(ax, y, width, *a, color=None, **kw):
        drawn["bars"] = real_barh(ax, y, width, *a, color=color, **kw)
        return drawn["bars"]

    def text(ax, x, y, s, *a, color=None, **kw):
        label = real_text(ax, x, y, s, *a, color=color, **kw)
        drawn.setdefault("labels", []).append((y, label))
        return label

    monkeypatch.setattr(Axes, "barh", barh)
    monkeypatch.setattr(Axes, "text", text)
    compared = [h for t in base.digest.themes for h in t.headlines  # bars of areas, and of the neighbours' shares
                if h.chart and (h.chart.kind == "comparison" or h.chart.kind == "distribution" and h.ranking)]
    assert {h.chart.kind for h in compared} == {"comparison", "distribution"}
    for headline in compared:
        drawn.clear()
        charts.render(headline)
        assert len(drawn["labels"]) == len(drawn["bars"]) >= 2
        for y, label in drawn["labels"]:  # as drawn: inside its bar, or past the bar's end on the white page
            text, bar = label.get_window_extent(), drawn["bars"][y].get_window_extent()
            assert text.x1 <= bar.x1 + 1 or text.x0 >= bar.x1 - 1, (headline.indicator, label.get_text(), "straddles")
            assert text.x1 <= label.axes.get_window_extent().x1, (headline.indicator, label.get_text(), "off the chart")
            behind = to_hex(drawn["bars"][y].get_facecolor()) if text.x1 <= bar.x1 + 1 else "#ffffff"
            assert contrast(to_hex(label.get_color()), behind) >= 4.5, (headline.indicator, label.get_text(), behind)
