"""The course maps in a real browser with no network: Debian's chromium via Playwright.

Each test saves a map (inline or linked) with koreathaw.maps, opens it from a file or
from a local http.server on 127.0.0.1, with every other request aborted, and checks that
Leaflet loaded, nothing went wrong in the console, the markers and the basemap are drawn.
Screenshots go to artifacts/screenshots/maps-*.png.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

from koreathaw import load_events, load_places
from koreathaw.maps import THAW_PLACES, blank_map, events_map, markers_table, places_map, save_map

pytestmark = pytest.mark.browser

HOSTILE = "Kim's `${window.__pwned = 3}` </script><script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\">"

# What the page reports once Leaflet has drawn: markers are interactive SVG paths;
# the basemap's land and borders and the inset's copies are not interactive.
STATE_JS = """() => ({
    leaflet: typeof L !== 'undefined',
    markers: document.querySelectorAll('.folium-map > .leaflet-pane path.leaflet-interactive').length,
    land: Array.from(document.querySelectorAll('.folium-map > .leaflet-pane path.koreathaw-land'))
        .map(p => (p.getAttribute('d') || '').length),
    insetLand: Array.from(document.querySelectorAll('.koreathaw-inset-map path.koreathaw-land'))
        .map(p => (p.getAttribute('d') || '').length),
    borders: document.querySelectorAll('path.koreathaw-border').length,
    inset: document.querySelectorAll('.koreathaw-inset-map path').length,
    labels: Array.from(document.querySelectorAll('.leaflet-tooltip')).map(t => t.textContent.trim()),
    legend: (document.querySelector('.koreathaw-legend') || {}).textContent || '',
    pwned: window.__pwned === undefined ? null : window.__pwned,
})"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A folder served over http on 127.0.0.1 (a thread of this process); yields (folder, base URL)."""
    folder = tmp_path_factory.mktemp("served")
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield folder, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:  # keep pytest's output clean
        pass


def open_map(page: Any, url: str, expected_markers: int) -> dict:
    """Open ``url``, wait until the markers are drawn, and return the page's state."""
    page.goto(url, wait_until="load")
    page.wait_for_function(
        "n => typeof L !== 'undefined' && "
        "document.querySelectorAll('.folium-map > .leaflet-pane path.leaflet-interactive').length >= n",
        arg=expected_markers)
    page.wait_for_timeout(300)  # let the inset and labels settle before the screenshot
    return page.evaluate(STATE_JS)


def assert_clean(page: Any) -> None:
    assert page.console_errors == [], page.console_errors
    assert page.blocked == [], f"the map asked the network for {page.blocked}"


def test_inline_places_map_draws_offline_from_a_file(offline_page, tmp_path, artifacts_dir):
    """The places map saved inline opens from file:// with Leaflet, every place, the basemap and the labels."""
    m = places_map()
    path = save_map(m, tmp_path / "places.html", assets="inline")
    state = open_map(offline_page, path.as_uri(), len(load_places()))
    offline_page.screenshot(path=str(artifacts_dir / "maps-places-inline.png"))
    assert_clean(offline_page)
    assert state["leaflet"] is True
    assert state["markers"] == len(markers_table(m)) == len(load_places())
    # The three tiers of land are drawn in the map; the inset draws the peninsula's detailed coast.
    assert len(state["land"]) == 3 and min(state["land"]) > 500
    assert len(state["insetLand"]) == 3 and max(state["insetLand"]) > 2000
    assert state["borders"] >= 3
    assert {"Geneva", "Beijing", "Panmunjom", "Kaesong", "Pyeongchang"} <= set(state["labels"])
    assert state["inset"] > len(load_places())


def test_five_places_map_shows_geneva_beijing_and_the_peninsula(offline_page, tmp_path, artifacts_dir):
    """A map of just the five places, linked and opened from a file, labels all five over the coastline."""
    m = places_map(load_places().loc[list(THAW_PLACES)], title="The five places of the thaw")
    path = save_map(m, tmp_path / "five.html")
    state = open_map(offline_page, path.as_uri(), 5)
    offline_page.screenshot(path=str(artifacts_dir / "maps-five-places-linked.png"))
    assert_clean(offline_page)
    assert state["markers"] == 5
    assert sorted(state["labels"]) == sorted(["Geneva", "Beijing", "Panmunjom", "Kaesong", "Pyeongchang"])
    # The peninsula and Geneva are on screen: their markers lie inside the map's visible bounds.
    visible = offline_page.evaluate("""() => {
        const map = Object.values(window).find(v => v instanceof L.Map);
        const b = map.getBounds();
        return [[37.9559, 126.6771], [46.2044, 6.1432], [39.9042, 116.4074]].map(p => b.contains(p));
    }""")
    assert visible == [True, True, True]


def test_linked_events_map_draws_from_a_local_server(offline_page, served, artifacts_dir):
    """The events map saved linked and served from 127.0.0.1 draws one circle per event."""
    folder, base = served
    events = load_events()
    save_map(events_map(events), folder / "events.html")
    state = open_map(offline_page, base + "events.html", len(events))
    offline_page.screenshot(path=str(artifacts_dir / "maps-events-linked-http.png"))
    assert_clean(offline_page)
    assert state["markers"] == len(events)
    assert len(state["land"]) == 3
    for category in set(events["category"].astype(str)):
        assert category in state["legend"]


def test_linked_events_map_draws_from_a_file(offline_page, tmp_path):
    """The same linked map opens from file:// too (no fetch, only script tags)."""
    events = load_events()
    path = save_map(events_map(events), tmp_path / "maps" / "events.html")
    state = open_map(offline_page, path.as_uri(), len(events))
    assert_clean(offline_page)
    assert state["markers"] == len(events) and state["leaflet"]


