"""The notebooks are committed clean: valid, no stray outputs, counts or absolute paths.

Only the cells nbval checks (``# NBVAL_CHECK_OUTPUT``) keep their outputs, the
expected results; no cell or output has an execution count (nbval needs one on
checked cells: ``tests/notebooks/nbval_counts.py`` gives it in memory). Run
``tests/notebooks/strip_outputs.py`` to execute a lesson and store it this way.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from strip_outputs import CHECK_MARK, KERNELSPEC, clean, is_checked

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
ABSOLUTE = re.compile(r"(?<![\w.])(/work/|/tmp/|/root/|/home/|/Users/|[A-Za-z]:\\\\)")


def ids(paths):
    return [p.name for p in paths]


def test_there_are_notebooks():
    """notebooks/ holds the lessons."""
    assert len(NOTEBOOKS) >= 7, [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_notebook_is_valid_nbformat(path):
    """Each notebook is valid nbformat 4."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.nbformat == 4


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_no_outputs_outside_checked_cells(path):
    """Only `# NBVAL_CHECK_OUTPUT` cells carry outputs."""
    nb = nbformat.read(path, as_version=4)
    stray = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.outputs and not is_checked(c)]
    assert not stray, f"{path.name}: cells {stray} have outputs; run tests/notebooks/strip_outputs.py"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_checked_cells_have_expected_output(path):
    """Every `# NBVAL_CHECK_OUTPUT` cell stores the output nbval compares, as text."""
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if not is_checked(cell):
            continue
        assert cell.outputs, f"{path.name} cell {i}: checked cell has no stored output"
        kinds = {o.output_type for o in cell.outputs}
        assert "error" not in kinds, f"{path.name} cell {i}: stored output is an error"
        for out in cell.outputs:
            if out.output_type in ("display_data", "execute_result"):
                assert set(out.data) <= {"text/plain"}, f"{path.name} cell {i}: checked output {sorted(out.data)} is not plain text"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_no_execution_counts(path):
    """No execution count on any cell or output (nbval's numbers come from tests/notebooks/nbval_counts.py)."""
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        assert cell.execution_count is None, f"{path.name} cell {i} has execution_count {cell.execution_count}"
        for out in cell.outputs:
            assert out.get("execution_count") is None, f"{path.name} cell {i}: an output has execution_count {out['execution_count']}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_no_absolute_paths(path):
    """No absolute path (a developer's machine) anywhere in the file."""
    text = path.read_text(encoding="utf-8")
    found = sorted(set(m.group(0) for m in ABSOLUTE.finditer(text)))
    assert not found, f"{path.name} contains absolute paths: {found}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_metadata_is_minimal(path):
    """The kernelspec is the course's, and no widget state or cell timings are stored."""
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.get("kernelspec") == KERNELSPEC
    assert "widgets" not in nb.metadata
    for i, cell in enumerate(nb.cells):
        assert set(cell.get("metadata", {})) <= {"tags"}, f"{path.name} cell {i} metadata {sorted(cell.metadata)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_clean_changes_nothing(path):
    """Cleaning a committed notebook again is a no-op (it was stored by strip_outputs.py)."""
    nb = nbformat.read(path, as_version=4)
    before = json.dumps(nb, sort_keys=True)
    assert json.dumps(clean(nb), sort_keys=True) == before


def test_check_mark_detection():
    """A cell is checked only by a comment line that is exactly the mark."""
    cell = nbformat.v4.new_code_cell(f"{CHECK_MARK}\nprint(1)")
    assert is_checked(cell)
    assert not is_checked(nbformat.v4.new_code_cell("print('# NBVAL_CHECK_OUTPUT')"))
    assert not is_checked(nbformat.v4.new_markdown_cell(CHECK_MARK))


def test_absolute_path_pattern():
    """The absolute-path check catches Unix and Windows paths, not URLs or relative paths."""
    assert ABSOLUTE.search('"/work/main/data"')
    assert ABSOLUTE.search("C:\\\\Users\\\\me")
    assert ABSOLUTE.search(" /home/student/x")
    assert not ABSOLUTE.search("../course/submitting.md")
    assert not ABSOLUTE.search("https://example.org/tmp/x")
