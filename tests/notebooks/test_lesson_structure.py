"""Every lesson has the course's shape, and its exercise solutions pass their self-checks.

A lesson (``notebooks/NN-name.ipynb``) opens with an H1 title and a "Learning
objectives" heading whose contents list matches its numbered sections; a
"Background" section (the theory) comes first; it has at least three "### Exercise"
sections, each with an answer cell, a self-check cell calling ``kt.check("NN.k", ...)``
and a folded solution; at least one figure made with ``kt.figure_image`` and a
sentence of alt text; a quiz of three to five questions whose folded answers agree
with the key of ``kt.check("NN.quiz", ...)``; further reading with at least three
addresses, primary sources first; links to the glossary that exist; and ends with
"Key points". It stores at least two checked outputs for nbval and uses the course
kernel. It calls the library's public names only and reads no file by a path of its
own. The authoring rules are in ``notebooks/_template.ipynb``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

from koreathaw.exercises import EXERCISES
from koreathaw.figures import MIN_ALT_WORDS
from koreathaw.quizzes import QUIZZES
from strip_outputs import KERNELSPEC, execute, is_checked

REPO = Path(__file__).resolve().parents[2]
LESSONS = sorted((REPO / "notebooks").glob("[0-9][0-9]-*.ipynb"))
TEMPLATE = REPO / "notebooks" / "_template.ipynb"
ALL = LESSONS + ([TEMPLATE] if TEMPLATE.exists() else [])
SOLUTION = re.compile(r"<details>\s*<summary>\s*Solution.*?</summary>(.*?)</details>", re.S | re.I)
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.S)
GLOSSARY = REPO / "course" / "glossary.md"
CHECK_CALL = re.compile(r"""kt\.check\(\s*["'](\d\d\.(?:\d+|quiz))["']\s*,\s*(\w+)\s*\)""")


def ids(paths):
    return [p.stem for p in paths]


def read(path):
    return nbformat.read(path, as_version=4)


def headings(nb):
    """Return (cell index, level, text) of every markdown heading."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            m = re.match(r"^(#{1,6})\s+(.*\S)", line)
            if m:
                found.append((i, len(m.group(1)), m.group(2)))
    return found


def exercises(nb):
    """Return, per exercise, (heading cell, answer cells, self-check cells, solution code)."""
    heads = headings(nb)
    result = []
    for n, (i, level, text) in enumerate(heads):
        if not re.match(r"Exercise\b", text):
            continue
        end = next((j for j, lvl, _ in heads[n + 1:] if lvl <= level), len(nb.cells))
        cells = list(enumerate(nb.cells))[i + 1:end]
        answers = [j for j, c in cells if "exercise" in c.metadata.get("tags", [])]
        checks = [j for j, c in cells if "self-check" in c.metadata.get("tags", [])]
        solutions = [m.group(1) for _, c in cells if c.cell_type == "markdown" for m in SOLUTION.finditer(c.source)]
        code = [b for s in solutions for b in PYTHON_BLOCK.findall(s)]
        result.append((i, answers, checks, code))
    return result


def lesson_number(path: Path) -> str:
    return path.name[:2]


def cell_text(cell) -> str:
    """Everything a cell printed or displayed as text (streams and text/plain results)."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.append(out.data.get("text/plain", ""))
    return "".join(parts)


def section(nb, title: str) -> list[int]:
    """The cells of the '## N. <title>' section (from its heading to the next '##' heading)."""
    heads = [(i, lvl, text) for i, lvl, text in headings(nb)]
    start = next((n for n, (i, lvl, text) in enumerate(heads) if lvl == 2 and re.match(rf"(\d+\.\s+)?{title}\b", text)), None)
    if start is None:
        return []
    first = heads[start][0]
    end = next((i for i, lvl, _ in heads[start + 1:] if lvl <= 2 and i > first), len(nb.cells))
    return list(range(first, end))


def glossary_anchors() -> set[str]:
    """GitHub-style anchors of the glossary's headings (as myst-parser makes them too)."""
    text = GLOSSARY.read_text(encoding="utf-8")
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in re.findall(r"^#{1,6}\s+(.*)$", text, re.M)}


def test_lessons_are_numbered_from_00_without_gaps():
    """The lessons are 00, 01, 02 ... with no number missing or doubled."""
    numbers = [int(p.name[:2]) for p in LESSONS]
    assert numbers == list(range(len(numbers))), numbers
    assert len(LESSONS) >= 7


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_lesson_opens_with_title_and_objectives(path):
    """The first cell is an H1 title; "Learning objectives" follows within the first two cells."""
    nb = read(path)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), f"{path.name}: first cell must be '# Title'"
    objectives = [i for i, lvl, text in headings(nb) if text.lower().startswith("learning objectives")]
    assert objectives and objectives[0] <= 1, f"{path.name}: '## Learning objectives' must be near the top"
    cell = nb.cells[objectives[0]].source
    bullets = re.findall(r"^- \*\*(\w+)\*\*", cell.split("Learning objectives", 1)[1], re.M)
    assert len(bullets) >= 2, f"{path.name}: objectives should be bullets starting with a bold action verb"


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_lesson_ends_with_key_points(path):
    """The last heading is "Key points", in the last cell."""
    nb = read(path)
    last = headings(nb)[-1]
    assert "key points" in last[2].lower(), f"{path.name}: last heading is {last[2]!r}"
    assert last[0] == len(nb.cells) - 1, f"{path.name}: 'Key points' must be the last cell"
    assert re.search(r"^- ", nb.cells[-1].source, re.M), f"{path.name}: key points should be a list"


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_lesson_has_exercises_with_self_check_and_solution(path):
    """Each exercise has an answer cell, a self-check cell calling kt.check on that answer, and a folded solution."""
    nb = read(path)
    found = exercises(nb)
    assert found, f"{path.name}: no '### Exercise' heading"
    for n, (i, answers, checks, code) in enumerate(found, start=1):
        assert answers, f"{path.name}: exercise at cell {i} has no answer cell tagged 'exercise'"
        assert checks, f"{path.name}: exercise at cell {i} has no self-check cell tagged 'self-check'"
        assert len(code) == len(answers), f"{path.name}: exercise at cell {i} needs one ```python solution per answer cell"
        assert re.search(rf"^###\s+Exercise {n}\b", nb.cells[i].source, re.M), f"{path.name}: exercises are numbered 1, 2, 3 ..."
        assigned = {t.id for j in answers for node in ast.walk(ast.parse(nb.cells[j].source))
                    if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)}
        calls = [m for j in checks for m in CHECK_CALL.finditer(nb.cells[j].source)]
        assert calls, f"{path.name}: the self-check of exercise {n} does not call kt.check(\"NN.k\", answer)"
        for call in calls:
            assert call.group(2) in assigned, f"{path.name}: exercise {n} checks {call.group(2)!r}, not its answer {assigned}"
            assert call.group(1) in EXERCISES, f"{path.name}: {call.group(1)} is not in koreathaw.exercises"
            if path in LESSONS:
                assert call.group(1) == f"{lesson_number(path)}.{n}", f"{path.name}: exercise {n} calls {call.group(1)}"


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_lesson_has_three_exercises_and_the_library_knows_them(path):
    """At least three exercises of rising difficulty; koreathaw.exercises has exactly this lesson's, no stale one."""
    nb = read(path)
    assert len(exercises(nb)) >= 3, f"{path.name}: {len(exercises(nb))} exercises, at least three are needed"
    used = {m.group(1) for c in nb.cells if c.cell_type == "code" for m in CHECK_CALL.finditer(c.source)}
    registered = {name for name in EXERCISES if name.startswith(lesson_number(path) + ".")}
    assert registered <= used, f"{path.name}: koreathaw.exercises has {sorted(registered - used)}, which the lesson never checks"


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_lesson_opens_with_background(path):
    """The first numbered section is the theory: '## 1. Background: ...'."""
    numbered = [text for _, lvl, text in headings(read(path)) if lvl == 2 and re.match(r"\d+\.", text)]
    assert numbered and re.match(r"1\.\s+Background\b", numbered[0]), f"{path.name}: first section is {numbered[:1]}"


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_contents_match_the_sections(path):
    """The 'Contents' list names the numbered sections, in order (TeachOpenCADD's tables of contents drift)."""
    nb = read(path)
    first = nb.cells[0].source + "\n" + (nb.cells[1].source if len(nb.cells) > 1 else "")
    listed = re.findall(r"^\d+\.\s+(.*\S)", first.split("## Contents", 1)[1].split("\n## ", 1)[0], re.M)
    numbered = [re.sub(r"^\d+\.\s+", "", text) for _, lvl, text in headings(nb) if lvl == 2 and re.match(r"\d+\.", text)]
    clean = [re.sub(r"[*_`]", "", t) for t in listed]
    assert clean == [re.sub(r"[*_`]", "", t) for t in numbered], f"{path.name}: contents {clean} vs sections {numbered}"


