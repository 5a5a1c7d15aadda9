"""Where the course data lives, and how a described table is read and checked.

There is one home for the data: the top-level ``data/`` folder of the course.
:func:`data_dir` finds it; the environment variable ``KOREATHAW_DATA`` points
it elsewhere (tests use it, and so can an instructor with extra events).
Every table is described in ``data/datapackage.json`` (a Frictionless Data
Package): its fields' types, the constraints on them (``required``,
``unique``, ``enum``, ``pattern``, ``minimum``, ``maximum``), its primary key
and its foreign keys. :func:`read_records` reads a table and checks every one
of those rules as the file declares it, and :func:`frame` makes the pandas
table with the column types the file declares: the rules live in one file
only (the test suite validates the same file with the Frictionless library).
The loaders add only the rules a Table Schema cannot say (a quote occurs in
its article, a place lies inside its country ...).
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import re
from pathlib import Path
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from koreathaw.errors import DataError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

ENV_VAR = "KOREATHAW_DATA"
_DESCRIPTOR = "datapackage.json"


def data_dir() -> Path:
    """Return the folder that holds the course data.

    The folder named by the environment variable ``KOREATHAW_DATA`` wins; then
    the ``data/`` folder of a course checkout; then the copy packed inside an
    installed wheel.

    Examples
    --------
    >>> (data_dir() / "datapackage.json").is_file()
    True
    """
    override = os.environ.get(ENV_VAR)
    if override:
        path = Path(override).expanduser()
        if not (path / _DESCRIPTOR).is_file():
            raise DataError(
                path / _DESCRIPTOR,
                f"no data package here; {ENV_VAR} must name a folder holding {_DESCRIPTOR}",
            )
        return path
    here = Path(__file__).resolve().parent
    for candidate in (here.parents[1] / "data", here / "_data"):
        if (candidate / _DESCRIPTOR).is_file():
            return candidate
    raise DataError(
        "data/" + _DESCRIPTOR,
        f"cannot find the course data; set {ENV_VAR} to the course's data folder",
    )


@functools.lru_cache(maxsize=4)
def _parse(text: str) -> dict[str, Any]:
    """Parse a descriptor's text (memoised on the text itself: the same text, the same rules)."""
    return json.loads(text)


def descriptor(root: Path | None = None) -> dict[str, Any]:
    """Return the parsed ``datapackage.json`` of the data folder (do not change the dict: it is shared)."""
    path = (root or data_dir()) / _DESCRIPTOR
    try:
        return _parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(path, "file is missing") from None
    except json.JSONDecodeError as exc:
        raise DataError(path, f"not valid JSON: {exc.msg}", line=exc.lineno) from None


def resource(name: str, root: Path | None = None) -> dict[str, Any]:
    """Return the description of one table of the data package."""
    for res in descriptor(root)["resources"]:
        if res["name"] == name:
            return res
    raise DataError((root or data_dir()) / _DESCRIPTOR, f"no resource named {name!r}")


def _convert(value: str, field: dict[str, Any]) -> Any:
    """Convert one CSV cell to the type its field declares (raises ValueError)."""
    kind = field.get("type", "string")
    if kind == "string":
        return value
    if kind == "integer":
        if not re.fullmatch(r"[+-]?\d+", value):
            raise ValueError(f"{value!r} is not a whole number")
        return int(value)
    if kind == "number":
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError(f"{value!r} is not a finite number")
        return number
    if kind == "date":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(f"{value!r} is not a date written YYYY-MM-DD")
        import datetime as _dt

        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a real calendar date") from None
    if kind == "boolean":
        if value not in ("true", "false"):
            raise ValueError(f"{value!r} is not true or false")
        return value == "true"
    raise ValueError(f"unsupported field type {kind!r} in the data package")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _check_header(path: Path, header: list[str], names: list[str]) -> None:
    if header != names:
        missing = [n for n in names if n not in header]
        extra = [h for h in header if h not in names]
        detail = [f"missing {missing}"] * bool(missing) + [f"unexpected {extra}"] * bool(extra)
        raise DataError(path, f"header does not match the data package ({'; '.join(detail or ['columns out of order'])}); "
                              f"expected {names}", line=1)


