"""Every real public file in tests/data/real_data is described by a manifest entry and read as published."""

from __future__ import annotations

import math

import pytest
from .evidence_helpers import manifest_file, source

from scs_refresh.evidence.manifest import Read, load_manifest
from scs_refresh.evidence.readers import read_table
from scs_refresh.evidence.tidy import tidy_source

LSOA = {"area_code": "LSOA code (2011)", "district": "Local Authority District code (2019)", "area_level": "LSOA"}


def _read(tmp_path, real_data, name, read, **extra):
    m = load_manifest(manifest_file(tmp_path, [source(name, read, **extra)], real_data))
    return tidy_source(m, m.sources[0]).rows


def _breckland(rows):
    return rows[rows["district_code"] == "E07000143"]


def test_imd2019_file1_ranks_with_thousands_separators_and_deciles(tmp_path, real_data):
    rows = _read(tmp_path, real_data, "imd2019_file1_imd_norfolk.csv", {**LSOA, "indicators": [
        {"name": "rank", "unit": "rank", "column": "Index of Multiple Deprivation (IMD) Rank"},
        {"name": "decile", "unit": "decile", "column": "Index of Multiple Deprivation (IMD) Decile"}]})
    first = rows[(rows["area_code"] == "E01026419") & (rows["indicator"] == "rank")].iloc[0]
    assert first["value"] == 14335.0 and first["row"] == 2
    deciles = _breckland(rows[rows["indicator"] == "decile"])["value"]
    assert len(deciles) == 78 and deciles.value_counts().to_dict() == {5: 19, 6: 18, 3: 9, 7: 9, 8: 8, 2: 6, 4: 5, 9: 3, 1: 1}
    assert len(rows) == 2 * 538 and rows["value"].notna().all()


def test_imd2019_file2_domains_plain_ranks_and_long_quoted_headers(tmp_path, real_data):
    rows = _read(tmp_path, real_data, "imd2019_file2_domains_norfolk.csv", {**LSOA, "indicators": [
        {"name": "education", "unit": "decile", "column": "Education, Skills and Training Decile (where 1 is most deprived 10% of LSOAs)"},
        {"name": "imd rank", "unit": "rank", "column": "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)"}]})
    assert rows.loc[(rows["area_code"] == "E01026419") & (rows["indicator"] == "imd rank"), "value"].tolist() == [14335.0]
    assert len(_breckland(rows)) == 2 * 78


def test_imd2019_file6_population_denominators_sum_for_breckland(tmp_path, real_data):
    rows = _read(tmp_path, real_data, "imd2019_file6_popdenominators_norfolk.csv", {**LSOA, "indicators": [
        {"name": "population", "unit": "count", "column": "Total population: mid 2015 (excluding prisoners)"}]})
    assert _breckland(rows)["value"].sum() == 134787.0


def test_imd2010_old_codes_and_district_suffix_resolve_to_breckland(tmp_path, real_data):
    rows = _read(tmp_path, real_data, "imd2010_lsoa2001_norfolk_humaniverse.csv", {
        "area_code": "lsoa01_code", "district": "lad09_code", "area_level": "LSOA 2001",
        "indicators": [{"name": "IMD 2010 score", "unit": "score", "column": "IMD_score"}]})
    assert len(_breckland(rows)) == 78 and set(rows["district_code"]) <= {f"E0700014{i}" for i in range(3, 10)}


def test_gp_practices_read_without_area_codes(tmp_path, real_data):
    rows = _read(tmp_path, real_data, "gp_practice_imd2010_norfolk_pct.csv", {
        "area_code": "Practice code", "area_name": "Practice name", "district": "PCT name", "area_level": "GP practice",
        "covers_focus": False, "indicators": [{"name": "IMD 2010 score", "unit": "score", "column": "IMD 2010"}]})
    assert len(rows) == 92 and "WATTON MEDICAL PRACTICE" in set(rows["area_name"])
    assert set(rows["district_code"]) == {"E10000020"}


def test_place_survey_breckland_dc_overall_is_82_2(tmp_path, real_data):
    rows = _read(tmp_path, real_data, "place_survey_2008_ukcontentment_all_england.csv", {
        "area_name": "Authority", "unknown_areas": "keep",
        "indicators": [{"name": "Overall", "unit": "percent", "column": "Overall"}]})
    b = _breckland(rows).iloc[0]
    assert (b["value"], b["name_in_file"], b["row"]) == (82.2, "Breckland DC", 261)
    assert len(rows) == 352
    kl = rows[rows["area_code"] == "E07000146"]
    assert kl["name_in_file"].tolist() == ["Kings Lynn and West Norfolk DC"]


def test_ons_mye_xls_preamble_padding_and_leading_space_headers(tmp_path, real_data):
    rows = _read(tmp_path, real_data, "ons_mye_mid2020_ukpopestimatesmid2020on2021geography.xls", {
        "sheet": "MYE4", "header_row": 8, "area_code": "Code", "area_name": "Name",
        "indicators": [{"name": "pop", "unit": "count", "columns_matching": r"Mid-(\d{4})"}]})
    b = _breckland(rows).set_index("period")["value"]
    assert b["2020"] == 141255.0 and b["2006"] > 0 and len(b) == 20  # ' Mid-2006' has a leading space
    assert rows.loc[(rows["area_code"] == "E10000020") & (rows["period"] == "2020"), "value"].tolist() == [914039.0]
    assert _breckland(rows)["row"].iloc[0] == 209


