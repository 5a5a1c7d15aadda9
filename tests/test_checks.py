"""The lessons' self-checks (koreathaw.checks, koreathaw.exercises, koreathaw.quizzes).

Every check is fed the model answer, its numpy-typed twin, a pandas Series, None and
the plausible wrong answers it names (the values wrong methods give): the right values
pass, whatever their type; the others get a sentence, never a traceback, and no message
gives the answer away. Expected values come from the data: a changed data folder
changes them.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import koreathaw as kt
from koreathaw.checks import CORRECT, UNANSWERED, WRONG, LabelExercise, MapExercise, NumberExercise, describe
from koreathaw.exercises import EXERCISES
from koreathaw.quizzes import QUIZZES

NAMES = sorted(EXERCISES)
LABEL_NAMES = [name for name in NAMES if isinstance(EXERCISES[name], LabelExercise)]
SRC = Path(kt.__file__).parent


def twin(value):
    """The numpy-typed twin of a right answer: numpy.int64 / float64 / str_, or a list of numpy.str_."""
    if isinstance(value, (bool, np.bool_)):
        return value
    if isinstance(value, int):
        return np.int64(value)
    if isinstance(value, float):
        return np.float64(value)
    if isinstance(value, str):
        return np.str_(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [np.str_(v) for v in value]
    return value  # a map has no numpy twin


def shows(message: str, value) -> bool:
    """True if ``message`` states ``value`` (as a whole word; a number also rounded)."""
    if isinstance(value, (list, tuple)):
        return bool(value) and all(shows(message, v) for v in value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, str, np.generic)):
        return False
    forms = {str(value)}
    if isinstance(value, (float, np.floating)):
        forms |= {f"{value:.1f}", f"{value:.2f}", str(round(value))}
    return any(re.search(rf"(?<![\w.-]){re.escape(form)}(?![\w-]|\.\d)", message) for form in forms)


def test_every_lesson_has_at_least_three_exercises():
    """Three or more exercises per numbered lesson, named NN.1, NN.2 ..."""
    lessons = sorted({name.split(".")[0] for name in EXERCISES})
    assert lessons == [f"{n:02d}" for n in range(len(lessons))] and len(lessons) >= 7
    for lesson in lessons:
        numbers = sorted(int(name.split(".")[1]) for name in EXERCISES if name.startswith(lesson + "."))
        assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 3, (lesson, numbers)


@pytest.mark.parametrize("name", NAMES)
def test_model_answer_passes(name):
    """The model answer (the expected value, computed from the data) passes."""
    result = kt.check(name, EXERCISES[name].model())
    assert result.passed and result.status == CORRECT, result
    assert repr(result).startswith(f"Exercise {name}: Correct!")


@pytest.mark.parametrize("name", NAMES)
def test_numpy_twin_passes(name):
    """numpy.int64, numpy.float64, numpy.str_: a right value passes whatever its type."""
    assert kt.check(name, twin(EXERCISES[name].model())).passed


def test_some_exercises_ask_for_a_label():
    """The tie test below has exercises to run on (an empty parametrisation would pass silently)."""
    assert len(LABEL_NAMES) >= 3, LABEL_NAMES


@pytest.mark.parametrize("name", LABEL_NAMES)
def test_every_tied_answer_passes_and_the_tie_is_said(name):
    """Where several labels share the top place, each passes, and the message says so."""
    exercise = EXERCISES[name]
    right = list(exercise.expected())
    for label in right:
        result = kt.check(name, label)
        assert result.passed
        assert ("tie" in result.message) == (len(right) > 1), result


@pytest.mark.parametrize("name", NAMES)
def test_a_series_gets_a_sentence(name):
    """A pandas Series where one value is asked: what was given and what is asked, no traceback."""
    exercise = EXERCISES[name]
    series = pd.Series([exercise.model()] * 3) if not isinstance(exercise, MapExercise) else pd.Series([1, 2, 3])
    result = kt.check(name, series)
    assert result.status == WRONG
    assert "pandas Series of 3 values" in result.message and exercise.asks in result.message, result
    assert "Traceback" not in result.message and "ambiguous" not in result.message


@pytest.mark.parametrize("name", NAMES)
def test_none_is_not_answered_yet(name):
    result = kt.check(name, None)
    assert result.status == UNANSWERED and not result.passed and "not answered yet" in result.message


@pytest.mark.parametrize("name", NAMES)
def test_wrong_methods_are_recognised(name):
    """Each exercise knows at least one wrong method; its value differs from the right one and gets its own message."""
    exercise = EXERCISES[name]
    wrong = exercise.wrong()
    assert wrong, f"{name} names no plausible wrong answer"
    for value, message in wrong:
        result = kt.check(name, exercise.as_answer(value))
        assert result.status == WRONG, (name, value)
        assert result.message == f"Not quite: {message}", result


@pytest.mark.parametrize("name", NAMES)
def test_no_message_gives_the_answer_away(name):
    """Whatever wrong answer is given (None, a Series, a wrong method, text, a far-off value), the answer is not shown."""
    exercise = EXERCISES[name]
    expected = exercise.expected()
    if isinstance(exercise, MapExercise):
        expected = len(expected)
    answers = [None, pd.Series([1, 2, 3]), "nothing", 123456789, True, [1, 2], pd.DataFrame({"a": [1]})]
    answers += [exercise.as_answer(value) for value, _ in exercise.wrong()]
    for answer in answers:
        result = kt.check(name, answer)
        assert not result.passed
        said = result.message.replace(describe(answer), "")  # the student's own answer, echoed, is no leak
        assert not shows(said, expected), (name, answer, result.message)


@pytest.mark.parametrize("name", [n for n in NAMES if isinstance(EXERCISES[n], NumberExercise)])
def test_number_checks_take_floats_and_refuse_text_and_booleans(name):
    """17, 17.0 and numpy.float64(17) are one number; '17' and True are not numbers."""
    exercise = EXERCISES[name]
    right = exercise.expected()
    assert kt.check(name, float(right)).passed
    assert kt.check(name, np.float32(right)).passed or not float(np.float32(right)) == pytest.approx(right, abs=exercise.tolerance)
    text = kt.check(name, str(right))
    assert not text.passed and "without quotes" in text.message
    assert not kt.check(name, True).passed and "yes/no" in kt.check(name, True).message
    duration = kt.check(name, pd.Timedelta(days=3))
    assert not duration.passed and ".days" in duration.message


def test_number_check_says_whole_numbers_and_nan():
    """A fraction where a whole number is asked, and NaN, get their own sentences."""
    assert "whole number" in kt.check("03.1", 1.5).message
    assert "NaN" in kt.check("00.1", float("nan")).message


def test_ties_are_said_on_a_made_up_exercise():
    """Two labels tie: both pass and the message names the tie; a wrong label hears that several tie."""
    tied = LabelExercise(asks="the busiest place", expected=lambda: ["kaesong", "panmunjom"], hint="Count the events.",
                         thing="place_id", wrong=lambda: [("north-korea", "a country-only point.")])
    for label in ("kaesong", "panmunjom"):
        status, message = tied.judge(label)
        assert status == CORRECT and "tie" in message and "any of them is right" in message
    status, message = tied.judge("seoul")
    assert status == WRONG and "tie for the top place" in message
    assert tied.judge("north-korea") == (WRONG, "Not quite: a country-only point.")


def test_label_checks_name_a_typo_and_a_wrong_type():
    """An id that does not exist is named as such; a number where text is asked is said."""
    assert "is not an article id of the data" in kt.check("05.3", "warm-climat").message
    assert "as text" in kt.check("05.3", 3).message
    assert "without quotes" in kt.check("03.2", "2018").message


def test_list_check_wants_a_sorted_list():
    """An Index or an unsorted list gets told how to fix it."""
    right = EXERCISES["01.1"].expected()
    assert ".tolist()" in kt.check("01.1", pd.Index(right)).message
    assert "sort the list" in kt.check("01.1", list(reversed(right))).message


def test_map_check_counts_the_markers():
    """An empty map and a map of every place get told what is missing."""
    assert "no marker yet" in kt.check("04.3", kt.blank_map()).message
    assert "one per summit" in kt.check("04.3", kt.places_map()).message


def test_unknown_exercise_lists_the_lessons_exercises():
    with pytest.raises(KeyError, match=r"no exercise '02.9'; this lesson has 02.1, 02.2, 02.3, 02.quiz"):
        kt.check("02.9", 1)


def test_expected_values_come_from_the_data(data_copy):
    """Drop an event from the data: the expected number of events drops with it (nothing is typed)."""
    before = EXERCISES["00.1"].expected()
    rows = data_copy.rows("events")
    data_copy.write_rows("events", [r for r in rows if r[0] != "E030"])
    assert EXERCISES["00.1"].expected() == before - 1
    assert kt.check("00.1", before - 1).passed and not kt.check("00.1", before).passed


@pytest.mark.parametrize("lesson", sorted(QUIZZES))
def test_quiz_marks_each_question(lesson):
    """The key passes; a blank quiz is unanswered; a wrong letter is marked without giving the right one."""
    quiz = QUIZZES[lesson]
    assert 3 <= len(quiz.questions) <= 5
    assert kt.check(f"{lesson}.quiz", quiz.model()).passed
    assert kt.check(f"{lesson}.quiz", {n: None for n in quiz.model()}).status == UNANSWERED
    assert kt.check(f"{lesson}.quiz", {str(n): f"({a.upper()})" for n, a in quiz.model().items()}).passed
    for n, question in enumerate(quiz.questions, start=1):
        assert question.answer in question.options
        wrong = next(letter for letter in question.options if letter != question.answer)
        result = kt.check(f"{lesson}.quiz", {**quiz.model(), n: wrong})
        assert not result.passed and f"Question {n}: not this one." in result.message
        assert question.why not in result.message
    assert "dict of letters" in kt.check(f"{lesson}.quiz", pd.Series(["a"])).message


def test_checks_know_nothing_of_notebooks():
    """The check modules are plain functions on values: no IPython, nbformat or nbgrader."""
    for module in ("checks.py", "exercises.py", "quizzes.py", "figures.py"):
        source = (SRC / module).read_text(encoding="utf-8")
        assert not re.search(r"^\s*(?:import|from)\s+(?:IPython|nbformat|nbgrader|nbclient)", source, re.M), module
        assert "get_ipython" not in source and "display(" not in source, module
