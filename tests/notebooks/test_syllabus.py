"""The syllabus's schedule, the lessons in notebooks/ and the assignments in assignments/source/ agree.

The schedule is the table ``| Week | Lesson | Assignment |`` in course/syllabus.md.
Every lesson file must be scheduled, in numeric order, and every scheduled lesson
must exist; every assignment folder must be scheduled, and every scheduled
assignment must exist.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SYLLABUS = REPO / "course" / "syllabus.md"
LESSON = re.compile(r"\b(\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*)\b")
ASSIGNMENT = re.compile(r"\b(a\d+-[a-z0-9]+(?:-[a-z0-9]+)*)\b")


def schedule(text: str) -> list[tuple[int, list[str], list[str]]]:
    """Return (week, lessons, assignments) for each row of the schedule table."""
    lines = text.splitlines()
    header = next((i for i, line in enumerate(lines)
                   if re.match(r"^\|\s*Week\s*\|\s*Lesson\s*\|\s*Assignment\s*\|\s*$", line)), None)
    if header is None:
        raise ValueError("no '| Week | Lesson | Assignment |' table in the syllabus")
    rows = []
    for line in lines[header + 2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3:
            raise ValueError(f"schedule row does not have three cells: {line!r}")
        week, lessons, assignments = cells
        lesson_names = [m for m in LESSON.findall(re.sub(r"\]\([^)]*\)", "]", lessons))]
        rows.append((int(week), lesson_names, ASSIGNMENT.findall(assignments)))
    return rows


def scheduled_lessons(rows):
    return [name for _, lessons, _ in rows for name in lessons]


def scheduled_assignments(rows):
    return [name for _, _, assignments in rows for name in assignments]


def lesson_files(root: Path = REPO) -> list[str]:
    return sorted(p.stem for p in (root / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def assignment_folders(root: Path = REPO) -> list[str]:
    source = root / "assignments" / "source"
    return sorted(p.name for p in source.iterdir() if p.is_dir() and not p.name.startswith(".")) if source.is_dir() else []


def disagreements(rows, lessons: list[str], assignments: list[str]) -> list[str]:
    """Return every way the schedule and the folders disagree (empty when they agree)."""
    problems = []
    weeks = [week for week, _, _ in rows]
    if weeks != list(range(1, len(weeks) + 1)):
        problems.append(f"weeks are not 1, 2, 3 ...: {weeks}")
    planned = scheduled_lessons(rows)
    if len(set(planned)) != len(planned):
        problems.append(f"a lesson is scheduled twice: {planned}")
    if planned != sorted(planned, key=lambda n: int(n[:2])):
        problems.append(f"lessons are not scheduled in numeric order: {planned}")
    for name in lessons:
        if name not in planned:
            problems.append(f"notebooks/{name}.ipynb is not in the schedule")
    for name in planned:
        if name not in lessons:
            problems.append(f"scheduled lesson {name} has no notebooks/{name}.ipynb")
    given = scheduled_assignments(rows)
    if len(set(given)) != len(given):
        problems.append(f"an assignment is scheduled twice: {given}")
    if given != sorted(given, key=lambda n: int(re.match(r"a(\d+)", n).group(1))):
        problems.append(f"assignments are not scheduled in numeric order: {given}")
    for name in assignments:
        if name not in given:
            problems.append(f"assignments/source/{name} is not in the schedule")
    for name in given:
        if name not in assignments:
            problems.append(f"scheduled assignment {name} has no assignments/source/{name}/")
    return problems


@pytest.fixture(scope="module")
def rows():
    return schedule(SYLLABUS.read_text(encoding="utf-8"))


def test_syllabus_has_a_schedule(rows):
    """The syllabus has a Week | Lesson | Assignment table with lessons in it."""
    assert rows and scheduled_lessons(rows)


def test_schedule_agrees_with_notebooks_and_assignments(rows):
    """Every lesson and assignment is scheduled, in order, and everything scheduled exists."""
    assert disagreements(rows, lesson_files(), assignment_folders()) == []


def test_schedule_matches_the_course_plan(rows):
    """The weeks, lessons and assignments are those of the course plan."""
    assert rows == [
        (1, ["00-welcome", "01-sources"], []),
        (2, ["02-names-and-voices"], ["a1-sources"]),
        (3, ["03-timeline"], ["a2-timeline"]),
        (4, ["04-places"], ["a3-mapping"]),
        (5, ["05-coverage"], []),
        (6, ["06-thaw-to-freeze"], ["a4-synthesis"]),
    ]


def test_lesson_links_in_schedule_point_to_the_lessons():
    """Every notebook link in the syllabus names an existing lesson file."""
    text = SYLLABUS.read_text(encoding="utf-8")
    for target in re.findall(r"\]\((\.\./notebooks/[^)]+)\)", text):
        assert (SYLLABUS.parent / target).resolve().is_file(), target


@pytest.mark.parametrize("case, lessons, assignments, expected", [
    ("lesson missing from the schedule", ["00-welcome", "01-sources", "07-extra"], ["a1-x"], "07-extra.ipynb is not in the schedule"),
    ("scheduled lesson without a file", ["00-welcome"], ["a1-x"], "has no notebooks/01-sources.ipynb"),
    ("assignment not scheduled", ["00-welcome", "01-sources"], ["a1-x", "a2-y"], "assignments/source/a2-y is not in the schedule"),
    ("scheduled assignment missing", ["00-welcome", "01-sources"], [], "scheduled assignment a1-x has no"),
])
def test_disagreements_are_found(case, lessons, assignments, expected):
    """A mismatch between schedule and folders is reported (the check cannot pass vacuously)."""
    text = "| Week | Lesson | Assignment |\n| --- | --- | --- |\n| 1 | 00-welcome, 01-sources | — |\n| 2 | — | a1-x |\n"
    found = disagreements(schedule(text), lessons, assignments)
    assert any(expected in p for p in found), (case, found)


def test_out_of_order_schedule_is_found():
    """Lessons scheduled out of numeric order, or weeks skipped, are reported."""
    text = "| Week | Lesson | Assignment |\n| --- | --- | --- |\n| 1 | 01-sources | — |\n| 3 | 00-welcome | — |\n"
    found = disagreements(schedule(text), ["00-welcome", "01-sources"], [])
    assert any("numeric order" in p for p in found) and any("weeks" in p for p in found), found


def test_course_documents_link_to_existing_files():
    """Relative links in the syllabus and guides point to files that exist."""
    for name in ("syllabus.md", "student-guide.md", "instructor-guide.md", "README.md", "glossary.md"):
        doc = REPO / "course" / name
        if not doc.exists():
            pytest.fail(f"course/{name} is missing")
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", doc.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue
            assert (doc.parent / target).resolve().exists(), f"course/{name} links to missing {target}"
