"""Tests of the map builders of koreathaw.maps: markers, layers, legend, escaping, subsets, errors, scale."""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import folium
import pandas as pd
import pytest

import koreathaw as kt
from koreathaw import CATEGORIES, DataError, load_events, load_places
from koreathaw import maps
from koreathaw.maps import (
    PALETTE,
    THAW_PLACES,
    blank_map,
    escape_html,
    events_map,
    markers_table,
    places_map,
    save_map,
    subset_map,
)
from koreathaw.maps import _base, _layout, elements

ASSETS = _base.ASSETS
INLINE_LIMIT = 500 * 1024
LINKED_LIMIT = 150 * 1024
HOSTILE = "Kim's `${alert(1)}` \"talks\" </script><script>alert('x')</script> <img src=x onerror=alert(2)> \\ & $5"


# --------------------------------------------------------------------------- helpers

def render(m) -> str:
    return m.get_root().render()


def circle_markers(m) -> list:
    """Every folium CircleMarker on the map, in drawing order."""
    return [el for el in _base.walk(m) if isinstance(el, folium.CircleMarker)]


def discs(m) -> list:
    """Every event disc (one per point) on the map, in drawing order."""
    return [el for el in _base.walk(m) if isinstance(el, elements.PieMarker)]


def popup_of(marker) -> str:
    """The escaped HTML of a marker's popup."""
    return next(el.html for el in marker._children.values() if isinstance(el, elements.HtmlPopup))


def bound_strings(page: str, method: str) -> list[str]:
    """The JSON string arguments of every ``.bindPopup(...)`` / ``.bindTooltip(...)`` call."""
    return [json.loads(s) for s in re.findall(rf'\.{method}\(("(?:[^"\\]|\\.)*")', page)]


def crafted_events(**changes) -> pd.DataFrame:
    """Two real events, the first one given a hostile title and quote."""
    events = load_events().iloc[:2].copy()
    events.iloc[0, events.columns.get_loc("title")] = HOSTILE
    events["quote"] = events["quote"].astype(object)
    events.iloc[0, events.columns.get_loc("quote")] = HOSTILE
    for column, value in changes.items():
        events[column] = events[column].astype(object)
        events.iloc[0, events.columns.get_loc(column)] = value
    return events



# --------------------------------------------------------------------------- import cost

