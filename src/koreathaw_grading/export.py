"""The grades export: one row per student and released assignment, whatever was handed in.

Each row carries the gradebook's score (manual grades included, read at export
time), the status and flags of the last grading run, and whether the
instructor should look at it. A student of the roster who handed in nothing
has a row (``not_submitted``, 0); a grade whose folder has gone keeps its
score and says so.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterable

from koreathaw_grading import results
from koreathaw_grading.course import Course
from koreathaw_grading.grade import is_manual
from koreathaw_grading.results import GRADED, INFO_FLAGS, NOT_SUBMITTED

#: The flag the export recomputes from the gradebook (the instructor may have graded by hand since).
PENDING = "manual_grading_pending"


def rows(course: Course, assignments: Iterable[str] | None = None) -> list[dict[str, str]]:
    """The export's rows (see the module docstring), in assignment then student order."""
    from nbgrader.api import MissingEntry

    names = list(assignments) if assignments else (course.released() or course.assignments())
    roster = {r["id"]: r for r in course.roster()}
    out = []
    with course.gradebook() as gb:
        released = {a.name: a for a in gb.assignments}
        for name in names:
            saved = results.load_all(course.root, name)
            max_score = float(released[name].max_score) if name in released else 0.0
            for student in course.students():
                res = saved.get(student)
                try:
                    sub = gb.find_submission(name, student) if name in released else None
                except MissingEntry:
                    sub = None
                pending = []
                if sub is not None:
                    score, timestamp = float(sub.score), sub.timestamp
                    pending = [g.name for nb in sub.notebooks for g in nb.grades
                               if g.needs_manual_grade and is_manual(g)]
                else:
                    score, timestamp = 0.0, None
                details = "; ".join(res.details) if res is not None else ""
                if res is None:
                    status = NOT_SUBMITTED if sub is None else "not_checked"
                    flags = [] if sub is None else ["graded outside the course driver: run make autograde"]
                else:  # manual grading may have happened since autograde: ask the gradebook
                    status, flags = res.status, [f for f in res.flags if not f.startswith(PENDING)]
                    if pending:
                        flags.append(f"{PENDING}:" + ",".join(pending))
                if roster and student not in roster:
                    flags.append("not_on_roster")
                attention = status != GRADED or any(not f.startswith(INFO_FLAGS) for f in flags)
                out.append({
                    "assignment": name, "student_id": student,
                    "last_name": roster.get(student, {}).get("last_name", ""),
                    "first_name": roster.get(student, {}).get("first_name", ""),
                    "score": f"{score:g}", "max_score": f"{max_score:g}",
                    "status": status, "needs_attention": "yes" if attention else "no",
                    "flags": "; ".join(flags), "timestamp": timestamp.isoformat() if timestamp else "",
                    "details": details,
                })
    return out


def export(course: Course, path: str | Path | None = None, assignments: Iterable[str] | None = None) -> Path:
    """Write the grades CSV (default ``reports/grades.csv``); return its path."""
    out = Path(path) if path else course.root / "reports" / "grades.csv"
    table = rows(course, assignments)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(table[0]) if table else ["assignment", "student_id"])
        writer.writeheader()
        writer.writerows(table)
    course.echo(f"exported {len(table)} rows to {out}")
    return out
