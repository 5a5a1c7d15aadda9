"""Jupyter server settings of the course that need a path (the rest is in the .json beside it).

``make setup`` copies this file into the venv's Jupyter config folder
(``.venv/etc/jupyter``); the checkout is the venv's parent folder.

- ``extra_static_paths``: serve the course's offline copy of MathJax 2 at
  ``<base>/static/koreathaw-mathjax/`` for nbgrader's Formgrader (see
  ``src/koreathaw_grading/static/README.md``), which otherwise asks cdnjs for it
  and breaks with no network.
"""

c = get_config()  # noqa: F821 (provided by traitlets)

try:
    from koreathaw_grading.feedback import static_dir
except ImportError:  # a student edition: no grading package, no Formgrader
    pass
else:
    c.ServerApp.extra_static_paths = [str(static_dir())]
