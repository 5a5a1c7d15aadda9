"""A class of 44 from an LMS: a Canvas zip (late ones, resubmissions, a stranger) and a Moodle download.

Every student hands in a1-sources as the model solution (5), the blank release (0) or a
partly right answer (3), known in advance; a due date is set, some hand in 25.5 hours
late, and the course's late policy (10 % a day) takes its share. The test computes
every expected cell on its own and compares: collect (everyone collected or listed),
lateness, the long, wide and Canvas exports cell by cell, and the report's numbers
against the gradebook.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import sqlite3
import statistics
import subprocess
import zipfile
from pathlib import Path

import nbformat
import pytest
from gradingkit import BIN, course_env, make_course
from samples import submission

pytestmark = [pytest.mark.grading, pytest.mark.slow]

A1 = "a1-sources"
DUE = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.timezone.utc)
ON_TIME = DUE - dt.timedelta(hours=26)
LATE = DUE + dt.timedelta(hours=25, minutes=30)          # 1530 minutes: two days or part of them
SCORES = {"model": 5.0, "blank": 0.0, "partial": 3.0}
NAMES = ["Kim Min-jun", "Lee Seo-yeon", "Park Ji-ho", "Choi Ha-eun", "José Müller", "Đặng Thu", "Ōta Haruki",
         "Nguyễn An", "Søren Ærø", "O'Brien Siobhán", "Jung Woo-jin"]
POLICY = '\nc.AssignLatePenalties.plugin_class = "koreathaw_grading.late.PerDayPenalty"\nc.PerDayPenalty.percent_per_day = 10\n'


def students() -> list[dict]:
    """44 students: an id, names (some not ASCII), an LMS number, what they hand in, whether late, resubmitting."""
    out = []
    for i in range(44):
        first, last = NAMES[i % len(NAMES)].split(" ", 1)[::-1] if i % 2 else NAMES[i % len(NAMES)].split(" ", 1)
        out.append({"id": f"s{i:02d}", "first_name": first, "last_name": last, "lms_user_id": str(7000 + i),
                    "kind": ("model", "blank", "partial")[i % 3], "late": i % 5 == 0, "twice": i % 7 == 3,
                    "missing": i == 43})
    return out


def expected(row: dict) -> dict:
    """What every export must say of one student."""
    if row["missing"]:
        return {"score": 0.0, "final": 0.0, "late": "", "minutes": "", "status": "not_submitted"}
    score = SCORES[row["kind"]]
    penalty = round(score * 0.2, 4) if row["late"] else 0.0
    return {"score": score, "final": score - penalty, "late": "yes" if row["late"] else "no",
            "minutes": "1530" if row["late"] else "0", "status": "graded"}


def grade(base: Path, roster: list[dict], deliver) -> dict:
    """Release with the due date, deliver, collect, autograde, export in every format; return what came out."""
    course = make_course(base)
    (course.root / "nbgrader_config.py").write_text((course.root / "nbgrader_config.py").read_text() + POLICY)
    env = course_env()
    run = lambda *a: subprocess.run([str(BIN / "koreathaw-grade"), "--course", str(course.root), *a],  # noqa: E731
                                    cwd=course.root, env=env, capture_output=True, text=True, timeout=900)
    done = run("release", A1, "--duedate", DUE.strftime("%Y-%m-%d %H:%M"))
    assert done.returncode == 0, done.stderr
    with (course.root / "students.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "first_name", "last_name", "email", "lms_user_id"])
        writer.writeheader()
        writer.writerows({"id": r["id"], "first_name": r["first_name"], "last_name": r["last_name"],
                          "email": f"{r['id']}@example.org", "lms_user_id": r["lms_user_id"]} for r in roster)
    release = nbformat.read(course.root / "release" / A1 / f"{A1}.ipynb", as_version=4)
    source = nbformat.read(course.root / "source" / A1 / f"{A1}.ipynb", as_version=4)
    download = deliver(base, roster, lambda kind: nbformat.writes(submission(kind, source, release)).encode())
    collected = run("collect", str(download), A1)
    assert collected.returncode == 0, collected.stdout + collected.stderr
    graded = run("autograde", A1)
    assert graded.returncode == 0, graded.stdout[-3000:] + graded.stderr[-3000:]
    out = {"collect": collected.stdout, "root": course.root}
    for fmt in ("long", "wide", "canvas"):
        path = base / f"grades-{fmt}.csv"
        assert run("export", "--format", fmt, "--output", str(path)).returncode == 0
        assert path.read_bytes().startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM, for spreadsheets"
        with path.open(encoding="utf-8-sig", newline="") as handle:
            out[fmt] = list(csv.DictReader(handle))
    return out


def canvas_zip(base: Path, roster: list[dict], notebook) -> Path:
    """Canvas's flat files: lastfirst[_LATE]_<uid>_<submission id>_<file>, each with its time in the zip."""
    path = base / "submissions.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i, r in enumerate(roster):
            if r["missing"]:
                continue
            tag = (r["last_name"] + r["first_name"]).lower().replace(" ", "").replace("'", "")
            late = "_LATE" if r["late"] else ""
            when = LATE if r["late"] else ON_TIME
            if r["twice"]:  # an earlier blank upload, then the real one as "<name>-1.ipynb"
                info = zipfile.ZipInfo(f"{tag}{late}_{r['lms_user_id']}_{90000 + i}_{A1}.ipynb",
                                       (when - dt.timedelta(hours=3)).timetuple()[:6])
                zf.writestr(info, notebook("blank"))
                name = f"{A1}-1.ipynb"
            else:
                name = f"{A1}.ipynb"
            zf.writestr(zipfile.ZipInfo(f"{tag}{late}_{r['lms_user_id']}_{80000 + i}_{name}", when.timetuple()[:6]),
                        notebook(r["kind"]))
        zf.writestr(zipfile.ZipInfo(f"stranger_9999_99999_{A1}.ipynb", ON_TIME.timetuple()[:6]), notebook("model"))
    return path


