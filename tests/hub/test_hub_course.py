"""The course on a real JupyterHub: ten students, each a unix user, through their own servers.

One class run (``roundtrip.run_class``): the grader releases a1-sources to nbgrader's
exchange; every student logs in (PAM), fetches it, writes answers (right, partly
wrong or none) through the contents API and submits through the server's nbgrader
extension; the due date passes before the last one submits; the grader collects
from the exchange, autogrades in the sandbox into the PostgreSQL gradebook, makes
and releases feedback; every student fetches theirs. Then each student tries, as a
student would -- through their server's contents API and in a kernel of their own
(Python and shell) -- to reach what is not theirs.
"""

from __future__ import annotations

import json
import re

import pytest
import requests

from hubkit import hub  # noqa: F401  (the session fixture; no conftest.py here: that name is the grading tests')
from roundtrip import ASSIGNMENT, COURSE, EXPECTED, run_class

pytestmark = pytest.mark.hub


@pytest.fixture(scope="module")
def run(hub):
    return run_class(hub)


def test_every_grade_is_right(run):
    """Each student's score in the PostgreSQL gradebook is the one their answers earn, cell by cell for the extremes."""
    assert sorted(run.gradebook) == sorted(run.students)
    for name, kind in run.kinds.items():
        got = run.gradebook[name]
        assert got["score"] == EXPECTED[kind], (name, kind, got)
        assert got["max"] == EXPECTED["model"]
        if kind == "model":
            assert got["cells"] == got["cell_max"], name
        if kind == "blank":
            assert set(got["cells"].values()) == {0.0}, name
    assert {run.kinds[n] for n in run.students} == {"model", "partial", "blank"}


def test_lateness_comes_from_the_exchanges_clock(run):
    """The student who submitted after the due date is late by the kernel's clock; the others are not."""
    for name, got in run.gradebook.items():
        if name == run.late:
            assert got["late"] > 0, got
        else:
            assert got["late"] == 0, (name, got)
        assert got["timestamp"] is not None


def test_each_student_gets_their_own_feedback_only(run):
    """One feedback page per student, showing their own answers and score, and no other student's."""
    for name, pages in run.feedback_pages.items():
        assert len(pages) == 1, (name, len(pages))
        page = pages[0]
        assert run.markers[name] in page
        others = [other for other, marker in run.markers.items() if other != name and marker in page]
        assert others == [], (name, others)
        score = run.gradebook[name]["score"]
        assert re.search(rf"Score:\s*{score:g}(\.0+)?\s*/\s*5", re.sub(r"<[^>]+>", " ", page)), name


def test_graders_share_the_formgrader_and_students_cannot_reach_it(hub, run):
    """The instructor and the TA reach the course's Formgrader service and its API; a student is refused."""
    from client import User

    url = f"{hub.base}/services/{COURSE}/formgrader/api/assignments"
    for grader in hub.settings.graders:
        user = User(hub.base, grader)
        user.login(hub.passwords[grader])
        reply = requests.get(url, headers={"Authorization": f"token {user.token}"}, timeout=60)
        assert reply.status_code == 200, (grader, reply.status_code)
        listed = {a["name"]: a for a in reply.json()}
        assert listed[ASSIGNMENT]["num_submissions"] == len(run.students)
    student = next(iter(run.students.values()))
    reply = requests.get(url, headers={"Authorization": f"token {student.token}"}, timeout=60)
    assert reply.status_code == 403
    assert student.get("/formgrader").status_code == 404  # no Formgrader in a student's own server


def test_students_homes_hold_the_student_edition(run):
    """Each home holds the student edition (lessons, data, released assignments), never the course's sources."""
    for user in run.students.values():
        top = {item["name"] for item in user.read("korean-thaw").json()["content"]}
        assert {"notebooks", "data", "assignments", "src"} <= top, top
        assignments = {item["name"] for item in user.read("korean-thaw/assignments").json()["content"]}
        assert ASSIGNMENT in assignments and "source" not in assignments, assignments
        released = user.read(f"korean-thaw/assignments/{ASSIGNMENT}/{ASSIGNMENT}.ipynb").text
        assert "BEGIN SOLUTION" not in released and "BEGIN HIDDEN TESTS" not in released


