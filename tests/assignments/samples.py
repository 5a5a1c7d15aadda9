"""Sample submissions for dry runs, benchmarks and tests of the grading path.

From an assignment's source (with solutions) and release (without), write
submissions of three kinds into ``submitted/<student>/<assignment>/``:

``model``    the release with every answer cell filled in from the model solution;
``blank``    the release exactly as students received it;
``partial``  the model solution with every second answer cell left as released
             (``raise NotImplementedError``), so some tests pass and some fail.

Usage (build a throw-away course copy with 20 students on each assignment)::

    python tests/assignments/samples.py /tmp/course 20
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterable, Sequence

import nbformat

KINDS = ("model", "blank", "partial")
_MARKER = re.compile(r"^\s*(###|===)\s*(BEGIN|END)\s+(SOLUTION|HIDDEN TESTS)\s*(###|===)?\s*$", re.IGNORECASE)
_SCHEME = re.compile(r"^\s*===\s*BEGIN MARK SCHEME\s*===.*?^\s*===\s*END MARK SCHEME\s*===\s*$\n?", re.M | re.S | re.I)


def course_copy(repo: Path, dest: Path) -> Path:
    """Copy the nbgrader course (config and sources) to ``dest``; return its course root.

    The grading package is installed in the venv; the copy needs nothing else.
    """
    repo, dest = Path(repo), Path(dest)
    root = dest / "assignments"
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy2(repo / "assignments" / "nbgrader_config.py", root / "nbgrader_config.py")
    shutil.copytree(repo / "assignments" / "source", root / "source", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return root


def assignments(root: Path) -> list[str]:
    """Return the assignment ids of a course root (the folders of ``source/``)."""
    return sorted(p.name for p in (Path(root) / "source").iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def release(root: Path, names: Iterable[str], nbgrader: Sequence[str] = ("nbgrader",)) -> None:
    """Run ``nbgrader generate_assignment NAME --force`` for each assignment (fills the gradebook)."""
    for name in names:
        subprocess.run([*nbgrader, "generate_assignment", name, "--force"], cwd=root, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _model_source(text: str) -> str:
    text = _SCHEME.sub("", text)
    return "\n".join(line for line in text.split("\n") if not _MARKER.match(line))


def submission(kind: str, source_nb, release_nb):
    """Return a submitted notebook of ``kind`` built from the source and release notebooks."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    nb = nbformat.from_dict(release_nb)
    if kind == "blank":
        return nb
    answers = {}
    for cell in source_nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id"):
            answers[meta["grade_id"]] = _model_source(cell.source)
    count = 0
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if meta.get("solution") and grade_id in answers:
            count += 1
            if kind == "partial" and count % 2 == 0:
                continue  # leave the released stub: this answer's tests fail
            cell.source = answers[grade_id]
    return nb


def write_submissions(root: Path, assignment: str, students: dict[str, str]) -> None:
    """Write ``submitted/<student>/<assignment>/<notebook>.ipynb`` for each ``{student: kind}``."""
    root = Path(root)
    for release_path in sorted((root / "release" / assignment).glob("*.ipynb")):
        release_nb = nbformat.read(release_path, as_version=4)
        source_nb = nbformat.read(root / "source" / assignment / release_path.name, as_version=4)
        for student, kind in students.items():
            folder = root / "submitted" / student / assignment
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(submission(kind, source_nb, release_nb), folder / release_path.name)
            (folder / "timestamp.txt").write_text("2026-11-20 12:00:00.000000 UTC\n", encoding="utf-8")


def plan(n: int, names: Sequence[str]) -> dict[str, dict[str, str]]:
    """Spread ``n`` submissions over the assignments and the three kinds, round robin.

    Returns ``{assignment: {student: kind}}``; student ids are ``s000``, ``s001``...
    """
    out: dict[str, dict[str, str]] = {name: {} for name in names}
    for i in range(n):
        name = names[i % len(names)]
        kind = KINDS[(i // len(names)) % len(KINDS)]
        out[name][f"s{i:03d}"] = kind
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    repo = Path(__file__).resolve().parents[2]
    root = course_copy(repo, Path(argv[0]))
    names = assignments(root)
    release(root, names)
    for name, students in plan(int(argv[1]), names).items():
        write_submissions(root, name, students)
    print(root)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
