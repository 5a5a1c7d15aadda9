"""What happened to one submission, and where that is written down.

A :class:`Result` is saved as ``reports/<assignment>/<student>.json`` after
every grading run; the report and the export read those files back.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

#: Statuses of a submission (the ``status`` column of the export).
GRADED = "graded"
NOT_SUBMITTED = "not_submitted"
EMPTY = "empty_submission"
NO_NOTEBOOK = "no_notebook"
UNREADABLE = "unreadable_notebook"
GRADING_ERROR = "grading_error"

#: Error names in an autograded notebook that mean a cell did not finish, and the flag each raises.
ERROR_FLAGS = {
    "CellTimeoutError": "timeout",
    "DeadKernelError": "kernel_died",
    "KernelUnresponsive": "kernel_unresponsive",
    "KernelDiedEarlier": "not_run_after_kernel_death",
    "MemoryError": "memory_error",
    "OutputLimitExceeded": "output_truncated",
    "SandboxProtocolError": "sandbox_protocol_error",
}

#: The flag of every submission graded with ``UNSAFE_NO_SANDBOX=1`` (student code run as the instructor).
UNSAFE_FLAG = "UNSAFE_NO_SANDBOX"

#: Flags that are information, not a problem.
INFO_FLAGS = ("manual_grading_pending", "error_in_cell")


@dataclass
class Result:
    """What happened to one student's submission of one assignment."""

    student: str
    assignment: str
    status: str = GRADED
    score: float = 0.0
    max_score: float = 0.0
    flags: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def needs_attention(self) -> bool:
        """True when the instructor should look at this submission."""
        return self.status != GRADED or any(not f.startswith(INFO_FLAGS) for f in self.flags)

    def line(self) -> str:
        """One line for the progress output: ``student assignment: status score/max  flags``."""
        flags = ("  " + "; ".join(self.flags)) if self.flags else ""
        return f"{self.student} {self.assignment}: {self.status} {self.score:g}/{self.max_score:g}{flags}"


def report_path(root: Path, assignment: str, student: str) -> Path:
    """Where the report of one submission is kept."""
    return Path(root) / "reports" / assignment / f"{student}.json"


def save(root: Path, res: Result) -> Path:
    """Write ``res`` to its report file; return the path."""
    path = report_path(root, res.assignment, res.student)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = asdict(res)
    data["needs_attention"] = res.needs_attention
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def load_all(root: Path, assignment: str) -> dict[str, Result]:
    """The saved reports of one assignment, by student."""
    found = {}
    for path in sorted((Path(root) / "reports" / assignment).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        data.pop("needs_attention", None)
        found[data["student"]] = Result(**data)
    return found