def figure_calls(nb) -> list[tuple[int, str]]:
    """(cell, alt text's literal words) of every kt.figure_image(...) call in the lesson's code."""
    from IPython.core.inputtransformer2 import TransformerManager

    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(TransformerManager().transform_cell(cell.source))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "figure_image":
                alt = next((k.value for k in node.keywords if k.arg == "alt"), node.args[1] if len(node.args) > 1 else None)
                if isinstance(alt, ast.Constant) and isinstance(alt.value, str):
                    text = alt.value
                elif isinstance(alt, ast.JoinedStr):
                    text = " ".join(v.value for v in alt.values if isinstance(v, ast.Constant))
                else:
                    text = ""
                found.append((i, text))
    return found


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_lesson_has_a_figure_with_alt_text(path):
    """At least one figure made from the data, shown with kt.figure_image and a written sentence of alt text."""
    figures = figure_calls(read(path))
    assert figures, f"{path.name}: no figure shown with kt.figure_image(fig, alt=...)"
    for i, text in figures:
        words = len(text.split())
        assert words >= max(MIN_ALT_WORDS, 10), f"{path.name} cell {i}: the alt text's written words ({words}) cannot say what the figure shows"
        assert re.search(r"\b(chart|plot|timeline|figure|map|histogram|diagram)\b", text, re.I), \
            f"{path.name} cell {i}: say what kind of figure it is (bar chart, timeline ...)"


