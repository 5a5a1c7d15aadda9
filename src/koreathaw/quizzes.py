"""The lessons' quizzes: the answer key, and what to say for a right or a wrong choice.

The questions themselves are in the lessons, as text, with their options and a folded
answer key, so a quiz reads without running anything. ``kt.check("03.quiz", {1: "b", ...})``
marks the choices with this key; ``tests/notebooks/test_lesson_structure.py`` checks that
each lesson's folded answer key agrees with the key here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Question", "Quiz", "QUIZZES"]


@dataclass(frozen=True)
class Question:
    """One multiple-choice question: its options' letters, the right one, why, and a hint for a wrong choice."""

    options: str
    answer: str
    why: str
    hint: str


@dataclass(frozen=True)
class Quiz:
    """A lesson's quiz, judged as one answer: a dict {question number: letter}."""

    questions: tuple[Question, ...]

    def model(self) -> dict[int, str]:
        return {n: q.answer for n, q in enumerate(self.questions, start=1)}

    def judge(self, answer: Any) -> tuple[str, str]:
        from koreathaw.checks import CORRECT, UNANSWERED, WRONG, describe

        if not isinstance(answer, dict):
            return WRONG, (f"You gave {describe(answer)}; give your answers as a dict of letters, one per question, "
                           "like {1: 'a', 2: 'c'}.")
        lines, right, answered = [], 0, 0
        for n, question in enumerate(self.questions, start=1):
            choice = answer.get(n, answer.get(str(n)))
            if choice is None:
                lines.append(f"Question {n}: not answered yet.")
                continue
            answered += 1
            letter = str(choice).strip().strip("()").lower()
            if letter not in question.options:
                lines.append(f"Question {n}: {choice!r} is not one of the options ({', '.join(question.options)}).")
            elif letter == question.answer:
                right += 1
                lines.append(f"Question {n}: right. {question.why}")
            else:
                lines.append(f"Question {n}: not this one. {question.hint}")
        if answered == 0:
            return UNANSWERED, "not answered yet. Put a letter for each question in the dict, then run the cell again."
        lines.append(f"{right} of {len(self.questions)} right.")
        return (CORRECT if right == len(self.questions) else WRONG), "\n".join(lines)


def _quiz(*questions: tuple[str, str, str, str]) -> Quiz:
    return Quiz(tuple(Question(*q) for q in questions))


QUIZZES: dict[str, Quiz] = {
    "00": _quiz(
        ("abc", "b", "The library reads the course's own data folder and checks every file on the way in.",
         "Nothing is downloaded, and you never open the files yourself: look at section 4."),
        ("abc", "b", "None is the placeholder: the check has nothing to judge yet.",
         "Read the self-check's words again: it has not judged any answer."),
        ("abc", "a", "Hidden state from cells run out of order is the commonest cause of a notebook that works "
                     "for you and fails when graded.", "Think of what a fresh kernel does not remember."),
        ("abc", "b", "The index holds the events' start dates, so pandas can select and group by date.",
         "Look at the labels on the left of the table kt.load_events() returns."),
    ),
    "01": _quiz(
        ("abc", "b", "Inferred dates are worked out from clues; date_note records the reasoning.",
         "Compare 'stated' and 'inferred' in section 3."),
        ("abc", "b", "The body is the article without page furniture: count and search it.",
         "Which column has the captions, buttons and comment forms removed?"),
        ("abc", "b", "An external attribution: a public page outside the text names the publisher, and the "
                     "manifest gives its address.", "Read what outlet_note says about ipu-toast."),
        ("abc", "a", "The verbatim text lets anyone check a quote against exactly what was saved.",
         "What could you no longer check if the course kept only the cleaned body?"),
    ),
    "02": _quiz(
        ("abc", "b", "kt.kwic ignores case but treats a hyphen and a space as different.",
         "Try kt.kwic with both spellings and compare: is it the capitals or the hyphen?"),
        ("abc", "b", "One agreed form per person or place, to which the names table maps every spelling.",
         "Look at kt.load_names(): what does the column 'canonical' hold?"),
        ("abc", "a", "The rule lists everyone named in a quoting paragraph, so a listener can appear as a speaker.",
         "Reread what section 5 found in warm-climate."),
        ("abc", "a", "Keyword in context: each occurrence lined up with the words on either side.",
         "Run kt.kwic('sanctions') and describe the columns you see."),
    ),
    "03": _quiz(
        ("abc", "b", "A month written as text selects every event that starts in that month.",
         "Try events.loc['2018-03'] and look at the dates."),
        ("abc", "b", "Subtracting the dates leaves out the first day; duration_days adds it back.",
         "How many days are 9 to 25 February, counted as people count them?"),
        ("abc", "a", "resample makes a bin for every month between the first and last event, empty ones included.",
         "Compare the number of rows of both results."),
        ("abc", "a", "diff() subtracts each value from the next: here the days since the previous event.",
         "Apply .diff() to a short list of dates and look at the first values."),
        ("abc", "a", "strftime writes a date as text in the pattern you give it.",
         "Look at the type of events.index.strftime('%Y-%m')[0]."),
    ),
    "04": _quiz(
        ("abc", "b", "Precision 3 is 'somewhere in this country': the point is the country's middle.",
         "Read the note of the country-only places of the gazetteer."),
        ("abc", "b", "Along the Earth's surface, the shortest way between two points on a sphere.",
         "Section 1 explains why a flat map is not enough."),
        ("abc", "a", "Geneva's longitude is a possible latitude, so the swapped pair is a real point elsewhere.",
         "Try swapping Geneva's coordinates yourself."),
        ("abc", "a", "Make the marker, then add it to the map.", "Look at how section 4 builds its map."),
    ),
    "05": _quiz(
        ("abc", "a", "A frame is an idea; we measure it by a written-down list of terms.",
         "How did section 3 turn a frame into something countable?"),
        ("abc", "a", "Longer articles have more words of every kind; a rate per 1,000 words removes that.",
         "Compare talks-panmunjom's length with the others'."),
        ("abc", "a", "Reunification Institute, Committee for the Peaceful Reunification, Unification Ministry: names.",
         "Read the contexts printed in section 6."),
        ("ab", "b", "Five texts are a handful: they suggest questions to test on a larger corpus.",
         "Could five texts stand for the world's press?"),
    ),
    "06": _quiz(
        ("abc", "a", "GDELT's quad classes 3 and 4 are verbal and material conflict.",
         "Look at quad_names in section 2."),
        ("abc", "b", "A gap may be a quiet time or a time the sources do not cover: check other sources.",
         "Reread section 6: is absence of evidence evidence of absence?"),
        ("abc", "b", "A country-only point is not where anything happened: no distances, no 'where'.",
         "What does the point of a precision-3 row stand for?"),
        ("abc", "a", "The arc is drawn from the rows someone chose to record; another selection could draw another arc.",
         "Who decided which events are in the table?"),
    ),
}
