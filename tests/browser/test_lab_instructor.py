"""What an instructor sees: nbgrader's Formgrader inside the course's JupyterLab.

A temporary copy of the course root (``assignments/``, with ``data/``
linked beside it) gets a4-synthesis released, one student's submission (code answers
right, a written argument) and ``nbgrader autograde``. JupyterLab then runs in that
course root, as ``make lab`` would for an instructor; the browser, which may reach only
that server, opens Nbgrader > Formgrader, grades the written answer with points and a
comment, and ``nbgrader export`` must show the new total. Screenshots go to
``artifacts/screenshots/instructor-*.png``.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from lab_fixtures import (  # noqa: F401 (lab_browser, shots: fixtures)
    LabServer,
    UI_TIMEOUT_MS,
    answer_cells,
    assignments_dir,
    click_menu,
    copy_course,
    filled_answers,
    lab_server_fixture,
    lab_browser,
    nbgrader_meta,
    course_env,
    offline_context,
    offline_page,
    require,
    run_nbgrader,
    screenshot,
    shots,
    venv_python,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ASSIGNMENT = "a4-synthesis"
STUDENT = "kt-student-01"
ARGUMENT = (
    "From the top, mostly. Kim Jong Un's New Year address (E001) offered athletes and Moon "
    "Jae-in answered (E003); the talks at Panmunjom (E002) and the joint team followed the "
    "leaders' words rather than leading them."
)
COMMENT = "Good use of E001 and E003; quote an article sentence next time."


# --------------------------------------------------------------------------- fixtures


def export_grades(course: Path, name: str) -> dict[str, dict]:
    """``nbgrader export`` to ``name``; rows keyed by (assignment, student)."""
    out = course / name
    run_nbgrader(["export", f"--to={out}"], cwd=course)
    with out.open(encoding="utf-8", newline="") as handle:
        return {(row["assignment"], row["student_id"]): row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory, lab_browser) -> dict:
    """A course with a4-synthesis released, submitted by one student and autograded."""
    source_dir = require(assignments_dir() / "source" / ASSIGNMENT, f"the assignment {ASSIGNMENT}")
    require(assignments_dir() / "nbgrader_config.py", "the nbgrader course config")
    course = copy_course(tmp_path_factory.mktemp("instructor"), [ASSIGNMENT])
    run_nbgrader(["db", "student", "add", STUDENT, "--first-name=Ji-woo", "--last-name=Student"], cwd=course)
    run_nbgrader(["generate_assignment", ASSIGNMENT, "--force"], cwd=course)

    released = course / "release" / ASSIGNMENT
    submitted = course / "submitted" / STUDENT / ASSIGNMENT
    submitted.mkdir(parents=True)
    manual: list[dict] = []
    for path in sorted(released.glob("*.ipynb")):
        source_nb = json.loads((source_dir / path.name).read_text(encoding="utf-8"))
        notebook = json.loads(path.read_text(encoding="utf-8"))
        answers = filled_answers(source_nb, notebook)
        for _, cell in answer_cells(notebook):
            meta = nbgrader_meta(cell)
            kind, text = answers[meta["grade_id"]]
            if kind == "markdown":
                text = ARGUMENT
            cell["source"] = text
            if meta.get("grade") and cell["cell_type"] == "markdown":
                manual.append({"notebook": path.stem, "grade_id": meta["grade_id"],
                               "points": float(meta.get("points", 0))})
        (submitted / path.name).write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    for extra in released.iterdir():
        if extra.suffix != ".ipynb":
            target = submitted / extra.name
            (shutil.copytree if extra.is_dir() else shutil.copy2)(extra, target)
    (submitted / "timestamp.txt").write_text("2026-01-15 10:00:00.000000 UTC", encoding="utf-8")
    if not manual:
        pytest.fail(f"{ASSIGNMENT} has no manually graded written answer (markdown cell with grade=True)")

    run_nbgrader(["autograde", ASSIGNMENT, "--force"], cwd=course)
    before = export_grades(course, "grades-before.csv")[(ASSIGNMENT, STUDENT)]
    return {"course": course, "manual": manual, "before": before}


@pytest.fixture(scope="module")
def lab(request, graded_course, tmp_path_factory):
    """JupyterLab run in the course root, as the instructor runs it."""
    course = graded_course["course"]
    server = LabServer(root_dir=course, cwd=course, home=tmp_path_factory.mktemp("instructor-jupyter"))
    yield from lab_server_fixture(request, server)


@pytest.fixture()
def page(request, lab, lab_browser, shots):
    with offline_page(request, lab, lab_browser, shots) as page:
        yield page


# --------------------------------------------------------------------------- 5. formgrader


def test_instructor_grades_written_answer_in_formgrader(page, lab, graded_course, shots):
    """Formgrader in JupyterLab: points and a comment on the written answer; export has the new total."""
    course = graded_course["course"]
    before = graded_course["before"]
    target = graded_course["manual"][0]
    points = target["points"] - 1 if target["points"] >= 2 else target["points"]

    mathjax_missing: list[str] = []  # a MathJax file the vendored subset lacks answers 404
    page.on("response", lambda r: mathjax_missing.append(f"{r.status} {r.url}")
            if "/static/koreathaw-mathjax/" in r.url and r.status >= 400 else None)
    page.goto(lab.lab_url())
    page.wait_for_selector("#jp-main-dock-panel", timeout=UI_TIMEOUT_MS)
    click_menu(page, "Nbgrader", "Formgrader")
    frame_el = page.locator(".nbgrader-mainarea-widget iframe, iframe[src*='formgrader']").first
    frame_el.wait_for(state="visible", timeout=UI_TIMEOUT_MS)
    fg = page.frame_locator(".nbgrader-mainarea-widget iframe, iframe[src*='formgrader']").first

    # Manual Grading -> the assignment -> its notebook -> the submission
    fg.locator("a", has_text="Manual Grading").first.click()
    fg.locator("a", has_text=ASSIGNMENT).first.click()
    fg.locator(f"a[href$='/formgrader/gradebook/{ASSIGNMENT}/{target['notebook']}']").first.click()
    fg.locator("a", has_text="Submission #1").first.click()
    screenshot(page, "instructor-5-submission-open", shots)

    score = fg.locator(f"input.score[id='{target['grade_id']}']")
    score.wait_for(state="visible", timeout=UI_TIMEOUT_MS)
    # the inputs save once the page's grade and comment models are loaded (after window.load)
    frame = frame_el.element_handle().content_frame()
    frame.wait_for_function(
        "() => window.formgrader && formgrader.grades && formgrader.grades.loaded"
        " && formgrader.comments && formgrader.comments.loaded",
        timeout=UI_TIMEOUT_MS,
    )
    # MathJax 2 from this server started (formgrade.js sets MathJax.loaded at its
    # "End" signal, then sets up scrolling and focus): offline it used to be missing
    frame.wait_for_function("() => window.MathJax && MathJax.loaded === true", timeout=UI_TIMEOUT_MS)
    assert "/static/koreathaw-mathjax/MathJax.js" in frame.evaluate(
        "() => Array.from(document.scripts).map(s => s.src).join(' ')")
    score.scroll_into_view_if_needed()
    with page.expect_response(lambda r: "/formgrader/api/grade/" in r.url and r.request.method == "PUT") as saved:
        score.fill(str(int(points) if points == int(points) else points))
        score.press("Tab")  # the formgrader saves on change
    assert saved.value.ok, f"saving the score failed: HTTP {saved.value.status}"
    comment = fg.locator(f"textarea[id='{target['grade_id']}-comment']")
    with page.expect_response(lambda r: "/formgrader/api/comment/" in r.url and r.request.method == "PUT") as saved:
        comment.fill(COMMENT)
        comment.press("Tab")
    assert saved.value.ok, f"saving the comment failed: HTTP {saved.value.status}"
    screenshot(page, "instructor-5-graded", shots)

    # back to the list of submissions: the total shown includes the manual points
    fg.locator("a", has_text="Manual Grading").first.click()
    fg.locator("a", has_text=ASSIGNMENT).first.click()
    fg.locator(f"a[href$='/formgrader/gradebook/{ASSIGNMENT}/{target['notebook']}']").first.click()
    row = fg.locator("tr", has=fg.locator("a", has_text="Submission #1")).first
    row.wait_for(timeout=UI_TIMEOUT_MS)
    written = f"{_fmt(points)} / {_fmt(target['points'])}"
    expected_total = float(before["score"]) + points
    overall = f"{_fmt(expected_total)} / {_fmt(float(before['max_score']))}"
    fg.locator("tr", has_text=overall).first.wait_for(timeout=UI_TIMEOUT_MS)
    screenshot(page, "instructor-5-gradebook", shots)
    assert written in row.inner_text(), f"the gradebook row does not show {written!r}: {row.inner_text()!r}"

    after = export_grades(course, "grades-after.csv")[(ASSIGNMENT, STUDENT)]
    assert float(after["score"]) == pytest.approx(expected_total), (before, after)
    assert float(after["max_score"]) == pytest.approx(float(before["max_score"]))
    # nbgrader's submission page would ask cdnjs for MathJax 2; the course serves it
    # (src/koreathaw_grading/static/): nothing may leave the machine
    assert page.blocked == [], f"the Formgrader asked for the network: {page.blocked}"
    assert mathjax_missing == [], f"files missing from src/koreathaw_grading/static: {mathjax_missing}"


def _fmt(value: float) -> str:
    """A score as the Formgrader shows it: ``3`` for 3.0, ``2.5`` for 2.5."""
    return str(int(value)) if float(value) == int(value) else f"{value:g}"


# --------------------------------------------------------------------------- 6. feedback, offline


def test_feedback_page_typesets_math_offline(graded_course, lab_browser, shots):
    """``make feedback``'s page, opened as a file with no network: MathJax from feedback/_mathjax starts."""
    course = graded_course["course"]
    done = subprocess.run([venv_python(), "-m", "koreathaw_grading", "--course", str(course), "feedback", ASSIGNMENT],
                          cwd=course, env=course_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    pages = sorted((course / "feedback" / STUDENT / ASSIGNMENT).glob("*.html"))
    assert pages, f"no feedback page: {done.stdout[-2000:]}"
    html = pages[0].read_text(encoding="utf-8")
    assert "cdnjs" not in html and "../../_mathjax/MathJax.js" in html
    assert (course / "feedback" / "_mathjax" / "MathJax.js").is_file()

    blocked: list[str] = []
    context = offline_context(lab_browser, blocked)
    try:
        page = context.new_page()
        page.goto(pages[0].as_uri())
        page.wait_for_function("() => window.MathJax && MathJax.isReady === true", timeout=UI_TIMEOUT_MS)
        screenshot(page, "instructor-6-feedback", shots)
    finally:
        context.close()
    assert blocked == [], f"the feedback page asked for the network: {blocked}"
