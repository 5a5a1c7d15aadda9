"""The sandbox's kernel (sandbox.runner) speaks its protocol: run cells, answer lookups and calls.

The runner is started directly here, without bubblewrap, to test what it says; the
sandbox tests (test_launch.py) test where it runs.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from koreathaw_grading.sandbox import codec, wire


@pytest.fixture()
def runner(tmp_path):
    """A runner on two pipes, in a scratch folder, with a submission folder to copy in; yields a request function."""
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "data.txt").write_text("from the student")
    work = tmp_path / "work"
    work.mkdir()
    to_r, to_w = os.pipe()
    from_r, from_w = os.pipe()
    env = {**os.environ, "KOREATHAW_SUBMISSION": str(submission), "KOREATHAW_NPROC": "64",
           "IPYTHONDIR": str(tmp_path / "ipython"), "MPLBACKEND": "agg"}
    proc = subprocess.Popen([sys.executable, "-m", "koreathaw_grading.sandbox.runner", str(to_r), str(from_w)],
                            cwd=work, env=env, pass_fds=(to_r, from_w))
    os.close(to_r)
    os.close(from_w)
    assert wire.receive(from_r)["t"] == "ready"

    def request(message):
        wire.send(to_w, message)
        outputs = []
        while True:
            reply = wire.receive(from_r)
            if reply["t"] == "out":
                outputs.append(reply["o"])
            else:
                return reply, outputs

    yield request
    wire.send(to_w, {"op": "bye"})
    assert proc.wait(timeout=10) == 0
    os.close(to_w)
    os.close(from_r)


def test_cells_run_with_the_submission_copied_in(runner):
    """The working folder holds the student's files; print, results, displays and errors come out as outputs."""
    reply, outs = runner({"op": "run", "source": "print(open('data.txt').read())"})
    assert reply == {"t": "done", "status": "ok", "count": 1}
    assert outs == [{"output_type": "stream", "name": "stdout", "text": "from the student\n"}]
    reply, outs = runner({"op": "run", "source": "from IPython.display import display, clear_output\n"
                                                 "display('shown')\nclear_output(wait=True)\n6 * 7"})
    kinds = [o["output_type"] for o in outs]
    assert kinds == ["display_data", "clear_output", "execute_result"] and outs[-1]["data"]["text/plain"] == "42"
    reply, outs = runner({"op": "run", "source": "1 / 0"})
    assert reply["status"] == "error" and outs[-1]["ename"] == "ZeroDivisionError"
    reply, outs = runner({"op": "run", "source": "def broken(:"})
    assert reply["status"] == "error" and outs[-1]["ename"] == "SyntaxError"


def test_lookups_tell_functions_values_and_missing_names(runner):
    """A function is 'callable', a value comes as data, an unknown name is 'missing'."""
    runner({"op": "run", "source": "import pandas as pd\ndef f(x):\n    return x\nanswer = pd.Series([1, 2])"})
    assert runner({"op": "lookup", "name": "f"})[0] == {"t": "callable"}
    reply, _ = runner({"op": "lookup", "name": "answer"})
    assert reply["t"] == "value" and list(codec.decode(reply["v"])) == [1, 2]
    assert runner({"op": "lookup", "name": "nothing"})[0] == {"t": "missing"}


def test_calls_return_values_or_exceptions_with_their_outputs(runner):
    """A call gets decoded arguments; its return value, or its exception's name, bases and message, come back."""
    runner({"op": "run", "source": "def f(a, b=1):\n    print('in f')\n    if a < 0:\n        raise KeyError(a)\n"
                                   "    return a * b\nclass Odd:\n    pass\ndef g():\n    return Odd()\n"
                                   "def loop():\n    return [loop]"})
    reply, _ = runner({"op": "call", "name": "f", "args": codec.encode([3]), "kwargs": codec.encode({"b": 2})})
    assert reply["t"] == "return" and codec.decode(reply["v"]) == 6
    assert reply["outputs"] == [{"output_type": "stream", "name": "stdout", "text": "in f\n"}]
    reply, _ = runner({"op": "call", "name": "f", "args": codec.encode([-1])})
    assert (reply["t"], reply["ename"], reply["evalue"]) == ("raise", "KeyError", "-1")
    assert reply["mro"][:3] == ["KeyError", "LookupError", "Exception"]
    reply, _ = runner({"op": "call", "name": "g", "args": codec.encode([])})
    assert isinstance(codec.decode(reply["v"]), codec.Opaque)
    assert runner({"op": "call", "name": "nope", "args": codec.encode([])})[0]["t"] == "missing"
    reply, _ = runner({"op": "call", "name": "f", "args": {"$": "bad"}})
    assert reply["t"] == "uncarriable"
    assert runner({"op": "frobnicate"})[0]["ename"] == "ValueError"


def test_matplotlib_inline_works_as_in_a_jupyter_kernel(runner):
    """``%matplotlib inline`` in an answer cell: ipykernel accepts it, so must the sandbox's shell (a plain
    IPython shell raised NotImplementedError, the cell stopped and its function was never defined: 0 marks)."""
    reply, outs = runner({"op": "run", "source": "%matplotlib inline\ndef f():\n    return 1"})
    assert reply["status"] == "ok", outs
    assert runner({"op": "lookup", "name": "f"})[0] == {"t": "callable"}
    reply, outs = runner({"op": "run", "source": "%matplotlib qt"})  # no GUI here: an error, as with no display
    assert reply["status"] == "error", outs
