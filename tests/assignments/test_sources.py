"""The assignments' source notebooks, read as text: what a student sees and what the grader runs.

Fast checks (no kernel): the title renders as a title; each assignment names the lesson
sections that teach what it needs, and those sections exist under those titles; every
visible assert says what is wrong; each test cell first says when its answer cell failed
to define the function (a syntax error used to surface as a NameError); test cells are
plain asserts the sandboxed grader can judge; hidden tests compute their expected values
without the library function that would answer the task.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SOURCES = sorted((REPO / "assignments" / "source").glob("*/*.ipynb"))
LESSONS = {p.name[:2]: p for p in (REPO / "notebooks").glob("[0-9][0-9]-*.ipynb")}
HIDDEN = re.compile(r"^\s*###\s*(BEGIN|END)\s+HIDDEN\s+TESTS", re.M)
#: What hidden tests may call from the library: loading the data and choosing rows. Never the function
#: that answers a task (kt.term_counts, kt.mention_counts, kt.days_between, kt.distance_km ...).
HIDDEN_MAY_CALL = {"load_articles", "load_events", "load_names", "load_places", "events_in_category"}


def text(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def graded_tests(path: Path) -> list[dict]:
    return [c for c in cells(path) if meta(c).get("grade") and not meta(c).get("solution") and c["cell_type"] == "code"]


def visible(source: str) -> str:
    return source.split("### BEGIN HIDDEN TESTS")[0]


def hidden(source: str) -> str:
    return "\n".join(re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", source, re.S))


def ids(paths):
    return [p.parent.name for p in paths]


def test_there_are_four_assignments():
    assert [p.parent.name for p in SOURCES] == ["a1-sources", "a2-timeline", "a3-mapping", "a4-synthesis"]


@pytest.mark.parametrize("path", SOURCES, ids=ids(SOURCES))
def test_title_renders_as_a_title(path):
    """The first cell starts with '# ' and no line is indented by four spaces (markdown would show it as code)."""
    first = text(cells(path)[0])
    assert first.startswith("# Assignment"), first[:40]
    assert not re.search(r"^ {4,}\S", first, re.M), "an indented line in the title cell renders as code"


@pytest.mark.parametrize("path", SOURCES, ids=ids(SOURCES))
def test_names_the_lesson_sections_it_needs(path):
    """'What you need, and where it is taught': every 'lesson NN, section K (*Title*)' exists under that title."""
    first = text(cells(path)[0])
    assert "**What you need, and where it is taught:**" in first
    refs = re.findall(r"^- lesson (\d\d), sections? ([\d and]+?) \((.*?)\)", first, re.M)
    assert refs, "no 'lesson NN, section K (*Title*)' reference"
    for lesson, numbers, titles in refs:
        assert lesson in LESSONS, f"no lesson {lesson}"
        nb = json.loads(LESSONS[lesson].read_text(encoding="utf-8"))
        headings = dict(re.findall(r"^## (\d+)\. (.*\S)", "\n".join(text(c) for c in nb["cells"] if c["cell_type"] == "markdown"), re.M))
        for number, title in zip(re.findall(r"\d+", numbers), re.findall(r"\*([^*]+)\*", titles)):
            assert headings.get(number) == title, f"lesson {lesson} section {number} is {headings.get(number)!r}, not {title!r}"


@pytest.mark.parametrize("path", SOURCES, ids=ids(SOURCES))
def test_every_visible_assert_says_what_is_wrong(path):
    """No bare AssertionError: every visible assert has a message, a constant string."""
    for cell in graded_tests(path):
        for node in ast.walk(ast.parse(visible(text(cell)))):
            if isinstance(node, ast.Assert):
                assert isinstance(node.msg, ast.Constant) and isinstance(node.msg.value, str) and node.msg.value, \
                    f"{meta(cell)['grade_id']}: an assert without a message, line {node.lineno}"


@pytest.mark.parametrize("path", SOURCES, ids=ids(SOURCES))
def test_a_broken_answer_cell_is_named_before_a_name_error(path):
    """Each test cell first asserts that its functions exist, saying the answer cell has an error: run it."""
    every = cells(path)
    for i, cell in enumerate(every):
        if cell not in graded_tests(path):
            continue
        answer = next(c for c in reversed(every[:i]) if meta(c).get("solution"))
        functions = [n.name for n in ast.parse(text(answer)).body if isinstance(n, ast.FunctionDef)]
        first = ast.parse(text(cell)).body[:len(functions)]
        for name, node in zip(functions, first):
            assert isinstance(node, ast.Assert) and f'"{name}" in globals()' in ast.unparse(node.test).replace("'", '"'), \
                f"{meta(cell)['grade_id']} does not begin by checking that {name} is defined"
            assert "your answer cell has an error" in node.msg.value and "run it" in node.msg.value


@pytest.mark.parametrize("path", SOURCES, ids=ids(SOURCES))
def test_test_cells_suit_the_sandboxed_grader(path):
    """Plain asserts with constant messages, no bare except, no trailing displayed expression, markers at the top level."""
    for cell in graded_tests(path):
        source, gid = text(cell), meta(cell)["grade_id"]
        markers = HIDDEN.findall(source)
        assert markers == ["BEGIN", "END"], f"{gid}: hidden-test markers {markers}"
        assert all(line.startswith("###") for line in source.splitlines() if "HIDDEN TESTS" in line), f"{gid}: indented marker"
        tree = ast.parse(source)
        for node in ast.walk(tree):
            assert not (isinstance(node, ast.ExceptHandler) and node.type is None), f"{gid}: a bare except"
            if isinstance(node, ast.Assert):
                assert node.msg is None or isinstance(node.msg, ast.Constant), f"{gid}: a computed assert message"
        assert not isinstance(tree.body[-1], ast.Expr), f"{gid}: the last line displays a value"


@pytest.mark.parametrize("path", SOURCES, ids=ids(SOURCES))
def test_hidden_tests_do_not_use_the_answer_functions(path):
    """Hidden tests compute expected values another way than the library function a student could call as the answer."""
    for cell in graded_tests(path):
        calls = {node.func.attr for node in ast.walk(ast.parse(hidden(text(cell))))
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                 and isinstance(node.func.value, ast.Name) and node.func.value.id == "kt"}
        assert calls <= HIDDEN_MAY_CALL, f"{meta(cell)['grade_id']}: hidden tests call kt.{sorted(calls - HIDDEN_MAY_CALL)}"