def test_ons_mye3_no_data_is_missing_and_mye_5_sheet_name_spelling(tmp_path, real_data):
    rows = _read(tmp_path, real_data, "ons_mye_mid2020_ukpopestimatesmid2020on2021geography.xls", {
        "sheet": "MYE3", "header_row": 8, "area_code": "Code", "unknown_areas": "keep",
        "indicators": [{"name": "inflow", "unit": "count", "column": "Internal Migration Inflow"}]})
    uk = rows[rows["area_code"] == "K02000001"].iloc[0]
    assert math.isnan(uk["value"]) and uk["missing_reason"] == "no data"
    assert _breckland(rows)["value"].tolist() == [7088.0]
    table = read_table(real_data / "ons_mye_mid2020_ukpopestimatesmid2020on2021geography.xls",
                       Read(sheet="MYE5", header_row=8, area_code="Code", indicators=[{"name": "x", "unit": "count", "column": "Code"}]))
    assert table.sheet == "MYE 5" and "" not in table.frame.columns  # padding columns dropped


def test_ons_msoa_csv_cp1252_nbsp_and_quoted_thousands(tmp_path, real_data):
    rows = _read(tmp_path, real_data, "ons_sape23dt4_mid2020_msoa_syoa_england_wales.csv", {
        "area_code": "MSOA Code", "area_name": "MSOA Name", "district": "LA Code (2021 boundaries)", "area_level": "MSOA",
        "unknown_areas": "keep", "indicators": [{"name": "All ages", "unit": "count", "column": "All Ages"}]})
    assert len(_breckland(rows)) == 17 and _breckland(rows)["value"].sum() == 141255.0
    assert len(rows) == 7201
    las = _read(tmp_path, real_data, "ons_sape23dt4_mid2020_msoa_syoa_england_wales.csv", {
        "area_code": "LA Code (2021 boundaries)", "area_name": "LA name (2021 boundaries)", "unknown_areas": "keep",
        "indicators": [{"name": "All ages", "unit": "count", "column": "All Ages"}]})
    corby = las[las["row"] == 3217].iloc[0]  # written 'E06000061\xa0' in the file
    assert (corby["area_code"], corby["area_name"], corby["value"]) == ("E06000061", "North Northamptonshire", 7240.0)


def test_nomis_stacked_tables_with_areas_in_columns(tmp_path, real_data):
    spec = {"sheet": "Data", "areas_in_columns": "Age", "covers_focus": False,
            "indicators": [{"name": "All ages", "unit": "count", "column": "All Ages"}]}
    total = _read(tmp_path, real_data, "nomis_export_2021-11-22_pop_syoa_regions_2020.xlsx", {**spec, "header_row": 7})
    male = _read(tmp_path, real_data, "nomis_export_2021-11-22_pop_syoa_regions_2020.xlsx", {**spec, "header_row": 109})
    assert total.loc[total["area_code"] == "E12000006", "value"].tolist() == [6269161.0]  # 'East'
    assert male.loc[male["area_code"] == "E12000006", "value"].tolist() == [3089445.0]


def test_census_tenure_quoted_text_and_long_headers(tmp_path, real_data):
    rows = _read(tmp_path, real_data, "census2011_nomis_tenure_households_lad.csv", {
        "area_code": "geography code", "area_name": "geography",
        "indicators": [{"name": "households", "unit": "count", "column": "Tenure: All categories: Tenure; measures: Value"}]})
    assert _breckland(rows)["value"].tolist() == [54519.0]


def test_dfe_fsm_div0_kept_as_missing_with_reason(tmp_path, real_data):
    rows = _read(tmp_path, real_data, "dfe_fsm_time_series_2020-21_autumn.csv", {
        "area_code": "new_la_code", "area_name": "la_name", "covers_focus": False,
        "long": {"indicator": "phase", "period": "time_period", "value": "headcount", "unit": "count"}})
    nursery = rows[(rows["indicator"] == "State-funded nursery") & (rows["period"] == "201920")].iloc[0]
    assert math.isnan(nursery["value"]) and nursery["missing_reason"] == "spreadsheet error #DIV/0!"
    assert rows.loc[(rows["indicator"] == "Total") & (rows["period"] == "201920"), "value"].tolist() == [116611.0]


@pytest.mark.parametrize("name, rows, district", [
    ("ons_lookup_lsoa2011_to_ward2019_norfolk.csv", 538, "LAD19CD"),
    ("ons_lookup_parish_to_ward_to_lad_dec2019_norfolk.csv", 567, "LAD19CD"),
    ("ons_lookup_ward_lad_county_ced_may2019_norfolk.csv", 265, "LAD19CD"),
    ("ons_lookup_lsoa2001_to_ward2010_norfolk.csv", 530, None),
])
def test_geography_lookups_read_with_quoted_commas(real_data, name, rows, district):
    table = read_table(real_data / name, Read(area_code="FID", indicators=[{"name": "FID", "unit": "count", "column": "FID"}]))
    assert len(table.frame) == rows
    if district:
        assert "E07000143" in set(table.frame[district])
    names = set(table.frame.iloc[:, 4])
    assert not any(n.startswith('"') for n in names)
