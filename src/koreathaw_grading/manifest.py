"""Which graded cells a notebook must have, and which of them a submission lost.

A released notebook carries, in its notebook-level metadata under
:data:`koreathaw_grading.MANIFEST_KEY`, the list of its nbgrader cells (``grade_id``,
kind, points). Deleting a cell in JupyterLab does not touch that list, so a
notebook can be checked on its own for deleted or duplicated graded cells; when
the list is missing (an old release, a hand-edited file) the course's
``release/`` or ``source/`` copy of the notebook is used instead.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from koreathaw_grading import MANIFEST_KEY


def cell_kind(meta: dict[str, Any]) -> str:
    """Return a short name for the kind of an nbgrader cell from its metadata."""
    if meta.get("task"):
        return "task"
    if meta.get("grade") and meta.get("solution"):
        return "manual answer"
    if meta.get("grade"):
        return "test"
    if meta.get("solution"):
        return "answer"
    return "read-only"


def nbgrader_cells(nb: Any) -> list[dict[str, Any]]:
    """Return one entry per cell with an nbgrader ``grade_id``, in notebook order."""
    found = []
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if not grade_id:
            continue
        found.append({"grade_id": grade_id, "kind": cell_kind(meta),
                      "points": float(meta.get("points", 0) or 0) if meta.get("grade") or meta.get("task") else 0.0})
    return found


def manifest(nb: Any, assignment: str) -> dict[str, Any]:
    """Return the manifest of a (released) notebook: its graded cells and total points."""
    cells = nbgrader_cells(nb)
    return {"assignment": assignment, "cells": cells, "max_points": sum(c["points"] for c in cells)}


def _read_json(path: Path) -> Any | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def expected_cells(nb: Any, notebook_path: Path | None = None, course_root: Path | None = None) -> list[dict[str, Any]] | None:
    """Return the cells the notebook must have, or None if nothing says so.

    The notebook's own manifest wins; otherwise the notebook of
    ``course_root/release`` (then ``source``) that shares the most grade_ids
    with it (a renamed copy is still recognised).
    """
    stamped = nb.get("metadata", {}).get(MANIFEST_KEY)
    if isinstance(stamped, dict) and isinstance(stamped.get("cells"), list):
        return stamped["cells"]
    if course_root is None:
        return None
    mine = {c["grade_id"] for c in nbgrader_cells(nb)}
    name = Path(notebook_path).stem if notebook_path is not None else None
    for folder in ("release", "source"):
        best, best_score = None, (0, False)
        for candidate in sorted((Path(course_root) / folder).glob("*/*.ipynb")):
            other = _read_json(candidate)
            if other is None:
                continue
            cells = nbgrader_cells(other)
            score = (len(mine & {c["grade_id"] for c in cells}), candidate.stem == name)
            if score > best_score:
                best, best_score = cells, score
        if best is not None:
            return best
    return None


def cell_problems(nb: Any, expected: list[dict[str, Any]] | None) -> dict[str, list[str]]:
    """Return the graded cells that are missing from, or duplicated in, ``nb``.

    Keys: ``missing`` (grade_ids of the manifest not in the notebook) and
    ``duplicated`` (grade_ids present more than once).
    """
    present = Counter(c["grade_id"] for c in nbgrader_cells(nb))
    duplicated = sorted(g for g, n in present.items() if n > 1)
    missing = [c["grade_id"] for c in (expected or []) if c["grade_id"] not in present]
    return {"missing": missing, "duplicated": duplicated}
