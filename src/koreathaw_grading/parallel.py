"""Grading on every core: :func:`koreathaw_grading.grade.grade_safely` on one long-lived worker per core.

Grading one student after another in one process leaves all but one core idle;
running ``nbgrader autograde --student S`` per student in parallel pays a new
Python + nbgrader start (about 2 s) for every student, and several runs on a
fresh gradebook race to create its tables. Here:

1. the parent loads the course and nbgrader, creates the roster's students
   (:meth:`Course.init`) and, once, every student who handed something in for
   the assignment -- the rows a serial run would create -- so no two workers
   ever create the gradebook or the same row;
2. it forks the workers (:mod:`koreathaw_grading.pool`), which inherit all of
   that and take students from one queue; SQLite writers wait for each other
   (the ``timeout`` of the course's ``db_url``) instead of failing with
   "database is locked";
3. each result is printed as it arrives, in the serial run's progress format.

Per student the work is exactly the serial :func:`grade_safely`, so grades, flags
and reports are those of a serial run; ``tests/assignments/test_fastgrade_equivalence.py``
proves it against ``nbgrader autograde``.
"""

from __future__ import annotations

import importlib
from typing import Callable, Iterable

from koreathaw_grading import pool, results
from koreathaw_grading.course import Course
from koreathaw_grading.grade import grade_safely, progress_line
from koreathaw_grading.results import GRADING_ERROR, Result


def _precreate_students(course: Course, assignment: str, students: Iterable[str]) -> None:
    """Create, once, the gradebook rows of students with a submission folder for ``assignment``."""
    with course.gradebook() as gb:
        for student in students:
            if (course.root / "submitted" / student / assignment).is_dir():
                gb.update_or_create_student(student)


def _warm(course: Course, assignment: str) -> None:
    """Load, before the fork, what every worker would otherwise load for itself: nbgrader's API,
    the assignment's cells from the gradebook, and the modules nbgrader imports lazily."""
    course.api
    for name in course.notebook_names(assignment):
        course.source_cells(assignment, name)
    for module in ("IPython.core.interactiveshell", "nbconvert.exporters", "nbgrader.preprocessors"):
        importlib.import_module(module)


def autograde(course: Course, assignment: str, students: Iterable[str] | None = None, *,
              jobs: int | None = None, echo: Callable[[str], None] | None = None) -> list[Result]:
    """Grade ``students`` (default: everyone the course knows of) of ``assignment`` on ``jobs`` workers.

    The parallel twin of :func:`koreathaw_grading.grade.autograde`: same results, same
    per-student reports, same progress lines (in the order students finish).
    """
    echo = echo or course.echo
    todo = sorted(students) if students is not None else course.students()
    _precreate_students(course, assignment, todo)
    _warm(course, assignment)

    def on_result(done: int, res: Result) -> None:
        echo(progress_line(done, len(todo), res))

    def on_lost(student: str, why: str) -> Result:
        res = Result(student, assignment, status=GRADING_ERROR, details=[f"the grading worker was lost: {why}"])
        try:
            results.save(course.root, res)
        except Exception:  # pragma: no cover - the report folder is gone
            pass
        return res

    return pool.run(todo, lambda student, worker: grade_safely(course, assignment, student),
                    jobs or pool.default_jobs(), on_result, on_lost)
