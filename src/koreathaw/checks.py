"""Self-checks for the lessons' exercises: ``kt.check("02.1", answer)``.

A check is a plain function on values, as Otter-Grader's ``grader.check`` and
OK's tests are: it takes the student's answer and returns a :class:`CheckResult`
that shows itself as one or two sentences. The rules every check follows:

* a right value passes whatever its type: ``17``, ``17.0`` and ``numpy.int64(17)``
  are one number; ``numpy.str_`` is text;
* a value of the wrong shape -- a pandas Series where one number is asked, a
  Timedelta where a number of days is asked -- gets a sentence saying what was
  given and what is asked, never a pandas traceback;
* a wrong method that gives a plausible value (raw counts where rates are
  taught, the variant where the canonical name is asked) is recognised and named;
* when several answers tie for "the largest", any of them passes and the check
  says so;
* no message contains the expected answer.

The exercises themselves, with their expected values computed from the course
data, are in :mod:`koreathaw.exercises`; the lessons' quizzes in
:mod:`koreathaw.quizzes`. This module knows nothing of notebooks.

>>> import koreathaw as kt
>>> kt.check("00.1", None)
Exercise 00.1: not answered yet. Replace None with your answer, then run the cell again.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CheckResult", "Exercise", "NumberExercise", "LabelExercise", "ListExercise", "MapExercise", "check",
           "describe"]

CORRECT, WRONG, UNANSWERED = "correct", "wrong", "unanswered"
#: Wrong answers a check recognises: (value, what to tell the student).
Wrong = list[tuple[Any, str]]


@dataclass(frozen=True)
class CheckResult:
    """The verdict of a self-check: ``passed`` or not, and what to tell the student.

    It shows itself as its message; ``bool(result)`` is ``result.passed``.
    """

    exercise: str
    status: str
    message: str

    @property
    def passed(self) -> bool:
        return self.status == CORRECT

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return f"Exercise {self.exercise}: {self.message}"


def describe(value: Any) -> str:
    """Say in words what ``value`` is: "a pandas Series of 5 values", "the text '17'" ...

    >>> import pandas as pd
    >>> describe(pd.Series([1, 2]))
    'a pandas Series of 2 values'
    >>> describe("17")
    "the text '17'"
    """
    import numpy as np
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return f"a pandas DataFrame of {value.shape[0]} rows and {value.shape[1]} columns"
    if isinstance(value, pd.Series):
        return f"a pandas Series of {len(value)} values"
    if isinstance(value, pd.Index):
        return f"a pandas Index of {len(value)} labels"
    if isinstance(value, np.ndarray):
        return f"a numpy array of {value.size} values"
    if isinstance(value, (pd.Timedelta, np.timedelta64)):
        return "a duration (a pandas Timedelta)"
    if isinstance(value, (bool, np.bool_)):
        return f"{bool(value)}, a yes/no value"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}"
    if isinstance(value, (list, tuple, set, dict)):
        kind = type(value).__name__
        return f"a {kind} of {len(value)} {'item' if len(value) == 1 else 'items'}"
    if isinstance(value, numbers.Number):
        return f"the number {value!r}" if not isinstance(value, np.generic) else f"the number {value.item()!r}"
    return f"an object of type {type(value).__name__}"


def _is_many(value: Any) -> bool:
    """True for containers of several values: pandas objects, arrays, lists ..."""
    import numpy as np
    import pandas as pd

    return isinstance(value, (pd.DataFrame, pd.Series, pd.Index, np.ndarray, list, tuple, set, dict))


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value it stands for; anything else unchanged."""
    import numpy as np

    return value.item() if isinstance(value, np.generic) else value


@dataclass(frozen=True)
class Exercise:
    """One exercise: what it asks and how to judge an answer. Subclasses judge one kind of answer.

    ``expected`` and ``wrong`` are functions, called at check time, so expected values
    always come from the data as it is, never from a number typed here.
    """

    asks: str                                  # what the exercise asks for, e.g. "the number of events"
    expected: Callable[[], Any]                # the right answer, computed from the data
    hint: str                                  # what to try when the answer is wrong (never the answer)
    wrong: Callable[[], Wrong] = field(default=lambda: [])  # recognised wrong answers and what to say
    praise: str = ""                           # a sentence added to "Correct!"

    def judge(self, answer: Any) -> tuple[str, str]:
        raise NotImplementedError

    def model(self) -> Any:
        """A right answer (the first one, when several tie)."""
        return self.as_answer(self.expected())

    def as_answer(self, value: Any) -> Any:
        """The answer a student would give for ``value`` (an expected or a wrong value)."""
        return value

    def _right(self, extra: str = "") -> tuple[str, str]:
        return CORRECT, " ".join(part for part in ("Correct!", self.praise, extra) if part)


