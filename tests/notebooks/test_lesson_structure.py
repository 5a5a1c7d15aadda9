"""Every lesson has the course's shape, and its exercise solutions pass their self-checks.

A lesson (``notebooks/NN-name.ipynb``) opens with an H1 title and a "Learning
objectives" heading, has at least one "### Exercise" with a self-check cell and
a hidden solution, ends with "Key points", stores at least two checked outputs
for nbval, and uses the course kernel. It calls the library's public names
only and reads no file by a path of its own. The authoring rules are in
``notebooks/_template.ipynb``.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from strip_outputs import KERNELSPEC, execute, is_checked

REPO = Path(__file__).resolve().parents[2]
LESSONS = sorted((REPO / "notebooks").glob("[0-9][0-9]-*.ipynb"))
TEMPLATE = REPO / "notebooks" / "_template.ipynb"
ALL = LESSONS + ([TEMPLATE] if TEMPLATE.exists() else [])
SOLUTION = re.compile(r"<details>\s*<summary>\s*Solution.*?</summary>(.*?)</details>", re.S | re.I)
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def ids(paths):
    return [p.stem for p in paths]


def read(path):
    return nbformat.read(path, as_version=4)


def headings(nb):
    """Return (cell index, level, text) of every markdown heading."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            m = re.match(r"^(#{1,6})\s+(.*\S)", line)
            if m:
                found.append((i, len(m.group(1)), m.group(2)))
    return found


def exercises(nb):
    """Return, per exercise, (heading cell, answer cells, self-check cells, solution code)."""
    heads = headings(nb)
    result = []
    for n, (i, level, text) in enumerate(heads):
        if not re.match(r"Exercise\b", text):
            continue
        end = next((j for j, lvl, _ in heads[n + 1:] if lvl <= level), len(nb.cells))
        cells = list(enumerate(nb.cells))[i + 1:end]
        answers = [j for j, c in cells if "exercise" in c.metadata.get("tags", [])]
        checks = [j for j, c in cells if "self-check" in c.metadata.get("tags", [])]
        solutions = [m.group(1) for _, c in cells if c.cell_type == "markdown" for m in SOLUTION.finditer(c.source)]
        code = [b for s in solutions for b in PYTHON_BLOCK.findall(s)]
        result.append((i, answers, checks, code))
    return result


def test_lessons_are_numbered_from_00_without_gaps():
    """The lessons are 00, 01, 02 ... with no number missing or doubled."""
    numbers = [int(p.name[:2]) for p in LESSONS]
    assert numbers == list(range(len(numbers))), numbers
    assert len(LESSONS) >= 7


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_lesson_opens_with_title_and_objectives(path):
    """The first cell is an H1 title; "Learning objectives" follows within the first two cells."""
    nb = read(path)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), f"{path.name}: first cell must be '# Title'"
    objectives = [i for i, lvl, text in headings(nb) if text.lower().startswith("learning objectives")]
    assert objectives and objectives[0] <= 1, f"{path.name}: '## Learning objectives' must be near the top"
    cell = nb.cells[objectives[0]].source
    bullets = re.findall(r"^- \*\*(\w+)\*\*", cell.split("Learning objectives", 1)[1], re.M)
    assert len(bullets) >= 2, f"{path.name}: objectives should be bullets starting with a bold action verb"


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_lesson_ends_with_key_points(path):
    """The last heading is "Key points", in the last cell."""
    nb = read(path)
    last = headings(nb)[-1]
    assert "key points" in last[2].lower(), f"{path.name}: last heading is {last[2]!r}"
    assert last[0] == len(nb.cells) - 1, f"{path.name}: 'Key points' must be the last cell"
    assert re.search(r"^- ", nb.cells[-1].source, re.M), f"{path.name}: key points should be a list"


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_lesson_has_exercises_with_self_check_and_solution(path):
    """At least one exercise; each has an answer cell, a self-check cell and a hidden solution."""
    nb = read(path)
    found = exercises(nb)
    assert found, f"{path.name}: no '### Exercise' heading"
    for i, answers, checks, code in found:
        assert answers, f"{path.name}: exercise at cell {i} has no answer cell tagged 'exercise'"
        assert checks, f"{path.name}: exercise at cell {i} has no self-check cell tagged 'self-check'"
        assert len(code) == len(answers), f"{path.name}: exercise at cell {i} needs one ```python solution per answer cell"


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_lesson_has_checked_outputs(path):
    """At least two `# NBVAL_CHECK_OUTPUT` cells, each with its expected output stored."""
    nb = read(path)
    checked = [c for c in nb.cells if is_checked(c)]
    assert len(checked) >= 2, f"{path.name}: only {len(checked)} checked cells"
    assert all(c.outputs for c in checked), f"{path.name}: a checked cell has no stored output"


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_lesson_uses_course_kernel(path):
    """The kernelspec is the course's 'koreathaw' kernel."""
    assert read(path).metadata["kernelspec"] == KERNELSPEC


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_lesson_code_uses_public_library_only(path):
    """No private helper, no data read by path, nothing that waits for a user."""
    nb = read(path)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        src = cell.source
        assert not re.search(r"\b(?:kt|koreathaw)(?:\.\w+)?\._[a-z]|from koreathaw[.\w]* import \(?\s*_[a-z]", src), \
            f"{path.name} cell {i} uses a private helper"
        assert not re.search(r"read_csv|read_text|open\(|data/|\.txt['\"]", src), f"{path.name} cell {i} reads a file itself"
        assert not re.search(r"\binput\(|time\.sleep|plt\.show\(\s*block", src), f"{path.name} cell {i} waits"


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_prose_before_code(path):
    """Every code cell follows a markdown cell or another code cell of the same section, never opens the lesson."""
    nb = read(path)
    assert nb.cells[0].cell_type == "markdown"
    code_runs = 0
    for cell in nb.cells:
        code_runs = code_runs + 1 if cell.cell_type == "code" else 0
        assert code_runs <= 3, f"{path.name}: more than three code cells in a row without prose"


@pytest.mark.notebooks
@pytest.mark.slow
@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_solutions_pass_self_checks(path, tmp_path):
    """With each exercise answered by its hidden solution, every self-check says 'Correct'."""
    nb = read(path)
    checks = []
    for _, answers, check_cells, code in exercises(nb):
        for j, solution in zip(answers, code):
            nb.cells[j].source = solution
        checks.extend(check_cells)
    copy = tmp_path / path.name
    execute(nb, path.parent / path.name, timeout=120)
    for j in checks:
        text = "".join(o.get("text", "") for o in nb.cells[j].outputs if o.output_type == "stream")
        assert "Correct" in text, f"{path.name} cell {j}: the solution does not pass its self-check: {text!r}"
    nbformat.write(nb, copy)
