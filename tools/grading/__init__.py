"""Grading tools of the Korean Thaw course: a safe wrapper around nbgrader.

The course root for nbgrader is ``assignments/``; ``assignments/nbgrader_config.py``
puts this folder's parent (``tools/``) on ``sys.path`` and uses the nbgrader
extensions in :mod:`grading.nbext`. The instructor's workflow is
:mod:`grading.driver` (``python -m grading ...``, wrapped by ``tools/grading.mk``);
the student's self-check is :mod:`grading.validate`.

The library ``koreathaw`` knows nothing of this package.
"""

__all__ = ["MANIFEST_KEY"]

#: Notebook-level metadata key under which a released notebook lists its graded cells.
MANIFEST_KEY = "koreathaw_grading"
