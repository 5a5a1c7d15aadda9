"""A hostile submission on the instructor's pages: nothing a student wrote runs.

A temporary copy of the course gets a4-synthesis released and one submission,
collected and graded as the course does it (``koreathaw-grade collect`` and
``autograde``: the student's code runs in the sandbox; the payloads only need to
produce outputs). The submission carries script in every place a student can put
it: the written answer (markdown, graded by hand), a markdown cell and a raw HTML
cell of its own, and code cells whose outputs are HTML (``IPython.display.HTML``),
an SVG with script, JavaScript, markdown, an HTML output marked ``isolated``, an
image whose metadata holds an attribute, and a folium map (an ``<iframe srcdoc>``).

Every payload, if it ran, would fetch ``/koreathaw-pwned/<name>`` (the test
watches requests), set ``document.title`` and ``window.__pwned``. JupyterLab runs in
the course root as ``make lab`` would; Chromium opens Formgrader's submission page
(and grades the written answer there: score, comment, keyboard navigation, flag,
name toggle, MathJax), Formgrader's student pages with a student id that is HTML
(added to the gradebook as ``nbgrader db student add`` would), and a feedback page
from disk. A second pass plants script into the served page and into the feedback
file, past the sanitiser, and proves the Content-Security-Policy alone stops it.
"""

from __future__ import annotations