def test_import_koreathaw_does_not_import_folium():
    """Importing koreathaw and koreathaw.maps loads neither folium, branca nor jinja2."""
    code = ("import sys, koreathaw, koreathaw.maps; "
            "print([m for m in ('folium', 'branca', 'jinja2') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- markers

def test_events_map_draws_one_disc_per_point_and_one_table_row_per_event():
    """The event map draws one disc per distinct point (no circle hidden under another); its table has every event."""
    events = load_events()
    m = events_map(events)
    points = events[["latitude", "longitude"]].drop_duplicates()
    assert len(discs(m)) == len(points) < len(events)
    assert circle_markers(m) == []
    assert sorted(markers_table(m)["event_id"]) == sorted(events["event_id"])
    assert sum(d.options["koreathawCount"] for d in discs(m)) == len(events)


def test_events_at_one_point_are_one_disc_listing_them_in_date_order():
    """Every event at a point is in its disc's popup, in date order; the disc counts them and says its place."""
    events = load_events()
    for disc in discs(events_map(events)):
        lat, lon = disc.location
        here = events[(events["latitude"] == lat) & (events["longitude"] == lon)]
        expected = here.reset_index().sort_values(["date", "event_id"])["event_id"].tolist()
        popup = popup_of(disc)
        listed = re.findall(r'<span class="meta">(E\d{3})</span>', popup)
        assert listed == expected, (lat, lon)
        assert disc.options["koreathawCount"] == len(here)
        if len(here) > 1:
            assert f"{len(here)} events" in popup and "in date order" in popup
            for name in set(here["place_name"]):
                assert escape_html(name) in popup


def test_two_places_at_one_point_share_one_disc_naming_both():
    """The White House and Washington have the same coordinates: one disc, both names, all their events."""
    events = load_events()
    both = events[events["place_id"].isin(["white-house", "washington"])]
    assert both["place_id"].nunique() == 2 and len(both[["latitude", "longitude"]].drop_duplicates()) == 1
    table = markers_table(events_map(events))
    shared = table[table["event_id"].isin(both["event_id"])]
    assert set(shared["events_here"]) == {len(both)}
    disc = next(d for d in discs(events_map(both)))
    assert "White House / Washington, D.C." in popup_of(disc) or "Washington, D.C. / White House" in popup_of(disc)


def test_event_disc_slices_follow_the_palette_and_count_each_category():
    """A disc's slices are its events' categories, in the legend's order, with their counts and colours."""
    events = load_events()
    for disc in discs(events_map(events)):
        lat, lon = disc.location
        here = events[(events["latitude"] == lat) & (events["longitude"] == lon)]
        counts = here["category"].astype(str).value_counts()
        expected = [[c, PALETTE[c], int(counts[c])] for c in CATEGORIES if c in counts.index]
        assert disc.options["koreathawSlices"] == expected


def test_country_only_discs_are_dashed_and_the_legend_says_so():
    """A point that stands for a whole country (geo_precision 3) is drawn dashed; the legend explains it."""
    events = load_events()
    m = events_map(events)
    for disc in discs(m):
        lat, lon = disc.location
        here = events[(events["latitude"] == lat) & (events["longitude"] == lon)]
        assert disc.options.get("koreathawDashed", False) == bool((here["geo_precision"] == 3).all())
    assert any(d.options.get("koreathawDashed") for d in discs(m))
    assert "dashed: a whole country, no single site" in render(m)
    assert "dashed: a whole country" not in render(events_map(events[events["geo_precision"] < 3]))


def test_event_disc_refuses_a_colour_that_is_not_rrggbb():
    """A slice colour goes into SVG: anything but #RRGGBB is refused."""
    with pytest.raises(ValueError, match="#RRGGBB"):
        elements.PieMarker([0, 0], [("talks", 'red" onload="x', 1)], 7, "x")


def test_events_map_marker_coordinates_match_table():
    """Each marker sits at its event's latitude and longitude, in table order."""
    events = load_events()
    table = markers_table(events_map(events)).set_index("event_id")
    expected = events.set_index("event_id")[["latitude", "longitude"]]
    pd.testing.assert_frame_equal(table.loc[expected.index, ["latitude", "longitude"]], expected,
                                  check_dtype=False, check_names=False)


def test_events_map_colours_follow_palette():
    """Each event circle of a clustered map is filled with its category's Okabe-Ito colour."""
    events = load_events()
    m = events_map(events, cluster=True)
    by_id = {el._koreathaw_row["event_id"]: el.options["fillColor"] for el in circle_markers(m)}
    for event_id, category in zip(events["event_id"], events["category"].astype(str)):
        assert by_id[event_id] == PALETTE[category]


def test_palette_covers_categories_with_distinct_colour_blind_safe_colours():
    """Every category has its own colour: Okabe-Ito's eight, then grey and white, each named."""
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}
    assert set(PALETTE) == set(CATEGORIES)
    assert len(set(PALETTE.values())) == len(PALETTE), (
        "more categories than colour-blind-safe colours: give the new category a distinct look in koreathaw.maps")
    assert set(PALETTE.values()) <= okabe_ito | {"#999999", "#FFFFFF"}
    assert set(PALETTE.values()) <= set(maps.COLOUR_NAMES)


def test_palette_gives_a_new_category_an_unused_colour():
    """A category the maps do not know yet gets a named colour no other category of the map has."""
    known = [c for c in CATEGORIES if c != "coercion"]  # every colour taken but coercion's
    palette = _base._palette([*known, "tourism"])
    assert [palette[c] for c in known] == [PALETTE[c] for c in known], "the known categories keep their colours"
    assert palette["tourism"] == PALETTE["coercion"], "the one colour left over goes to the new category"
    assert len(set(palette.values())) == len(palette)


def test_palette_refuses_more_categories_than_colours():
    """Past the last distinguishable colour, a new category is an error, not a second grey."""
    assert len(CATEGORIES) == len(maps.COLOUR_NAMES), "this test assumes every colour is taken"
    with pytest.raises(ValueError, match=r"no colour left for \['tourism'\]"):
        _base._palette([*CATEGORIES, "tourism"])


