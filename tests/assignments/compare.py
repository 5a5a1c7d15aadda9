"""What a grading run produced, in a form two runs can be compared by (``==``).

* :func:`grades` - the gradebook: per student, per graded cell, the automatic
  score, manual score, whether it needs manual grading, and the points;
* :func:`outputs` - the autograded notebooks: per cell its source and the
  kinds of its outputs (errors with their name and message);
* :func:`reports` - the course driver's per-student reports (status, score,
  flags, details; not the time taken).

Used by the equivalence test and by ``make bench``.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

_GRADES = """
SELECT st.id, nb.name, bc.name, g.auto_score, g.manual_score, g.extra_credit, g.needs_manual_grade, gc.max_score
FROM grade g
JOIN submitted_notebook sn ON g.notebook_id = sn.id
JOIN submitted_assignment sa ON sn.assignment_id = sa.id
JOIN student st ON sa.student_id = st.id
JOIN assignment a ON sa.assignment_id = a.id
JOIN notebook nb ON sn.notebook_id = nb.id
JOIN grade_cells gc ON g.cell_id = gc.id
JOIN base_cell bc ON gc.id = bc.id
WHERE a.name = ?
ORDER BY 1, 2, 3
"""


def grades(root: str | Path, assignment: str) -> dict[str, dict[str, tuple]]:
    """Return ``{student: {"notebook/cell": (auto, manual, extra, needs_manual, max)}}`` from the gradebook."""
    db = Path(root) / "gradebook.db"
    out: dict[str, dict[str, tuple]] = {}
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        for student, notebook, cell, *values in con.execute(_GRADES, (assignment,)):
            out.setdefault(student, {})[f"{notebook}/{cell}"] = tuple(values)
    return out


def students(root: str | Path) -> list[str]:
    """Return the student ids in the gradebook."""
    db = Path(root) / "gradebook.db"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        return sorted(row[0] for row in con.execute("SELECT id FROM student"))


def _output(out: dict[str, Any]) -> tuple:
    kind = out.get("output_type")
    if kind == "error":
        return (kind, out.get("ename"), out.get("evalue"))
    if kind == "stream":
        return (kind, out.get("name"))
    return (kind, tuple(sorted(out.get("data", {}))))


def outputs(root: str | Path, assignment: str) -> dict[str, dict[str, list]]:
    """Return ``{student: {notebook: [(cell_type, grade_id, source, outputs)]}}`` of the autograded notebooks."""
    out: dict[str, dict[str, list]] = {}
    for path in sorted(Path(root, "autograded").glob(f"*/{assignment}/*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = []
        for cell in nb["cells"]:
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            cells.append((cell.get("cell_type"), cell.get("metadata", {}).get("nbgrader", {}).get("grade_id"),
                          source, [_output(o) for o in cell.get("outputs", [])]))
        out.setdefault(path.parent.parent.name, {})[path.stem] = cells
    return out


def reports(root: str | Path, assignment: str) -> dict[str, dict[str, Any]]:
    """Return the driver's per-student reports of ``assignment`` (without the time taken)."""
    out = {}
    for path in sorted(Path(root, "reports", assignment).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        data.pop("seconds", None)
        out[data["student"]] = data
    return out


def differences(a: dict, b: dict, limit: int = 10) -> list[str]:
    """Return up to ``limit`` readable differences between two nested dicts."""
    found: list[str] = []

    def walk(x: Any, y: Any, path: str) -> None:
        if len(found) >= limit:
            return
        if isinstance(x, dict) and isinstance(y, dict):
            for key in sorted(set(x) | set(y), key=str):
                if key not in x or key not in y:
                    found.append(f"{path}/{key}: only in {'second' if key not in x else 'first'}")
                else:
                    walk(x[key], y[key], f"{path}/{key}")
        elif x != y:
            found.append(f"{path}: {x!r:.200} != {y!r:.200}")

    walk(a, b, "")
    return found
