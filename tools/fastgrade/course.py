"""The course's grading driver on every core: ``python -m grading autograde``, in parallel.

The instructor's workflow (``tools/grading``, :class:`grading.driver.Course`)
grades one student after another in one process: look at the submission, let
nbgrader autograde it, read back what happened, write the student's report.
This module runs exactly that per-student step, :meth:`Course.grade_one`, on
one long-lived worker per core:

1. the parent loads the course and nbgrader, runs ``Course.init`` (the roster's
   students) and creates, once, every student who handed something in for the
   assignment -- the rows a serial run would create -- so no two workers ever
   create the gradebook or the same row;
2. it forks the workers, which inherit all of that (no new Python, no new
   nbgrader app per student) and take students from one queue;
3. each result is printed, as it arrives, in the driver's own progress format,
   and the assignment's report is written once all are in.

Per student the work is byte for byte the driver's, so grades, flags and
reports are those of the serial run; ``tests/assignments/test_fastgrade_equivalence.py``
proves it against ``nbgrader autograde`` and ``python -m grading autograde``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

from fastgrade import pool
from fastgrade.gradebook import after_fork, cache_engines, patch_sqlite_timeout, warm_imports


def _precreate_students(course, assignment: str, students: Iterable[str]) -> None:
    """Create, once, the gradebook rows of students with a submission folder for ``assignment``.

    A serial run creates exactly these (nbgrader's ``create_student``, or the
    driver's zero-score record for an unreadable submission); students with no
    folder are only reported, never created.
    """
    with course.gradebook() as gb:
        for student in students:
            if (course.root / "submitted" / student / assignment).is_dir():
                gb.update_or_create_student(student)


def _warm_lookups(course, assignment: str) -> None:
    """Fill the driver's per-assignment look-up caches (if it has them) before the fork, so the
    workers inherit them instead of each reading them from the gradebook again."""
    try:
        names = course._notebook_names(assignment)
        for name in names:
            course._source_cells(assignment, name)
    except Exception:  # an optional speed-up: the workers will read them themselves
        pass


def autograde(course, assignment: str, students: Iterable[str] | None = None, *, jobs: int | None = None,
              echo: Callable[[str], None] | None = None, tuning: bool = True) -> list:
    """Grade ``students`` (default: everyone the course knows of) of ``assignment`` on ``jobs`` workers.

    The parallel twin of :meth:`grading.driver.Course.autograde`: same results,
    same per-student reports, same progress lines (in the order students finish).
    With ``tuning`` (the default) the workers keep one gradebook engine each and
    the parent imports nbgrader's lazy imports before forking
    (:mod:`fastgrade.gradebook`).
    """
    from grading.driver import GRADING_ERROR, Result

    if tuning:
        cache_engines()
        warm_imports()
    else:
        patch_sqlite_timeout()
    echo = echo or course.echo
    todo = sorted(students) if students is not None else course.students()
    jobs = jobs or pool.default_jobs()
    _precreate_students(course, assignment, todo)
    course.api  # load nbgrader's API (and its config) once, before the fork
    _warm_lookups(course, assignment)

    def work(student: str, worker: int):
        return course.grade_one(assignment, student)

    def on_result(done: int, res) -> None:
        mark = "!!" if res.needs_attention else "ok"
        echo(f"[{done}/{len(todo)}] {mark} {res.line()} ({res.seconds:.1f}s)")

    def on_lost(student: str, why: str):
        res = Result(student, assignment, status=GRADING_ERROR, details=[f"fastgrade: {why}"])
        try:
            course._save(res)
        except Exception:  # pragma: no cover - the report folder is gone
            pass
        return res

    return pool.run(todo, work, jobs, on_result, on_lost, after_fork=after_fork if tuning else None)


def main(course_root: str | Path, assignment: str | None, students: list[str] | None, *, roster=None,
         jobs: int | None = None, init: bool = True, tuning: bool = True) -> int:
    """``python -m grading autograde``, on ``jobs`` workers (see :mod:`fastgrade.__main__`)."""
    from grading.driver import Course

    if tuning:  # before the course opens its first gradebook
        cache_engines()
    course = Course(course_root, roster=roster)
    if init:
        course.init()
    names = [assignment] if assignment else course.released()
    attention = 0
    for name in names:
        results = autograde(course, name, students, jobs=jobs, tuning=tuning)
        attention += sum(r.needs_attention for r in results)
        print(f"report: {course.report(name)}", flush=True)
    print(f"{attention} submission(s) need attention; see the reports above and the flags column of make export",
          flush=True)
    return 0
