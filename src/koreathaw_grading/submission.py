"""Look at a submission before nbgrader does: which notebook to grade, and what the student changed.

:func:`prepare` finds the notebook (the expected name, a renamed copy, the newest of
several) and says when there is none; :func:`inspect_cells` flags graded cells that
were deleted, copied, edited or retyped; :func:`unchanged` tells a release handed in
as it was.
"""

from __future__ import annotations

import shutil
from typing import Any

import nbformat

from koreathaw_grading.collect import student_files
from koreathaw_grading.course import Course
from koreathaw_grading.manifest import cell_problems, nbgrader_cells
from koreathaw_grading.results import EMPTY, NO_NOTEBOOK, NOT_SUBMITTED, UNREADABLE, Result


def read_notebook(path) -> tuple[Any | None, str]:
    """Return ``(notebook, "")`` or ``(None, reason)`` when the file is not a usable notebook."""
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as exc:  # NotJSONError, UnicodeDecodeError, validation ...
        return None, f"{path.name} is not a readable notebook ({type(exc).__name__}: {str(exc)[:120]})"
    if not isinstance(nb.get("cells"), list):
        return None, f"{path.name} has no cells"
    try:
        nbformat.validate(nb)
    except Exception as exc:
        return None, f"{path.name} is not a valid notebook ({str(exc).splitlines()[0][:120]})"
    return nb, ""


def _rank(path) -> tuple:
    """The order in which several notebooks of one student compete: newest, then highest copy number."""
    import os

    from koreathaw_grading.collect import _copy_number

    return (os.lstat(path).st_mtime, _copy_number(path.stem))


def _several(folder, expected, notebooks, res: Result):
    """Several different notebooks in one submission: grade the newest (put in place as ``expected``), list the rest."""
    best = max(notebooks, key=_rank)
    others = sorted(str(p.relative_to(folder)) for p in notebooks if p != best)
    res.flags.append("several_notebooks:" + ",".join(others))
    res.details.append(f"several notebooks: graded {best.relative_to(folder)} (the newest), not graded: {', '.join(others)}")
    if best != expected:
        if expected.exists():
            expected.rename(expected.with_name(expected.name + ".not-graded"))
        shutil.copy2(best, expected)
    return best


def prepare(course: Course, assignment: str, student: str, notebook: str, res: Result) -> Any | None:
    """Look at a submission before nbgrader does; return the notebook to grade or None."""
    folder = course.root / "submitted" / student / assignment
    expected = folder / f"{notebook}.ipynb"
    if not folder.is_dir() or folder.is_symlink():
        res.status = NOT_SUBMITTED
        return None
    files = student_files(folder)
    if not files:
        res.status = EMPTY
        res.details.append("the submission folder is empty")
        return None
    notebooks = [f for f in files if f.suffix == ".ipynb"]
    distinct = {f.read_bytes(): f for f in sorted(notebooks, key=lambda f: (f != expected, str(f)))}
    if len(distinct) > 1:
        wanted = {c["grade_id"] for c in course.source_cells(assignment, notebook)}
        mine = [f for f in distinct.values() if _overlap(f, wanted)] or list(distinct.values())
        if len(mine) > 1:
            _several(folder, expected, mine, res)
    others = [f for f in notebooks if f != expected]
    if expected.is_file():
        nb, why = read_notebook(expected)
        if nb is None:
            res.status = UNREADABLE
            res.details.append(why)
            return None
        for other in others:  # a renamed copy we put in place on an earlier run
            if other.read_bytes() == expected.read_bytes():
                res.flags.append(f"renamed_notebook:{other.relative_to(folder)}")
        return nb
    # The expected notebook is not there: a renamed notebook, or no notebook at all.
    wanted = {c["grade_id"] for c in course.source_cells(assignment, notebook)}
    readable, broken = [], []
    for other in others:
        nb, why = read_notebook(other)
        if nb is None:
            broken.append(why)
        else:
            overlap = len(wanted & {c["grade_id"] for c in nbgrader_cells(nb)})
            readable.append((overlap, other, nb))
    readable.sort(key=lambda t: (-t[0], str(t[1])))
    if readable and (readable[0][0] > 0 or len(readable) == 1):
        _, other, nb = readable[0]
        shutil.copy2(other, expected)
        res.flags.append(f"renamed_notebook:{other.relative_to(folder)}")
        res.details.append(f"graded {other.relative_to(folder)} as {expected.name} (a copy is in the submission folder)")
        return nb
    if broken:
        res.status = UNREADABLE
        res.details.extend(broken)
    else:
        res.status = NO_NOTEBOOK
        res.details.append("no notebook in the submission; files: "
                           + ", ".join(str(f.relative_to(folder)) for f in files[:10]))
    return None


