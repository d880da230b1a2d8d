"""Comparators an officer uses: Breckland ranked among its configured neighbours (the other Norfolk
districts, the list's source stated) and among English districts where a file covers them, which
end is better taken from the manifest, the direction of travel since the previous release that
was out on the day, and charts that show the neighbours and comparators.

Pinned to the real release dates: Place Survey 2008 (23 June 2009), IMD 2010 (24 March 2011),
IMD 2019 (26 September 2019).
"""

from __future__ import annotations

import csv
import shutil
from datetime import date

import pytest
import yaml
from typer.testing import CliRunner

from .conftest import ROOT
from .evidence_helpers import manifest_file, source
from scs_cli.main import app
from scs_refresh.evidence import charts
from scs_refresh.evidence.collate import collate, markdown, read_all
from scs_refresh.evidence.manifest import load_manifest

BOARD_PAPERS_WRITTEN = date(2010, 11, 18)  # the 3 December 2010 Board's papers
IMD_2010_OUT, IMD_2019_OUT = date(2011, 3, 24), date(2019, 9, 26)
NORFOLK_DISTRICTS = {"Breckland", "Broadland", "Great Yarmouth", "Kings Lynn and West Norfolk", "North Norfolk",
                     "Norwich", "South Norfolk"}


@pytest.fixture(scope="module")
def manifest():
    return load_manifest(ROOT / "config" / "evidence.yaml")


def _headline(manifest, on, indicator):
    base = collate(manifest, read_all(manifest.as_at(on)), {}, on)
    return next(h for t in base.digest.themes for h in t.headlines if h.indicator == indicator)


def _place_survey(column):
    """The Place Survey figures straight from the bundled file: {council as the file names it: value}."""
    with open(ROOT / "evidence" / "place_survey_2008_ukcontentment_all_england.csv", encoding="utf-8-sig") as f:
        return {r["Authority"]: float(r[column]) for r in csv.DictReader(f)}


def _ordinal(n):
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


@pytest.mark.parametrize("indicator, column, better", [
    ("Overall satisfaction with the local area (NI 5)", "Overall", "higher"),
    ("Drug use or dealing seen as a problem (NI 42)", "Drug_Use_And_Selling", "lower"),
])
def test_place_survey_ranks_recomputed_from_the_file(manifest, indicator, column, better):
    figures = _place_survey(column)
    norfolk = {name: v for name, v in figures.items() if name.removesuffix(" DC") in NORFOLK_DISTRICTS}
    districts = [v for name, v in figures.items() if name.endswith(" DC")]
    mine = figures["Breckland DC"]
    ahead = (lambda vs: sum(v < mine for v in vs)) if better == "lower" else (lambda vs: sum(v > mine for v in vs))
    end = "lowest" if better == "lower" else "highest"
    h = _headline(manifest, BOARD_PAPERS_WRITTEN, indicator)
    assert len(norfolk) == 7 and len(districts) == 201
    assert h.rank == (f"{_ordinal(ahead(norfolk.values()) + 1)} {end} of 7 Norfolk districts and "
                      f"{_ordinal(ahead(districts) + 1)} {end} of 201 English district councils")
    assert f"Ranked {h.rank} ({better} is better)." in h.text
    # the ranking runs best first, Breckland in its place among the other six
    values = [c.value for c in h.ranking]
    assert values == sorted(norfolk.values(), reverse=better == "higher") and h.better == better
    assert {c.area_name for c in h.ranking} == {a.name for a in manifest.areas if a.level == "district"}


def test_no_direction_of_travel_before_a_second_release_is_out(manifest):
    survey = _headline(manifest, BOARD_PAPERS_WRITTEN, "Overall satisfaction with the local area (NI 5)")
    first = "First release in the evidence base, so no direction of travel yet."
    assert survey.direction == first and survey.text.endswith(first)
    imd = _headline(manifest, IMD_2010_OUT, "IMD decile")
    assert imd.source_id == "imd-2010" and imd.direction == first
    # the day before IMD 2019 was published: still IMD 2010, still no direction, and 2019 is not mentioned
    eve = _headline(manifest, IMD_2019_OUT.replace(day=25), "IMD decile")
    assert eve.source_id == "imd-2010" and eve.direction == first and "2019" not in eve.chart.alt_text


