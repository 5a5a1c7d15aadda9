"""fastgrade: nbgrader's autograde on every core, with one long-lived grader per core.

``nbgrader autograde ASSIGNMENT`` grades the submissions one after the other in
one process; running it once per student (``--student``) in parallel pays a new
Python + nbgrader start (about 2 s on the course machine) for every student, and
several runs on a fresh gradebook race to create its tables. This package does
the same work on every core, with one long-lived grader process per core:

* the parent loads the course config and nbgrader once, initialises the
  gradebook once (the roster, and every student who handed something in)
  *before* any worker starts, then forks the workers, which inherit it all;
* each worker takes students one at a time from a shared queue and grades them
  in-process with exactly the serial code: the course driver's
  ``Course.grade_one`` (:mod:`fastgrade.course`, the instructor's path) or
  nbgrader's own ``Autograde`` converter (:mod:`fastgrade.plain`, for a bare
  nbgrader course) -- one fresh kernel per notebook, as before;
* SQLite writers wait for each other (a busy timeout) instead of failing with
  "database is locked" (:mod:`fastgrade.gradebook`).

Command line (see :mod:`fastgrade.__main__`), from the repository root::

    PYTHONPATH=tools python -m fastgrade --course assignments autograde [ASSIGNMENT] [--students a,b]

The equivalence with the stock serial ``nbgrader autograde`` is proven by
``tests/assignments/test_fastgrade_equivalence.py``.
"""

from fastgrade.pool import default_jobs

__all__ = ["default_jobs"]
