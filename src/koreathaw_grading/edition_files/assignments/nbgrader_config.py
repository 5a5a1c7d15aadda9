"""nbgrader settings for checking an assignment before you hand it in (``make validate``).

The same checks the grader runs on your notebook first: restart, run every cell
(30 s each at most), report failing visible tests, and fail a notebook whose
graded cells were deleted or copied.
"""

from pathlib import Path

from koreathaw_grading.nbext import install_validator_check

c = get_config()  # noqa: F821 (provided by traitlets)

c.CourseDirectory.course_id = "korean-thaw"
c.Execute.timeout = 30
c.Execute.interrupt_on_timeout = True
c.Execute.extra_arguments = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR"]

install_validator_check(Path(__file__).resolve().parent)
