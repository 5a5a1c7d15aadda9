"""Manual grading from the command line: ``koreathaw-grade grade-manual ASSIGNMENT STUDENT CELL SCORE``.

What the Formgrader does when the instructor types a score and a comment: the grade's
``manual_score`` is set and it no longer needs manual grading, so the report and the
export show it as final.
"""

from __future__ import annotations

from koreathaw_grading.course import Course


def grade_manual(course: Course, assignment: str, student: str, cell: str, score: float,
                 comment: str | None = None, notebook: str | None = None) -> str:
    """Set one answer's manual score (and comment); return a line saying what was set."""
    from nbgrader.api import MissingEntry

    names = course.notebook_names(assignment)
    notebook = notebook or (names[0] if len(names) == 1 else None)
    if notebook is None:
        raise ValueError(f"{assignment} has several notebooks ({', '.join(names)}): name one with --notebook")
    with course.gradebook() as gb:
        try:
            grade = gb.find_grade(cell, notebook, assignment, student)
        except MissingEntry:
            raise ValueError(f"no graded cell {cell!r} in {student}'s {assignment}/{notebook}: "
                             "is it autograded yet, and is the cell's name right?") from None
        top = float(grade.max_score)
        if not 0 <= score <= top:
            raise ValueError(f"{score:g} is not a score of {cell}: it is worth 0 to {top:g}")
        grade.manual_score = score
        grade.needs_manual_grade = False
        if comment is not None:
            gb.find_comment(cell, notebook, assignment, student).manual_comment = comment
        gb.db.commit()
    return f"{student} {assignment} {cell}: {score:g}/{top:g}" + (" (comment saved)" if comment else "")