def test_a_student_cannot_use_another_students_server(run):
    """Another student's server refuses a student's token (contents, kernels, nbgrader)."""
    names = list(run.students)
    me, other = run.students[names[0]], names[1]
    for path in ("/api/contents/", f"/api/contents/{ASSIGNMENT}/{ASSIGNMENT}.ipynb", "/api/kernels",
                 f"/assignments?course_id={COURSE}"):
        assert me.get(path, owner=other).status_code in (403, 404), path
    assert me.request("PUT", f"/api/contents/{ASSIGNMENT}/x.txt", owner=other,
                      json={"type": "file", "format": "text", "content": "x"}).status_code in (403, 404)


#: Run in a student's own kernel: every way a student might reach what is not theirs; prints what happened.
PROBE = r'''
import glob, json, os, subprocess
out = dict()
def attempt(name, fn):
    try:
        fn()
        out[name] = "ALLOWED"
    except (PermissionError, FileNotFoundError, OSError) as exc:
        out[name] = type(exc).__name__
def read(path):
    with open(path, "rb") as f:
        f.read(1)
def listdir(path):
    os.listdir(path)
def write(path):
    with open(path, "w") as f:
        f.write("x")
OTHER_HOME, COURSE_ROOT, EXCHANGE, REPO, STATE = {other_home!r}, {course_root!r}, {exchange!r}, {repo!r}, {state!r}
attempt("other_home_list", lambda: listdir(OTHER_HOME))
attempt("other_home_notebook", lambda: read(OTHER_HOME + "/a1-sources/a1-sources.ipynb"))
attempt("other_home_write", lambda: write(OTHER_HOME + "/a1-sources/planted.txt"))
attempt("other_feedback", lambda: listdir(OTHER_HOME + "/a1-sources/feedback"))
attempt("other_submission_cache", lambda: listdir(OTHER_HOME + "/.local/share/jupyter/nbgrader_cache"))
attempt("course_source", lambda: listdir(COURSE_ROOT + "/source"))
attempt("course_source_notebook", lambda: read(COURSE_ROOT + "/source/a1-sources/a1-sources.ipynb"))
attempt("course_release", lambda: listdir(COURSE_ROOT + "/release"))
attempt("course_submitted", lambda: listdir(COURSE_ROOT + "/submitted"))
attempt("course_feedback", lambda: listdir(COURSE_ROOT + "/feedback"))
attempt("repository_source", lambda: listdir(REPO + "/assignments/source"))
attempt("exchange_inbound_list", lambda: listdir(EXCHANGE + "/inbound"))
attempt("exchange_feedback_list", lambda: listdir(EXCHANGE + "/feedback"))
attempt("exchange_outbound_write", lambda: write(EXCHANGE + "/outbound/a1-sources/planted.txt"))
attempt("exchange_release_change", lambda: write(EXCHANGE + "/outbound/a1-sources/a1-sources.ipynb"))
attempt("hub_state", lambda: listdir(STATE))
out["inbound_glob"] = len(glob.glob(EXCHANGE + "/inbound/*"))
def gradebook_as_grader():
    import psycopg2
    psycopg2.connect(host="/var/run/postgresql", port={pg_port}, dbname={database!r}, user={grader!r}).close()
def gradebook_as_me():
    import psycopg2
    psycopg2.connect(host="/var/run/postgresql", port={pg_port}, dbname={database!r}).close()
for name, fn in (("gradebook_as_grader", gradebook_as_grader), ("gradebook_as_me", gradebook_as_me)):
    try:
        fn()
        out[name] = "ALLOWED"
    except Exception as exc:
        out[name] = type(exc).__name__
shell = subprocess.run(["sh", "-c", "cat {other_home}/a1-sources/a1-sources.ipynb; ls {course_root}/source"],
                       capture_output=True, text=True)
out["shell_exit"] = shell.returncode
out["shell_stdout"] = shell.stdout[:200]
os.symlink(OTHER_HOME, os.path.expanduser("~/peek-other"))
os.symlink(COURSE_ROOT, os.path.expanduser("~/peek-course"))
print(json.dumps(out))
'''


