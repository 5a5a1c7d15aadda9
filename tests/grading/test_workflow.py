"""The instructor's workflow on a tiny course, in seconds: release, collect, autograde, report, feedback, export.

Runs the package in this process (so the fast suite measures its coverage), with the
course's real ``nbgrader_config.py`` and the real sandbox.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import ASSIGNMENT, RIGHT, WRONG_DOUBLE, answered, needs_sandbox, read, write

from koreathaw_grading import cli, grade, parallel, results
from koreathaw_grading.collect import collect
from koreathaw_grading.export import export
from koreathaw_grading.feedback import feedback, hidden_lines, leaks, page_text
from koreathaw_grading.report import report
pytestmark = needs_sandbox

#: A later cell prints every call the student's function received: in the grading run that would
#: include the hidden tests' arguments (10 and -7); feedback must show the display run's instead.
SPY = ("CALLS = []\ndef double(x):\n    CALLS.append(x)\n    return 2 * x\n")


def submissions(course, folder: Path) -> dict[str, str]:
    """An LMS-style download: one folder per student holding the notebook. Returns student -> what it is."""
    release = read(course.root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    nb = f"{ASSIGNMENT}.ipynb"
    write(answered(release, RIGHT), folder / "good" / nb)
    write(answered(release, {**RIGHT, "double": WRONG_DOUBLE}), folder / "wrong" / nb)
    write(release, folder / "blank" / nb)
    spy = answered(release, {**RIGHT, "double": SPY})
    spy["cells"].append({"cell_type": "code", "id": "spy-print", "metadata": {}, "outputs": [], "execution_count": None,
                         "source": "print('calls seen:', CALLS)"})
    write(spy, folder / "spy" / nb)
    gone = answered(release, RIGHT)
    gone["cells"] = [c for c in gone["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") != "words-tests"]
    write(gone, folder / "deleter" / nb)
    moved = answered(release, RIGHT)
    setup = next(c for c in moved["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "setup")
    moved["cells"].remove(setup)
    write(moved, folder / "unsetup" / nb)
    moved["cells"].append(setup)
    write(moved, folder / "mover" / nb)
    write(answered(release, RIGHT), folder / "renamer" / f"{ASSIGNMENT} (1).ipynb")
    (folder / "pdf").mkdir(parents=True)
    (folder / "pdf" / nb).write_bytes(b"%PDF-1.4 not a notebook")
    (folder / "empty").mkdir()
    (course.root / "students.csv").write_text("id,first_name,last_name\n" + "\n".join(
        f"{s},{s.title()},Student" for s in ["good", "wrong", "blank", "spy", "deleter", "renamer", "pdf", "empty",
                                             "ghost", "mover", "unsetup"]) + "\n", encoding="utf-8")
    return {}


@pytest.fixture(scope="module")
def graded(mini, tmp_path_factory):
    """The mini course with a batch collected and graded on two workers."""
    download = tmp_path_factory.mktemp("download")
    submissions(mini, download)
    collect(mini, download, ASSIGNMENT)
    mini.init()
    done = {r.student: r for r in parallel.autograde(mini, ASSIGNMENT, jobs=2)}
    return mini, done


def test_release_hides_solutions_and_hidden_tests_and_stamps_the_cells(mini):
    """The released notebook has neither the model answer nor a hidden test, and lists its graded cells."""
    release = read(mini.root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    text = json.dumps(release)
    assert "BEGIN HIDDEN TESTS" not in text and "double(-7)" not in text and "return 2 * x" not in text
    stamped = release["metadata"]["koreathaw_grading"]
    assert [c["grade_id"] for c in stamped["cells"]] == ["setup", "double", "double-tests", "words", "words-tests", "essay"]
    assert stamped["max_points"] == 4


def test_scores_and_statuses(graded):
    """Full marks for the right answers, the hidden test catches the wrong one, bad files are named."""
    _, done = graded
    summary = {s: (r.status, r.score, r.max_score) for s, r in done.items()}
    assert summary["good"] == ("graded", 3.0, 4.0)
    assert summary["wrong"] == ("graded", 1.0, 4.0)
    assert summary["blank"] == ("graded", 0.0, 4.0)
    assert summary["deleter"][:2] == ("graded", 3.0) and "deleted_cells:words-tests" in done["deleter"].flags
    assert summary["mover"][:2] == ("graded", 3.0) and "cells_moved:setup" in done["mover"].flags
    assert summary["unsetup"][:2] == ("graded", 3.0) and "deleted_cells:setup" in done["unsetup"].flags
    assert "not put back" in " ".join(done["unsetup"].details)
    assert summary["renamer"][:2] == ("graded", 3.0) and any(f.startswith("renamed_notebook") for f in done["renamer"].flags)
    assert summary["pdf"][0] == "unreadable_notebook" and summary["empty"][0] == "empty_submission"
    assert summary["ghost"][0] == "not_submitted"
    assert "manual_grading_pending:essay" in done["good"].flags and not done["good"].needs_attention


def test_feedback_shows_the_display_run_not_the_hidden_arguments(graded):
    """The spy's later cell printed the calls its function got: feedback shows no hidden test's argument."""
    course, done = graded
    nb = read(course.root / "autograded" / "spy" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    assert nb["metadata"]["koreathaw_sandbox"]["runs"] == 2, "a second, test-free run made the outputs"
    printed = "".join("".join(o.get("text", "")) for c in nb["cells"] for o in c.get("outputs", []))
    assert "calls seen: []" in printed and "-7" not in printed
    assert done["spy"].score == 3.0


def test_report_and_export_agree_with_the_gradebook(graded, tmp_path):
    """Every roster student has one row; scores are the gradebook's; the report lists who needs attention."""
    course, done = graded
    out = export(course, tmp_path / "grades.csv")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = {r["student_id"]: r for r in csv.DictReader(handle)}
    assert set(rows) == set(done)
    assert rows["good"]["score"] == "3" and rows["good"]["max_score"] == "4"
    assert (rows["good"]["status"], rows["good"]["needs_attention"]) == ("manual_grading_pending", "yes"), \
        "the essay waits for the instructor: not final, and the instructor's to do"
    assert rows["ghost"]["status"] == "not_submitted"
    text = report(course, ASSIGNMENT).read_text(encoding="utf-8")
    assert "**pdf**" in text and "**good**" not in text.split("## Everyone")[0]


