"""Shared fixtures: small data folders the tests write and break themselves."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"


class DataCopy:
    """A private copy of the course data that a test may edit."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def rows(self, table: str) -> list[list[str]]:
        with (self.root / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
            return list(csv.reader(handle))

    def write_rows(self, table: str, rows: list[list[str]]) -> None:
        with (self.root / f"{table}.csv").open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(rows)

    def set_cell(self, table: str, row_id: str, column: str, value: str) -> int:
        """Set one cell of the row whose first cell is ``row_id``; return its line number."""
        rows = self.rows(table)
        col = rows[0].index(column)
        for number, row in enumerate(rows[1:], start=2):
            if row[0] == row_id:
                row[col] = value
                self.write_rows(table, rows)
                return number
        raise KeyError(row_id)


@pytest.fixture()
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DataCopy:
    """A copy of data/ in a temporary folder, made the library's data folder."""
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    monkeypatch.setenv("KOREATHAW_DATA", str(root))
    return DataCopy(root)
