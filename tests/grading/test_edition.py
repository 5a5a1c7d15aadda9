"""The student edition holds no answer, and works on its own (koreathaw_grading.edition).

The scan here is the test's own (gradingkit's region reader, every file and every
member of every zip and wheel), not the builder's, so a bug in the builder's check
cannot hide a leak.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "assignments"))
from gradingkit import read, region_lines, solved, source_text, write  # noqa: E402

from koreathaw_grading import edition  # noqa: E402

pytestmark = [pytest.mark.grading, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "assignments" / "source"


def secret_lines() -> list[str]:
    """Every line (20 non-space characters or more) of every solution, hidden-test or mark-scheme region, as the sources hold it."""
    library = {" ".join(l.split()) for p in (REPO / "src" / "koreathaw").rglob("*.py") for l in p.read_text().splitlines()}
    lines = []
    for path in sorted(SOURCE.glob("*/*.ipynb")):
        text = "\n".join(source_text(c) for c in read(path)["cells"])
        for begin, end in (("BEGIN SOLUTION", "END SOLUTION"), ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS"),
                           ("BEGIN MARK SCHEME", "END MARK SCHEME")):
            lines += [" ".join(l.split()) for l in region_lines(text, begin, end)]
    return sorted({l for l in lines if len(l.replace(" ", "")) >= 20 and l not in library})


def every_text(data: bytes, name: str):
    """(name, whitespace-normalised text) of a file, or of each member if it is a zip (wheels are zips)."""
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                yield from every_text(archive.read(member), f"{name}!{member}")
    else:
        yield name, " ".join(data.decode("utf-8", errors="ignore").split())


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The edition built from this repository into a temporary dist/."""
    out = tmp_path_factory.mktemp("dist")
    archive = edition.build(REPO, out, echo=lambda line: None)
    return out / "student", archive


def test_no_line_of_a_solution_or_hidden_test_is_anywhere_in_it(built):
    """Not in any file of dist/student, nor in any member of the zip (or of a wheel inside it)."""
    folder, archive = built
    secrets = secret_lines()
    assert len(secrets) > 30, "the sources' secret regions were read"
    found = {}
    for path in [p for p in folder.rglob("*") if p.is_file()] + [archive]:
        for name, text in every_text(path.read_bytes(), str(path)):
            hits = [s for s in secrets if s in text]
            if hits:
                found[name] = hits
    assert found == {}


def test_it_holds_the_students_parts_only(built):
    """Lessons, data, library, student pages, released assignments, its own README/Makefile/tests; nothing else."""
    folder, archive = built
    top = {p.name for p in folder.iterdir()}
    assert {"README.md", "Makefile", "pyproject.toml", "requirements.lock", "notebooks", "data", "src", "course",
            "assignments", "tests"} <= top
    assert not {"benchmarks", "tools", ".ci", "dist"} & top
    assert sorted(p.name for p in (folder / "assignments").iterdir() if p.is_dir()) == sorted(
        p.name for p in SOURCE.iterdir() if p.is_dir())
    names = [p.relative_to(folder).as_posix() for p in folder.rglob("*")]
    assert not [n for n in names if "/source/" in n or n.endswith(("gradebook.db", "students.csv"))]
    assert not (folder / "course" / "instructor-guide.md").exists() and not (folder / "course" / "grading.md").exists()
    with zipfile.ZipFile(archive) as zf:
        assert {n.split("/", 1)[1] for n in zf.namelist() if "/" in n} >= {"README.md", "Makefile"}
    assert "make lab" in (folder / "README.md").read_text() and "make test" in (folder / "README.md").read_text()


def test_the_leak_check_finds_a_planted_line(built, tmp_path):
    """The builder's own check is not blind: a hidden-test line planted in a copy of the edition is found."""
    folder, _ = built
    copy = tmp_path / "student"
    shutil.copytree(folder, copy)
    line = secret_lines()[0]
    (copy / "course" / "notes.md").write_text(f"leaked: {line}\n")
    assert "course/notes.md" in edition.leaks(copy, SOURCE, library=REPO / "src" / "koreathaw")


def test_the_sdist_carries_no_assignment_source(tmp_path):
    """The project's sdist leaves out the course root assignments/ (its sources hold the answers): no file of it,
    and no line of a solution or hidden test in any file it does carry."""
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(tmp_path)], cwd=REPO,
                   check=True, capture_output=True)
    (sdist,) = tmp_path.glob("*.tar.gz")
    secrets, found = secret_lines(), {}
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
        for member in tar.getmembers():
            if member.isfile():
                for name, text in every_text(tar.extractfile(member).read(), member.name):
                    if any(s in text for s in secrets):
                        found[name] = [s for s in secrets if s in text]
    prefix = names[0].split("/", 1)[0]
    assert names and not [n for n in names if n.startswith(f"{prefix}/assignments/")]
    assert found == {}


def test_the_edition_sets_up_runs_a_lesson_and_validates(built, tmp_path):
    """Unzipped in a fresh folder: make setup, a lesson under nbval, make validate of a blank and of a solved release."""
    _, archive = built
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(tmp_path)
    home = tmp_path / edition.NAME
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "KOREATHAW_DATA"))}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)

    def make(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["make", *args], cwd=home, env=env, capture_output=True, text=True, timeout=900)

    setup = make("setup")
    assert setup.returncode == 0, setup.stdout[-2000:] + setup.stderr[-2000:]
    lesson = subprocess.run([str(home / ".venv" / "bin" / "python"), "-m", "pytest", "-q", "--nbval-lax",
                             "--nbval-current-env", "-p", "tests.nbval_counts", "--nbval-sanitize-with",
                             "tests/sanitize.cfg", "notebooks/00-welcome.ipynb"],
                            cwd=home, env=env, capture_output=True, text=True, timeout=600)
    assert lesson.returncode == 0, lesson.stdout[-3000:]
    blank = make("validate", "NB=assignments/a1-sources/a1-sources.ipynb")
    assert blank.returncode != 0 and "NotImplementedError" in blank.stdout
    released = read(home / "assignments" / "a1-sources" / "a1-sources.ipynb")
    mine = write(solved(released, read(SOURCE / "a1-sources" / "a1-sources.ipynb")), home / "my work" / "a1-sources.ipynb")
    good = make("validate", f"NB={mine}")
    assert good.returncode == 0 and "Success" in good.stdout, good.stdout[-3000:]
