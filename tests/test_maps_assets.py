"""Tests of the offline assets of koreathaw.maps: inline and linked maps, saving, the vendored files, the basemap."""

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
from koreathaw.maps import _base, assets as map_assets, elements

ASSETS = _base.ASSETS
INLINE_LIMIT = 500 * 1024
LINKED_LIMIT = 150 * 1024
HOSTILE = "Kim's `${alert(1)}` \"talks\" </script><script>alert('x')</script> <img src=x onerror=alert(2)> \\ & $5"


# --------------------------------------------------------------------------- helpers

def render(m) -> str:
    return m.get_root().render()


def strip_inline(page: str) -> str:
    """The page without the bodies of inline <script> and <style> elements."""
    page = re.sub(r"<script>.*?</script>", "<script></script>", page, flags=re.S)
    return re.sub(r"<style>.*?</style>", "<style></style>", page, flags=re.S)


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


def test_missing_assets_are_a_data_error(monkeypatch, tmp_path):
    """Without the vendored assets, making a map raises DataError naming the file."""
    monkeypatch.setattr(map_assets, "ASSETS", tmp_path)
    map_assets.manifest.cache_clear()
    map_assets.asset_text.cache_clear()
    try:
        with pytest.raises(DataError, match="manifest.json"):
            render(places_map())
    finally:
        map_assets.manifest.cache_clear()
        map_assets.asset_text.cache_clear()


# --------------------------------------------------------------------------- the vendored files

def test_manifest_matches_vendored_files():
    """Each vendored file has the size and SHA-256 the build script recorded."""
    manifest = json.loads((ASSETS / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["files"]) == {"leaflet/leaflet.js", "leaflet/leaflet.css", "leaflet/leaflet-icons.js",
                                      "markercluster/leaflet.markercluster.js", "markercluster/MarkerCluster.css",
                                      "markercluster/MarkerCluster.Default.css",
                                      "jquery/jquery.min.js", "basemap/basemap.js"}
    for relpath, info in manifest["files"].items():
        data = (ASSETS / relpath).read_bytes()
        assert len(data) == info["bytes"], relpath
        assert hashlib.sha256(data).hexdigest() == info["sha256"], relpath


def test_vendored_versions_and_licences_are_documented():
    """Each bundle pins its npm version, ships its licence file, and the README names both."""
    manifest = json.loads((ASSETS / "manifest.json").read_text(encoding="utf-8"))
    readme = (ASSETS / "README.md").read_text(encoding="utf-8")
    expected = {"leaflet": "1.9.4", "leaflet.markercluster": "1.5.3", "jquery": "3.7.1", "world-atlas": "2.0.2"}
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
