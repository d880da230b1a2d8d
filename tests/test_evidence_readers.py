"""Readers on tiny files, one per quirk the real files have, and their failures."""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pytest
from .evidence_helpers import manifest_file, source

from scs_refresh.core.errors import ConfigError
from scs_refresh.evidence.manifest import Read, load_manifest
from scs_refresh.evidence.readers import missing_reason, parse_values, read_table
from scs_refresh.evidence.tidy import tidy_source

COUNCILS = {"area_name": "Area", "indicators": [{"name": "Value", "unit": "count", "column": "Value"}]}


def _tidy(tmp_path: Path, name: str, data: bytes, read: dict, **extra):
    folder = tmp_path / "evidence"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data)
    m = load_manifest(manifest_file(tmp_path, [source(name, read, **extra)], folder))
    return tidy_source(m, m.sources[0])


def _values(ev, area="Breckland"):
    return ev.rows.loc[ev.rows["area_name"] == area, "value"].tolist()


def test_bom_crlf_no_final_newline_and_thousands_separators(tmp_path):
    data = "\ufeffArea,Value\r\nBreckland,\"29,199\"\r\nNorfolk,5".encode("utf-8")
    ev = _tidy(tmp_path, "a.csv", data, COUNCILS)
    assert _values(ev) == [29199.0]
    assert _values(ev, "Norfolk") == [5.0]
    assert ev.rows["row"].tolist() == [2, 3]


def test_cp1252_with_non_breaking_spaces_after_codes(tmp_path):
    data = "Code,Name,Value\nE07000143\xa0,Breckland\xa0,7\nE07000146,King\x92s Lynn and West Norfolk,8\n".encode("latin-1")
    ev = _tidy(tmp_path, "a.csv", data, {"area_code": "Code", "area_name": "Name",
                                         "indicators": [{"name": "V", "unit": "count", "column": "Value"}]})
    assert dict(zip(ev.rows["area_code"], ev.rows["value"])) == {"E07000143": 7.0, "E07000146": 8.0}
    assert "King\u2019s Lynn and West Norfolk" in ev.rows["name_in_file"].tolist()


def test_preamble_rows_and_header_with_stray_spaces(tmp_path):
    data = b"Title of the table\nDownloaded 1/1/2011\n\n Area ,  Value \nBreckland,3\n"
    ev = _tidy(tmp_path, "a.csv", data, {**COUNCILS, "header_row": 4})
    assert _values(ev) == [3.0]
    assert ev.rows["row"].tolist() == [5]


@pytest.mark.parametrize("cell, reason", [
    ("*", "suppressed (*)"), ("..", "not available (..)"), ("<5", "suppressed small number (<5)"),
    ("No data", "no data"), ("#DIV/0!", "spreadsheet error #DIV/0!"), ("", "blank"),
])
def test_suppressed_cells_are_missing_with_reason_never_zero(tmp_path, cell, reason):
    data = f"Area,Value\nBreckland,{cell}\nNorfolk,0\n".encode()
    ev = _tidy(tmp_path, "a.csv", data, COUNCILS)
    row = ev.rows[ev.rows["area_name"] == "Breckland"].iloc[0]
    assert math.isnan(row["value"]) and row["missing_reason"] == reason
    assert _values(ev, "Norfolk") == [0.0]  # a real zero stays a zero


def test_text_where_a_number_must_be_names_file_row_and_column(tmp_path):
    with pytest.raises(ConfigError) as err:
        _tidy(tmp_path, "a.csv", b"Area,Value\nNorfolk,1\nBreckland,lots\n", COUNCILS)
    assert "a.csv" in str(err.value) and "row 3" in str(err.value) and "column 'Value'" in str(err.value)
    assert "'lots' is not a number" in str(err.value)


@pytest.mark.parametrize("name", ["Breckland DC", "Breckland District", "Breckland", "BRECKLAND DISTRICT COUNCIL"])
def test_council_name_spellings_resolve_to_one_area(tmp_path, name):
    ev = _tidy(tmp_path, "a.csv", f"Area,Value\n{name},1\n".encode(), COUNCILS)
    assert ev.rows[["area_code", "area_name", "name_in_file"]].values.tolist() == [["E07000143", "Breckland", name]]


@pytest.mark.parametrize("code", ["33UB", "E07000143"])
def test_old_and_new_area_codes_resolve(tmp_path, code):
    ev = _tidy(tmp_path, "a.csv", f"Code,Value\n{code},1\n".encode(),
               {"area_code": "Code", "indicators": [{"name": "V", "unit": "count", "column": "Value"}]})
    assert ev.rows["area_code"].tolist() == ["E07000143"]


def test_unknown_area_is_an_error_when_the_manifest_says_so(tmp_path):
    with pytest.raises(ConfigError, match=r"row 3.*unknown area 'Narnia'"):
        _tidy(tmp_path, "a.csv", b"Area,Value\nBreckland,1\nNarnia,2\n", {**COUNCILS, "unknown_areas": "error"})


def test_unknown_areas_are_dropped_or_kept(tmp_path):
    data = b"Area,Value\nBreckland,1\nNarnia DC,2\n"
    assert len(_tidy(tmp_path, "a.csv", data, COUNCILS).rows) == 1
    kept = _tidy(tmp_path, "a.csv", data, {**COUNCILS, "unknown_areas": "keep"}).rows
    assert kept["name_in_file"].tolist() == ["Breckland", "Narnia DC"]


def test_a_file_without_the_focus_area_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="no row for the focus area Breckland"):
        _tidy(tmp_path, "a.csv", b"Area,Value\nNorfolk,1\n", COUNCILS)


