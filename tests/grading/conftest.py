"""A tiny nbgrader course for the grading package's fast tests.

``tests/fixtures/mini-course/`` holds one assignment, ``t1-mini``: a read-only setup
cell, two functions to write with a test cell each (visible and hidden tests), and
a written answer. Its cells run in milliseconds, so the whole workflow -- release,
collect, autograde in the sandbox, report, feedback, export -- runs in seconds with
the course's real ``nbgrader_config.py``.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
MINI = REPO / "tests" / "fixtures" / "mini-course"
ASSIGNMENT = "t1-mini"

#: The answers a student writes, by answer cell.
RIGHT = {"double": "def double(x):\n    return 2 * x\n", "words": "def words(text):\n    return text.lower().split()\n",
         "essay": "Because talks replaced threats, for a while."}
#: Passes the visible tests of double, fails the hidden ones.
WRONG_DOUBLE = "def double(x):\n    return 4 if x == 2 else 3\n"


def _sandbox_missing() -> str | None:
    from koreathaw_grading.sandbox import launch

    return launch.unavailable()


#: Tests that start sandboxes: skipped on a machine that cannot sandbox -- except on CI, where that is a failure.
needs_sandbox = pytest.mark.skipif(_sandbox_missing() is not None and os.environ.get("CI") != "true",
                                   reason=f"this machine cannot sandbox: {_sandbox_missing()}")


@pytest.fixture(autouse=True, scope="session")
def _venv_on_path():
    """nbgrader runs ``alembic`` by name: the venv's bin/ first on PATH, as make does."""
    old = os.environ.get("PATH", "")
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{old}"
    yield
    os.environ["PATH"] = old


def make_mini(base: Path) -> Path:
    """A copy of the mini course with the course's real config; returns its root."""
    root = base / "assignments"
    shutil.copytree(MINI / "source", root / "source")
    shutil.copy2(REPO / "assignments" / "nbgrader_config.py", root / "nbgrader_config.py")
    return root


def read(path: Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write(nb: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def answered(release: dict[str, Any], answers: dict[str, str], extra: list[str] = ()) -> dict[str, Any]:
    """The released notebook with answer cells filled in and extra student cells appended after the setup."""
    nb = copy.deepcopy(release)
    for cell in nb["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell["source"] = answers[gid]
    for i, code in enumerate(extra):
        nb["cells"].insert(2 + i, {"cell_type": "code", "id": f"extra{i}", "metadata": {}, "outputs": [],
                                   "execution_count": None, "source": code})
    return nb


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    """The mini course, released, as a :class:`koreathaw_grading.course.Course` (quiet)."""
    from koreathaw_grading.course import Course

    root = make_mini(tmp_path_factory.mktemp("mini"))
    lines: list[str] = []
    course = Course(root, echo=lines.append)
    course.release(ASSIGNMENT)
    course.lines = lines
    return course