def test_feedback_pages_show_no_hidden_test(graded):
    """Generated feedback: no hidden line in any page; the leak check reads through highlighting."""
    course, _ = graded
    pages = feedback(course, ASSIGNMENT)
    assert {p.parent.parent.name for p in pages} >= {"good", "wrong", "blank"}
    assert hidden_lines(course, ASSIGNMENT) and leaks(course, ASSIGNMENT) == {}
    wrong = page_text((course.root / "feedback" / "wrong" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text())
    assert "double is wrong for another number" in wrong
    assert page_text('<span class="n">assert</span> <span>x</span>') == "assert x"


def test_serial_grading_gives_the_same_result(graded):
    """grade.autograde (one after another) reports what the parallel run reported."""
    course, done = graded
    again = {r.student: r for r in grade.autograde(course, ASSIGNMENT, ["good", "wrong"])}
    for student in ("good", "wrong"):
        assert (again[student].status, again[student].score, again[student].flags) == \
               (done[student].status, done[student].score, done[student].flags)
    assert results.load_all(course.root, ASSIGNMENT)["good"].score == 3.0


def test_unsafe_grading_is_flagged_on_every_line(graded, monkeypatch):
    """UNSAFE_NO_SANDBOX=1 grades with nbgrader's own kernel, and every result says so."""
    from koreathaw_grading.course import Course

    course, _ = graded
    monkeypatch.setenv("UNSAFE_NO_SANDBOX", "1")
    unsafe = Course(course.root, echo=lambda line: None)
    res = grade.grade_one(unsafe, ASSIGNMENT, "good")
    assert "UNSAFE_NO_SANDBOX" in res.flags and res.needs_attention and "UNSAFE_NO_SANDBOX" in res.line()
    assert res.score == 3.0


def test_the_command_line(graded, tmp_path, capsys):
    """koreathaw-grade verbs exit 0 on success, 2 with a message (no traceback) on bad input."""
    course, _ = graded
    root = str(course.root)
    assert cli.main(["--course", root, "report", ASSIGNMENT]) == 0
    assert cli.main(["--course", root, "export", "--output", str(tmp_path / "g.csv")]) == 0
    assert cli.main(["--course", root, "init"]) == 0
    assert cli.main(["--course", root, "collect", str(tmp_path / "nothing-here"), ASSIGNMENT]) == 2
    assert cli.main(["--course", str(tmp_path), "report"]) == 2
    err = capsys.readouterr().err
    assert "no folder" in err and "no nbgrader_config.py" in err and "Traceback" not in err
    assert cli.main(["--course", root, "autograde", ASSIGNMENT, "--students", "good", "--serial"]) == 0


def test_validate_passes_the_answers_and_fails_the_blank(graded, tmp_path):
    """The student's self-check: Success for the right answers, failure for the blank release."""
    course, _ = graded
    release = read(course.root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    good = write(answered(release, RIGHT), tmp_path / "good" / f"{ASSIGNMENT}.ipynb")
    blank = write(release, tmp_path / "blank" / f"{ASSIGNMENT}.ipynb")
    assert cli.main(["--course", str(course.root), "validate", str(good)]) == 0
    assert cli.main(["--course", str(course.root), "validate", str(blank)]) == 1


def test_autograde_refuses_where_it_cannot_sandbox(graded, monkeypatch, capsys):
    """No bubblewrap (or no user namespaces): autograde grades no one and says why and how to enable it."""
    from koreathaw_grading.sandbox import host, launch

    course, _ = graded
    monkeypatch.setattr(launch, "_CHECKED", {})
    monkeypatch.setattr(host, "requirements", lambda: ["bwrap-that-is-not-installed"])
    monkeypatch.setattr(launch, "requirements", lambda: ["bwrap-that-is-not-installed"])
    before = results.load_all(course.root, ASSIGNMENT)["good"].seconds
    assert cli.main(["--course", str(course.root), "autograde", ASSIGNMENT]) == 2
    err = capsys.readouterr().err
    assert "cannot sandbox" in err and "apt install bubblewrap" in err and "UNSAFE_NO_SANDBOX=1" in err
    assert results.load_all(course.root, ASSIGNMENT)["good"].seconds == before, "nobody was graded"


def test_validate_names_a_duplicated_graded_cell(graded, tmp_path, capsys):
    """A copied test cell: the self-check says which cell is doubled (nbgrader alone stops on 'Duplicate grade id')."""
    course, _ = graded
    release = read(course.root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    nb = answered(release, RIGHT)
    i = next(i for i, c in enumerate(nb["cells"]) if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "double-tests")
    twin = json.loads(json.dumps(nb["cells"][i]))
    twin["id"] = "double-tests-copy"
    nb["cells"].insert(i + 1, twin)
    copied = write(nb, tmp_path / "with space" / f"{ASSIGNMENT}.ipynb")
    capsys.readouterr()
    assert cli.main(["--course", str(course.root), "validate", str(copied)]) == 1
    out = capsys.readouterr().out
    assert "[duplicated cell double-tests]" in out and "appears more than once" in out, out
    assert "cannot be validated" not in out and "Duplicate grade id" not in out


def test_make_validate_takes_a_path_with_spaces(graded, tmp_path):
    """`make validate NB="a folder/x.ipynb"` checks that one file (make's $(abspath) used to split it in two)."""
    import subprocess

    course, _ = graded
    release = read(course.root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    good = write(answered(release, RIGHT), tmp_path / "my work folder" / f"{ASSIGNMENT}.ipynb")
    repo = Path(__file__).resolve().parents[2]
    done = subprocess.run(["make", "-s", "--no-print-directory", "validate", f"COURSE={course.root}", f"NB={good}"],
                          cwd=repo, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"== {good}" in done.stdout and "Success!" in done.stdout
