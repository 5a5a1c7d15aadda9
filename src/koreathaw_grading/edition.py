"""The student edition: what students get instead of the repository (``make student-edition``).

``dist/student/`` and ``dist/korean-thaw-student.zip`` hold the lessons, the data, the
library (and the grading package, which ``make validate`` needs: code only), the
student pages of ``course/``, the assignments *as released* (made from
``assignments/source/`` in a throw-away course, never copied from it), and a README,
Makefile and tests of their own so that ``make lab`` and ``make test`` work there.

Not in it: ``assignments/source/`` (model solutions, hidden tests), any gradebook or
working folder of the course root, the instructor's guides, the repository's tests
(they hold wrong answers and hidden-test knowledge), benchmarks, CI. :func:`secrets`
lists every solution and hidden-test line of the sources; ``tests/grading/test_edition.py``
proves none of them occurs anywhere in the edition, inside its zip and wheels included.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import tomllib
import zipfile
from pathlib import Path
from typing import Callable, Iterator

import nbformat

#: The student pages of course/ (the instructor guide and grading.md stay out).
STUDENT_PAGES = ("syllabus.md", "student-guide.md", "submitting.md", "glossary.md")
#: Top-level files and folders copied as they are (when they exist).
COPIED = ("LICENSE", "LICENSES", "REUSE.toml", "requirements.lock", "data", "notebooks")
FILES = Path(__file__).resolve().parent / "edition_files"
NAME = "korean-thaw-student"
_REGIONS = [("BEGIN SOLUTION", "END SOLUTION"), ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS"),
            ("BEGIN MARK SCHEME", "END MARK SCHEME")]


def _public_lines(library: Path | None) -> set[str]:
    """The whitespace-normalised lines of the student library's source: handed to every student anyway."""
    if library is None:
        return set()
    return {" ".join(line.split()) for path in Path(library).rglob("*.py")
            for line in path.read_text(encoding="utf-8").splitlines()}


def secrets(source_dir: Path, min_chars: int = 20, library: Path | None = None) -> list[str]:
    """Every line inside a solution, hidden-test or mark-scheme region of the sources, whitespace-normalised.

    Lines of fewer than ``min_chars`` non-space characters (``else:``, ``return []``,
    ``m = kt.blank_map()``) are left out: they are idioms a lesson teaches, and stand in
    any Python file; they prove nothing. So are lines that
    stand, the same, in the student library ``library`` (a3's haversine is
    ``koreathaw.places.distance_km``'s): students have that code in any case.
    """
    public = _public_lines(library)
    found: set[str] = set()
    for path in sorted(Path(source_dir).glob("*/*.ipynb")):
        for cell in nbformat.read(str(path), as_version=4).cells:
            inside = None
            for line in cell.source.splitlines():
                marker = next(((b, e) for b, e in _REGIONS if b in line or e in line), None)
                if marker:
                    inside = marker if marker[0] in line else None
                    continue
                text = " ".join(line.split())
                if inside and len(text.replace(" ", "")) >= min_chars and text not in public:
                    found.add(text)
    return sorted(found)


def texts(root: Path) -> Iterator[tuple[str, str]]:
    """(name, text) of every file under ``root``, and of every member of every zip or wheel in it, recursively."""
    for path in sorted(p for p in Path(root).rglob("*") if p.is_file()):
        data = path.read_bytes()
        yield from _texts(str(path.relative_to(root)), data)


def _texts(name: str, data: bytes) -> Iterator[tuple[str, str]]:
    if data[:2] == b"PK":
        import io

        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.namelist():
                    yield from _texts(f"{name}!{member}", archive.read(member))
            return
        except zipfile.BadZipFile:
            pass
    yield name, " ".join(data.decode("utf-8", errors="ignore").split())


def leaks(root: Path, source_dir: Path, library: Path | None = None) -> dict[str, list[str]]:
    """Per file of the edition, the secret lines it holds (it must hold none)."""
    lines = secrets(source_dir, library=library)
    found = {}
    for name, text in texts(root):
        hits = [line for line in lines if line in text]
        if hits:
            found[name] = hits
    return found


def _release(repo: Path, work: Path, echo: Callable[[str], None]) -> Path:
    """Release every assignment in a throw-away copy of the course; return its release/ folder."""
    from koreathaw_grading.course import Course

    root = work / "course"
    shutil.copytree(repo / "assignments" / "source", root / "source")
    shutil.copy2(repo / "assignments" / "nbgrader_config.py", root / "nbgrader_config.py")
    Course(root, echo=echo).release()
    return root / "release"


