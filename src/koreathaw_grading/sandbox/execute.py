"""``SandboxExecute``: nbgrader's Execute step, with the student's code in the sandbox.

Plugged into ``Autograde.autograde_preprocessors`` in place of nbgrader's
``Execute`` (``assignments/nbgrader_config.py``), so ``koreathaw-grade
autograde``, ``nbgrader autograde`` and the Formgrader's autograde button all
grade this way. For one notebook:

1. Every cell's role comes from the gradebook, not from the submission: a
   *test* cell (an autograded grade cell), a *setup* cell (read-only code of the
   course) or the student's code. Test and setup code is taken from the gradebook,
   and every setup cell also runs in the grader before the first test, wherever
   the submission put it and even if it deleted it.
2. The grading run: a fresh sandbox (:mod:`.launch`) runs the setup and student
   cells in order; each test cell runs in the grader (:mod:`.evaluate`), calling
   the student's functions in the sandbox. Outputs come back as checked data,
   capped in bytes (:mod:`.outputs`).
3. The display run, only when needed: once a hidden test has passed arguments to
   the student's code, later cells of that kernel could print them; if any such
   cell printed anything, the setup and student cells run again in a second,
   fresh sandbox that sees no test at all, and those cells show its outputs.
4. Whatever happens in the sandbox, the sandbox ends with the notebook: every
   process killed, its cgroup and files removed.

Errors keep the names nbgrader's (and the course's ``SafeExecute``) use, so
grades and flags are those of stock nbgrader for every honest submission:
``CellTimeoutError`` after an interrupt on the CPU-time limit, ``DeadKernelError``,
``KernelUnresponsive``, ``KernelDiedEarlier`` for the cells after a death, and
``MemoryError`` when the sandbox's processes together passed the memory limit.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Float, Integer

from koreathaw_grading.sandbox.evaluate import TIMEOUT_TRACEBACK, Evaluator, KernelGone, error_output
from koreathaw_grading.sandbox.launch import KernelDied, Limits, Sandbox, SandboxUnavailable, Unresponsive, unavailable
from koreathaw_grading.sandbox.outputs import RUN_KEY, Budget

TEST, SETUP, STUDENT = "test", "setup", "student"


Cells = tuple[dict[str, tuple[str, bool, str]], set[str], set[str]]  # source cells by name, graded, solutions


def gradebook_cells(resources: dict[str, Any]) -> Cells:
    """The released notebook's cells as the gradebook holds them: ``(type, locked, source)`` by name,
    the names of the graded cells and of the solution cells."""
    from nbgrader.api import Gradebook

    info = resources["nbgrader"]
    with Gradebook(info["db_url"]) as gb:
        notebook = gb.find_notebook(info["notebook"], info["assignment"])
        source = {c.name: (c.cell_type, bool(c.locked), c.source) for c in notebook.source_cells}
        graded = {c.name for c in notebook.grade_cells}
        solutions = {c.name for c in notebook.solution_cells}
    return source, graded, solutions


def setup_codes(nb: Any, cells: Cells) -> list[str]:
    """The code of every read-only cell of the course, from the gradebook: those the submission
    holds in its order, then any it lost (moved or deleted, they still run before the tests)."""
    source, graded, solutions = cells
    setup = {name for name, (kind, locked, _) in source.items()
             if kind == "code" and locked and name not in graded and name not in solutions}
    order = [c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb.cells]
    names = [n for i, n in enumerate(order) if n in setup and n not in order[:i]] + sorted(setup - set(order))
    return [source[name][2] for name in names]


def cell_roles(nb: Any, cells: Cells) -> list[tuple[str, str]]:
    """``(role, code)`` per cell, from the gradebook's copy of the released notebook."""
    source, graded, solutions = cells
    roles = []
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        kind, locked, code = source.get(grade_id, (None, False, ""))
        if cell.cell_type != "code":
            roles.append(("markdown", ""))
        elif kind == "code" and grade_id in graded and grade_id not in solutions:
            roles.append((TEST, code))
        elif kind == "code" and locked and grade_id not in graded and grade_id not in solutions:
            roles.append((SETUP, code))
        else:
            roles.append((STUDENT, cell.source))
    return roles