@dataclass(frozen=True)
class NumberExercise(Exercise):
    """Asks for one number; ``tolerance`` is the largest difference still counted as right."""

    tolerance: float = 0.0
    whole: bool = False  # the answer must be a whole number

    def judge(self, answer: Any) -> tuple[str, str]:
        import pandas as pd

        if isinstance(answer, (pd.Timedelta,)) or type(answer).__name__ == "timedelta64":
            return WRONG, (f"You gave {describe(answer)}; this exercise asks for {self.asks}, a number. "
                           "A Timedelta's .days gives its number of days.")
        if _is_many(answer):
            return WRONG, (f"You gave {describe(answer)}; this exercise asks for one number: {self.asks}. "
                           "Pick one value out of it (.loc[...], .iloc[...]) or reduce it to one number "
                           "(len(...), .sum(), .max()).")
        if isinstance(answer, bool) or type(answer).__name__ == "bool_":
            return WRONG, f"You gave {describe(answer)}; this exercise asks for a number: {self.asks}."
        if isinstance(answer, str):
            return WRONG, (f"You gave {describe(answer)}; this exercise asks for a number ({self.asks}): "
                           "write it without quotes.")
        if not isinstance(answer, numbers.Real):
            return WRONG, f"You gave {describe(answer)}; this exercise asks for a number: {self.asks}."
        value = float(answer)
        if math.isnan(value):
            return WRONG, f"You gave NaN, 'not a number'; this exercise asks for {self.asks}."
        if self.whole and value != round(value):
            return WRONG, f"You gave {_plain(answer)!r}; this exercise asks for a whole number: {self.asks}."
        if self._close(value, self.expected()):
            return self._right()
        for wrong_value, message in self.wrong():
            if self._close(value, wrong_value):
                return WRONG, f"Not quite: {message}"
        return WRONG, f"{_plain(answer)!r} is not right yet. {self.hint}"

    def _close(self, value: float, target: Any) -> bool:
        return abs(value - float(target)) <= self.tolerance + 1e-9


@dataclass(frozen=True)
class LabelExercise(Exercise):
    """Asks for one label: an id, a name, a year. ``expected`` returns every right label (ties).

    ``choices`` returns the labels that exist at all (the article ids ...), to tell a
    typo from a wrong answer; ``thing`` names one label ("article id", "year").
    """

    thing: str = "label"
    choices: Callable[[], Iterable[Any]] | None = None

    def model(self) -> Any:
        return sorted(self.expected())[0]

    def judge(self, answer: Any) -> tuple[str, str]:
        right = list(self.expected())
        textual = isinstance(right[0], str)
        if _is_many(answer):
            return WRONG, (f"You gave {describe(answer)}; this exercise asks for one {self.thing}: {self.asks}. "
                           "Take one label out of it: .idxmax() gives the label of the largest value, "
                           ".iloc[0] the first value.")
        if textual and not isinstance(answer, str):
            return WRONG, (f"You gave {describe(answer)}; this exercise asks for {self.asks}, as text "
                           f"(a {self.thing} in quotes).")
        if not textual:
            if isinstance(answer, str):
                return WRONG, f"You gave {describe(answer)}; this exercise asks for {self.asks} as a number, without quotes."
            if isinstance(answer, bool) or not isinstance(answer, numbers.Real) or float(answer) != round(float(answer)):
                return WRONG, f"You gave {describe(answer)}; this exercise asks for {self.asks}, a whole number."
            answer = int(answer)
        answer = _plain(answer)
        tie = ""
        if len(right) > 1:
            tie = (f"Note the tie: {len(right)} {self.thing}s share the top place "
                   f"({', '.join(map(repr, sorted(right)))}); any of them is right.")
        if answer in right:
            return self._right(tie)
        for wrong_value, message in self.wrong():
            if answer == wrong_value:
                return WRONG, f"Not quite: {message}"
        if self.choices is not None:
            if answer not in list(self.choices()):
                article = "an" if self.thing[0] in "aeiou" else "a"
                return WRONG, f"{answer!r} is not {article} {self.thing} of the data: check how it is written."
        tie_note = f" (Several {self.thing}s tie for the top place: any of them is accepted.)" if len(right) > 1 else ""
        return WRONG, f"{answer!r} is not right yet. {self.hint}{tie_note}"


