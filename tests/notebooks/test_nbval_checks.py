"""nbval, as ``make test`` runs it, compares the stored outputs for real.

The lessons are committed without execution counts and ``nbval_counts.py`` numbers
the checked cells in memory; this proves that the comparison then happens: a copy
of a lesson passes as stored and fails once one checked output is changed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from strip_outputs import is_checked  # pytest puts this folder on sys.path

REPO = Path(__file__).resolve().parents[2]
LESSON = REPO / "notebooks" / "_template.ipynb"

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]


def _nbval(notebook: Path) -> subprocess.CompletedProcess:
    """Run nbval on ``notebook`` with the options and plugin of ``make test``."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.notebooks.nbval_counts",
         "--nbval-lax", "--nbval-current-env", "--nbval-sanitize-with", "tests/notebooks/sanitize.cfg", str(notebook)],
        cwd=REPO, capture_output=True, text=True, timeout=300)


def test_nbval_passes_the_lesson_as_stored(tmp_path):
    copy = tmp_path / LESSON.name
    copy.write_bytes(LESSON.read_bytes())
    done = _nbval(copy)
    assert done.returncode == 0, done.stdout[-3000:]
    assert " passed" in done.stdout


def test_nbval_fails_a_changed_checked_output(tmp_path):
    nb = nbformat.read(LESSON, as_version=4)
    checked = [c for c in nb.cells if is_checked(c) and any(o.output_type == "stream" for o in c.outputs)]
    assert checked, f"{LESSON.name} has no checked cell with printed output"
    stream = next(o for o in checked[0].outputs if o.output_type == "stream")
    stream.text = "a value the lesson does not print\n"
    copy = tmp_path / LESSON.name
    nbformat.write(nb, copy)
    done = _nbval(copy)
    assert done.returncode != 0, "nbval accepted a checked output that the lesson does not produce"
    assert "a value the lesson does not print" in done.stdout, done.stdout[-3000:]


def test_plain_nbval_command_passes_a_lesson():
    """``pytest --nbval-lax notebooks/...``, nbval's plain command with no course option, passes a lesson.

    The root ``conftest.py`` loads the plugin; with conftest files switched off
    (``--noconftest``) the same command fails as it did before: proof that the
    conftest is what makes it pass.
    """
    plain = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
             "notebooks/_template.ipynb"]
    done = subprocess.run(plain, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
    without = subprocess.run(plain + ["--noconftest"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert without.returncode != 0 and "Unrun reference cell has outputs" in without.stdout, without.stdout[-3000:]
