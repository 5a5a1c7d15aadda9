"""pytest configuration for the whole checkout: the lessons' nbval run works with nbval's plain command.

``pytest --nbval-lax notebooks/`` (what every nbval user types) needs the course's
plugin ``tests/notebooks/nbval_counts.py``: the lessons are committed with no
execution counts, and nbval takes a checked cell without one for a cell never run.
Loading the plugin here, in the root ``conftest.py``, makes the plain command pass;
the plugin touches only nbval's items, so ``pytest tests`` is unchanged.
"""

pytest_plugins = ["tests.notebooks.nbval_counts"]
