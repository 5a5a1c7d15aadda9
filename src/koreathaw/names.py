"""Spelling variants and canonical names.

The same person is written *Kim Jong-un*, *Kim Jong Un* and *Kim Jong-Un* in
the five articles. ``data/names.csv`` maps every variant to one canonical name;
:func:`canonical_name` and :func:`find_mentions` use it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from koreathaw import _args
from koreathaw._files import frame as table_frame
from koreathaw._files import read_records
from koreathaw.errors import DataError

__all__ = ["load_names", "canonical_name", "find_mentions"]


def load_names(root: Path | None = None) -> pd.DataFrame:
    """Return the name variants as a table indexed by ``variant``.

    Columns: ``canonical``, ``kind`` (person, place, organisation or country)
    and ``note``. Every canonical name is also listed as a variant of itself.

    Examples
    --------
    >>> names = load_names()
    >>> names.loc["Kim Jong-un", "canonical"]
    'Kim Jong Un'
    """
    frame = table_frame("names", name_records(root), root)
    frame["note"] = frame["note"].fillna("")
    return frame.set_index("variant")


def name_records(root: Path | None = None) -> list[dict]:
    """Return the checked rows of names.csv: every canonical name is its own canonical form."""
    path, rows = read_records("names", root)  # the data package: every canonical name is a variant too
    canonical_of = {r["variant"]: r["canonical"] for r in rows}
    for row in rows:
        target = row["canonical"]
        if canonical_of[target] != target:  # a variant of a variant: canonical_name would return a variant
            raise DataError(path, f"{target!r} is not a canonical name (its own row maps it to "
                            f"{canonical_of[target]!r}); point {row['variant']!r} at {canonical_of[target]!r}",
                            line=row["_line"], column="canonical", row_id=row["variant"])
    return rows


def canonical_name(name: str, names: pd.DataFrame | None = None) -> str:
    """Return the canonical form of ``name``.

    Raises
    ------
    TypeError
        If ``name`` is not text.
    KeyError
        If ``name`` is not a known variant; the message suggests near matches.

    Examples
    --------
    >>> canonical_name("Moon Jae In")
    'Moon Jae-in'
    """
    _args.text(name, "name", "Moon Jae In")
    if names is None:  # the course's names: a look-up in the checked rows, no table to build
        canonical_of = {r["variant"]: r["canonical"] for r in name_records()}
    else:
        table = _names_table(names)
        canonical_of = dict(zip(table.index, table["canonical"]))
    if name in canonical_of:
        return str(canonical_of[name])
    import difflib

    close = difflib.get_close_matches(name, list(canonical_of), n=3)
    hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
    raise KeyError(f"{name!r} is not a known name variant in names.csv{hint}")


def _names_table(names: object) -> pd.DataFrame:
    """Return ``names`` (or the course's) after checking it is a names table."""
    if names is None:
        return load_names()
    if not isinstance(names, pd.DataFrame):
        raise TypeError(f"names must be a pandas DataFrame such as koreathaw.load_names(), not {_args.given(names)}")
    missing = [c for c in ("canonical", "kind") if c not in names.columns]
    if missing:
        raise ValueError(f"the names table is missing the columns {missing}; pass koreathaw.load_names()")
    return names


@lru_cache(maxsize=8)
def _pattern(variants: tuple[str, ...]) -> re.Pattern[str]:
    ordered = sorted(variants, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(v) for v in ordered) + r")(?![\w-])")


def find_mentions(text: str, names: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return every mention of a known name in ``text``, one row each.

    Matching is case-sensitive and takes the longest variant first, so
    *Korean Central News Agency* is one mention, not a mention of *Korean*.
    A possessive (*Kim Jong-un's*) counts as a mention.

    Columns: ``start``, ``end`` (character offsets), ``variant``,
    ``canonical`` and ``kind``.

    Raises
    ------
    TypeError
        If ``text`` is not text (e.g. a whole table: pass one article's body).

    Examples
    --------
    >>> m = find_mentions("Mr Moon met Kim Jong-un, then KCNA spoke.")
    >>> m["canonical"].tolist()
    ['Kim Jong Un', 'Korean Central News Agency']
    """
    _args.text(text, "text", "Mr Moon met Kim Jong-un")
    table = _names_table(names)
    rows = []
    for match in _pattern(tuple(table.index)).finditer(text):
        variant = match.group(1)
        rows.append({"start": match.start(), "end": match.end(), "variant": variant,
                     "canonical": table.loc[variant, "canonical"], "kind": table.loc[variant, "kind"]})
    return pd.DataFrame(rows, columns=["start", "end", "variant", "canonical", "kind"])
