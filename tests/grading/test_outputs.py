"""Outputs from the sandbox are checked and capped in bytes (sandbox.outputs)."""

from __future__ import annotations

import pytest

from koreathaw_grading.sandbox.outputs import FLAG_KEY, TRUNCATED, Budget, checked_output


@pytest.mark.parametrize("out", [
    {"output_type": "stream", "name": "stdin", "text": "x"},
    {"output_type": "stream", "name": "stdout", "text": 5},
    {"output_type": "display_data", "data": {"notamime": "x"}},
    {"output_type": "display_data", "data": {"text/html": {"a": 1}}},
    {"output_type": "error", "ename": "E", "evalue": 1, "traceback": []},
    {"output_type": "execute"}, "text", None,
], ids=range(8))
def test_malformed_outputs_are_dropped(out):
    """Anything that is not an nbformat output is not kept."""
    assert checked_output(out) is None


def test_wellformed_outputs_are_kept():
    """Streams, results with their mime bundles, JSON payloads and errors pass."""
    assert checked_output({"output_type": "stream", "name": "stdout", "text": ["a", "b"]}).text == "ab"
    result = checked_output({"output_type": "execute_result", "data": {"text/plain": "1",
                             "application/json": {"a": [1]}}, "execution_count": 3, "metadata": {}})
    assert result.data["application/json"] == {"a": [1]} and result.execution_count == 3
    error = checked_output({"output_type": "error", "ename": "E" * 500, "evalue": "v", "traceback": ["l"] * 300})
    assert len(error.ename) == 200 and len(error.traceback) == 200


def test_a_flood_is_cut_at_the_cell_cap_with_a_note():
    """200 lines of 1 kB in a cell with a 10 kB cap: the first ones kept, the rest counted in a flagged note."""
    budget = Budget(cell_cap=10_000, notebook_cap=1_000_000)
    cell = budget.cell()
    for _ in range(200):
        cell.add({"output_type": "display_data", "data": {"text/plain": "x" * 1000}, "metadata": {}})
    outputs = cell.finish()
    assert len(outputs) < 20
    note = outputs[-1]
    assert note.metadata[FLAG_KEY] == TRUNCATED and "dropped" in note.data["text/plain"]
    assert budget.used <= 10_000


def test_the_notebook_cap_holds_across_cells():
    """Many cells, each under the cell cap, stop at the notebook's cap."""
    budget = Budget(cell_cap=5_000, notebook_cap=12_000)
    kept = 0
    for _ in range(10):
        cell = budget.cell()
        cell.add({"output_type": "stream", "name": "stdout", "text": "y" * 4000})
        kept += sum(len(o.get("text", "")) for o in cell.finish())
    assert kept <= 12_000 and budget.used <= 12_000


def test_streams_merge_and_clear_output_clears():
    """Consecutive stream text merges into one output; clear_output (also with wait) empties the cell."""
    cell = Budget(10**6, 10**6).cell()
    cell.add({"output_type": "stream", "name": "stdout", "text": "a"})
    cell.add({"output_type": "stream", "name": "stdout", "text": "b"})
    assert [o.text for o in cell.finish()] == ["ab"]
    cell.add({"output_type": "clear_output", "wait": True})
    assert [o.text for o in cell.finish()] == ["ab"]
    cell.add({"output_type": "stream", "name": "stderr", "text": "c"})
    assert [(o.name, o.text) for o in cell.finish()] == [("stderr", "c")]
    cell.add({"output_type": "clear_output", "wait": False})
    assert cell.finish() == []


def test_errors_and_stderr_are_kept_past_the_caps():
    """A filled budget must not drop what scores a test cell (nbgrader: an error or stderr means 0):
    they are kept, shortened; other outputs are dropped and noted."""
    budget = Budget(cell_cap=1000, notebook_cap=1500)
    filler = budget.cell()
    filler.add({"output_type": "stream", "name": "stdout", "text": "x" * 900})
    filler.finish()
    test = budget.cell()
    test.add({"output_type": "display_data", "data": {"text/plain": "y" * 900}, "metadata": {}})
    test.add({"output_type": "error", "ename": "AssertionError", "evalue": "z" * 5000, "traceback": ["t" * 5000] * 9})
    test.add({"output_type": "stream", "name": "stderr", "text": "w" * 5000})
    kinds = [o.output_type for o in test.finish()]
    assert kinds == ["error", "stream", "display_data"], kinds  # the note of what was dropped comes last
    error = next(o for o in test.items if o.output_type == "error")
    assert len(error.evalue) <= 1000 and len(error.traceback) <= 3


def test_a_flood_of_errors_past_the_cap_keeps_one_of_each():
    """Errors and stderr written straight to the pipe, thousands of them: past the cap one error and one
    stderr note are kept (enough for nbgrader to score 0), not thousands; stream pieces join in linear time."""
    import time

    cell = Budget(cell_cap=10_000, notebook_cap=10_000).cell()
    cell.add({"output_type": "stream", "name": "stdout", "text": "x" * 9_000})
    for _ in range(5_000):
        cell.add({"output_type": "error", "ename": "E", "evalue": "v" * 1000, "traceback": ["t" * 1000] * 3})
        cell.add({"output_type": "stream", "name": "stderr", "text": "s" * 1000})
    kinds = [o.output_type for o in cell.finish()]
    assert kinds == ["stream", "error", "stream", "display_data"], kinds
    start = time.process_time()
    big = Budget(cell_cap=10**9, notebook_cap=10**9).cell()
    for _ in range(50_000):
        big.add({"output_type": "stream", "name": "stdout", "text": "y" * 100})
    assert len(big.finish()[0].text) == 5_000_000 and time.process_time() - start < 20
