"""Proofs that the assignments grade correctly and survive what students hand in.

Everything runs in a temporary copy of the course (see gradingkit.py); one
autograde batch with good and bad submissions is shared by most tests.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from gradingkit import (A1_BATCH, A1_STATUS, ASSIGNMENTS, EXIT, GHOST, KERNEL_MEMORY_MB, WRONG, Batch, CourseCopy,
                        build_submissions, grade_id, make_course, nbgrader_meta, read, region_lines, run_batch,
                        source_text, with_source, without, write)

from koreathaw_grading.feedback import page_text


def test_page_text_sees_highlighted_code():
    """The leak check (the package's own page_text) reads through syntax highlighting and entities."""
    raw = '<pre><span class="n">assert</span> <span class="n">f</span><span class="p">(</span>1<span class="p">)</span> &gt; 0</pre>'
    assert "assert f(1) > 0" in page_text(raw)
    assert "secret" not in page_text("<script>var secret = 1;</script><p>shown</p>")


pytestmark = [pytest.mark.grading, pytest.mark.slow]

@pytest.fixture(scope="module")
def released(tmp_path_factory) -> CourseCopy:
    """A course copy with all four assignments released (by the course's driver)."""
    course = make_course(tmp_path_factory.mktemp("course"))
    course.grading("release")
    return course


@pytest.fixture(scope="module")
def graded(released: CourseCopy) -> Batch:
    """Every submission of every assignment, graded in one autograde run, then exported."""
    build_submissions(released)
    lines, seconds = run_batch(released)
    released.grading("export")
    return Batch(released, lines, seconds, released.export_rows())


KERNELSPEC = {"name": "koreathaw", "display_name": "Python 3 (Korean Thaw)", "language": "python"}


def points(nb: dict) -> dict[str, float]:
    return {grade_id(c): float(nbgrader_meta(c).get("points", 0)) for c in nb["cells"]
            if nbgrader_meta(c).get("grade") and not nbgrader_meta(c).get("solution")}


def manual_points(nb: dict) -> float:
    return sum(float(nbgrader_meta(c).get("points", 0)) for c in nb["cells"]
               if nbgrader_meta(c).get("grade") and nbgrader_meta(c).get("solution"))


def row(rows: list[dict[str, str]], assignment: str, student: str) -> dict[str, str]:
    found = [r for r in rows if r["assignment"] == assignment and r["student_id"] == student]
    assert len(found) == 1, f"expected one row for {student}/{assignment}, found {len(found)}"
    return found[0]


def gradebook(course: CourseCopy):
    from nbgrader.api import Gradebook

    return Gradebook(f"sqlite:///{course.root / 'gradebook.db'}", "korean-thaw")


def cell_scores(course: CourseCopy, assignment: str, student: str) -> dict[str, float]:
    """The score of every grade cell of one submission, read from the gradebook."""
    with gradebook(course) as gb:
        sub = gb.find_submission(assignment, student)
        return {g.name: float(g.score) for nb in sub.notebooks for g in nb.grades}


# --------------------------------------------------------------------------- source and release

@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_source_is_clean_and_uses_the_course_kernel(name):
    """Source notebooks carry no outputs, execution counts or absolute paths, and the course kernel."""
    path = Path(__file__).resolve().parents[2] / "assignments" / "source" / name / f"{name}.ipynb"
    nb = read(path)
    assert nb["metadata"]["kernelspec"] == KERNELSPEC
    for c in nb["cells"]:
        if c["cell_type"] == "code":
            assert c["outputs"] == [] and c["execution_count"] is None, grade_id(c)
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"/(work|tmp|home|Users)/", text), "absolute path in the source"
    kinds = [nbgrader_meta(c) for c in nb["cells"]]
    assert sum(1 for m in kinds if m.get("solution") and not m.get("grade")) >= 2, "autograded answer cells"
    assert all("BEGIN HIDDEN TESTS" in source_text(c) for c in nb["cells"]
               if nbgrader_meta(c).get("grade") and not nbgrader_meta(c).get("solution")), "every test cell has hidden tests"


