"""Tests of koreathaw.maps: offline Folium maps, their assets, escaping and text equivalent."""

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

ASSETS = Path(maps.__file__).resolve().parent / "_assets"
INLINE_LIMIT = 500 * 1024
LINKED_LIMIT = 150 * 1024
HOSTILE = "Kim's `${alert(1)}` \"talks\" </script><script>alert('x')</script> <img src=x onerror=alert(2)> \\ & $5"


# --------------------------------------------------------------------------- helpers

def render(m) -> str:
    return m.get_root().render()


def circle_markers(m) -> list:
    """Every folium CircleMarker on the map, in drawing order."""
    return [el for el in maps._walk(m) if isinstance(el, folium.CircleMarker)]


def strip_inline(page: str) -> str:
    """The page without the bodies of inline <script> and <style> elements."""
    page = re.sub(r"<script>.*?</script>", "<script></script>", page, flags=re.S)
    return re.sub(r"<style>.*?</style>", "<style></style>", page, flags=re.S)


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


def point_in_ring(lon: float, lat: float, ring: list) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        if (y1 > lat) != (y2 > lat) and lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def basemap() -> dict:
    text = (ASSETS / "basemap" / "basemap.js").read_text(encoding="utf-8")
    prefix = "window.KOREATHAW_BASEMAP = "
    assert text.startswith(prefix)
    return json.loads(text[len(prefix):].rstrip().rstrip(";"))


# --------------------------------------------------------------------------- import cost

