"""nbgrader configuration of the Korean Thaw course (the course root is this folder).

Run nbgrader from this folder, or use the make targets (``make release``,
``make autograde`` ... see course/grading.md), which do.

The course's nbgrader extensions come from the installed package ``koreathaw_grading``
(``pip install -e .`` in ``make setup``).

Autograding runs the student's code in a sandbox (``koreathaw_grading.sandbox``):
no network, no view of this folder, limits kept by the OS kernel, tests judged
outside it. ``UNSAFE_NO_SANDBOX=1`` runs it as the instructor instead (for a
machine that cannot sandbox; every report line then says so).

Formgrader's submission pages and the feedback pages treat everything a student wrote
as untrusted (``koreathaw_grading.safehtml``, and a Content-Security-Policy).

Environment overrides (for tests and slow machines):
  KOREATHAW_CELL_TIMEOUT      CPU seconds a cell may use before it is interrupted (default 30)
  KOREATHAW_KERNEL_MEMORY_MB  memory of the grading kernel in MB (default 4096; 0 = no limit, unsandboxed only)
  KOREATHAW_DB_URL            the gradebook's database (default: gradebook.db in this folder); on a hub
                              postgresql+psycopg2://... (course/hub.md)
  KOREATHAW_EXCHANGE          nbgrader's exchange folder on a hub (default: nbgrader's, /srv/nbgrader/exchange)
"""

import os
from pathlib import Path

from koreathaw_grading.nbext import install_validator_check

HERE = Path(__file__).resolve().parent

c = get_config()  # noqa: F821 (provided by traitlets)

# --- the course -------------------------------------------------------------
c.CourseDirectory.course_id = "korean-thaw"
c.CourseDirectory.root = str(HERE)
# SQLite: a writer waits up to 120 s for another (graders on every core) instead of failing "locked".
c.CourseDirectory.db_url = os.environ.get("KOREATHAW_DB_URL") or f"sqlite:///{HERE / 'gradebook.db'}?timeout=120"
# nbgrader's exchange, where students fetch and submit through their hub servers (course/hub.md).
if os.environ.get("KOREATHAW_EXCHANGE"):
    c.Exchange.root = os.environ["KOREATHAW_EXCHANGE"]
# Files that are never part of a submission.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".DS_Store", "__MACOSX"]

# What students see where a solution was removed.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# --- executing notebooks (validate and autograde) ------------------------------
# Every model solution runs in a few seconds; a cell that needs more than 30 s
# is stuck (an endless loop): interrupt it, record a CellTimeoutError, go on.
_cell_seconds = int(os.environ.get("KOREATHAW_CELL_TIMEOUT", "30"))
c.Execute.timeout = _cell_seconds
c.Execute.interrupt_on_timeout = True
c.Execute.raise_on_iopub_timeout = True
c.Execute.iopub_timeout = 10
# The grading kernel gets a memory limit (address space), so a runaway cell
# meets a MemoryError instead of taking the machine's memory. The kernel itself
# with pandas, folium and the course data needs about 1.2 GB of address space.
_memory_mb = int(os.environ.get("KOREATHAW_KERNEL_MEMORY_MB", "4096"))
# The kernel's own log goes to the terminal of `make validate` / `make autograde`:
# keep only errors there. (ipykernel 7 warns "Kernel is running over TCP without
# encryption" at every start, about sockets on 127.0.0.1 that nbgrader opens and
# closes; printed after the verdict it only confuses students.)
_extra = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR"]
if _memory_mb > 0:
    _limit = _memory_mb * 1024 * 1024
    _extra.append(
        "--IPKernelApp.exec_lines=import resource as _kt_r; "
        f"_kt_r.setrlimit(_kt_r.RLIMIT_AS, ({_limit}, {_limit})); del _kt_r"
    )
c.Execute.extra_arguments = _extra

# --- generate_assignment: stamp the list of graded cells into the release -------
from nbgrader.converters import Autograde, GenerateAssignment, GenerateFeedback  # noqa: E402
from nbgrader.preprocessors import ClearHiddenTests, DeduplicateIds, Execute  # noqa: E402

from koreathaw_grading.nbext import HideTestOutput, SafeDeduplicateIds, SafeExecute, StampManifest  # noqa: E402
from koreathaw_grading.sandbox.execute import SandboxExecute  # noqa: E402


def _default(cls, name):
    return list(cls.class_traits()[name].default())


c.GenerateAssignment.preprocessors = _default(GenerateAssignment, "preprocessors") + [StampManifest]

# --- autograde ------------------------------------------------------------------
# Put back graded cells a student deleted (with their original content), so a
# deleted test cell is graded and never sits in "needs manual grading".
c.OverwriteCells.add_missing_cells = True
# A duplicated graded cell must not crash the submission (see SafeDeduplicateIds).
c.Autograde.sanitize_preprocessors = [
    SafeDeduplicateIds if pp is DeduplicateIds else pp for pp in _default(Autograde, "sanitize_preprocessors")
]
# Student code runs in the sandbox (CPU-time limits, so a busy machine changes no verdict);
# SafeExecute (nbgrader's Execute, surviving a dying kernel) only with UNSAFE_NO_SANDBOX=1.
_executor = SafeExecute if os.environ.get("UNSAFE_NO_SANDBOX") == "1" else SandboxExecute
c.Autograde.autograde_preprocessors = [
    _executor if pp is Execute else pp for pp in _default(Autograde, "autograde_preprocessors")
]
c.SandboxExecute.cell_cpu = float(_cell_seconds)
if _memory_mb > 0:
    c.SandboxExecute.memory_mb = _memory_mb
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 40

# --- late submissions ---------------------------------------------------------------
# Due dates: make release DUEDATE=... or koreathaw-grade duedate (see course/grading.md).
# The penalty for lateness is nbgrader's LateSubmissionPlugin (none) unless you choose one:
#   nbgrader's "zero":         c.LateSubmissionPlugin.penalty_method = "zero"
#   a share per day late:      c.AssignLatePenalties.plugin_class = "koreathaw_grading.late.PerDayPenalty"
#                              c.PerDayPenalty.percent_per_day = 10    # of the score, per day or part of one
#                              c.PerDayPenalty.grace_minutes = 15
#                              c.PerDayPenalty.max_percent = 100

# --- feedback: no hidden test, in source or in a traceback ------------------------
_feedback = _default(GenerateFeedback, "preprocessors")
c.GenerateFeedback.preprocessors = _feedback[:1] + [ClearHiddenTests, HideTestOutput] + _feedback[1:]

# --- validate: deleted or duplicated graded cells are a failure, not "Success" ----
install_validator_check(HERE)

# --- Formgrader and feedback pages: everything a student wrote is untrusted --------
# nbgrader renders both with nbconvert's HTMLExporter (templates formgrade, feedback),
# which reads these settings from this config only (JupyterLab's Export as HTML reads
# the server's): markdown and outputs sanitised, no JavaScript or widget output, the
# student's id escaped. The pages' Content-Security-Policy: src/koreathaw_grading/templates/.
from koreathaw_grading.safehtml import exporter_config, install_formgrader_autoescape  # noqa: E402

for _name, _value in exporter_config().items():
    setattr(c.HTMLExporter, _name, _value)
# Formgrader's own pages (manage students, gradebook) escape what they print.
install_formgrader_autoescape()