def moodle_folder(base: Path, roster: list[dict], notebook) -> Path:
    """Moodle's folders: <Full Name>_<participant id>_assignsubmission_file_/<file>, file times kept."""
    top = base / "moodle"
    for r in roster:
        if r["missing"]:
            continue
        folder = top / f"{r['first_name']} {r['last_name']}_{r['lms_user_id']}_assignsubmission_file_"
        folder.mkdir(parents=True)
        (folder / f"{A1}.ipynb").write_bytes(notebook(r["kind"]))
        stamp = (LATE if r["late"] else ON_TIME).timestamp()
        os.utime(folder / f"{A1}.ipynb", (stamp, stamp))
    return top


@pytest.fixture(scope="module")
def roster():
    return students()


@pytest.fixture(scope="module")
def via_canvas(tmp_path_factory, roster):
    return grade(tmp_path_factory.mktemp("canvas"), roster, canvas_zip)


@pytest.fixture(scope="module")
def via_moodle(tmp_path_factory, roster):
    return grade(tmp_path_factory.mktemp("moodle"), roster, moodle_folder)


@pytest.fixture(params=["via_canvas", "via_moodle"])
def graded(request):
    return request.getfixturevalue(request.param)


def test_everyone_is_collected_or_listed(via_canvas, roster):
    """43 collected, the one who sent nothing absent, the stranger listed as refused (never dropped)."""
    assert "collected 43 submission(s) from a Canvas download" in via_canvas["collect"]
    assert "Canvas number 9999 is on no roster row" in via_canvas["collect"]
    rows = {r["student_id"]: r for r in via_canvas["long"]}
    assert any(r["status"] == "refused_at_collect" and "9999" in r["details"] for r in via_canvas["long"])
    assert {r["id"] for r in roster} <= set(rows)


def test_the_long_export_is_right_to_the_cell(graded, roster):
    """Score, penalty, final score, late, minutes late and status of every student, as computed here."""
    rows = {r["student_id"]: r for r in graded["long"]}
    for r in roster:
        want, got = expected(r), rows[r["id"]]
        assert float(got["score"]) == want["score"], (r, got)
        assert float(got["final_score"]) == pytest.approx(want["final"]), (r, got)
        assert (got["late"], got["minutes_late"], got["status"]) == (want["late"], want["minutes"], want["status"]), (r, got)


def test_resubmissions_grade_the_newest(via_canvas, roster):
    """A blank upload followed by the real one ('-1'): the newer is graded, and the row says so."""
    rows = {r["student_id"]: r for r in via_canvas["long"]}
    twice = [r for r in roster if r["twice"] and not r["missing"]]
    assert twice
    for r in twice:
        assert float(rows[r["id"]]["score"]) == SCORES[r["kind"]]
        assert "several_notebooks" in rows[r["id"]]["flags"]


def test_the_wide_export_is_right_to_the_cell(graded, roster):
    """One row per student, the final score in the assignment's column."""
    rows = {r["student_id"]: r for r in graded["wide"]}
    for r in roster:
        assert float(rows[r["id"]][A1]) == pytest.approx(expected(r)["final"]), r
        assert (rows[r["id"]]["last_name"], rows[r["id"]]["first_name"]) == (r["last_name"], r["first_name"])


def test_the_canvas_export_is_right_to_the_cell(graded, roster):
    """Canvas's columns: Points Possible first, then Student, ID (the LMS number), SIS User ID, the final score."""
    table = graded["canvas"]
    assert list(table[0])[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert table[0]["Student"] == "Points Possible" and table[0][A1] == "5"
    rows = {r["SIS User ID"]: r for r in table[1:]}
    for r in roster:
        got = rows[r["id"]]
        assert got["ID"] == r["lms_user_id"] and got["Student"] == f"{r['last_name']}, {r['first_name']}"
        assert float(got[A1]) == pytest.approx(expected(r)["final"])


def test_the_report_agrees_with_the_gradebook(graded):
    """Count, mean and median in the report are the gradebook's, read here with SQL; the page has its figures."""
    root = graded["root"]
    with sqlite3.connect(f"file:{root / 'gradebook.db'}?mode=ro", uri=True) as con:
        totals = [s for (s,) in con.execute(
            "SELECT SUM(COALESCE(g.manual_score, g.auto_score, 0)) FROM grade g "
            "JOIN submitted_notebook sn ON g.notebook_id = sn.id JOIN submitted_assignment sa ON sn.assignment_id = sa.id "
            "JOIN assignment a ON sa.assignment_id = a.id WHERE a.name = ? GROUP BY sa.id", (A1,))]
    text = (root / "reports" / f"{A1}.md").read_text(encoding="utf-8")
    assert f"Graded in full: {len(totals)}; mean {statistics.fmean(totals):.2f}, median {statistics.median(totals):g}" in text
    page = (root / "reports" / f"{A1}.html").read_text(encoding="utf-8")
    assert page.count("<img src='data:image/png;base64,") == 2 and "alt='Histogram of the total scores of" in page
