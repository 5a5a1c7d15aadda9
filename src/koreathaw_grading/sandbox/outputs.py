"""Outputs that come out of the sandbox: checked one by one, and capped in bytes.

Everything the student's kernel sends is untrusted data. :func:`checked_output`
keeps an output only if it has the shape of an nbformat output (the right keys,
text where text belongs); :class:`CellOutputs` collects a cell's outputs up to a
byte budget per cell and per notebook, so neither the autograded notebook nor a
feedback page can grow without bound (a cell printing 200 MB keeps its first
MBs and a note saying how much was dropped, and the submission is flagged
``output_truncated``).
"""

from __future__ import annotations

import json
from typing import Any

from nbformat.notebooknode import NotebookNode

#: Notebook metadata where the grading run leaves what the sandbox saw (read by koreathaw_grading.grade).
RUN_KEY = "koreathaw_sandbox"
#: The metadata key of the note that marks a cell whose outputs were cut.
FLAG_KEY = "koreathaw_flag"
TRUNCATED = "output_truncated"


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "".join(value)
    return None


def _bundle(data: Any) -> dict[str, Any] | None:
    if not isinstance(data, dict):
        return None
    out = {}
    for mime, value in data.items():
        if not isinstance(mime, str) or "/" not in mime:
            return None
        if mime.endswith("json") or mime.endswith("+json"):
            out[mime] = value
        else:
            text = _text(value)
            if text is None:
                return None
            out[mime] = text
    return out


def checked_output(out: Any) -> NotebookNode | None:
    """``out`` as an nbformat output, or None if it is not one (a clear_output request passes as itself)."""
    if not isinstance(out, dict):
        return None
    kind = out.get("output_type")
    if kind == "stream":
        text = _text(out.get("text"))
        if out.get("name") in ("stdout", "stderr") and text is not None:
            return NotebookNode(output_type="stream", name=out["name"], text=text)
    elif kind in ("display_data", "execute_result", "update_display_data"):
        data = _bundle(out.get("data"))
        metadata = out.get("metadata") if isinstance(out.get("metadata"), dict) else {}
        if data is not None:
            node = NotebookNode(output_type=kind, data=data, metadata=metadata)
            if kind == "execute_result":
                count = out.get("execution_count")
                node.execution_count = count if isinstance(count, int) else None
            return node
    elif kind == "error":
        tb = out.get("traceback")
        if isinstance(out.get("ename"), str) and isinstance(out.get("evalue"), str) and isinstance(tb, list):
            return NotebookNode(output_type="error", ename=out["ename"][:200], evalue=out["evalue"][:10000],
                                traceback=[str(line) for line in tb[:200]])
    elif kind == "clear_output":
        return NotebookNode(output_type="clear_output", wait=bool(out.get("wait")))
    return None


def size(out: NotebookNode) -> int:
    """The bytes an output takes in a notebook file (its JSON, roughly)."""
    return len(json.dumps(out, ensure_ascii=False))


def truncation_note(dropped: int, cap: int, scope: str) -> NotebookNode:
    text = (f"[{dropped:,} bytes of output were dropped here: a {scope} may keep at most {cap:,} bytes "
            "of output when it is graded]")
    return NotebookNode(output_type="display_data", data={"text/plain": text}, metadata={FLAG_KEY: TRUNCATED})


def essential(node: NotebookNode) -> bool:
    """An output nbgrader reads to score a cell: an error, or text on stderr."""
    return node.output_type == "error" or (node.output_type == "stream" and node.name == "stderr")


def shortened(node: NotebookNode, keep: int = 1000) -> NotebookNode:
    """A copy of an error or stderr output small enough to keep past any cap."""
    if node.output_type == "error":
        return NotebookNode(output_type="error", ename=node.ename[:200], evalue=node.evalue[:keep],
                            traceback=[line[:keep] for line in node.traceback[-3:]])
    return NotebookNode(output_type="stream", name=node.name, text=node.text[:keep])


class Budget:
    """The output bytes a notebook has left."""

    def __init__(self, cell_cap: int, notebook_cap: int) -> None:
        self.cell_cap, self.notebook_cap, self.used = cell_cap, notebook_cap, 0

    def cell(self) -> "CellOutputs":
        return CellOutputs(self)


class CellOutputs:
    """One cell's outputs, as they arrive (``clear_output`` honoured), within the budget."""

    def __init__(self, budget: Budget) -> None:
        self.budget, self.items, self.used, self.dropped = budget, [], 0, 0
        self.scope = ""
        self.clear_pending = False
        self.kept_past_cap: set[str] = set()  # "error", "stderr": one of each is kept past a cap, no more
        self.parts: dict[int, list[str]] = {}  # a stream's text in pieces, joined once (no quadratic +=)

    def add(self, out: Any) -> None:
        node = out if isinstance(out, NotebookNode) and out.get("output_type") != "clear_output" else checked_output(out)
        if node is None or node.output_type == "update_display_data":
            return
        if node.output_type == "clear_output":
            if node.wait:
                self.clear_pending = True
            else:
                self._clear()
            return
        if self.clear_pending:
            self._clear()
            self.clear_pending = False
        n = size(node)
        over = ("cell" if self.used + n > self.budget.cell_cap
                else "notebook" if self.budget.used + n > self.budget.notebook_cap else "")
        kind = "error" if node.output_type == "error" else "stderr"
        if over and essential(node) and kind not in self.kept_past_cap:
            # an error or stderr decides a test cell's grade: the first of each is kept, shortened, past the cap
            self.dropped, self.scope = self.dropped + n, over
            self.kept_past_cap.add(kind)
            self.items.append(shortened(node))
        elif over:
            self.dropped, self.scope = self.dropped + n, over
        else:
            self._merge_or_append(node)
            self.used += n
            self.budget.used += n

    def _merge_or_append(self, node: NotebookNode) -> None:
        last = self.items[-1] if self.items else None
        if node.output_type == "stream" and last is not None and last.output_type == "stream" and last.name == node.name:
            self.parts.setdefault(id(last), [last.text]).append(node.text)
        else:
            self._join(last)
            self.items.append(node)

    def _join(self, node: NotebookNode | None) -> None:
        if node is not None and id(node) in self.parts:
            node.text = "".join(self.parts.pop(id(node)))

    def _clear(self) -> None:
        self.budget.used -= self.used
        self.items, self.used, self.parts = [], 0, {}

    def finish(self) -> list[NotebookNode]:
        """The outputs, with a note at the end if any were dropped."""
        for node in self.items:
            self._join(node)
        if self.dropped:
            cap = self.budget.cell_cap if self.scope == "cell" else self.budget.notebook_cap
            self.items.append(truncation_note(self.dropped, cap, self.scope))
        return self.items
