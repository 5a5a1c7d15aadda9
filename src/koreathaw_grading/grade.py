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


from koreathaw_grading import ids, results
from koreathaw_grading.collect import load_notes
from koreathaw_grading.course import Course
from koreathaw_grading.submission import inspect_cells, locked_ids, prepare, read_notebook, unchanged
from koreathaw_grading.results import ERROR_FLAGS, GRADED, GRADING_ERROR, NOT_SUBMITTED, REFUSED, UNSAFE_FLAG, Result
from koreathaw_grading.sandbox.outputs import FLAG_KEY, RUN_KEY


def unsandboxed() -> bool:
    """True when the instructor chose to run student code without the sandbox (``UNSAFE_NO_SANDBOX=1``)."""
    import os

    return os.environ.get("UNSAFE_NO_SANDBOX") == "1"


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
    errors = _student_errors(nb)
    setup = [gid for gid, _ in errors if gid in locked_ids(course, assignment, notebook)]
    if setup:
        res.flags.append("setup_failed:" + ",".join(setup))
        res.details.append("a read-only cell of the course failed while grading (" + ", ".join(setup) + "): every test "
                           "after it may have failed for that reason, not the student's; look at the autograded notebook")
    others = [f"{gid}({ename})" for gid, ename in errors if gid not in setup]
    if others:
        res.flags.append("error_in_cell:" + ",".join(others))
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
                res.cells[grade.name] = float(grade.score)
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
    for seen in load_notes(course.root, assignment):
        if seen.student == student and seen.status == "collected":
            res.flags.extend(seen.flags)
            res.details.extend(seen.details)
    notebooks = course.notebook_names(assignment)
    for notebook in notebooks:
        nb = prepare(course, assignment, student, notebook, res)
        if nb is None:
            break
        inspect_cells(course, assignment, notebook, nb, res)
        if unchanged(course, assignment, notebook, nb):
            res.flags.append(f"unchanged_release:{notebook}")
            res.details.append(f"{notebook}.ipynb is the release as handed out: no answer cell was changed")
    if res.status == NOT_SUBMITTED:
        refused = [s for s in load_notes(course.root, assignment) if s.status == "refused"
                   and ids.problem(s.folder) is None and ids.key(s.folder) == ids.key(student)]
        if refused:
            res.status = REFUSED
            res.details.extend(f"folder {s.folder!r}: {'; '.join(s.details)}" for s in refused)
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