def test_places_map_default_shows_every_place_and_labels_the_places_of_the_thaw():
    """With no argument, every gazetteer place is drawn and the five places of the lessons are labelled."""
    places = load_places()
    m = places_map()
    table = markers_table(m)
    assert sorted(table["place_id"]) == sorted(places.index)
    assert set(table.loc[table["labelled"], "place_id"]) == set(THAW_PLACES)
    assert len(THAW_PLACES) == 5
    geneva = table.set_index("place_id").loc["geneva"]
    assert (geneva["latitude"], geneva["longitude"]) == (places.loc["geneva", "latitude"], places.loc["geneva", "longitude"])
    legend = next(el.html for el in m._children.values() if isinstance(el, elements.InfoBox))
    assert "The five places of the lessons (labelled)" in legend


def test_places_map_labels_every_place_of_the_thaw_on_the_map_and_the_peninsulas_in_the_inset():
    """Every labelled place has a permanent label on the map itself; the peninsula's are labelled in the inset too."""
    page = render(places_map())
    permanent = [s for s in re.findall(r"\.bindTooltip\((\"(?:[^\"\\]|\\.)*\"), (\{[^}]*\})", page)
                 if '"permanent": true' in s[1]]
    assert sorted(json.loads(text) for text, _ in permanent) == ["Beijing", "Geneva", "Kaesong", "Panmunjom", "Pyeongchang"]
    inset_labels = sorted(json.loads(s) for s in re.findall(r'koreathawInsetLabel = \{html: ("[^"]*")', page))
    assert inset_labels == ["Kaesong", "Panmunjom", "Pyeongchang"]
    assert "The Korean peninsula" in page


def test_places_map_popups_list_each_places_events_in_date_order():
    """A place's popup lists the events there, in date order, with their number; markers_table counts them."""
    events = load_events()
    m = places_map()
    table = markers_table(m).set_index("place_id")
    for marker in circle_markers(m):
        place_id = marker._koreathaw_row["place_id"]
        here = events[events["place_id"] == place_id].reset_index().sort_values(["date", "event_id"])
        listed = re.findall(r'\((E\d{3})\)</span></li>', popup_of(marker))
        assert listed == here["event_id"].tolist(), place_id
        assert table.loc[place_id, "events"] == len(here)
    geneva = next(mk for mk in circle_markers(m) if mk._koreathaw_row["place_id"] == "geneva")
    assert "1 event here" in popup_of(geneva)


def test_places_map_lists_the_events_it_is_given():
    """events= chooses the events the popups list (here: none of Panmunjom's)."""
    events = load_events()
    m = places_map(events=events[events["place_id"] != "panmunjom"])
    assert markers_table(m).set_index("place_id").loc["panmunjom", "events"] == 0
    with pytest.raises(ValueError, match="missing the columns"):
        places_map(events=events.drop(columns="place_id"))


def test_course_maps_carry_the_layout_script_and_blank_or_clustered_maps_do_not():
    """places_map and events_map lay out their markers with spread.js (inline); a blank or clustered map has no need."""
    script = maps.assets.spread_js()
    assert "window.koreathawSpread" in script and "</script" not in script
    for m in (places_map(), events_map()):
        page = render(m)
        assert page.count("window.koreathawSpread = function") == 1
        assert page.rindex("koreathawSpread(") > page.index("fitBounds(")  # laid out for the first view
    for m in (blank_map(), events_map(cluster=True)):
        assert "koreathawSpread" not in render(m)


def test_markers_table_lists_markers_added_with_folium():
    """A marker a student adds with Folium appears in the text equivalent too."""
    m = blank_map()
    folium.CircleMarker([37.5665, 126.978], radius=5).add_to(m)
    table = markers_table(m)
    assert table[["latitude", "longitude"]].values.tolist() == [[37.5665, 126.978]]


def test_markers_table_of_empty_map_is_empty():
    """A map with no markers gives an empty table with the position columns."""
    table = markers_table(blank_map())
    assert table.empty and {"latitude", "longitude"} <= set(table.columns)


# --------------------------------------------------------------------------- layers and legend

def test_events_map_has_a_layer_per_category_basemap_and_legend():
    """Each category present is a named switch of the layer control; the basemap, legend and layer control are there."""
    events = load_events()
    m = events_map(events)
    groups = [el for el in m._children.values() if isinstance(el, folium.FeatureGroup) and el.control]
    present = [c for c in CATEGORIES if c in set(events["category"].astype(str))]
    assert [g._koreathaw_label.split(" (")[0] for g in groups] == present
    assert [g.options["koreathawCategory"] for g in groups] == present
    assert sum(isinstance(el, elements.CategorySwitches) for el in m._children.values()) == 1
    assert any(isinstance(el, elements.Basemap) for el in m._children.values())
    assert any(isinstance(el, folium.LayerControl) for el in m._children.values())
    legend = [el for el in m._children.values() if isinstance(el, elements.InfoBox)]
    assert len(legend) == 1
    for category in present:
        assert f"{category} (" in legend[0].html and PALETTE[category] in legend[0].html


