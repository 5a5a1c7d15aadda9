"""One assignment through the hub, end to end, as a class does it; timed. Used by the hub test and the load run.

release (grader) -> login, fetch, answer, submit (each student through their own
server) -> collect from the exchange, autograde in the sandbox, feedback, release
feedback (grader) -> fetch feedback (each student). The due date is set between
the last two submissions, so one student is late by the exchange's clock.
"""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import nbformat

from client import User

REPO = Path(__file__).resolve().parents[2]
COURSE = "korean-thaw"
ASSIGNMENT = "a1-sources"
#: The kinds of answers students hand in, in turn (tests/assignments/samples.py), and the score each earns.
KINDS = ("model", "partial", "blank", "partial", "model")
EXPECTED = {"model": 5.0, "partial": 3.0, "blank": 0.0}


@dataclass
class Run:
    students: dict[str, User] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    markers: dict[str, str] = field(default_factory=dict)
    times: dict[str, Any] = field(default_factory=dict)
    late: str = ""
    duedate: datetime | None = None
    feedback_pages: dict[str, list[str]] = field(default_factory=dict)
    gradebook: dict[str, Any] = field(default_factory=dict)
    logs: dict[str, str] = field(default_factory=dict)


def answers(kind: str, release_nb: dict[str, Any], marker: str) -> dict[str, Any]:
    """The student's notebook: the release with answers of ``kind``, and a comment naming the student in each answer."""
    import sys

    sys.path.insert(0, str(REPO / "tests" / "assignments"))
    from samples import submission

    source = nbformat.read(str(REPO / "assignments" / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4)
    nb = submission(kind, source, nbformat.from_dict(release_nb))
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            cell.source = f"# {marker}\n" + cell.source
    return json.loads(nbformat.writes(nb))


def _timed(times: dict[str, list[float]], key: str, fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    times.setdefault(key, []).append(time.perf_counter() - start)
    return out


def run_class(hub, workers: int = 5) -> Run:
    """The whole round trip with every student of ``hub``; returns what happened and how long each step took."""
    s = hub.settings
    run = Run()
    per: dict[str, list[float]] = {}
    run.times["per_student"] = per

    start = time.perf_counter()
    hub.as_grader("koreathaw-grade", "release", ASSIGNMENT)
    hub.as_grader("nbgrader", "release_assignment", ASSIGNMENT, "--force")
    run.times["release"] = time.perf_counter() - start

    names = list(s.students)
    run.late = names[-1]
    for i, name in enumerate(names):
        run.students[name] = User(hub.base, name)
        run.kinds[name] = KINDS[i % len(KINDS)]
        run.markers[name] = f"answered-by-{name}-{uuid.uuid4().hex[:12]}"

    def arrive(name: str) -> None:
        user = run.students[name]
        start = time.perf_counter()
        user.login(hub.passwords[name])
        user.start_server(s.spawn_timeout)
        per.setdefault("login_to_ready", []).append(time.perf_counter() - start)
        listed = _timed(per, "fetch", user.nbgrader, "fetch", COURSE, ASSIGNMENT)
        assert any(a["assignment_id"] == ASSIGNMENT and a["status"] == "fetched" for a in listed), listed
        path = f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
        user.save_notebook(path, answers(run.kinds[name], user.notebook(path), run.markers[name]))

    def submit(name: str) -> None:
        _timed(per, "submit", run.students[name].nbgrader, "submit", COURSE, ASSIGNMENT)

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(arrive, names))
    run.times["all_logged_in_and_fetched"] = time.perf_counter() - start
    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(submit, names[:-1]))
    run.times["all_submitted"] = time.perf_counter() - start

    # the due date passes; then the last student hands in
    run.duedate = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=1)
    hub.as_grader("nbgrader", "db", "assignment", "add", ASSIGNMENT,
                  f"--duedate={run.duedate.strftime('%Y-%m-%d %H:%M:%S')} UTC")
    while datetime.now(timezone.utc) <= run.duedate + timedelta(seconds=1):
        time.sleep(0.2)
    submit(run.late)

    for step, args in (("collect", ["python", "-m", "koreathaw_grading.hub", "collect", ASSIGNMENT]),
                       ("autograde", ["koreathaw-grade", "autograde", ASSIGNMENT]),
                       ("feedback", ["koreathaw-grade", "feedback", ASSIGNMENT]),
                       ("release_feedback", ["python", "-m", "koreathaw_grading.hub", "release-feedback", ASSIGNMENT])):
        start = time.perf_counter()
        proc = hub.as_grader(*args)
        run.times[step] = time.perf_counter() - start
        run.logs[step] = proc.stdout + proc.stderr

    def feedback(name: str) -> None:
        user = run.students[name]
        _timed(per, "fetch_feedback", user.nbgrader, "fetch_feedback", COURSE, ASSIGNMENT)
        folder = user.read(f"{ASSIGNMENT}/feedback").json()
        pages = []
        for stamp in folder["content"]:
            listing = user.read(stamp["path"]).json()
            pages += [user.read(item["path"]).json()["content"] for item in listing["content"]
                      if item["name"].endswith(".html")]
        run.feedback_pages[name] = pages

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(feedback, names))
    run.times["all_fetched_feedback"] = time.perf_counter() - start
    run.gradebook = read_gradebook(hub)
    print("class run, seconds:", json.dumps({k: round(v, 1) for k, v in run.times.items() if isinstance(v, float)}),
          flush=True)
    return run


def read_gradebook(hub) -> dict[str, Any]:
    """Every submission of the assignment as the PostgreSQL gradebook holds it, read as the grader."""
    code = f"""
import json
from nbgrader.api import Gradebook
out = {{}}
with Gradebook({hub.settings.db_url!r}, {COURSE!r}) as gb:
    for sub in gb.find_assignment({ASSIGNMENT!r}).submissions:
        out[sub.student_id] = {{"score": float(sub.score), "max": float(sub.max_score),
            "late": float(sub.total_seconds_late), "timestamp": sub.timestamp.isoformat() if sub.timestamp else None,
            "cells": {{g.name: float(g.score) for nb in sub.notebooks for g in nb.grades}},
            "cell_max": {{g.name: float(g.max_score) for nb in sub.notebooks for g in nb.grades}}}}
print(json.dumps(out))
"""
    return hub.grader_python(code)
