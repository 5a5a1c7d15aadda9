"""Grade one submission: look at it before nbgrader does, let nbgrader autograde it, check what came back.

Nothing a student hands in can make a student disappear from the export: a
missing, empty, unreadable or misnamed submission is graded zero (or graded
under its right name) and flagged, never skipped. :func:`autograde` grades a
list of students one after another (``make autograde-serial``);
:mod:`koreathaw_grading.parallel` runs :func:`grade_one` on every core.
"""

from __future__ import annotations

import shutil
import time
from typing import Any, Iterable

import nbformat

from koreathaw_grading import results
from koreathaw_grading.collect import student_files
from koreathaw_grading.course import Course
from koreathaw_grading.manifest import cell_problems, nbgrader_cells
from koreathaw_grading.results import (EMPTY, ERROR_FLAGS, GRADED, GRADING_ERROR, NO_NOTEBOOK, NOT_SUBMITTED,
                                       UNREADABLE, UNSAFE_FLAG, Result)
from koreathaw_grading.sandbox.outputs import FLAG_KEY, RUN_KEY


def unsandboxed() -> bool:
    """True when the instructor chose to run student code without the sandbox (``UNSAFE_NO_SANDBOX=1``)."""
    import os

    return os.environ.get("UNSAFE_NO_SANDBOX") == "1"


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


def _prepare(course: Course, assignment: str, student: str, notebook: str, res: Result) -> Any | None:
    """Look at a submission before nbgrader does; return the notebook to grade or None."""
    folder = course.root / "submitted" / student / assignment
    expected = folder / f"{notebook}.ipynb"
    if not folder.is_dir():
        res.status = NOT_SUBMITTED
        return None
    files = student_files(folder)
    if not files:
        res.status = EMPTY
        res.details.append("the submission folder is empty")
        return None
    others = [f for f in files if f.suffix == ".ipynb" and f != expected]
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
        if len(readable) > 1:
            res.flags.append("several_notebooks")
        return nb
    if broken:
        res.status = UNREADABLE
        res.details.extend(broken)
    else:
        res.status = NO_NOTEBOOK
        res.details.append("no notebook in the submission; files: "
                           + ", ".join(str(f.relative_to(folder)) for f in files[:10]))
    return None


def _released_checksums(cell: Any, src: dict[str, Any]) -> set[str]:
    """The checksums an unedited read-only cell may have: with hidden tests (source) or without (release)."""
    from copy import deepcopy

    from nbgrader import utils
    from nbgrader.preprocessors import ClearHiddenTests

    released = deepcopy(cell)
    released.source = src["source"]
    released, _ = ClearHiddenTests(enforce_metadata=False).preprocess_cell(released, {}, 0)
    return {src["checksum"], utils.compute_checksum(released)}


def _inspect_cells(course: Course, assignment: str, notebook: str, nb: Any, res: Result) -> None:
    """Flag deleted, duplicated, edited read-only and retyped graded cells of a submission."""
    from nbgrader import utils

    source = {c["grade_id"]: c for c in course.source_cells(assignment, notebook)}
    problems = cell_problems(nb, [{"grade_id": g} for g in source])
    if problems["missing"]:
        res.flags.append("deleted_cells:" + ",".join(problems["missing"]))
        res.details.append("graded cells deleted by the student were put back with their original content: "
                           + ", ".join(problems["missing"]))
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