def _cell(path: Path, raw: str, field: dict[str, Any], where: dict[str, Any]) -> Any:
    """Check one cell against its field's type and constraints; return it converted (None if empty)."""
    col, cons = field["name"], field.get("constraints", {})
    where = where | {"column": col}
    value = raw.strip()
    if value != raw:
        raise DataError(path, f"cell {raw!r} has spaces around it", **where)
    control = _CONTROL.search(value)
    if control:
        raise DataError(path, f"cell holds the control character {control.group()!r} at character "
                              f"{control.start() + 1} (a NUL byte or other non-text): {value[:40]!r}", **where)
    if value == "":
        if cons.get("required"):
            raise DataError(path, "required value is empty", **where)
        return None
    try:
        converted = _convert(value, field)
    except ValueError as exc:
        raise DataError(path, str(exc), **where) from None
    if "enum" in cons and value not in cons["enum"]:
        raise DataError(path, f"{value!r} is not one of {cons['enum']}", **where)
    if "pattern" in cons and not re.fullmatch(cons["pattern"], value):
        raise DataError(path, f"{value!r} does not match the pattern {cons['pattern']!r}", **where)
    if "minimum" in cons and converted < _convert(str(cons["minimum"]), field):
        raise DataError(path, f"{value} is below the minimum {cons['minimum']}", **where)
    if "maximum" in cons and converted > _convert(str(cons["maximum"]), field):
        raise DataError(path, f"{value} is above the maximum {cons['maximum']}", **where)
    return converted


def _key_fields(key: Any) -> list[str]:
    return [key] if isinstance(key, str) else list(key or [])


def _check_unique(path: Path, rows: list[dict[str, Any]], fields: list[str], what: str) -> None:
    """Raise on the first row whose values of ``fields`` repeat an earlier row's (a unique or primary key)."""
    seen: dict[tuple[Any, ...], int] = {}
    for rec in rows:
        value = tuple(rec[f] for f in fields)
        if None in value:
            continue
        if value in seen:
            shown = value[0] if len(value) == 1 else value
            raise DataError(path, f"duplicate {'+'.join(fields)} {shown!r} (first on line {seen[value]}; {what})",
                            line=rec["_line"], column=fields[0], row_id=rec["_id"])
        seen[value] = rec["_line"]


def _check_foreign_keys(path: Path, res: dict[str, Any], rows: list[dict[str, Any]], root: Path,
                        references: dict[str, Iterable[Any]]) -> None:
    """Raise on the first row whose foreign key is not a key of the table it refers to."""
    for fk in res["schema"].get("foreignKeys", []):
        fields, ref = _key_fields(fk["fields"]), fk["reference"]
        ref_fields, target = _key_fields(ref["fields"]), ref.get("resource", "")
        if len(fields) != 1 or len(ref_fields) != 1:
            raise DataError(root / _DESCRIPTOR, f"{res['name']}: only single-field foreign keys are supported")
        if target == "":  # a reference to the table itself
            keys, where = {rec[ref_fields[0]] for rec in rows}, f"the {ref_fields[0]} column of {path.name}"
        else:
            if target in references:
                keys = set(references[target])
            else:
                keys = {rec[ref_fields[0]] for rec in read_records(target, root)[1]}
            where = f"{resource(target, root)['path']} (its {ref_fields[0]} column)"
        for rec in rows:
            value = rec[fields[0]]
            if value is not None and value not in keys:
                raise DataError(path, f"unknown {fields[0]} {value!r}: it is not in {where}",
                                line=rec["_line"], column=fields[0], row_id=rec["_id"])


