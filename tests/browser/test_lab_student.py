"""What a student sees in the course's JupyterLab, in a real (headless) chromium.

One JupyterLab server for the module, on a free loopback port, serving a temporary copy
of the lessons (and, for the assignment scenario, a released copy of a1-sources made with
``nbgrader generate_assignment``). The browser may reach only that server. Each scenario
saves a screenshot to ``artifacts/screenshots/student-*.png``.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from lab_fixtures import (  # noqa: F401 (lab_browser, shots: fixtures)
    LabServer,
    KERNEL_TIMEOUT_MS,
    answer_cells,
    assignments_dir,
    copy_course,
    copy_lessons,
    error_outputs,
    filled_answers,
    lab_server_fixture,
    lab_browser,
    lessons_dir,
    nbgrader_meta,
    notebook_cells,
    offline_page,
    open_notebook,
    require,
    run_all,
    run_nbgrader,
    screenshot,
    shots,
    screenshot_element,
    stepper_row_problems,
    bring_into_view,
    set_cell_text,
    cell_source,
    wait_kernel_idle,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PLACES = ["Panmunjom", "Kaesong", "Pyeongchang", "Geneva", "Beijing"]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def student_root(tmp_path_factory) -> Path:
    """A student's folder: a copy of the lessons (released assignments are added by tests)."""
    root = tmp_path_factory.mktemp("student")
    if lessons_dir().exists():
        copy_lessons(root)
    return root


@pytest.fixture(scope="module")
def lab(request, lab_browser, student_root, tmp_path_factory):
    """The course's JupyterLab serving the student's folder (started after the browser)."""
    server = LabServer(root_dir=student_root, home=tmp_path_factory.mktemp("student-jupyter"))
    yield from lab_server_fixture(request, server)


@pytest.fixture()
def page(request, lab, lab_browser, shots):
    """A fresh offline page; after the test, its kernels are shut down (one at a time on 2 cores)."""
    with offline_page(request, lab, lab_browser, shots) as page:
        yield page


def lesson(name: str) -> str:
    require(lessons_dir() / name, f"the lesson {name}")
    return f"notebooks/{name}"


# --------------------------------------------------------------------------- 1. first lesson


def test_first_lesson_runs_without_errors(page, lab, shots):
    """Run All on 00-welcome leaves an idle kernel and no error output."""
    open_notebook(page, lab, lesson("00-welcome.ipynb"))
    run_all(page)
    screenshot(page, "student-1-welcome", shots, full_page=False)
    assert error_outputs(page) == []
    code_cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell")
    assert code_cells.count() > 0
    prompts = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt").all_inner_texts()
    assert all(re.search(r"\[\d+\]", p) for p in prompts if p.strip()), prompts
    assert page.blocked == [], f"the lesson asked for the network: {page.blocked}"
    alts = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output img").evaluate_all(
        "imgs => imgs.map(i => i.getAttribute('alt') || '')")
    assert alts and all(len(alt.split()) >= 10 for alt in alts), f"a figure without alt text in JupyterLab: {alts}"
    assert any(alt.startswith("Bar chart of the number of events") for alt in alts), alts


# --------------------------------------------------------------------------- 2. timeline


def _widget_state(page, widget) -> dict:
    """Readout, event card text and map source of the timeline widget."""
    return widget.evaluate(
        """(w) => {
          const readout = w.querySelector('.widget-readout');
          const htmls = [...w.querySelectorAll('.widget-html-content')].map(e => e.innerText);
          const frame = w.querySelector('iframe');
          return {
            readout: readout ? readout.innerText : '',
            text: htmls.join('\\n---\\n'),
            map: frame ? (frame.getAttribute('srcdoc') || frame.src || '') : '',
          };
        }"""
    )


