"""Jupyter server settings of the course that need a path (the rest is in the .json beside it).

``make setup`` copies this file into the venv's Jupyter config folder
(``.venv/etc/jupyter``); the checkout is the venv's parent folder.

- ``extra_static_paths``: serve the course's offline copy of MathJax 2 at
  ``<base>/static/koreathaw-mathjax/`` for nbgrader's Formgrader (see
  ``tools/formgrader/README.md``), which otherwise asks cdnjs for it and breaks
  with no network.
"""

import sys
from pathlib import Path

c = get_config()  # noqa: F821 (provided by traitlets)

_static = Path(sys.prefix).resolve().parent / "tools" / "formgrader" / "static"
if _static.is_dir():
    c.ServerApp.extra_static_paths = [str(_static)]
