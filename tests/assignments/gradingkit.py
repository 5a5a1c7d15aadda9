"""Support for the grading proofs: a temporary copy of the course, and hand-made submissions.

The copy holds ``assignments/`` (source + nbgrader_config.py), as the
repository does; nbgrader and ``koreathaw-grade`` (the installed grading
package) run in subprocesses with the venv's ``bin/`` on PATH.

Every submission starts from the *released* notebook, as a student's does, and
then answers it (with the model solution), answers it wrongly, breaks it, or
hands in something that is not a notebook at all.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


ASSIGNMENTS = ["a1-sources", "a2-timeline", "a3-mapping", "a4-synthesis"]


def read(path: Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write(nb: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return path


def source_text(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def grade_id(cell: dict[str, Any]) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def nbgrader_meta(cell: dict[str, Any]) -> dict[str, Any]:
    return cell.get("metadata", {}).get("nbgrader", {})


def cell(nb: dict[str, Any], gid: str) -> dict[str, Any]:
    for c in nb["cells"]:
        if grade_id(c) == gid:
            return c
    raise KeyError(gid)


def region_lines(text: str, begin: str, end: str) -> list[str]:
    """The non-blank lines strictly inside every begin/end region of ``text``, stripped."""
    lines, inside = [], False
    for line in text.splitlines():
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside and line.strip():
            lines.append(line.strip())
    return lines


def without_markers(text: str) -> str:
    """The model solution of a cell: its source without the solution markers."""
    return "\n".join(line for line in text.splitlines() if "BEGIN SOLUTION" not in line and "END SOLUTION" not in line)


def solved(release: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
    """The released notebook with every answer cell filled in with the model solution."""
    nb = copy.deepcopy(release)
    for c in nb["cells"]:
        if nbgrader_meta(c).get("solution"):
            c["source"] = without_markers(source_text(cell(source, grade_id(c))))
    return nb


def with_source(nb: dict[str, Any], gid: str, text: str) -> dict[str, Any]:
    nb = copy.deepcopy(nb)
    cell(nb, gid)["source"] = text
    return nb


def without(nb: dict[str, Any], *gids: str) -> dict[str, Any]:
    nb = copy.deepcopy(nb)
    nb["cells"] = [c for c in nb["cells"] if grade_id(c) not in gids]
    return nb


def duplicated(nb: dict[str, Any], gid: str) -> dict[str, Any]:
    nb = copy.deepcopy(nb)
    i = next(i for i, c in enumerate(nb["cells"]) if grade_id(c) == gid)
    twin = copy.deepcopy(nb["cells"][i])
    twin["id"] = twin.get("id", "cell") + "-copy"
    nb["cells"].insert(i + 1, twin)
    return nb


#: Per assignment: an answer that passes the visible tests but not the hidden
#: ones, and the test cells it must fail.
WRONG = {
    "a1-sources": ("count-term", '''
def count_term(article_id, term):
    """Regex word boundaries: whole words, but 'korea' is also counted in "Korea's" and 'inter-Korea'."""
    import re
    return len(re.findall(r"\\b" + re.escape(term) + r"\\b", articles.loc[article_id, "body"], re.IGNORECASE))
''', ["count-term-tests"]),
    "a2-timeline": ("longest-gap", '''
def longest_gap(table):
    """Returns the latest of equally long gaps, not the earliest."""
    starts = pd.Series(table.index)
    ids = table["event_id"].reset_index(drop=True)
    gaps = starts.diff().dt.days
    i = int(gaps[::-1].idxmax())
    return ids[i - 1], ids[i], int(gaps[i])
''', ["longest-gap-tests"]),
    "a3-mapping": ("haversine", '''
def haversine_km(lat1, lon1, lat2, lon2):
    """A flat-earth (equirectangular) approximation: fine nearby, wrong far away."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6371.0088 * math.hypot(x, y)
''', ["haversine-tests"]),
    "a4-synthesis": ("lags", '''