def _leaflet_layers(frame) -> dict:
    """Inside a map frame: the Leaflet maps, their drawn markers with latlng, tooltip and popup."""
    return frame.evaluate(
        """() => {
          const out = {maps: 0, markers: [], containers: document.querySelectorAll('.leaflet-container').length,
                       paths: document.querySelectorAll('path.leaflet-interactive').length,
                       text: document.body ? document.body.innerText : ''};
          if (!window.L) return out;
          for (const key of Object.keys(window)) {
            let m; try { m = window[key]; } catch (e) { continue; }
            if (!(m instanceof L.Map)) continue;
            out.maps += 1;
            m.eachLayer(layer => {
              if (!(layer instanceof L.CircleMarker || layer instanceof L.Marker)) return;
              const node = layer._path || layer._icon;
              const tip = layer.getTooltip && layer.getTooltip();
              const pop = layer.getPopup && layer.getPopup();
              const content = (x) => { if (!x) return ''; let c = x.getContent();
                  if (typeof c === 'function') c = c(layer);
                  if (c && c.nodeType) c = c.textContent;
                  return String(c || ''); };
              const box = node ? node.getBoundingClientRect() : null;
              const holder = node ? node.closest('.leaflet-container') : null;
              const area = holder ? holder.getBoundingClientRect() : null;
              // drawn: in the page, with a size, a real SVG path, and inside its map's box
              const inside = !!(box && area && box.right > area.left && box.left < area.right
                                && box.bottom > area.top && box.top < area.bottom);
              out.markers.push({
                latlng: layer.getLatLng(),
                drawn: !!(node && node.isConnected && box.width > 0 && box.height > 0 && inside
                          && (!layer._path || (layer._path.getAttribute('d') || '').length > 4)),
                tooltip: content(tip), popup: content(pop),
              });
            });
          }
          return out;
        }"""
    )


def _settled_markers(page, frame, timeout_s: float = 15.0) -> list[dict]:
    """The drawn markers of a map frame, once two readings 300 ms apart agree (and some are drawn)."""
    import time

    deadline = time.monotonic() + timeout_s
    previous = None
    while True:
        page.wait_for_timeout(300)
        drawn = [m for m in _leaflet_layers(frame)["markers"] if m["drawn"]]
        key = sorted((m["tooltip"], m["popup"], m["latlng"]["lat"], m["latlng"]["lng"]) for m in drawn)
        if drawn and key == previous:
            return drawn
        if time.monotonic() > deadline:
            return drawn
        previous = key


def _map_frames(page, scope_selector: str):
    """Playwright frames of the map iframes inside ``scope_selector``."""
    frames = []
    handles = page.locator(f"{scope_selector} iframe").element_handles()
    for handle in handles:
        frame = handle.content_frame()
        if frame is not None:
            frames.append(frame)
    return frames


def _wait_for_leaflet(frame, timeout_ms: int = 30_000) -> None:
    frame.wait_for_function(
        "() => window.L && document.querySelector('.leaflet-container') !== null", timeout=timeout_ms
    )


def test_timeline_widget_steps_through_events(page, lab, shots):
    """03-timeline draws the stepper; Next and the arrow key change the event shown and its map."""
    open_notebook(page, lab, lesson("03-timeline.ipynb"))
    run_all(page)
    assert error_outputs(page) == []
    slider = page.locator(".jp-OutputArea-output .jupyter-widgets .widget-slider").first
    slider.wait_for(state="visible", timeout=60_000)
    # the output that holds the whole stepper: slider, buttons, event card, map
    widget = slider.locator("xpath=ancestor::div[contains(@class, 'jp-OutputArea-output')][1]")
    assert widget.count() == 1
    assert widget.locator("button", has_text="Next").count() == 1, "the timeline has no Next button"
    widget.scroll_into_view_if_needed()
    before = _widget_state(page, widget)
    assert before["text"].strip(), "the timeline shows no event text"
    assert before["map"], "the timeline shows no map (no iframe in the widget)"
    frames = _map_frames(page, ".jp-OutputArea-output .jupyter-widgets")
    assert frames, "the timeline's map iframe has no frame"
    _wait_for_leaflet(frames[0])
    layers = _leaflet_layers(frames[0])
    assert any(m["drawn"] for m in layers["markers"]), f"the event's map has no marker drawn: {layers}"
    screenshot_element(widget, "student-2-timeline-first", shots)
    row = stepper_row_problems(widget)
    assert row["problems"] == [], f"the stepper's row is not readable: {row}"
    # a narrower window (a laptop with the file browser open): the row still reads
    wide = page.viewport_size
    width = widget.evaluate("w => w.getBoundingClientRect().width")
    page.set_viewport_size({"width": 1000, "height": wide["height"]})
    page.wait_for_function("([w, before]) => w.getBoundingClientRect().width < before - 100",
                           arg=[widget.element_handle(), width])
    narrow = stepper_row_problems(widget)
    screenshot_element(widget, "student-2-timeline-narrow", shots)
    page.set_viewport_size(wide)
    assert narrow["problems"] == [], f"the stepper's row is not readable in a window 1000 px wide: {narrow}"

    # Next button, as a student clicks it
    widget.locator("button", has_text="Next").first.click()
    page.wait_for_function(
        "([w, old]) => { const r = w.querySelector('.widget-readout'); return r && r.innerText !== old; }",
        arg=[widget.element_handle(), before["readout"]], timeout=30_000,
    )
    wait_kernel_idle(page)
    page.wait_for_timeout(500)  # let the new map iframe draw
    after = _widget_state(page, widget)
    assert after["readout"] != before["readout"]
    assert after["text"] != before["text"], "the event card did not change after Next"
    assert after["map"] != before["map"], "the map did not change after Next"
    frames = _map_frames(page, ".jp-OutputArea-output .jupyter-widgets")
    _wait_for_leaflet(frames[0])
    after_layers = _leaflet_layers(frames[0])
    assert any(m["drawn"] for m in after_layers["markers"]), f"no marker drawn after Next: {after_layers}"
    screenshot_element(widget, "student-2-timeline-next", shots)

    # keyboard: focus the slider's handle and press the right arrow
    handle = widget.locator(".widget-slider .noUi-handle, .widget-slider [role=slider]").first
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "([w, old]) => { const r = w.querySelector('.widget-readout'); return r && r.innerText !== old; }",
        arg=[widget.element_handle(), after["readout"]], timeout=30_000,
    )
    wait_kernel_idle(page)
    page.wait_for_timeout(500)
    third = _widget_state(page, widget)
    assert third["text"] != after["text"], "the event card did not change after the arrow key"
    screenshot_element(widget, "student-2-timeline-key", shots)
    assert page.blocked == [], f"the timeline asked for the network: {page.blocked}"


