"""The instructor's grading driver: nbgrader, plus a report of everything that needs a human.

One :class:`Course` is one nbgrader course root (``assignments/``) with its
config. Its methods are the steps of the workflow; ``python -m grading`` and
``tools/grading.mk`` call them:

``release``    generate the student version of one or all assignments;
``init``       create the gradebook's students from the roster (once, before shards);
``collect``    copy a folder of submissions (e.g. an LMS download) into ``submitted/``;
``autograde``  grade every student of the roster (or a shard of them), one at a time,
               in this one process, printing ``[i/n] student ...`` as it goes, and write a
               report per student to ``reports/<assignment>/<student>.json``;
``report``     gather those reports into ``reports/<assignment>.md``;
``feedback``   generate feedback HTML and prove it shows no hidden test;
``export``     write ``reports/grades.csv``: one row per student and assignment, with a
               status and flags column, including students who handed in nothing.

Nothing a student hands in can make a student disappear from the export: a
missing, empty, unreadable or misnamed submission is graded zero (or graded
under its right name) and flagged, never skipped.
"""

from __future__ import annotations

import csv
import json
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import warnings

import nbformat

try:  # nbgrader's own autograde trips SQLAlchemy warnings that mean nothing to an instructor
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)
except ImportError:  # pragma: no cover
    pass

from grading.manifest import cell_problems, nbgrader_cells

#: Files in a submission folder that are not the student's work.
IGNORED = {".DS_Store", "timestamp.txt", "Thumbs.db"}
IGNORED_DIRS = {".ipynb_checkpoints", "__MACOSX", "__pycache__", "feedback"}

#: Outputs that mean a cell did not finish, and the flag they raise.
ERROR_FLAGS = {
    "CellTimeoutError": "timeout",
    "DeadKernelError": "kernel_died",
    "KernelUnresponsive": "kernel_unresponsive",
    "KernelDiedEarlier": "not_run_after_kernel_death",
    "MemoryError": "memory_error",
}

#: Statuses of a submission (the ``status`` column of the export).
GRADED = "graded"
NOT_SUBMITTED = "not_submitted"
EMPTY = "empty_submission"
NO_NOTEBOOK = "no_notebook"
UNREADABLE = "unreadable_notebook"
GRADING_ERROR = "grading_error"

#: Flags that are information, not a problem.
INFO_FLAGS = ("manual_grading_pending",)
#: MathJax for the feedback pages, copied to ``feedback/_mathjax`` (tools/formgrader/README.md).
MATHJAX = Path(__file__).resolve().parents[1] / "formgrader" / "static" / "koreathaw-mathjax"


@dataclass
class Result:
    """What happened to one student's submission of one assignment."""

    student: str
    assignment: str
    status: str = GRADED
    score: float = 0.0
    max_score: float = 0.0
    flags: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def needs_attention(self) -> bool:
        """True when the instructor should look at this submission."""
        return self.status != GRADED or any(not f.startswith(INFO_FLAGS) for f in self.flags)

    def line(self) -> str:
        flags = ("  " + "; ".join(self.flags)) if self.flags else ""
        return f"{self.student} {self.assignment}: {self.status} {self.score:g}/{self.max_score:g}{flags}"


def _files(folder: Path) -> list[Path]:
    """The student's files in a submission folder (no checkpoints, no OS litter)."""
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part in IGNORED_DIRS for part in rel.parts[:-1]) or rel.parts[0] in IGNORED_DIRS:
            continue
        if path.is_file() and path.name not in IGNORED:
            found.append(path)
    return found


def read_notebook(path: Path) -> tuple[Any | None, str]:
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


