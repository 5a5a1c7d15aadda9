"""Downloads from a learning management system, read into one folder per student.

``make collect SUBMISSIONS=...`` takes a folder or a ``.zip`` in any of these layouts:

* **nbgrader's**: ``<student>/<assignment>/<notebook>.ipynb`` (an exchange, a hub);
* **one folder per student**: ``<student>/<notebook>.ipynb`` (give the assignment);
* **Canvas** "Download Submissions": flat files
  ``<sortable name>[_LATE]_<user id>_<submission id>_<file name>`` (``-1``, ``-2`` ... after
  a file name uploaded again);
* **Moodle** "Download all submissions": folders
  ``<Full Name>_<participant id>_assignsubmission_file_/`` holding the files.

Canvas and Moodle name students by their LMS number: the roster's ``lms_user_id``
column maps it to the course's id (for Moodle, the participant id the assignment's
grading table shows). A submission whose number is on no roster row is listed as
refused, never dropped. The time of each file in the LMS's zip is kept as the
submission time (``timestamp.txt``, nbgrader's), and Canvas's ``_LATE`` mark as a
flag, so that lateness can be reported.

Zips are unpacked with care: no path outside the target folder, no links, at most
:data:`MAX_FILES` files and :data:`MAX_BYTES` bytes unpacked.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

MAX_FILES = 20_000
MAX_BYTES = 2 * 1024 * 1024 * 1024
CANVAS = re.compile(r"^(?P<name>[^_/]+?)(?P<late>_LATE)?_(?P<uid>\d+)_(?P<sid>\d+)_(?P<file>.+)$")
MOODLE = re.compile(r"^(?P<name>.+?)_(?P<uid>\d+)_assignsubmission_(?P<plugin>[a-z]+)_?$")


class UnsafeArchive(ValueError):
    """A zip that cannot be unpacked safely; the message names the member and the problem."""


@dataclass
class Delivery:
    """One student's files as an LMS delivered them, before they are matched to the roster."""

    label: str                       # what the download calls them (a folder or a name and number)
    lms_id: str | None = None        # the LMS's number for them (Canvas user id, Moodle participant id)
    files: list[tuple[Path, str]] = field(default_factory=list)   # (unpacked file, name to give it)
    late: bool = False               # the LMS marked it late
    when: dt.datetime | None = None  # the newest file's time in the LMS's zip (UTC)


def unpack(archive: Path, target: Path) -> Path:
    """Unpack ``archive`` into ``target`` safely; keep each member's time; return ``target``."""
    total = 0
    with zipfile.ZipFile(archive) as zf:
        members = zf.infolist()
        if len(members) > MAX_FILES:
            raise UnsafeArchive(f"{archive.name} holds {len(members)} files, more than {MAX_FILES}")
        for info in members:
            name = info.filename
            parts = Path(name).parts
            if name.startswith(("/", "\\")) or ".." in parts or ":" in name or not parts:
                raise UnsafeArchive(f"{archive.name}: member {name!r} points outside the folder it is unpacked in")
            if stat.S_ISLNK(info.external_attr >> 16):
                raise UnsafeArchive(f"{archive.name}: member {name!r} is a link; links are never unpacked")
            total += info.file_size
            if total > MAX_BYTES:
                raise UnsafeArchive(f"{archive.name} unpacks to more than {MAX_BYTES:,} bytes")
            dest = target.joinpath(*parts)
            if info.is_dir():
                dest.mkdir(parents=True, exist_ok=True)
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(dest, "wb") as out:
                shutil.copyfileobj(src, out, length=1 << 20)
            stamp = dt.datetime(*info.date_time).replace(tzinfo=dt.timezone.utc).timestamp()
            os.utime(dest, (stamp, stamp))
    return target


def layout(folder: Path) -> str:
    """``canvas``, ``moodle`` or ``folders`` (nbgrader's or one folder per student), from the names in ``folder``."""
    entries = [p for p in folder.iterdir() if not p.name.startswith((".", "__MACOSX"))]
    files = [p for p in entries if p.is_file() and not p.is_symlink()]
    dirs = [p for p in entries if p.is_dir() and not p.is_symlink()]
    if dirs and sum(bool(MOODLE.match(d.name)) for d in dirs) >= max(1, len(dirs) // 2):
        return "moodle"
    if files and sum(bool(CANVAS.match(f.name)) for f in files) >= max(1, len(files) // 2):
        return "canvas"
    return "folders"


def _mtime(path: Path) -> dt.datetime:
    return dt.datetime.fromtimestamp(os.lstat(path).st_mtime, tz=dt.timezone.utc)


def canvas(folder: Path) -> tuple[list[Delivery], list[str]]:
    """Canvas's flat files, grouped by user id; and the names that are no Canvas submission."""
    found: dict[str, Delivery] = {}
    strays = []
    for path in sorted(folder.iterdir()):
        match = CANVAS.match(path.name) if path.is_file() and not path.is_symlink() else None
        if match is None:
            if not path.name.startswith((".", "__MACOSX")):
                strays.append(path.name)
            continue
        uid = match["uid"]
        item = found.setdefault(uid, Delivery(label=f"{match['name']} (Canvas user {uid})", lms_id=uid))
        item.files.append((path, match["file"]))  # an upload again is "name-1.ipynb": told apart by its time
        item.late = item.late or bool(match["late"])
        when = _mtime(path)
        item.when = max(item.when, when) if item.when else when
    return list(found.values()), strays


def moodle(folder: Path) -> tuple[list[Delivery], list[str]]:
    """Moodle's folders, one per participant; and the names that are no Moodle submission folder."""
    found: dict[str, Delivery] = {}
    strays = []
    for path in sorted(folder.iterdir()):
        match = MOODLE.match(path.name) if path.is_dir() and not path.is_symlink() else None
        if match is None:
            if not path.name.startswith((".", "__MACOSX")):
                strays.append(path.name)
            continue
        uid = match["uid"]
        item = found.setdefault(uid, Delivery(label=f"{match['name']} (Moodle participant {uid})", lms_id=uid))
        for file in sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink()):
            item.files.append((file, str(file.relative_to(path))))
            when = _mtime(file)
            item.when = max(item.when, when) if item.when else when
    return list(found.values()), strays


def timestamp_text(when: dt.datetime) -> str:
    """``when`` as nbgrader writes ``timestamp.txt``."""
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