QUESTION = re.compile(r"^\*\*(\d+)\.\*\*\s+\S", re.M)
OPTION = re.compile(r"^-\s+\(([a-e])\)\s+\S", re.M)
KEY = re.compile(r"^(\d+)\.\s+\(([a-e])\)", re.M)


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_lesson_has_a_quiz_that_marks_itself_and_reads_as_text(path):
    """'## N. Quiz': three to five lettered questions as text, folded answers that agree with kt.check's key, a quiz cell."""
    nb = read(path)
    cells = section(nb, "Quiz")
    assert cells, f"{path.name}: no '## Quiz' section"
    text = "\n".join(nb.cells[i].source for i in cells if nb.cells[i].cell_type == "markdown")
    questions = [int(n) for n in QUESTION.findall(text)]
    assert 3 <= len(questions) <= 5 and questions == list(range(1, len(questions) + 1)), f"{path.name}: questions {questions}"
    blocks = re.split(QUESTION, text)
    for n in questions:
        options = OPTION.findall(blocks[2 * n].split("<details>")[0])
        assert len(options) >= 2, f"{path.name}: question {n} needs lettered options '- (a) ...'"
    answers = re.search(r"<details>\s*<summary>\s*Answers\s*</summary>(.*?)</details>", text, re.S)
    assert answers, f"{path.name}: the quiz's answers are not folded under <details><summary>Answers</summary>"
    key = {int(n): letter for n, letter in KEY.findall(answers.group(1))}
    quiz = QUIZZES[lesson_number(path)]
    assert key == quiz.model(), f"{path.name}: the folded answers {key} disagree with koreathaw.quizzes {quiz.model()}"
    numbered = {int(m.group(1)) for _, lvl, t in headings(nb) if lvl == 2 and (m := re.match(r"(\d+)\.", t))}
    for question in quiz.questions:
        for ref in re.findall(r"[Ss]ections? (\d+)", question.why + " " + question.hint):
            assert int(ref) in numbered, f"{path.name}: the quiz key points to section {ref}, which the lesson does not have"
    code = [nb.cells[i] for i in cells if nb.cells[i].cell_type == "code" and "quiz" in nb.cells[i].metadata.get("tags", [])]
    assert code and f'kt.check("{lesson_number(path)}.quiz"' in code[0].source, f"{path.name}: no quiz cell tagged 'quiz'"


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_lesson_has_further_reading_primary_sources_first(path):
    """'## N. Further reading': at least three addresses a reader can open, under 'Primary sources' first."""
    nb = read(path)
    cells = section(nb, "Further reading")
    assert cells, f"{path.name}: no '## Further reading' section"
    text = "\n".join(nb.cells[i].source for i in cells)
    links = re.findall(r"\]\((https?://[^)\s]+)\)", text)
    assert len(links) >= 3, f"{path.name}: further reading has {len(links)} web addresses, at least three are needed"
    primary = text.find("Primary sources")
    assert 0 <= primary < text.find("](http"), f"{path.name}: list the primary sources first, under 'Primary sources:'"
    order = [c for c in (i for i, lvl, t in headings(nb) if lvl == 2)]
    assert cells[0] < order[-1], f"{path.name}: further reading comes before the key points"


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_glossary_links_exist(path):
    """The lesson links to the glossary, and every glossary anchor it uses is a heading there."""
    anchors = glossary_anchors()
    text = "\n".join(c.source for c in read(path).cells if c.cell_type == "markdown")
    links = re.findall(r"\]\(\.\./course/glossary\.md(?:#([^)\s]*))?\)", text)
    assert links, f"{path.name}: no link to the glossary (../course/glossary.md#term)"
    missing = sorted({a for a in links if a and a not in anchors})
    assert not missing, f"{path.name}: glossary anchors {missing} are not headings of course/glossary.md"


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_lesson_has_checked_outputs(path):
    """At least two `# NBVAL_CHECK_OUTPUT` cells, each with its expected output stored."""
    nb = read(path)
    checked = [c for c in nb.cells if is_checked(c)]
    assert len(checked) >= 2, f"{path.name}: only {len(checked)} checked cells"
    assert all(c.outputs for c in checked), f"{path.name}: a checked cell has no stored output"


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_lesson_uses_course_kernel(path):
    """The kernelspec is the course's 'koreathaw' kernel."""
    assert read(path).metadata["kernelspec"] == KERNELSPEC


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_lesson_code_uses_public_library_only(path):
    """No private helper, no data read by path, nothing that waits for a user."""
    nb = read(path)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        src = cell.source
        assert not re.search(r"\b(?:kt|koreathaw)(?:\.\w+)?\._[a-z]|from koreathaw[.\w]* import \(?\s*_[a-z]", src), \
            f"{path.name} cell {i} uses a private helper"
        assert not re.search(r"read_csv|read_text|open\(|data/|\.txt['\"]", src), f"{path.name} cell {i} reads a file itself"
        assert not re.search(r"\binput\(|time\.sleep|plt\.show\(\s*block", src), f"{path.name} cell {i} waits"


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_prose_before_code(path):
    """Every code cell follows a markdown cell or another code cell of the same section, never opens the lesson."""
    nb = read(path)
    assert nb.cells[0].cell_type == "markdown"
    code_runs = 0
    for cell in nb.cells:
        code_runs = code_runs + 1 if cell.cell_type == "code" else 0
        assert code_runs <= 3, f"{path.name}: more than three code cells in a row without prose"


