"""nbgrader settings for a JupyterLab started at the top of the course (``make lab``).

``make setup`` copies this file into the venv's Jupyter config folder
(``.venv/etc/jupyter``), where nbgrader looks for configuration besides the
folder a command runs in. JupyterLab's nbgrader tools (the Formgrader and the
Validate button) read their configuration from the folder the server was started
in; ``make lab`` starts it at the top of the course, not in ``assignments/``.

So when the current folder is this checkout's top folder (the venv's parent), load
the course's own ``assignments/nbgrader_config.py``: the Formgrader then finds the
course, and Validate runs the course's checks (a deleted graded cell fails). Run
from anywhere else (``assignments/`` itself, a copy of the course, a test's
temporary folder), this file does nothing, so a command never reaches into the
wrong course.
"""

import sys
from pathlib import Path

_checkout = Path(sys.prefix).resolve().parent
_course_config = _checkout / "assignments" / "nbgrader_config.py"

if Path.cwd().resolve() == _checkout and _course_config.is_file():
    load_subconfig(str(_course_config))  # noqa: F821 (provided by traitlets)