class Course:
    """An nbgrader course root with the course's config, and the grading workflow on it."""

    def __init__(self, root: str | Path, roster: str | Path | None = None,
                 echo: Callable[[str], None] | None = None) -> None:
        self.root = Path(root).resolve()
        if not (self.root / "nbgrader_config.py").is_file():
            raise FileNotFoundError(f"{self.root} has no nbgrader_config.py: is it the course root (assignments/)?")
        self.roster_path = Path(roster) if roster else self.root / "students.csv"
        self.echo = echo or (lambda text: print(text, flush=True))
        self._api = None
        self._config = None

    # ------------------------------------------------------------------ plumbing
    @property
    def config(self):
        if self._config is None:
            from traitlets.config.loader import PyFileConfigLoader

            self._config = PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config()
        return self._config

    @property
    def api(self):
        if self._api is None:
            from nbgrader.apps import NbGraderAPI
            from nbgrader.coursedir import CourseDirectory

            coursedir = CourseDirectory(config=self.config)
            coursedir.root = str(self.root)
            self._api = NbGraderAPI(coursedir=coursedir, config=self.config)
        return self._api

    def gradebook(self):
        from nbgrader.api import Gradebook

        return Gradebook(self.api.coursedir.db_url, self.api.coursedir.course_id)

    def assignments(self) -> list[str]:
        """The assignments of the course: the folders of ``source/`` holding a notebook."""
        return sorted(p.parent.name for p in (self.root / "source").glob("*/*.ipynb"))

    def released(self) -> list[str]:
        """The assignments that are in the gradebook (released at least once)."""
        if not (self.root / "gradebook.db").exists():
            return []
        with self.gradebook() as gb:
            return sorted(a.name for a in gb.assignments)

    def roster(self) -> list[dict[str, str]]:
        """The students of the roster CSV (column ``id``; optional first_name, last_name, email)."""
        if not self.roster_path.is_file():
            return []
        with self.roster_path.open(encoding="utf-8-sig", newline="") as handle:
            rows = [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(handle)]
        if rows and "id" not in rows[0]:
            raise ValueError(f"{self.roster_path}: the roster needs a column named 'id'")
        return [r for r in rows if r.get("id")]

    def students(self) -> list[str]:
        """Every student the course knows of: roster, gradebook and submitted folders."""
        ids = {r["id"] for r in self.roster()}
        if (self.root / "gradebook.db").exists():
            with self.gradebook() as gb:
                ids.update(s.id for s in gb.students)
        submitted = self.root / "submitted"
        if submitted.is_dir():
            ids.update(p.name for p in submitted.iterdir() if p.is_dir() and not p.name.startswith("."))
        return sorted(ids)

    def _check(self, result: dict[str, Any], what: str) -> None:
        if not result.get("success"):
            raise RuntimeError(f"{what} failed:\n{result.get('log', '')}\n{result.get('error', '')}")

    # ------------------------------------------------------------------ release
    def release(self, assignment: str | None = None) -> list[Path]:
        """Generate the student version of one assignment, or of all of them."""
        done = []
        for name in [assignment] if assignment else self.assignments():
            self.echo(f"release {name}")
            self._check(self.api.generate_assignment(name, force=True, create=True), f"release of {name}")
            done.append(self.root / "release" / name / f"{name}.ipynb")
        return done

    def init(self) -> None:
        """Create the gradebook's students from the roster (run once, before parallel shards)."""
        with self.gradebook() as gb:
            for row in self.roster():
                extra = {k: row[k] for k in ("first_name", "last_name", "email", "lms_user_id") if row.get(k)}
                gb.update_or_create_student(row["id"], **extra)

    # ------------------------------------------------------------------ collect
    def collect(self, submissions: str | Path, assignment: str | None = None) -> list[tuple[str, str]]:
        """Copy ``submissions`` into ``submitted/``; return the (student, assignment) pairs copied.

        Layouts: ``<dir>/<student>/<assignment>/...`` (nbgrader's), or, with
        ``assignment`` given, ``<dir>/<student>/...`` (one folder per student, as
        an LMS download unpacks). A student's earlier copy is replaced.
        """
        source = Path(submissions)
        if not source.is_dir():
            raise FileNotFoundError(f"no folder {source}")
        known = sorted(self.assignments())
        if assignment is not None and assignment not in known:
            raise ValueError(f"unknown assignment {assignment!r}; the course has: {', '.join(known)}")
        hint = (f"with one folder per student holding the notebooks directly (as an LMS download unpacks), "
                f"name the assignment: make collect SUBMISSIONS={source} ASSIGNMENT=<one of {', '.join(known)}>")
        copied, skipped = [], []
        students = sorted(p for p in source.iterdir() if p.is_dir() and p.name not in IGNORED_DIRS)
        if not students:
            raise ValueError(f"{source} holds no student folders: expected <student>/<assignment>/... or, "
                             "with ASSIGNMENT=, one folder per student")
        for student_dir in students:
            inner = [p for p in student_dir.iterdir() if p.is_dir() and p.name in known]
            pairs = [(p, p.name) for p in inner if assignment in (None, p.name)]
            if not inner and assignment:
                pairs = [(student_dir, assignment)]
            if not pairs:
                skipped.append(student_dir.name)
            for folder, name in pairs:
                dest = self.root / "submitted" / student_dir.name / name
                if dest.exists():
                    shutil.rmtree(dest)
                shutil.copytree(folder, dest, ignore=shutil.ignore_patterns(*IGNORED_DIRS))
                copied.append((student_dir.name, name))
        if not copied:
            where = f"none of the {len(students)} student folders in {source}"
            if assignment:
                raise ValueError(f"{where} holds {assignment!r}: each holds folders of other assignments only")
            raise ValueError(f"{where} holds an assignment folder ({', '.join(known)}); {hint}")
        for name in skipped:
            self.echo(f"warning: skipped {source / name}: no folder of "
                      f"{assignment or 'any assignment'} inside ({hint})")
        self.echo(f"collected {len(copied)} submission(s) into {self.root / 'submitted'}")
        return copied

    # ------------------------------------------------------------------ autograde
    def _notebook_names(self, assignment: str) -> list[str]:
        cache = self.__dict__.setdefault("_names_cache", {})
        if assignment not in cache:
            with self.gradebook() as gb:
                cache[assignment] = sorted(nb.name for nb in gb.find_assignment(assignment).notebooks)
        return cache[assignment]

    def _prepare(self, assignment: str, student: str, notebook: str, res: Result) -> Any | None:
        """Look at a submission before nbgrader does; return the notebook to grade or None."""
        folder = self.root / "submitted" / student / assignment
        expected = folder / f"{notebook}.ipynb"
        if not folder.is_dir():
            res.status = NOT_SUBMITTED
            return None
        files = _files(folder)
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
        wanted = {c["grade_id"] for c in self._source_cells(assignment, notebook)}
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
            res.details.append("no notebook in the submission; files: " + ", ".join(str(f.relative_to(folder)) for f in files[:10]))
        return None

    def _source_cells(self, assignment: str, notebook: str) -> list[dict[str, Any]]:
        key = (assignment, notebook)
        cache = self.__dict__.setdefault("_cells_cache", {})
        if key not in cache:
            cache[key] = self._read_source_cells(assignment, notebook)
        return cache[key]

    def _read_source_cells(self, assignment: str, notebook: str) -> list[dict[str, Any]]:
        with self.gradebook() as gb:
            nb = gb.find_notebook(notebook, assignment)
            cells = [{"grade_id": c.name, "checksum": c.checksum, "locked": c.locked, "cell_type": c.cell_type,
                      "source": c.source} for c in nb.source_cells]
        return cells

    def _inspect_cells(self, assignment: str, notebook: str, nb: Any, res: Result) -> None:
        """Flag deleted, duplicated, edited read-only and retyped graded cells of a submission."""
        from nbgrader import utils

        source = {c["grade_id"]: c for c in self._source_cells(assignment, notebook)}
        expected = [{"grade_id": g} for g in source]
        problems = cell_problems(nb, expected)
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

    def _zero(self, assignment: str, student: str, remove_autograded: bool = True) -> None:
        """Record a submission that scores zero everywhere (nothing gradable was handed in)."""
        with self.gradebook() as gb:
            gb.update_or_create_student(student)
            submission = gb.update_or_create_submission(assignment, student)
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    grade.auto_score = 0
                    grade.manual_score = None
                    grade.needs_manual_grade = False
            gb.db.commit()
        stale = self.root / "autograded" / student / assignment
        if remove_autograded and stale.exists():
            shutil.rmtree(stale)

    def _earlier_grade(self, assignment: str, student: str, res: Result) -> None:
        """Nothing in submitted/, but a grade in the gradebook: keep the grade and say so.

        The folder of an earlier, graded submission has gone (a new LMS download
        without it, a folder deleted by hand). The gradebook still holds that grade
        and the export shows it; the row must not look like an ordinary
        ``not_submitted``, nor may the grade vanish unnoticed.
        """
        from nbgrader.api import MissingEntry

        with self.gradebook() as gb:
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

    def _after(self, assignment: str, student: str, notebook: str, res: Result) -> None:
        """Read the autograded notebook and the gradebook; flag what went wrong while running."""
        graded = self.root / "autograded" / student / assignment / f"{notebook}.ipynb"
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
                if flag and grade_id not in hits.setdefault(flag, []):
                    hits[flag].append(grade_id)
        for flag in ERROR_FLAGS.values():
            if hits.get(flag):
                res.flags.append(f"{flag}:" + ",".join(hits[flag]))

    def _scores(self, assignment: str, student: str, res: Result) -> None:
        from nbgrader.api import MissingEntry

        with self.gradebook() as gb:
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
                    if grade.cell.cell_type == "markdown" or _is_manual(gb, grade):
                        pending_manual.append(grade.name)
                    else:
                        stuck.append(grade.name)
            if stuck:
                res.flags.append("autograded_cell_needs_manual_grade:" + ",".join(stuck))
            if pending_manual:
                res.flags.append("manual_grading_pending:" + ",".join(pending_manual))

    def grade_one(self, assignment: str, student: str) -> Result:
        """Grade one student's submission of one assignment; never raises for a bad submission."""
        start = time.perf_counter()
        res = Result(student, assignment)
        notebooks = self._notebook_names(assignment)
        gradable = {}
        for notebook in notebooks:
            nb = self._prepare(assignment, student, notebook, res)
            if nb is None:
                break
            gradable[notebook] = nb
            self._inspect_cells(assignment, notebook, nb, res)
        if res.status == NOT_SUBMITTED:
            self._earlier_grade(assignment, student, res)
        elif res.status != GRADED:
            self._zero(assignment, student)
        else:
            outcome = self.api.autograde(assignment, student, force=True, create=True)
            if not outcome.get("success"):
                res.status = GRADING_ERROR
                res.details.append("nbgrader failed: " + _failure(outcome))
                self._zero(assignment, student)
            else:
                for notebook in notebooks:
                    self._after(assignment, student, notebook, res)
                if res.status == GRADING_ERROR:
                    self._zero(assignment, student, remove_autograded=False)
        self._scores(assignment, student, res)
        res.seconds = round(time.perf_counter() - start, 2)
        self._save(res)
        return res

    def _save(self, res: Result) -> None:
        path = self.root / "reports" / res.assignment / f"{res.student}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = asdict(res)
        data["needs_attention"] = res.needs_attention
        path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")

    def autograde(self, assignment: str, students: Iterable[str] | None = None) -> list[Result]:
        """Grade ``students`` (default: everyone the course knows of), one after another.

        Prints one progress line per student as soon as it is graded. Every
        student gets a report, whatever was handed in.
        """
        todo = sorted(students) if students is not None else self.students()
        results = []
        for i, student in enumerate(todo, start=1):
            try:
                res = self.grade_one(assignment, student)
            except Exception as exc:  # a problem of ours, not the student's: report it and go on
                res = Result(student, assignment, status=GRADING_ERROR,
                             details=[f"the grading driver failed: {type(exc).__name__}: {exc}"])
                try:
                    self._save(res)
                except Exception:
                    pass
            results.append(res)
            mark = "!!" if res.needs_attention else "ok"
            self.echo(f"[{i}/{len(todo)}] {mark} {res.line()} ({res.seconds:.1f}s)")
        return results

    # ------------------------------------------------------------------ report
    def results(self, assignment: str) -> dict[str, Result]:
        """The saved per-student reports of one assignment."""
        found = {}
        for path in sorted((self.root / "reports" / assignment).glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            data.pop("needs_attention", None)
            found[data["student"]] = Result(**data)
        return found

    def report(self, assignment: str) -> Path:
        """Write ``reports/<assignment>.md``: who needs the instructor, and why; then everyone."""
        results = self.results(assignment)
        for student in self.students():
            if student not in results:
                results[student] = Result(student, assignment, status=NOT_SUBMITTED)
        attention = [r for r in results.values() if r.needs_attention]
        lines = [f"# Grading report: {assignment}", "",
                 f"{len(results)} students, {len(attention)} need attention.", "",
                 "## Needs attention", ""]
        lines += [f"- **{r.student}**: {r.status}, {r.score:g}/{r.max_score:g}"
                  + (f"; flags: {'; '.join(r.flags)}" if r.flags else "")
                  + "".join(f"\n  - {d}" for d in r.details) for r in attention] or ["Nobody."]
        lines += ["", "## Everyone", "", "| student | status | score | flags |", "| --- | --- | --- | --- |"]
        lines += [f"| {r.student} | {r.status} | {r.score:g}/{r.max_score:g} | {'; '.join(r.flags)} |"
                  for r in sorted(results.values(), key=lambda r: r.student)]
        path = self.root / "reports" / f"{assignment}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    # ------------------------------------------------------------------ feedback
    def hidden_lines(self, assignment: str) -> list[str]:
        """Every non-blank line inside a hidden-test region of the assignment's source."""
        lines = []
        for path in (self.root / "source" / assignment).glob("*.ipynb"):
            nb = nbformat.read(str(path), as_version=4)
            for cell in nb.cells:
                inside = False
                for line in cell.source.splitlines():
                    if "BEGIN HIDDEN TESTS" in line:
                        inside = True
                    elif "END HIDDEN TESTS" in line:
                        inside = False
                    elif inside and line.strip():
                        lines.append(line.strip())
        return lines

    def feedback_leaks(self, assignment: str) -> dict[str, list[str]]:
        """Return, per feedback file, the hidden-test lines it shows (it should show none)."""
        hidden = [" ".join(line.split()) for line in self.hidden_lines(assignment)]
        leaks = {}
        for page in sorted((self.root / "feedback").glob(f"*/{assignment}/*.html")):
            text = page_text(page.read_text(encoding="utf-8"))
            found = [line for line in hidden if line in text]
            if found:
                leaks[str(page.relative_to(self.root))] = found
        return leaks

    def feedback(self, assignment: str) -> list[Path]:
        """Generate feedback for every autograded student; refuse to keep any page that leaks a hidden test."""
        self._check(self.api.generate_feedback(assignment, force=True), f"feedback for {assignment}")
        leaks = self.feedback_leaks(assignment)
        for page in leaks:
            (self.root / page).unlink()
        if leaks:
            raise RuntimeError(f"feedback would show hidden tests, pages removed: {sorted(leaks)}")
        pages = sorted((self.root / "feedback").glob(f"*/{assignment}/*.html"))
        if pages and MATHJAX.is_dir():  # the pages load MathJax from feedback/_mathjax (see tools/formgrader)
            shutil.copytree(MATHJAX, self.root / "feedback" / "_mathjax", dirs_exist_ok=True)
        self.echo(f"feedback for {assignment}: {len(pages)} page(s), no hidden test shown")
        return pages

    # ------------------------------------------------------------------ export
    def export(self, path: str | Path | None = None, assignments: Iterable[str] | None = None) -> Path:
        """Write the grades CSV: one row per student and released assignment, whatever was handed in."""
        from nbgrader.api import MissingEntry

        out = Path(path) if path else self.root / "reports" / "grades.csv"
        names = list(assignments) if assignments else (self.released() or self.assignments())
        roster = {r["id"]: r for r in self.roster()}
        rows = []
        with self.gradebook() as gb:
            released = {a.name: a for a in gb.assignments}
            for name in names:
                saved = self.results(name)
                max_score = float(released[name].max_score) if name in released else 0.0
                for student in self.students():
                    res = saved.get(student)
                    try:
                        sub = gb.find_submission(name, student) if name in released else None
                    except MissingEntry:
                        sub = None
                    pending = []
                    if sub is not None:
                        score, timestamp = float(sub.score), sub.timestamp
                        pending = [g.name for nb in sub.notebooks for g in nb.grades
                                   if g.needs_manual_grade and _is_manual(gb, g)]
                    else:
                        score, timestamp = 0.0, None
                    details = "; ".join(res.details) if res is not None else ""
                    if res is None:
                        status = NOT_SUBMITTED if sub is None else "not_checked"
                        flags = [] if sub is None else ["graded outside the course driver: run make autograde"]
                    else:  # manual grading may have happened since autograde: ask the gradebook
                        status, flags = res.status, [f for f in res.flags if not f.startswith(INFO_FLAGS)]
                        if pending:
                            flags.append("manual_grading_pending:" + ",".join(pending))
                    if roster and student not in roster:
                        flags.append("not_on_roster")
                    attention = status != GRADED or any(not f.startswith(INFO_FLAGS) for f in flags)
                    rows.append({
                        "assignment": name, "student_id": student,
                        "last_name": roster.get(student, {}).get("last_name", ""),
                        "first_name": roster.get(student, {}).get("first_name", ""),
                        "score": f"{score:g}", "max_score": f"{max_score:g}",
                        "status": status, "needs_attention": "yes" if attention else "no",
                        "flags": "; ".join(flags), "timestamp": timestamp.isoformat() if timestamp else "",
                        "details": details,
                    })
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["assignment", "student_id"])
            writer.writeheader()
            writer.writerows(rows)
        self.echo(f"exported {len(rows)} rows to {out}")
        return out