def test_imd_direction_of_travel_2010_to_2019(manifest):
    h = _headline(manifest, IMD_2019_OUT, "IMD decile")
    assert h.source_id == "imd-2019"
    # 1 of Breckland's 78 2001 LSOAs in deciles 1-2 in IMD 2010; 7 of its 78 2011 LSOAs in IMD 2019
    assert h.direction == ("Worse than in English Indices of Deprivation 2010 (IMD ranks and deciles, Norfolk 2001 "
                           "LSOAs), published 24 March 2011: 1 of 78 (1%) then, 7 of 78 (9%) now.")
    assert h.better == "lower"  # deciles: higher is better, so a smaller share in deciles 1-2 is better
    shares = {c.area_name: c.value for c in h.ranking}
    assert shares["Breckland"] == pytest.approx(100 * 7 / 78) and len(shares) == 7
    assert h.rank == f"{_ordinal(sum(v < shares['Breckland'] for v in shares.values()) + 1)} lowest of 7 Norfolk districts"
    assert f"On that share, ranked {h.rank} (lower is better)." in h.text
    assert all(f"{name} {value:.1f}%" in h.chart.alt_text for name, value in shares.items())


def _two_releases(tmp_path, old, new, better=None, published_new="2011-11-15"):
    folder = tmp_path / "evidence"
    folder.mkdir(exist_ok=True)
    rows = lambda figures: "Area,Crime\n" + "".join(f"{a},{v}\n" for a, v in figures.items())  # noqa: E731
    (folder / "old.csv").write_text(rows(old))
    (folder / "new.csv").write_text(rows(new))
    read = {"area_name": "Area", "indicators": [{"name": "Crime", "unit": "rate", "column": "Crime",
                                                 **({"better": better} if better else {})}]}
    return load_manifest(manifest_file(tmp_path, [
        source("old.csv", read, id="insight-2010", series="insight", published="2010-11-15"),
        source("new.csv", read, id="insight-2011", series="insight", published=published_new, period="2011")],
        folder))


@pytest.mark.parametrize("better, old, new, said", [
    ("lower", 50, 45, "Better than in"), ("lower", 45, 50, "Worse than in"), ("higher", 45, 50, "Better than in"),
    (None, 45, 50, "Up from 45.0 in"), (None, 50, 45, "Down from 50.0 in"), ("lower", 45, 45, "The same as in"),
])
def test_direction_follows_the_polarity_in_the_manifest(tmp_path, better, old, new, said):
    m = _two_releases(tmp_path, {"Breckland": old, "Norfolk": 60, "Norwich": 70},
                      {"Breckland": new, "Norfolk": 58, "Norwich": 40}, better)
    on = date(2012, 1, 1)
    h = next(h for t in collate(m, read_all(m.as_at(on)), {}, on).digest.themes for h in t.headlines)
    assert h.source_id == "insight-2011" and h.direction.startswith(said)
    assert "Test source, published 15 November 2010" in h.direction
    behind = (new > 40) if better == "lower" else (new < 40)  # Norwich, the one neighbour in the file, has 40
    end = "lowest" if better == "lower" else "highest"
    assert h.rank == f"{'2nd' if behind else 'the'} {end} of 2 Norfolk districts"


def test_direction_only_from_releases_out_on_the_day(tmp_path):
    m = _two_releases(tmp_path, {"Breckland": 50, "Norwich": 70}, {"Breckland": 45, "Norwich": 40}, "lower")
    read_everything = read_all(m)  # a flow may read every file; only what was out on the day counts
    before = collate(m, read_everything, {}, date(2011, 11, 14))
    h = next(h for t in before.digest.themes for h in t.headlines)
    assert h.source_id == "insight-2010" and h.direction.startswith("First release")
    assert "45" not in h.text and h.rank == "the lowest of 2 Norfolk districts"
    after = collate(m, read_everything, {}, date(2011, 11, 15))
    h = next(h for t in after.digest.themes for h in t.headlines)
    assert h.direction == "Better than in Test source, published 15 November 2010: 50.0 then, 45.0 now."
    assert h.rank == "2nd lowest of 2 Norfolk districts"