def test_markers_table_gives_layer_and_colour_names():
    """The text equivalent names each marker's layer and colour, as the legend does."""
    table = markers_table(events_map(load_events()))
    for _, row in table.iterrows():
        assert row["layer"].startswith(row["category"] + " (")
        assert row["colour"] == maps.COLOUR_NAMES[PALETTE[row["category"]]]


# --------------------------------------------------------------------------- escaping

def test_popup_and_tooltip_show_hostile_text_literally():
    """A <script>, apostrophe or backtick in an event's title and quote becomes text in popup and tooltip."""
    page = render(events_map(crafted_events()))
    popups = bound_strings(page, "bindPopup")
    tooltips = bound_strings(page, "bindTooltip")
    assert len(popups) == len(tooltips) == 2
    hostile_popup = next(p for p in popups if escape_html(HOSTILE) in p)
    assert "<script" not in hostile_popup and "<img" not in hostile_popup and "`" not in hostile_popup
    assert html.unescape(hostile_popup).count(HOSTILE) == 2  # title and quote
    assert any(escape_html(HOSTILE) in t for t in tooltips)


def test_hostile_text_cannot_leave_the_map_script():
    """The rendered page has no raw copy of the hostile markup anywhere."""
    page = render(events_map(crafted_events()))
    assert "alert('x')" not in page
    assert "<img src=x" not in page
    assert "${alert(1)}" not in page
    assert page.count("</script>") == page.count("<script")


def test_hostile_place_names_are_escaped_in_places_map_and_legend_title():
    """Place names, notes and the title are escaped in popups, labels and the legend."""
    places = load_places().loc[["geneva", "beijing"]].copy()
    places.loc["geneva", "name"] = HOSTILE
    places.loc["geneva", "note"] = HOSTILE
    page = render(places_map(places, title=HOSTILE))
    assert "alert('x')" not in page and "<img src=x" not in page
    assert any(escape_html(HOSTILE) in p for p in bound_strings(page, "bindPopup"))
    assert escape_html(HOSTILE) in bound_strings(page, "bindTooltip")
    legend = [json.loads(s) for s in re.findall(r'div\.innerHTML = ("(?:[^"\\]|\\.)*")', page)]
    assert any(f"<summary><h2>{escape_html(HOSTILE)}</h2></summary>" in text for text in legend)
    # The only raw copy is the map's aria-label, a JSON string given to setAttribute (text, not HTML).
    labels = [json.loads(s) for s in re.findall(r'setAttribute\("aria-label", ("(?:[^"\\]|\\.)*")\)', page)]
    assert labels == [f"Map: {HOSTILE}"]
    assert page.count("${alert(1)}") == 1


# --------------------------------------------------------------------------- reproducible

def test_rendering_is_reproducible():
    """The same map made twice renders to the same HTML (stable element ids)."""
    assert render(events_map()) == render(events_map())


# --------------------------------------------------------------------------- defaults and subsets

def test_zero_argument_calls_use_the_course_tables():
    """places_map(), events_map() and subset_map() with no arguments draw the whole course tables."""
    assert len(markers_table(places_map())) == len(load_places())
    assert len(markers_table(events_map())) == len(load_events())
    assert len(markers_table(subset_map())) == len(load_events())


def test_subset_map_filters_dates_and_categories():
    """subset_map keeps exactly the events in the date range and categories chosen."""
    events = load_events()
    m = subset_map(events, "2018-01-01", "2018-12-31", ["summit", "agreement"])
    table = markers_table(m)
    expected = events[(events.index.year == 2018) & events["category"].astype(str).isin(["summit", "agreement"])]
    assert sorted(table["event_id"]) == sorted(expected["event_id"])
    assert len(expected) > 0


def test_subset_map_keeps_the_view_of_all_events():
    """By default a subset map opens on the view that fits every event, so it does not jump."""
    events = load_events()
    bounds = [el for el in _base.walk(subset_map(events, category="summit")) if type(el).__name__ == "FitBounds"]
    assert bounds[0].bounds == [[events["latitude"].min(), events["longitude"].min()],
                                [events["latitude"].max(), events["longitude"].max()]]