# --------------------------------------------------------------------------- 3. places


def test_places_map_draws_the_five_places(page, lab, shots):
    """04-places draws Leaflet maps whose markers name Panmunjom, Kaesong, Pyeongchang, Geneva, Beijing."""
    open_notebook(page, lab, lesson("04-places.ipynb"))
    run_all(page)
    assert error_outputs(page) == []
    scope = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output"
    page.locator(f"{scope} iframe").first.wait_for(state="attached", timeout=60_000)
    frames = _map_frames(page, scope)
    assert frames, "no map iframe in the lesson's outputs"
    found: dict[str, list] = {name: [] for name in PLACES}
    drawn_total = 0
    maps_seen = 0
    for index, frame in enumerate(frames):
        try:
            _wait_for_leaflet(frame, 20_000)
        except Exception:
            continue  # an iframe that is not a map
        # the map must be on screen for Leaflet to lay out its markers (and for the screenshot)
        bring_into_view(frame.frame_element())
        drawn = _settled_markers(page, frame)
        if frame.locator(".koreathaw-inset").count() and frame.locator(".koreathaw-inset").is_visible():
            # at the world view the peninsula's places are a bubble beside the inset: click the
            # inset, as a student would, and read the peninsula's markers too
            layouts = frame.evaluate("() => Object.values(window).find(v => v instanceof L.Map).koreathawLayouts")
            frame.locator(".koreathaw-inset").click()
            frame.wait_for_function("n => Object.values(window).find(v => v instanceof L.Map).koreathawLayouts > n",
                                    arg=layouts)
            drawn += [m for m in _leaflet_layers(frame)["markers"] if m["drawn"]]
        drawn_total += len(drawn)
        for marker in drawn:
            label = f"{marker['tooltip']} {marker['popup']}"
            for name in PLACES:
                if name.lower() in label.lower():
                    found[name].append(index)
        if drawn:
            maps_seen += 1
            screenshot(page, f"student-3-places-map-{maps_seen}", shots)
    missing = [name for name, where in found.items() if not where]
    assert maps_seen, f"no Leaflet map with a drawn marker in {len(frames)} iframes"
    assert drawn_total >= len(PLACES), f"only {drawn_total} markers drawn in {len(frames)} iframes"
    assert not missing, f"no drawn marker names {missing} (tooltips/popups); found {found}"
    # and one map shows all five at once (the lesson's map of the places)
    together = set.intersection(*(set(where) for where in found.values()))
    assert together, f"no single map draws all of {PLACES}; map iframes per place: {found}"
    assert page.blocked == [], f"the maps asked for the network: {page.blocked}"