def test_import_koreathaw_does_not_import_folium():
    """Importing koreathaw and koreathaw.maps loads neither folium, branca nor jinja2."""
    code = ("import sys, koreathaw, koreathaw.maps; "
            "print([m for m in ('folium', 'branca', 'jinja2') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- markers

def test_events_map_marker_count_equals_rows():
    """The event map draws one circle marker per event row."""
    events = load_events()
    m = events_map(events)
    assert len(circle_markers(m)) == len(events)
    assert len(markers_table(m)) == len(events)


def test_events_map_marker_coordinates_match_table():
    """Each marker sits at its event's latitude and longitude, in table order."""
    events = load_events()
    table = markers_table(events_map(events)).set_index("event_id")
    expected = events.set_index("event_id")[["latitude", "longitude"]]
    pd.testing.assert_frame_equal(table.loc[expected.index, ["latitude", "longitude"]], expected,
                                  check_dtype=False, check_names=False)


def test_events_map_colours_follow_palette():
    """Each event circle is filled with its category's Okabe-Ito colour."""
    events = load_events()
    m = events_map(events)
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
    palette = maps._palette([*known, "tourism"])
    assert [palette[c] for c in known] == [PALETTE[c] for c in known], "the known categories keep their colours"
    assert palette["tourism"] == PALETTE["coercion"], "the one colour left over goes to the new category"
    assert len(set(palette.values())) == len(palette)


def test_palette_refuses_more_categories_than_colours():
    """Past the last distinguishable colour, a new category is an error, not a second grey."""
    assert len(CATEGORIES) == len(maps.COLOUR_NAMES), "this test assumes every colour is taken"
    with pytest.raises(ValueError, match=r"no colour left for \['tourism'\]"):
        maps._palette([*CATEGORIES, "tourism"])


def test_places_map_default_shows_every_place_and_labels_the_five():
    """With no argument, every gazetteer place is drawn and the five thaw places are labelled."""
    places = load_places()
    m = places_map()
    table = markers_table(m)
    assert sorted(table["place_id"]) == sorted(places.index)
    assert set(table.loc[table["labelled"], "place_id"]) == set(THAW_PLACES)
    geneva = table.set_index("place_id").loc["geneva"]
    assert (geneva["latitude"], geneva["longitude"]) == (places.loc["geneva", "latitude"], places.loc["geneva", "longitude"])


def test_places_map_labels_far_places_on_map_and_peninsula_in_inset():
    """Geneva and Beijing get permanent labels; the peninsula's three get labels in the inset."""
    page = render(places_map())
    permanent = [s for s in re.findall(r"\.bindTooltip\((\"(?:[^\"\\]|\\.)*\"), (\{[^}]*\})", page)
                 if '"permanent": true' in s[1]]
    assert sorted(json.loads(text) for text, _ in permanent) == ["Beijing", "Geneva"]
    inset_labels = sorted(json.loads(s) for s in re.findall(r'koreathawInsetLabel = \{html: ("[^"]*")', page))
    assert inset_labels == ["Kaesong", "Panmunjom", "Pyeongchang"]
    assert "The Korean peninsula" in page


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
    """Each category present is a named layer; the basemap, legend and layer control are there."""
    events = load_events()
    m = events_map(events)
    ns = maps._classes()
    groups = [el for el in m._children.values() if isinstance(el, folium.FeatureGroup)]
    present = [c for c in CATEGORIES if c in set(events["category"].astype(str))]
    assert [g._koreathaw_label.split(" (")[0] for g in groups] == present
    assert any(isinstance(el, ns.Basemap) for el in m._children.values())
    assert any(isinstance(el, folium.LayerControl) for el in m._children.values())
    legend = [el for el in m._children.values() if isinstance(el, ns.InfoBox)]
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

def test_escape_html_escapes_quotes_backticks_and_template_characters():
    """escape_html leaves no character that HTML or a JS template string would interpret."""
    out = escape_html(HOSTILE)
    for bad in "<>\"'`$\\":
        assert bad not in out
    assert html.unescape(out) == HOSTILE


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
    assert any(f"<h2>{escape_html(HOSTILE)}</h2>" in text for text in legend)
    # The only raw copy is the map's aria-label, a JSON string given to setAttribute (text, not HTML).
    labels = [json.loads(s) for s in re.findall(r'setAttribute\("aria-label", ("(?:[^"\\]|\\.)*")\)', page)]
    assert labels == [f"Map: {HOSTILE}"]
    assert page.count("${alert(1)}") == 1


# --------------------------------------------------------------------------- assets

def test_inline_map_refers_to_no_remote_asset():
    """An inline map's HTML loads no script, stylesheet or image from any URL."""
    page = render(events_map())
    outside = strip_inline(page)
    assert not re.search(r"<script[^>]*\ssrc=", outside)
    assert not re.search(r"<link[^>]*\shref=", outside)
    assert "//cdn" not in page and "cdnjs" not in page and "code.jquery.com" not in page
    assert not re.search(r"url\((?!data:|#default#VML)", page.replace("url(none)", ""))
    assert "window.KOREATHAW_BASEMAP" in page and "L.Icon.Default" in page


def test_linked_map_refers_only_to_relative_local_files(tmp_path):
    """A linked map's every src/href attribute is a relative path into koreathaw-assets/."""
    page = save_map(events_map(), tmp_path / "events.html").read_text(encoding="utf-8")
    outside = strip_inline(page)
    refs = re.findall(r"<(?:script|link)[^>]*\s(?:src|href)=\"([^\"]*)\"", outside)
    assert refs and all(ref.startswith("koreathaw-assets/") for ref in refs)
    assert "http" not in outside.replace("http-equiv", "")


def test_online_tiles_only_when_asked():
    """OpenStreetMap tiles appear only with tiles='OpenStreetMap', and then no basemap."""
    assert "tile.openstreetmap.org" not in render(events_map())
    online = render(events_map(tiles="OpenStreetMap"))
    assert "tile.openstreetmap.org" in online
    assert "KOREATHAW_BASEMAP" not in online


def test_inline_map_then_plain_folium_map_is_unchanged(tmp_path):
    """Making and rendering course maps leaves a later plain folium.Map with Folium's own assets."""
    before_js, before_css = list(folium.Map.default_js), list(folium.Map.default_css)
    m = events_map()
    render(m)
    save_map(m, tmp_path / "x.html", assets="inline")
    assert m.default_js == [] and m.default_css == []
    assert folium.Map.default_js == before_js and folium.Map.default_css == before_css
    plain = folium.Map()
    assert "default_js" not in vars(plain)
    assert plain.default_js == before_js
    page = render(plain)
    assert "cdn.jsdelivr.net/npm/leaflet" in page and "KOREATHAW" not in page


def test_jquery_is_loaded_only_for_folium_popups():
    """Course maps carry no jQuery; a map with a folium.Popup gets the vendored copy inline."""
    assert "jquery" not in render(events_map()).lower()
    m = blank_map()
    folium.Marker([46.2044, 6.1432], popup="Geneva").add_to(m)
    page = render(m)
    assert "jquery/jquery.min.js: jquery 3.7.1" in page
    assert "code.jquery.com" not in page


def test_repr_html_iframe_carries_inline_assets():
    """The notebook display (an iframe srcdoc) holds Leaflet, the basemap and no remote asset."""
    out = places_map()._repr_html_()
    srcdoc = html.unescape(re.search(r'srcdoc="([^"]*)"', out).group(1))
    assert "window.KOREATHAW_BASEMAP" in srcdoc and "L.Icon.Default" in srcdoc
    outside = strip_inline(srcdoc)
    assert not re.search(r"<script[^>]*\ssrc=", outside) and not re.search(r"<link[^>]*\shref=", outside)


def test_unknown_assets_mode_raises():
    """assets must be 'inline' or 'linked'."""
    with pytest.raises(ValueError, match="inline"):
        events_map(assets="cdn")


# --------------------------------------------------------------------------- sizes

def test_inline_and_linked_sizes_within_limits(tmp_path, record_property):
    """The map of all events is at most 500 KB inline and 150 KB linked."""
    m = events_map()
    inline = save_map(m, tmp_path / "inline.html", assets="inline").stat().st_size
    linked = save_map(m, tmp_path / "linked.html").stat().st_size
    record_property("inline_kb", round(inline / 1024, 1))
    record_property("linked_kb", round(linked / 1024, 1))
    print(f"all events ({len(markers_table(m))}): inline {inline / 1024:.1f} KB, linked {linked / 1024:.1f} KB")
    assert inline <= INLINE_LIMIT
    assert linked <= LINKED_LIMIT


# --------------------------------------------------------------------------- saving

def test_save_map_linked_copies_assets_with_licences(tmp_path):
    """Linked saving copies every vendored file and licence next to the map, unchanged."""
    save_map(places_map(), tmp_path / "places.html")
    manifest = json.loads((ASSETS / "manifest.json").read_text(encoding="utf-8"))
    for relpath, info in manifest["files"].items():
        copy = tmp_path / "koreathaw-assets" / relpath
        assert hashlib.sha256(copy.read_bytes()).hexdigest() == info["sha256"]
    for bundle in manifest["bundles"].values():
        assert (tmp_path / "koreathaw-assets" / bundle["license_file"]).is_file()
    assert (tmp_path / "koreathaw-assets" / "README.md").is_file()


def test_save_map_shared_assets_dir_is_linked_relatively(tmp_path):
    """With assets_dir, the map links to that folder by a relative path."""
    page = save_map(events_map(), tmp_path / "site" / "maps" / "events.html",
                    assets_dir=tmp_path / "site" / "static").read_text(encoding="utf-8")
    assert 'src="../static/leaflet/leaflet.js"' in page
    assert (tmp_path / "site" / "static" / "basemap" / "basemap.js").is_file()
    assert not (tmp_path / "site" / "maps" / "koreathaw-assets").exists()


def test_save_map_repairs_a_changed_asset_copy(tmp_path):
    """Saving again restores a shared asset file that was altered."""
    save_map(places_map(), tmp_path / "a.html")
    leaflet = tmp_path / "koreathaw-assets" / "leaflet" / "leaflet.js"
    leaflet.write_text("broken", encoding="utf-8")
    save_map(places_map(), tmp_path / "b.html")
    assert leaflet.read_bytes() == (ASSETS / "leaflet" / "leaflet.js").read_bytes()


def test_save_map_leaves_the_map_inline_for_the_notebook(tmp_path):
    """After a linked save, the map still displays with inline assets."""
    m = places_map()
    save_map(m, tmp_path / "p.html")
    assert "<script src=" not in strip_inline(render(m))


def test_save_map_rejects_plain_folium_map_and_bad_paths(tmp_path):
    """save_map refuses a map without the course's assets, and a file not ending in .html."""
    with pytest.raises(ValueError, match="offline assets"):
        save_map(folium.Map(), tmp_path / "plain.html")
    with pytest.raises(ValueError, match=r"\.html"):
        save_map(places_map(), tmp_path / "places.png")
    with pytest.raises(ValueError, match="inline"):
        save_map(places_map(), tmp_path / "places.html", assets="online")


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
    bounds = [el for el in maps._walk(subset_map(events, category="summit")) if type(el).__name__ == "FitBounds"]
    assert bounds[0].bounds == [[events["latitude"].min(), events["longitude"].min()],
                                [events["latitude"].max(), events["longitude"].max()]]


def test_subset_map_with_no_match_draws_an_empty_map():
    """An empty selection gives a map with no markers and a note in the legend."""
    m = subset_map(start="2030-01-01")
    assert markers_table(m).empty
    assert "no events in this selection" in render(m)


# --------------------------------------------------------------------------- errors

def test_subset_map_start_after_end_raises():
    """A start date after the end date is a ValueError naming both."""
    with pytest.raises(ValueError, match="2019-01-01 is after end 2018-01-01"):
        subset_map(start="2019-01-01", end="2018-01-01")


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


def test_missing_assets_are_a_data_error(monkeypatch, tmp_path):
    """Without the vendored assets, making a map raises DataError naming the file."""
    monkeypatch.setattr(maps, "_ASSETS", tmp_path)
    maps._manifest.cache_clear()
    maps._asset_text.cache_clear()
    try:
        with pytest.raises(DataError, match="manifest.json"):
            render(places_map())
    finally:
        maps._manifest.cache_clear()
        maps._asset_text.cache_clear()


# --------------------------------------------------------------------------- the vendored files

def test_manifest_matches_vendored_files():
    """Each vendored file has the size and SHA-256 the build script recorded."""
    manifest = json.loads((ASSETS / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["files"]) == {"leaflet/leaflet.js", "leaflet/leaflet.css", "leaflet/leaflet-icons.js",
                                      "jquery/jquery.min.js", "basemap/basemap.js"}
    for relpath, info in manifest["files"].items():
        data = (ASSETS / relpath).read_bytes()
        assert len(data) == info["bytes"], relpath
        assert hashlib.sha256(data).hexdigest() == info["sha256"], relpath


def test_vendored_versions_and_licences_are_documented():
    """Each bundle pins its npm version, ships its licence file, and the README names both."""
    manifest = json.loads((ASSETS / "manifest.json").read_text(encoding="utf-8"))
    readme = (ASSETS / "README.md").read_text(encoding="utf-8")
    expected = {"leaflet": "1.9.4", "jquery": "3.7.1", "world-atlas": "2.0.2"}
    for bundle in manifest["bundles"].values():
        assert expected[bundle["package"]] == bundle["version"]
        assert (ASSETS / bundle["license_file"]).stat().st_size > 200
        assert f"`{bundle['package']}` | {bundle['version']}" in readme
    assert "public domain" in (ASSETS / "basemap" / "NOTICE.md").read_text(encoding="utf-8")


def test_vendored_files_cannot_end_their_inline_element():
    """No vendored file contains '</script', '</style' or '<!--', which would break inlining."""
    for relpath in json.loads((ASSETS / "manifest.json").read_text(encoding="utf-8"))["files"]:
        text = (ASSETS / relpath).read_text(encoding="utf-8").lower()
        assert "</script" not in text and "</style" not in text and "<!--" not in text, relpath


def test_leaflet_css_needs_no_image_file():
    """The vendored leaflet.css refers to no image file, only data: URIs."""
    css = (ASSETS / "leaflet" / "leaflet.css").read_text(encoding="utf-8")
    assert "images/" not in css
    assert re.findall(r"url\(([^)]*)\)", css) and all(
        u.startswith("data:image/png;base64,") or u in ("none", "#default#VML") for u in re.findall(r"url\(([^)]*)\)", css))


def test_basemap_has_land_and_borders_for_each_tier():
    """The basemap holds land and border geometry for the korea, region and world tiers."""
    features = basemap()["features"]
    kinds = {(f["properties"]["kind"], f["properties"]["tier"]) for f in features}
    assert kinds == {(k, t) for k in ("land", "border") for t in ("korea", "region", "world")}


@pytest.mark.parametrize("place_id", ["panmunjom", "kaesong", "pyeongchang", "geneva", "beijing", "pyongyang",
                                      "seoul", "vladivostok", "washington"])
def test_basemap_land_lies_under_the_course_places(place_id):
    """Inland places of the course fall on the basemap's land (so the coastline is where it should be)."""
    places = load_places()
    assert place_id in places.index, f"{place_id} left the gazetteer: choose another inland place for this test"
    lat, lon = places.loc[place_id, ["latitude", "longitude"]]
    land = [f["geometry"]["coordinates"] for f in basemap()["features"] if f["properties"]["kind"] == "land"]
    hits = sum(point_in_ring(lon, lat, polygon[0]) and not any(point_in_ring(lon, lat, hole) for hole in polygon[1:])
               for multipolygon in land for polygon in multipolygon)
    assert hits == 1


def test_basemap_sea_lies_off_the_korean_coasts():
    """Points in the Yellow Sea, the East Sea and the Korea Strait are not land."""
    land = [f["geometry"]["coordinates"] for f in basemap()["features"] if f["properties"]["kind"] == "land"]
    for lat, lon in ((37.0, 124.0), (38.0, 130.0), (34.5, 128.8)):
        assert not any(point_in_ring(lon, lat, polygon[0]) for mp in land for polygon in mp), (lat, lon)


def test_basemap_coordinates_are_rounded():
    """Korea-tier coordinates carry at most 3 decimals; the other tiers at most 2."""
    for feature in basemap()["features"]:
        limit = 3 if feature["properties"]["tier"] == "korea" else 2
        text = json.dumps(feature["geometry"]["coordinates"])
        decimals = max(len(d) for d in re.findall(r"\.(\d+)", text))
        assert decimals <= limit, feature["properties"]