def test_subset_map_with_no_match_draws_an_empty_map():
    """An empty selection gives a map with no markers and a note in the legend."""
    m = subset_map(start="2030-01-01")
    assert markers_table(m).empty
    assert "no events in this selection" in render(m)


# --------------------------------------------------------------------------- errors

def test_subset_map_start_after_end_raises():
    """A start date after the end date is a ValueError naming both, as events_between says it."""
    with pytest.raises(ValueError, match="end 2018-01-01 is before start 2019-01-01"):
        subset_map(start="2019-01-01", end="2018-01-01")


def test_subset_map_takes_dates_as_events_between_does():
    """A year or a month means all of it at either end, in subset_map as in events_between (it cut the end to 1 Jan)."""
    events = load_events()
    for start, end in (("2018", "2019"), ("2018-03", "2018-04"), ("2018-03-01", "2018-04-30")):
        table = markers_table(subset_map(events, start, end))
        expected = kt.events_between(events, start, end)
        assert sorted(table["event_id"]) == sorted(expected["event_id"]), (start, end)
    assert (markers_table(subset_map(events, end="2018"))["date"].dt.year == 2018).sum() == (events.index.year == 2018).sum()


@pytest.mark.parametrize("call, error, message", [
    (lambda: subset_map(start=20180101), TypeError, r"start must be a date such as '2018-03-01'.*not 20180101 \(an int\)"),
    (lambda: subset_map(category=5), TypeError, r"category must be text or a list of texts.*not 5 \(an int\)"),
    (lambda: subset_map(keep_view="no"), TypeError, r"keep_view must be True or False, not 'no'"),
    (lambda: places_map(highlight=7), TypeError, r"highlight must be text or a list of texts.*not 7 \(an int\)"),
])
def test_map_builders_name_a_wrong_shape(call, error, message):
    """A wrong shape is refused with the argument's name, what was given and what is expected."""
    with pytest.raises(error, match=message):
        call()


def test_subset_map_unknown_category_raises():
    """An unknown category is a ValueError listing the choices."""
    with pytest.raises(ValueError, match="unknown category 'picnic'"):
        subset_map(category="picnic")
    with pytest.raises(ValueError, match="unknown category 'picnic'"):
        subset_map(category=["summit", "picnic"])


def test_subset_map_unreadable_date_raises():
    """A date that cannot be read is a ValueError saying how to write it."""
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        subset_map(start="spring 2018")


def test_events_map_missing_columns_raises():
    """An events table without coordinates is a ValueError naming the missing columns."""
    with pytest.raises(ValueError, match=r"missing the columns \['latitude', 'longitude'\]"):
        events_map(load_events().drop(columns=["latitude", "longitude"]))


def test_events_map_needs_a_date_index():
    """An events table not indexed by date is a ValueError."""
    with pytest.raises(ValueError, match="indexed by date"):
        events_map(load_events().reset_index())


def test_events_map_unknown_category_in_table_raises():
    """An event whose category is not one of CATEGORIES is a ValueError naming the event."""
    events = crafted_events(category="picnic")
    with pytest.raises(ValueError, match="unknown category 'picnic'"):
        events_map(events)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 200.0, "north"])
def test_events_map_non_finite_coordinate_raises(value):
    """A missing, infinite, impossible or non-numeric longitude is a ValueError naming the event."""
    events = crafted_events(longitude=value)
    with pytest.raises(ValueError, match=rf"event '{events['event_id'].iloc[0]}' has longitude"):
        events_map(events)


def test_places_map_bad_input_raises():
    """A places table without names, an impossible latitude, or an unknown highlight is a ValueError."""
    places = load_places()
    with pytest.raises(ValueError, match=r"missing the columns \['name'\]"):
        places_map(places.drop(columns="name"))
    broken = places.copy()
    broken.loc["geneva", "latitude"] = math.nan
    with pytest.raises(ValueError, match="place 'geneva' has latitude"):
        places_map(broken)
    with pytest.raises(ValueError, match="atlantis"):
        places_map(highlight=["atlantis"])
    with pytest.raises(TypeError):
        places_map(places=["geneva"])




# --------------------------------------------------------------------------- scale