# --------------------------------------------------------------------------- 4. assignment


def test_student_fills_runs_and_validates_a1(page, lab, student_root, tmp_path_factory, shots):
    """A released a1-sources: type the answers, run the visible tests, Validate says it passes."""
    source_dir = require(assignments_dir() / "source" / "a1-sources", "the assignment a1-sources")
    require(assignments_dir() / "nbgrader_config.py", "the nbgrader course config")
    course = copy_course(tmp_path_factory.mktemp("a1-course"), ["a1-sources"])
    run_nbgrader(["generate_assignment", "a1-sources", "--force"], cwd=course)
    released = course / "release" / "a1-sources"
    shutil.copytree(released, student_root / "a1-sources", dirs_exist_ok=True)
    notebooks = sorted(p.name for p in released.glob("*.ipynb"))
    assert notebooks, "generate_assignment released no notebook"

    name = notebooks[0]
    source_nb = json.loads((source_dir / name).read_text(encoding="utf-8"))
    released_nb = json.loads((released / name).read_text(encoding="utf-8"))
    answers = filled_answers(source_nb, released_nb)
    assert answers, f"{name} has no answer cell"

    open_notebook(page, lab, f"a1-sources/{name}")
    cells = notebook_cells(page)
    assert cells.count() == len(released_nb["cells"])
    for index, cell in answer_cells(released_nb):
        kind, text = answers[nbgrader_meta(cell)["grade_id"]]
        set_cell_text(page, cells.nth(index), text)
        assert cell_source(page, index).strip() == text.strip(), f"cell {index} did not take the answer"
    screenshot(page, "student-4-a1-filled", shots)

    run_all(page)  # runs the visible tests too
    errors = error_outputs(page)
    assert errors == [], f"the visible tests fail with the instructor's solution typed in:\n{errors}"

    page.locator(".validate-button").first.click()
    dialog = page.locator(".jp-Dialog", has_text="Validation Results")
    dialog.wait_for(state="visible", timeout=KERNEL_TIMEOUT_MS)
    message = dialog.locator("#validation-message").inner_text()
    screenshot(page, "student-4-a1-validated", shots)
    assert "Success" in message and "passes all the tests" in message, message
    dialog.locator(".jp-mod-accept").click()


# --------------------------------------------------------------------------- the fixture itself


def _cmdline(process) -> str:
    """A process's command line, or '' once it has exited (a zombie, or gone): never an error."""
    import psutil

    try:
        return " ".join(process.cmdline())
    except psutil.Error:  # ZombieProcess, NoSuchProcess, AccessDenied: a process that just ended
        return ""


def _alive(process) -> bool:
    """Whether a process still runs (a zombie has ended: only its exit status is left)."""
    import psutil

    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def test_lab_server_stops_with_its_kernels(tmp_path):
    """The server fixture's own promise: stopped by its PID, no kernel outlives it.

    The kernel is found by its id in its command line (its connection file); a short-lived
    process under the server that ends while we look (a zombie) is not an error.
    """
    import os
    import time

    import psutil

    server = LabServer(root_dir=tmp_path, home=tmp_path / "jupyter")
    server.start()
    kernel_procs: list = []
    try:
        assert Path(server.command()[1]).name == "jupyter-lab"
        proc = psutil.Process(server.proc.pid)
        assert "jupyter-lab" in _cmdline(proc), proc  # the server, not a wrapper
        kernel = server.api("POST", "kernels", {"name": "koreathaw"})
        deadline = time.monotonic() + 60
        while not kernel_procs and time.monotonic() < deadline:
            kernel_procs = [k for k in server.kernel_processes() if kernel["id"] in _cmdline(k)]
            time.sleep(0.1)
        assert kernel_procs, f"no process under the server runs kernel {kernel['id']}"
        assert all(_alive(k) for k in kernel_procs)
        assert os.environ.get("JUPYTER_RUNTIME_DIR") != server.env()["JUPYTER_RUNTIME_DIR"]
    finally:
        leftovers = server.stop()
    assert leftovers == [], "stop() had to kill what outlived the server"
    assert not _alive(proc), "the server still runs"
    assert not [k for k in kernel_procs if _alive(k)], "the kernel outlived the server"
