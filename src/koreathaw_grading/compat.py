"""The one place where the course reaches into nbgrader's internals, and the versions it was checked on.

The package uses nbgrader's public extension points (preprocessors, converters,
``NbGraderAPI``, ``Gradebook``) everywhere but one:

``Validator.validate``
    replaced at run time by :func:`koreathaw_grading.nbext.install_validator_check`
    so that ``nbgrader validate`` and JupyterLab's *Validate* button fail a notebook
    whose graded cells were deleted or duplicated (stock nbgrader says "Success").
    The Lab button builds its ``Validator`` itself, so no configuration can reach it.

Each patch runs only on the nbgrader version it was written and tested for;
on any other version it is skipped with a warning (the course then grades as
stock nbgrader does), and ``tests/grading/test_compat.py`` fails loudly until
someone checks the patch on the new version and adds it here.
"""

from __future__ import annotations

import warnings

#: nbgrader versions each patch was written for and tested on.
TESTED = {
    "Validator.validate": ("0.9.6",),
}


def nbgrader_version() -> str:
    """The installed nbgrader's version."""
    from importlib.metadata import version

    return version("nbgrader")


def guarded(patch: str, installed: str | None = None) -> bool:
    """True if ``patch`` may be applied to the installed nbgrader; warn and return False otherwise."""
    installed = installed or nbgrader_version()
    tested = TESTED.get(patch, ())
    if installed in tested:
        return True
    warnings.warn(f"koreathaw_grading: not patching nbgrader's {patch} on nbgrader {installed} "
                  f"(written for {', '.join(tested) or 'no version'}): the course grades as stock nbgrader does "
                  "until the patch is checked on this version (see koreathaw_grading/compat.py)", stacklevel=2)
    return False