def _export_template(repo: Path, target: Path) -> None:
    """The lessons' offline HTML export (JupyterLab's *Export as HTML*), which the course's Jupyter config names:
    the nbconvert template and the vendored files it embeds, installed by the edition's ``make setup``."""
    web = repo / "website"
    if not (web / "nbconvert" / "koreathaw").is_dir():
        return
    out = target / "export"
    shutil.copytree(web / "nbconvert", out / "nbconvert")
    for rel in ("_static/koreathaw-widgets.js", "vendor/html-manager/embed.js", "vendor/mathjax/tex-svg-full.js",
                "vendor/README.md"):
        if (web / rel).is_file():
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(web / rel, out / rel)
    for licence in (web / "vendor").rglob("LICENSE*"):
        dest = out / licence.relative_to(web)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(licence, dest)


def _pyproject(repo: Path) -> str:
    """The edition's pyproject.toml: the same package and pins, no sdist rules for the course root."""
    project = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    # students need JupyterLab, nbgrader and the kernel as much as the library: the course extra is theirs too
    optional = project.get("optional-dependencies", {})
    deps = "\n".join(f'  "{d}",' for d in project["dependencies"] + optional.get("course", []))
    test = [d for d in optional.get("test", [])
            if re.match(r"(pytest|nbval)\b", d)]
    tests = "\n".join(f'  "{d}",' for d in test)
    return f'''[build-system]
requires = ["hatchling>=1.25"]
build-backend = "hatchling.build"

[project]
name = "koreathaw"
version = "{project["version"]}"
description = "The Korean Thaw, 2018-2021: the student edition of the course"
requires-python = "{project["requires-python"]}"
dependencies = [
{deps}
]

[project.optional-dependencies]
test = [
{tests}
]

[project.scripts]
koreathaw-grade = "koreathaw_grading.cli:main"

[tool.hatch.build.targets.wheel]
packages = ["src/koreathaw", "src/koreathaw_grading"]

[tool.pytest.ini_options]
addopts = "-ra"
'''


def build(repo: str | Path, out: str | Path, echo: Callable[[str], None] = print) -> Path:
    """Build the edition in ``out/student/`` and zip it to ``out/korean-thaw-student.zip``; return the zip."""
    repo, out = Path(repo).resolve(), Path(out).resolve()
    target = out / "student"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.pyc")
    for name in COPIED:
        src = repo / name
        if src.is_dir():
            shutil.copytree(src, target / name, ignore=ignore)
        elif src.is_file():
            shutil.copy2(src, target / name)
    for package in ("koreathaw", "koreathaw_grading"):
        shutil.copytree(repo / "src" / package, target / "src" / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "edition_files"))
    (target / "course").mkdir()
    for page in STUDENT_PAGES:
        if (repo / "course" / page).is_file():
            shutil.copy2(repo / "course" / page, target / "course" / page)
    shutil.copytree(repo / ".jupyter", target / ".jupyter", ignore=shutil.ignore_patterns("nbgrader_config.py"))
    for item in FILES.iterdir():
        dest = target / item.name
        (shutil.copytree(item, dest, dirs_exist_ok=True, ignore=ignore) if item.is_dir() else shutil.copy2(item, dest))
    _export_template(repo, target)
    for helper in ("nbval_counts.py", "sanitize.cfg"):
        if (repo / "tests" / "notebooks" / helper).is_file():
            shutil.copy2(repo / "tests" / "notebooks" / helper, target / "tests" / helper)
    (target / "pyproject.toml").write_text(_pyproject(repo), encoding="utf-8")
    with tempfile.TemporaryDirectory() as work:
        released = _release(repo, Path(work), echo)
        for folder in sorted(p for p in released.iterdir() if p.is_dir()):
            shutil.copytree(folder, target / "assignments" / folder.name, ignore=ignore)
    found = leaks(target, repo / "assignments" / "source", library=repo / "src" / "koreathaw")
    if found:
        shutil.rmtree(target)
        raise RuntimeError(f"the student edition would hold solution or hidden-test lines, not built: {found}")
    archive = out / f"{NAME}.zip"
    archive.unlink(missing_ok=True)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(target.rglob("*")):
            zf.write(path, Path(NAME) / path.relative_to(target))
    echo(f"student edition: {target} and {archive}")
    return archive
