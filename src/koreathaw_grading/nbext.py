"""nbgrader extensions the course config plugs in (see assignments/nbgrader_config.py).

* :class:`SafeExecute` - nbgrader's ``Execute`` that survives a dying kernel:
  the cell that killed it and every later cell get an error output, so their
  tests score zero (stock nbgrader 0.9.6 aborts the whole submission with a
  ``DeadKernelError``, leaving the gradebook with whatever it held before).
  A kernel stuck after a timeout (a loop that swallows the interrupt) is
  treated the same way instead of timing out cell after cell.
* :class:`SafeDeduplicateIds` - a duplicated graded cell no longer crashes
  the whole submission (nbgrader 0.9.6: ``KeyError: 'grade_id'``).
* :class:`StampManifest` - runs last in ``generate_assignment`` and writes the
  list of graded cells into the released notebook's metadata, so a deleted cell
  can be detected from the notebook alone (:mod:`koreathaw_grading.manifest`).
* :class:`HideTestOutput` - runs in ``generate_feedback`` after
  ``ClearHiddenTests``: test cells keep only ``ErrorName: message`` of their
  error, never a traceback (which would quote hidden test lines) or printed
  output.
* :func:`install_validator_check` - makes ``nbgrader validate`` fail, instead
  of saying "Success", when graded cells were deleted or duplicated.
"""

from __future__ import annotations

import textwrap
import time
from pathlib import Path
from queue import Empty
from typing import Any

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import DeduplicateIds, Execute, NbGraderPreprocessor

from koreathaw_grading import MANIFEST_KEY
from koreathaw_grading.compat import guarded
from koreathaw_grading.manifest import cell_problems, expected_cells, manifest

KERNEL_DIED = "DeadKernelError"
NOT_RUN = "KernelDiedEarlier"
UNRESPONSIVE = "KernelUnresponsive"


