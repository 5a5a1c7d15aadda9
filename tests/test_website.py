"""The website's Sphinx extension (website/_ext/koreathaw_site.py) and its vendored assets."""

from __future__ import annotations

import doctest
import hashlib
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "website" / "_ext"))

import koreathaw_site as ks  # noqa: E402


def test_doctests_of_the_extension():
    """The examples in the extension's docstrings hold."""
    result = doctest.testmod(ks)
    assert result.attempted >= 2 and result.failed == 0


def test_site_pages_orders_lessons_and_course_pages():
    """Lessons by number; the student guide, submitting, the glossary first, others by name; no README, no template."""
    found = {"course/syllabus", "course/grading", "course/glossary", "course/student-guide", "course/submitting",
             "course/instructor-guide", "notebooks/10-later", "notebooks/02-b", "notebooks/00-a"}
    lessons, course = ks.site_pages(found, "course/syllabus")
    assert lessons == ["notebooks/00-a", "notebooks/02-b", "notebooks/10-later"]
    assert course == ["course/student-guide", "course/submitting", "course/glossary",
                      "course/grading", "course/instructor-guide"]


def test_site_pages_without_a_glossary():
    """A missing glossary (or any course page) is simply left out of the table of contents."""
    lessons, course = ks.site_pages({"course/syllabus", "course/student-guide", "notebooks/00-a"}, "course/syllabus")
    assert course == ["course/student-guide"] and lessons == ["notebooks/00-a"]
    text = ks.toctree_markdown(lessons, course)
    assert "/notebooks/00-a" in text and "/course/student-guide" in text and "glossary" not in text
    assert text.count(":hidden:") == 2


def test_alt_text_names_the_figure_from_its_code():
    """A figure's alt text gives its literal title and axis labels."""
    code = 'fig, ax = plt.subplots()\nax.plot(x, y)\nax.set_title("Events per year")\nax.set_ylabel("events")'
    assert ks.alt_text(code, "ignored") == "Figure: Events per year. Vertical axis: events."


def test_alt_text_without_a_title_uses_the_sentence_before():
    """With no literal title, the alt text says the code above draws it and quotes the sentence announcing it."""
    alt = ks.alt_text("plt.plot(x, y)", "The counts by month. The peak is in April.")
    assert alt == "Figure drawn by the code above. The counts by month."
    assert ks.alt_text("this is not python(", "") == "Figure drawn by the code above."


def test_empty_headers_leave_real_headers_alone():
    """Only empty header cells change; a header with text, and text elsewhere, stay."""
    table = '<table><tr><th>date</th><th></th></tr><tr><th>2018</th><td>x</td></tr></table>'
    assert ks.empty_headers_to_cells(table) == (
        '<table><tr><th>date</th><td></td></tr><tr><th>2018</th><td>x</td></tr></table>')


@pytest.mark.parametrize("folder", ["website/vendor", "tests/browser/vendor/axe-core"])
def test_vendored_assets_match_their_manifest(folder):
    """Every vendored file is in the manifest with its size and hash, and every package has its licence."""
    root = REPO / folder
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    on_disk = {p.relative_to(root).as_posix() for p in root.rglob("*")
               if p.is_file() and p.name not in {"manifest.json", "README.md"}}
    assert set(manifest["files"]) == on_disk
    for name, info in manifest["files"].items():
        data = (root / name).read_bytes()
        assert len(data) == info["bytes"] and hashlib.sha256(data).hexdigest() == info["sha256"], name
    for package in manifest["packages"].values():
        assert (root / package["license_file"]).stat().st_size > 500, package


def test_site_config_points_at_the_vendored_copies():
    """The widget manager and MathJax the config names are files of website/vendor/, not URLs."""
    namespace: dict = {"__file__": str(REPO / "website" / "conf.py")}
    exec(compile((REPO / "website" / "conf.py").read_text(encoding="utf-8"), "conf.py", "exec"), namespace)
    scripts = list(namespace["nb_ipywidgets_js"]) + [namespace["mathjax_path"]]
    for script in scripts:
        assert "//" not in script and (REPO / "website" / "vendor" / script).is_file(), script
