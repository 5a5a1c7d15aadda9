"""The course website, built as `make site` builds it, read in Debian's chromium with no network.

A module fixture builds the site from this checkout into a temporary folder (the
lessons executed afresh). Every page is then opened twice, from disk (file://) and
from a static server on 127.0.0.1, in a browser context that aborts every request
leaving the machine. A page fails on:

* a request that would have left the machine, or a local file that is missing;
* a console error or an uncaught exception;
* a map (a lesson's Leaflet iframe) without Leaflet, markers or basemap (a marker is
  an interactive SVG path -- the library's circles -- or a marker icon that is drawn:
  a student's ``folium.Marker`` pin whose image loaded, or an SVG disc);
* a widget view left undrawn;
* an axe-core violation (the vendored axe, injected into the page and its frames):
  any violation at all, whatever its impact.

Screenshots: artifacts/screenshots/site-home.png, site-timeline-widget.png,
site-places-map.png.
"""

from __future__ import annotations

import functools
import http.server
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from lab_fixtures import REPO, bring_into_view, course_env, stepper_row_problems, venv_python

pytest.importorskip("myst_nb")

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
BUILD_TIMEOUT = 900


def build_site(out: Path, doctrees: Path) -> subprocess.CompletedProcess:
    """Build the website as `make site` does (same command), into ``out``."""
    command = [venv_python(), "-m", "sphinx", "-E", "-b", "html", "-c", "website", "-d", str(doctrees), ".", str(out)]
    return subprocess.run(command, cwd=REPO, env=course_env(), capture_output=True, text=True, timeout=BUILD_TIMEOUT)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The site built afresh: its folder, build time, warnings."""
    root = tmp_path_factory.mktemp("website")
    started = time.monotonic()
    done = build_site(root / "site", root / "doctrees")
    seconds = time.monotonic() - started
    if done.returncode != 0:
        pytest.fail(f"the site did not build ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}")
    # Sphinx's own warnings ("file:line: WARNING: ..."), not the kernels' logs ("[IPKernelApp] WARNING | ...")
    warnings = [line for line in done.stderr.splitlines() if re.search(r"(^|: )(WARNING|ERROR|CRITICAL):", line)]
    return {"dir": root / "site", "seconds": seconds, "warnings": warnings}


def site_pages(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html")
                  if "_static" not in p.parts and "_sources" not in p.parts)


def lessons() -> list[str]:
    return sorted(p.stem for p in (REPO / "notebooks").glob("[0-9][0-9]-*.ipynb"))


@pytest.fixture(scope="module")
def served(site: dict[str, Any]) -> Iterator[str]:
    """The built site served over http on 127.0.0.1 (a thread of this process)."""
    handler = functools.partial(_QuietHandler, directory=str(site["dir"]))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


# --------------------------------------------------------------------------- what a page shows

# Markers: the library's circles are interactive SVG paths; a folium.Marker (lesson 04 teaches
# it) is an <img> icon, drawn once its image has loaded; an icon of HTML (a divIcon) is drawn
# when it has a size. Icons hidden by the map's layout (display: none) have no size.
MAP_STATE_JS = """() => ({
    leaflet: typeof L !== 'undefined',
    paths: document.querySelectorAll('.folium-map path.leaflet-interactive').length,
    icons: Array.from(document.querySelectorAll('.folium-map .leaflet-marker-icon')).filter(icon =>
        icon.getBoundingClientRect().width > 0 &&
        (icon.tagName !== 'IMG' || (icon.complete && icon.naturalWidth > 0))).length,
    land: document.querySelectorAll('.folium-map > .leaflet-pane path.koreathaw-land').length,  // the inset has its own
})"""


def map_drawn(state: dict) -> bool:
    """Whether a map's state (MAP_STATE_JS) is that of a drawn map: Leaflet, markers, the three tiers of land."""
    return bool(state["leaflet"] and state["paths"] + state["icons"] > 0 and state["land"] == 3)

WIDGETS_JS = """() => Array.from(document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]'))
    .map(s => {
        const drawn = s.parentElement.querySelector('.jupyter-widgets:not(script)');
        return {drawn: !!drawn && drawn.getBoundingClientRect().height > 0,
                error: /could not be displayed/i.test(s.parentElement.innerText || '')};
    })"""


