"""The instructor's report of one assignment: who needs attention and why, then everyone.

Written to ``reports/<assignment>.md`` from the per-student reports
(:mod:`koreathaw_grading.results`) after every grading run.
"""

from __future__ import annotations

from pathlib import Path

from koreathaw_grading import results
from koreathaw_grading.course import Course
from koreathaw_grading.results import NOT_SUBMITTED, Result


def report(course: Course, assignment: str) -> Path:
    """Write ``reports/<assignment>.md``: who needs the instructor, and why; then everyone."""
    found = results.load_all(course.root, assignment)
    for student in course.students():
        if student not in found:
            found[student] = Result(student, assignment, status=NOT_SUBMITTED)
    attention = [r for r in found.values() if r.needs_attention]
    lines = [f"# Grading report: {assignment}", "",
             f"{len(found)} students, {len(attention)} need attention.", "",
             "## Needs attention", ""]
    lines += [f"- **{r.student}**: {r.status}, {r.score:g}/{r.max_score:g}"
              + (f"; flags: {'; '.join(r.flags)}" if r.flags else "")
              + "".join(f"\n  - {d}" for d in r.details) for r in attention] or ["Nobody."]
    lines += ["", "## Everyone", "", "| student | status | score | flags |", "| --- | --- | --- | --- |"]
    lines += [f"| {r.student} | {r.status} | {r.score:g}/{r.max_score:g} | {'; '.join(r.flags)} |"
              for r in sorted(found.values(), key=lambda r: r.student)]
    path = course.root / "reports" / f"{assignment}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
