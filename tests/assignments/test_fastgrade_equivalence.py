"""The fast grading path grades exactly as the serial one does.

One batch of a1-sources submissions -- good, blank, partly wrong and broken ones
(an endless loop, a dying kernel, a memory hog, deleted, edited and duplicated graded cells, a
renamed notebook, a file that is not a notebook, an empty folder, a student who
handed in nothing) -- is graded three times, each in its own copy of the same
released course:

* ``nbgrader autograde a1-sources --force`` with ``UNSAFE_NO_SANDBOX=1``: stock nbgrader,
  serial, every cell (tests included) run in one ordinary Jupyter kernel -- the reference;
* ``koreathaw-grade autograde --serial a1-sources``: the course's grader, serial;
* ``koreathaw-grade autograde --jobs 2 a1-sources``: the fast path, two workers.

The two course runs execute the student's code in the sandbox and judge the
tests outside it. The fast path must leave the same gradebook (every student's
score in every graded cell), the same autograded notebooks (cells and outputs)
and the same per-student reports (status, score, flags, details) as the serial
driver, and the same scores and outputs per cell as stock nbgrader for every
submission nbgrader grades itself: the sandbox changes no honest grade.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import compare
import samples

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.grading, pytest.mark.slow]

A1 = "a1-sources"
BIN = Path(sys.executable).parent
CELL_TIMEOUT = 10  # generous: a cell that legitimately runs long on a loaded machine must not time out in one run only

LOOP = "def count_term(article_id, term):\n    while True:\n        pass\n"
EXIT = "import os\nos._exit(1)\n"
CHEAT = "assert True  # the student replaced the tests\n"
MEMORY = ("def people_mentioned(article_id):\n    chunks = []\n    for _ in range(40):\n"
          "        chunks.append(bytearray(100 * 1024 * 1024))\n    return []\n")
KERNEL_MEMORY_MB = 3072

#: student -> what the serial driver must report (the fast path must report the same).
EXPECTED = {
    "model": ("graded", 5, []),
    "blank": ("graded", 0, []),
    "partial": ("graded", 3, []),
    "loop": ("graded", 3, ["timeout"]),
    "exit": ("graded", 2, ["kernel_died"]),
    "memory": ("graded", 3, ["memory_error"]),
    "deleted": ("graded", 5, ["deleted_cells"]),
    "edited": ("graded", 5, ["edited_readonly_cells"]),
    "duplicated": ("graded", 5, ["duplicated_cells"]),
    "renamed": ("graded", 5, ["renamed_notebook"]),
    "not-notebook": ("unreadable_notebook", 0, []),
    "empty": ("empty_submission", 0, []),
    "ghost": ("not_submitted", 0, []),
}


def env(base: Path) -> dict[str, str]:
    out = dict(os.environ)
    out["PATH"] = f"{BIN}{os.pathsep}{out.get('PATH', '')}"
    out["KOREATHAW_CELL_TIMEOUT"] = str(CELL_TIMEOUT)
    out["KOREATHAW_KERNEL_MEMORY_MB"] = str(KERNEL_MEMORY_MB)
    out["PYTHONNOUSERSITE"] = "1"
    out.pop("KOREATHAW_DATA", None)
    return out


def run(base: Path, *cmd: str, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run(list(cmd), cwd=base / "assignments", env={**env(base), **(extra or {})},
                          capture_output=True, text=True, timeout=600)
    return proc


def _set(nb, grade_id: str, source: str):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            cell.source = source
            return nb
    raise KeyError(grade_id)


def build(root: Path) -> None:
    """Write the batch into ``root/submitted`` and a roster with one student who hands in nothing."""
    release = nbformat.read(root / "release" / A1 / f"{A1}.ipynb", as_version=4)
    source = nbformat.read(root / "source" / A1 / f"{A1}.ipynb", as_version=4)
    model = samples.submission("model", source, release)

    def put(student: str, nb=None, name: str = f"{A1}.ipynb") -> Path:
        folder = root / "submitted" / student / A1
        folder.mkdir(parents=True, exist_ok=True)
        if nb is not None:
            nbformat.write(nb, folder / name)
        return folder

    put("model", model)
    put("blank", samples.submission("blank", source, release))
    put("partial", samples.submission("partial", source, release))
    put("loop", _set(nbformat.from_dict(model), "count-term", LOOP))
    put("exit", _set(nbformat.from_dict(model), "people-mentioned", EXIT))
    put("memory", _set(nbformat.from_dict(model), "people-mentioned", MEMORY))
    deleted = nbformat.from_dict(model)
    deleted.cells = [c for c in deleted.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "people-mentioned-tests"]
    put("deleted", deleted)
    put("edited", _set(nbformat.from_dict(model), "count-term-tests", CHEAT))
    duplicated = nbformat.from_dict(model)
    i = next(i for i, c in enumerate(duplicated.cells)
             if c.metadata.get("nbgrader", {}).get("grade_id") == "count-term-tests")
    twin = nbformat.from_dict(json.loads(json.dumps(duplicated.cells[i])))
    twin["id"] = twin.get("id", "cell") + "-copy"
    duplicated.cells.insert(i + 1, twin)
    put("duplicated", duplicated)
    put("renamed", model, name=f"{A1} (1).ipynb")
    (put("not-notebook") / f"{A1}.ipynb").write_bytes(b"%PDF-1.4 not a notebook\n\x00\xff")
    put("empty")
    (root / "students.csv").write_text("id\n" + "\n".join(sorted(EXPECTED)) + "\n", encoding="utf-8")


def outcome(base: Path) -> dict:
    root = base / "assignments"
    report = root / "reports" / f"{A1}.md"
    return {"grades": compare.grades(root, A1), "outputs": compare.outputs(root, A1),
            "reports": compare.reports(root, A1), "students": compare.students(root),
            "report_md": report.read_text(encoding="utf-8") if report.exists() else None}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, dict]:
    """The batch graded three ways, each in its own copy of one released course."""
    top = tmp_path_factory.mktemp("equivalence")
    first = top / "driver"
    root = samples.course_copy(REPO, first)
    proc = run(first, str(BIN / "koreathaw-grade"), "--course", str(root), "release", A1)
    assert proc.returncode == 0, proc.stderr[-3000:]
    build(root)
    for name in ("fast", "stock"):
        shutil.copytree(first, top / name, symlinks=True)
    out = {}
    commands = {
        "driver": [str(BIN / "koreathaw-grade"), "--course", "{root}", "autograde", "--serial", A1],
        "fast": [str(BIN / "koreathaw-grade"), "--course", "{root}", "autograde", "--jobs", "2", A1],
        "stock": [str(BIN / "nbgrader"), "autograde", A1, "--force"],
    }
    for name, cmd in commands.items():
        base = top / name
        extra = {"UNSAFE_NO_SANDBOX": "1"} if name == "stock" else None
        proc = run(base, *[c.format(root=base / "assignments") for c in cmd], extra=extra)
        if name != "stock":  # stock nbgrader exits 1 for the file that is not a notebook; that is expected
            assert proc.returncode == 0, f"{name} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        out[name] = outcome(base)
        out[name]["stdout"] = proc.stdout
    return out


def test_serial_driver_reports_what_the_batch_holds(runs):
    """The reference run itself is right: every student's status, score and flags as expected."""
    reports = runs["driver"]["reports"]
    for student, (status, score, flags) in EXPECTED.items():
        got = reports[student]
        assert (got["status"], got["score"]) == (status, score), (student, got)
        for flag in flags:
            assert any(f.startswith(flag) for f in got["flags"]), (student, flag, got["flags"])


