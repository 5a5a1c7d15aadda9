"""The course on a JupyterHub: collect from nbgrader's exchange without trusting what students wrote there.

On a hub (``hub/``, ``course/hub.md``) students submit through nbgrader's exchange:
each submission is a folder ``<exchange>/<course>/inbound/<student>+<assignment>+<time>+<random>``
that the student's own server creates. Stock ``nbgrader collect`` believes the folder's
name (whose submission it is, and when) and the ``timestamp.txt`` inside, both written
by the student; it only *warns* when the folder belongs to another user. Here:

* **whose**: a submission counts only if the folder and every file in it belong to the
  unix user of the student it names (``unix_prefix`` + id: ``jupyter-`` on The Littlest
  JupyterHub). A folder made in another student's name is refused and reported, and never
  replaces that student's work. Links are never followed.
* **when**: the time that counts is the kernel's: the newest inode change time (``ctime``)
  of the folder and its files, which no user can set back. It is what goes into
  ``submitted/<student>/<assignment>/timestamp.txt``, so nbgrader's lateness (the
  assignment's due date in the gradebook) works with no LMS. A ``timestamp.txt`` that
  claims an earlier time is flagged ``timestamp_corrected``.
* **which**: each student's newest submission by that time.

What collect saw goes into ``reports/collect/<assignment>.json`` like a folder collect's,
so the report and the export show the flags. :func:`release_feedback` puts the feedback
pages into the exchange readable by their student's server (the folder is not listable:
each page is named by a hash of the secret only that submission holds).

``python -m koreathaw_grading.hub collect ASSIGNMENT`` and ``... release-feedback ASSIGNMENT``
(``--course``, default ``assignments``) run them.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import stat
import sys
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

from koreathaw_grading import ids
from koreathaw_grading.collect import MAX_BYTES, Seen, load_notes, notes_path
from koreathaw_grading.course import Course

#: The format nbgrader writes and reads in timestamp.txt.
TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"
#: Seconds a student's own timestamp.txt may run ahead of the kernel's clock before it is flagged.
TOLERANCE = 120.0
#: Files nbgrader's submit writes itself; kept (the secret names the feedback page) or replaced (the time).
SECRET = "submission_secret.txt"


def exchange_course(course: Course) -> Path:
    """``<exchange root>/<course id>``, from the course's nbgrader configuration."""
    config = course.config
    root = config.Exchange.root if "root" in config.Exchange else "/srv/nbgrader/exchange"
    return Path(root) / course.api.coursedir.course_id


def parse_name(name: str) -> tuple[str, str, str] | None:
    """``(student, assignment, claimed time)`` of an inbound folder name, or None if it has not that shape."""
    parts = name.rsplit("+", 3)
    if len(parts) == 4:
        return parts[0], parts[1], parts[2]
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    return None


def _parse_time(text: str) -> datetime | None:
    from nbgrader.utils import parse_utc

    try:
        return parse_utc(text.strip()).astimezone(timezone.utc)
    except Exception:  # anything a student could have written
        return None


def _walk(folder: Path) -> list[tuple[Path, os.stat_result]]:
    """Every entry under ``folder`` with its lstat (links are listed, never followed)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            found.append((path, os.lstat(path)))
    return found


def check_owner(folder: Path, unix_name: str) -> str | None:
    """Why ``folder`` is not a submission of unix user ``unix_name``, or None if it is."""
    try:
        uid = pwd.getpwnam(unix_name).pw_uid
    except KeyError:
        return f"there is no unix user {unix_name!r} on this machine"
    top = os.lstat(folder)
    if stat.S_ISLNK(top.st_mode) or not stat.S_ISDIR(top.st_mode):
        return "it is a link or a file, not a folder"
    if top.st_uid != uid:
        return f"it was made by {_user(top.st_uid)}, not by {unix_name}"
    total = 0
    for path, info in _walk(folder):
        rel = path.relative_to(folder)
        if stat.S_ISLNK(info.st_mode):
            return f"{rel} is a link"
        if info.st_uid != uid:
            return f"{rel} belongs to {_user(info.st_uid)}, not to {unix_name}"
        total += info.st_size if stat.S_ISREG(info.st_mode) else 0
    if total > MAX_BYTES:
        return f"it holds {total:,} bytes, more than the {MAX_BYTES:,} a submission may"
    return None


def _user(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def kernel_time(folder: Path) -> datetime:
    """The newest inode change time of ``folder`` and everything in it: when it last changed, by the kernel's clock."""
    newest = max([os.lstat(folder).st_ctime] + [info.st_ctime for _, info in _walk(folder)])
    return datetime.fromtimestamp(newest, tz=timezone.utc)


