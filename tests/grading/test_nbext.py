"""The nbgrader extensions of the course config (koreathaw_grading.nbext, .manifest)."""

from __future__ import annotations

import copy

import nbformat
import pytest
from conftest import ASSIGNMENT, RIGHT, answered, read, write

from koreathaw_grading import MANIFEST_KEY
from koreathaw_grading.manifest import cell_kind, cell_problems, expected_cells, manifest, nbgrader_cells
from koreathaw_grading.nbext import missing_cell_failures


def test_cell_kinds_and_manifest():
    """Every kind of nbgrader cell is named; the manifest totals the points."""
    assert [cell_kind(m) for m in ({"task": True}, {"grade": True, "solution": True}, {"grade": True},
                                    {"solution": True}, {})] == ["task", "manual answer", "test", "answer", "read-only"]
    nb = {"cells": [{"metadata": {"nbgrader": {"grade_id": "a", "grade": True, "points": 2}}},
                    {"metadata": {"nbgrader": {"grade_id": "b", "solution": True}}}, {"metadata": {}}]}
    assert manifest(nb, "x") == {"assignment": "x", "max_points": 2.0,
                                 "cells": [{"grade_id": "a", "kind": "test", "points": 2.0},
                                           {"grade_id": "b", "kind": "answer", "points": 0.0}]}


def test_deleted_and_duplicated_cells_fail_validation(mini, tmp_path):
    """A notebook that lost a test cell and copied another: both named, with what to do."""
    release = read(mini.root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    nb = answered(release, RIGHT)
    twin = copy.deepcopy(next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "double-tests"))
    twin["id"] = "twin"
    nb["cells"] = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") != "words-tests"] + [twin]
    path = write(nb, tmp_path / f"{ASSIGNMENT}.ipynb")
    failures = missing_cell_failures(path, mini.root)
    assert [f["source"] for f in failures] == ["[missing cell words-tests]", "[duplicated cell double-tests]"]
    assert "put back" in failures[0]["error"] and "delete the other copies" in failures[1]["error"]


def test_a_notebook_without_its_stamp_is_checked_against_the_course(mini, tmp_path):
    """An old or hand-edited notebook without the manifest: the release (by shared grade ids) says what it needs."""
    release = read(mini.root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    nb = answered(release, RIGHT)
    del nb["metadata"][MANIFEST_KEY]
    nb["cells"] = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") != "essay"]
    path = write(nb, tmp_path / "renamed copy.ipynb")
    node = nbformat.read(str(path), as_version=4)
    expected = expected_cells(node, path, mini.root)
    assert [c["grade_id"] for c in expected] == [c["grade_id"] for c in nbgrader_cells(release)]
    assert cell_problems(node, expected) == {"missing": ["essay"], "duplicated": []}
    assert expected_cells(node, path, None) is None


@pytest.fixture()
def unsafe(mini, monkeypatch):
    """The mini course graded the old way (UNSAFE_NO_SANDBOX=1: nbgrader's kernel), with a 3 s cell limit."""
    from koreathaw_grading.course import Course

    monkeypatch.setenv("UNSAFE_NO_SANDBOX", "1")
    monkeypatch.setenv("KOREATHAW_CELL_TIMEOUT", "3")
    return Course(mini.root, echo=lambda line: None)


def test_safe_execute_survives_a_loop_and_a_dying_kernel(unsafe):
    """SafeExecute (the unsandboxed path): a loop times out and the rest runs; a death marks the rest not run."""
    from koreathaw_grading.grade import grade_one

    release = read(unsafe.root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    loop = "def double(x):\n    while True:\n        pass\n"
    write(answered(release, {**RIGHT, "double": loop}), unsafe.root / "submitted" / "nb-loop" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    write(answered(release, {**RIGHT, "double": "import os\nos._exit(1)\n"}),
          unsafe.root / "submitted" / "nb-exit" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    looped = grade_one(unsafe, ASSIGNMENT, "nb-loop")
    died = grade_one(unsafe, ASSIGNMENT, "nb-exit")
    assert looped.score == 1.0 and "timeout:double-tests" in looped.flags
    assert died.score == 0.0 and "kernel_died:double" in died.flags
    assert any(f.startswith("not_run_after_kernel_death") for f in died.flags)