def test_fast_path_gives_the_same_per_student_reports(runs):
    """Status, score, max score, flags and details of every student are those of the serial driver."""
    assert runs["fast"]["reports"] == runs["driver"]["reports"], \
        compare.differences(runs["fast"]["reports"], runs["driver"]["reports"])
    assert runs["fast"]["report_md"] == runs["driver"]["report_md"]


def test_fast_path_leaves_the_same_gradebook(runs):
    """Every student's score in every graded cell, and the students themselves, are those of the serial driver."""
    assert runs["fast"]["grades"] == runs["driver"]["grades"], \
        compare.differences(runs["fast"]["grades"], runs["driver"]["grades"])
    assert runs["fast"]["students"] == runs["driver"]["students"]


def test_fast_path_writes_the_same_autograded_notebooks(runs):
    """Cell by cell, the autograded notebooks hold the same sources and the same outputs (errors by name and message)."""
    assert runs["fast"]["outputs"] == runs["driver"]["outputs"], \
        compare.differences(runs["fast"]["outputs"], runs["driver"]["outputs"])


def test_fast_path_scores_like_stock_serial_nbgrader(runs):
    """For every submission stock nbgrader grades itself, the fast path gives the same score in every cell."""
    own = [s for s, r in runs["driver"]["reports"].items()
           if r["status"] == "graded" and not any(f.startswith("renamed_notebook") for f in r["flags"])]
    assert len(own) >= 8
    fast = {s: runs["fast"]["grades"][s] for s in own}
    stock = {s: runs["stock"]["grades"][s] for s in own}
    assert fast == stock, compare.differences(fast, stock)
    fast_out = {s: runs["fast"]["outputs"][s] for s in own}
    stock_out = {s: runs["stock"]["outputs"][s] for s in own}
    assert fast_out == stock_out, compare.differences(fast_out, stock_out)


def test_fast_path_reports_progress_for_every_student(runs):
    """One ``[i/n]`` line per student, as the serial driver prints."""
    lines = [line for line in runs["fast"]["stdout"].splitlines() if line.startswith("[")]
    assert len(lines) == len(EXPECTED)
    assert {line.split("] ", 1)[0] for line in lines} == {f"[{i}/{len(EXPECTED)}" for i in range(1, len(EXPECTED) + 1)}