@pytest.mark.notebooks
@pytest.mark.slow
@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_solutions_pass_self_checks(path, tmp_path):
    """With each exercise answered by its folded solution, every self-check says 'Correct'; figures carry alt text."""
    nb = read(path)
    checks = []
    for _, answers, check_cells, code in exercises(nb):
        for j, solution in zip(answers, code):
            nb.cells[j].source = solution
        checks.extend(check_cells)
    copy = tmp_path / path.name
    execute(nb, path.parent / path.name, timeout=120)
    for j in checks:
        text = cell_text(nb.cells[j])
        assert "Correct!" in text, f"{path.name} cell {j}: the solution does not pass its self-check: {text!r}"
    for i, _ in figure_calls(nb):
        html = "".join(out.data.get("text/html", "") for out in nb.cells[i].outputs if out.output_type in ("execute_result", "display_data"))
        assert re.search(r'<img src="data:image/png;base64,[^"]+" alt="[^"]{20,}"', html), f"{path.name} cell {i}: no image with alt text"
        assert not [o for o in nb.cells[i].outputs if "image/png" in o.get("data", {}) and "text/html" not in o.get("data", {})], \
            f"{path.name} cell {i}: a figure is also shown without alt text (close it, or let kt.figure_image show it)"
    nbformat.write(nb, copy)
