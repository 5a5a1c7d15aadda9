"""kthub: stand the Korean Thaw course up on a JupyterHub on one Linux machine (``hub/hubctl``).

Stdlib only: it runs with Debian's ``/usr/bin/python3`` before any environment exists.
One module per concern: :mod:`.settings` (what the hub is), :mod:`.system` (packages,
unix users, homes, the exchange), :mod:`.postgres` (the gradebook's cluster),
:mod:`.environment` (the shared Python environment, Jupyter config, the student
edition, the proxy), :mod:`.service` (start and stop), :mod:`.cli` (the verbs).
See ``course/hub.md``.
"""
