"""Checks on the real course data: the event table as a sourced, geocoded chronology.

These tests read the CSV files of the data folder the library uses
(``koreathaw.data_dir()``, so ``KOREATHAW_DATA`` points them at a copy) with the
``csv`` module, independently of the loaders, so that a failure names the event
or place at fault even if a loader check changes.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest

import koreathaw as kt
from koreathaw.places import COUNTRY_BOUNDS

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PERIOD = (dt.date(2018, 1, 1), dt.date(2021, 12, 31))
CORE_PLACES = ("panmunjom", "kaesong", "pyeongchang", "geneva", "beijing")


def _rows(table: str) -> list[dict[str, str]]:
    """Return the rows of one table of the data folder as dicts of strings."""
    with (kt.data_dir() / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


EVENTS = _rows("events")
QUOTED = [row for row in EVENTS if row["quote"]]


def _article_texts() -> dict[str, str]:
    root = kt.data_dir()
    return {row["article_id"]: (root / row["file"]).read_text(encoding="utf-8") for row in _rows("articles")}


def _places() -> dict[str, dict[str, str]]:
    return {row["place_id"]: row for row in _rows("places")}


def _published_ids() -> list[str]:
    lines = (FIXTURES / "event_ids.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_events_load_with_every_loader_check():
    """The real event table passes every check of koreathaw.load_events()."""
    events = kt.load_events()
    assert len(events) == len(EVENTS)


@pytest.mark.parametrize("row", QUOTED, ids=[row["event_id"] for row in QUOTED])
def test_quote_occurs_verbatim_in_its_article(row):
    """Each quote occurs character for character in the article it cites."""
    texts = _article_texts()
    assert row["article_id"] in texts, f"{row['event_id']} cites unknown article {row['article_id']!r}"
    assert row["quote"] in texts[row["article_id"]], (
        f"{row['event_id']}: quote not found verbatim in {row['article_id']}: {row['quote'][:70]!r}")


def test_every_article_is_cited_by_an_event():
    """Each of the five articles is the source of at least one event."""
    cited = {row["article_id"] for row in EVENTS if row["article_id"]}
    uncited = sorted(set(_article_texts()) - cited)
    assert not uncited, f"articles cited by no event: {uncited}"


def test_core_places_appear_in_events():
    """Panmunjom, Kaesong, Pyeongchang, Geneva and Beijing each have at least one event."""
    used = {row["place_id"] for row in EVENTS}
    missing = [place for place in CORE_PLACES if place not in used]
    assert not missing, f"core places without events: {missing}"


def test_event_place_ids_resolve_to_gazetteer():
    """Every place_id of the event table is a row of places.csv."""
    places = _places()
    unknown = [(row["event_id"], row["place_id"]) for row in EVENTS if row["place_id"] not in places]
    assert not unknown, f"events with unknown places: {unknown}"


def test_place_coordinates_inside_country_bounds():
    """Every place lies inside the bounding box of the country it names."""
    outside = []
    for place_id, row in _places().items():
        south, west, north, east = COUNTRY_BOUNDS.get(row["country"], (90, 180, -90, -180))
        lat, lon = float(row["latitude"]), float(row["longitude"])
        if not (south <= lat <= north and west <= lon <= east):
            outside.append((place_id, row["country"], lat, lon))
    assert not outside, f"places outside their country's bounds: {outside}"


def test_geo_precision_three_only_at_country_places():
    """Country-level places carry geo_precision 3, and only they do: no made-up venues."""
    places = _places()
    wrong = [(row["event_id"], row["place_id"], row["geo_precision"]) for row in EVENTS
             if (places[row["place_id"]]["precision"] == "country") != (row["geo_precision"] == "3")]
    assert not wrong, f"geo_precision 3 must go with a country-level place: {wrong}"


def test_event_dates_within_period_and_end_not_before_start():
    """Dates lie in 2018-01-01..2021-12-31 and no event ends before it starts."""
    bad = []
    for row in EVENTS:
        start = _date(row["date"])
        end = _date(row["end_date"]) if row["end_date"] else start
        if not (PERIOD[0] <= start <= PERIOD[1] and PERIOD[0] <= end <= PERIOD[1]) or end < start:
            bad.append((row["event_id"], row["date"], row["end_date"]))
    assert not bad, f"events with impossible dates: {bad}"


def test_event_ids_unique():
    """No event id occurs twice."""
    ids = [row["event_id"] for row in EVENTS]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"duplicate event ids: {duplicates}"


def test_event_ids_stable_since_publication():
    """Every id ever published (tests/fixtures/event_ids.txt) still exists."""
    ids = {row["event_id"] for row in EVENTS}
    gone = [i for i in _published_ids() if i not in ids]
    assert not gone, f"published event ids removed or renumbered: {gone}"


def test_event_ids_all_listed_as_published():
    """Every event id is recorded in tests/fixtures/event_ids.txt, so it stays stable."""
    published = set(_published_ids())
    unlisted = sorted(row["event_id"] for row in EVENTS if row["event_id"] not in published)
    assert not unlisted, f"add these ids to tests/fixtures/event_ids.txt: {unlisted}"


def test_chronology_has_at_least_seventy_five_events():
    """The table is big enough to teach the whole arc of 2018-2021 (issue 16 asks for at least 75 events)."""
    assert len(EVENTS) >= 75


def test_chronology_starts_with_new_year_address_january_2018():
    """The earliest event is Kim Jong Un's New Year address of January 2018."""
    first = min(EVENTS, key=lambda row: (row["date"], row["event_id"]))
    assert first["date"].startswith("2018-01"), first["date"]
    assert "New Year address" in first["title"], first["title"]


