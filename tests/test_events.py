"""Tests for the event table and its helpers (koreathaw.events)."""

from __future__ import annotations

import pandas as pd
import pytest

import koreathaw as kt


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return kt.load_events()


def test_load_events_date_index_sorted(events):
    """The table is indexed by a sorted DatetimeIndex named date."""
    assert isinstance(events.index, pd.DatetimeIndex)
    assert events.index.name == "date"
    assert events.index.is_monotonic_increasing


def test_load_events_place_joined(events):
    """Place name and coordinates come joined from the gazetteer."""
    places = kt.load_places()
    for _, row in events.iterrows():
        place = places.loc[row["place_id"]]
        assert row["place_name"] == place["name"]
        assert (row["latitude"], row["longitude"]) == (place["latitude"], place["longitude"])


def test_load_events_dtypes(events):
    """Dates are datetimes, codes stay strings with their leading zeros."""
    assert pd.api.types.is_datetime64_any_dtype(events["end_date"])
    assert isinstance(events["category"].dtype, pd.CategoricalDtype)
    codes = events["cameo_code"].tolist()
    assert all(isinstance(code, str) for code in codes)
    assert any(code.startswith("0") for code in codes)


def test_load_events_duration_counts_both_ends(events):
    """A one-day event lasts 1 day; a multi-day one counts first and last day."""
    one_day = events[events["end_date"].isna()]
    assert (one_day["duration_days"] == 1).all()
    multi = events[events["end_date"].notna()]
    expected = (multi["end_date"] - multi.index.to_series()).dt.days + 1
    assert (multi["duration_days"] == expected).all()


def test_load_events_unknown_place(data_copy):
    """An unknown place id names the file, line, event and column."""
    line = data_copy.set_cell("events", "E008", "place_id", "genva")
    with pytest.raises(kt.DataError, match=rf"events\.csv, line {line} \(E008\), column 'place_id': unknown place_id 'genva': it is not in places\.csv"):
        kt.load_events()


def test_load_events_quote_not_in_article(data_copy):
    """A quote that its article does not contain is refused."""
    data_copy.set_cell("events", "E008", "quote", "shared a toast to peace with French wine")
    with pytest.raises(kt.DataError, match=r"\(E008\), column 'quote': quote does not occur verbatim in article 'ipu-toast'"):
        kt.load_events()


def test_load_events_quote_with_straight_apostrophe(data_copy):
    """Verbatim means verbatim: a straight apostrophe for a curly one is refused."""
    data_copy.set_cell("events", "E003", "quote", "to talk to North Korea's leader Kim Jong Un")
    with pytest.raises(kt.DataError, match=r"\(E003\).*does not occur verbatim"):
        kt.load_events()


def test_load_events_unknown_article(data_copy):
    """An article id that is not in the manifest is refused."""
    data_copy.set_cell("events", "E008", "article_id", "scmp-2018")
    with pytest.raises(kt.DataError, match=r"column 'article_id': unknown article_id 'scmp-2018': it is not in articles\.csv"):
        kt.load_events()


def test_load_events_no_source(data_copy):
    """An event with neither an article nor an external reference is refused."""
    line = data_copy.set_cell("events", "E008", "article_id", "")
    data_copy.set_cell("events", "E008", "quote", "")
    data_copy.set_cell("events", "E008", "source_url", "")
    with pytest.raises(kt.DataError, match=rf"line {line} \(E008\), column 'article_id': no source"):
        kt.load_events()


def test_load_events_end_before_start(data_copy):
    """An end date before the start date is refused."""
    data_copy.set_cell("events", "E008", "end_date", "2018-03-20")
    with pytest.raises(kt.DataError, match=r"column 'end_date': end_date 2018-03-20 is before date 2018-03-27"):
        kt.load_events()


def test_load_events_date_out_of_period(data_copy):
    """A date outside 2018-2021 breaks the schema's bounds."""
    data_copy.set_cell("events", "E008", "date", "2017-12-31")
    with pytest.raises(kt.DataError, match=r"column 'date': 2017-12-31 is below the minimum 2018-01-01"):
        kt.load_events()


def test_load_events_cameo_root_mismatch(data_copy):
    """The CAMEO root must be the first two digits of the code."""
    data_copy.set_cell("events", "E008", "cameo_root", "05")
    with pytest.raises(kt.DataError, match=r"cameo_root '05' is not the first two digits"):
        kt.load_events()


