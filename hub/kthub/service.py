"""Start and stop the hub: PostgreSQL, then JupyterHub (which starts the proxy and the formgrader service).

``start`` runs ``jupyterhub`` in a session of its own, its log in ``state/jupyterhub.log``
and its pid in ``state/jupyterhub.pid``, and returns once the hub answers. ``stop``
asks it to stop (it stops the servers, the service and the proxy it started), kills
whatever of it is left -- the hub's process group and every process of the hub's
users -- and stops the cluster. Nothing keeps running.
"""

from __future__ import annotations

import json
import os
import pwd
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from kthub import postgres
from kthub.settings import Settings
from kthub.system import _alive, kill, processes_of

CONFIG = Path(__file__).resolve().parents[1] / "jupyterhub_config.py"


def pid_file(settings: Settings) -> Path:
    return settings.state / "jupyterhub.pid"


def hub_pid(settings: Settings) -> int | None:
    """The running hub's pid, or None (a hub that has exited is reaped here when it was our child)."""
    try:
        pid = int(pid_file(settings).read_text())
    except (OSError, ValueError):
        return None
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    return pid if _alive(pid) else None


def url(settings: Settings, path: str = "") -> str:
    host = f"[{settings.ip}]" if ":" in settings.ip else settings.ip
    return f"http://{host}:{settings.port}{path}"


def answers(settings: Settings) -> bool:
    try:
        with urllib.request.urlopen(url(settings, "/hub/api/"), timeout=5) as reply:
            return reply.status == 200 and "version" in json.loads(reply.read())
    except (OSError, ValueError, urllib.error.URLError):
        return False


def start(settings: Settings, timeout: float = 180.0, echo=print) -> int:
    """Start PostgreSQL and the hub (unless running); return the hub's pid once it answers."""
    postgres.start(settings)
    pid = hub_pid(settings)
    if pid is None:
        settings.state.mkdir(parents=True, exist_ok=True)
        log = open(settings.state / "jupyterhub.log", "ab")
        env = {"PATH": f"{settings.venv / 'bin'}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
               "KOREATHAW_HUB_SETTINGS": str(settings.etc / "hub.json"), "HOME": "/root"}
        proc = subprocess.Popen([str(settings.venv / "bin" / "jupyterhub"), "-f", str(settings.etc / "jupyterhub_config.py")],
                                cwd=settings.state, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                start_new_session=True, preexec_fn=_default_signals)
        log.close()
        pid = proc.pid
        pid_file(settings).write_text(str(pid))
    deadline = time.monotonic() + timeout
    while not answers(settings):
        if hub_pid(settings) is None:
            raise RuntimeError(f"the hub stopped while starting; its log: {settings.state / 'jupyterhub.log'}\n"
                               + tail(settings.state / "jupyterhub.log"))
        if time.monotonic() > deadline:
            raise RuntimeError(f"the hub did not answer within {timeout:.0f} s; its log: "
                               + tail(settings.state / "jupyterhub.log"))
        time.sleep(0.25)
    echo(f"hub running at {url(settings)} (pid {pid}); log {settings.state / 'jupyterhub.log'}")
    return pid


def _default_signals() -> None:
    """In the hub's process, before it starts: SIGINT and SIGQUIT as a terminal would give them, even when
    hubctl ran in the background (which ignores them, and every server and kernel would inherit that)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)


def tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


def user_uids(settings: Settings) -> list[int]:
    uids = []
    for name in settings.users() + [settings.grader]:
        try:
            uids.append(pwd.getpwnam(name).pw_uid)
        except KeyError:
            pass
    return uids


def stop(settings: Settings, echo=print) -> None:
    """Stop the hub and everything it started, and the cluster; safe to call when nothing runs."""
    pid = hub_pid(settings)
    kill(processes_of(user_uids(settings)))  # every server at once (the hub would stop them one by one)
    if pid is not None:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + 60
        while hub_pid(settings) is not None and time.monotonic() < deadline:
            time.sleep(0.2)
        try:
            os.killpg(pid, signal.SIGKILL)  # the proxy and anything else of the hub's session
        except (ProcessLookupError, PermissionError):
            pass
    pid_file(settings).unlink(missing_ok=True)
    kill(_session_members(pid) if pid else [])
    kill(processes_of(user_uids(settings)))
    postgres.stop(settings)
    echo("hub stopped; PostgreSQL cluster stopped")


def _session_members(sid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getsid(int(entry)) == sid:
                    found.append(int(entry))
            except OSError:
                continue
    return found
