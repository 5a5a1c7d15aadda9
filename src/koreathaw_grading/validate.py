"""The student's self-check: ``make validate NB=path/to/notebook.ipynb``.

Runs nbgrader's own validation (restart, run every cell, report failing test
cells and edited read-only cells) with the course's config, which also fails
a notebook whose graded cells were deleted or duplicated. Prints nbgrader's
report and exits with status 0 only when it says "Success".
"""

from __future__ import annotations

import io
import sys
from pathlib import Path


def validate(notebook: str | Path, course: str | Path = "assignments") -> tuple[bool, str]:
    """Validate one notebook; return (passed, report text)."""
    from traitlets.config.loader import PyFileConfigLoader

    course = Path(course).resolve()
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    from nbgrader.validator import Validator

    from koreathaw_grading.nbext import install_validator_check

    install_validator_check(course)
    validator = Validator(config=config)
    out = io.StringIO()
    validator.stream = out
    path = Path(notebook).resolve()
    if not path.is_file():
        return False, f"{notebook}: no such file\n"
    try:
        validator.validate_and_print(str(path))
    except Exception as exc:  # not a notebook, unreadable JSON ...
        return False, f"{notebook}: cannot be validated: {type(exc).__name__}: {exc}\n"
    text = out.getvalue()
    return text.lstrip().startswith("Success!"), text


def main(notebooks: list[str], course: str | Path = "assignments") -> int:
    status = 0
    for notebook in notebooks:
        passed, text = validate(notebook, course)
        print(f"== {notebook}")
        print(text.rstrip())
        if not passed:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
