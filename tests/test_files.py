"""Tests for finding the data folder and reading described tables (koreathaw._files)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import koreathaw as kt
from koreathaw._files import read_records


def test_data_dir_default_is_checkout_data():
    """Without the environment variable the library reads the course's data/ folder."""
    assert kt.data_dir() == Path(__file__).resolve().parents[1] / "data"


def test_data_dir_env_override(data_copy):
    """KOREATHAW_DATA points the library at another data folder."""
    assert kt.data_dir() == data_copy.root


def test_data_dir_env_without_package_names_folder(tmp_path, monkeypatch):
    """An override pointing at a folder with no datapackage.json is refused by name."""
    monkeypatch.setenv("KOREATHAW_DATA", str(tmp_path))
    with pytest.raises(kt.DataError, match="no data package here"):
        kt.data_dir()


def test_read_missing_file_names_it(data_copy):
    """A missing table raises DataError naming the file."""
    (data_copy.root / "places.csv").unlink()
    with pytest.raises(kt.DataError, match=r"places\.csv: file is missing"):
        kt.load_places()


def test_read_bad_json_descriptor(data_copy):
    """A broken datapackage.json is reported with its line."""
    (data_copy.root / "datapackage.json").write_text('{"resources": [', encoding="utf-8")
    with pytest.raises(kt.DataError, match=r"datapackage\.json, line 1: not valid JSON"):
        kt.load_places()


def test_read_header_mismatch(data_copy):
    """A renamed column is reported as a header problem on line 1."""
    rows = data_copy.rows("places")
    rows[0][5] = "lat"
    data_copy.write_rows("places", rows)
    with pytest.raises(kt.DataError, match=r"places\.csv, line 1: header does not match.*missing \['latitude'\]"):
        kt.load_places()


def test_read_short_row(data_copy):
    """A row with too few cells names its line and the counts."""
    rows = data_copy.rows("places")
    rows[3] = rows[3][:4]
    data_copy.write_rows("places", rows)
    with pytest.raises(kt.DataError, match=r"line 4 \(pyeongchang\): expected 10 cells, found 4"):
        kt.load_places()


def test_read_required_empty(data_copy):
    """An empty required cell names line, row id and column."""
    line = data_copy.set_cell("places", "geneva", "name", "")
    with pytest.raises(kt.DataError, match=rf"line {line} \(geneva\), column 'name': required value is empty"):
        kt.load_places()


def test_read_not_a_number(data_copy):
    """A coordinate that is not a number is reported as such."""
    data_copy.set_cell("places", "seoul", "latitude", "37,56")
    with pytest.raises(kt.DataError, match=r"column 'latitude': '37,56' is not a number"):
        kt.load_places()


def test_read_impossible_latitude(data_copy):
    """A latitude beyond 90 degrees breaks the schema's maximum."""
    data_copy.set_cell("places", "seoul", "latitude", "137.5")
    with pytest.raises(kt.DataError, match=r"\(seoul\), column 'latitude': 137.5 is above the maximum 90"):
        kt.load_places()


def test_read_bad_date(data_copy):
    """A date that is not on the calendar is refused."""
    data_copy.set_cell("events", "E002", "date", "2018-02-30")
    with pytest.raises(kt.DataError, match=r"\(E002\), column 'date': '2018-02-30' is not a real calendar date"):
        kt.load_events()


def test_read_enum(data_copy):
    """A category outside the vocabulary lists the allowed ones."""
    data_copy.set_cell("events", "E002", "category", "party")
    with pytest.raises(kt.DataError, match=r"column 'category': 'party' is not one of \['statement'"):
        kt.load_events()


def test_read_duplicate_id(data_copy):
    """A duplicate id names both lines."""
    rows = data_copy.rows("events")
    rows.append(list(rows[1]))
    data_copy.write_rows("events", rows)
    with pytest.raises(kt.DataError, match=rf"line {len(rows)} \(E001\), column 'event_id': duplicate event_id 'E001' \(first on line 2\)"):
        kt.load_events()


def test_read_spaces_around_cell(data_copy):
    """Stray spaces around a value are an error, not silently stripped."""
    data_copy.set_cell("places", "kaesong", "country", " PRK")
    with pytest.raises(kt.DataError, match=r"column 'country': cell ' PRK' has spaces around it"):
        kt.load_places()


def test_read_not_utf8(data_copy):
    """A file in another encoding is reported, not decoded wrongly."""
    path = data_copy.root / "names.csv"
    path.write_bytes(path.read_bytes().replace(b"Kim Jong Un,Kim", "Kïm Jong Un,Kim".encode("latin-1"), 1))
    with pytest.raises(kt.DataError, match=r"names\.csv.*cannot parse the row|names\.csv.*utf-8"):
        kt.load_names()


def test_read_records_types(data_copy):
    """Cells come back converted to their declared types, with line numbers."""
    path, rows = read_records("articles")
    assert path == data_copy.root / "articles.csv"
    assert rows[0]["_line"] == 2
    assert isinstance(rows[0]["word_count"], int)
    assert rows[0]["publication_date"].year == 2018


def test_every_resource_has_described_file():
    """Every table the data package describes exists and every field has a description."""
    package = json.loads((kt.data_dir() / "datapackage.json").read_text(encoding="utf-8"))
    for res in package["resources"]:
        assert (kt.data_dir() / res["path"]).is_file(), res["path"]
        for field in res["schema"]["fields"]:
            assert field.get("description"), f"{res['name']}.{field['name']} has no description"