def test_ranks_and_directions_are_worded_from_the_manifest(tmp_path):
    m = _two_releases(tmp_path, {"Breckland": 50, "Norwich": 70}, {"Breckland": 45, "Norwich": 40}, "lower")
    data = yaml.safe_load(m.file.read_text())
    data["wording"].update(ranked="Placed {ranks}{polarity}.", rank="{position} {end} among {count} {group}")
    data["wording"]["direction"]["better"] = "Improved since {previous} (was {then}, now {now})."
    data["neighbours"]["group"] = "districts the Partnership compares itself with"
    m.file.write_text(yaml.safe_dump(data, sort_keys=False))
    m = load_manifest(m.file)
    on = date(2012, 1, 1)
    base = collate(m, read_all(m.as_at(on)), {}, on)
    h = next(h for t in base.digest.themes for h in t.headlines)
    assert ("Placed 2nd lowest among 2 districts the Partnership compares itself with (lower is better). "
            "Improved since Test source, published 15 November 2010 (was 50.0, now 45.0).") in h.text
    assert "Source of the list: the other six district councils in Norfolk" in markdown(base.digest)


def test_comparison_chart_shows_the_neighbours_then_the_comparators(manifest, monkeypatch):
    from matplotlib.axes import Axes
    from matplotlib.colors import to_hex

    h = _headline(manifest, BOARD_PAPERS_WRITTEN, "Overall satisfaction with the local area (NI 5)")
    drawn = {}
    real = Axes.barh

    def barh(ax, y, width, *a, color=None, **kw):
        drawn.update(labels=list(y)[::-1], values=list(width)[::-1], colours=[to_hex(c) for c in color][::-1])
        return real(ax, y, width, *a, color=color, **kw)

    monkeypatch.setattr(Axes, "barh", barh)
    charts.render(h)
    figures = _place_survey("Overall")
    norfolk = sorted(((v, n.removesuffix(" DC").replace("Kings", "King's")) for n, v in figures.items()
                      if n.removesuffix(" DC") in NORFOLK_DISTRICTS), reverse=True)
    assert drawn["labels"] == [n for _, n in norfolk] + ["Norfolk"]  # top to bottom: best first, then the county
    assert drawn["values"] == [v for v, _ in norfolk] + [figures["Norfolk CC"]]
    focus = drawn["colours"][drawn["labels"].index("Breckland")]
    assert drawn["colours"].count(focus) == 1  # only Breckland is drawn in the dark colour
    assert all(f"{n} {v:.1f}%" in h.chart.alt_text for v, n in norfolk)


def test_without_neighbours_there_is_no_neighbour_rank(tmp_path):
    shutil.copytree(ROOT / "config", tmp_path / "config")
    file = tmp_path / "config" / "evidence.yaml"
    data = yaml.safe_load(file.read_text())
    data.pop("neighbours")
    data["evidence_dir"] = str(ROOT / "evidence")
    file.write_text(yaml.safe_dump(data, sort_keys=False))
    m = load_manifest(file)
    h = _headline(m, BOARD_PAPERS_WRITTEN, "Overall satisfaction with the local area (NI 5)")
    assert h.rank.endswith("of 201 English district councils") and " and " not in h.rank and not h.ranking
    assert "Norfolk districts" not in markdown(collate(m, read_all(m.as_at(BOARD_PAPERS_WRITTEN)), {},
                                                       BOARD_PAPERS_WRITTEN).digest)