def _copy(folder: Path, dest: Path, when: datetime) -> None:
    """Copy the regular files of ``folder`` into a fresh ``dest``; write the kernel's time as timestamp.txt."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for path, info in _walk(folder):
        rel = path.relative_to(folder)
        if stat.S_ISDIR(info.st_mode):
            (dest / rel).mkdir(parents=True, exist_ok=True)
        elif stat.S_ISREG(info.st_mode) and rel != Path("timestamp.txt"):
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest / rel, follow_symlinks=False)
    (dest / "timestamp.txt").write_text(when.strftime(TIME_FORMAT), encoding="utf-8")


def collect_exchange(course: Course, assignment: str, unix_prefix: str = "",
                     tolerance: float = TOLERANCE) -> list[Seen]:
    """Collect every student's newest genuine submission of ``assignment`` from the exchange into ``submitted/``.

    Returns what was seen (collected and refused submissions); writes it to the collect notes.
    """
    if assignment not in course.assignments():
        raise ValueError(f"unknown assignment {assignment!r}; the course has: {', '.join(course.assignments())}")
    inbound = exchange_course(course) / "inbound"
    if not inbound.is_dir():
        raise FileNotFoundError(f"no exchange inbound folder {inbound}: has the assignment been released to the exchange?")
    seen_all: list[Seen] = []
    best: dict[str, tuple[datetime, Path, Seen]] = {}
    for entry in sorted(inbound.iterdir()):
        parsed = parse_name(entry.name)
        if parsed is None or parsed[1] != assignment:
            continue
        student, _, claimed_text = parsed
        seen = Seen(folder=entry.name, student=None, assignment=assignment)
        seen_all.append(seen)
        why = ids.problem(student) or check_owner(entry, unix_prefix + student)
        if why:
            seen.status = "refused"
            seen.flags.append("not_the_students_submission")
            seen.details.append(f"exchange submission {entry.name!r} refused: {why}")
            continue
        student = ids.normalise(student)
        seen.student = student
        when = kernel_time(entry)
        claimed = _parse_time((entry / "timestamp.txt").read_text(encoding="utf-8", errors="replace")
                              if (entry / "timestamp.txt").is_file() else claimed_text)
        if claimed is None or (when - claimed).total_seconds() > tolerance:
            seen.flags.append(f"timestamp_corrected:{claimed.isoformat() if claimed else 'unreadable'}")
            seen.details.append(f"the submission says it was made at {claimed or 'an unreadable time'}; the "
                                f"exchange saw it at {when.isoformat()}, which is the time graded")
        if ids.key(student) not in best or when > best[ids.key(student)][0]:
            best[ids.key(student)] = (when, entry, seen)
    collected = []
    for when, entry, seen in best.values():
        _copy(entry, course.root / "submitted" / seen.student / assignment, when)
        collected.append(seen)
    chosen = {id(s) for s in collected}
    kept = [s for s in seen_all if s.status == "refused" or id(s) in chosen]
    _save(course, assignment, kept)
    refused = [s for s in kept if s.status == "refused"]
    for item in refused:
        course.echo(f"refused {item.folder!r}: {'; '.join(item.details)}")
    course.echo(f"collected {len(collected)} submission(s) of {assignment} from the exchange into "
                f"{course.root / 'submitted'}" + (f"; refused {len(refused)}" if refused else ""))
    return kept


def _save(course: Course, assignment: str, items: list[Seen]) -> None:
    """Merge into the collect notes: an exchange entry replaces the earlier exchange entries of its student."""
    students = {s.student for s in items if s.student}
    keep = {s.folder: s for s in load_notes(course.root, assignment)
            if not (s.student in students and parse_name(s.folder) is not None and "+" in s.folder)}
    keep.update({s.folder: s for s in items})
    path = notes_path(course.root, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    import json

    path.write_text(json.dumps([asdict(s) for s in sorted(keep.values(), key=lambda s: s.folder)],
                               indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def release_feedback(course: Course, assignment: str) -> list[Path]:
    """Put the feedback of ``assignment`` into the exchange, each page readable by its student's server only by name."""
    course.check(course.api.release_feedback(assignment), f"release of feedback for {assignment}")
    outbound = exchange_course(course) / "feedback"
    pages = []
    for page in outbound.glob("*.html"):
        info = os.lstat(page)
        if stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid():
            os.chmod(page, 0o644)  # the grader's umask must not keep students from their own page
            pages.append(page)
    course.echo(f"feedback for {assignment} released to the exchange ({len(pages)} page(s) there)")
    return pages


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m koreathaw_grading.hub collect|release-feedback ASSIGNMENT``."""
    parser = argparse.ArgumentParser(prog="python -m koreathaw_grading.hub", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--course", default="assignments", help="the nbgrader course root (default: assignments)")
    parser.add_argument("--unix-prefix", default="", help="unix name = prefix + student id ('jupyter-' on TLJH)")
    parser.add_argument("command", choices=["collect", "release-feedback"])
    parser.add_argument("assignment")
    args = parser.parse_args(argv)
    try:
        course = Course(args.course)
        if args.command == "collect":
            collect_exchange(course, args.assignment, unix_prefix=args.unix_prefix)
        else:
            release_feedback(course, args.assignment)
    except (FileNotFoundError, ValueError, RuntimeError) as exc:
        print(f"error: {args.command}: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
