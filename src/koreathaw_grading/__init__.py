"""koreathaw_grading: the instructor's side of the Korean Thaw course.

One package, one command (``koreathaw-grade``), a module per step of the
instructor's workflow, as Otter-Grader splits ``assign``/``run``/``grade``:

``course``     the nbgrader course root, its config, gradebook and roster;
``collect``    submissions (an LMS download, nbgrader's layout) into ``submitted/``;
``grade``      one submission, graded and checked, with a report of what needs a human;
``parallel``   the same on every core (one long-lived grader per core);
``sandbox``    where student code runs while it is graded: no network, no view of the
               course, limits kept by the OS kernel; tests judged outside it;
``feedback``, ``report``, ``export``   what the instructor and the students get back;
``edition``    the student edition of the course (no solution, no hidden test);
``validate``   the student's self-check (``make validate``);
``nbext``      the nbgrader extensions the course configuration plugs in.

``assignments/nbgrader_config.py`` imports this package like any other; the
student library ``koreathaw`` knows nothing of it.
"""

__all__ = ["MANIFEST_KEY", "__version__"]

__version__ = "0.2.0"

#: Notebook-level metadata key under which a released notebook lists its graded cells.
MANIFEST_KEY = "koreathaw_grading"