def zero(course: Course, assignment: str, student: str, remove_autograded: bool = True) -> None:
    """Record a submission that scores zero everywhere (nothing gradable was handed in)."""
    with course.gradebook() as gb:
        gb.update_or_create_student(student)
        submission = gb.update_or_create_submission(assignment, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score = 0
                grade.manual_score = None
                grade.needs_manual_grade = False
        gb.db.commit()
    stale = course.root / "autograded" / student / assignment
    if remove_autograded and stale.exists():
        shutil.rmtree(stale)


def _earlier_grade(course: Course, assignment: str, student: str, res: Result) -> None:
    """Nothing in submitted/, but a grade in the gradebook: keep the grade and say so.

    The folder of an earlier, graded submission has gone (a new LMS download
    without it, a folder deleted by hand). The gradebook still holds that grade
    and the export shows it; the row must not look like an ordinary
    ``not_submitted``, nor may the grade vanish unnoticed.
    """
    from nbgrader.api import MissingEntry

    with course.gradebook() as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            return
        score, max_score, when = float(submission.score), float(submission.max_score), submission.timestamp
    res.flags.append("earlier_grade_kept")
    handed_in = f", handed in {when.isoformat()}" if when else ""
    res.details.append(
        f"nothing is in submitted/{student}/{assignment}, but the gradebook keeps the grade of an earlier "
        f"submission ({score:g} of {max_score:g}{handed_in}): restore the folder and autograde again, "
        "or remove that submission from the gradebook")


def _after(course: Course, assignment: str, student: str, notebook: str, res: Result) -> None:
    """Read the autograded notebook; flag what went wrong while it ran."""
    graded = course.root / "autograded" / student / assignment / f"{notebook}.ipynb"
    nb, why = read_notebook(graded) if graded.is_file() else (None, "no autograded notebook was written")
    if nb is None:
        res.status = GRADING_ERROR
        res.details.append(why)
        return
    hits: dict[str, list[str]] = {}
    for index, cell in enumerate(nb.cells):
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or f"cell {index}"
        for out in cell.get("outputs", []):
            flag = ERROR_FLAGS.get(out.get("ename", "")) if out.get("output_type") == "error" else None
            flag = flag or (out.get("metadata") or {}).get(FLAG_KEY)
            if flag and grade_id not in hits.setdefault(flag, []):
                hits[flag].append(grade_id)
    for flag in dict.fromkeys([*ERROR_FLAGS.values(), *hits]):
        if hits.get(flag):
            res.flags.append(f"{flag}:" + ",".join(hits[flag]))
    errors = [f"{gid}({ename})" for gid, ename in _student_errors(nb)]
    if errors:
        res.flags.append("error_in_cell:" + ",".join(errors))
    run = nb.get("metadata", {}).get(RUN_KEY) or {}
    res.flags.extend(str(f) for f in run.get("flags", []))
    res.details.extend(str(d) for d in run.get("details", []))


def _student_errors(nb: Any) -> list[tuple[str, str]]:
    """(cell, error name) of the errors raised by cells that are not test cells (student or read-only code),
    other than the ones that already have a flag of their own (timeouts, deaths, memory)."""
    found = []
    for index, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and out.get("ename") not in ERROR_FLAGS:
                found.append((meta.get("grade_id") or f"cell {index}", out.get("ename", "")))
                break
    return found


def is_manual(grade: Any) -> bool:
    """True for a grade cell that is also a solution cell (a manually graded answer)."""
    return grade.name in {c.name for c in grade.cell.notebook.solution_cells}


def _scores(course: Course, assignment: str, student: str, res: Result) -> None:
    from nbgrader.api import MissingEntry

    with course.gradebook() as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            res.score, res.max_score = 0.0, gb.find_assignment(assignment).max_score
            return
        res.score, res.max_score = float(submission.score), float(submission.max_score)
        pending_manual, stuck = [], []
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                if not grade.needs_manual_grade:
                    continue
                if grade.cell.cell_type == "markdown" or is_manual(grade):
                    pending_manual.append(grade.name)
                else:
                    stuck.append(grade.name)
        if stuck:
            res.flags.append("autograded_cell_needs_manual_grade:" + ",".join(stuck))
        if pending_manual:
            res.flags.append("manual_grading_pending:" + ",".join(pending_manual))


def failure(outcome: dict[str, Any]) -> str:
    """The most telling line of a failed nbgrader run: the last exception line of its log."""
    import re

    text = (outcome.get("log") or "") + "\n" + (outcome.get("error") or "")
    found = [line.strip() for line in text.splitlines()
             if re.match(r"\s*[\w.]*(Error|Exception|Interrupt)\b.*", line) and "NbGraderException" not in line]
    return found[-1][:300] if found else "no message (see nbgrader's log)"


def grade_one(course: Course, assignment: str, student: str) -> Result:
    """Grade one student's submission of one assignment; never raises for a bad submission."""
    start = time.perf_counter()
    res = Result(student, assignment)
    if unsandboxed():
        res.flags.append(UNSAFE_FLAG)
        res.details.append("graded with UNSAFE_NO_SANDBOX=1: the student's code ran as the instructor, with the "
                           "course, the gradebook and the network in reach")
    notebooks = course.notebook_names(assignment)
    for notebook in notebooks:
        nb = _prepare(course, assignment, student, notebook, res)
        if nb is None:
            break
        _inspect_cells(course, assignment, notebook, nb, res)
    if res.status == NOT_SUBMITTED:
        _earlier_grade(course, assignment, student, res)
    elif res.status != GRADED:
        zero(course, assignment, student)
    else:
        outcome = course.api.autograde(assignment, student, force=True, create=True)
        if not outcome.get("success"):
            res.status = GRADING_ERROR
            res.details.append("nbgrader failed: " + failure(outcome))
            zero(course, assignment, student)
        else:
            for notebook in notebooks:
                _after(course, assignment, student, notebook, res)
            if res.status == GRADING_ERROR:
                zero(course, assignment, student, remove_autograded=False)
    _scores(course, assignment, student, res)
    res.seconds = round(time.perf_counter() - start, 2)
    results.save(course.root, res)
    return res


def grade_safely(course: Course, assignment: str, student: str) -> Result:
    """:func:`grade_one`, but a failure of the grader itself is reported for that student, not raised."""
    try:
        return grade_one(course, assignment, student)
    except Exception as exc:  # a problem of ours, not the student's: report it and go on
        res = Result(student, assignment, status=GRADING_ERROR,
                     details=[f"the grading driver failed: {type(exc).__name__}: {exc}"])
        try:
            results.save(course.root, res)
        except Exception:  # pragma: no cover - the report folder is gone
            pass
        return res


def progress_line(done: int, total: int, res: Result) -> str:
    """The ``[i/n] ok|!! ...`` line printed as each student is graded."""
    mark = "!!" if res.needs_attention else "ok"
    return f"[{done}/{total}] {mark} {res.line()} ({res.seconds:.1f}s)"


def autograde(course: Course, assignment: str, students: Iterable[str] | None = None) -> list[Result]:
    """Grade ``students`` (default: everyone the course knows of), one after another.

    Prints one progress line per student as soon as it is graded. Every
    student gets a report, whatever was handed in.
    """
    todo = sorted(students) if students is not None else course.students()
    out = []
    for i, student in enumerate(todo, start=1):
        res = grade_safely(course, assignment, student)
        out.append(res)
        course.echo(progress_line(i, len(todo), res))
    return out
