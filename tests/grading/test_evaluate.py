"""Test cells judged outside the sandbox (sandbox.evaluate): the student's kernel cannot change a verdict."""

from __future__ import annotations

import pytest

from conftest import needs_sandbox

from koreathaw_grading.sandbox.evaluate import (WITHHELD, WITHHELD_AFTER, Evaluator, KernelGone, free_names, remote_exception,
                                                 segments)
from koreathaw_grading.sandbox.launch import Limits, Sandbox


def test_segments_split_at_the_hidden_markers():
    """Visible and hidden parts in order; markers themselves dropped; blank parts skipped."""
    code = "a = 1\n### BEGIN HIDDEN TESTS\nb = 2\n### END HIDDEN TESTS\nc = 3\n"
    assert segments(code) == [(False, "a = 1"), (True, "b = 2"), (False, "c = 3")]
    assert segments("### BEGIN HIDDEN TESTS\nx\n### END HIDDEN TESTS") == [(True, "x")]


def test_free_names_are_the_names_read_but_never_bound():
    """Loop variables, assignments, imports and function parameters are bound; globals read in lambdas are not."""
    code = ("import math\n_x = f(1)\nfor _i in range(3):\n    g(_i, _x)\n"
            "def _h(y):\n    return y + K\n_best = max(L, key=lambda v: M(v))\n")
    assert free_names(code) == {"f", "g", "range", "K", "max", "L", "M"}


def test_remote_exceptions_keep_their_name_message_and_builtin_base():
    """A student's KeyError is caught by ``except KeyError``; its message is str() as in the kernel."""
    exc = remote_exception("KeyError", ["KeyError", "LookupError", "Exception", "BaseException", "object"], "'x'")
    assert isinstance(exc, KeyError) and type(exc).__name__ == "KeyError" and str(exc) == "'x'"
    own = remote_exception("MyError", ["MyError", "ValueError", "Exception"], "bad")
    assert isinstance(own, ValueError) and type(own).__name__ == "MyError"
    odd = remote_exception("not a name", ["Nope"], "m")
    assert type(odd).__name__ == "RemoteError" and isinstance(odd, Exception)


class Notebook:
    """A kernel with some student code in it, and an evaluator on it."""

    def __init__(self, box: Sandbox, student_code: str, setup: str = "BASE = 10") -> None:
        self.box = box
        for code in (setup, student_code):
            box.request({"op": "run", "source": code}, on_output=lambda out: None)
        self.evaluator = Evaluator(box, cell_cpu=2.0, add_output=lambda out: None)
        self.evaluator.run_setups([setup])

    def test(self, code: str):
        outputs = self.evaluator.run_test(code)
        return [o for o in outputs if o.output_type == "error"], outputs


TESTS = ("assert double(2) == 4, 'double(2) should be 4'\nassert isinstance(double(3), int), 'return an int'\n"
         "### BEGIN HIDDEN TESTS\nassert double(BASE) == 20, 'double is wrong for another number'\n"
         "### END HIDDEN TESTS")


@needs_sandbox
def test_a_right_answer_passes_and_a_wrong_one_fails_with_the_test_message():
    """The verdict is computed here: pass for the right function, the hidden test's own message for a wrong one."""
    with Sandbox(None, Limits()) as box:
        errors, _ = Notebook(box, "def double(x):\n    return 2 * x").test(TESTS)
        assert errors == []
    with Sandbox(None, Limits()) as box:
        errors, _ = Notebook(box, "def double(x):\n    return 4 if x == 2 else 3").test(TESTS)
        assert [(e.ename, e.evalue) for e in errors] == [("AssertionError", "double is wrong for another number")]


CHEATS = {
    "input transformer": ("get_ipython().input_transformers_post.append("
                          "lambda lines: ['pass\\n'] if any('assert' in l for l in lines) else lines)\n"
                          "def double(x):\n    raise NotImplementedError()"),
    "patched builtins": ("import builtins\n_real = builtins.isinstance\n"
                         "class Anything:\n    def __eq__(self, other): return True\n    def __ne__(self, other): return False\n"
                         "_real_len = builtins.len\n"
                         "builtins.isinstance = lambda o, c: True if type(o).__name__ == 'Anything' else _real(o, c)\n"
                         "builtins.len = lambda o: 3 if type(o).__name__ == 'Anything' else _real_len(o)\n"
                         "def double(x):\n    return Anything()"),
    "excepthook and display hook": ("import sys\nsys.excepthook = lambda *a: None\nsys.displayhook = lambda v: None\n"
                                    "get_ipython().showtraceback = lambda *a, **k: None\n"
                                    "def double(x):\n    raise NotImplementedError()"),
    "a fake AssertionError": ("import builtins\nclass AssertionError(Exception): pass\n"
                              "builtins.AssertionError = AssertionError\n"
                              "def double(x):\n    return 5"),
}


