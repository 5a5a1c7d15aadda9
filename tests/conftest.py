"""Shared fixtures: small data folders the tests write and break themselves."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
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


def many_events(n: int, seed: int = 15) -> pd.DataFrame:
    """A made-up event table of ``n`` rows: the real events repeated, each moved a little, with new ids.

    For tests of scale (clustered maps): same columns and types as
    ``koreathaw.load_events()``, indexed by date, reproducible for a given seed.
    """
    import numpy as np

    import koreathaw as kt

    events = kt.load_events()
    rng = np.random.default_rng(seed)
    table = events.iloc[rng.integers(0, len(events), n)].copy()
    table["event_id"] = [f"S{i:05d}" for i in range(n)]
    table["latitude"] = (table["latitude"] + rng.normal(0, 0.4, n)).clip(-85, 85)
    table["longitude"] = (table["longitude"] + rng.normal(0, 0.4, n)).clip(-179, 179)
    return table.sort_index(kind="stable")


@pytest.fixture(scope="session")
def ten_thousand_events() -> pd.DataFrame:
    """:func:`many_events` with 10,000 rows."""
    return many_events(10_000)