def test_missing_column_and_missing_file_are_one_line_errors(tmp_path):
    with pytest.raises(ConfigError, match=r"row 1: no column 'Value' in the header \(found: Area, Valu\)"):
        _tidy(tmp_path, "a.csv", b"Area,Valu\nBreckland,1\n", COUNCILS)
    m = load_manifest(manifest_file(tmp_path, [source("gone.csv", COUNCILS)], tmp_path))
    with pytest.raises(ConfigError, match="gone.csv: file not found"):
        tidy_source(m, m.sources[0])


def test_columns_matching_turns_a_header_family_into_periods(tmp_path):
    data = b"Code,Mid-2019, Mid-2020\nE07000143,139968,141255\n"
    ev = _tidy(tmp_path, "a.csv", data, {"area_code": "Code", "indicators": [
        {"name": "Population", "unit": "count", "columns_matching": r"Mid-(\d{4})"}]})
    assert dict(zip(ev.rows["period"], ev.rows["value"])) == {"2019": 139968.0, "2020": 141255.0}


def test_long_format_rows(tmp_path):
    data = b"Area,Question,Year,Pct\nBreckland District Council,Satisfied,2008,48\nBreckland,Satisfied,2010,53\n"
    ev = _tidy(tmp_path, "a.csv", data, {"area_name": "Area", "long": {
        "indicator": "Question", "period": "Year", "value": "Pct", "unit": "percent"}})
    assert ev.rows[["indicator", "period", "value"]].values.tolist() == [["Satisfied", "2008", 48.0], ["Satisfied", "2010", 53.0]]


def test_statements_are_themed_and_counted_not_dropped(tmp_path):
    data = (b"Theme,Comment\nenvironment-housing,More affordable homes\nHousing and the environment,more affordable homes!\n"
            b"economy-enterprise,Better broadband\n")
    ev = _tidy(tmp_path, "a.csv", data, {"statements": {"theme": "Theme", "statement": "Comment"}}, illustrative=True)
    got = ev.statements[["theme", "statement", "count", "rows", "illustrative"]].values.tolist()
    assert got == [["economy-enterprise", "Better broadband", 1, "4", True],
                   ["environment-housing", "More affordable homes", 2, "2,3", True]]


def test_statement_with_unknown_theme_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match=r"row 2, column 'Theme': unknown theme 'Sport'"):
        _tidy(tmp_path, "a.csv", b"Theme,Comment\nSport,More pitches\n", {"statements": {"theme": "Theme", "statement": "Comment"}})


def _stacked_workbook(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for row in [["Table one"], [], ["Area", "A"], ["Breckland", 1], ["Norfolk", 2], [], ["Table two"], [],
                ["Area", "B"], ["Breckland DC", "*"], ["Norfolk CC", 4]]:
        ws.append(row)
    wb.create_sheet("Other")
    wb.save(path)


def test_xlsx_stacked_tables_each_read_to_their_first_blank_row(tmp_path):
    _stacked_workbook(tmp_path / "s.xlsx")
    one = read_table(tmp_path / "s.xlsx", Read(sheet="Data", header_row=3, **COUNCILS))
    assert one.frame.values.tolist() == [["Breckland", 1], ["Norfolk", 2]]
    two = read_table(tmp_path / "s.xlsx", Read(sheet="data", header_row=9, **COUNCILS))
    assert list(two.frame.columns) == ["Area", "B"] and two.frame.index.tolist() == [10, 11]
    values, reasons = parse_values(two, "B")
    assert math.isnan(values[10]) and reasons[10] == "suppressed (*)" and values[11] == 4.0


def test_xlsx_failures_name_the_sheet_or_the_file(tmp_path):
    _stacked_workbook(tmp_path / "s.xlsx")
    with pytest.raises(ConfigError, match=r"no sheet 'MYE4' \(sheets: Data, Other\)"):
        read_table(tmp_path / "s.xlsx", Read(sheet="MYE4", **COUNCILS))
    with pytest.raises(ConfigError, match="has 2 sheets; say which"):
        read_table(tmp_path / "s.xlsx", Read(**COUNCILS))
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    with pytest.raises(ConfigError, match=r"bad.xlsx: not a readable .xlsx workbook"):
        read_table(tmp_path / "bad.xlsx", Read(**COUNCILS))


def test_xls_failure_is_a_one_line_error(tmp_path):
    (tmp_path / "bad.xls").write_bytes(b"\x00" * 600)
    with pytest.raises(ConfigError, match=r"bad.xls: not a readable .xls workbook"):
        read_table(tmp_path / "bad.xls", Read(**COUNCILS))


def test_unsupported_file_type(tmp_path):
    (tmp_path / "a.json").write_text("{}")
    with pytest.raises(ConfigError, match="cannot read '.json' files"):
        read_table(tmp_path / "a.json", Read(**COUNCILS))


def test_missing_reason_only_for_known_markers():
    assert missing_reason(" .. ") == "not available (..)"
    assert missing_reason("#N/A") == "spreadsheet error #N/A"
    assert missing_reason("lots") is None and missing_reason("12a") is None


def test_numeric_looking_codes_stay_text_while_values_become_numbers(tmp_path):
    data = b"Code,Value\n00123,\"1,500\"\n"
    ev = _tidy(tmp_path, "a.csv", data, {"area_code": "Code", "unknown_areas": "keep", "covers_focus": False,
                                         "indicators": [{"name": "V", "unit": "count", "column": "Value"}]})
    assert ev.rows[["area_code", "value"]].values.tolist() == [["00123", 1500.0]]