def _error(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class SafeExecute(Execute):
    """Execute, but a dead kernel costs the affected cells their points, never more, never less."""

    #: Seconds the kernel has to answer a kernel_info request after a timed-out cell.
    responsive_timeout = 5

    def preprocess(self, nb, resources=None, km=None):
        self._kernel_died_at: int | None = None
        self._why = ""
        return super().preprocess(nb, resources, km=km)

    def _responsive(self) -> bool:
        """True if the kernel answers a kernel_info request (it is not stuck in a cell)."""
        from jupyter_core.utils import run_sync

        async def ask() -> bool:
            msg_id = self.kc.kernel_info()
            deadline = time.monotonic() + self.responsive_timeout
            while (left := deadline - time.monotonic()) > 0:
                try:
                    msg = await self.kc.shell_channel.get_msg(timeout=left)
                except Empty:
                    return False
                if msg.get("parent_header", {}).get("msg_id") == msg_id:
                    return True
            return False

        try:
            return run_sync(ask)()
        except Exception:  # a kernel that cannot even be asked is not responsive
            return False

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if getattr(self, "_kernel_died_at", None) is not None:
            cell.outputs = [_error(NOT_RUN, f"not run: the kernel {self._why} in cell {self._kernel_died_at}")]
            return cell, resources
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
            if any(out.get("ename") == "CellTimeoutError" for out in cell.get("outputs", [])) and not self._responsive():
                self._kernel_died_at = index
                self._why = "is stuck (it ignored the interrupt after a timeout)"
                self.log.error("The kernel did not answer after the timeout in cell %s; the rest is marked not run", index)
                cell.outputs.append(_error(UNRESPONSIVE, "the kernel did not answer after this cell was interrupted"))
            return cell, resources
        except CellTimeoutError:  # no reply or no output after the interrupt: the kernel is stuck
            self._kernel_died_at = index
            self._why = "is stuck (it ignored the interrupt after a timeout)"
            self.log.error("The kernel is stuck after a timeout in cell %s; the rest is marked not run", index)
            cell.outputs = [o for o in cell.get("outputs", []) if o.get("ename") != "CellTimeoutError"] + [
                _error("CellTimeoutError", "the cell ran longer than the time limit and was interrupted"),
                _error(UNRESPONSIVE, "the kernel did not answer after this cell was interrupted")]
            return cell, resources
        except DeadKernelError:
            self._kernel_died_at = index
            self._why = "died"
            self.log.error("The kernel died while running cell %s; the rest of the notebook is marked not run", index)
            cell.outputs = list(cell.get("outputs", [])) + [_error(
                KERNEL_DIED, "the kernel died while running this cell (it crashed, ran out of memory or called os._exit)")]
            return cell, resources


class SafeDeduplicateIds(DeduplicateIds):
    """DeduplicateIds that does not crash the submission.

    nbgrader 0.9.6 keeps the last copy of a duplicated graded cell and sets the
    other copies' nbgrader metadata to ``{}``; a later step then reads
    ``metadata.nbgrader["grade_id"]`` of that empty dict and the whole
    submission fails with ``KeyError: 'grade_id'``. Here the earlier copies lose
    their ``nbgrader`` metadata entirely: they run as ordinary cells, the last
    copy is graded.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if "nbgrader" in cell.metadata and not cell.metadata.nbgrader:
            del cell.metadata["nbgrader"]
        return cell, resources


class StampManifest(NbGraderPreprocessor):
    """Record the notebook's graded cells in its metadata (runs last in generate_assignment)."""

    def preprocess(self, nb, resources):
        assignment = resources.get("nbgrader", {}).get("assignment", "")
        nb.metadata[MANIFEST_KEY] = manifest(nb, assignment)
        return nb, resources


def _is_test_cell(cell: Any) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution") and cell.get("cell_type") == "code"


class HideTestOutput(NbGraderPreprocessor):
    """In feedback, reduce a test cell's outputs to ``ErrorName: message``."""

    def preprocess_cell(self, cell, resources, index):
        if _is_test_cell(cell):
            kept = []
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    kept.append(_error(out.get("ename", "Error"), str(out.get("evalue", ""))))
            cell.outputs = kept
        return cell, resources


def missing_cell_failures(filename: str | Path, course_root: Path | None) -> list[dict[str, str]]:
    """Return validate-style failures for graded cells deleted from or duplicated in a notebook."""
    import nbformat

    path = Path(filename)
    nb = nbformat.read(str(path), as_version=4)
    problems = cell_problems(nb, expected_cells(nb, path, course_root))
    failures = []
    for grade_id in problems["missing"]:
        text = (f"The graded cell '{grade_id}' is missing from this notebook (deleted?). "
                "It will be put back, with its original content, when the notebook is graded: "
                "an answer cell put back holds no answer. Copy it from a fresh copy of the assignment.")
        text = textwrap.fill(text, 80)
        failures.append({"source": f"[missing cell {grade_id}]", "error": text, "raw_error": text})
    for grade_id in problems["duplicated"]:
        text = (f"The graded cell '{grade_id}' appears more than once (copied?). "
                "Only the last copy is graded; delete the other copies.")
        text = textwrap.fill(text, 80)
        failures.append({"source": f"[duplicated cell {grade_id}]", "error": text, "raw_error": text})
    return failures


def install_validator_check(course_root: Path | None) -> None:
    """Make nbgrader's Validator report deleted or duplicated graded cells as failures."""
    from nbgrader.validator import Validator

    if getattr(Validator.validate, "_koreathaw", False) or not guarded("Validator.validate"):
        return
    original = Validator.validate

    def validate(self, filename):
        results = original(self, filename)
        if self.invert:
            return results
        try:
            extra = missing_cell_failures(filename, course_root)
        except Exception as exc:  # an unreadable notebook: nbgrader reports it itself
            self.log.warning("could not check the graded cells of %s: %s", filename, exc)
            extra = []
        if extra:
            results.setdefault("failed", [])
            results["failed"] = extra + results["failed"]
        return results

    validate._koreathaw = True  # type: ignore[attr-defined]
    Validator.validate = validate
