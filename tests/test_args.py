"""One API style (koreathaw._args): the same thing is passed the same way to every public function,
and a wrong shape is refused with a sentence naming the argument, what was given and what is expected."""

from __future__ import annotations

import datetime

import pandas as pd
import pytest

import koreathaw as kt
from koreathaw import _args
from koreathaw.widgets import article_explorer, date_range_map, timeline_stepper


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return kt.load_events()


# --------------------------------------------------------------------------- an event table, everywhere

EVENT_TABLE_FUNCTIONS = {
    "events_between": lambda t: kt.events_between(t, "2018", "2019"),
    "events_in_category": lambda t: kt.events_in_category(t, "summit"),
    "events_at": lambda t: kt.events_at(t, "kaesong"),
    "days_between": lambda t: kt.days_between(t, "E002", "E003"),
    "events_map": lambda t: kt.events_map(t),
    "subset_map": lambda t: kt.subset_map(t, "2018", "2019"),
    "timeline_stepper": lambda t: timeline_stepper(t, show_map=False),
    "date_range_map": lambda t: date_range_map(t, show_map=False),
}


@pytest.mark.parametrize("name", EVENT_TABLE_FUNCTIONS)
def test_every_function_taking_events_checks_the_table(name, events):
    """Each function that takes an event table refuses a list, and a table that is not indexed by date."""
    call = EVENT_TABLE_FUNCTIONS[name]
    with pytest.raises(TypeError, match=r"events must be a pandas DataFrame such as koreathaw\.load_events\(\), "
                                        r"not \[1, 2\] \(a list\)"):
        call([1, 2])
    with pytest.raises(ValueError, match="indexed by date"):
        call(events.reset_index())


# --------------------------------------------------------------------------- dates, the same way everywhere

@pytest.mark.parametrize("start, end", [("2018", "2018"), ("2018-03", "2018-04"), ("2019-02-01", "2019-02-28"),
                                        (datetime.date(2018, 4, 27), "2018-06")])
def test_events_between_and_subset_map_take_the_same_dates(events, start, end):
    """A year, a month, a day or a date object mean the same span in events_between and subset_map."""
    chosen = kt.events_between(events, start, end)
    mapped = kt.markers_table(kt.subset_map(events, start, end))
    assert sorted(mapped.get("event_id", [])) == sorted(chosen["event_id"])


@pytest.mark.parametrize("call", [lambda e: kt.events_between(e, "2019", "2018"),
                                  lambda e: kt.subset_map(e, "2019", "2018")])
def test_reversed_dates_are_the_same_error_everywhere(events, call):
    with pytest.raises(ValueError, match=r"end 2018-12-31 is before start 2019-01-01"):
        call(events)


# --------------------------------------------------------------------------- one thing or several

def test_term_counts_takes_one_term_as_text(events):
    """term_counts("peace") counts the word peace (it used to count the letters p, e, a, c, e)."""
    one = kt.term_counts("peace")
    assert one.columns.tolist() == ["peace"]
    assert one.equals(kt.term_counts(["peace"]))
    assert one["peace"].sum() == len(kt.kwic("peace"))


def test_events_in_category_and_events_at_take_one_or_several(events):
    """A category or a place is text; several are a list, as in subset_map."""
    both = kt.events_in_category(events, ["summit", "talks"])
    assert set(both["category"].astype(str)) == {"summit", "talks"}
    assert len(both) == len(kt.events_in_category(events, "summit")) + len(kt.events_in_category(events, "talks"))
    assert sorted(kt.markers_table(kt.subset_map(events, category=["summit", "talks"]))["event_id"]) == \
        sorted(both["event_id"])
    two = kt.events_at(events, ["kaesong", "panmunjom"])
    assert set(two["place_id"]) == {"kaesong", "panmunjom"}