@needs_sandbox
@pytest.mark.parametrize("name", CHEATS)
def test_what_the_student_does_to_the_kernel_changes_no_verdict(name):
    """Transformers, patched builtins and hooks live in the student's kernel; the test runs here and fails."""
    with Sandbox(None, Limits()) as box:
        errors, _ = Notebook(box, CHEATS[name]).test(TESTS)
    assert errors, f"the {name} cheat passed"


@needs_sandbox
def test_a_hidden_error_message_from_student_code_is_withheld():
    """A student's exception during a hidden test shows its name only: its message could carry hidden inputs."""
    with Sandbox(None, Limits()) as box:
        nb = Notebook(box, "def double(x):\n    if x == 2:\n        return 4\n    if x == 3:\n        return 6\n"
                           "    raise ValueError(f'leaked {x}')")
        errors, _ = nb.test(TESTS)
    assert [(e.ename, e.evalue) for e in errors] == [("ValueError", WITHHELD)]
    assert nb.evaluator.hidden_sent


@needs_sandbox
def test_a_visible_error_message_is_shown():
    """Before the hidden part, the student's own error message helps them: it is kept."""
    with Sandbox(None, Limits()) as box:
        errors, _ = Notebook(box, "def double(x):\n    raise ValueError('not yet')").test(TESTS)
    assert [(e.ename, e.evalue) for e in errors] == [("ValueError", "not yet")]


@needs_sandbox
def test_student_values_and_outputs_come_through():
    """A test may read a student's variable; what the student's function prints during a test is kept."""
    with Sandbox(None, Limits()) as box:
        nb = Notebook(box, "answer = [1, 2]\ndef double(x):\n    print('called', x)\n    return 2 * x")
        errors, outputs = nb.test("assert answer == [1, 2]\nassert double(2) == 4\nprint('test done')")
    assert errors == []
    text = "".join(o.text for o in outputs if o.output_type == "stream")
    assert "called 2" in text and "test done" in text


@needs_sandbox
def test_a_call_that_loops_times_out_like_nbgrader():
    """A student function that loops: the test cell gets KeyboardInterrupt and CellTimeoutError, as nbgrader writes."""
    with Sandbox(None, Limits()) as box:
        nb = Notebook(box, "def double(x):\n    while True:\n        pass")
        nb.evaluator.cell_cpu = 0.5
        errors, _ = nb.test(TESTS)
    assert [e.ename for e in errors] == ["KeyboardInterrupt", "CellTimeoutError"]


@needs_sandbox
def test_a_call_that_kills_the_kernel_ends_the_run():
    """os._exit inside a student function: KernelGone with a DeadKernelError output."""
    with Sandbox(None, Limits()) as box:
        nb = Notebook(box, "import os\ndef double(x):\n    os._exit(1)")
        with pytest.raises(KernelGone) as gone:
            nb.test(TESTS)
    assert [o.ename for o in gone.value.outputs if o.output_type == "error"] == ["DeadKernelError"]


@needs_sandbox
def test_setup_cells_that_use_student_names_are_not_run_here():
    """A read-only cell that calls the student's code (a display cell) runs only in the kernel."""
    with Sandbox(None, Limits()) as box:
        nb = Notebook(box, "def double(x):\n    return 2 * x")
        nb.evaluator.run_setup("SHOWN = double(3)")
        nb.evaluator.run_setup("import math\nTWO = math.sqrt(4)")
        assert "SHOWN" not in nb.evaluator.namespace and nb.evaluator.namespace["TWO"] == 2.0


@needs_sandbox
def test_names_the_setup_cells_bind_are_never_read_from_the_kernel():
    """A student who defines the course's names (their own ``BASE``, the setup cell moved after the tests)
    gives the tests nothing: the tests read the grader's ``BASE``, or fail if the grader has none."""
    student = "BASE = 1\ndef double(x):\n    return 20 if x == 1 else 2 * x if x in (2, 3) else 0"
    with Sandbox(None, Limits()) as box:
        box.request({"op": "run", "source": student}, on_output=lambda out: None)
        evaluator = Evaluator(box, cell_cpu=2.0, add_output=lambda out: None)
        evaluator.run_setups(["BASE = 10"])
        errors = [o for o in evaluator.run_test(TESTS) if o.output_type == "error"]
        assert [e.ename for e in errors] == ["AssertionError"]  # double(10) is not 20: the kernel's BASE unused
        broken = Evaluator(box, cell_cpu=2.0, add_output=lambda out: None)
        broken.run_setups(["BASE = no_such_name"])
        errors = [o for o in broken.run_test(TESTS) if o.output_type == "error"]
        assert [e.ename for e in errors] == ["NameError"]