def _overlap(path, wanted: set[str]) -> bool:
    """True if the notebook at ``path`` holds any of the assignment's graded cells."""
    nb, _ = read_notebook(path)
    return nb is not None and bool(wanted & {c["grade_id"] for c in nbgrader_cells(nb)})


def _released_checksums(cell: Any, src: dict[str, Any]) -> set[str]:
    """The checksums an unedited read-only cell may have: with hidden tests (source) or without (release)."""
    from copy import deepcopy

    from nbgrader import utils
    from nbgrader.preprocessors import ClearHiddenTests

    released = deepcopy(cell)
    released.source = src["source"]
    released, _ = ClearHiddenTests(enforce_metadata=False).preprocess_cell(released, {}, 0)
    return {src["checksum"], utils.compute_checksum(released)}


def inspect_cells(course: Course, assignment: str, notebook: str, nb: Any, res: Result) -> None:
    """Flag deleted, duplicated, edited read-only and retyped graded cells of a submission."""
    from nbgrader import utils

    source = {c["grade_id"]: c for c in course.source_cells(assignment, notebook)}
    problems = cell_problems(nb, [{"grade_id": g} for g in source])
    if problems["missing"]:
        res.flags.append("deleted_cells:" + ",".join(problems["missing"]))
        restored = [g for g in problems["missing"] if source[g].get("graded")]
        lost = [g for g in problems["missing"] if not source[g].get("graded")]
        if restored:
            res.details.append("graded cells deleted by the student were put back with their original content: "
                               + ", ".join(restored))
        if lost:
            res.details.append("read-only cells deleted by the student were not put back: the student's code ran "
                               "without them, the tests with the course's own copy: " + ", ".join(lost))
    moved = moved_cells(course, assignment, notebook, nb)
    if moved:
        res.flags.append("cells_moved:" + ",".join(moved))
        res.details.append("cells of the course were moved by the student (the student's code ran in that order; "
                           "the tests used the course's own read-only cells, run first): " + ", ".join(moved))
    if problems["duplicated"]:
        res.flags.append("duplicated_cells:" + ",".join(problems["duplicated"]))
        res.details.append("graded cells copied by the student; only the last copy was graded: "
                           + ", ".join(problems["duplicated"]))
    edited, retyped, seen = [], [], set()
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id not in source or grade_id in seen:
            continue
        seen.add(grade_id)
        src = source[grade_id]
        if cell.cell_type != src["cell_type"]:
            retyped.append(grade_id)
        elif src["locked"] and src["checksum"] and utils.compute_checksum(cell) not in _released_checksums(cell, src):
            edited.append(grade_id)
    if edited:
        res.flags.append("edited_readonly_cells:" + ",".join(edited))
        res.details.append("read-only or test cells edited by the student were restored: " + ", ".join(edited))
    if retyped:
        res.flags.append("cell_type_changed:" + ",".join(retyped))


def moved_cells(course: Course, assignment: str, notebook: str, nb: Any) -> list[str]:
    """The course's cells that ``nb`` holds out of the released order (none if the release is not there)."""
    release = course.root / "release" / assignment / f"{notebook}.ipynb"
    released, _ = read_notebook(release) if release.is_file() else (None, None)
    if released is None:
        return []
    ids = lambda book: [c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in book.cells]  # noqa: E731
    order = [g for g in ids(released) if g]
    mine = []
    for g in ids(nb):
        if g in order and g not in mine:
            mine.append(g)
    rank = [order.index(g) for g in mine]
    best: list[list[int]] = []  # best[i]: the longest run in released order ending at mine[i]
    for i, r in enumerate(rank):
        before = [best[j] for j in range(i) if rank[j] < r]
        best.append(max(before, key=len, default=[]) + [i])
    kept = set(max(best, key=len, default=[]))
    return [g for i, g in enumerate(mine) if i not in kept]


def locked_ids(course: Course, assignment: str, notebook: str) -> set[str]:
    return {c["grade_id"] for c in course.source_cells(assignment, notebook) if c["locked"]}


def unchanged(course: Course, assignment: str, notebook: str, nb: Any) -> bool:
    """True when every answer cell is still as released (nothing was answered)."""
    release = course.root / "release" / assignment / f"{notebook}.ipynb"
    if not release.is_file():
        return False
    released, _ = read_notebook(release)
    if released is None:
        return False
    stubs = {c.metadata.nbgrader.grade_id: c.source for c in released.cells
             if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    mine = {c.metadata.nbgrader.grade_id: c.source for c in nb.cells
            if c.get("metadata", {}).get("nbgrader", {}).get("solution") and c.metadata.nbgrader.get("grade_id") in stubs}
    return bool(stubs) and all(" ".join(mine.get(g, src).split()) == " ".join(src.split()) for g, src in stubs.items())