@pytest.mark.parametrize("call, error, message", [
    (lambda: kt.term_counts(5), TypeError, r"terms must be text or a list of texts such as \['peace', 'sanctions'\], not 5 \(an int\)"),
    (lambda: kt.term_counts(["peace", 3]), TypeError, r"terms must be text or a list of texts.*it holds 3 \(an int\)"),
    (lambda: kt.events_in_category(kt.load_events(), 5), TypeError, r"category must be text or a list of texts.*not 5"),
    (lambda: kt.events_in_category(kt.load_events(), ["summit", "party"]), ValueError, r"unknown category 'party'; choose one of"),
    (lambda: kt.events_at(kt.load_events(), None), TypeError, r"place_id must be text or a list of texts.*not None"),
    (lambda: kt.days_between(kt.load_events(), 2, "E003"), TypeError, r"first_id must be text such as 'E002', not 2 \(an int\)"),
    (lambda: kt.kwic("peace", width="wide"), TypeError, r"width must be a whole number such as 40, not 'wide'"),
    (lambda: kt.kwic("peace", width=-1), ValueError, r"width=-1 is too small"),
    (lambda: kt.kwic("peace", articles="all"), TypeError, r"articles must be a pandas DataFrame such as koreathaw\.load_articles\(\), not 'all'"),
    (lambda: kt.term_counts(["peace"], column="title"), ValueError, r"column must be 'body' .* or 'text' .*, not 'title'"),
    (lambda: kt.tokens(None), TypeError, r"text must be text such as .*, not None"),
    (lambda: kt.clean_body(b"bytes"), TypeError, r"text must be text .*, not b'bytes' \(a bytes\)"),
    (lambda: kt.find_mentions(kt.load_articles()), TypeError, r"text must be text such as 'Mr Moon met Kim Jong-un', not .*\(a DataFrame\)"),
    (lambda: kt.canonical_name("Moon Jae In", names=["x"]), TypeError, r"names must be a pandas DataFrame such as koreathaw\.load_names\(\)"),
    (lambda: kt.mention_counts(kind="people"), ValueError, r"kind must be one of \['country', 'organisation', 'person', 'place'\], not 'people'"),
    (lambda: kt.places_map(places=["geneva"]), TypeError, r"places must be a pandas DataFrame .*not \['geneva'\] \(a list\)"),
    (lambda: timeline_stepper(show_map="yes"), TypeError, r"show_map must be True or False, not 'yes'"),
    (lambda: article_explorer(term=5), TypeError, r"term must be text such as 'sanctions', not 5 \(an int\)"),
])
def test_a_wrong_shape_names_the_argument_the_value_and_what_is_expected(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --------------------------------------------------------------------------- the helpers themselves

def test_texts_never_splits_a_string_into_letters():
    assert _args.texts("peace", "terms", ["a"]) == ["peace"]
    assert _args.texts(pd.Series(["a", "b"]), "terms", ["a"]) == ["a", "b"]
    with pytest.raises(TypeError):
        _args.texts({"a": 1}, "terms", ["a"])


@pytest.mark.parametrize("value, end, expected", [
    ("2018", False, "2018-01-01 00:00:00"), ("2018", True, "2018-12-31 23:59:59.999999"),
    ("2018-02", True, "2018-02-28 23:59:59.999999"), ("2018-02-03", False, "2018-02-03 00:00:00"),
    (datetime.date(2018, 2, 3), True, "2018-02-03 23:59:59.999999"),
    (pd.Timestamp("2018-02-03 12:00"), True, "2018-02-03 12:00:00"),
])
def test_date_bound_reads_a_year_a_month_or_a_day(value, end, expected):
    assert str(_args.date_bound(value, "start", end=end)) == expected


@pytest.mark.parametrize("value, error", [(pd.NaT, ValueError), (2018, TypeError), ("18-02-03", ValueError),
                                          ("2018-13", ValueError), (True, TypeError)])
def test_date_bound_refuses_what_is_not_a_date(value, error):
    with pytest.raises(error, match="start"):
        _args.date_bound(value, "start", end=False)
