"""Collect: a folder of submissions (an LMS download, nbgrader's layout) into ``submitted/``.

Layouts: ``<dir>/<student>/<assignment>/...`` (nbgrader's), or, with the
assignment named, ``<dir>/<student>/...`` (one folder per student, as an LMS
download unpacks). A student's earlier copy is replaced.

The download may also be a ``.zip``, and a Canvas or Moodle download (:mod:`.lms`),
whose students are found through the roster's ``lms_user_id`` column.

What a student hands in is untrusted, so collect:

* never follows a link: a student folder that is a link is refused, a link inside
  one is left out and flagged (``link_refused``);
* takes folder names as student ids only if they follow :mod:`.ids` (matched to the
  roster ignoring case and Unicode form); any other folder is refused with the reason;
* grades one notebook per student: with several for the assignment, the newest
  (then the highest copy number, ``(1)``, ``-2``...) is graded, the others are listed
  (``several_notebooks``), never picked silently;
* goes on after a student whose folder it cannot read, and reports that student;
* writes what it saw to ``reports/collect/<assignment>.json``: every folder, collected
  or refused, with its flags, so that the report and the export show each of them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path

from koreathaw_grading import ids
from koreathaw_grading.course import Course

#: Files in a submission folder that are not the student's work.
IGNORED = {".DS_Store", "timestamp.txt", "Thumbs.db", "desktop.ini"}
IGNORED_DIRS = {".ipynb_checkpoints", "__MACOSX", "__pycache__", "feedback"}
#: Bytes a submission folder may hold (more is refused: a notebook is a few hundred kB).
MAX_BYTES = 64 * 1024 * 1024
_COPY = re.compile(r"(?:[ _-]*\((\d+)\)|[ _-](\d+))$")


@dataclass
class Seen:
    """One folder of the download, and what collect made of it."""

    folder: str
    student: str | None = None
    assignment: str | None = None
    status: str = "collected"     # or "refused"
    flags: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)


def student_files(folder: Path) -> list[Path]:
    """The student's files in a submission folder (no checkpoints, no OS litter, no links)."""
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part in IGNORED_DIRS for part in rel.parts[:-1]) or rel.parts[0] in IGNORED_DIRS:
            continue
        if path.is_file() and not path.is_symlink() and path.name not in IGNORED:
            found.append(path)
    return found


def notes_path(root: Path, assignment: str) -> Path:
    """Where collect writes what it saw for ``assignment``."""
    return Path(root) / "reports" / "collect" / f"{assignment}.json"


def load_notes(root: Path, assignment: str) -> list[Seen]:
    """What the last collect of ``assignment`` saw (empty if it never ran)."""
    path = notes_path(root, assignment)
    if not path.is_file():
        return []
    return [Seen(**item) for item in json.loads(path.read_text(encoding="utf-8"))]


def _walk(folder: Path, seen: Seen) -> list[tuple[Path, Path]]:
    """(source, relative path) of every regular file under ``folder``, without following links."""
    out, total = [], 0
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        base = Path(dirpath)
        for name in sorted(dirnames):
            if (base / name).is_symlink():
                seen.flags.append(f"link_refused:{(base / name).relative_to(folder)}")
        dirnames[:] = sorted(d for d in dirnames if d not in IGNORED_DIRS and not (base / d).is_symlink())
        for name in sorted(filenames):
            path = base / name
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                seen.flags.append(f"link_refused:{path.relative_to(folder)}")
                seen.details.append(f"{path.relative_to(folder)} is a link; links are never followed")
            elif stat.S_ISREG(mode) and name not in IGNORED:
                total += os.lstat(path).st_size
                out.append((path, path.relative_to(folder)))
    if total > MAX_BYTES:
        raise ValueError(f"the folder holds {total:,} bytes, more than the {MAX_BYTES:,} a submission may")
    return out


def _copy_number(stem: str) -> int:
    match = _COPY.search(stem)
    return int(next(g for g in match.groups() if g)) if match else 0


def _choose_notebook(files: list[tuple[Path, Path]], notebook: str, seen: Seen) -> list[tuple[Path, Path]]:
    """Keep one notebook of the assignment: the newest (then the highest copy number); list the others."""
    notebooks = [(src, rel) for src, rel in files if rel.suffix == ".ipynb" and len(rel.parts) == 1]
    if len(notebooks) <= 1:
        return files
    ranked = sorted(notebooks, key=lambda f: (os.lstat(f[0]).st_mtime, _copy_number(f[1].stem), f[1].name == f"{notebook}.ipynb"))
    chosen = ranked[-1]
    others = [rel.name for _, rel in ranked[:-1]]
    seen.flags.append("several_notebooks:" + ",".join(others))
    seen.details.append(f"several notebooks: graded {chosen[1].name} (the newest), not graded: {', '.join(others)}")
    kept = [f for f in files if f not in notebooks]
    return kept + [(chosen[0], Path(f"{notebook}.ipynb"))]