def article_lags(table):
    """Measures from the earliest event, not the latest."""
    starts = table.reset_index().groupby("article_id")["date"]
    result = pd.DataFrame(index=articles.index)
    result["events"] = starts.size().reindex(articles.index).fillna(0).astype(int)
    earliest = starts.min().reindex(articles.index)
    result["lag_days"] = (articles["publication_date"] - earliest).dt.days.astype(float)
    return result
''', ["lags-tests"]),
}

#: Bad submissions of a1-sources, graded in one batch with the good ones.
#: student -> (how to build it, expected score out of 5, flag prefixes expected)
LOOP = '''
def count_term(article_id, term):
    while True:   # an endless loop: the grader's timeout must stop it
        pass
'''
STUBBORN = '''
def count_term(article_id, term):
    while True:   # an endless loop that swallows the grader's interrupt
        try:
            while True:
                pass
        except KeyboardInterrupt:
            pass
'''
EXIT = '''
import os
os._exit(1)   # the kernel dies here
'''
MEMORY = '''
def people_mentioned(article_id):
    chunks = []
    for _ in range(60):   # up to 6 GB, 100 MB at a time: more than the grading kernel may use
        chunks.append(bytearray(100 * 1024 * 1024))
    return []
'''
CHEAT_TEST = "assert True  # the student replaced the tests\n"
CHEAT_SETUP = "import koreathaw as kt\narticles = None\nnames = None\n"


REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
#: Short timeout and a memory limit for the grading kernels of the tests.
CELL_TIMEOUT = 8
KERNEL_MEMORY_MB = 3072


def course_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["KOREATHAW_CELL_TIMEOUT"] = str(CELL_TIMEOUT)
    env["KOREATHAW_KERNEL_MEMORY_MB"] = str(KERNEL_MEMORY_MB)
    env["PYTHONNOUSERSITE"] = "1"
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    env.pop("KOREATHAW_DATA", None)
    return env


@dataclass
class CourseCopy:
    """A private copy of the course for nbgrader to work in."""

    base: Path
    log: list[str] = field(default_factory=list)

    @property
    def root(self) -> Path:
        return self.base / "assignments"

    def run(self, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
        env = course_env()
        proc = subprocess.run(list(args), cwd=self.root, env=env, capture_output=True, text=True, timeout=timeout)
        self.log.append(f"$ {' '.join(args)}\n{proc.stdout}\n{proc.stderr}")
        if check and proc.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr[-4000:]}")
        return proc

    def nbgrader(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.run(str(BIN / "nbgrader"), *args, check=check)

    def grading(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.run(str(BIN / "koreathaw-grade"), "--course", str(self.root), *args, check=check)

    def release(self, name: str) -> dict:
        return read(self.root / "release" / name / f"{name}.ipynb")

    def source(self, name: str) -> dict:
        return read(self.root / "source" / name / f"{name}.ipynb")

    def solved(self, name: str) -> dict:
        return solved(self.release(name), self.source(name))

    def submit(self, student: str, name: str, nb: dict | None = None, filename: str | None = None) -> Path:
        folder = self.root / "submitted" / student / name
        folder.mkdir(parents=True, exist_ok=True)
        if nb is None:
            return folder
        return write(nb, folder / (filename or f"{name}.ipynb"))

    def export_rows(self, path: Path | None = None) -> list[dict[str, str]]:
        with (path or self.root / "reports" / "grades.csv").open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))


def make_course(base: Path) -> CourseCopy:
    (base / "assignments").mkdir(parents=True)
    shutil.copytree(REPO / "assignments" / "source", base / "assignments" / "source")
    shutil.copy(REPO / "assignments" / "nbgrader_config.py", base / "assignments" / "nbgrader_config.py")
    return CourseCopy(base)


#: The a1-sources batch: student -> (expected score out of 5, flag prefixes that must be reported).
A1_BATCH = {
    "good": (5, []),
    "blank": (0, []),
    "partly-wrong": (3, []),
    "s-loop": (3, ["timeout:count-term-tests"]),
    "s-stubborn": (0, ["timeout:count-term-tests", "kernel_unresponsive:count-term-tests"]),
    "s-exit": (2, ["kernel_died:people-mentioned", "not_run_after_kernel_death"]),
    "s-memory": (3, ["memory_error:people-mentioned-tests"]),
    "s-deleted": (4, ["deleted_cells:people-mentioned-tests,standardise"]),
    "s-edited": (3, ["edited_readonly_cells:a1-setup,count-term-tests"]),
    "s-duplicated": (5, ["duplicated_cells:count-term-tests"]),  # nbgrader 0.9.6 alone crashes on it
    "resubmitter": (5, []),  # re-submits a notebook whose kernel dies before the second run
    "s-renamed": (5, ["renamed_notebook:a1-sources (1).ipynb"]),
    "s-not-notebook": (0, []),
    "s-empty": (0, []),
    "s-pdf-only": (0, []),
}
A1_STATUS = {"s-not-notebook": "unreadable_notebook", "s-empty": "empty_submission", "s-pdf-only": "no_notebook"}
#: A student on the roster who hands in nothing at all.
GHOST = "ghost"


def build_submissions(course: CourseCopy) -> None:
    a1 = "a1-sources"
    good = course.solved(a1)
    for name in ASSIGNMENTS:
        course.submit("good", name, course.solved(name))
        course.submit("blank", name, course.release(name))
        gid, text, _ = WRONG[name]
        course.submit("partly-wrong", name, with_source(course.solved(name), gid, text))
    course.submit("s-loop", a1, with_source(good, "count-term", LOOP))
    course.submit("s-stubborn", a1, with_source(good, "count-term", STUBBORN))
    exit_nb = with_source(good, "people-mentioned", EXIT)
    course.submit("s-exit", a1, exit_nb)
    course.submit("s-memory", a1, with_source(good, "people-mentioned", MEMORY))
    course.submit("s-deleted", a1, without(good, "people-mentioned-tests", "standardise"))
    edited = with_source(good, "count-term-tests", CHEAT_TEST)
    edited = with_source(edited, "count-term", "def count_term(article_id, term):\n    return 0\n")
    edited = with_source(edited, "a1-setup", CHEAT_SETUP)
    course.submit("s-edited", a1, edited)
    course.submit("s-duplicated", a1, duplicated(good, "count-term-tests"))
    course.submit("s-renamed", a1, good, filename="a1-sources (1).ipynb")
    course.submit("resubmitter", a1, good)
    folder = course.submit("s-not-notebook", a1)
    (folder / "a1-sources.ipynb").write_bytes(b"%PDF-1.4 this is a PDF saved with a notebook's name\n\x00\xff")
    course.submit("s-empty", a1)
    folder = course.submit("s-pdf-only", a1)
    (folder / "answers.pdf").write_bytes(b"%PDF-1.4\n")
    students = sorted({"good", "blank", "partly-wrong", GHOST, *A1_BATCH})
    with (course.root / "students.csv").open("w", encoding="utf-8", newline="") as handle:
        handle.write("id,first_name,last_name,email\n")
        for s in students:
            handle.write(f"{s},{s.title()},Student,{s}@example.org\n")


@dataclass
class Batch:
    course: CourseCopy
    lines: list[tuple[float, str]]
    seconds: float
    rows: list[dict[str, str]]


def run_batch(course: CourseCopy) -> tuple[list[tuple[float, str]], float]:
    """Run ``koreathaw-grade autograde`` (every core) over everything; return (timed stdout lines, seconds)."""
    env = course_env()
    start = time.perf_counter()
    proc = subprocess.Popen([str(BIN / "koreathaw-grade"), "--course", str(course.root), "autograde"],
                            cwd=course.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append((time.perf_counter() - start, line.rstrip("\n")))
    err = proc.stderr.read() if proc.stderr else ""
    code = proc.wait(timeout=900)
    course.log.append("autograde\n" + "\n".join(l for _, l in lines) + "\n" + err[-3000:])
    assert code == 0, f"autograde failed ({code}):\n" + "\n".join(l for _, l in lines) + err[-4000:]
    return lines, time.perf_counter() - start


