"""The event table: a sourced, geocoded chronology of the thaw.

:func:`load_events` reads ``data/events.csv``, checks every row against the
data package and against the other tables (the place exists, the article
exists, the quote occurs verbatim in that article, the actors are canonical
names, the end date is not before the start), joins in the place's name and
coordinates, and returns a table indexed by date.

The helpers below take that table and return a part of it; they never read
files themselves.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from koreathaw import _args
from koreathaw._files import frame as table_frame
from koreathaw._files import read_records
from koreathaw.errors import DataError

__all__ = [
    "CATEGORIES",
    "load_events",
    "events_between",
    "events_in_category",
    "events_at",
    "days_between",
    "check_event_table",
]

#: The course's event categories, with what each one covers.
CATEGORIES: dict[str, str] = {
    "statement": "a public statement, speech or state-media report",
    "talks": "a meeting of officials, envoys or parliamentarians",
    "summit": "a meeting of heads of state or government",
    "agreement": "a declaration or agreement signed or adopted",
    "sport_culture": "sport, culture and people-to-people exchange",
    "communication": "a liaison office or hotline opened, used, cut or restored",
    "military": "military tests, drills, and military confidence-building",
    "economic": "economic and humanitarian cooperation: joint projects, railways, aid",
    "sanctions": "sanctions imposed, enforced or discussed",
    "coercion": "threats, demolition and other hostile acts",
}


def load_events(root: Path | None = None) -> pd.DataFrame:
    """Return the event table, one row per event, indexed by start date.

    The index is a sorted :class:`pandas.DatetimeIndex` named ``date``.
    Columns include ``event_id``, ``end_date`` (``NaT`` for one-day events),
    ``title``, ``category``, the CAMEO codes, the actors, the source
    (``article_id``, ``quote``, ``source_url``), ``verification``, and, joined
    from the gazetteer, ``place_name``, ``country``, ``latitude`` and
    ``longitude``. ``duration_days`` counts both the first and last day.

    Raises
    ------
    DataError
        If any file is missing or malformed, or a row refers to an unknown
        place, article or actor, or quotes words its article does not contain.

    Examples
    --------
    >>> events = load_events()
    >>> events.index.name
    'date'
    >>> bool(events.index.is_monotonic_increasing)
    True
    >>> events.loc[events["event_id"] == "E008", "place_name"].item()
    'Geneva'
    """
    from koreathaw.corpus import article_records
    from koreathaw.names import name_records
    from koreathaw.places import place_records

    places = {r["place_id"]: r for r in place_records(root)}
    texts = {r["article_id"]: r["text"] for r in article_records(root)}
    canonical_of = {r["variant"]: r["canonical"] for r in name_records(root)}
    # types, required values, vocabularies, patterns, the key and the references to
    # places, articles and names: as data/datapackage.json declares them
    path, rows = read_records("events", root, references={"places": places, "articles": texts, "names": canonical_of})
    canonical = set(canonical_of.values())
    for row in rows:
        where = {"line": row["_line"], "row_id": row["event_id"]}
        if row["end_date"] is not None and row["end_date"] < row["date"]:
            raise DataError(path, f"end_date {row['end_date']} is before date {row['date']}", column="end_date", **where)
        if row["cameo_code"][:2] != row["cameo_root"]:
            raise DataError(path, f"cameo_root {row['cameo_root']!r} is not the first two digits of cameo_code {row['cameo_code']!r}",
                            column="cameo_root", **where)
        for col in ("actor1", "actor2"):
            if row[col] is not None and row[col] not in canonical:
                raise DataError(path, f"{row[col]!r} is not a canonical name in names.csv (it is a variant of "
                                      f"{canonical_of[row[col]]!r})", column=col, **where)
        if (row["actor2"] is None) != (row["actor2_country"] is None):
            raise DataError(path, "actor2 and actor2_country must be both given or both empty", column="actor2_country", **where)
        if row["article_id"] is None and row["source_url"] is None:
            raise DataError(path, "no source: give an article_id with a quote, or a source_url", column="article_id", **where)
        if row["article_id"] is not None:
            if not row["quote"]:
                raise DataError(path, "an event citing an article needs a verbatim quote", column="quote", **where)
            if row["quote"] not in texts[row["article_id"]]:
                raise DataError(path, f"quote does not occur verbatim in article {row['article_id']!r}: {row['quote'][:60]!r}",
                                column="quote", **where)
        elif row["quote"]:
            raise DataError(path, "a quote needs the article_id it comes from", column="article_id", **where)
    frame = table_frame("events", rows, root)
    frame["duration_days"] = ((frame["end_date"].fillna(frame["date"]) - frame["date"]).dt.days + 1).astype("int64")
    for col in ("category", "verification", "date_precision"):
        frame[col] = frame[col].astype("category")
    spots = [places[p] for p in frame["place_id"]]
    for column, source in (("place_name", "name"), ("country", "country"), ("latitude", "latitude"),
                           ("longitude", "longitude"), ("place_precision", "precision")):
        frame[column] = [spot[source] for spot in spots]
    frame["latitude"] = frame["latitude"].astype("float64")
    frame["longitude"] = frame["longitude"].astype("float64")
    return frame.set_index("date").sort_index(kind="stable")


def check_event_table(events: object, columns: tuple[str, ...] = ("event_id",)) -> pd.DataFrame:
    """Raise unless ``events`` is an event table as :func:`load_events` returns it.

    The shared argument check of the functions that take an event table (the
    maps and the widgets): a DataFrame, with ``columns``, indexed by date, with no
    event lacking its date. Returns ``events`` unchanged.

    Raises
    ------
    TypeError
        If ``events`` is not a DataFrame.
    ValueError
        If it lacks one of ``columns``, is not indexed by date, or has an event
        with no date; the message names the columns or the problem.

    Examples
    --------
    >>> check_event_table(pd.DataFrame({"a": [1]}))
    Traceback (most recent call last):
    ...
    ValueError: the events table is missing the columns ['event_id']; pass koreathaw.load_events() or some of its rows
    """
    if not isinstance(events, pd.DataFrame):
        raise TypeError(f"events must be a pandas DataFrame such as koreathaw.load_events(), "
                        f"not {_args.given(events)}")
    missing = [c for c in columns if c not in events.columns]
    if missing:
        raise ValueError(f"the events table is missing the columns {missing}; "
                         "pass koreathaw.load_events() or some of its rows")
    if not isinstance(events.index, pd.DatetimeIndex):
        raise ValueError("the events table must be indexed by date (a DatetimeIndex), "
                         "as koreathaw.load_events() returns it")
    if events.index.hasnans:
        raise ValueError("the events table has an event with no date (NaT in the index)")
    return events


def events_between(events: pd.DataFrame, start: str | pd.Timestamp, end: str | pd.Timestamp) -> pd.DataFrame:
    """Return the events that start between ``start`` and ``end``, both included.

    ``start`` and ``end`` are dates as text: a day (``"2018-03-01"``), a month
    (``"2018-03"``: the whole month) or a year (``"2018"``: the whole year); or
    Timestamps. So ``events_between(events, "2018", "2019")`` is 2018 and 2019.
    (:func:`koreathaw.subset_map` takes its dates the same way.)

    Raises
    ------
    TypeError
        If ``events`` is not a DataFrame, or ``start`` or ``end`` is not a date
        or date text.
    ValueError
        If ``events`` is not an event table, a date is not one of the calendar
        (``"2018-02-30"``), or ``end`` is before ``start``; the message names which.

    Examples
    --------
    >>> e = events_between(load_events(), "2018-03-01", "2018-03-31")
    >>> "E008" in set(e["event_id"])
    True
    >>> len(events_between(load_events(), "2018-03", "2018-03")) == len(e)
    True
    """
    check_event_table(events)
    start_ts, end_ts = _args.date_range(start, end)
    return events.loc[(events.index >= start_ts) & (events.index <= end_ts)]


def events_in_category(events: pd.DataFrame, category: str | list[str]) -> pd.DataFrame:
    """Return the events of one category, or of several (see :data:`CATEGORIES`).

    Raises
    ------
    TypeError
        If ``category`` is neither text nor a list of texts.
    ValueError
        If a category is not one of :data:`CATEGORIES` (the message lists them).

    Examples
    --------
    >>> summits = events_in_category(load_events(), "summit")
    >>> set(summits["category"]) == {"summit"}
    True
    >>> len(events_in_category(load_events(), ["summit", "talks"])) > len(summits)
    True
    """
    check_event_table(events, ("category",))
    chosen = _args.choices(category, "category", CATEGORIES)
    return events.loc[events["category"].astype(str).isin(chosen).to_numpy()]


def events_at(events: pd.DataFrame, place_id: str | list[str]) -> pd.DataFrame:
    """Return the events that took place at ``place_id`` (a place id, or a list of them).

    Raises
    ------
    TypeError
        If ``place_id`` is neither text nor a list of texts.
    ValueError
        If no event took place there (the message lists the places with events).

    Examples
    --------
    >>> at_kaesong = events_at(load_events(), "kaesong")
    >>> set(at_kaesong["place_name"])
    {'Kaesong'}
    """
    check_event_table(events, ("place_id",))
    chosen = _args.texts(place_id, "place_id", ["kaesong", "panmunjom"])
    known = set(events["place_id"])
    for place in chosen:
        if place not in known:
            raise ValueError(f"no event at {place!r}; places with events: {sorted(known)}")
    return events.loc[events["place_id"].isin(chosen).to_numpy()]


def days_between(events: pd.DataFrame, first_id: str, second_id: str) -> int:
    """Return the number of days from the start of one event to the start of another.

    The result is negative when the second event comes first.

    Raises
    ------
    TypeError
        If an id is not text.
    KeyError
        If there is no event with that id.

    Examples
    --------
    >>> days_between(load_events(), "E002", "E003")
    1
    """
    check_event_table(events)
    for name, event_id in (("first_id", first_id), ("second_id", second_id)):
        _args.text(event_id, name, "E002")
    dates = pd.Series(events.index, index=events["event_id"].to_numpy())
    for event_id in (first_id, second_id):
        if event_id not in dates.index:
            raise KeyError(f"no event with id {event_id!r}")
    return int((dates[second_id] - dates[first_id]).days)
