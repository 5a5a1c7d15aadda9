"""pytest plugin for the lessons' nbval run: checked cells need no committed execution count.

The course commits its notebooks with no execution counts at all. nbval, though,
takes a code cell whose ``execution_count`` is empty for a cell that was never
run, and a stored output in such a cell is an error ("Unrun reference cell has
outputs"). So before nbval runs a cell, this plugin gives every cell that has
stored outputs -- only ``# NBVAL_CHECK_OUTPUT`` cells have any, which
``tests/notebooks/test_notebooks_clean.py`` enforces -- a count in memory. The
files are not touched; nbval does not compare counts (``execution_count`` is in
its ``skip_compare``).

Loaded by the checkout's root ``conftest.py``, so nbval's plain command
``pytest --nbval-lax notebooks/`` (and ``make test``) uses it.
"""

from __future__ import annotations

from typing import Any


def pytest_collection_modifyitems(items: list[Any]) -> None:
    """Number the nbval cells that carry reference outputs, 1, 2, 3 ... per notebook."""
    numbers: dict[str, int] = {}
    for item in items:
        cell = getattr(item, "cell", None)
        if cell is None or cell.get("cell_type") != "code" or not cell.get("outputs"):
            continue
        if cell.get("execution_count") is None:
            key = str(item.fspath)
            numbers[key] = numbers.get(key, 0) + 1
            cell["execution_count"] = numbers[key]
