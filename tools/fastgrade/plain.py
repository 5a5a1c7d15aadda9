"""Plain nbgrader on every core: ``nbgrader autograde ASSIGNMENT``, one app per core.

For a course root without the course's grading driver (``tools/grading``):
each worker runs nbgrader's own :class:`nbgrader.converters.Autograde` converter
in-process for one student at a time, as :meth:`NbGraderAPI.autograde` does.
"""

from __future__ import annotations

import glob
import io
import logging
import os
import sys
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from fastgrade import pool
from fastgrade.gradebook import after_fork, cache_engines, patch_sqlite_timeout, warm_imports


@dataclass
class GradeResult:
    """What happened to one student's submission of one assignment."""

    assignment: str
    student: str
    ok: bool
    seconds: float = 0.0
    log: str = ""
    worker: int = 0
    skipped: bool = False
    error: str = ""

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@contextmanager
def _cwd(path: Path) -> Iterator[None]:
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def _make_app(assignment: str, nbgrader_args: Sequence[str]):
    """Build and initialise an ``nbgrader autograde`` app (config loaded from the cwd)."""
    from nbgrader.apps.autogradeapp import AutogradeApp

    app = AutogradeApp()
    app.initialize([assignment, *nbgrader_args])
    if app.coursedir.assignment_id and app.coursedir.assignment_id != assignment:
        raise SystemExit("the assignment cannot both be given in the config and on the command line")
    app.coursedir.assignment_id = assignment
    return app


def _submitted_students(app, assignment: str, patterns: Sequence[str]) -> tuple[list[str], list[str]]:
    """Return (students to grade, students skipped because they handed in no notebook).

    Mirrors ``BaseConverter.init_notebooks`` of a serial run: a submission folder
    with no notebook matching ``--notebook`` is skipped with a warning there too.
    """
    coursedir = app.coursedir
    found: set[str] = set()
    for pattern in patterns or ["*"]:
        for folder in glob.glob(coursedir.format_path(coursedir.submitted_directory, pattern, assignment)):
            if os.path.isdir(folder):
                found.add(Path(folder).parent.name)
    students, skipped = [], []
    for student in sorted(found):
        folder = coursedir.format_path(coursedir.submitted_directory, student, assignment)
        if glob.glob(os.path.join(folder, coursedir.notebook_id + ".ipynb")):
            students.append(student)
        else:
            skipped.append(student)
    return students, skipped


def _init_gradebook(app, assignment: str, students: Iterable[str]) -> None:
    """Create the gradebook (if new) and every student once, before any worker starts."""
    from nbgrader.api import Gradebook, MissingEntry

    coursedir = app.coursedir
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            raise SystemExit(f"No assignment with ID '{assignment}' exists in the database: "
                             "run `nbgrader generate_assignment` first") from None
        for student in students:
            gb.update_or_create_student(student)


class _Capture(logging.Handler):
    def __init__(self, formatter: logging.Formatter | None) -> None:
        super().__init__(logging.DEBUG)
        self.buffer = io.StringIO()
        if formatter is not None:
            self.setFormatter(formatter)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.buffer.write(self.format(record) + "\n")
        except Exception:  # pragma: no cover - never let logging kill a grade
            pass


def _grade_one(app, assignment: str, student: str, worker: int) -> GradeResult:
    """Autograde one student's submission in this process, as NbGraderAPI.autograde does."""
    from nbgrader.converters import Autograde, NbGraderException

    log = app.log
    stream_handlers = [h for h in log.handlers if type(h) is logging.StreamHandler]
    formatter = stream_handlers[0].formatter if stream_handlers else None
    capture = _Capture(formatter)
    capture.setLevel(stream_handlers[0].level if stream_handlers else logging.INFO)
    for handler in stream_handlers:
        log.removeHandler(handler)
    log.addHandler(capture)
    coursedir = app.coursedir
    coursedir.assignment_id = assignment
    coursedir.student_id = student
    start = time.perf_counter()
    ok, error = True, ""
    try:
        converter = Autograde(coursedir=coursedir, parent=app)
        converter.start()
    except NbGraderException as exc:
        ok, error = False, str(exc) or "nbgrader reported an error (see the log)"
    except Exception as exc:  # an unexpected failure: report it, keep grading the others
        ok, error = False, f"{type(exc).__name__}: {exc}"
        log.error("fastgrade: grading %s failed:\n%s", student, traceback.format_exc())
    finally:
        log.removeHandler(capture)
        for handler in stream_handlers:
            log.addHandler(handler)
        coursedir.student_id = "*"
    return GradeResult(assignment, student, ok, time.perf_counter() - start, capture.buffer.getvalue(), worker, error=error)


def _default_report(result: GradeResult, done: int, total: int) -> None:
    if result.log:
        sys.stderr.write(result.log)
    state = "skipped (no notebook)" if result.skipped else ("ok" if result.ok else "FAILED: " + result.error)
    sys.stderr.write(f"[fastgrade] {done}/{total} {result.assignment}/{result.student}: {state} "
                     f"({result.seconds:.1f} s, worker {result.worker})\n")
    sys.stderr.flush()


def autograde(assignment: str, students: Sequence[str] = (), *, course_root: str | Path = ".",
              jobs: int | None = None, nbgrader_args: Sequence[str] = (),
              report: Callable[[GradeResult, int, int], None] | None = _default_report,
              tuning: bool = True) -> list[GradeResult]:
    """Autograde every (or the given) student's submission of ``assignment`` on ``jobs`` cores.

    Parameters
    ----------
    assignment:
        The assignment id, as for ``nbgrader autograde``.
    students:
        Student ids or glob patterns; all submitted students if empty.
    course_root:
        The nbgrader course root (the folder holding ``nbgrader_config.py``).
    jobs:
        Worker processes; default: the number of usable cores.
    nbgrader_args:
        Further ``nbgrader autograde`` flags, e.g. ``["--force"]``.
    report:
        Called in the parent as ``report(result, done, total)`` after each student.

    Returns
    -------
    One :class:`GradeResult` per student, in student order.
    """
    course_root = Path(course_root).resolve()
    jobs = jobs or pool.default_jobs()
    with _cwd(course_root):
        if tuning:
            cache_engines()
            warm_imports()
        else:
            patch_sqlite_timeout()
        app = _make_app(assignment, list(nbgrader_args))
        grade, skipped = _submitted_students(app, assignment, list(students))
        for student in skipped:
            app.log.warning("No notebooks were matched for student %s in %s: skipped", student, assignment)
        results: list[GradeResult] = [GradeResult(assignment, s, True, skipped=True) for s in skipped]
        total = len(grade) + len(skipped)
        for i, result in enumerate(results, start=1):
            if report:
                report(result, i, total)
        if grade:
            _init_gradebook(app, assignment, grade)
            offset = len(results)
            results += pool.run(
                grade, lambda student, worker: _grade_one(app, assignment, student, worker), jobs,
                on_result=lambda done, result: report and report(result, offset + done, total),
                on_lost=lambda student, why: GradeResult(assignment, student, False, error=why),
                after_fork=after_fork if tuning else None)
    return sorted(results, key=lambda r: r.student)
