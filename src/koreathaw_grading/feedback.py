"""Feedback pages for the students: nbgrader's, proven to show no hidden test.

``generate_feedback`` runs with the course's preprocessors (hidden tests
cleared, test cells reduced to ``ErrorName: message``); every page is then read
back as a reader sees it, and a page showing any line of a hidden test is
removed and reported, never kept.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import nbformat

from koreathaw_grading.course import Course


def static_dir() -> Path:
    """The package's static files (the offline MathJax under ``koreathaw-mathjax/``)."""
    return Path(__file__).resolve().parent / "static"


def template_path() -> Path:
    """The nbconvert macro that loads MathJax from the course's own copy (see ``static/README.md``)."""
    return Path(__file__).resolve().parent / "templates" / "mathjax.html.j2"


def page_text(raw_html: str) -> str:
    """The text of an HTML page as a reader sees it: no tags (syntax highlighting splits
    code into many spans), entities decoded, runs of white space made one space."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", raw_html, flags=re.S | re.I)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return " ".join(text.split())


def hidden_lines(course: Course, assignment: str) -> list[str]:
    """Every non-blank line inside a hidden-test region of the assignment's source."""
    lines = []
    for path in (course.root / "source" / assignment).glob("*.ipynb"):
        nb = nbformat.read(str(path), as_version=4)
        for cell in nb.cells:
            inside = False
            for line in cell.source.splitlines():
                if "BEGIN HIDDEN TESTS" in line:
                    inside = True
                elif "END HIDDEN TESTS" in line:
                    inside = False
                elif inside and line.strip():
                    lines.append(line.strip())
    return lines


def leaks(course: Course, assignment: str) -> dict[str, list[str]]:
    """Return, per feedback file, the hidden-test lines it shows (it should show none)."""
    hidden = [" ".join(line.split()) for line in hidden_lines(course, assignment)]
    found = {}
    for page in sorted((course.root / "feedback").glob(f"*/{assignment}/*.html")):
        text = page_text(page.read_text(encoding="utf-8"))
        shown = [line for line in hidden if line in text]
        if shown:
            found[str(page.relative_to(course.root))] = shown
    return found


def feedback(course: Course, assignment: str) -> list[Path]:
    """Generate feedback for every autograded student; refuse to keep any page that leaks a hidden test."""
    course.check(course.api.generate_feedback(assignment, force=True), f"feedback for {assignment}")
    leaked = leaks(course, assignment)
    for page in leaked:
        (course.root / page).unlink()
    if leaked:
        raise RuntimeError(f"feedback would show hidden tests, pages removed: {sorted(leaked)}")
    pages = sorted((course.root / "feedback").glob(f"*/{assignment}/*.html"))
    mathjax = static_dir() / "koreathaw-mathjax"
    if pages and mathjax.is_dir():  # the pages load MathJax from feedback/_mathjax (static/README.md)
        shutil.copytree(mathjax, course.root / "feedback" / "_mathjax", dirs_exist_ok=True)
    course.echo(f"feedback for {assignment}: {len(pages)} page(s), no hidden test shown")
    return pages