def test_chronology_reaches_the_last_year_of_its_span():
    """The latest event falls in the last year of the span the data package documents (2018-2021), not earlier."""
    last = max(_date(row["end_date"] or row["date"]) for row in EVENTS)
    assert PERIOD[0] <= last <= PERIOD[1], last
    assert last.year == PERIOD[1].year, f"the table stops in {last}, before the last year of its span"


def test_period_matches_the_data_package():
    """The period these tests use is the one datapackage.json sets for the event dates."""
    import json

    package = json.loads((kt.data_dir() / "datapackage.json").read_text(encoding="utf-8"))
    events = next(r for r in package["resources"] if r["name"] == "events")
    date = next(f for f in events["schema"]["fields"] if f["name"] == "date")["constraints"]
    assert (date["minimum"], date["maximum"]) == tuple(d.isoformat() for d in PERIOD)


def test_verified_rows_have_quote_or_source_url():
    """A row marked verified cites an article quote or an external reference."""
    bare = [row["event_id"] for row in EVENTS
            if row["verification"] == "verified" and not (row["quote"] or row["source_url"])]
    assert not bare, f"verified events without a source: {bare}"


def test_source_url_comes_with_source_note():
    """Every external reference says what it confirms."""
    bare = [row["event_id"] for row in EVENTS if row["source_url"] and not row["source_note"]]
    assert not bare, f"source_url without source_note: {bare}"


def test_actors_are_canonical_names():
    """Both actors are canonical names of names.csv, never a spelling variant."""
    canonical = {row["canonical"] for row in _rows("names")}
    wrong = [(row["event_id"], row[col]) for row in EVENTS for col in ("actor1", "actor2")
             if row[col] and row[col] not in canonical]
    assert not wrong, f"actors that are not canonical names: {wrong}"


def test_cameo_root_and_quad_class_follow_code():
    """cameo_root is the code's first two digits and quad_class is GDELT's class for that root."""
    def quad(root: int) -> int:
        return 1 if root <= 5 else 2 if root <= 8 else 3 if root <= 13 else 4

    wrong = []
    for row in EVENTS:
        code = row["cameo_code"]
        ok = (re.fullmatch(r"\d{3,4}", code) and row["cameo_root"] == code[:2]
              and 1 <= int(code[:2]) <= 20 and row["quad_class"] == str(quad(int(code[:2]))))
        if not ok:
            wrong.append((row["event_id"], code, row["cameo_root"], row["quad_class"]))
    assert not wrong, f"inconsistent CAMEO codes: {wrong}"


def test_unverified_rows_say_why():
    """A row not marked verified explains in its notes what could not be checked."""
    silent = [row["event_id"] for row in EVENTS if row["verification"] != "verified" and not row["notes"]]
    assert not silent, f"unconfirmed events without notes: {silent}"


def test_data_package_is_valid_for_frictionless():
    """The Frictionless library (the reference implementation of Data Package) finds the data valid.

    It reads the same ``datapackage.json`` the loaders read: types, constraints,
    primary and foreign keys.
    """
    import frictionless  # a test dependency (pyproject's [test] extra)

    report = frictionless.Package(str(kt.data_dir() / "datapackage.json")).validate()
    problems = [f"{task.name}: {error.message}" for task in report.tasks for error in task.errors]
    assert report.valid, problems[:10]
    assert sorted(task.name for task in report.tasks) == ["articles", "events", "names", "places"]