def test_a_student_cannot_reach_what_is_not_theirs(hub, run):
    """In their own kernel (Python and a shell) and through their contents API, a student reaches no other
    student's home, submission or feedback, nor the course's source/, release/ or gradebook."""
    s = hub.settings
    names = list(run.students)
    me, other = run.students[names[0]], names[1]
    code = PROBE.format(other_home=f"{s.home_base}/{other}", course_root=str(s.course_root),
                        exchange=f"{s.exchange}/{COURSE}", repo=str(hub_repo()), state=str(s.state),
                        pg_port=s.pg_port, database=s.database, grader=s.grader)
    found = json.loads(me.run(code, kernel="koreathaw").strip().splitlines()[-1])
    allowed = {k: v for k, v in found.items() if v == "ALLOWED"}
    assert allowed == {}, allowed
    assert found["inbound_glob"] == 0
    assert found["gradebook_as_grader"] == found["gradebook_as_me"] == "OperationalError"
    assert found["shell_exit"] != 0 and found["shell_stdout"] == ""
    # the links the kernel made lead nowhere through the contents API either (jupyter_server answers a
    # PermissionError behind a link with 500 "Unhandled error": refused all the same, nothing in the answer)
    for path in ("peek-other", f"peek-other/{ASSIGNMENT}/{ASSIGNMENT}.ipynb", "peek-course/source",
                 f"peek-course/source/{ASSIGNMENT}/{ASSIGNMENT}.ipynb", "../" + other, "../../etc/shadow"):
        reply = me.read(path)
        assert reply.status_code in (403, 404, 500), (path, reply.status_code, reply.text[:200])
        assert run.markers[other] not in reply.text and '"cells"' not in reply.text and "BEGIN" not in reply.text


def test_a_submission_in_another_students_name_is_refused(hub, run):
    """A student who writes a submission folder in another's name (the exchange's inbound is writable by all)
    changes nothing: collect refuses it, and the other student's collected work and grade stay theirs."""
    s = hub.settings
    names = list(run.students)
    me, victim = run.students[names[0]], names[2]
    before = run.gradebook[victim]["score"]
    forged = f"{victim}+{ASSIGNMENT}+2099-01-01 00:00:00.000000 UTC+forged"
    code = f"""
import os, shutil
src = os.path.expanduser("~/{ASSIGNMENT}")
dest = {f"{s.exchange}/{COURSE}/inbound/{forged}"!r}
os.mkdir(dest)
shutil.copy(src + "/{ASSIGNMENT}.ipynb", dest + "/{ASSIGNMENT}.ipynb")
print("planted")
"""
    assert me.run(code).strip() == "planted"
    proc = hub.as_grader("python", "-m", "koreathaw_grading.hub", "collect", ASSIGNMENT)
    assert f"refused {forged!r}" in proc.stdout and f"made by {names[0]}, not by {victim}" in proc.stdout
    marker = hub.as_grader("cat", f"assignments/submitted/{victim}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb").stdout
    assert run.markers[victim] in marker and run.markers[names[0]] not in marker
    hub.as_grader("koreathaw-grade", "autograde", ASSIGNMENT, "--students", victim)
    from roundtrip import read_gradebook

    assert read_gradebook(hub)[victim]["score"] == before


def hub_repo():
    from pathlib import Path

    return Path(__file__).resolve().parents[2]