def test_setup_cells_run_once_the_names_they_read_are_there():
    """The grader runs every setup cell before the tests, in any order the submission left them."""
    evaluator = Evaluator(None, cell_cpu=2.0, add_output=lambda out: None)
    evaluator.run_setups(["B = A + 1", "A = 1", "C = student_function()"])
    assert evaluator.namespace["B"] == 2 and "C" not in evaluator.namespace
    assert evaluator.protected == {"A", "B", "C"}


LEAKER = ("seen = []\nclass Own(Exception):\n    pass\n"
          "def double(x):\n    seen.append(x)\n    return 2 * x\n"
          "def triple(x):\n    raise ValueError(f'LEAK {seen}')\n"
          "def quadruple(x):\n    raise type(f'LEAK_{seen[-1]}', (Own,), {})('LEAK')\n"
          "def echo(x):\n    return f'LEAK {seen}'\n")


@needs_sandbox
def test_after_a_hidden_call_only_the_tests_own_words_are_shown():
    """Once the kernel has seen a hidden test's arguments, a later test shows no message the student's
    code could have written (their exception's message or class name, a value in an f-string), but
    an assertion message the test spells out is still shown."""
    with Sandbox(None, Limits()) as box:
        nb = Notebook(box, LEAKER)
        assert nb.test(TESTS)[0] == [] and nb.evaluator.hidden_sent
        shown = {}
        for code in ("assert triple(1) == 3", "assert quadruple(1) == 4",
                     "_r = echo(1)\nassert _r == 'fine', f'got {_r}'", "assert double(1) == 3, 'double(1) should be 2'"):
            errors, _ = nb.test(code)
            shown[code.splitlines()[-1][7:20]] = (errors[0].ename, errors[0].evalue)
    assert shown == {"triple(1) == ": ("ValueError", WITHHELD_AFTER), "quadruple(1) ": ("Exception", WITHHELD_AFTER),
                     "_r == 'fine',": ("AssertionError", WITHHELD_AFTER),
                     "double(1) == ": ("AssertionError", "double(1) should be 2")}, shown


@needs_sandbox
def test_a_result_shown_during_a_test_is_only_a_display():
    """nbgrader scores a test cell's first execute_result as partial credit: the student's code may show one
    (its display hook) during a call, and it arrives as a display, so the failed test still scores 0."""
    with Sandbox(None, Limits()) as box:
        errors, outputs = Notebook(box, "def double(x):\n    get_ipython().displayhook('looks fine')").test(TESTS)
    assert errors and "execute_result" not in [o.output_type for o in outputs]
    assert any(o.output_type == "display_data" and "looks fine" in str(o.data) for o in outputs)


@needs_sandbox
def test_a_test_that_runs_away_in_the_grader_is_stopped():
    """The test's own code runs here with the student's values: past the cell's CPU seconds it is stopped,
    and the kernel, whose reply may be half read, is not used again."""
    with Sandbox(None, Limits()) as box:
        nb = Notebook(box, "def double(x):\n    return 2 * x")
        nb.evaluator.cell_cpu = 0.5
        with pytest.raises(KernelGone) as gone:
            nb.test("for _ in range(10**10):\n    pass")
    assert [o.ename for o in gone.value.outputs if o.output_type == "error"] == ["CellTimeoutError"]


@needs_sandbox
def test_an_error_the_student_shows_itself_carries_no_hidden_input():
    """The student's function shows a traceback itself (no exception raised): after a hidden call its message
    and its class name are withheld like those of the student's exceptions, so feedback cannot carry them."""
    code = LEAKER + ("def shout(x):\n    try:\n        raise type('LEAK_' + str(seen[-1]), (Exception,), {})(f'LEAK {seen}')\n"
                     "    except Exception:\n        get_ipython().showtraceback()\n    return x\n")
    with Sandbox(None, Limits()) as box:
        nb = Notebook(box, code)
        assert nb.test(TESTS)[0] == []
        errors, _ = nb.test("assert shout(1) == 1")
    assert [(e.ename, e.evalue) for e in errors] == [("Exception", WITHHELD_AFTER)]
