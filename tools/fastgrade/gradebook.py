"""The gradebook under several writers: SQLite waits instead of failing."""

from __future__ import annotations

#: Seconds a gradebook writer waits for another worker's write (pysqlite's default: 5).
SQLITE_BUSY_TIMEOUT = 120


def patch_sqlite_timeout() -> None:
    """Make nbgrader's Gradebook wait for a busy SQLite file instead of failing after 5 s.

    Only the connection's busy timeout changes; every query and every row is
    nbgrader's own.
    """
    import nbgrader.api as api

    if getattr(api.create_engine, "_fastgrade", False):
        return
    original = api.create_engine

    def create_engine(url, *args, **kwargs):
        if str(url).startswith("sqlite"):
            connect_args = dict(kwargs.pop("connect_args", {}) or {})
            connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT)
            kwargs["connect_args"] = connect_args
        return original(url, *args, **kwargs)

    create_engine._fastgrade = True  # type: ignore[attr-defined]
    api.create_engine = create_engine
