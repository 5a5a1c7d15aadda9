"""Where the course data lives, and how a described table is read and checked.

There is one home for the data: the top-level ``data/`` folder of the course.
:func:`data_dir` finds it; the environment variable ``KOREATHAW_DATA`` points
it elsewhere (tests use it, and so can an instructor with extra events).
Every table is described in ``data/datapackage.json`` (a Frictionless Data
Package); :func:`read_table` reads a table and checks it against that
description, so the rules live in one file only.
"""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path
from typing import Any

from koreathaw.errors import DataError

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


def descriptor(root: Path | None = None) -> dict[str, Any]:
    """Return the parsed ``datapackage.json`` of the data folder."""
    path = (root or data_dir()) / _DESCRIPTOR
    try:
        return json.loads(path.read_text(encoding="utf-8"))
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


def read_records(name: str, root: Path | None = None) -> tuple[Path, list[dict[str, Any]]]:
    """Read and check one table; return its path and its rows as dicts.

    Every row carries its file line number under the key ``"_line"``.
    Each cell is checked against its field's type and constraints
    (``required``, ``unique``, ``enum``, ``pattern``, ``minimum``,
    ``maximum``); the header must list exactly the described fields, in order.
    """
    root = root or data_dir()
    res = resource(name, root)
    path = root / res["path"]
    fields = res["schema"]["fields"]
    names = [f["name"] for f in fields]
    key = res["schema"].get("primaryKey")
    try:
        handle = path.open(encoding="utf-8", newline="")
    except FileNotFoundError:
        raise DataError(path, "file is missing") from None
    rows: list[dict[str, Any]] = []
    seen: dict[str, dict[Any, int]] = {f["name"]: {} for f in fields if f.get("constraints", {}).get("unique")}
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise DataError(path, "file is empty; expected a header line", line=1) from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise DataError(path, f"cannot read the header: {exc}", line=1) from None
        if header != names:
            missing = [n for n in names if n not in header]
            extra = [h for h in header if h not in names]
            detail = []
            if missing:
                detail.append(f"missing {missing}")
            if extra:
                detail.append(f"unexpected {extra}")
            if not detail:
                detail.append("columns out of order")
            raise DataError(path, f"header does not match the data package ({'; '.join(detail)}); expected {names}", line=1)
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except (csv.Error, UnicodeDecodeError) as exc:
                raise DataError(path, f"cannot parse the row: {exc}", line=reader.line_num) from None
            line = reader.line_num
            if not cells or cells == [""]:
                continue
            row_id = cells[0] if cells else None
            if len(cells) != len(names):
                raise DataError(path, f"expected {len(names)} cells, found {len(cells)}", line=line, row_id=row_id)
            record: dict[str, Any] = {"_line": line}
            for field, raw in zip(fields, cells):
                col = field["name"]
                cons = field.get("constraints", {})
                value = raw.strip()
                if value != raw:
                    raise DataError(path, f"cell {raw!r} has spaces around it", line=line, column=col, row_id=row_id)
                if value == "":
                    if cons.get("required"):
                        raise DataError(path, "required value is empty", line=line, column=col, row_id=row_id)
                    record[col] = None
                    continue
                try:
                    converted = _convert(value, field)
                except ValueError as exc:
                    raise DataError(path, str(exc), line=line, column=col, row_id=row_id) from None
                if "enum" in cons and value not in cons["enum"]:
                    raise DataError(path, f"{value!r} is not one of {cons['enum']}", line=line, column=col, row_id=row_id)
                if "pattern" in cons and not re.fullmatch(cons["pattern"], value):
                    raise DataError(path, f"{value!r} does not match the pattern {cons['pattern']!r}", line=line, column=col, row_id=row_id)
                if "minimum" in cons and converted < _convert(str(cons["minimum"]), field):
                    raise DataError(path, f"{value} is below the minimum {cons['minimum']}", line=line, column=col, row_id=row_id)
                if "maximum" in cons and converted > _convert(str(cons["maximum"]), field):
                    raise DataError(path, f"{value} is above the maximum {cons['maximum']}", line=line, column=col, row_id=row_id)
                if col in seen:
                    if converted in seen[col]:
                        raise DataError(path, f"duplicate {col} {value!r} (first on line {seen[col][converted]})", line=line, column=col, row_id=row_id)
                    seen[col][converted] = line
                record[col] = converted
            rows.append(record)
    if key and isinstance(key, str) and key not in seen:
        ids: dict[Any, int] = {}
        for rec in rows:
            if rec[key] in ids:
                raise DataError(path, f"duplicate {key} {rec[key]!r} (first on line {ids[rec[key]]})", line=rec["_line"], column=key, row_id=str(rec[key]))
            ids[rec[key]] = rec["_line"]
    return path, rows
