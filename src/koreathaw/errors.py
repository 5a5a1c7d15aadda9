"""One exception for every problem with the course data.

Every loader in :mod:`koreathaw` validates its file once, at the boundary, and
raises :class:`DataError` when something is wrong. The message always names the
file, the line (the header is line 1) and the column where it can, and says
what is wrong in words a student can act on.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DataError"]


class DataError(ValueError):
    """A course data file is missing, malformed or inconsistent.

    Parameters
    ----------
    file : str or Path
        The file at fault.
    problem : str
        What is wrong, in plain words.
    line : int, optional
        The line of the file (header = line 1) where the problem is.
    column : str, optional
        The column at fault.
    row_id : str, optional
        The id of the row at fault (e.g. an ``event_id``), to find it by name.

    Examples
    --------
    >>> err = DataError("data/events.csv", "unknown place 'atlantis'", line=7,
    ...                 column="place_id", row_id="E006")
    >>> print(err)
    data/events.csv, line 7 (E006), column 'place_id': unknown place 'atlantis'
    """

    def __init__(
        self,
        file: str | Path,
        problem: str,
        *,
        line: int | None = None,
        column: str | None = None,
        row_id: str | None = None,
    ) -> None:
        self.file = str(file)
        self.problem = problem
        self.line = line
        self.column = column
        self.row_id = row_id
        where = self.file
        if line is not None:
            where += f", line {line}"
            if row_id:
                where += f" ({row_id})"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {problem}")
