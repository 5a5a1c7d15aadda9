"""Collect refuses what it should, and every folder it saw is in the report and the export (koreathaw_grading.collect).

Submissions arrive as an LMS download or a hub delivers them: one folder per student.
Hostile ones hold links (to the course's sources, to /etc/passwd, a loop), names that
are no student id (HTML, a newline, a pipe, a hidden folder, a path), twins that differ
only in case or Unicode form, several notebooks, and a 200 MB flood of output.
"""

from __future__ import annotations

import csv
import json
import os
import time
from pathlib import Path

import pytest
from conftest import ASSIGNMENT, RIGHT, answered, needs_sandbox, read, write

from koreathaw_grading import cli, ids, parallel
from koreathaw_grading.collect import collect, load_notes
from koreathaw_grading.export import export
from koreathaw_grading.report import report

NB = f"{ASSIGNMENT}.ipynb"
HTML_ID = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def download(mini, tmp_path_factory):
    """A hostile LMS download beside honest students; collected into the mini course."""
    folder = tmp_path_factory.mktemp("download")
    release = read(mini.root / "release" / ASSIGNMENT / NB)
    good = answered(release, RIGHT)
    write(good, folder / "honest" / NB)
    # links: a submission that is a link to the course's source, one inside a folder, a loop
    (folder / "linker").symlink_to(mini.root / "source" / ASSIGNMENT, target_is_directory=True)
    (folder / "passwd").mkdir()
    (folder / "passwd" / NB).symlink_to("/etc/passwd")
    write(good, folder / "looper" / NB)
    (folder / "looper" / "loop").symlink_to(".", target_is_directory=True)
    # names that are no id
    for bad in (HTML_ID, "new\nline", "pipe|d", ".hidden"):
        write(good, folder / bad / NB)
    # twins: Kim01 and kim01, josé in NFD (folder) and NFC (roster)
    write(release, folder / "kim01" / NB)
    time.sleep(0.05)
    write(good, folder / "Kim01" / NB)
    write(good, folder / "jose\u0301" / NB)
    # two notebooks: the blank one older, the answered copy newer
    write(release, folder / "twice" / NB)
    old = time.time() - 3600
    os.utime(folder / "twice" / NB, (old, old))
    write(good, folder / "twice" / f"{ASSIGNMENT} (1).ipynb")
    # a flood of output
    flood = answered(release, RIGHT, extra=["print('x' * 200_000_000)"])
    write(flood, folder / "flooder" / NB)
    (mini.root / "students.csv").write_text("id,first_name\nhonest,H\nkim01,K\njos\u00e9,J\ntwice,T\nflooder,F\n"
                                            "linker,L\nghost,G\n", encoding="utf-8")
    lines: list[str] = []
    mini.echo = lines.append
    collect(mini, folder, ASSIGNMENT)
    return mini, folder, lines


def seen(course, folder: str):
    return next(s for s in load_notes(course.root, ASSIGNMENT) if s.folder == folder)


def test_links_are_never_followed(download):
    """A folder that is a link, a notebook that links to /etc/passwd, a loop: refused or left out, never copied."""
    course, _, lines = download
    assert seen(course, "linker").status == "refused" and "link" in seen(course, "linker").details[0]
    assert not (course.root / "submitted" / "linker").exists()
    assert "link_refused:" + NB in seen(course, "passwd").flags
    assert not (course.root / "submitted" / "passwd" / ASSIGNMENT / NB).exists()
    assert "link_refused:loop" in seen(course, "looper").flags
    assert (course.root / "submitted" / "looper" / ASSIGNMENT / NB).is_file()
    for path in (course.root / "submitted").rglob("*"):
        assert not path.is_symlink(), path
    assert not any("root:x:0:0" in line for line in lines)


@pytest.mark.parametrize("name", [HTML_ID, "new\nline", "pipe|d", ".hidden"])
def test_names_that_are_no_id_are_refused_and_listed(download, name):
    """HTML, a newline, a pipe, a hidden folder: refused with the reason, never a folder of submitted/."""
    course, _, lines = download
    item = seen(course, name)
    assert item.status == "refused" and "not a usable student id" in item.details[0]
    assert not (course.root / "submitted" / name).exists()
    assert any(repr(name) in line for line in lines), "collect names the refused folder"


