"""The student edition's builder on a small repository (koreathaw_grading.edition), in seconds.

tests/grading/test_edition.py builds it from the real course and sets it up; here the
parts are checked on the mini course: what goes in, what stays out, and that a leak
stops the build.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import MINI, REPO

from koreathaw_grading import edition


@pytest.fixture(scope="module")
def small_repo(tmp_path_factory):
    """A repository with the mini course as its assignments, the real library, data and lessons."""
    repo = tmp_path_factory.mktemp("repo")
    shutil.copytree(MINI / "source", repo / "assignments" / "source")
    shutil.copy2(REPO / "assignments" / "nbgrader_config.py", repo / "assignments" / "nbgrader_config.py")
    for name in ("src", "data", "notebooks", "course", ".jupyter", "website", "tests/notebooks"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, repo / name, ignore=shutil.ignore_patterns("__pycache__", "vendor"))
    for name in ("LICENSE", "requirements.lock", "pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, repo / name)
    (repo / "course" / "grading.md").write_text("instructor only")
    return repo


@pytest.fixture(scope="module")
def built(small_repo, tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    archive = edition.build(small_repo, out, echo=lambda line: None)
    return out / "student", archive


def test_secrets_are_the_lines_of_the_hidden_and_solution_regions():
    """The mini course's secrets: its hidden tests and model answers, long lines only, public library lines not."""
    found = edition.secrets(MINI / "source")
    assert 'assert double(-7) == -14, "double is wrong for a negative number"' in found
    assert "return text.lower().split()" in found
    assert not any(len(line.replace(" ", "")) < 20 for line in found)
    assert not [line for line in found if "Any reasoned answer" in line], "17 characters: an idiom, not a secret"
    public = edition.secrets(REPO / "assignments" / "source", library=REPO / "src" / "koreathaw")
    assert "dlam = math.radians(lon2 - lon1)" not in public


def test_the_edition_holds_the_students_parts(built):
    """Released assignment, lessons, data, library, student pages, its own Makefile; no source, no grading.md."""
    folder, archive = built
    assert (folder / "assignments" / "t1-mini" / "t1-mini.ipynb").is_file()
    assert (folder / "assignments" / "nbgrader_config.py").is_file()
    assert (folder / "src" / "koreathaw" / "__init__.py").is_file() and (folder / "data").is_dir()
    assert not (folder / "course" / "grading.md").exists() and (folder / "course" / "syllabus.md").exists()
    assert "koreathaw-grade" in (folder / "pyproject.toml").read_text()
    assert "make validate" in (folder / "README.md").read_text()
    assert not list(folder.rglob("source")) and not (folder / "src" / "koreathaw_grading" / "edition_files").exists()
    with zipfile.ZipFile(archive) as zf:
        assert f"{edition.NAME}/assignments/t1-mini/t1-mini.ipynb" in zf.namelist()
    assert edition.leaks(folder, MINI / "source") == {}


def test_a_leak_stops_the_build(small_repo, tmp_path):
    """A model answer copied into a lesson: the build refuses and leaves no edition behind."""
    lesson = small_repo / "notebooks" / "zz-leak.md"
    lesson.write_text("the answer: return text.lower().split()\n")
    try:
        with pytest.raises(RuntimeError, match="would hold solution or hidden-test lines"):
            edition.build(small_repo, tmp_path, echo=lambda line: None)
        assert not (tmp_path / "student").exists()
    finally:
        lesson.unlink()


def test_zips_and_wheels_inside_are_read(tmp_path):
    """A secret inside a zip inside the edition is found (wheels are zips)."""
    inner = tmp_path / "pkg.whl"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("pkg/answers.py", "def words(text):\n    return text.lower().split()\n")
    found = dict(edition.texts(tmp_path))
    assert "pkg.whl!pkg/answers.py" in found
    assert edition.leaks(tmp_path, MINI / "source") == {"pkg.whl!pkg/answers.py": ["return text.lower().split()"]}
