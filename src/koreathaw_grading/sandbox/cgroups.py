"""A control group per sandbox: one memory limit and one process limit for all its processes.

rlimits are per process: a parent at 2 GB and a child at 2.5 GB each stay under a
4 GB ``RLIMIT_AS``. A cgroup counts them together, and its CPU counter covers
every process of the sandbox. Two layouts are supported:

* cgroup v1 with the ``memory``, ``pids`` and ``cpuacct`` controllers mounted and
  writable (root on most servers and CI machines);
* cgroup v2 where this process's own cgroup may have children with the ``memory``
  and ``pids`` controllers (a delegated subtree).

Where neither works, :func:`create` returns None and the sandbox falls back to
rlimits with no extra process at all (see :mod:`.launch`).
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")


def _own_path(controller: str) -> str | None:
    """This process's cgroup path for a v1 ``controller`` (or for v2 with ``""``)."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if (controller and controller in controllers.split(",")) or (not controller and controllers == ""):
            return path
    return None


class Group:
    """One sandbox's cgroup(s). ``procs_files`` are the files a process joins by writing its pid."""

    def __init__(self, dirs: dict[str, Path], version: int) -> None:
        self.dirs, self.version = dirs, version

    @property
    def procs_files(self) -> list[Path]:
        return [d / "cgroup.procs" for d in self.dirs.values()]

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of every process that ran in the group."""
        try:
            if self.version == 1:
                return int((self.dirs["cpuacct"] / "cpuacct.usage").read_text()) / 1e9
            for line in (self.dirs["unified"] / "cpu.stat").read_text().splitlines():
                if line.startswith("usage_usec"):
                    return int(line.split()[1]) / 1e6
        except (OSError, ValueError, KeyError):
            pass
        return 0.0

    def user_cpu_seconds(self) -> float:
        """CPU time spent running the group's own code (user mode), without the kernel's work for it."""
        try:
            if self.version == 1:
                for line in (self.dirs["cpuacct"] / "cpuacct.stat").read_text().splitlines():
                    if line.startswith("user "):
                        return int(line.split()[1]) / os.sysconf("SC_CLK_TCK")
            else:
                for line in (self.dirs["unified"] / "cpu.stat").read_text().splitlines():
                    if line.startswith("user_usec"):
                        return int(line.split()[1]) / 1e6
        except (OSError, ValueError, KeyError):
            pass
        return 0.0

    def oom_kills(self) -> int:
        """How many processes the memory limit killed."""
        try:
            name = "memory.oom_control" if self.version == 1 else "memory.events"
            for line in (self.dirs["memory" if self.version == 1 else "unified"] / name).read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except (OSError, ValueError, KeyError):
            pass
        return 0

    def pids(self) -> set[int]:
        found: set[int] = set()
        for path in self.procs_files:
            try:
                found.update(int(p) for p in path.read_text().split())
            except (OSError, ValueError):
                pass
        return found

    def kill_all(self, wait: float = 5.0) -> bool:
        """SIGKILL every process left in the group; True once it is empty."""
        deadline = time.monotonic() + wait
        while True:
            left = self.pids()
            if not left:
                return True
            if time.monotonic() > deadline:
                return False
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.02)

    def remove(self) -> None:
        self.kill_all()
        for path in self.dirs.values():
            try:
                path.rmdir()
            except OSError:
                pass


def _make_v1(name: str, memory_bytes: int, max_pids: int) -> Group | None:
    dirs = {}
    try:
        for controller in ("memory", "pids", "cpuacct"):
            own = _own_path(controller)
            base = ROOT / controller
            if own is None or not (base / "cgroup.procs").exists():
                raise OSError(f"no cgroup v1 {controller} controller")
            path = base / own.lstrip("/") / name
            path.mkdir()
            dirs[controller] = path
        (dirs["memory"] / "memory.limit_in_bytes").write_text(str(memory_bytes))
        memsw = dirs["memory"] / "memory.memsw.limit_in_bytes"
        if memsw.exists():
            try:
                memsw.write_text(str(memory_bytes))
            except OSError:  # swap accounting off: RAM alone is limited
                pass
        (dirs["pids"] / "pids.max").write_text(str(max_pids))
        return Group(dirs, 1)
    except OSError:
        Group(dirs, 1).remove()
        return None


def _make_v2(name: str, memory_bytes: int, max_pids: int) -> Group | None:
    own = _own_path("")
    if own is None or not (ROOT / "cgroup.controllers").exists():
        return None
    path = ROOT / own.lstrip("/") / name
    try:
        path.mkdir()
        for name in ("memory.max", "pids.max", "cgroup.procs"):  # there only if the controllers are delegated
            if not (path / name).exists():
                raise OSError(f"the cgroup has no {name}: the memory and pids controllers are not delegated here")
        (path / "memory.max").write_text(str(memory_bytes))
        if (path / "memory.swap.max").exists():
            (path / "memory.swap.max").write_text("0")
        (path / "pids.max").write_text(str(max_pids))
        return Group({"unified": path}, 2)
    except OSError:
        try:
            path.rmdir()
        except OSError:
            pass
        return None


def create(memory_bytes: int, max_pids: int) -> Group | None:
    """A new cgroup for one sandbox with these limits, or None where this machine allows none."""
    if os.environ.get("KOREATHAW_SANDBOX_CGROUPS", "") == "off":
        return None
    name = f"{PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}"  # the pid: a sweep knows whose it was
    return _make_v1(name, memory_bytes, max_pids) or _make_v2(name, memory_bytes, max_pids)


PREFIX = "koreathaw-sandbox-"


def owner(name: str) -> int | None:
    """The pid of the grader that made a sandbox's cgroup or stage called ``name`` (None if not one of ours)."""
    rest = name[len(PREFIX):] if name.startswith(PREFIX) else ""
    pid = rest.split("-", 1)[0]
    return int(pid) if pid.isdigit() and "-" in rest else None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep() -> list[Path]:
    """Remove the cgroups of sandboxes whose grader is gone (killed before it could clean up): their
    processes killed, the folders removed. Returns what was removed."""
    parents = []
    for controller in ("memory", "pids", "cpuacct"):
        own = _own_path(controller)
        if own is not None:
            parents.append(ROOT / controller / own.lstrip("/"))
    own = _own_path("")
    if own is not None and (ROOT / "cgroup.controllers").exists():
        parents.append(ROOT / own.lstrip("/"))
    removed = []
    for parent in parents:
        try:
            found = sorted(parent.glob(PREFIX + "*"))
        except OSError:
            continue
        for path in found:
            pid = owner(path.name)
            if pid is None or alive(pid):
                continue
            Group({"group": path}, 2).remove()
            if not path.exists():
                removed.append(path)
    return removed