def test_events_map_clusters_above_the_threshold(ten_thousand_events):
    """Up to CLUSTER_ABOVE events are drawn one by one; one more and each category is a cluster layer."""
    small, big = ten_thousand_events.iloc[:maps.CLUSTER_ABOVE], ten_thousand_events.iloc[:maps.CLUSTER_ABOVE + 1]
    for table, clustered in ((small, False), (big, True)):
        m = events_map(table)
        groups = [el for el in m._children.values() if isinstance(el, folium.FeatureGroup)]
        assert groups and all(isinstance(g, elements.ClusterGroup) == clustered for g in groups)
        assert len(markers_table(m)) == len(table)
        page = render(m)
        assert ("markercluster/leaflet.markercluster.js: leaflet.markercluster 1.5.3" in page) == clustered
        assert ("L.markerClusterGroup(" in page) == clustered
        has_inset = any(isinstance(el, elements.Inset) for el in m._children.values())
        assert has_inset == (not clustered and _layout.wants_inset(table, None))


def test_events_map_cluster_can_be_chosen():
    """cluster=True clusters a small map, cluster=False draws a big one circle by circle; anything else is refused."""
    events = load_events()
    assert "L.markerClusterGroup(" in render(events_map(events, cluster=True))
    assert "L.markerClusterGroup(" not in render(events_map(events, cluster=False))
    with pytest.raises(TypeError, match=r"cluster must be True, False or None .* not 'yes'"):
        events_map(events, cluster="yes")


@pytest.mark.slow
def test_ten_thousand_event_map_builds_and_renders_within_ten_seconds(ten_thousand_events, record_property):
    """A 10,000-event map is built and rendered to HTML in at most 10 s of CPU time.

    CPU time of this process (``time.process_time``), not wall time, so that other
    work on the machine does not change the verdict; in-process Folium is all CPU.
    """
    import time

    start = time.process_time()
    m = events_map(ten_thousand_events)
    built = time.process_time()
    page = m._repr_html_()
    done = time.process_time()
    record_property("build_cpu_s", round(built - start, 2))
    record_property("render_cpu_s", round(done - built, 2))
    print(f"10,000 events: build {built - start:.2f} s, render {done - built:.2f} s CPU, {len(page) / 1e6:.1f} MB")
    assert done - start <= 10.0
    assert len(markers_table(m)) == 10_000
    assert page.count("L.circleMarker(") == 10_000


def test_stable_ids_cost_grows_linearly(monkeypatch):
    """Fixing the element ids hashes the map's seed once, then a short text per element (not the seed each time)."""
    hashed: list[int] = []
    real_sha1 = _layout.hashlib.sha1

    class CountingHashlib:
        @staticmethod
        def sha1(data: bytes = b""):
            hashed.append(len(data))
            return real_sha1(data)

    monkeypatch.setattr(_layout, "hashlib", CountingHashlib)
    m = events_map(load_events())
    elements_on_map = 2 + sum(1 for _ in _base.walk(m))
    seed_bytes = max(hashed)
    assert len(hashed) == elements_on_map + 1
    assert sum(hashed) - seed_bytes <= 60 * elements_on_map, "every element's id hashed the whole seed again"


def test_rendering_compiles_no_template_per_marker(monkeypatch, ten_thousand_events):
    """Rendering 200 events of one category compiles as many Jinja templates as rendering 5: none per marker."""
    import jinja2

    compiled: list[str] = []
    real = jinja2.Environment.compile

    def counting(self, source, *args, **kwargs):
        compiled.append(source if isinstance(source, str) else "")
        return real(self, source, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    counts = []
    talks = ten_thousand_events[ten_thousand_events["category"] == "talks"]
    for n in (5, 200):
        compiled.clear()
        render(events_map(talks.iloc[:n], cluster=False))
        counts.append(len(compiled))
    assert counts[0] == counts[1], f"templates compiled: {counts[0]} for 5 events, {counts[1]} for 200"


def test_notebook_view_of_a_map_is_a_titled_iframe():
    """A course map shown in a notebook is an iframe whose title names the map (screen readers, axe frame-title)."""
    assert '<iframe title="Map: Places of the thaw" srcdoc=' in places_map()._repr_html_()
    assert '<iframe title="Map: A &lt;b&gt;&#34;bold&#34; title" srcdoc=' in places_map(title='A <b>"bold" title')._repr_html_()
    assert blank_map()._repr_html_().count('<iframe title="Map" srcdoc=') == 1