def test_synthesis_has_a_manually_graded_answer():
    """a4-synthesis has a markdown answer cell graded by hand, with points."""
    nb = read(Path(__file__).resolve().parents[2] / "assignments" / "source" / "a4-synthesis" / "a4-synthesis.ipynb")
    assert manual_points(nb) >= 1


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_has_no_solution_and_no_hidden_test(released, name):
    """The released notebook shows neither a line of the model solution nor of a hidden test."""
    source = released.source(name)
    release = released.release(name)
    text = "\n".join(source_text(c) for c in release["cells"])
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    everywhere = "\n".join(source_text(c) for c in source["cells"])
    outside = set(region_lines(everywhere.replace("### BEGIN SOLUTION", "### END X").replace("### END SOLUTION", "### BEGIN X"),
                               "BEGIN X", "END X"))
    secret = region_lines(everywhere, "BEGIN SOLUTION", "END SOLUTION") + region_lines(everywhere, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
    leaked = [line for line in secret if len(line) > 10 and line not in outside and line in text]
    assert leaked == []
    assert release["metadata"]["kernelspec"] == KERNELSPEC
    stamped = release["metadata"]["koreathaw_grading"]
    assert [c["grade_id"] for c in stamped["cells"]] == [grade_id(c) for c in release["cells"] if grade_id(c)]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_validate_passes_the_model_solution_and_fails_the_release(released, name, tmp_path):
    """`nbgrader validate` says Success for the model solution, and not for the blank release."""
    good = write(released.solved(name), tmp_path / "good" / f"{name}.ipynb")
    blank = write(released.release(name), tmp_path / "blank" / f"{name}.ipynb")
    out = released.nbgrader("validate", str(good), str(blank)).stdout
    assert "Success! Your notebook passes all the tests." in out
    assert out.count("Success!") == 1, out
    assert "VALIDATION FAILED" in out


def test_validate_fails_a_notebook_whose_graded_cells_were_deleted(released, tmp_path):
    """Deleted graded cells make `nbgrader validate` and `make validate` fail, not say Success."""
    name = "a1-sources"
    gone = write(without(released.solved(name), "count-term-tests", "standardise"), tmp_path / f"{name}.ipynb")
    out = released.nbgrader("validate", str(gone)).stdout
    assert "Success" not in out
    assert "VALIDATION FAILED" in out and "count-term-tests" in out and "standardise" in out
    proc = released.grading("validate", str(gone), check=False)
    assert proc.returncode == 1 and "missing" in proc.stdout
    good = write(released.solved(name), tmp_path / "ok" / f"{name}.ipynb")
    proc = released.grading("validate", str(good), check=False)
    assert proc.returncode == 0 and "Success!" in proc.stdout


SUBSTRING = '''
def count_term(article_id, term):
    return articles.loc[article_id, "body"].lower().count(term.lower())
'''


def test_validate_shows_the_whole_word_rule_and_a_broken_answer_cell(released, tmp_path):
    """The visible tests catch substring counting (the rule the hidden tests grade), and a syntax error in an
    answer cell is reported as such, not as a NameError in the test below it."""
    name = "a1-sources"
    substring = write(with_source(released.solved(name), "count-term", SUBSTRING), tmp_path / "substring" / f"{name}.ipynb")
    broken = write(with_source(released.solved(name), "people-mentioned", "def people_mentioned(article_id)\n    return []\n"),
                   tmp_path / "broken" / f"{name}.ipynb")
    out = released.grading("validate", str(substring), check=False)
    assert out.returncode == 1 and "count whole words only" in out.stdout, out.stdout[-2000:]
    out = released.grading("validate", str(broken), check=False)
    assert out.returncode == 1 and "your answer cell has an error" in out.stdout, out.stdout[-2000:]
    assert "NameError" not in out.stdout


# --------------------------------------------------------------------------- one graded batch

def test_progress_is_reported_while_the_batch_goes_on(graded):
    """Each submission is reported as soon as it is graded, counted as [i/n]."""
    progress = [(t, line) for t, line in graded.lines if re.match(r"\[\d+/\d+\]", line)]
    students = {s for r in graded.rows for s in [r["student_id"]]}
    a1 = [line for _, line in progress if " a1-sources:" in line]
    assert len(a1) == len(students)
    assert a1[0].startswith(f"[1/{len(students)}]") and a1[-1].startswith(f"[{len(students)}/{len(students)}]")
    first, last = progress[0][0], progress[-1][0]
    assert last - first > 5, "lines arrive one by one, not all at the end"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_model_solution_gets_full_marks_and_blank_gets_zero(graded, name):
    """The model solution earns every autograded point; the unchanged release earns none, without error."""
    source = graded.course.source(name)
    auto = sum(points(source).values())
    good = row(graded.rows, name, "good")
    assert good["status"] == ("manual_grading_pending" if manual_points(source) else "graded")
    assert float(good["score"]) == auto
    assert float(good["max_score"]) == auto + manual_points(source)
    scores = cell_scores(graded.course, name, "good")
    for gid, max_points in points(source).items():
        assert scores[gid] == max_points, gid
    blank = row(graded.rows, name, "blank")
    assert float(blank["score"]) == 0 and blank["status"] in ("graded", "manual_grading_pending")
    assert f"unchanged_release:{name}" in blank["flags"]
    # Only information: a read-only cell that calls an unanswered function (a3's map) raises NotImplementedError.
    problems = [f for f in blank["flags"].split("; ") if f and not re.fullmatch(r"error_in_cell:[\w-]+\(NotImplementedError\)(,[\w-]+\(NotImplementedError\))*", f)]
    assert not [f for f in problems if "error" in f], blank["flags"]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_partly_wrong_answer_loses_exactly_the_points_of_its_tests(graded, name):
    """A wrong answer that passes the visible tests fails the hidden ones: partial marks, cell by cell."""
    source = graded.course.source(name)
    _, _, failing = WRONG[name]
    scores = cell_scores(graded.course, name, "partly-wrong")
    for gid, max_points in points(source).items():
        assert scores[gid] == (0 if gid in failing else max_points), gid
    expected = sum(points(source).values()) - sum(points(source)[g] for g in failing)
    assert float(row(graded.rows, name, "partly-wrong")["score"]) == expected


@pytest.mark.parametrize("student", sorted(A1_BATCH))
def test_bad_submissions_are_graded_and_flagged(graded, student):
    """Loops, kernel deaths, memory hogs, deleted/edited/duplicated cells, wrong files: graded, flagged, never full marks unfairly."""
    score, flags = A1_BATCH[student]
    r = row(graded.rows, "a1-sources", student)
    assert float(r["score"]) == score, r
    assert r["status"] == A1_STATUS.get(student, "graded"), r
    for flag in flags:
        assert flag in r["flags"], (flag, r["flags"])
    if student.startswith("s-") and student not in ("s-duplicated", "s-renamed"):
        assert float(r["score"]) < float(r["max_score"])
    if student.startswith("s-"):
        assert r["needs_attention"] == "yes"
    report = (graded.course.root / "reports" / "a1-sources.md").read_text(encoding="utf-8")
    assert f"**{student}**" in report or not student.startswith("s-")


def test_memory_hog_met_the_kernel_limit(graded):
    """The memory hog got a MemoryError from the sandbox's limit (the machine's memory was never at stake):
    its test cell failed with it, and the kernel lived on to pass the next test."""
    nb = read(graded.course.root / "autograded" / "s-memory" / "a1-sources" / "a1-sources.ipynb")
    errors = {grade_id(c): [o.get("ename") for o in c.get("outputs", []) if o.get("output_type") == "error"]
              for c in nb["cells"] if grade_id(c)}
    assert errors["people-mentioned-tests"] == ["MemoryError"]
    assert errors["standardise-tests"] == []
    assert KERNEL_MEMORY_MB * 1024 * 1024 < 100 * 1024 * 1024 * 60, "the hog asks for more than the limit"


def test_no_graded_cell_is_left_waiting_for_manual_grading(graded):
    """Autograded cells never sit in 'needs manual grading'; only the written answer of a4 does."""
    with gradebook(graded.course) as gb:
        waiting = [(g.name, sub.student.id) for a in gb.assignments for sub in gb.assignment_submissions(a.name) for nb in sub.notebooks
                   for g in nb.grades if g.needs_manual_grade]
    assert {name for name, _ in waiting} <= {"argument"}
    assert "manual_grading_pending:argument" in row(graded.rows, "a4-synthesis", "good")["flags"]


def test_export_has_one_row_per_student_and_assignment(graded):
    """Every student of the roster, for every assignment, once, including those who handed in nothing."""
    students = {line.split(",")[0] for line in (graded.course.root / "students.csv").read_text().splitlines()[1:]}
    pairs = [(r["assignment"], r["student_id"]) for r in graded.rows]
    assert len(pairs) == len(set(pairs)) == len(students) * len(ASSIGNMENTS)
    assert row(graded.rows, "a1-sources", GHOST)["status"] == "not_submitted"
    assert row(graded.rows, "a2-timeline", "s-loop")["status"] == "not_submitted"
    assert float(row(graded.rows, "a1-sources", GHOST)["score"]) == 0
    assert {"status", "flags", "needs_attention", "score", "max_score", "details"} <= set(graded.rows[0])
    assert "not a readable notebook" in row(graded.rows, "a1-sources", "s-not-notebook")["details"]
    assert "answers.pdf" in row(graded.rows, "a1-sources", "s-pdf-only")["details"]


def test_feedback_shows_no_hidden_test(graded):
    """Feedback HTML of failing submissions contains no line of any hidden test."""
    graded.course.grading("feedback")
    pages = sorted((graded.course.root / "feedback").glob("*/*/*.html"))
    assert any("blank" in str(p) for p in pages) and any("s-edited" in str(p) for p in pages)
    for name in ASSIGNMENTS:
        hidden = region_lines("\n".join(source_text(c) for c in graded.course.source(name)["cells"]),
                              "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
        assert hidden
        hidden = [" ".join(line.split()) for line in hidden]
        for page in (p for p in pages if p.parent.name == name):
            text = page_text(page.read_text(encoding="utf-8"))
            shown = [line for line in hidden if line in text]
            assert shown == [], (page, shown)
    failing = page_text((graded.course.root / "feedback" / "partly-wrong" / "a1-sources" / "a1-sources.html").read_text())
    assert "count_term is wrong for another article or term" in failing, "the student still learns which test failed"


def test_manual_grade_reaches_the_export(graded):
    """Graded by hand from the command line (make grade-manual): the export and the report show it as final."""
    before = row(graded.rows, "a4-synthesis", "good")
    assert before["status"] == "manual_grading_pending" and before["needs_attention"] == "yes"
    done = graded.course.grading("grade-manual", "a4-synthesis", "good", "argument", "4", "--comment", "Well argued.")
    assert "good a4-synthesis argument: 4/4 (comment saved)" in done.stdout
    out = graded.course.root / "reports" / "after-manual.csv"
    graded.course.grading("export", "--output", str(out))
    r = row(graded.course.export_rows(out), "a4-synthesis", "good")
    assert float(r["score"]) == float(r["max_score"]) == 9 and r["status"] == "graded"
    assert "manual_grading_pending" not in r["flags"]
    graded.course.grading("report", "a4-synthesis")
    report = (graded.course.root / "reports" / "a4-synthesis.md").read_text(encoding="utf-8")
    assert "Manual grading pending" not in report or "good" not in report.split("Manual grading pending")[1].split("\n")[0]
    with gradebook(graded.course) as gb:
        assert gb.find_comment("argument", "a4-synthesis", "a4-synthesis", "good").manual_comment == "Well argued."
    refused = graded.course.grading("grade-manual", "a4-synthesis", "good", "argument", "7", check=False)
    assert refused.returncode == 2 and "worth 0 to 4" in refused.stderr


def test_autograde_again_gives_the_same_grades_and_no_duplicates(graded):
    """Re-running autograde changes no grade and adds no row; a resubmission that kills the kernel loses its old marks."""
    before = {(r["assignment"], r["student_id"]): (r["score"], r["status"], r["flags"]) for r in graded.rows
              if r["assignment"] != "a4-synthesis" and r["student_id"] != "resubmitter"}
    assert float(row(graded.rows, "a1-sources", "resubmitter")["score"]) == 5
    graded.course.submit("resubmitter", "a1-sources", with_source(graded.course.solved("a1-sources"), "people-mentioned", EXIT))
    run_batch_a1 = graded.course.grading("autograde", "a1-sources")
    assert "[1/" in run_batch_a1.stdout
    out = graded.course.root / "reports" / "again.csv"
    graded.course.grading("export", "--output", str(out))
    rows = graded.course.export_rows(out)
    after = {(r["assignment"], r["student_id"]): (r["score"], r["status"], r["flags"]) for r in rows
             if r["assignment"] != "a4-synthesis" and r["student_id"] != "resubmitter"}
    assert after == before
    resubmitted = row(rows, "a1-sources", "resubmitter")
    assert float(resubmitted["score"]) == 2 and "kernel_died" in resubmitted["flags"], "stock nbgrader keeps 5/5 here"
    assert len(rows) == len(graded.rows)
    with gradebook(graded.course) as gb:
        pairs = [(sub.student.id, sub.assignment.name) for a in gb.assignments for sub in gb.assignment_submissions(a.name)]
    dupes = [p for p in set(pairs) if pairs.count(p) > 1]
    assert dupes == []


def test_collect_copies_an_lms_download(released, tmp_path):
    """`collect` takes one folder per student (as an LMS download unpacks) into submitted/."""
    course = make_course(tmp_path / "c")
    download = tmp_path / "download"
    write(read(released.root / "release" / "a2-timeline" / "a2-timeline.ipynb"), download / "kim" / "a2-timeline.ipynb")
    (download / "lee").mkdir(parents=True)
    course.grading("collect", str(download), "a2-timeline")
    assert (course.root / "submitted" / "kim" / "a2-timeline" / "a2-timeline.ipynb").is_file()
    assert (course.root / "submitted" / "lee" / "a2-timeline").is_dir()


def test_graded_submission_whose_folder_is_gone_keeps_its_grade_flagged(graded):
    """A graded submission's folder disappears: the export keeps the gradebook's grade and flags the row.

    Stock nbgrader and the driver used to say ``not_submitted`` beside the old score,
    with nothing to explain it. (Runs last: it removes a folder of the shared batch.)
    """
    import shutil

    before = row(graded.rows, "a2-timeline", "good")
    assert before["status"] == "graded" and float(before["score"]) == float(before["max_score"]) == 7
    shutil.rmtree(graded.course.root / "submitted" / "good" / "a2-timeline")
    graded.course.grading("autograde", "a2-timeline", "--students", f"good,{GHOST}")
    out = graded.course.root / "reports" / "folder-gone.csv"
    graded.course.grading("export", "--output", str(out))
    rows = graded.course.export_rows(out)
    gone = row(rows, "a2-timeline", "good")
    assert gone["status"] == "not_submitted"
    assert float(gone["score"]) == 7, "the grade in the gradebook must not vanish from the export"
    assert gone["flags"] == "earlier_grade_kept" and gone["needs_attention"] == "yes"
    assert "submitted/good/a2-timeline" in gone["details"] and "(7 of 7" in gone["details"]
    ghost = row(rows, "a2-timeline", GHOST)
    assert (ghost["status"], ghost["score"], ghost["flags"]) == ("not_submitted", "0", "")


def test_collect_refuses_a_layout_it_cannot_read(released, tmp_path):
    """Notebooks directly in student folders without ASSIGNMENT=: an error that names the fix, not '0 collected'."""
    course = make_course(tmp_path / "c")
    download = tmp_path / "download"
    nb = read(released.root / "release" / "a2-timeline" / "a2-timeline.ipynb")
    write(nb, download / "kim" / "a2-timeline.ipynb")
    write(nb, download / "lee" / "a2-timeline.ipynb")
    done = course.grading("collect", str(download), check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "none of the 2 student folders" in done.stderr and "ASSIGNMENT=" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert not (course.root / "submitted").exists()
    wrong = course.grading("collect", str(download), "a9-nothing", check=False)
    assert wrong.returncode == 2 and "unknown assignment 'a9-nothing'" in wrong.stderr, wrong.stderr
    # nbgrader's layout for one student, loose notebooks for another: the first is collected, the second named
    write(nb, download / "park" / "a2-timeline" / "a2-timeline.ipynb")
    mixed = course.grading("collect", str(download))
    assert "collected 1 submission(s)" in mixed.stdout
    assert "warning: skipped" in mixed.stdout and "kim" in mixed.stdout and "lee" in mixed.stdout


def test_a_student_not_on_the_roster_is_graded_and_flagged(graded):
    """A folder in submitted/ for an id the roster lacks (a typo, a late enrolment): graded, and the row says why its names are blank."""
    graded.course.submit("walk-in", "a2-timeline", graded.course.solved("a2-timeline"))
    graded.course.grading("autograde", "a2-timeline", "--students", "walk-in")
    out = graded.course.root / "reports" / "walk-in.csv"
    graded.course.grading("export", "--output", str(out))
    rows = graded.course.export_rows(out)
    walk_in = row(rows, "a2-timeline", "walk-in")
    assert walk_in["status"] == "graded" and float(walk_in["score"]) == 7
    assert "not_on_roster" in walk_in["flags"] and walk_in["needs_attention"] == "yes"
    assert "not_on_roster" not in row(rows, "a2-timeline", "partly-wrong")["flags"]
