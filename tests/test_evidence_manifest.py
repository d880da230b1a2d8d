"""The evidence manifest: the bundled one loads; each kind of mistake is located by file, line and key."""

from __future__ import annotations

import pytest
import yaml

from .conftest import ROOT
from scs_refresh.workspace import check_all
from scs_refresh.core.errors import ConfigError
from scs_refresh.evidence.manifest import load_manifest


def test_bundled_manifest_loads_and_marks_illustrative_sources():
    m = load_manifest(ROOT / "config" / "evidence.yaml")
    kinds = {s.kind for s in m.sources}
    assert {"place-survey", "mori-survey", "budget-priorities", "ldf-consultation", "partner-consultation",
            "focus-groups", "jsna", "norfolk-insight"} <= kinds
    assert all(m.path(s).is_file() for s in m.sources)
    assert all(s.illustrative == ("illustrative" in s.file) for s in m.sources)
    assert m.source("mori_residents_survey_illustrative.csv").label.endswith("(ILLUSTRATIVE)")


def test_scs_check_validates_the_evidence_manifest(config_dir):
    assert "evidence.yaml" in check_all(config_dir)


def _broken(config_dir, change) -> str:
    file = config_dir / "evidence.yaml"
    data = yaml.safe_load((ROOT / "config" / "evidence.yaml").read_text())  # each change on a fresh copy
    change(data)
    file.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(ConfigError) as err:
        load_manifest(file)
    return str(err.value)


def test_unknown_theme_is_located(config_dir):
    msg = _broken(config_dir, lambda d: d["sources"][2].update(themes=["sport"]))
    assert "evidence.yaml:" in msg and "sources[2].themes[0]" in msg and "unknown theme 'sport'" in msg


def test_missing_key_and_unknown_key(config_dir):
    assert "the key 'publisher' is required" in _broken(config_dir, lambda d: d["sources"][0].pop("publisher"))
    assert "unknown key 'colour'" in _broken(config_dir, lambda d: d["sources"][0].update(colour="red"))


def test_duplicate_source_id(config_dir):
    msg = _broken(config_dir, lambda d: d["sources"][1].update(id=d["sources"][0]["id"]))
    assert "sources[1].id" in msg and "used twice" in msg


def test_bad_regex_and_impossible_date(config_dir):
    def regex(d):
        d["sources"][3]["read"]["indicators"][0]["columns_matching"] = "Mid-\\d{4}"
    assert "exactly one (group)" in _broken(config_dir, regex)
    assert "2010-02-30 is not a real date" in _broken(config_dir, lambda d: d["sources"][0].update(published="2010-02-30"))


def test_focus_must_be_a_listed_area(config_dir):
    assert "'E07000999' is not one of the areas" in _broken(config_dir, lambda d: d.update(focus="E07000999"))


def test_read_needs_one_shape_and_an_area_column(config_dir):
    def both(d):
        d["sources"][0]["read"]["long"] = {"indicator": "a", "value": "b", "unit": "count"}
    assert "exactly one of 'indicators', 'long' or 'statements'" in _broken(config_dir, both)

    def no_area(d):
        d["sources"][0]["read"].pop("area_code")
        d["sources"][0]["read"].pop("area_name")
    assert "say which column holds the area" in _broken(config_dir, no_area)