@dataclass(frozen=True)
class ListExercise(Exercise):
    """Asks for a sorted Python list of labels (text)."""

    def judge(self, answer: Any) -> tuple[str, str]:
        right = list(self.expected())
        if not isinstance(answer, list):
            turn = " .tolist() or list(...) turns it into one." if _is_many(answer) else ""
            return WRONG, f"You gave {describe(answer)}; this exercise asks for a Python list: {self.asks}.{turn}"
        if not all(isinstance(item, str) for item in answer):
            return WRONG, f"Every item of the list should be text ({self.asks}); some are not."
        plain = [str(item) for item in answer]
        if sorted(plain) == sorted(right) and plain != sorted(plain):
            return WRONG, "Almost: the right items, but sort the list (sorted(...))."
        if plain == sorted(right):
            return self._right()
        for wrong_value, message in self.wrong():
            if sorted(plain) == sorted(wrong_value):
                return WRONG, f"Not quite: {message}"
        return WRONG, f"Your list of {len(plain)} {'item' if len(plain) == 1 else 'items'} is not right yet. {self.hint}"


@dataclass(frozen=True)
class MapExercise(Exercise):
    """Asks for a folium map with one marker per point of ``expected`` (a list of (latitude, longitude))."""

    thing: str = "event"

    def as_answer(self, value: Any) -> Any:
        """A course map (kt.blank_map()) with a folium.Marker at each (latitude, longitude) of ``value``."""
        import folium

        from koreathaw import blank_map

        m = blank_map()
        for lat, lon in value:
            folium.Marker([float(lat), float(lon)]).add_to(m)
        return m

    def judge(self, answer: Any) -> tuple[str, str]:
        import folium

        from koreathaw import markers_table

        if not isinstance(answer, folium.Map):
            return WRONG, (f"You gave {describe(answer)}; this exercise asks for a folium map ({self.asks}): "
                           "start from kt.blank_map() and add markers to it.")
        table = markers_table(answer)
        got = sorted((round(float(a), 4), round(float(b), 4)) for a, b in zip(table["latitude"], table["longitude"]))
        want = sorted((round(float(a), 4), round(float(b), 4)) for a, b in self.expected())
        if got == want:
            return self._right(f"Your map has one marker per {self.thing}.")
        for points, message in self.wrong():
            if got == sorted((round(float(a), 4), round(float(b), 4)) for a, b in points):
                return WRONG, f"Not quite: {message}"
        if not got:
            return WRONG, f"Your map has no marker yet. {self.hint}"
        if len(got) != len(want):
            return WRONG, f"Your map has {len(got)} markers; it needs one per {self.thing}. {self.hint}"
        return WRONG, f"Your map has a marker per {self.thing}, but some are not at the {self.thing}s' places. {self.hint}"


def _registry() -> dict[str, Any]:
    from koreathaw.exercises import EXERCISES
    from koreathaw.quizzes import QUIZZES

    return {**EXERCISES, **{f"{lesson}.quiz": quiz for lesson, quiz in QUIZZES.items()}}


def check(exercise: str, answer: Any) -> CheckResult:
    """Check an answer to a lesson's exercise, and say what is right or what to try.

    Parameters
    ----------
    exercise : str
        The exercise: the lesson's number and the exercise's, ``"02.1"``; or a lesson's
        quiz, ``"02.quiz"`` (the answer is then a dict of letters, ``{1: "b", 2: "a"}``).
    answer : object
        Your answer, as the exercise asks for it. ``None`` means not answered yet.

    Returns
    -------
    CheckResult
        Shows itself as a sentence; ``.passed`` is True when the answer is right.

    Raises
    ------
    KeyError
        If there is no such exercise; the message lists the lesson's exercises.

    Examples
    --------
    >>> import koreathaw as kt
    >>> kt.check("00.1", len(kt.load_events())).passed
    True
    >>> import pandas as pd
    >>> kt.check("00.1", pd.Series([1, 2, 3]))  # doctest: +ELLIPSIS
    Exercise 00.1: You gave a pandas Series of 3 values; this exercise asks for one number: ...
    """
    registry = _registry()
    if not isinstance(exercise, str) or exercise not in registry:
        lesson = str(exercise).split(".")[0]
        known = sorted(name for name in registry if name.startswith(f"{lesson}."))
        raise KeyError(f"no exercise {exercise!r}; {'this lesson has ' + ', '.join(known) if known else 'exercises are named like 02.1'}")
    if answer is None:
        return CheckResult(exercise, UNANSWERED, "not answered yet. Replace None with your answer, then run the cell again.")
    status, message = registry[exercise].judge(answer)
    return CheckResult(exercise, status, message)