import json
import re
import subprocess
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from lab_fixtures import (  # noqa: F401 (lab_browser, shots: fixtures)
    LabServer,
    UI_TIMEOUT_MS,
    answer_cells,
    assignments_dir,
    copy_course,
    course_env,
    filled_answers,
    lab_browser,
    lab_server_fixture,
    nbgrader_meta,
    offline_context,
    require,
    run_nbgrader,
    screenshot,
    shots,
    venv_python,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ASSIGNMENT = "a4-synthesis"
STUDENT = "kt-hostile"
PWNED = "/koreathaw-pwned/"


def pwn(name: str) -> str:
    """JavaScript (single quotes only) that says it ran: a request, the title, a global."""
    return f"fetch('{PWNED}{name}');document.title='pwned {name}';window.__pwned='{name}'"


#: A student id that is HTML, put into the gradebook directly (collect refuses such folders).
EVIL_ID = f'<img src=x onerror="{pwn("student-id")}">'
EVIL_LAST = f'<svg onload="{pwn("last-name")}">'

ARGUMENT = f"""The thaw came from the top: the New Year address (E001) and Moon's answer (E003) came first.

<img src=x onerror="{pwn('md-img')}">
<script>{pwn('md-script')}</script>

[a javascript link](javascript:{pwn('md-jslink')}) and
<a href="javascript:{pwn('md-jslink-html')}">another one</a> and
<a href="JaVaScRiPt&#x3A;{pwn('md-jslink-entity')}">a third</a> and
<a href="data:text/html,<script>{pwn('md-datalink')}</script>">a data link</a>.

<iframe srcdoc="<script>parent.{pwn('md-iframe')}</script>"></iframe>
<svg><script>{pwn('md-svg')}</script></svg>
<div onmouseover="{pwn('md-hover')}" style="position:fixed;top:0;left:0;width:100%;height:100%">cover</div>
<form action="/api/contents"><button>Submit</button></form>
<object data="javascript:{pwn('md-object')}"></object><embed src="javascript:{pwn('md-embed')}">
<base href="http://example.invalid/"><meta http-equiv="refresh" content="0;url=javascript:{pwn('md-meta')}">
"""

MARKDOWN_CELL = f"""## My own notes <img src=x onerror="{pwn('notes-img')}">

<details open><summary>Sources</summary><a href="https://www.example.org/">an article</a></details>
"""

RAW_HTML = f'<img src=x onerror="{pwn("raw-img")}"><script>{pwn("raw-script")}</script>'

# 1x1 PNG
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")

OUTPUTS_CODE = f'''from IPython.display import HTML, SVG, Javascript, Markdown, display
display(HTML("""<b id="html-output">an HTML output</b><img src=x onerror="{pwn('out-img')}"><script>{pwn('out-script')}</script>"""))
display(HTML("""<iframe srcdoc="<script>parent.{pwn('out-iframe')}</script>"></iframe>"""))
display(SVG("""<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" onload="{pwn('out-svg-onload')}"><script>{pwn('out-svg-script')}</script><circle cx="20" cy="20" r="10" fill="teal"/></svg>"""))
display(Javascript("""{pwn('out-js')}"""))
display(Markdown("""[a markdown output link](javascript:{pwn('out-md-link')}) <img src=x onerror="{pwn('out-md-img')}">"""))
display({{"text/html": """<img src=x onerror="{pwn('out-isolated')}">"""}}, raw=True, metadata={{"text/html": {{"isolated": True}}}})
display({{"image/png": "{PNG}", "text/plain": "a dot"}}, raw=True, metadata={{"image/png": {{"width": "1 onerror=window.__pwned=1"}}}})
display({{"application/vnd.jupyter.widget-view+json": {{"model_id": "x", "version_major": 2, "version_minor": 0}}, "text/plain": "a widget"}}, raw=True)
'''

MAP_CODE = """import folium
folium.Map(location=[39.0, 126.0], zoom_start=5, tiles=None)"""


def _cell(kind: str, source: str, **extra) -> dict:
    cell = {"cell_type": kind, "id": f"hostile-{abs(hash(source)) % 10**8}", "metadata": {}, "source": source}
    if kind == "code":
        cell.update(outputs=[], execution_count=None)
    cell.update(extra)
    return cell


def grading(course: Path, *args: str) -> str:
    """``koreathaw-grade --course COURSE ARGS``; fail the test with its output on error."""
    done = subprocess.run([venv_python(), "-m", "koreathaw_grading", "--course", str(course), *args], cwd=course,
                          env=course_env(), capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        pytest.fail(f"koreathaw-grade {' '.join(args)} failed ({done.returncode}):\n"
                    f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    return done.stdout


@pytest.fixture(scope="module")
def hostile_course(tmp_path_factory, lab_browser) -> dict:
    """a4-synthesis released, one hostile submission collected and autograded, feedback generated."""
    source_dir = require(assignments_dir() / "source" / ASSIGNMENT, f"the assignment {ASSIGNMENT}")
    base = tmp_path_factory.mktemp("hostile")
    course = copy_course(base, [ASSIGNMENT])
    (course / "students.csv").write_text(f"id,first_name,last_name\n{STUDENT},Ji-woo,Hostile\n", encoding="utf-8")
    grading(course, "release", ASSIGNMENT)

    released = course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    notebook = json.loads(released.read_text(encoding="utf-8"))
    source_nb = json.loads((source_dir / released.name).read_text(encoding="utf-8"))
    answers = filled_answers(source_nb, notebook)
    written = None
    for _, cell in answer_cells(notebook):
        kind, text = answers[nbgrader_meta(cell)["grade_id"]]
        if kind == "markdown":
            text, written = ARGUMENT, nbgrader_meta(cell)
        cell["source"] = text
    assert written is not None and written.get("grade"), f"{ASSIGNMENT} has no written answer graded by hand"
    notebook["cells"][2:2] = [_cell("code", OUTPUTS_CODE), _cell("code", MAP_CODE), _cell("markdown", MARKDOWN_CELL),
                              _cell("raw", RAW_HTML, metadata={"raw_mimetype": "text/html"})]
    notebook["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "state": {}, "version_major": 2, "version_minor": 0}}
    submissions = base / "download" / STUDENT
    submissions.mkdir(parents=True)
    (submissions / released.name).write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    grading(course, "collect", str(base / "download"), ASSIGNMENT)
    grading(course, "autograde", ASSIGNMENT, "--serial")
    grading(course, "feedback", ASSIGNMENT)
    run_nbgrader(["db", "student", "add", EVIL_ID, f"--last-name={EVIL_LAST}", "--first-name=Evil"], cwd=course)

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        submission = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, STUDENT).id
    autograded = json.loads((course / "autograded" / STUDENT / ASSIGNMENT / released.name).read_text(encoding="utf-8"))
    mimes = {m for c in autograded["cells"] for o in c.get("outputs", []) for m in o.get("data", {})}
    # the payloads really came out of the sandbox: the page has something to defend against
    assert {"text/html", "image/svg+xml", "application/javascript"} <= mimes, mimes
    return {"course": course, "submission": submission, "grade_id": written["grade_id"],
            "points": float(written["points"])}


@pytest.fixture(scope="module")
def lab(request, hostile_course, tmp_path_factory):
    course = hostile_course["course"]
    server = LabServer(root_dir=course, cwd=course, home=tmp_path_factory.mktemp("hostile-jupyter"))
    yield from lab_server_fixture(request, server)


VIOLATIONS_JS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));
"""


class Watch:
    """A fresh offline browser context that records pwned requests, blocked requests and page errors."""

    def __init__(self, browser, name: str, shots: Path):
        self.blocked: list[str] = []
        self.pwned: list[str] = []
        self.errors: list[str] = []
        self.name, self.shots = name, shots
        self.context = offline_context(browser, self.blocked)
        self.context.add_init_script(VIOLATIONS_JS)
        self.context.on("request", lambda r: self.pwned.append(r.url) if PWNED in r.url else None)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def assert_nothing_ran(self) -> None:
        page = self.page
        page.wait_for_timeout(300)  # let any late handler fire (an image error is async)
        ran = page.evaluate("() => [window.__pwned, document.title]")
        assert self.pwned == [] and ran[0] is None and not str(ran[1]).startswith("pwned"), (self.pwned, ran)
        links = page.evaluate("""() => Array.from(document.querySelectorAll('a[href]'))
              .map(a => a.getAttribute('href')).filter(h => !/^(https?:|mailto:|#|\\/|\\.)/i.test(h.trim()))""")
        assert links == [], f"links that are not web addresses survived: {links}"
        handlers = page.evaluate("""() => Array.from(document.querySelectorAll('*')).flatMap(e =>
              Array.from(e.attributes).filter(a => a.name.startsWith('on')).map(a => a.name + '=' + a.value))""")
        assert [h for h in handlers if "pwned" in h] == [], f"a payload's event handler survived: {handlers}"
        active = page.evaluate("() => document.querySelectorAll('#notebook-container script, #notebook-container "
                               "iframe, #notebook-container object, #notebook-container embed, "
                               "#notebook-container form, body base').length")
        assert active == 0, f"{active} script/iframe/object/embed/form elements in the notebook"

    def close(self) -> None:
        self.context.close()


@pytest.fixture()
def watch(request, lab_browser, shots):
    w = Watch(lab_browser, request.node.name, shots)
    failed = request.session.testsfailed
    yield w
    if request.session.testsfailed > failed:
        try:
            screenshot(w.page, f"{request.node.name}-FAILED", shots)
        except Exception:
            pass
    w.close()


def _signed_in(watch: Watch, lab: LabServer) -> Any:
    """The watch's page, every request of which carries the server's token (page, XHR: as the Lab's cookie would)."""
    watch.context.set_extra_http_headers({"Authorization": f"token {lab.token}"})
    return watch.page


def _open_formgrade(watch: Watch, lab: LabServer, submission: str):
    page = _signed_in(watch, lab)
    page.goto(f"{lab.url}/formgrader/submissions/{submission}/")
    page.wait_for_function("() => window.formgrader && formgrader.loaded && formgrader.grades.loaded"
                           " && formgrader.comments.loaded", timeout=UI_TIMEOUT_MS)
    page.wait_for_function("() => window.MathJax && MathJax.loaded === true", timeout=UI_TIMEOUT_MS)
    return page


def test_formgrader_page_runs_no_submitted_script_and_still_grades(watch, lab, hostile_course, shots):
    """The submission page: no payload runs, no policy violation, grading works (score, comment, Tab, flag, names)."""
    page = _open_formgrade(watch, lab, hostile_course["submission"])
    grade_id, points = hostile_course["grade_id"], hostile_course["points"]
    text = page.inner_text("#notebook-container")
    # what grading needs is readable: the written answer's text, the DataFrame, the HTML output's text, the image
    assert "The thaw came from the top" in text and "an HTML output" in text
    assert page.locator("table.dataframe").count() >= 1 and "E001" in page.inner_text("table.dataframe >> nth=0")
    assert page.locator("#notebook-container img[src^='data:image/png']").count() >= 1
    assert page.locator("#notebook-container img[src^='data:image/svg+xml']").count() == 1  # the SVG, inert
    assert "an embedded page" in text, "the folium map and the iframes should be replaced by a note"
    watch.assert_nothing_ran()
    screenshot(page, "untrusted-formgrade", shots)

    # grading as in test_lab_instructor: score, comment, both saved
    score = page.locator(f"input.score[id='{grade_id}']")
    score.scroll_into_view_if_needed()
    with page.expect_response(lambda r: "/formgrader/api/grade/" in r.url and r.request.method == "PUT") as saved:
        score.fill(f"{points - 1:g}")
        score.press("Tab")  # formgrade.js's keyboard manager: to the next input
    assert saved.value.ok
    assert page.evaluate("() => document.activeElement.id") == f"{grade_id}_extra_credit", "Tab navigation broke"
    comment = page.locator(f"textarea[id='{grade_id}-comment']")
    with page.expect_response(lambda r: "/formgrader/api/comment/" in r.url and r.request.method == "PUT") as saved:
        comment.fill("Clear; the markup in your answer was not shown. $x^2$")
        comment.press("Escape")
    assert saved.value.ok
    # flag (Control+Shift+F) and the name toggle (nbgrader's inline onclick, allowed by hash)
    with page.expect_response(lambda r: r.url.endswith("/flag") and r.request.method == "POST") as flagged:
        page.keyboard.press("Control+Shift+F")
    assert flagged.value.ok and "flagged" in page.inner_text("#statusmessage")
    page.locator("span.glyphicon-eye-open.name-hidden").click()
    page.locator("a.name-shown").wait_for(state="visible")
    assert "Hostile" in page.inner_text("a.name-shown")
    violations = page.evaluate("() => window.__violations")
    assert violations == [], f"the page's own code broke its Content-Security-Policy: {violations}"
    assert watch.blocked == [], watch.blocked
    watch.assert_nothing_ran()

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{hostile_course['course'] / 'gradebook.db'}") as gb:
        grade = gb.find_grade(grade_id, ASSIGNMENT, ASSIGNMENT, STUDENT)
        assert grade.manual_score == pytest.approx(points - 1)
        assert gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, STUDENT).flagged


def test_policy_alone_blocks_script_planted_in_the_formgrader_page(watch, lab, hostile_course):
    """Script put into the served page past the sanitiser (after the policy): blocked, and the page still works."""
    planted = (f'<img src=x onerror="{pwn("planted-img")}"><script>{pwn("planted-script")}</script>'
               f'<a id="planted-link" href="javascript:{pwn("planted-link")}">x</a>')

    def plant(route):
        path = urllib.parse.urlsplit(route.request.url).path
        status, raw = lab._request("GET", path, timeout=60)
        body = raw.decode("utf-8").replace('<div class="container" id="notebook-container">',
                                           '<div class="container" id="notebook-container">' + planted, 1)
        assert status == 200 and planted in body, (route.request.url, status, body[:300])
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)

    page_path = re.compile(r"/formgrader/submissions/[0-9a-f]+/$")
    watch.page.route(lambda url: bool(page_path.search(urllib.parse.urlsplit(url).path)), plant)
    page = _open_formgrade(watch, lab, hostile_course["submission"])
    page.locator("#planted-link").click()
    page.wait_for_timeout(300)
    ran = page.evaluate("() => [window.__pwned, document.title]")
    assert watch.pwned == [] and ran[0] is None, (watch.pwned, ran)
    violations = page.evaluate("() => window.__violations")
    assert len(violations) >= 3 and all(v.startswith("script-src") for v in violations), violations


def test_formgrader_student_pages_escape_an_html_student_id(watch, lab, hostile_course, shots):
    """A student id and name that are HTML (in the gradebook) show as text on Formgrader's own pages."""
    page = _signed_in(watch, lab)
    quoted = urllib.parse.quote(EVIL_ID, safe="")
    for path in ("/formgrader/manage_students", f"/formgrader/manage_students/{quoted}",
                 f"/formgrader/manage_students/{quoted}/{ASSIGNMENT}", f"/formgrader/gradebook/{ASSIGNMENT}/{ASSIGNMENT}"):
        page.goto(f"{lab.url}{path}")
        page.wait_for_load_state("networkidle")
        if path.endswith("manage_students"):
            page.get_by_text(EVIL_ID, exact=True).first.wait_for(timeout=UI_TIMEOUT_MS)
            assert EVIL_LAST in page.inner_text("body")
        elif "manage_students" in path:
            assert EVIL_ID in page.inner_text("body"), f"{path}: the id is not shown as text"
        watch.assert_nothing_ran()
    screenshot(page, "untrusted-student-id", shots)


def test_lab_export_as_html_is_not_the_graders(lab, hostile_course):
    """JupyterLab's own Export as HTML reads the server's config, not the course's nbgrader config."""
    path = f"autograded/{STUDENT}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
    status, body = lab._request("GET", f"/nbconvert/html/{urllib.parse.quote(path)}?download=false", timeout=120)
    assert status == 200, body[:500]
    html = body.decode("utf-8") if isinstance(body, bytes) else str(body)
    assert "Content-Security-Policy" not in html and "srcdoc" in html, \
        "the lessons' export must keep their maps: the sanitiser belongs to Formgrader and feedback only"


def _feedback_page(course: Path) -> Path:
    pages = sorted((course / "feedback" / STUDENT / ASSIGNMENT).glob("*.html"))
    assert pages, "no feedback page"
    return pages[0]


def test_feedback_page_runs_no_submitted_script(watch, hostile_course, shots):
    """The feedback page, opened from disk with no network: no payload runs, nothing is blocked, MathJax works."""
    page = watch.page
    page.goto(_feedback_page(hostile_course["course"]).as_uri())
    page.wait_for_function("() => window.MathJax && MathJax.isReady === true", timeout=UI_TIMEOUT_MS)
    text = page.inner_text("body")
    assert "The thaw came from the top" in text and "an HTML output" in text and "an embedded page" in text
    assert page.locator("table.dataframe").count() >= 1
    watch.assert_nothing_ran()
    assert page.evaluate("() => window.__violations") == [] and watch.blocked == []
    screenshot(page, "untrusted-feedback", shots)


def test_policy_alone_blocks_script_planted_in_a_feedback_page(watch, hostile_course, tmp_path):
    """A feedback page with script put in past the sanitiser: the policy blocks it, MathJax still starts."""
    original = _feedback_page(hostile_course["course"])
    planted = original.with_name("planted.html")
    html = original.read_text(encoding="utf-8")
    marker = '<div class="container" id="notebook-container">'
    assert marker in html
    planted.write_text(html.replace(marker, marker + f'<img src=x onerror="{pwn("fb-img")}">'
                                    f'<script>{pwn("fb-script")}</script>'
                                    f'<a id="planted-link" href="javascript:{pwn("fb-link")}">x</a>', 1), encoding="utf-8")
    page = watch.page
    try:
        page.goto(planted.as_uri())
        page.wait_for_function("() => window.MathJax && MathJax.isReady === true", timeout=UI_TIMEOUT_MS)
        page.locator("#planted-link").click()
        page.wait_for_timeout(300)
        ran = page.evaluate("() => [window.__pwned, document.title]")
        violations = page.evaluate("() => window.__violations")
    finally:
        planted.unlink()
    assert watch.pwned == [] and ran[0] is None, (watch.pwned, ran)
    assert len(violations) >= 3 and all(v.startswith("script-src") for v in violations), violations

