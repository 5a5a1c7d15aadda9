"""The grades export: one row per student and released assignment, whatever was handed in.

Each row carries the gradebook's score (manual grades included, read at export
time), lateness and its penalty, the status and flags of the last grading run, and
whether the instructor should look at it. A student of the roster who handed in
nothing has a row (``not_submitted``, 0); a grade whose folder has gone keeps its
score and says so; a folder refused at collect has a row of its own.

Formats (``make export FORMAT=...``): ``long`` (those rows), ``wide`` (one row per
student, a column per assignment), ``canvas`` and ``moodle`` (the columns their grade
imports read). Files are UTF-8 with a BOM, so spreadsheets read non-ASCII names
right. A score still waiting for manual grading is never written as a number: the
wide sheet says ``pending``, the LMS sheets leave the cell empty (no change on import).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterable

from koreathaw_grading import ids, results
from koreathaw_grading.collect import load_notes
from koreathaw_grading.course import Course
from koreathaw_grading.late import minutes_late
from koreathaw_grading.results import GRADED, INFO_FLAGS, NOT_SUBMITTED, REFUSED

#: The flag the export recomputes from the gradebook (the instructor may have graded by hand since).
PENDING = "manual_grading_pending"
FORMATS = ("long", "wide", "canvas", "moodle")


def refusals(course: Course, assignment: str) -> dict[str, tuple[str | None, str]]:
    """Folders refused at collect, and names in submitted/ or the gradebook that are no ids:
    ``{folder name: (roster id it stands for or None, why)}``."""
    roster = [r["id"] for r in course.roster()]
    out: dict[str, tuple[str | None, str]] = {}
    collected = {s.student for s in load_notes(course.root, assignment) if s.status == "collected"}
    for seen in load_notes(course.root, assignment):
        if seen.status == "refused":
            match = ids.match(seen.folder, roster) if ids.problem(seen.folder) is None else None
            out[seen.folder] = (match if match not in collected else None, "; ".join(seen.details) or "refused")
    for name, why in course.unusable_ids().items():
        out.setdefault(name, (None, f"{name!r} is not a usable student id: {why}"))
    return out


def cell(value: str) -> str:
    """A CSV cell a spreadsheet shows as text: a leading =, +, - or @ would start a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def _lateness(sub, flags: list[str]) -> tuple[str, str, float]:
    """(late, minutes late, penalty) of a submission: from its time and the due date, or the LMS's mark."""
    if sub is not None and sub.duedate is not None and sub.timestamp is not None:
        seconds = sub.total_seconds_late
        return ("yes" if seconds > 0 else "no"), str(minutes_late(seconds)), float(sub.late_submission_penalty or 0)
    if any(f.startswith("lms_late") for f in flags):
        return "yes", "", 0.0
    return ("no" if sub is not None and sub.timestamp is not None else ""), "", 0.0


def rows(course: Course, assignments: Iterable[str] | None = None) -> list[dict[str, str]]:
    """The long export's rows (see the module docstring), in assignment then student order."""
    from nbgrader.api import MissingEntry

    from koreathaw_grading.grade import is_manual

    names = list(assignments) if assignments else (course.released() or course.assignments())
    roster = {r["id"]: r for r in course.roster()}
    out = []
    with course.gradebook() as gb:
        released = {a.name: a for a in gb.assignments}
        for name in names:
            saved = results.load_all(course.root, name)
            max_score = float(released[name].max_score) if name in released else 0.0
            refused = refusals(course, name)
            refused_students = {sid: (folder, why) for folder, (sid, why) in refused.items() if sid}
            for student in course.students():
                res = saved.get(student)
                try:
                    sub = gb.find_submission(name, student) if name in released else None
                except MissingEntry:
                    sub = None
                pending = []
                if sub is not None:
                    score, timestamp = float(sub.score), sub.timestamp
                    pending = [g.name for nb in sub.notebooks for g in nb.grades
                               if g.needs_manual_grade and is_manual(g)]
                else:
                    score, timestamp = 0.0, None
                details = "; ".join(res.details) if res is not None else ""
                if sub is None and student in refused_students and (res is None or res.status == NOT_SUBMITTED):
                    status, flags = REFUSED, ["refused"]
                    details = f"folder {refused_students[student][0]!r}: {refused_students[student][1]}"
                elif res is None:
                    status = NOT_SUBMITTED if sub is None else "not_checked"
                    flags = [] if sub is None else ["graded outside the course driver: run make autograde"]
                else:  # manual grading may have happened since autograde: ask the gradebook
                    status, flags = res.status, [f for f in res.flags if not f.startswith(PENDING)]
                    if pending:
                        flags.append(f"{PENDING}:" + ",".join(pending))
                if roster and student not in roster:
                    flags.append("not_on_roster")
                late, minutes, penalty = _lateness(sub, flags)
                if late == "yes" and not any(f.startswith("late") for f in flags):
                    flags.append("late" + (f":{minutes}min" if minutes else ""))
                if pending and status == GRADED:
                    status = PENDING  # not final: a number here would look like the grade
                attention = status != GRADED or any(not f.startswith(INFO_FLAGS) for f in flags)
                out.append({
                    "assignment": name, "student_id": student,
                    "last_name": roster.get(student, {}).get("last_name", ""),
                    "first_name": roster.get(student, {}).get("first_name", ""),
                    "score": f"{score:g}", "max_score": f"{max_score:g}",
                    "late_penalty": f"{penalty:g}", "final_score": f"{max(0.0, score - penalty):g}",
                    "status": status,
                    "needs_attention": "yes" if attention else "no",
                    "late": late, "minutes_late": minutes,
                    "flags": "; ".join(flags), "timestamp": timestamp.isoformat() if timestamp else "",
                    "details": details,
                })
            for folder, (sid, why) in refused.items():
                if sid is None:  # a folder that stands for no student of the course: its own row
                    out.append({"assignment": name, "student_id": folder, "last_name": "", "first_name": "",
                                "score": "0", "max_score": f"{max_score:g}", "late_penalty": "0", "final_score": "0",
                                "status": REFUSED, "needs_attention": "yes", "late": "", "minutes_late": "",
                                "flags": "refused", "timestamp": "", "details": why})
    return out