def open_page(page: Any, url: str) -> None:
    page.goto(url, wait_until="load")
    # the widget manager draws after load; wait until every widget view has its drawing
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]'))
                 .every(s => s.parentElement.querySelector('.jupyter-widgets:not(script)'))""",
        timeout=60_000)
    for frame in page.frames[1:]:
        frame.wait_for_load_state("load")


def map_states(page: Any) -> list[dict]:
    """The state of every map iframe on the page, once it is drawn (or, after a minute, as it is).

    The minute is only a backstop: a map that draws returns as soon as it has; one that
    never does is returned undrawn, for the caller's assertion to show what is missing.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    drawn = f"() => {{ const s = ({MAP_STATE_JS})(); return s.leaflet && s.paths + s.icons > 0 && s.land === 3; }}"
    states = []
    for frame in page.frames[1:]:
        try:
            frame.wait_for_function(drawn, timeout=60_000)
        except PlaywrightTimeout:
            pass
        states.append(frame.evaluate(MAP_STATE_JS) | {"title": frame.frame_element().get_attribute("title")})
    return states


def axe_violations(page: Any) -> list[dict]:
    """axe-core's violations on the page and in its frames (every rule axe runs by default)."""
    for frame in page.frames:
        frame.add_script_tag(path=str(AXE))
    return page.evaluate(
        # preload: false -- axe would fetch the style sheets with XMLHttpRequest, which file:// refuses
        # (only its css-orientation-lock rule needs them)
        """async () => (await axe.run(document, {resultTypes: ['violations'], preload: false})).violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))""")


def check_page(page: Any, url: str, audit: bool) -> dict[str, Any]:
    """Open ``url``; assert the page asked nothing of the network, logged no error, drew everything."""
    open_page(page, url)
    widgets = page.evaluate(WIDGETS_JS)
    maps = map_states(page)
    assert page.blocked == [], f"{url} asked the network for {page.blocked}"
    assert page.console_errors == [], f"{url}: {page.console_errors}"
    assert all(w["drawn"] and not w["error"] for w in widgets), f"{url}: widgets {widgets}"
    for state in maps:
        assert map_drawn(state), f"{url}: map not drawn: {state}"
    result = {"widgets": len(widgets), "maps": len(maps), "violations": []}
    if audit:
        result["violations"] = axe_violations(page)
        assert result["violations"] == [], f"{url}: axe violations {result['violations']}"
    return result


# --------------------------------------------------------------------------- tests


def test_site_builds_with_every_lesson_and_course_page(site):
    """The site has the home page, one page per lesson in order in the navigation, the course pages, search."""
    folder = site["dir"]
    pages = site_pages(folder)
    print(f"\nsite built in {site['seconds']:.1f} s: {len(pages)} pages")
    assert (folder / "index.html").exists() and (folder / "search.html").exists() and (folder / "searchindex.js").exists()
    for lesson in lessons():
        assert f"notebooks/{lesson}.html" in pages
    for doc in sorted((REPO / "course").glob("*.md")):
        if doc.name != "README.md":
            assert f"course/{doc.stem}.html" in pages
    home = (folder / "course" / "syllabus.html").read_text(encoding="utf-8")
    nav = re.findall(r'href="\.\./notebooks/(\d\d-[^"#]+)\.html"', home.split('aria-label="Main"', 1)[1])
    assert list(dict.fromkeys(nav)) == lessons(), "the navigation lists the lessons in order"


def test_site_build_warns_only_of_links_to_files_that_are_not_pages(site):
    """Every build warning is a course page linking a repository file that is no page (e.g. the lesson template).

    A link to a file that does not exist at all, or any other warning, fails.
    """
    for line in site["warnings"]:
        match = re.search(r"Unknown source document '([^']+)'", line)
        assert match and list(REPO.glob(match.group(1) + "*")), line


def test_no_page_loads_anything_from_outside(site):
    """No built file names a CDN or any other host in a script, link or style it loads."""
    pattern = re.compile(r"""(?:src|href)=["'](?:https?:)?//[^"']+["'][^>]*>""")
    for name in site_pages(site["dir"]):
        text = (site["dir"] / name).read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", text):
            assert not pattern.search(tag), f"{name}: {tag[:200]}"


def test_every_page_from_disk_is_offline_drawn_and_passes_axe(site, offline_page):
    """Each page opened as a file: no outside request, no console error, maps and widgets drawn, no axe violation."""
    counts = {}
    for name in site_pages(site["dir"]):
        offline_page.console_errors.clear()
        counts[name] = check_page(offline_page, (site["dir"] / name).as_uri(), audit=True)
    print("\n" + "\n".join(f"{k}: {v['widgets']} widgets, {v['maps']} maps, axe: {len(v['violations'])} violations"
                           for k, v in counts.items()))
    # the lessons that show them do have widgets and maps on their pages
    assert counts["notebooks/03-timeline.html"]["widgets"] >= 1 and counts["notebooks/03-timeline.html"]["maps"] >= 1
    assert counts["notebooks/04-places.html"]["maps"] >= 3


def test_every_page_from_a_static_server_is_offline_and_drawn(site, served, offline_page):
    """The same pages served over http from 127.0.0.1: no outside request, no error, everything drawn."""
    for name in site_pages(site["dir"]):
        offline_page.console_errors.clear()
        check_page(offline_page, served + name, audit=False)


