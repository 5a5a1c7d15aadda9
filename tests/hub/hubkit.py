"""A real JupyterHub for the course on this machine, stood up and taken down around the hub tests.

The fixture installs the hub with ``hub/kthub`` (the same code as ``sudo hub/hubctl
install``) under test names and free ports: unix users ``kthub-*`` with homes under
``/var/tmp/koreathaw-hubtest-home``, an exchange under ``/var/tmp``, a PostgreSQL
cluster ``kthub-test``, the shared environment in ``/var/tmp/koreathaw-hubtest/venv``
(kept between runs: rebuilt only when the lock, the library or the data change).
Afterwards -- passed, failed or interrupted -- it stops the hub, the proxy, every
server and the cluster, and removes the users, their homes, the cluster and the
exchange. It needs root (users, PostgreSQL); elsewhere the tests are skipped, saying so.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "hub"))

PREFIX = Path(os.environ.get("KOREATHAW_HUBTEST_PREFIX", "/var/tmp/koreathaw-hubtest"))
MARKER = "koreathaw-hub-test"
COURSE = "korean-thaw"
ASSIGNMENT = "a1-sources"


def why_skip() -> str | None:
    if os.geteuid() != 0:
        return ("the hub test creates unix users and a PostgreSQL cluster: it needs root "
                "(make hub-test runs it with sudo when sudo needs no password)")
    missing = [tool for tool in ("useradd", "userdel", "chpasswd", "runuser") if shutil.which(tool) is None]
    return f"{', '.join(missing)} missing (Debian's passwd and util-linux)" if missing else None


def free_ports(n: int) -> list[int]:
    """Ports nobody listens on now (bound to 127.0.0.1 and released)."""
    sockets, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
        ports.append(s.getsockname()[1])
    for s in sockets:
        s.close()
    return ports


def make_settings(students: int):
    from kthub.settings import Settings

    port, hub_port, api_port, service_port, pg_port = free_ports(5)
    return Settings(
        prefix=str(PREFIX), exchange=str(PREFIX) + "-exchange", home_base=str(PREFIX) + "-home",
        grader="kthub-grader", instructors=["kthub-instr"], tas=["kthub-ta"],
        students=[f"kthub-s{i:02d}" for i in range(1, students + 1)], marker=MARKER,
        port=port, hub_port=hub_port, proxy_api_port=api_port, service_port=service_port,
        pg_cluster="kthub-test", pg_port=pg_port, spawn_timeout=600, source="tests/hub/conftest.py")


def leftovers(settings) -> None:
    """Remove what a killed earlier run may have left: its users (by the test marker only), cluster, exchange."""
    from kthub import postgres, service, system

    service.stop(settings, echo=lambda text: None)  # a hub, proxy or cluster a killed run left running
    for entry in pwd.getpwall():
        if entry.pw_gecos == MARKER:
            system.remove_user(settings, entry.pw_name)
    postgres.drop(settings)
    for path in (Path(settings.exchange), Path(settings.home_base), settings.state):
        shutil.rmtree(path, ignore_errors=True)


class Hub:
    """The running hub: settings, passwords, and commands as the grader account."""

    def __init__(self, settings) -> None:
        from kthub import system

        self.settings = settings
        self.passwords = system.read_passwords(settings)
        self.base = f"http://127.0.0.1:{settings.port}"

    def grader_env(self) -> dict[str, str]:
        s = self.settings
        return {"PATH": f"{s.venv / 'bin'}:/usr/bin:/bin", "HOME": f"{s.home_base}/{s.grader}", "LANG": "C.UTF-8",
                "KOREATHAW_DB_URL": s.db_url, "KOREATHAW_EXCHANGE": s.exchange, "USER": s.grader}

    def as_grader(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run a command as the grader account at the top of its course (where the Formgrader service starts)."""
        command = ["runuser", "-u", self.settings.grader, "--", "env", "-i",
                   *[f"{k}={v}" for k, v in self.grader_env().items()], *args]
        proc = subprocess.run(command, cwd=self.settings.course_repo, capture_output=True, text=True, timeout=1800)
        if check and proc.returncode != 0:
            raise AssertionError(f"{' '.join(args)} as the grader failed ({proc.returncode}):\n"
                                 f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        return proc

    def grader_python(self, code: str) -> object:
        """Run Python as the grader (the shared environment) and return the JSON it prints last."""
        out = self.as_grader(str(self.settings.venv / "bin" / "python"), "-c", code).stdout
        return json.loads(out.strip().splitlines()[-1])


def still_running(settings) -> list[str]:
    """Processes of the hub's environment, proxy or PostgreSQL cluster that are still there (there must be none)."""
    marks = (str(settings.venv), str(settings.node), f"/{settings.pg_version}/{settings.pg_cluster}")
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if any(mark in cmdline for mark in marks):
                found.append(f"{entry}: {cmdline[:160]}")
    return found


def machine_lock():
    """One hub test at a time on this machine (clones share the test users, cluster and environment): wait for it."""
    import fcntl

    handle = open(str(PREFIX) + ".lock", "w")
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


def stand_up(students: int):
    """Install and start a hub with ``students`` students; return (Hub, teardown)."""
    from kthub import cli, service

    lock = machine_lock()
    settings = make_settings(students)
    leftovers(settings)

    def teardown() -> None:
        try:
            cli.teardown(settings, echo=lambda text: None)
        finally:
            try:
                leftovers(settings)
                left = still_running(settings)
                if left:
                    raise RuntimeError("the hub test left processes running: " + "; ".join(left))
            finally:
                lock.close()

    import time

    start = time.perf_counter()
    echo = lambda text: print(f"[{time.perf_counter() - start:6.1f}s] {text}", flush=True)  # noqa: E731
    try:
        cli.install(settings, repo=REPO, echo=echo)
        echo("installed")
        service.start(settings, echo=echo)
    except BaseException:
        teardown()
        raise
    return Hub(settings), teardown


@pytest.fixture(scope="session")
def hub():
    """A running hub with ten students (and an instructor, a TA and the grader account); gone afterwards."""
    why = why_skip()
    if why:
        pytest.skip(f"hub test SKIPPED: {why}")
    running, teardown = stand_up(int(os.environ.get("KOREATHAW_HUBTEST_STUDENTS", "10")))
    try:
        yield running
    finally:
        teardown()
