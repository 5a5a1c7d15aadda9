"""The nbgrader course root with the course's configuration: paths, gradebook, roster, release.

One :class:`Course` is one course root (``assignments/``, the folder holding
``nbgrader_config.py``). The other modules of the package take a course and do
one step of the workflow with it (:mod:`.collect`, :mod:`.grade`,
:mod:`.feedback`, :mod:`.report`, :mod:`.export`).
"""

from __future__ import annotations

import csv
import warnings
from pathlib import Path
from typing import Any, Callable

from koreathaw_grading import ids

try:  # nbgrader's own autograde trips SQLAlchemy warnings that mean nothing to an instructor
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)
except ImportError:  # pragma: no cover - SQLAlchemy comes with nbgrader
    pass

#: Columns of the roster CSV that go into the gradebook's student records.
ROSTER_FIELDS = ("first_name", "last_name", "email", "lms_user_id")


class Course:
    """An nbgrader course root with the course's config, and the plumbing every step needs."""

    def __init__(self, root: str | Path, roster: str | Path | None = None,
                 echo: Callable[[str], None] | None = None) -> None:
        self.root = Path(root).resolve()
        if not (self.root / "nbgrader_config.py").is_file():
            raise FileNotFoundError(f"{self.root} has no nbgrader_config.py: is it the course root (assignments/)?")
        self.roster_path = Path(roster) if roster else self.root / "students.csv"
        self.echo = echo or (lambda text: print(text, flush=True))
        self._api = None
        self._config = None
        self._cache: dict[Any, Any] = {}

    # ------------------------------------------------------------------ nbgrader
    @property
    def config(self):
        """The course's nbgrader configuration (``nbgrader_config.py``), loaded once."""
        if self._config is None:
            from traitlets.config.loader import PyFileConfigLoader

            self._config = PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config()
        return self._config

    @property
    def api(self):
        """nbgrader's ``NbGraderAPI`` on this course, made once."""
        if self._api is None:
            from nbgrader.apps import NbGraderAPI
            from nbgrader.coursedir import CourseDirectory

            coursedir = CourseDirectory(config=self.config)
            coursedir.root = str(self.root)
            self._api = NbGraderAPI(coursedir=coursedir, config=self.config)
        return self._api

    @property
    def db_url(self) -> str:
        """The gradebook's database URL (the config's, an SQLite file in the course root by default)."""
        return self.api.coursedir.db_url

    def gradebook(self):
        """A new nbgrader ``Gradebook`` on the course's database (use it in a ``with`` block)."""
        from nbgrader.api import Gradebook

        return Gradebook(self.db_url, self.api.coursedir.course_id)

    def has_gradebook(self) -> bool:
        """True once the gradebook exists (an SQLite file that is there, or any other database)."""
        url = self.db_url
        if not url.startswith("sqlite:///"):
            return True
        return Path(url[len("sqlite:///"):].split("?", 1)[0]).exists()

    def check(self, outcome: dict[str, Any], what: str) -> None:
        """Raise a RuntimeError with nbgrader's log when an ``NbGraderAPI`` call failed."""
        if not outcome.get("success"):
            raise RuntimeError(f"{what} failed:\n{outcome.get('log', '')}\n{outcome.get('error', '')}")

    # ------------------------------------------------------------------ what the course holds
    def assignments(self) -> list[str]:
        """The assignments of the course: the folders of ``source/`` holding a notebook."""
        return sorted(p.parent.name for p in (self.root / "source").glob("*/*.ipynb"))

    def released(self) -> list[str]:
        """The assignments that are in the gradebook (released at least once)."""
        if not self.has_gradebook():
            return []
        with self.gradebook() as gb:
            return sorted(a.name for a in gb.assignments)

    def notebook_names(self, assignment: str) -> list[str]:
        """The notebooks of a released assignment, as the gradebook knows them."""
        key = ("notebooks", assignment)
        if key not in self._cache:
            with self.gradebook() as gb:
                self._cache[key] = sorted(nb.name for nb in gb.find_assignment(assignment).notebooks)
        return self._cache[key]

    def source_cells(self, assignment: str, notebook: str) -> list[dict[str, Any]]:
        """The nbgrader cells of a released notebook, as the gradebook holds them (read once)."""
        key = ("cells", assignment, notebook)
        if key not in self._cache:
            with self.gradebook() as gb:
                nb = gb.find_notebook(notebook, assignment)
                graded = {c.name for c in nb.grade_cells}
                self._cache[key] = [{"grade_id": c.name, "checksum": c.checksum, "locked": c.locked,
                                     "cell_type": c.cell_type, "source": c.source, "graded": c.name in graded}
                                    for c in nb.source_cells]
        return self._cache[key]

    def roster(self) -> list[dict[str, str]]:
        """The students of the roster CSV (column ``id``; optional names, email, ``lms_user_id``).

        Ids follow :mod:`koreathaw_grading.ids`: a row whose id breaks the rule is an error
        naming the file and line, never a silent skip.
        """
        if not self.roster_path.is_file():
            return []
        with self.roster_path.open(encoding="utf-8-sig", newline="") as handle:
            rows = [{(k or "").strip(): (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(handle)]
        if rows and "id" not in rows[0]:
            raise ValueError(f"{self.roster_path}: the roster needs a column named 'id'")
        return ids.check_roster(rows, self.roster_path)

    def students(self) -> list[str]:
        """Every student the course knows of: roster, gradebook and folders of ``submitted/``.

        Only valid ids (:mod:`koreathaw_grading.ids`): a folder or gradebook entry with any
        other name is listed by :meth:`unusable_ids` instead, never graded or used in a path.
        """
        return sorted(name for name in self._all_ids() if ids.problem(name) is None)

    def unusable_ids(self) -> dict[str, str]:
        """Names in ``submitted/`` or the gradebook that are not usable student ids, with the reason."""
        return {name: ids.problem(name) for name in sorted(self._all_ids()) if ids.problem(name)}

    def _all_ids(self) -> set[str]:
        found = {r["id"] for r in self.roster()}
        if self.has_gradebook():
            with self.gradebook() as gb:
                found.update(s.id for s in gb.students)
        submitted = self.root / "submitted"
        if submitted.is_dir():
            found.update(p.name for p in submitted.iterdir() if p.is_dir() and not p.is_symlink())
        return found

    # ------------------------------------------------------------------ release and roster
    def release(self, assignment: str | None = None) -> list[Path]:
        """Generate the student version of one assignment, or of all of them."""
        done = []
        for name in [assignment] if assignment else self.assignments():
            self.echo(f"release {name}")
            self.check(self.api.generate_assignment(name, force=True, create=True), f"release of {name}")
            done.append(self.root / "release" / name / f"{name}.ipynb")
        self._cache.clear()
        return done

    def init(self) -> None:
        """Create the gradebook's students from the roster (once, before parallel graders start)."""
        with self.gradebook() as gb:
            for row in self.roster():
                extra = {k: row[k] for k in ROSTER_FIELDS if row.get(k)}
                gb.update_or_create_student(row["id"], **extra)