def test_case_and_unicode_twins_are_one_student(download):
    """Kim01 (newer) is collected as the roster's kim01, and kim01 is refused as the same student;
    josé in NFD is the roster's NFC josé."""
    course, _, _ = download
    assert seen(course, "Kim01").student == "kim01" and seen(course, "Kim01").status == "collected"
    assert seen(course, "kim01").status == "refused" and "same student" in seen(course, "kim01").details[0]
    assert seen(course, "jose\u0301").student == "jos\u00e9"
    assert sorted(p.name for p in (course.root / "submitted").iterdir()) == sorted(
        ["honest", "looper", "kim01", "jos\u00e9", "twice", "flooder", "passwd"])


def test_the_newest_of_several_notebooks_is_graded_and_the_others_listed(download):
    """'a1 (1).ipynb', newer than 'a1.ipynb', is the one put in place; the other is named in the flag."""
    course, _, _ = download
    item = seen(course, "twice")
    assert item.flags == [f"several_notebooks:{NB}"]
    kept = read(course.root / "submitted" / "twice" / ASSIGNMENT / NB)
    assert "return 2 * x" in json.dumps(kept)


@pytest.fixture(scope="module")
def graded(download):
    course, _, _ = download
    course.init()
    done = {r.student: r for r in parallel.autograde(course, ASSIGNMENT, jobs=2)}
    rows_path = export(course, course.root / "reports" / "grades.csv")
    with rows_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return course, done, rows


@needs_sandbox
def test_several_notebooks_grade_the_newest(graded):
    """The twice student gets full marks for the newer notebook, and the flag says what was not graded."""
    _, done, _ = graded
    assert done["twice"].score == 3.0 and any(f.startswith("several_notebooks") for f in done["twice"].flags)


@needs_sandbox
def test_an_output_flood_is_capped_and_flagged(graded):
    """200 MB printed: the autograded notebook and the feedback stay small, the grade stands, the row is flagged."""
    course, done, _ = graded
    path = course.root / "autograded" / "flooder" / ASSIGNMENT / NB
    assert path.stat().st_size < 5 * 1024 * 1024
    assert done["flooder"].score == 3.0 and any(f.startswith("output_truncated") for f in done["flooder"].flags)
    assert "bytes of output were dropped" in path.read_text(encoding="utf-8")


@needs_sandbox
def test_every_folder_is_in_the_export_and_the_report(graded):
    """Collected or refused, each folder has a row: refused ones with their reason, CSV-safe."""
    course, _, rows = graded
    by_id = {r["student_id"].lstrip("'"): r for r in rows}
    for name in (HTML_ID, "new\nline", "pipe|d", ".hidden"):
        assert by_id[name]["status"] == "refused_at_collect" and by_id[name]["needs_attention"] == "yes"
    assert by_id["linker"]["status"] == "refused_at_collect", "a roster student whose folder was a link"
    assert by_id["ghost"]["status"] == "not_submitted"
    assert by_id["honest"]["score"] == "3" and by_id["looper"]["score"] == "3"
    text = report(course, ASSIGNMENT).read_text(encoding="utf-8")
    assert "## Refused at collect" in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "<img" not in text and ".hidden" in text


def test_a_roster_id_that_is_a_path_is_an_error_naming_the_line(mini, tmp_path, capsys):
    """'../../../../tmp/x/pwn' in the roster: exit 2, the file and line named; nothing written outside the course."""
    roster = tmp_path / "roster.csv"
    roster.write_text("id\nkim01\n../../../../tmp/x/pwn\n", encoding="utf-8")
    assert cli.main(["--course", str(mini.root), "--roster", str(roster), "init"]) == 2
    err = capsys.readouterr().err
    assert f"{roster}, line 3" in err and "starts with a dot" in err
    assert not Path("/tmp/x/pwn").exists()


def test_ids_are_checked_where_they_come_from(mini, tmp_path):
    """A name in submitted/ that is no id (put there by hand or by another tool) is listed, never graded."""
    (mini.root / "submitted" / "bad name").mkdir(parents=True, exist_ok=True)
    try:
        assert "bad name" in mini.unusable_ids() and "bad name" not in mini.students()
    finally:
        (mini.root / "submitted" / "bad name").rmdir()
    assert ids.problem("ok-id") is None
