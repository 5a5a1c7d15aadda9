"""The course maps in a real browser with no network: Debian's chromium via Playwright.

Each test saves a map (inline or linked) with koreathaw.maps, opens it from a file or
from a local http.server on 127.0.0.1, with every other request aborted, and checks that
Leaflet loaded, nothing went wrong in the console, the markers and the basemap are drawn.
At the peninsula view (the inset clicked, as a student would) Panmunjom, Kaesong and
Pyeongchang are labelled on the map itself, no label covers a marker, a label or a
control, and no marker hides another (each marker is the topmost element at its centre).
The waits are on conditions (the map's koreathawLayouts counter), never on time.
Screenshots go to artifacts/screenshots/maps-*.png.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

from koreathaw import load_events, load_places
from koreathaw.maps import THAW_PLACES, blank_map, events_map, markers_table, places_map, save_map

pytestmark = pytest.mark.browser

HOSTILE = "Kim's `${window.__pwned = 3}` </script><script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\">"

# What the page reports once Leaflet has drawn. The course markers (places' circles, events'
# discs: options.koreathawSpread) are counted on the main map, drawn or gathered in a numbered
# bubble; the basemap's land and borders and the inset's copies are not interactive.
MAIN_MAP_JS = "Object.values(window).find(v => v instanceof L.Map)"
STATE_JS = """() => {
    const map = %s;
    const course = [];
    map.eachLayer(l => { if (l.options && l.options.koreathawSpread) { course.push(l); } });
    const shown = e => !!e && e.getClientRects().length > 0 && getComputedStyle(e).display !== 'none';
    const texts = sel => Array.from(document.querySelectorAll(sel)).filter(shown).map(t => t.textContent.trim());
    return {
        leaflet: typeof L !== 'undefined',
        layouts: map.koreathawLayouts || 0,
        markers: course.length,
        drawn: course.filter(l => shown(l._path || l._icon)).length,
        drawnCounts: course.filter(l => shown(l._path || l._icon)).reduce((n, l) => n + (l.options.koreathawCount || 1), 0),
        counts: course.reduce((n, l) => n + (l.options.koreathawCount || 1), 0),
        bubbles: texts('.folium-map > .leaflet-pane .koreathaw-bubble-count'),
        land: Array.from(document.querySelectorAll('.folium-map > .leaflet-pane path.koreathaw-land'))
            .map(p => (p.getAttribute('d') || '').length),
        insetLand: Array.from(document.querySelectorAll('.koreathaw-inset-map path.koreathaw-land'))
            .map(p => (p.getAttribute('d') || '').length),
        borders: document.querySelectorAll('path.koreathaw-border').length,
        inset: document.querySelectorAll('.koreathaw-inset-map path').length,
        labels: texts('.folium-map > .leaflet-pane .leaflet-tooltip'),
        insetLabels: texts('.koreathaw-inset-map .leaflet-tooltip'),
        legend: (document.querySelector('.koreathaw-legend') || {}).textContent || '',
        pwned: window.__pwned === undefined ? null : window.__pwned,
    };
}""" % MAIN_MAP_JS

# What lies where at the view shown: every interactive marker of the main map in view (its
# centre, radius, whether it is the topmost element there), every label shown, every control.
VIEW_JS = """() => {
    const map = %s, frame = map.getContainer().getBoundingClientRect();
    const shown = e => !!e && e.getClientRects().length > 0 && getComputedStyle(e).display !== 'none';
    const box = e => { const r = e.getBoundingClientRect(); return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
    const markers = [];
    map.eachLayer(l => {
        const e = l._path || l._icon;
        if (!(l instanceof L.CircleMarker || l instanceof L.Marker) || l.options.interactive === false || !shown(e)) { return; }
        const r = e.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
        // (Leaflet's SVG renderer gives a circle far out of view an empty path, of no size)
        if (r.width === 0 || x < frame.left || x > frame.right || y < frame.top || y > frame.bottom) { return; }
        const top = document.elementFromPoint(x, y), tip = l.getTooltip && l.getTooltip();
        const control = top && top.closest('.leaflet-control');
        const home = l.koreathawHome || l.getLatLng();
        markers.push({name: l.koreathawName || (tip ? String(tip.getContent()) : ''), x, y, r: Math.min(r.width, r.height) / 2,
                      lat: home.lat, lon: home.lng, onTop: !!top && (top === e || e.contains(top)),
                      under: control ? control.className : (top ? top.tagName + '.' + (top.getAttribute('class') || '') : '')});
    });
    return {
        frame: box(map.getContainer()), zoom: map.getZoom(), layouts: map.koreathawLayouts || 0, markers,
        labels: Array.from(map.getContainer().querySelectorAll(':scope > .leaflet-pane .leaflet-tooltip')).filter(shown)
            .map(t => ({text: t.textContent.trim(), ...box(t)})),
        controls: Array.from(map.getContainer().querySelectorAll('.leaflet-control')).filter(shown)
            .map(c => ({name: c.className, ...box(c)})),
    };
}""" % MAIN_MAP_JS


def boxes_meet(a: dict, b: dict, slack: float = 0.5) -> bool:
    return a["left"] < b["right"] - slack and b["left"] < a["right"] - slack and \
        a["top"] < b["bottom"] - slack and b["top"] < a["bottom"] - slack


def box_meets_disc(box: dict, disc: dict, slack: float = 0.5) -> bool:
    x = max(box["left"], min(disc["x"], box["right"]))
    y = max(box["top"], min(disc["y"], box["bottom"]))
    return (x - disc["x"]) ** 2 + (y - disc["y"]) ** 2 < (disc["r"] - slack) ** 2


def view_problems(view: dict, names: list[str]) -> list[str]:
    """What is unreadable at the view (VIEW_JS): a covered marker, an overlap, a missing or covered label.

    A marker is covered when something else is topmost at its centre: another marker, a
    label, or a control of the map (legend, inset, buttons).
    """
    problems = []
    markers, labels = view["markers"], view["labels"]
    for i, a in enumerate(markers):
        if not a["onTop"]:
            problems.append(f"marker {a['name']!r} is covered at its centre by {a['under']}")
        for b in markers[i + 1:]:
            if ((a["x"] - b["x"]) ** 2 + (a["y"] - b["y"]) ** 2) ** 0.5 < a["r"] + b["r"] - 1:
                problems.append(f"markers {a['name']!r} and {b['name']!r} overlap")
    for name in names:
        found = [label for label in labels if label["text"] == name]
        if len(found) != 1:
            problems.append(f"{name}: {len(found)} labels shown")
            continue
        label = found[0]
        frame = view["frame"]
        if not (label["left"] >= frame["left"] and label["right"] <= frame["right"]
                and label["top"] >= frame["top"] and label["bottom"] <= frame["bottom"]):
            problems.append(f"{name}: its label is cut by the map's border")
        problems += [f"{name}: its label meets the label {other['text']!r}" for other in labels
                     if other is not label and boxes_meet(label, other)]
        problems += [f"{name}: its label covers the marker {m['name']!r}" for m in markers if box_meets_disc(label, m)]
        problems += [f"{name}: its label is under the control {c['name']!r}" for c in view["controls"] if boxes_meet(label, c)]
    return problems


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
    """Open ``url``, wait until its course markers are on the map and laid out; return the page's state."""
    page.goto(url, wait_until="load")
    page.wait_for_function(
        f"n => {{ if (typeof L === 'undefined') {{ return false; }} const s = ({STATE_JS})(); "
        "return s.layouts > 0 && s.markers >= n; }",
        arg=expected_markers)
    return page.evaluate(STATE_JS)


def zoom_to_peninsula(page: Any) -> dict:
    """Click the inset, as a student would, and return the view (VIEW_JS) once the map is laid out for it."""
    before = page.evaluate(f"() => {MAIN_MAP_JS}.koreathawLayouts")
    page.locator(".koreathaw-inset").click()
    page.wait_for_function(f"n => {MAIN_MAP_JS}.koreathawLayouts > n", arg=before)
    return page.evaluate(VIEW_JS)


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
    # every place is drawn, or counted in a numbered bubble (a crowd at the world view)
    assert state["drawn"] + sum(map(int, state["bubbles"])) == len(load_places()), state
    # The three tiers of land are drawn in the map; the inset draws the peninsula's detailed coast.
    assert len(state["land"]) == 3 and min(state["land"]) > 500
    assert len(state["insetLand"]) == 3 and max(state["insetLand"]) > 2000
    assert state["borders"] >= 3
    assert "Geneva" in state["labels"]
    assert sorted(state["insetLabels"]) == ["Kaesong", "Panmunjom", "Pyeongchang"]
    assert state["inset"] > len(load_places())
    # nothing hidden at the first view either: no marker or bubble under another, a label or the inset
    view = offline_page.evaluate(VIEW_JS)
    assert view_problems(view, ["Geneva"]) == [], view


def test_five_places_map_shows_geneva_beijing_and_the_peninsula(offline_page, tmp_path, artifacts_dir):
    """A map of just the five places, linked and opened from a file, labels all five over the coastline."""
    m = places_map(load_places().loc[list(THAW_PLACES)], title="The five places of the thaw")
    path = save_map(m, tmp_path / "five.html")
    state = open_map(offline_page, path.as_uri(), 5)
    offline_page.screenshot(path=str(artifacts_dir / "maps-five-places-linked.png"))
    assert_clean(offline_page)
    assert state["markers"] == state["drawn"] == 5 and state["bubbles"] == []
    assert {"Geneva", "Beijing"} <= set(state["labels"])
    assert sorted(state["insetLabels"]) == ["Kaesong", "Panmunjom", "Pyeongchang"]
    # The peninsula and Geneva are on screen: their markers lie inside the map's visible bounds.
    visible = offline_page.evaluate("""() => {
        const map = Object.values(window).find(v => v instanceof L.Map);
        const b = map.getBounds();
        return [[37.9559, 126.6771], [46.2044, 6.1432], [39.9042, 116.4074]].map(p => b.contains(p));
    }""")
    assert visible == [True, True, True]


KOREAN_PLACES = ["Panmunjom", "Kaesong", "Pyeongchang"]
# The map as a lesson shows it (an output about 700 px wide) and as a wide window shows it.
SIZES = pytest.mark.parametrize("size", [(700, 420), (1000, 600)], ids=["notebook", "wide"])


@SIZES
@pytest.mark.parametrize("kind", ["places", "events"])
def test_first_view_hides_no_marker_under_another_or_a_control(offline_page, tmp_path, artifacts_dir, size, kind):
    """At the world view a map opens with, no marker or bubble is under another, a label, the legend or the inset."""
    offline_page.set_viewport_size({"width": size[0], "height": size[1]})
    events = load_events()
    m = places_map() if kind == "places" else events_map(events)
    expected = len(load_places()) if kind == "places" else len(events[["latitude", "longitude"]].drop_duplicates())
    open_map(offline_page, save_map(m, tmp_path / f"{kind}.html", assets="inline").as_uri(), expected)
    view = offline_page.evaluate(VIEW_JS)
    offline_page.screenshot(path=str(artifacts_dir / f"maps-first-view-{kind}-{size[0]}.png"))
    assert_clean(offline_page)
    assert view_problems(view, ["Geneva"] if kind == "places" else []) == [], view


@SIZES
def test_places_map_at_the_peninsula_view_labels_the_korean_places_and_hides_no_marker(offline_page, tmp_path,
                                                                                        artifacts_dir, size):
    """A click on the inset zooms to the peninsula: Panmunjom, Kaesong, Pyeongchang labelled there, nothing hidden."""
    offline_page.set_viewport_size({"width": size[0], "height": size[1]})
    path = save_map(places_map(), tmp_path / "places.html", assets="inline")
    open_map(offline_page, path.as_uri(), len(load_places()))
    view = zoom_to_peninsula(offline_page)
    offline_page.screenshot(path=str(artifacts_dir / f"maps-peninsula-places-{size[0]}.png"))
    assert_clean(offline_page)
    assert view["zoom"] >= 5 and offline_page.locator(".koreathaw-inset").is_hidden()
    assert view_problems(view, KOREAN_PLACES) == [], view
    names = [marker["name"] for marker in view["markers"]]
    assert set(KOREAN_PLACES) <= set(names) and not any("zoom in" in name for name in names), names


@SIZES
def test_events_map_at_the_peninsula_view_hides_no_disc_and_lists_panmunjoms_events_in_date_order(
        offline_page, tmp_path, artifacts_dir, size):
    """At the peninsula view every disc is clear of the others; a click on Panmunjom's lists its events by date."""
    offline_page.set_viewport_size({"width": size[0], "height": size[1]})
    events = load_events()
    points = len(events[["latitude", "longitude"]].drop_duplicates())
    path = save_map(events_map(events), tmp_path / "events.html", assets="inline")
    open_map(offline_page, path.as_uri(), points)
    view = zoom_to_peninsula(offline_page)
    assert_clean(offline_page)
    assert view_problems(view, []) == [], view
    at_panmunjom = [m for m in view["markers"] if m["name"].startswith("Panmunjom:")]
    assert len(at_panmunjom) == 1, [m["name"] for m in view["markers"]]
    offline_page.mouse.click(at_panmunjom[0]["x"], at_panmunjom[0]["y"])
    popup = offline_page.locator(".leaflet-popup-content")
    popup.wait_for()
    offline_page.screenshot(path=str(artifacts_dir / f"maps-peninsula-events-panmunjom-{size[0]}.png"))
    here = events[events["place_id"] == "panmunjom"].reset_index().sort_values(["date", "event_id"])
    assert len(here) > 1
    assert re.findall(r"\bE\d{3}\b", popup.inner_text()) == here["event_id"].tolist()
    assert f"{len(here)} events" in popup.inner_text()
    assert_clean(offline_page)


def test_linked_events_map_draws_from_a_local_server(offline_page, served, artifacts_dir):
    """The events map saved linked and served from 127.0.0.1 draws one disc per point, every event counted."""
    folder, base = served
    events = load_events()
    points = len(events[["latitude", "longitude"]].drop_duplicates())
    save_map(events_map(events), folder / "events.html")
    state = open_map(offline_page, base + "events.html", points)
    offline_page.screenshot(path=str(artifacts_dir / "maps-events-linked-http.png"))
    assert_clean(offline_page)
    assert state["markers"] == points and state["counts"] == len(events)
    assert state["drawnCounts"] + sum(map(int, state["bubbles"])) == len(events), state
    view = offline_page.evaluate(VIEW_JS)
    assert view_problems(view, []) == [], view
    assert len(state["land"]) == 3
    for category in set(events["category"].astype(str)):
        assert category in state["legend"]


def test_linked_events_map_draws_from_a_file(offline_page, tmp_path):
    """The same linked map opens from file:// too (no fetch, only script tags)."""
    events = load_events()
    points = len(events[["latitude", "longitude"]].drop_duplicates())
    path = save_map(events_map(events), tmp_path / "maps" / "events.html")
    state = open_map(offline_page, path.as_uri(), points)
    assert_clean(offline_page)
    assert state["markers"] == points and state["counts"] == len(events) and state["leaflet"]


def test_popup_shows_hostile_title_as_text(offline_page, tmp_path, artifacts_dir):
    """A title with <script>, an onerror image and a backtick template shows as text and runs nothing."""
    events = load_events().iloc[:3].copy()
    events.iloc[0, events.columns.get_loc("title")] = HOSTILE
    path = save_map(events_map(events), tmp_path / "hostile.html", assets="inline")
    state = open_map(offline_page, path.as_uri(), len(events[["latitude", "longitude"]].drop_duplicates()))
    assert_clean(offline_page)
    assert state["pwned"] is None
    first = events.iloc[0]
    offline_page.evaluate(
        """([lat, lon]) => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            map.eachLayer(l => { const home = l.koreathawHome || (l.getLatLng && l.getLatLng());
                                 if (l.options.koreathawSpread && home.lat === lat && home.lng === lon) { l.openPopup(); } });
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
    inner = offline_page.locator("iframe").first.element_handle().content_frame()
    inner.wait_for_function(f"() => typeof L !== 'undefined' && {MAIN_MAP_JS} && {MAIN_MAP_JS}.koreathawLayouts > 0")
    state = inner.evaluate(STATE_JS)
    offline_page.screenshot(path=str(artifacts_dir / "maps-notebook-iframe.png"))
    assert_clean(offline_page)
    assert state["leaflet"] is True
    assert state["markers"] == len(load_places())
    assert state["drawn"] > 0 and state["drawn"] + sum(map(int, state["bubbles"])) == len(load_places()), state
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