def _final(row: dict[str, str]) -> str | None:
    """The number an LMS may take for this row, or None while it is not final (manual grading pending)."""
    return None if row["status"] == PENDING else row["final_score"]


def wide(course: Course, long_rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """One row per student, one column per assignment (the final score, or ``pending``)."""
    names = list(dict.fromkeys(r["assignment"] for r in long_rows))
    table: dict[str, dict[str, str]] = {}
    for row in long_rows:
        line = table.setdefault(row["student_id"], {"student_id": row["student_id"], "last_name": row["last_name"],
                                                    "first_name": row["first_name"], **{n: "" for n in names},
                                                    "needs_attention": ""})
        final = _final(row)
        line[row["assignment"]] = "pending" if final is None else final
        if row["needs_attention"] == "yes":
            line["needs_attention"] = " ".join(filter(None, [line["needs_attention"], row["assignment"]]))
    return [table[k] for k in sorted(table)]


def canvas(course: Course, long_rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Canvas's gradebook import: Student, ID (the roster's lms_user_id), SIS User ID (the course id), a column per
    assignment; a Points Possible row first; pending and refused scores left empty."""
    roster = {r["id"]: r for r in course.roster()}
    names = list(dict.fromkeys(r["assignment"] for r in long_rows))
    top = {"Student": "Points Possible", "ID": "", "SIS User ID": "", "SIS Login ID": "", "Section": ""}
    top.update({n: next(r["max_score"] for r in long_rows if r["assignment"] == n) for n in names})
    table: dict[str, dict[str, str]] = {}
    for row in long_rows:
        sid = row["student_id"]
        if sid not in roster:
            continue
        person = roster[sid]
        line = table.setdefault(sid, {"Student": f"{person.get('last_name', '')}, {person.get('first_name', '')}".strip(", "),
                                      "ID": person.get("lms_user_id", ""), "SIS User ID": sid, "SIS Login ID": "",
                                      "Section": "", **{n: "" for n in names}})
        final = _final(row) if row["status"] != REFUSED else None
        line[row["assignment"]] = final or ""
    return [top] + [table[k] for k in sorted(table)]


def moodle(course: Course, long_rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Moodle's grade import: ID number (the course id), Email address, a column per assignment; pending left empty."""
    roster = {r["id"]: r for r in course.roster()}
    names = list(dict.fromkeys(r["assignment"] for r in long_rows))
    table: dict[str, dict[str, str]] = {}
    for row in long_rows:
        sid = row["student_id"]
        if sid not in roster:
            continue
        line = table.setdefault(sid, {"ID number": sid, "Email address": roster[sid].get("email", ""),
                                      **{n: "" for n in names}})
        final = _final(row) if row["status"] != REFUSED else None
        line[row["assignment"]] = final or ""
    return [table[k] for k in sorted(table)]


def export(course: Course, path: str | Path | None = None, assignments: Iterable[str] | None = None,
           fmt: str = "long") -> Path:
    """Write the grades in format ``fmt`` (default ``reports/grades.csv``, or ``grades-<fmt>.csv``); return its path."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    out = Path(path) if path else course.root / "reports" / ("grades.csv" if fmt == "long" else f"grades-{fmt}.csv")
    table = rows(course, assignments)
    if fmt != "long":
        table = {"wide": wide, "canvas": canvas, "moodle": moodle}[fmt](course, table)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(table[0]) if table else ["assignment", "student_id"])
        writer.writeheader()
        writer.writerows({k: cell(str(v)) for k, v in row.items()} for row in table)
    course.echo(f"exported {len(table)} rows ({fmt}) to {out}")
    return out
