"""Lessons type no number about the data: numbers come from code cells.

Issue 16 found lessons whose prose stated numbers the data contradicted: "a few days"
for a gap the table gives as two weeks, "two peace terms" where the counts show one,
"406 days of silence" across months the table fills with events. The rule since: every
number a lesson states about the event table, the gazetteer or the texts is computed in
a code cell, and the prose refers to it ("the distance printed above").

These tests read the markdown of every lesson and fail on a number that could be such
a claim: digits, a number word before a counted noun ("seven hits", "two peace terms")
or a vague count of time ("a few days"). Years, dates, references to lessons, sections
and exercises, and the allow-list below pass; every allow-list entry says why it is no
claim about the data, or is checked against the data here. Prose that points at a
computed value ("printed above") must point at a cell nbval checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import koreathaw as kt
from strip_outputs import is_checked

REPO = Path(__file__).resolve().parents[2]
LESSONS = sorted((REPO / "notebooks").glob("[0-9][0-9]-*.ipynb"))

MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
NUMBER_WORD = (r"(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
               r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
               r"hundred|thousand|dozens?|half(?!-year)|twice|couple)")
COUNTED = (r"(?:days?|weeks?|months?|years?|hours?|events?|rows?|articles?|texts?|hits?|mentions?|terms?|words?|"
           r"km|kilomet(?:re|er)s?|miles?|places?|outlets?|dates?|gaps?|summits?|visits?|tests?|launches?|"
           r"quotes?|people|persons?|names?|sources?|categories|times|percent)")
# A number word before a counted noun, with at most two words between ("two peace terms", "half of the mentions"),
# on one line. "One" is left out ("one person, three spellings" is no count), except as "only one".
WORD_COUNT = re.compile(rf"\b(?:{NUMBER_WORD}|only one)\b(?:[ \t-]+[\w'’]+){{0,2}}?[ \t-]+{COUNTED}\b", re.I)
VAGUE_COUNT = re.compile(r"\b(?:a few|several|a couple of)\s+(?:days|weeks|months|years|events)\b", re.I)
DIGITS = re.compile(r"\d[\d,.]*")

# Patterns that are no claim about the data. (pattern, why)
ALLOWED: list[tuple[str, str]] = [
    (r"\b\d{4}-\d\d-\d\d\b|\b\d{4}-\d\d\b", "an ISO date or month"),
    (r"\b(?:18|19|20)\d\d\b", "a year"),
    (rf"\b\d{{1,2}}\s+{MONTH}\b|\b{MONTH}\s+\d{{1,2}}\b", "a day of a date"),
    (r"\bE\d{3}\b", "an event id"),
    (r"\b(?:[Ll]essons?|[Ss]ections?|[Rr]ules?|Exercises?)\s+\d+\b", "a reference to a lesson, section, rule or exercise"),
    (r"^#{1,6}\s+\d+(?:\.|\s·)", "a numbered heading"),
    (r"^\s*\d+\.\s", "a numbered list item (contents)"),
    (r"Python 3(?:\.11\+?)?", "the Python version"),
    (r"ISO 3166(?:-1)?|WGS84", "the name of a standard"),
    (r"−90 to 90|−180 to 180", "the range of latitude and longitude"),
    (r"per 1,000 words|multiply by 1,000", "the unit of a rate"),
    (r"`geo_precision`\s+1 is the exact site, 2 the town or region, 3 only the country|`geo_precision`\s+[123]\b|"
     r"precision [123]\b", "the codes of geo_precision (data/README.md)"),
    (r"\b(?:between|[Ss]ubtracting) two\b", "an interval or a distance is between two things"),
    (r"four quad classes: 1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict",
     "GDELT's definition of the quad classes"),
    (r"one row per (?:article|event)|one (?:column|circle) per|one article per (?:line|moment)|one event at a time",
     "the shape of a table or a figure, not a count"),
    (r"\bfour frames\b|\bfifth frame\b", "the frames the lesson itself defines in code"),
    (r"\bfive documented rules\b|\bfive rules\b", "the cleaning rules numbered in koreathaw.corpus"),
]


def _five_texts() -> bool:
    return len(kt.load_articles()) == 5


def _olympics(duration: int, difference: int) -> Callable[[], bool]:
    def check() -> bool:
        events = kt.load_events()
        games = events[events["event_id"] == "E004"].iloc[0]
        return (games.name, games["end_date"]) == (pd.Timestamp("2018-02-09"), pd.Timestamp("2018-02-25")) and \
            int(games["duration_days"]) == duration and (games["end_date"] - games.name).days == difference
    return check


# Phrases that state something about the data, kept because the data is checked here. (lesson, pattern, check, what)
CHECKED: list[tuple[str, str, Callable[[], bool], str]] = [
    ("*", r"\bfive (?:articles|texts|text files|ids)\b|\bFive articles\b", _five_texts, "the corpus has five texts"),
    ("03", r"16 days or 17", _olympics(17, 16), "E004 runs 9-25 February 2018: 16 days apart, 17 days counted"),
    ("03", r"\"9 to 25 February\" is 17 days", _olympics(17, 16), "E004 lasts 17 days, both ends counted"),
]

# Prose that points at a computed value, and where that value must be: above (the
# previous code cell) or below (the next code cell), in a cell nbval checks.
POINTERS = {
    "above": re.compile(r"printed above|the count is on the last line"),
    "below": re.compile(r"printed below|listed below|compare the counts"),
}


def _prose(source: str) -> str:
    """Markdown without code, links' targets and HTML tags: only what a reader reads as prose."""
    text = re.sub(r"```.*?```", " ", source, flags=re.S)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"<[^>]+>", " ", text)
    return text.replace("*", "")