class SandboxExecute(NbGraderPreprocessor):
    """Run a submitted notebook with the student's code in the sandbox and the tests outside it."""

    cell_cpu = Float(30.0, help="CPU seconds a cell may use before it is interrupted").tag(config=True)
    memory_mb = Integer(4096, help="memory (MB) of the sandbox: per process, and for all together with a cgroup").tag(config=True)
    processes = Integer(32, help="processes or threads student code may start (only with a cgroup)").tag(config=True)
    notebook_wall = Float(1800.0, help="wall seconds a whole notebook may take").tag(config=True)
    cell_output_bytes = Integer(2 * 1024 * 1024, help="output bytes kept per cell").tag(config=True)
    notebook_output_bytes = Integer(10 * 1024 * 1024, help="output bytes kept per notebook").tag(config=True)

    def limits(self) -> Limits:
        return Limits(cell_cpu=self.cell_cpu, memory_mb=self.memory_mb, processes=self.processes,
                      notebook_wall=self.notebook_wall)

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]):
        why = unavailable()
        if why:
            raise SandboxUnavailable(f"student code is not run outside the sandbox: {why}")
        cells = gradebook_cells(resources)
        roles, setups = cell_roles(nb, cells), setup_codes(nb, cells)
        folder = Path(resources.get("metadata", {}).get("path") or os.getcwd())
        budget = Budget(self.cell_output_bytes, self.notebook_output_bytes)
        self.boxes: list[Sandbox] = []
        taint = self._grading_run(nb, roles, setups, folder, budget)
        if taint is not None and any(roles[i][0] != TEST and nb.cells[i].get("outputs")
                                     for i in range(taint + 1, len(nb.cells)) if nb.cells[i].cell_type == "code"):
            self._display_run(nb, roles, folder, taint)
        nb.metadata[RUN_KEY] = self._run_report()
        return nb, resources

    def _run_report(self) -> dict[str, Any]:
        """Flags about the sandbox itself, for the grader's report (``nb.metadata[RUN_KEY]``)."""
        flags, details = [], []
        leftover = max((box.leftover for box in self.boxes), default=0)
        oom = sum(box.oom_kills for box in self.boxes)
        if leftover:
            flags.append(f"processes_left_behind:{leftover}")
            details.append(f"the notebook left {leftover} process(es) running when it ended; the sandbox killed them")
        if oom:
            flags.append(f"memory_error:sandbox ({oom} process(es) killed)")
            details.append(f"the sandbox's processes together passed the memory limit ({self.memory_mb} MB); "
                           f"the OS killed {oom} of them")
        return {"flags": flags, "details": details, "runs": len(self.boxes)}

    # ------------------------------------------------------------------ the runs
    def _run_kernel_cell(self, box: Sandbox, code: str, outputs) -> str | None:
        """Run one cell in the kernel; return why the kernel is gone (or None)."""
        try:
            reply = box.request({"op": "run", "source": code}, on_output=outputs.add)
        except Unresponsive:
            outputs.add(error_output("CellTimeoutError", "the cell ran longer than the time limit and was interrupted"))
            outputs.add(error_output("KernelUnresponsive", "the kernel did not answer after this cell was interrupted"))
            return "is stuck (it ignored the interrupt after a timeout)"
        except KernelDied as exc:
            outputs.add(error_output("MemoryError" if exc.oom else "DeadKernelError", str(exc)))
            return "died"
        if reply.get("interrupted"):
            outputs.add(error_output("CellTimeoutError", "", list(TIMEOUT_TRACEBACK)))
        return None

    def _grading_run(self, nb: NotebookNode, roles, setups: list[str], folder: Path, budget: Budget) -> int | None:
        """Run the notebook with its tests; return the index of the cell after which the kernel had seen
        a hidden test's arguments (None if it never did)."""
        taint, gone, gone_at, count = None, None, None, 0
        with Sandbox(folder, self.limits(), log=self.log.info) as box:
            self.boxes.append(box)
            evaluator = Evaluator(box, self.cell_cpu, lambda out: None)
            evaluator.run_setups(setups)  # all of them, before any test, whatever the submission did to them
            for index, cell in enumerate(nb.cells):
                role, code = roles[index]
                if cell.cell_type != "code":
                    continue
                outputs = budget.cell()
                count += 1
                cell.execution_count = count
                if gone is not None:
                    outputs.add(error_output("KernelDiedEarlier", f"not run: the kernel {gone} in cell {gone_at}"))
                elif role == TEST:
                    try:
                        evaluator.run_test(code, outputs.add)  # capped as they come
                    except KernelGone as exc:
                        gone, gone_at = exc.why, index
                    if evaluator.hidden_sent and taint is None:
                        taint = index
                else:
                    gone = self._run_kernel_cell(box, code, outputs)
                    gone_at = index if gone else None
                cell.outputs = outputs.finish()
        return taint

    def _display_run(self, nb: NotebookNode, roles, folder: Path, taint: int) -> None:
        """Run the setup and student cells again, with no test, and show those outputs after ``taint``."""
        budget = Budget(self.cell_output_bytes, self.notebook_output_bytes)
        gone, gone_at = None, None
        with Sandbox(folder, self.limits(), log=self.log.info) as box:
            self.boxes.append(box)
            for index, cell in enumerate(nb.cells):
                role, code = roles[index]
                if cell.cell_type != "code" or role == TEST:
                    continue
                outputs = budget.cell()
                if gone is not None:
                    outputs.add(error_output("KernelDiedEarlier", f"not run: the kernel {gone} in cell {gone_at}"))
                else:
                    gone = self._run_kernel_cell(box, code, outputs)
                    gone_at = index if gone else None
                shown = outputs.finish()
                if index > taint:
                    cell.outputs = shown
