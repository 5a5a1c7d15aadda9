"""The argument checks every public function shares: one shape per kind of thing, one kind of message.

The same thing is passed the same way everywhere: a date as ``"2018-03-01"``,
``"2018-03"`` (the whole month) or ``"2018"`` (the whole year) or a Timestamp;
a category, a term or a place as text, or several as a list of texts. A wrong
shape is a :class:`TypeError`, a wrong value a :class:`ValueError`; both name
the argument, show what was given and say what is expected, e.g.::

    TypeError: terms must be a word or phrase, or a list of them, such as ['peace', 'sanctions'],
    not 5 (an int)

Like :mod:`koreathaw._html` this module imports nothing of the library.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

__all__ = ["given", "text", "texts", "choices", "flag", "whole_number", "date_bound", "date_range"]


def given(value: Any) -> str:
    """Describe a value for a message: its repr, and its type when that is not obvious.

    Examples
    --------
    >>> given(5), given("x"), given(None)
    ('5 (an int)', "'x'", 'None')
    """
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    if value is None or isinstance(value, str):
        return shown
    kind = type(value).__name__
    return f"{shown} ({'an' if kind[0] in 'aeiou' else 'a'} {kind})"


def text(value: Any, name: str, example: str) -> str:
    """Return ``value`` if it is text, else raise TypeError naming ``name`` and an ``example``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be text such as {example!r}, not {given(value)}")
    return value


def texts(value: Any, name: str, example: list[str]) -> list[str]:
    """Return one text or several as a list: ``"peace"`` -> ``["peace"]``; ``["a", "b"]`` stays.

    A string is one item, never a sequence of letters. Anything else that is not
    a list, tuple, set, pandas Series or Index of texts is a TypeError.
    """
    what = f"{name} must be text or a list of texts such as {example!r}"
    if isinstance(value, str):
        return [value]
    if not isinstance(value, (list, tuple, set, frozenset, pd.Series, pd.Index)):
        raise TypeError(f"{what}, not {given(value)}")
    items = list(value)
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{what}; it holds {given(item)}")
    return items


def choices(value: Any, name: str, allowed: Iterable[str]) -> list[str]:
    """Return the chosen item(s) as a list; raise ValueError for one not in ``allowed``, listing them."""
    allowed = list(allowed)
    chosen = texts(value, name, allowed[:2])
    for item in chosen:
        if item not in allowed:
            raise ValueError(f"unknown {name} {item!r}; choose one of {sorted(allowed)}")
    return chosen


def flag(value: Any, name: str) -> bool:
    """Return ``value`` if it is True or False, else raise TypeError."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, not {given(value)}")
    return value


def whole_number(value: Any, name: str, minimum: int = 0) -> int:
    """Return ``value`` if it is a whole number >= ``minimum``; TypeError or ValueError otherwise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a whole number such as 40, not {given(value)}")
    if value < minimum:
        raise ValueError(f"{name}={value} is too small; it must be at least {minimum}")
    return value


#: The date forms accepted as text: a day, a month or a year.
_DATE_TEXT = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
_DATE_FREQ = {4: "Y", 7: "M", 10: "D"}
_DATE_SHAPE = "a date such as '2018-03-01', '2018-03' (the whole month) or '2018' (the whole year), or a Timestamp"


def date_bound(value: Any, name: str, *, end: bool) -> pd.Timestamp:
    """Return the first (or, for ``end``, the last) instant of the date ``value`` names.

    ``"2018"`` is the whole year, ``"2018-03"`` the whole month, ``"2018-03-01"`` the
    day; a Timestamp or datetime is taken as it is; a date is the whole day.

    Examples
    --------
    >>> date_bound("2018-02", "end", end=True)
    Timestamp('2018-02-28 23:59:59.999999')
    """
    if isinstance(value, datetime.datetime):  # a pandas Timestamp too
        if pd.isna(value):
            raise ValueError(f"{name} is NaT (no date); it must be {_DATE_SHAPE}")
        return pd.Timestamp(value)
    if isinstance(value, datetime.date):
        value_text = value.isoformat()
    elif isinstance(value, str):
        value_text = value.strip()
    else:
        raise TypeError(f"{name} must be {_DATE_SHAPE}, not {given(value)}")
    if not _DATE_TEXT.fullmatch(value_text):
        raise ValueError(f"{name} {value!r} is not a date: write YYYY-MM-DD, YYYY-MM or YYYY, e.g. '2018-04-27'")
    try:
        period = pd.Period(value_text, freq=_DATE_FREQ[len(value_text)])
    except ValueError:
        raise ValueError(f"{name} {value!r} is not a date of the calendar") from None
    return period.end_time if end else period.start_time


def date_range(start: Any, end: Any, *, open_ends: bool = False) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """Return the first instant of ``start`` and the last of ``end``; raise if ``end`` comes first.

    With ``open_ends``, ``None`` leaves that end open (returned as None).
    """
    first = None if open_ends and start is None else date_bound(start, "start", end=False)
    last = None if open_ends and end is None else date_bound(end, "end", end=True)
    if first is not None and last is not None and last < first:
        raise ValueError(f"end {last.date()} is before start {first.date()}: swap them")
    return first, last