def test_axe_finds_a_violation_on_a_broken_page(tmp_path, offline_page):
    """The audit can fail: a page with an untitled iframe and an unlabeled input has violations."""
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html><head><title>x</title></head><body><main>'
                    '<iframe srcdoc="<p>x</p>"></iframe><input type="text"></main></body></html>')
    offline_page.goto(page.as_uri())
    found = {v["id"] for v in axe_violations(offline_page)}
    assert {"frame-title", "label", "html-has-lang"} <= found


def test_search_works_offline(site, served, offline_page):
    """Sphinx's full-text search finds a lesson's word with no network, from disk and from a server."""
    for base in ((site["dir"]).as_uri() + "/", served):
        offline_page.console_errors.clear()
        offline_page.goto(base + "search.html?q=sanctions")
        offline_page.wait_for_function("() => document.querySelectorAll('#search-results li').length > 0",
                                       timeout=60_000)
        hits = offline_page.locator("#search-results li a").all_inner_texts()
        assert any(re.match(r"\d\d · ", hit) for hit in hits), hits
        if base == served:  # summaries are fetched from the server (from disk they are left out)
            offline_page.wait_for_function("() => document.querySelector('#search-results li p.context')",
                                           timeout=60_000)
        offline_page.wait_for_load_state("networkidle")
        assert offline_page.blocked == [] and offline_page.console_errors == [], base


def test_timeline_stepper_is_drawn_from_its_saved_state(site, offline_page, artifacts_dir):
    """The timeline lesson's stepper shows the event the lesson left it on, its card and its map."""
    open_page(offline_page, (site["dir"] / "notebooks" / "03-timeline.html").as_uri())
    slider = offline_page.locator(".widget-slider").first
    bring_into_view(slider, block="start")
    readout = slider.locator(".widget-readout").inner_text()
    match = re.search(r"(\d{4}-\d\d-\d\d) · (E\d{3})", readout)
    assert match, readout
    card = offline_page.locator(".koreathaw-event").first
    assert match.group(2) in card.inner_text()
    handle = slider.locator(".noUi-handle").first
    assert handle.get_attribute("aria-label") == "Event" and handle.get_attribute("aria-valuetext") == readout
    assert offline_page.locator(".koreathaw-widget-note").count() >= 1
    maps = map_states(offline_page)
    assert maps and all(map_drawn(state) for state in maps), maps
    stepper = offline_page.locator(".widget-vbox", has=offline_page.locator(".widget-slider")).first
    row = stepper_row_problems(stepper)
    assert row["problems"] == [], f"the stepper's row is not readable: {row}"
    bring_into_view(offline_page.locator(".koreathaw-widget-note").first, block="start")
    offline_page.evaluate("() => window.scrollBy(0, -70)")  # below the theme's sticky header
    offline_page.wait_for_timeout(300)
    offline_page.screenshot(path=str(artifacts_dir / "site-timeline-widget.png"))
    # a phone-sized window: the row wraps rather than overlap
    width = stepper.evaluate("w => w.getBoundingClientRect().width")
    offline_page.set_viewport_size({"width": 480, "height": 700})
    offline_page.wait_for_function("([w, before]) => w.getBoundingClientRect().width < before - 100",
                                   arg=[stepper.element_handle(), width])
    row = stepper_row_problems(stepper)
    assert row["problems"] == [], f"the stepper's row is not readable in a window 480 px wide: {row}"


def test_places_map_is_drawn(site, offline_page, artifacts_dir):
    """The places lesson's first map draws every place with the basemap, in a titled iframe."""
    open_page(offline_page, (site["dir"] / "notebooks" / "04-places.html").as_uri())
    frame_element = offline_page.locator("iframe").first
    assert frame_element.get_attribute("title") == "Map: Places of the thaw"
    bring_into_view(frame_element, block="center")
    states = map_states(offline_page)
    assert map_drawn(states[0]) and states[0]["paths"] >= 5, states[0]
    offline_page.wait_for_timeout(300)
    offline_page.screenshot(path=str(artifacts_dir / "site-places-map.png"))


def test_home_page(site, offline_page, artifacts_dir):
    """The site's index leads to the syllabus, the home page, whose navigation lists the lessons."""
    offline_page.goto((site["dir"] / "index.html").as_uri())
    offline_page.wait_for_url(re.compile(r"course/syllabus\.html$"))
    assert offline_page.locator('nav[aria-label="Main"] a', has_text="03 · ").count() >= 1
    offline_page.screenshot(path=str(artifacts_dir / "site-home.png"))
    assert offline_page.blocked == [] and offline_page.console_errors == []
