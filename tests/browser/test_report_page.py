"""The instructor's report page (``make report``) opened in Chromium with no network: its figures draw,
each with alt text, it runs no script and asks nothing of the network, and a hostile folder name shows as text."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

def _mini():
    """tests/grading/conftest.py (the mini course), loaded under a name of its own."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "grading" / "conftest.py"
    spec = importlib.util.spec_from_file_location("grading_mini_course", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


mini = _mini()
ASSIGNMENT, RIGHT, answered, make_mini, read, write = (mini.ASSIGNMENT, mini.RIGHT, mini.answered, mini.make_mini,
                                                      mini.read, mini.write)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def report_page(tmp_path_factory):
    """The mini course with five students (one refused at collect) graded and reported."""
    import os

    from koreathaw_grading import parallel
    from koreathaw_grading.collect import collect
    from koreathaw_grading.course import Course
    from koreathaw_grading.report import report

    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    base = tmp_path_factory.mktemp("report")
    course = Course(make_mini(base), echo=lambda line: None)
    course.release(ASSIGNMENT)
    release = read(course.root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    download = base / "download"
    for i, answers in enumerate([RIGHT, RIGHT, {}, {"double": RIGHT["double"]}]):
        write(answered(release, answers), download / f"st{i}" / f"{ASSIGNMENT}.ipynb")
    write(release, download / "<img src=x onerror=window.__pwned=1>" / f"{ASSIGNMENT}.ipynb")
    collect(course, download, ASSIGNMENT)
    parallel.autograde(course, ASSIGNMENT, jobs=2)
    report(course, ASSIGNMENT)
    return course.root / "reports" / f"{ASSIGNMENT}.html"


def test_the_report_page_draws_offline_with_alt_text(report_page, offline_page, artifacts_dir):
    """Two figures load from the page itself, each with alt text that says what it shows; no script ran."""
    from lab_fixtures import screenshot

    page = offline_page
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(report_page.as_uri())
    images = page.locator("img")
    assert images.count() == 2
    for i in range(2):
        assert images.nth(i).evaluate("img => img.complete && img.naturalWidth > 100")
        alt = images.nth(i).get_attribute("alt")
        assert alt and len(alt) > 40 and ASSIGNMENT in alt
    assert page.evaluate("() => window.__pwned === undefined")
    assert "onerror=window.__pwned=1" in page.inner_text("body"), "the hostile name is shown as text"
    assert page.evaluate("() => document.documentElement.lang") == "en"
    assert errors == []
    screenshot(page, "instructor-report", artifacts_dir, full_page=True)
