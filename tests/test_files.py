"""Tests for finding the data folder and reading described tables (koreathaw._files)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
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
    with pytest.raises(kt.DataError, match=rf"line {len(rows)} \(E001\), column 'event_id': duplicate event_id 'E001' \(first on line 2; the primary key\)"):
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


# --------------------------------------------------------------------------- edge cases of the files (issue 14)

@pytest.mark.parametrize("table, loader", [("events", kt.load_events), ("places", kt.load_places),
                                           ("names", kt.load_names), ("articles", kt.load_articles)])
def test_header_only_table_is_a_data_error(data_copy, table, loader):
    """A table with its header and no row is a DataError naming the file (it was a raw KeyError)."""
    data_copy.write_rows(table, data_copy.rows(table)[:1])
    with pytest.raises(kt.DataError, match=rf"{table}\.csv, line 2: the table has its header but no rows"):
        loader()


def test_byte_order_mark_is_accepted(data_copy):
    """A UTF-8 byte-order mark, as spreadsheet exports write one, reads as if it were not there."""
    expected = kt.load_events()
    for table in ("events", "places", "names", "articles"):
        path = data_copy.root / f"{table}.csv"
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    loaded = kt.load_events()
    pd.testing.assert_frame_equal(loaded, expected)


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b"])
def test_control_character_in_a_cell_is_refused(data_copy, character):
    """A NUL byte (or another control character) in a title is a DataError, never loaded silently."""
    line = data_copy.set_cell("events", "E008", "title", f"IPU toast{character}in Geneva")
    with pytest.raises(kt.DataError, match=rf"line {line} \(E008\), column 'title': cell holds the control character "
                                           rf"{re.escape(repr(character))} at character 10"):
        kt.load_events()


def test_unknown_actor_is_a_foreign_key_error(data_copy):
    """An actor that is not in names.csv at all breaks the foreign key the data package declares."""
    line = data_copy.set_cell("events", "E003", "actor2", "Nobody Known")
    with pytest.raises(kt.DataError, match=rf"line {line} \(E003\), column 'actor2': unknown actor2 'Nobody Known': "
                                           r"it is not in names\.csv"):
        kt.load_events()


# --------------------------------------------------------------------------- one schema

def _package() -> dict:
    return json.loads((kt.data_dir() / "datapackage.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name, loader", [("events", kt.load_events), ("places", kt.load_places),
                                          ("names", kt.load_names), ("articles", kt.load_articles)])
def test_column_types_are_those_the_package_declares(name, loader):
    """Each loaded column has the type its field declares: date -> datetime64, integer -> int64, number -> float64."""
    table = loader().reset_index()
    res = next(r for r in _package()["resources"] if r["name"] == name)
    for field in res["schema"]["fields"]:
        column = table[field["name"]]
        kind = field.get("type", "string")
        if kind == "date":
            assert pd.api.types.is_datetime64_any_dtype(column), field["name"]
        elif kind == "integer":
            assert pd.api.types.is_integer_dtype(column), field["name"]
        elif kind == "number":
            assert column.dtype == "float64", field["name"]
        else:
            assert not pd.api.types.is_numeric_dtype(column), field["name"]


def test_every_declared_foreign_key_is_enforced(data_copy):
    """Breaking each foreign key of the package in turn is a DataError naming that key's column."""
    checked = []
    for res in _package()["resources"]:
        for fk in res["schema"].get("foreignKeys", []):
            column = fk["fields"]
            rows = data_copy.rows(res["name"])
            backup = [list(r) for r in rows]
            col = rows[0].index(column)
            target = next(i for i, r in enumerate(rows[1:], start=1) if r[col])
            rows[target][col] = "no-such-key"
            data_copy.write_rows(res["name"], rows)
            loader = getattr(kt, f"load_{res['name']}")
            with pytest.raises(kt.DataError, match=rf"{res['path']}, line {target + 1} .*column '{column}': "
                                                   rf"unknown {column} 'no-such-key'"):
                loader()
            data_copy.write_rows(res["name"], backup)
            checked.append(f"{res['name']}.{column}")
    assert len(checked) >= 5, checked


# The same breakage, seen by the loaders and by the Frictionless library: both read their rules
# from datapackage.json, so both must refuse it (a rule only one of them knows would be a second schema).
BREAKAGES = [
    ("events", "E008", "category", "party", "constraint-error"),          # enum
    ("events", "E008", "cameo_code", "43", "constraint-error"),           # pattern
    ("events", "E008", "title", "", "constraint-error"),                  # required
    ("events", "E008", "date", "2018-02-30", "type-error"),               # type
    ("events", "E008", "quad_class", "7", "constraint-error"),            # maximum
    ("events", "E008", "place_id", "genva", "foreign-key"),               # foreign key
    ("places", "seoul", "latitude", "north", "type-error"),               # type
    ("names", "KCNA", "canonical", "Korean News", "foreign-key"),         # foreign key to itself
]


@pytest.mark.parametrize("table, row_id, column, value, error", BREAKAGES,
                         ids=[f"{t}.{c}={v!r}" for t, _, c, v, _ in BREAKAGES])
def test_loaders_and_frictionless_refuse_the_same_breakage(data_copy, table, row_id, column, value, error):
    import frictionless  # a test dependency (pyproject's [test] extra)

    data_copy.set_cell(table, row_id, column, value)
    report = frictionless.Package(str(data_copy.root / "datapackage.json")).validate()
    found = [(e.type, getattr(e, "field_name", None)) for task in report.tasks for e in task.errors]
    assert (error, column) in found or (error == "foreign-key" and any(t == error for t, _ in found)), found
    loader = getattr(kt, f"load_{table}")
    with pytest.raises(kt.DataError, match=rf"\({re.escape(row_id)}\), column '{column}'"):
        loader()
