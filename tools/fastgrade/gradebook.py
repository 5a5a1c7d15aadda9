"""The gradebook under several writers, and without per-open set-up costs.

nbgrader opens a new :class:`nbgrader.api.Gradebook` a dozen times per
submission, and each open makes a new SQLAlchemy engine (so every query is
compiled again: the engine holds the compiled-statement cache) and checks
that every table exists. None of that changes what is read or written. In a
long-lived grader we can keep one engine per database and check the tables
once; and SQLite writers in different workers must wait for each other instead
of failing with "database is locked".
"""

from __future__ import annotations

#: Seconds a gradebook writer waits for another worker's write (pysqlite's default: 5).
SQLITE_BUSY_TIMEOUT = 120

_ENGINES: dict[tuple[str, str], object] = {}
_CREATED: set[int] = set()


def patch_sqlite_timeout() -> None:
    """Make nbgrader's Gradebook wait for a busy SQLite file instead of failing after 5 s.

    Only the connection's busy timeout changes; every query and every row is
    nbgrader's own.
    """
    import nbgrader.api as api

    if getattr(api.create_engine, "_fastgrade_timeout", False) or getattr(api.create_engine, "_fastgrade_cache", False):
        return
    original = api.create_engine

    def create_engine(url, *args, **kwargs):
        if str(url).startswith("sqlite"):
            connect_args = dict(kwargs.pop("connect_args", {}) or {})
            connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT)
            kwargs["connect_args"] = connect_args
        return original(url, *args, **kwargs)

    create_engine._fastgrade_timeout = True  # type: ignore[attr-defined]
    api.create_engine = create_engine


def cache_engines() -> None:
    """Keep one SQLAlchemy engine per database URL in this process, and create the tables once.

    ``Gradebook.close()`` still disposes of the engine's connections after
    every use (so nothing is held open across a fork or between workers); what
    survives is the engine's compiled-statement cache.
    """
    import nbgrader.api as api

    patch_sqlite_timeout()
    if getattr(api.create_engine, "_fastgrade_cache", False):
        return
    original = api.create_engine

    def create_engine(url, *args, **kwargs):
        key = (str(url), repr((args, sorted(kwargs.items()))))
        engine = _ENGINES.get(key)
        if engine is None:
            engine = _ENGINES[key] = original(url, *args, **kwargs)
        return engine

    create_engine._fastgrade_cache = True  # type: ignore[attr-defined]
    api.create_engine = create_engine

    metadata = api.Base.metadata
    create_all = metadata.create_all

    def create_all_once(bind=None, **kwargs):
        if bind is not None and not kwargs and id(bind) in _CREATED:
            return
        create_all(bind=bind, **kwargs)
        if bind is not None and not kwargs:
            _CREATED.add(id(bind))

    metadata.create_all = create_all_once


def after_fork() -> None:
    """In a freshly forked worker: drop (without closing) any connection inherited from the parent."""
    for engine in _ENGINES.values():
        engine.dispose(close=False)


def warm_imports() -> None:
    """Import, once in the parent, what nbgrader and nbclient import lazily while grading the first
    notebook (IPython's display machinery, psutil), so no worker pays for it."""
    import importlib

    for name in ("IPython", "IPython.core.interactiveshell", "IPython.display", "IPython.core.ultratb",
                 "psutil", "codeop", "encodings.unicode_escape"):
        try:
            importlib.import_module(name)
        except Exception:  # pragma: no cover - an optional speed-up only
            pass
