"""The student edition works on this machine: the library loads its data and the assignments are as released."""

from __future__ import annotations

import json
from pathlib import Path

import koreathaw as kt

HERE = Path(__file__).resolve().parents[1]


def test_the_library_loads_every_table():
    """The five articles, the events, the places and the names load and agree with each other."""
    assert len(kt.load_articles()) == 5
    events = kt.load_events()
    assert len(events) > 0 and set(events["place_id"]) <= set(kt.load_places().index)
    assert len(kt.load_names()) > 0


def test_every_assignment_is_a_released_notebook():
    """Each assignment folder holds its released notebook: answer cells to fill in, no solution markers."""
    notebooks = sorted(HERE.glob("assignments/*/*.ipynb"))
    assert notebooks
    for path in notebooks:
        text = path.read_text(encoding="utf-8")
        nb = json.loads(text)
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
        assert any(c.get("metadata", {}).get("nbgrader", {}).get("solution") for c in nb["cells"]), path


def test_the_validator_is_installed():
    """make validate runs nbgrader's validation with the course's check for deleted cells."""
    from koreathaw_grading.validate import validate

    assert callable(validate)