def page_text(raw_html: str) -> str:
    """The text of an HTML page as a reader sees it: no tags (syntax highlighting splits
    code into many spans), entities decoded, runs of white space made one space."""
    import html
    import re

    text = re.sub(r"<(script|style)\b.*?</\1>", " ", raw_html, flags=re.S | re.I)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return " ".join(text.split())


def _failure(outcome: dict[str, Any]) -> str:
    """The most telling line of a failed nbgrader run: the last exception line of its log."""
    import re

    text = (outcome.get("log") or "") + "\n" + (outcome.get("error") or "")
    found = [line.strip() for line in text.splitlines()
             if re.match(r"\s*[\w.]*(Error|Exception|Interrupt)\b.*", line) and "NbGraderException" not in line]
    return found[-1][:300] if found else "no message (see nbgrader's log)"


def _released_checksums(cell: Any, src: dict[str, Any]) -> set[str]:
    """The checksums an unedited read-only cell may have: with hidden tests (source) or without (release)."""
    from copy import deepcopy

    from nbgrader import utils
    from nbgrader.preprocessors import ClearHiddenTests

    released = deepcopy(cell)
    released.source = src["source"]
    ClearHiddenTests(enforce_metadata=False)._remove_hidden_test_region(released)
    return {src["checksum"], utils.compute_checksum(released)}


def _is_manual(gb: Any, grade: Any) -> bool:
    """True for a grade cell that is also a solution cell (a manually graded answer)."""
    return grade.name in {c.name for c in grade.cell.notebook.solution_cells}