def test_popup_shows_hostile_title_as_text(offline_page, tmp_path, artifacts_dir):
    """A title with <script>, an onerror image and a backtick template shows as text and runs nothing."""
    events = load_events().iloc[:3].copy()
    events.iloc[0, events.columns.get_loc("title")] = HOSTILE
    path = save_map(events_map(events), tmp_path / "hostile.html", assets="inline")
    state = open_map(offline_page, path.as_uri(), 3)
    assert_clean(offline_page)
    assert state["pwned"] is None
    first = events.iloc[0]
    offline_page.evaluate(
        """([lat, lon]) => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            map.eachLayer(l => { if (l instanceof L.CircleMarker && l.options.interactive !== false
                                     && l.getLatLng().lat === lat && l.getLatLng().lng === lon) { l.openPopup(); } });
        }""",
        [float(first["latitude"]), float(first["longitude"])])
    popup = offline_page.locator(".leaflet-popup-content").first
    popup.wait_for()
    offline_page.screenshot(path=str(artifacts_dir / "maps-hostile-popup.png"))
    assert HOSTILE in popup.inner_text()
    assert popup.locator("img, script").count() == 0
    assert offline_page.evaluate("window.__pwned === undefined")
    assert_clean(offline_page)


def test_notebook_display_iframe_draws_offline(offline_page, tmp_path, artifacts_dir):
    """The map's notebook display (an iframe srcdoc, as in JupyterLab) draws with inline assets."""
    m = places_map()
    host = tmp_path / "notebook-output.html"
    host.write_text(f"<!DOCTYPE html><html><body style='width:1000px'>{m._repr_html_()}</body></html>",
                    encoding="utf-8")
    offline_page.goto(host.as_uri(), wait_until="load")
    frame = offline_page.frame_locator("iframe").first
    frame.locator(".folium-map path.leaflet-interactive").first.wait_for()
    inner = next(f for f in offline_page.frames if f != offline_page.main_frame)
    state = inner.evaluate(STATE_JS)
    offline_page.screenshot(path=str(artifacts_dir / "maps-notebook-iframe.png"))
    assert_clean(offline_page)
    assert state["leaflet"] is True
    assert state["markers"] == len(load_places())
    assert len(state["land"]) == 3


def test_folium_marker_and_popup_work_on_a_blank_map(offline_page, tmp_path, artifacts_dir):
    """A student's folium.Marker (default icon) and folium.Popup draw offline on a blank course map."""
    import folium

    m = blank_map(location=(46.2044, 6.1432), zoom_start=5)
    folium.Marker([46.2044, 6.1432], popup=folium.Popup("Geneva <b>IPU</b>"), tooltip="Geneva").add_to(m)
    path = save_map(m, tmp_path / "blank.html", assets="inline")
    offline_page.goto(path.as_uri(), wait_until="load")
    icon = offline_page.locator("img.leaflet-marker-icon")
    icon.wait_for()
    assert icon.get_attribute("src").startswith("data:image/png;base64,")
    icon.click()
    offline_page.locator(".leaflet-popup-content").wait_for()
    assert "Geneva IPU" in offline_page.locator(".leaflet-popup-content").inner_text()
    assert offline_page.evaluate("typeof jQuery") == "function"
    offline_page.screenshot(path=str(artifacts_dir / "maps-blank-folium-marker.png"))
    assert_clean(offline_page)


def test_plain_folium_map_is_blank_offline(offline_page, tmp_path):
    """Control: an ordinary folium.Map needs the network, so offline it fails ('L is not defined')."""
    import folium

    path = tmp_path / "plain.html"
    folium.Map(location=[37.9, 126.7], zoom_start=6).save(str(path))
    offline_page.goto(path.as_uri(), wait_until="load")
    offline_page.wait_for_timeout(300)
    assert offline_page.evaluate("typeof L") == "undefined"
    assert any("cdn" in url for url in offline_page.blocked)
    assert any("L is not defined" in e for e in offline_page.console_errors)


def test_ten_thousand_event_map_draws_clustered_offline(offline_page, tmp_path, artifacts_dir, ten_thousand_events,
                                                         record_property):
    """A 10,000-event map, saved inline and opened from a file, draws its clusters with no network.

    Every event is accounted for on the first view: the numbers on the cluster icons
    plus the circles drawn alone add up to 10,000.
    """
    import time

    path = save_map(events_map(ten_thousand_events), tmp_path / "ten-thousand.html", assets="inline")
    start = time.monotonic()
    offline_page.goto(path.as_uri(), wait_until="load")
    offline_page.wait_for_function(
        "() => typeof L !== 'undefined' && document.querySelectorAll('.marker-cluster').length > 0", timeout=60_000)
    offline_page.wait_for_timeout(500)  # chunked loading: let the last chunk settle
    drawn = offline_page.evaluate("""() => {
        const clusters = Array.from(document.querySelectorAll('.folium-map .marker-cluster'));
        return {inClusters: clusters.reduce((n, c) => n + parseInt(c.textContent, 10), 0),
                alone: document.querySelectorAll('.folium-map > .leaflet-pane path.leaflet-interactive').length,
                clusters: clusters.length};
    }""")
    record_property("draw_s", round(time.monotonic() - start, 2))
    offline_page.screenshot(path=str(artifacts_dir / "maps-ten-thousand-clustered.png"))
    assert_clean(offline_page)
    assert drawn["clusters"] > 0
    assert drawn["inClusters"] + drawn["alone"] == 10_000, drawn
