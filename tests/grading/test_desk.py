"""The instructor's desk on the mini course: export formats, the report page, manual grading, lateness, feedback
for some students (koreathaw_grading.export, .report, .manual, .feedback)."""

from __future__ import annotations

import csv
import datetime as dt
import os

import pytest
from conftest import ASSIGNMENT, RIGHT, answered, needs_sandbox, read, write

from koreathaw_grading import cli, parallel
from koreathaw_grading.collect import collect
from koreathaw_grading.export import cell, export
from koreathaw_grading.late import set_duedate
from koreathaw_grading.manual import grade_manual
from koreathaw_grading.report import md, page, picture, report

pytestmark = needs_sandbox
NB = f"{ASSIGNMENT}.ipynb"


@pytest.fixture(scope="module")
def desk(mini, tmp_path_factory):
    """Three students: one right and on time, one right but a day late, one blank; a due date; graded."""
    (mini.root / "students.csv").write_text("id,first_name,last_name,email,lms_user_id\n"
                                            "ann,Ann,Émile,ann@x.org,501\nbo,Bo,=HYPERLINK(1),bo@x.org,502\n"
                                            "cy,Cy,Kim,cy@x.org,503\n", encoding="utf-8")
    release = read(mini.root / "release" / ASSIGNMENT / NB)
    download = tmp_path_factory.mktemp("d")
    write(answered(release, RIGHT), download / "ann" / NB)
    write(answered(release, RIGHT), download / "bo" / NB)
    write(release, download / "cy" / NB)
    collect(mini, download, ASSIGNMENT)
    due = dt.datetime(2026, 11, 20, 12, 0)
    set_duedate(mini, ASSIGNMENT, due)
    for student, hours in (("ann", -1), ("bo", 25)):
        stamp = (due + dt.timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M:%S.000000 UTC")
        (mini.root / "submitted" / student / ASSIGNMENT / "timestamp.txt").write_text(stamp + "\n")
    mini.init()
    parallel.autograde(mini, ASSIGNMENT, jobs=2)
    return mini


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_pending_manual_grading_is_a_status_then_final(desk, tmp_path):
    """Before the essay is graded the row says manual_grading_pending and no LMS number; after, the total."""
    rows = {r["student_id"]: r for r in read_csv(export(desk, tmp_path / "l.csv"))}
    assert rows["ann"]["status"] == "manual_grading_pending" and rows["ann"]["needs_attention"] == "yes"
    canvas = {r["SIS User ID"]: r for r in read_csv(export(desk, tmp_path / "c.csv", fmt="canvas"))[1:]}
    assert canvas["ann"][ASSIGNMENT] == "" and canvas["ann"]["ID"] == "501"
    wide = {r["student_id"]: r for r in read_csv(export(desk, tmp_path / "w.csv", fmt="wide"))}
    assert wide["ann"][ASSIGNMENT] == "pending"
    assert "ann t1-mini essay: 1/1" in grade_manual(desk, ASSIGNMENT, "ann", "essay", 1, "good")
    rows = {r["student_id"]: r for r in read_csv(export(desk, tmp_path / "l2.csv"))}
    assert (rows["ann"]["status"], rows["ann"]["final_score"]) == ("graded", "4")
    moodle = {r["ID number"]: r for r in read_csv(export(desk, tmp_path / "m.csv", fmt="moodle"))}
    assert moodle["ann"][ASSIGNMENT] == "4" and moodle["ann"]["Email address"] == "ann@x.org"


def test_lateness_is_measured_from_the_due_date(desk, tmp_path):
    """bo handed in 25 hours late: late, 1500 minutes, flagged; ann on time."""
    rows = {r["student_id"]: r for r in read_csv(export(desk, tmp_path / "late.csv"))}
    assert (rows["bo"]["late"], rows["bo"]["minutes_late"]) == ("yes", "1500") and "late:1500min" in rows["bo"]["flags"]
    assert (rows["ann"]["late"], rows["ann"]["minutes_late"]) == ("no", "0")


def test_csv_cells_cannot_be_formulas(desk, tmp_path):
    """A name starting with '=' is written so a spreadsheet shows it as text; the file has a BOM; é survives."""
    path = export(desk, tmp_path / "f.csv", fmt="wide")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "Émile".encode() in raw
    assert {r["student_id"]: r for r in read_csv(path)}["bo"]["last_name"] == "'=HYPERLINK(1)"
    assert cell("+1") == "'+1" and cell("plain") == "plain"
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        export(desk, tmp_path / "x.csv", fmt="xml")


def test_the_report_is_the_gradebook_in_figures(desk):
    """Totals and pass rates come from the gradebook; the page escapes names and runs nothing."""
    pic = picture(desk, ASSIGNMENT)
    assert pic.max_score == 4.0 and set(pic.totals) | set(pic.pending) == {"ann", "bo", "cy"}
    rates = {name: rate for name, _, rate, _ in pic.items}
    assert rates["double-tests"] == pytest.approx(2 / 3) and rates["words-tests"] == pytest.approx(2 / 3)
    html = page(desk, ASSIGNMENT, pic)
    assert "script" not in html.lower().replace("content-security-policy", "") and html.count("<img") == 2
    assert md("a|b <i>`x`*") == "a&#124;b &lt;i&gt;&#96;x&#96;&#42;"
    text = report(desk, ASSIGNMENT).read_text()
    assert "## Graded cells" in text and "double-tests" in text


def test_manual_grading_refuses_what_cannot_be(desk):
    """A score beyond the cell's points, or a cell that does not exist, is an error saying so."""
    with pytest.raises(ValueError, match="worth 0 to 1"):
        grade_manual(desk, ASSIGNMENT, "bo", "essay", 3)
    with pytest.raises(ValueError, match="no graded cell 'nope'"):
        grade_manual(desk, ASSIGNMENT, "bo", "nope", 1)


def test_feedback_for_some_students_and_the_new_verbs(desk, capsys):
    """make feedback STUDENTS=ann writes ann's page only; duedate, grade-manual and export formats from the CLI."""
    root = str(desk.root)
    assert cli.main(["--course", root, "feedback", ASSIGNMENT, "--students", "ann"]) == 0
    assert (desk.root / "feedback" / "ann" / ASSIGNMENT / f"{ASSIGNMENT}.html").is_file()
    assert not (desk.root / "feedback" / "cy").exists()
    assert cli.main(["--course", root, "duedate", ASSIGNMENT, "2026-11-21 12:00"]) == 0
    assert cli.main(["--course", root, "duedate", ASSIGNMENT, "someday"]) == 2
    assert cli.main(["--course", root, "grade-manual", ASSIGNMENT, "cy", "essay", "0"]) == 0
    assert cli.main(["--course", root, "export", "--format", "canvas", "--assignment", ASSIGNMENT]) == 0
    assert (desk.root / "reports" / "grades-canvas.csv").is_file()
    out = capsys.readouterr()
    assert "due 2026-11-21T12:00:00 UTC" in out.out and "is not a date" in out.err
