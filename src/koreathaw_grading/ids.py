"""Student ids: one rule, applied at collect and when the roster is read.

An id names a folder (``submitted/<id>/``), a report file and a gradebook row,
and is shown in HTML pages (Formgrader, reports), so it must be plain:

* NFC-normalised Unicode (``josé`` typed on a Mac arrives decomposed, NFD: it
  is the same student as the roster's NFC ``josé``);
* letters of any script, digits, ``.``, ``_`` and ``-`` only; no leading dot
  (a hidden folder), no ``..``, no ``/``, spaces or control characters; at most
  64 characters;
* matched case-insensitively (``Kim01`` and ``kim01`` are one student: two
  folders that differ only in case are refused, not graded twice).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Iterable

MAX_LENGTH = 64


class BadId(ValueError):
    """An id that breaks the rule; the message says why, for the instructor."""


def normalise(text: str) -> str:
    """The NFC form of ``text`` (how ids are stored and compared)."""
    return unicodedata.normalize("NFC", text)


def key(text: str) -> str:
    """The form ids are matched by: NFC, then case-folded."""
    return normalise(text).casefold()


def problem(text: str) -> str | None:
    """Why ``text`` cannot be a student id, or None if it can."""
    text = normalise(text)
    if not text:
        return "it is empty"
    if len(text) > MAX_LENGTH:
        return f"it is longer than {MAX_LENGTH} characters"
    if text.startswith("."):
        return "it starts with a dot (a hidden folder)"
    if ".." in text:
        return "it contains '..'"
    for char in text:
        if char.isalnum() or char in "._-":
            continue
        if char in "/\\":
            return "it contains a slash"
        if unicodedata.category(char).startswith("C"):
            return f"it contains a control or invisible character (U+{ord(char):04X})"
        if char.isspace():
            return "it contains a space"
        return f"it contains {char!r}; ids may use letters, digits, '.', '_' and '-' only"
    return None


def check(text: str, where: str) -> str:
    """Return the NFC form of a valid id, or raise :class:`BadId` naming ``where`` and the problem."""
    why = problem(text)
    if why:
        raise BadId(f"{where}: {text!r} is not a usable student id: {why}")
    return normalise(text)


def check_roster(rows: list[dict[str, str]], path: Path) -> list[dict[str, str]]:
    """Check the ``id`` of every roster row; return the rows with NFC ids (blank-id rows dropped).

    Raises :class:`BadId` naming the file and line of the first bad id, or of two
    rows that are one student (the same id up to case or normalisation).
    """
    seen: dict[str, int] = {}
    out = []
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        if not row.get("id"):
            continue
        row = dict(row)
        row["id"] = check(row["id"], f"{path}, line {line}")
        k = key(row["id"])
        if k in seen:
            raise BadId(f"{path}, line {line}: {row['id']!r} is the same student as line {seen[k]} "
                        "(ids are matched ignoring case)")
        seen[k] = line
        out.append(row)
    return out


def match(name: str, known: Iterable[str]) -> str | None:
    """The id of ``known`` that ``name`` stands for (ignoring case and normalisation), or None."""
    wanted = key(name)
    for candidate in known:
        if key(candidate) == wanted:
            return candidate
    return None
