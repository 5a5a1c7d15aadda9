"""The gradebook's PostgreSQL: a cluster of Debian's package of its own, one role, one database.

The cluster (``pg_createcluster``) listens on localhost and on the local socket only.
The grader's role logs in by *peer* authentication over the socket: the kernel says
which unix user connects, so there is no password to steal, and a student (another
unix user, with no role) cannot connect to the gradebook at all. The database is
closed to PUBLIC.
"""

from __future__ import annotations

import time

from kthub.settings import Settings
from kthub.system import run


def clusters() -> dict[tuple[str, str], str]:
    """``{(version, name): status}`` of the machine's clusters (``pg_lsclusters``)."""
    out = run(["pg_lsclusters", "--no-header"]).stdout
    found = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 4:
            found[(parts[0], parts[1])] = parts[3]
    return found


def exists(settings: Settings) -> bool:
    return (settings.pg_version, settings.pg_cluster) in clusters()


def running(settings: Settings) -> bool:
    return clusters().get((settings.pg_version, settings.pg_cluster), "").startswith("online")


def create(settings: Settings) -> None:
    """Create the cluster (peer auth on the socket, passwords over TCP), not started at boot by itself."""
    if exists(settings):
        return
    run(["pg_createcluster", settings.pg_version, settings.pg_cluster, "--port", str(settings.pg_port),
         "--start-conf", "manual", "--", "--auth-local=peer", "--auth-host=scram-sha-256"])


def start(settings: Settings) -> None:
    if not running(settings):
        run(["pg_ctlcluster", settings.pg_version, settings.pg_cluster, "start"])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if _ready(settings):
            return
        time.sleep(0.2)
    raise RuntimeError(f"PostgreSQL cluster {settings.pg_cluster} did not accept connections within 60 s")


def _ready(settings: Settings) -> bool:
    try:
        run(["pg_isready", "-q", "-h", "/var/run/postgresql", "-p", str(settings.pg_port)])
        return True
    except RuntimeError:
        return False


def stop(settings: Settings) -> None:
    if exists(settings) and running(settings):
        run(["pg_ctlcluster", settings.pg_version, settings.pg_cluster, "stop", "-m", "fast"])


def drop(settings: Settings) -> None:
    if exists(settings):
        run(["pg_dropcluster", "--stop", settings.pg_version, settings.pg_cluster])


def psql(settings: Settings, sql: str) -> str:
    """Run SQL as the cluster's superuser (the postgres unix user, by peer authentication)."""
    return run(["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1",
                "-h", "/var/run/postgresql", "-p", str(settings.pg_port), "-d", "postgres", "-c", sql]).stdout


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def ensure_gradebook(settings: Settings) -> str:
    """The grader's role and the gradebook database (owned by it, closed to everyone else); return the URL."""
    role, db = _ident(settings.grader), _ident(settings.database)
    if not psql(settings, f"SELECT 1 FROM pg_roles WHERE rolname = '{settings.grader}'").strip():
        psql(settings, f"CREATE ROLE {role} LOGIN")
    if not psql(settings, f"SELECT 1 FROM pg_database WHERE datname = '{settings.database}'").strip():
        psql(settings, f"CREATE DATABASE {db} OWNER {role}")
    psql(settings, f"REVOKE ALL ON DATABASE {db} FROM PUBLIC")
    return settings.db_url