def test_load_events_cameo_code_keeps_leading_zero(data_copy):
    """A code that lost its leading zero (as a spreadsheet would do) is refused."""
    data_copy.set_cell("events", "E008", "cameo_code", "43")
    with pytest.raises(kt.DataError, match=r"column 'cameo_code': '43' does not match the pattern"):
        kt.load_events()


def test_load_events_unknown_actor(data_copy):
    """Actors must be canonical names, not variants."""
    data_copy.set_cell("events", "E003", "actor1", "Moon Jae In")
    with pytest.raises(kt.DataError, match=r"column 'actor1': 'Moon Jae In' is not a canonical name"):
        kt.load_events()


def test_load_events_malformed_row(data_copy):
    """A row broken by an unquoted comma names its line."""
    path = data_copy.root / "events.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.append("E999,2019-01-01,broken")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(kt.DataError, match=rf"line {len(lines)} \(E999\): expected 22 cells, found 3"):
        kt.load_events()


def test_events_between_inclusive(events):
    """Both ends of the range are included."""
    day = events.index[0]
    picked = kt.events_between(events, day, day)
    assert len(picked) == (events.index == day).sum() >= 1


def test_events_between_rejects_reversed_range(events):
    """A range that ends before it starts is an error, not an empty table."""
    with pytest.raises(ValueError, match="is before start"):
        kt.events_between(events, "2019-01-01", "2018-01-01")


def test_events_in_category(events):
    """Only events of the asked category come back."""
    talks = kt.events_in_category(events, "talks")
    assert len(talks) >= 2
    assert set(talks["category"]) == {"talks"}


def test_events_in_category_unknown(events):
    """An unknown category lists the vocabulary."""
    with pytest.raises(ValueError, match=r"unknown category 'meeting'; choose one of \['agreement'"):
        kt.events_in_category(events, "meeting")


def test_events_at_place(events):
    """Events at Kaesong include the liaison office's opening."""
    at = kt.events_at(events, "kaesong")
    assert "E009" in set(at["event_id"])
    assert set(at["place_id"]) == {"kaesong"}


def test_events_at_unknown_place(events):
    """A place without events is an error that lists the places with events."""
    with pytest.raises(ValueError, match=r"no event at 'atlantis'"):
        kt.events_at(events, "atlantis")


def test_days_between(events):
    """Days between the Panmunjom talks and the IPU toast in Geneva."""
    assert kt.days_between(events, "E002", "E008") == 77
    assert kt.days_between(events, "E008", "E002") == -77


def test_days_between_unknown_id(events):
    """An unknown id is named."""
    with pytest.raises(KeyError, match="E998"):
        kt.days_between(events, "E002", "E998")


def test_categories_match_data_package():
    """The documented categories are exactly the schema's vocabulary."""
    import json

    package = json.loads((kt.data_dir() / "datapackage.json").read_text(encoding="utf-8"))
    events_res = next(r for r in package["resources"] if r["name"] == "events")
    field = next(f for f in events_res["schema"]["fields"] if f["name"] == "category")
    assert sorted(field["constraints"]["enum"]) == sorted(kt.CATEGORIES)


def test_events_between_takes_whole_years_and_months(events):
    """A year or a month as text means all of it, at either end (it used to cut the end to its first day)."""
    years = kt.events_between(events, "2018", "2020")
    assert years.equals(kt.events_between(events, "2018-01-01", "2020-12-31"))
    assert (years.index.year == 2020).any(), "the events of 2020 are part of '2018' to '2020'"
    march = kt.events_between(events, "2018-03", "2018-03")
    assert len(march) > 0 and march.equals(events.loc["2018-03"])


@pytest.mark.parametrize("start, end, error, message", [
    (None, "2018-03-31", TypeError, "start must be a date"),
    ("2018-01-01", 20181231, TypeError, "end must be a date"),
    ("2019-13-01", "2020-01-01", ValueError, "start '2019-13-01' is not a date of the calendar"),
    ("2018-01-01", "2018-02-30", ValueError, "end '2018-02-30' is not a date of the calendar"),
    ("banana", "2019", ValueError, "start 'banana' is not a date: write YYYY-MM-DD"),
])
def test_events_between_names_the_bad_argument(events, start, end, error, message):
    with pytest.raises(error, match=message):
        kt.events_between(events, start, end)