def offending_numbers(source: str, lesson: str = "*") -> list[str]:
    """Return the number claims in ``source`` (markdown) that no allow-list or checked phrase covers."""
    lines = []
    for line in _prose(source).splitlines():
        for where, pattern, _, _ in CHECKED:
            if where in ("*", lesson):
                line = re.sub(pattern, " ", line)
        for pattern, _ in ALLOWED:
            line = re.sub(pattern, " ", line)
        line = re.sub(r"`[^`]*`", " ", line)
        lines.append(line)
    text = "\n".join(lines)
    found = [m.group(0) for m in DIGITS.finditer(text)]
    found += [m.group(0) for m in WORD_COUNT.finditer(text)]
    found += [m.group(0) for m in VAGUE_COUNT.finditer(text)]
    return found


def _markdown(path: Path) -> list[tuple[int, str]]:
    nb = nbformat.read(path, as_version=4)
    return [(i, c.source) for i, c in enumerate(nb.cells) if c.cell_type == "markdown"]


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_prose_states_no_number_about_the_data(path):
    """No markdown cell types a number that could be a claim about the data; compute it and print it instead."""
    lesson = path.name[:2]
    bad = [(i, found) for i, source in _markdown(path) if (found := offending_numbers(source, lesson))]
    assert not bad, (f"{path.name}: numbers typed in prose (cell, numbers): {bad}. Compute them in a code cell "
                     "and refer to the output, or, if they are no claim about the data, add them to ALLOWED with a reason.")


@pytest.mark.parametrize("where, pattern, check, what", CHECKED, ids=[f"{c[0]}:{c[3]}" for c in CHECKED])
def test_checked_phrases_agree_with_the_data(where, pattern, check, what):
    """Each number phrase kept in prose is true of the data, and is still used (no stale entry)."""
    lessons = LESSONS if where == "*" else [p for p in LESSONS if p.name.startswith(where)]
    used = any(re.search(pattern, _prose(source)) for path in lessons for _, source in _markdown(path))
    assert used, f"no lesson says {pattern!r} any more: remove it from CHECKED"
    assert check(), f"the data contradicts the lessons' phrase {pattern!r} ({what})"


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_prose_points_at_checked_outputs(path):
    """'Printed above/below' points at a code cell whose output nbval checks, so the number seen is the data's."""
    nb = nbformat.read(path, as_version=4)
    wrong = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for direction, pattern in POINTERS.items():
            if not pattern.search(_prose(cell.source)):
                continue
            steps = range(i - 1, -1, -1) if direction == "above" else range(i + 1, len(nb.cells))
            target = next((j for j in steps if nb.cells[j].cell_type == "code"), None)
            if target is None or not is_checked(nb.cells[target]):
                wrong.append((i, direction, target))
    assert not wrong, f"{path.name}: prose points at a value no checked cell shows (cell, direction, code cell): {wrong}"


def _message_texts(source: str) -> list[str]:
    """The literal text of a self-check's success messages ("Correct! ..."), f-strings without their {fields}.

    Hints are left alone: they quote code ("(row > 0).sum()"), not facts.
    """
    import ast

    texts = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.JoinedStr):
            texts.append(" ".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            texts.append(node.value)
    return [text for text in texts if text.startswith("Correct")]


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_self_check_messages_state_no_number_about_the_data(path):
    """A self-check's message computes its numbers too ("406 days of silence" was typed into one)."""
    nb = nbformat.read(path, as_version=4)
    bad = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "self-check" in cell.metadata.get("tags", []):
            for text in _message_texts(cell.source):
                if found := offending_numbers(text, path.name[:2]):
                    bad.append((i, found))
    assert not bad, f"{path.name}: numbers typed in self-check messages (cell, numbers): {bad}"


# --- the scanner itself ------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "in July 2021 the hotlines came back for a few days",
    "Of the seven hits, five are names of institutions",
    "one of the liaison article's two *peace* terms",
    "406 days of silence",
    "Seoul and Pyongyang are under 200 km apart",
    "each search finds only *half* of the mentions",
    "the restored hotlines of July 2021 lasted two weeks",
])
def test_scanner_catches_the_claims_issue_16_found(text):
    """The kinds of sentence that were wrong in the lessons are caught."""
    assert offending_numbers(text)


@pytest.mark.parametrize("text", [
    "On 16 June 2020 North Korea blew it up.",
    "The office opened with event E009 and was demolished in event E044.",
    "## 3. Distances",
    "Lesson 06 comes back to that question; see section 5.",
    "Our five texts are the spine of the course (the share printed above).",
    "Store the number in `n_events` (replace `None`) and run `kt.days_between(events, \"E002\", \"E003\")`.",
])
def test_scanner_passes_dates_references_and_code(text):
    """Dates, ids, headings, references and code spans are not claims."""
    assert offending_numbers(text) == []


def test_checked_phrase_passes_only_in_its_lesson():
    """A phrase checked for one lesson is still a typed number elsewhere."""
    assert offending_numbers('("9 to 25 February" is 17 days)', lesson="03") == []
    assert offending_numbers('("9 to 25 February" is 17 days)', lesson="05")