@functools.lru_cache(maxsize=16)
def _parse_rows(path: Path, text: str, fields_json: str) -> tuple[dict[str, Any], ...]:
    """Parse and check the rows of a table's text against its fields (memoised on the text and the fields).

    The same text and the same rules give the same rows: a file read again (a
    helper that loads a table on each call) is not checked again. The caller
    copies the rows before changing them.
    """
    fields = json.loads(fields_json)
    names = [f["name"] for f in fields]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise DataError(path, "file is empty; expected a header line", line=1) from None
    except csv.Error as exc:
        raise DataError(path, f"cannot read the header: {exc}", line=1) from None
    _check_header(path, header, names)
    rows: list[dict[str, Any]] = []
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise DataError(path, f"cannot parse the row: {exc}", line=reader.line_num) from None
        if not cells or cells == [""]:
            continue
        where = {"line": reader.line_num, "row_id": cells[0]}
        if len(cells) != len(names):
            raise DataError(path, f"expected {len(names)} cells, found {len(cells)}", **where)
        record = {f["name"]: _cell(path, raw, f, where) for f, raw in zip(fields, cells)}
        rows.append(record | {"_line": where["line"], "_id": cells[0]})
    return tuple(rows)


def read_records(name: str, root: Path | None = None,
                 references: dict[str, Iterable[Any]] | None = None) -> tuple[Path, list[dict[str, Any]]]:
    """Read and check one table; return its path and its rows as dicts.

    Every row carries its file line number under ``"_line"`` and its first cell
    (its id, for messages) under ``"_id"``. Each cell is checked against its
    field's type and constraints, then the primary key, the ``unique`` fields
    and the foreign keys; the header must list exactly the described fields,
    in order. A UTF-8 byte-order mark (spreadsheets write one) is allowed; a
    control character (a NUL byte ...) in a cell is not, nor a table with no
    row. ``references`` gives the keys of a table a foreign key refers to, when
    the caller has loaded it already (else it is read).
    """
    root = root or data_dir()
    res = resource(name, root)
    path = root / res["path"]
    fields = res["schema"]["fields"]
    names = [f["name"] for f in fields]
    encoding = res.get("encoding", "utf-8").lower()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError(path, "file is missing") from None
    try:  # utf-8-sig reads UTF-8 and drops a leading byte-order mark
        text = data.decode("utf-8-sig" if encoding in ("utf-8", "utf8") else encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataError(path, f"cannot parse the row: not {encoding} text ({exc.reason} at byte {exc.start})",
                        line=line) from None
    rows = [dict(row) for row in _parse_rows(path, text, json.dumps(res["schema"]["fields"]))]
    if not rows:
        raise DataError(path, "the table has its header but no rows", line=2)
    _check_unique(path, rows, _key_fields(res["schema"].get("primaryKey")), "the primary key")
    for field in fields:
        if field.get("constraints", {}).get("unique"):
            _check_unique(path, rows, [field["name"]], "a unique field")
    _check_foreign_keys(path, res, rows, root, references or {})
    return path, rows


def frame(name: str, rows: list[dict[str, Any]], root: Path | None = None) -> pd.DataFrame:
    """Return the rows of :func:`read_records` as a DataFrame typed as the data package declares.

    Columns in the declared order (``_line`` and ``_id`` dropped, and any
    column a loader added kept after them): a ``date`` field becomes datetime64
    (``NaT`` when empty), an ``integer`` field int64 (``Int64`` if a value is
    missing), a ``number`` field float64; text stays text.
    """
    import pandas as pd

    fields = resource(name, root)["schema"]["fields"]
    table = pd.DataFrame.from_records(rows)
    extra = [c for c in table.columns if c not in {f["name"] for f in fields} | {"_line", "_id"}]
    table = table[[f["name"] for f in fields] + extra]
    for field in fields:
        col, kind = field["name"], field.get("type", "string")
        if kind == "date":
            table[col] = pd.to_datetime(table[col])
        elif kind == "integer":
            table[col] = table[col].astype("int64" if table[col].notna().all() else "Int64")
        elif kind == "number":
            table[col] = table[col].astype("float64")
    return table
