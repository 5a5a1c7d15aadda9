"""Collect: a folder of submissions (an LMS download, nbgrader's layout) into ``submitted/``.

Layouts: ``<dir>/<student>/<assignment>/...`` (nbgrader's), or, with the
assignment named, ``<dir>/<student>/...`` (one folder per student, as an LMS
download unpacks). A student's earlier copy is replaced.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from koreathaw_grading.course import Course

#: Files in a submission folder that are not the student's work.
IGNORED = {".DS_Store", "timestamp.txt", "Thumbs.db"}
IGNORED_DIRS = {".ipynb_checkpoints", "__MACOSX", "__pycache__", "feedback"}


def student_files(folder: Path) -> list[Path]:
    """The student's files in a submission folder (no checkpoints, no OS litter)."""
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part in IGNORED_DIRS for part in rel.parts[:-1]) or rel.parts[0] in IGNORED_DIRS:
            continue
        if path.is_file() and path.name not in IGNORED:
            found.append(path)
    return found


def collect(course: Course, submissions: str | Path, assignment: str | None = None) -> list[tuple[str, str]]:
    """Copy ``submissions`` into ``submitted/``; return the (student, assignment) pairs copied."""
    source = Path(submissions)
    if not source.is_dir():
        raise FileNotFoundError(f"no folder {source}")
    known = sorted(course.assignments())
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
            dest = course.root / "submitted" / student_dir.name / name
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
        course.echo(f"warning: skipped {source / name}: no folder of "
                    f"{assignment or 'any assignment'} inside ({hint})")
    course.echo(f"collected {len(copied)} submission(s) into {course.root / 'submitted'}")
    return copied