def _copy(files: list[tuple[Path, Path]], dest: Path, when=None) -> None:
    """Copy the files (keeping their times); with ``when``, write nbgrader's ``timestamp.txt`` too."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for src, rel in files:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target, follow_symlinks=False)
        shutil.copystat(src, target, follow_symlinks=False)
    if when is not None:
        from koreathaw_grading.lms import timestamp_text

        (dest / "timestamp.txt").write_text(timestamp_text(when) + "\n", encoding="utf-8")


def _student_id(name: str, roster: list[str], taken: dict[str, str], seen: Seen) -> str | None:
    """The id a folder name stands for, or None (and the reason in ``seen``)."""
    why = ids.problem(name)
    if why:
        seen.status = "refused"
        seen.details.append(f"folder {name!r} is not a usable student id: {why}")
        return None
    student = ids.match(name, roster) or ids.normalise(name)
    if ids.key(student) in taken:
        seen.status = "refused"
        seen.details.append(f"folder {name!r} is the same student as folder {taken[ids.key(student)]!r} "
                            "(ids ignore case and Unicode form): only that one was collected")
        return None
    taken[ids.key(student)] = name
    return student


def _pairs(student_dir: Path, known: list[str], assignment: str | None) -> list[tuple[Path, str]]:
    inner = [p for p in student_dir.iterdir() if p.is_dir() and not p.is_symlink() and p.name in known]
    pairs = [(p, p.name) for p in inner if assignment in (None, p.name)]
    if not inner and assignment:
        pairs = [(student_dir, assignment)]
    return pairs


def collect(course: Course, submissions: str | Path, assignment: str | None = None) -> list[tuple[str, str]]:
    """Copy ``submissions`` (a folder or a zip) into ``submitted/``; return the (student, assignment) pairs copied.

    Writes what it saw (collected and refused folders) to ``reports/collect/``.
    """
    import tempfile
    import zipfile

    from koreathaw_grading import lms

    source = Path(submissions)
    known = sorted(course.assignments())
    if assignment is not None and assignment not in known:
        raise ValueError(f"unknown assignment {assignment!r}; the course has: {', '.join(known)}")
    if source.is_file() and zipfile.is_zipfile(source):
        with tempfile.TemporaryDirectory() as tmp:
            return collect(course, lms.unpack(source, Path(tmp)), assignment)
    if not source.is_dir():
        raise FileNotFoundError(f"no folder {source}")
    kind = lms.layout(source)
    if kind != "folders":
        if assignment is None:
            raise ValueError(f"{source} is a {kind.title()} download: name the assignment it is for: "
                             f"make collect SUBMISSIONS={source} ASSIGNMENT=<one of {', '.join(known)}>")
        return _collect_lms(course, source, kind, assignment)
    hint = (f"with one folder per student holding the notebooks directly (as an LMS download unpacks), "
            f"name the assignment: make collect SUBMISSIONS={source} ASSIGNMENT=<one of {', '.join(known)}>")
    entries = sorted(p for p in source.iterdir() if p.name not in IGNORED_DIRS and p.name not in IGNORED
                     and (p.is_dir() or p.is_symlink()))
    if not entries:
        raise ValueError(f"{source} holds no student folders: expected <student>/<assignment>/... or, "
                         "with ASSIGNMENT=, one folder per student")
    roster = [r["id"] for r in course.roster()]
    copied, skipped, seen_all, taken = [], [], [], {}
    newest_first = sorted(entries, key=lambda p: -_newest(p))
    for student_dir in newest_first:
        seen = Seen(folder=student_dir.name, assignment=assignment)
        seen_all.append(seen)
        if student_dir.is_symlink():
            seen.status, seen.flags = "refused", ["link_refused"]
            seen.details.append(f"{student_dir.name} is a link, not a folder; links are never followed")
            continue
        student = _student_id(student_dir.name, roster, taken, seen)
        if student is None:
            continue
        seen.student = student
        try:
            pairs = _pairs(student_dir, known, assignment)
            if not pairs:
                skipped.append(student_dir.name)
                seen.status = "refused"
                seen.details.append(f"no folder of {assignment or 'any assignment'} inside")
            for folder, name in pairs:
                item = seen if len(pairs) == 1 else Seen(student_dir.name, student, name)
                if item is not seen:
                    seen_all.append(item)
                files = _choose_notebook(_walk(folder, item), name, item)
                _copy(files, course.root / "submitted" / student / name)
                item.assignment = name
                copied.append((student, name))
        except (OSError, ValueError) as exc:  # one broken student never stops the others
            seen.status = "refused"
            seen.details.append(f"could not be collected: {type(exc).__name__}: {exc}")
    if not copied:
        where = f"none of the {len(entries)} student folders in {source}"
        if assignment:
            raise ValueError(f"{where} holds {assignment!r}: each holds folders of other assignments only")
        raise ValueError(f"{where} holds an assignment folder ({', '.join(known)}); {hint}")
    for name in sorted(skipped):
        course.echo(f"warning: skipped {source / name}: no folder of {assignment or 'any assignment'} inside ({hint})")
    _save(course, seen_all)
    refused = [s for s in seen_all if s.status == "refused" and s.folder not in skipped]
    for item in sorted(refused, key=lambda s: s.folder):
        course.echo(f"refused {item.folder!r}: {'; '.join(item.details)}")
    course.echo(f"collected {len(copied)} submission(s) into {course.root / 'submitted'}"
                + (f"; refused {len(refused)} (see the report)" if refused else ""))
    return copied


def _collect_lms(course: Course, source: Path, kind: str, assignment: str) -> list[tuple[str, str]]:
    """A Canvas or Moodle download: students found by the roster's ``lms_user_id``; the others listed as refused."""
    from koreathaw_grading import lms

    deliveries, strays = (lms.canvas if kind == "canvas" else lms.moodle)(source)
    by_lms = {r["lms_user_id"]: r["id"] for r in course.roster() if r.get("lms_user_id")}
    copied, seen_all = [], []
    for stray in strays:
        seen_all.append(Seen(stray, None, assignment, "refused", [], [f"{stray!r} is not a {kind.title()} submission"]))
    for item in deliveries:
        seen = Seen(item.label, by_lms.get(item.lms_id), assignment)
        seen_all.append(seen)
        if seen.student is None:
            seen.status = "refused"
            seen.details.append(f"{kind.title()} number {item.lms_id} is on no roster row: add its lms_user_id to "
                                "the roster, then collect again")
            continue
        if item.late:
            seen.flags.append("lms_late")
            seen.details.append(f"{kind.title()} marked this submission late")
        try:
            files = _choose_notebook([(src, Path(name)) for src, name in item.files], assignment, seen)
            _copy(files, course.root / "submitted" / seen.student / assignment, when=item.when)
            copied.append((seen.student, assignment))
        except (OSError, ValueError) as exc:
            seen.status = "refused"
            seen.details.append(f"could not be collected: {type(exc).__name__}: {exc}")
    _save(course, seen_all)
    refused = [s for s in seen_all if s.status == "refused"]
    for item in refused:
        course.echo(f"refused {item.folder!r}: {'; '.join(item.details)}")
    course.echo(f"collected {len(copied)} submission(s) from a {kind.title()} download into {course.root / 'submitted'}"
                + (f"; refused {len(refused)} (see the report)" if refused else ""))
    return copied


def _newest(path: Path) -> float:
    """The newest modification time under ``path`` (links not followed): the newest folder wins a clash."""
    try:
        times = [os.lstat(path).st_mtime]
        if path.is_dir() and not path.is_symlink():
            times += [os.lstat(p).st_mtime for p in path.rglob("*.ipynb")]
        return max(times)
    except OSError:
        return 0.0


def _save(course: Course, seen_all: list[Seen]) -> None:
    """Merge what this run saw into ``reports/collect/<assignment>.json`` (a later collect replaces a folder's entry)."""
    by_assignment: dict[str, list[Seen]] = {}
    for item in seen_all:
        for name in ([item.assignment] if item.assignment else course.assignments()):
            by_assignment.setdefault(name, []).append(item)
    for name, items in by_assignment.items():
        keep = {s.folder: s for s in load_notes(course.root, name)}
        keep.update({s.folder: Seen(**{**asdict(s), "assignment": name}) for s in items})
        path = notes_path(course.root, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps([asdict(s) for s in sorted(keep.values(), key=lambda s: s.folder)],
                                   indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