@pytest.mark.parametrize("districts, key, message", [
    (["E07000144", "E07000143"], "neighbours.districts[1]", "is the focus area itself"),
    (["E07000144", "E07000999"], "neighbours.districts[1]", "is not one of the areas listed under 'areas'"),
    (["E07000144", "E07000144"], "neighbours.districts[1]", "is listed twice"),
])
def test_scs_check_rejects_a_bad_neighbour_list(tmp_path, districts, key, message):
    shutil.copytree(ROOT / "config", tmp_path / "config")
    file = tmp_path / "config" / "evidence.yaml"
    data = yaml.safe_load(file.read_text())
    data["neighbours"]["districts"] = districts
    file.write_text(yaml.safe_dump(data, sort_keys=False))
    result = CliRunner().invoke(app, ["--config-dir", str(tmp_path / "config"), "check"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = [line for line in result.output.strip().splitlines() if line.startswith("error: ")]
    assert len(lines) == 1 and lines[0].startswith(f"error: {file}:") and key in lines[0] and message in lines[0]


def test_scs_check_rejects_a_neighbour_list_without_its_source(tmp_path):
    shutil.copytree(ROOT / "config", tmp_path / "config")
    file = tmp_path / "config" / "evidence.yaml"
    data = yaml.safe_load(file.read_text())
    data["neighbours"].pop("source")
    file.write_text(yaml.safe_dump(data, sort_keys=False))
    result = CliRunner().invoke(app, ["--config-dir", str(tmp_path / "config"), "check"])
    assert result.exit_code == 2 and "neighbours.source" in result.output
    assert "the key 'source' is required but missing" in result.output


def test_the_population_trend_chart_indexes_breckland_and_the_comparators(manifest, monkeypatch):
    from matplotlib.axes import Axes

    on = date(2021, 7, 1)  # the mid-2020 estimates were published on 25 June 2021
    base = collate(manifest, read_all(manifest.as_at(on)), {}, on)
    h = next(h for t in base.digest.themes for h in t.headlines if h.indicator == "Resident population")
    rows = base.table[base.table["indicator"] == "Resident population"]

    def figure(name, period):
        return float(rows.loc[(rows["area_name"] == name) & (rows["period"] == period), "value"].iloc[0])

    assert [name for name, _ in h.comparator_trends] == ["Norfolk", "East of England", "England"]
    assert dict(h.comparator_trends)["Norfolk"][-1] == ("2020", figure("Norfolk", "2020")) == ("2020", 914039.0)
    growth = 100 * (figure("England", "2020") - figure("England", "2001")) / figure("England", "2001")
    assert f"England: 56,550,138 in 2020, {growth:+.1f}% since 2001." in h.chart.alt_text
    assert h.chart.title == "Resident population, 2001-2020 (2001 = 100)"
    lines = []
    real = Axes.plot
    monkeypatch.setattr(Axes, "plot", lambda ax, x, y, *a, **kw: lines.append((kw["label"], list(y))) or real(ax, x, y, *a, **kw))
    charts.render(h)
    assert [label for label, _ in lines] == [
        f"{name} ({100 * figure(name, '2020') / figure(name, '2001'):.1f})"
        for name in ("Breckland", "Norfolk", "East of England", "England")]
    assert all(index[0] == 100 for _, index in lines)


def test_scs_check_rejects_wording_with_a_field_it_cannot_fill_in(tmp_path):
    shutil.copytree(ROOT / "config", tmp_path / "config")
    file = tmp_path / "config" / "evidence.yaml"
    data = yaml.safe_load(file.read_text())
    data["wording"]["ranked"] = "Ranked {rnks}."
    data["wording"]["direction"]["worse"] = "Worse than {previous} ({was})."
    file.write_text(yaml.safe_dump(data, sort_keys=False))
    result = CliRunner().invoke(app, ["--config-dir", str(tmp_path / "config"), "check"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = [line for line in result.output.strip().splitlines() if line.startswith("error: ")]
    assert len(lines) == 2 and all(line.startswith(f"error: {file}:") for line in lines)
    assert "wording.ranked" in lines[0] and "'Ranked {rnks}.' cannot be filled in" in lines[0] and "{ranks}" in lines[0]
    assert "wording.direction.worse" in lines[1] and "{then}" in lines[1]
