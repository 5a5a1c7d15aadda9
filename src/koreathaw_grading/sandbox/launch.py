"""Start a sandbox for one student's notebook, talk to it, and leave nothing behind.

The sandbox is bubblewrap (``bwrap``, Debian's ``bubblewrap``; flatpak's sandbox):
new user, mount, PID, network, IPC, UTS and cgroup namespaces, no capabilities, no
further user namespaces, a session of its own, and a root filesystem that holds
only

* ``/usr`` (and the ``/bin``, ``/lib`` links), Python and the course's venv, the
  ``koreathaw`` library and the course data -- all read-only;
* the submission's own folder, read-only at ``/sandbox/submission`` and copied by
  the runner into ``/sandbox/work`` (a size-limited tmpfs, the working folder and
  home); a small ``/tmp``.

Not there: the course root (``source/``, ``release/``, the gradebook, other
students), the instructor's home, the host's ``/tmp``, ``/etc``, the network
(only a loopback of its own), the host's processes.

As root, the sandbox runs as a fresh unprivileged uid (the course's folders are
bind-mounted for it in a private mount namespace first, so it needs no access
to the host paths), inside a cgroup that holds its memory and processes. As
another user it runs as that user, in a user namespace (the kernel must allow
unprivileged ones). Limits are the kernel's: ``RLIMIT_AS``, ``RLIMIT_CPU``,
``RLIMIT_FSIZE``, ``RLIMIT_NOFILE`` (``prlimit``), ``RLIMIT_NPROC`` (set by the
runner before any student code), the cgroup's memory and pids. Time limits
count CPU seconds, so a busy machine does not change a verdict.
"""

from __future__ import annotations

import json
import os
import random
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from koreathaw_grading.sandbox import cgroups, wire
from koreathaw_grading.sandbox.host import (SANDBOX_DIR, SUBMISSION, WORK, environment, is_root, read_only_paths,
                                            requirements, system_links)


@dataclass
class Limits:
    """What one notebook may use. Times in seconds, sizes in MB unless said."""

    cell_cpu: float = 30.0          # user CPU seconds a cell (or a test's calls) may use before it is interrupted
    cell_cpu_total: float = 4.0     # ... and user + system CPU, as a multiple of cell_cpu: a backstop (see request)
    cell_wall: float = 600.0        # wall seconds a cell may wait (a sleeping cell); a backstop, not a verdict
    interrupt_grace_cpu: float = 3.0  # CPU seconds an interrupted cell may still burn before it is killed
    interrupt_grace_wall: float = 60.0
    notebook_cpu: int = 900         # RLIMIT_CPU of each process
    notebook_wall: float = 1800.0
    memory_mb: int = 4096           # RLIMIT_AS of each process; with a cgroup, of all of them together
    processes: int = 32             # processes/threads student code may start (with a cgroup; none without)
    file_mb: int = 64               # RLIMIT_FSIZE
    work_mb: int = 256              # the /work tmpfs
    tmp_mb: int = 128               # the /tmp tmpfs
    open_files: int = 256
    startup_wall: float = 120.0     # for the runner to start (our code, before any student code)


class SandboxUnavailable(RuntimeError):
    """This machine cannot run the sandbox; the message says why and how to enable it."""


class KernelDied(Exception):
    """The sandboxed kernel ended while a request was pending (crash, ``os._exit``, a limit)."""

    def __init__(self, message: str, oom: bool = False) -> None:
        super().__init__(message)
        self.oom = oom


class Unresponsive(Exception):
    """The kernel did not answer after it was interrupted; it has been killed."""


_CHECKED: dict[str, str | None] = {}


def unavailable() -> str | None:
    """Why this machine cannot sandbox student code, or None if it can (checked once per process)."""
    if "why" in _CHECKED:
        return _CHECKED["why"]
    missing = [tool for tool in requirements() if shutil.which(tool) is None]
    if missing:
        why = (f"the sandbox needs {', '.join(missing)}, which this machine lacks. Install bubblewrap and util-linux "
               "(Debian/Ubuntu: sudo apt install bubblewrap util-linux; Fedora: sudo dnf install bubblewrap); "
               "make autograde does it for you when run as root or with sudo")
    else:
        why = None
        try:
            with Sandbox(None, Limits(cell_cpu=10)) as box:
                reply = box.request({"op": "run", "source": "1"}, on_output=lambda out: None)
            if reply.get("status") != "ok":
                why = f"a test sandbox did not run a cell: {reply}"
        except Exception as exc:  # bwrap refused: no user namespaces, a confined kernel ...
            why = (f"a test sandbox failed to start ({type(exc).__name__}: {str(exc)[:400]}). bubblewrap needs "
                   "unprivileged user namespaces: on Debian 'sudo sysctl kernel.unprivileged_userns_clone=1', on "
                   "Ubuntu 24.04 'sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0', or grade as root")
    _CHECKED["why"] = why
    return why


class Sandbox:
    """One running sandbox (use it in a ``with`` block): :meth:`request` sends work, :meth:`close` ends it."""

    def __init__(self, submission: Path | None, limits: Limits, log: Callable[[str], None] | None = None) -> None:
        self.submission, self.limits = submission, limits
        self.log = log or (lambda text: None)
        self.proc: subprocess.Popen | None = None
        self.group: cgroups.Group | None = None
        self.stage: Path | None = None
        self.runner_pid: int | None = None
        self.stderr = bytearray()
        self.started = 0.0
        self.init_pid: int | None = None
        self.leftover = 0   # processes the notebook left running when it ended (then killed)
        self.oom_kills = 0  # processes the cgroup's memory limit killed
        self.closed = False
        self.uid = random.randrange(2_000_000, 2_065_536) if is_root() else os.getuid()

    # ------------------------------------------------------------------ start
    def __enter__(self) -> "Sandbox":
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _bwrap_args(self, binds: list[tuple[str, str]], fds: tuple[int, int], info_fd: int) -> list[str]:
        limits = self.limits
        if any(Path(dest).is_relative_to(SANDBOX_DIR) for _, dest in binds if dest != SUBMISSION):
            raise SandboxUnavailable(f"the course's files lie under {SANDBOX_DIR}, which the sandbox keeps for itself")
        data = Path(__import__("koreathaw").data_dir()).resolve()
        extra = limits.processes if self.group is not None else 0
        args = ["bwrap", "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session",
                "--cap-drop", "ALL", "--hostname", "sandbox", "--info-fd", str(info_fd), "--clearenv",
                "--ro-bind", "/usr", "/usr", *system_links(), "--proc", "/proc", "--dev", "/dev",
                "--size", str(limits.tmp_mb * 1024 * 1024), "--tmpfs", "/tmp",
                "--size", str(limits.work_mb * 1024 * 1024), "--tmpfs", WORK]
        for source, dest in binds:
            args += ["--ro-bind", source, dest]
        for key, value in environment(data, extra).items():
            args += ["--setenv", key, value]
        return args + ["--chdir", WORK, "--", sys.executable, "-m", "koreathaw_grading.sandbox.runner",
                       str(fds[0]), str(fds[1])]

    def _prlimit(self) -> list[str]:
        limits = self.limits
        memory = limits.memory_mb * 1024 * 1024
        return ["prlimit", f"--as={memory}", f"--cpu={limits.notebook_cpu}", f"--fsize={limits.file_mb * 1024 * 1024}",
                f"--nofile={limits.open_files}", "--core=0", "--"]

    def _command(self, fds: tuple[int, int], info_fd: int) -> list[str]:
        targets = [str(p) for p in read_only_paths()]
        submission = str(self.submission.resolve()) if self.submission else None
        if not is_root():
            binds = [(t, t) for t in targets] + ([(submission, SUBMISSION)] if submission else [])
            return self._prlimit() + self._bwrap_args(binds, fds, info_fd)
        # As root: bind the paths into a stage folder in a private mount namespace, then drop to a fresh uid.
        self.stage = Path(tempfile.mkdtemp(prefix=f"{cgroups.PREFIX}{os.getpid()}-"))
        os.chmod(self.stage, 0o711)
        script, binds = ["set -e"], []
        for group_file in (self.group.procs_files if self.group else []):
            script.append(f"echo $$ > {shlex.quote(str(group_file))}")
        for i, target in enumerate(targets):
            mountpoint = self.stage / str(i)
            mountpoint.mkdir()
            script.append(f"mount --bind {shlex.quote(target)} {shlex.quote(str(mountpoint))}")
            binds.append((str(mountpoint), target))
        if submission:
            copy = self.stage / "submission"
            shutil.copytree(submission, copy, symlinks=True)
            for path in [copy, *copy.rglob("*")]:
                os.lchown(path, self.uid, self.uid)
                if not path.is_symlink():
                    os.chmod(path, 0o700 if path.is_dir() else 0o600)
            binds.append((str(copy), SUBMISSION))
        bwrap = self._bwrap_args(binds, fds, info_fd)
        drop = ["setpriv", f"--reuid={self.uid}", f"--regid={self.uid}", "--clear-groups", "--inh-caps=-all",
                "--bounding-set=-all", "--no-new-privs", "--"]
        script.append("exec " + " ".join(shlex.quote(a) for a in self._prlimit() + drop + bwrap))
        return ["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", "\n".join(script)]

    def start(self) -> None:
        if is_root():
            self.group = cgroups.create(self.limits.memory_mb * 1024 * 1024, self.limits.processes + 8)
        to_runner_r, to_runner_w = os.pipe()
        from_runner_r, from_runner_w = os.pipe()
        info_r, info_w = os.pipe()
        try:
            command = self._command((to_runner_r, from_runner_w), info_w)
            self.proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.PIPE, pass_fds=(to_runner_r, from_runner_w, info_w),
                                         start_new_session=True)
        finally:
            for fd in (to_runner_r, from_runner_w, info_w):
                os.close(fd)
        self.to_runner, self.reader = to_runner_w, wire.Reader(from_runner_r)
        self.info_fd = info_r
        os.set_blocking(self.proc.stderr.fileno(), False)
        self.started = time.monotonic()
        deadline = self.started + self.limits.startup_wall
        while True:
            try:
                message = self.reader.poll(0.05)
            except (wire.Closed, wire.ProtocolError) as exc:
                self._drain_stderr()
                self.close()
                raise RuntimeError(f"the sandbox did not start: {exc}; its log: "
                                   f"{self.stderr.decode('utf-8', 'replace')[-2000:]}") from None
            self._drain_stderr()
            if message is not None and message.get("t") == "ready":
                break
            if time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"the sandbox did not start within {self.limits.startup_wall:.0f} s")
        self.runner_pid = self._find_runner()

    def _find_runner(self) -> int | None:
        """The host pid of the runner: the child of bwrap's init (whose pid bwrap writes to the info fd)."""
        try:
            info = json.loads(os.read(self.info_fd, 65536).decode() or "{}")
            init = self.init_pid = int(info["child-pid"])
            children = Path(f"/proc/{init}/task/{init}/children").read_text().split()
            return int(children[0]) if children else init
        except (OSError, ValueError, KeyError):
            return None

    def _drain_stderr(self) -> None:
        if self.proc is None or self.proc.stderr is None:
            return
        try:
            chunk = self.proc.stderr.read(65536)
        except (OSError, ValueError):
            return
        if chunk and len(self.stderr) < 65536:
            self.stderr += chunk[: 65536 - len(self.stderr)]

    # ------------------------------------------------------------------ while it runs
    def cpu_seconds(self) -> float:
        """CPU seconds the sandbox has used: its cgroup's counter, else the runner's own and its reaped children's."""
        if self.group is not None:
            return self.group.cpu_seconds()
        try:
            fields = Path(f"/proc/{self.runner_pid}/stat").read_text().rsplit(")", 1)[1].split()
            return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError, TypeError):
            return 0.0

    def user_seconds(self) -> float:
        """User-mode CPU seconds of the sandbox: the time its code computed, the clock a cell's verdict reads.

        The kernel's work for the sandbox (zeroing the pages a memory hog touches, reclaim)
        counts as system time, and grows when the machine is busy; user time does not.
        """
        if self.group is not None:
            return self.group.user_cpu_seconds()
        try:
            fields = Path(f"/proc/{self.runner_pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[13])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError, TypeError):
            return 0.0

    def interrupt(self) -> None:
        """SIGINT to the runner: a KeyboardInterrupt in the student's code, as Jupyter's interrupt does."""
        if self.runner_pid:
            try:
                os.kill(self.runner_pid, signal.SIGINT)
            except ProcessLookupError:
                pass

    def request(self, message: dict[str, Any], on_output: Callable[[dict[str, Any]], None],
                cpu_limit: float | None = None) -> dict[str, Any]:
        """Send a request; pass each output to ``on_output``; return the reply.

        The reply carries ``"interrupted": True`` when the cell passed its CPU (or wall)
        limit and was interrupted. The limit counts user CPU time, so that a memory hog meets
        the memory limit before the clock however busy the machine is (the pages it touches
        cost system time, more of it under load); user + system time has a backstop of
        ``cell_cpu_total`` times the limit, for code that keeps the kernel busy instead. Raises :class:`KernelDied` if the kernel ended, and
        :class:`Unresponsive` (after killing it) if it ignored the interrupt.
        """
        limits = self.limits
        cpu_limit = limits.cell_cpu if cpu_limit is None else cpu_limit
        try:
            wire.send(self.to_runner, message, deadline=time.monotonic() + min(limits.cell_wall, 30.0))
        except (BrokenPipeError, OSError):
            raise self._died() from None
        user0, cpu0, start = self.user_seconds(), self.cpu_seconds(), time.monotonic()
        interrupted: float | None = None
        cpu_at_interrupt = 0.0
        while True:
            try:
                reply = self.reader.poll(0.05)
            except wire.Closed:
                raise self._died() from None
            except wire.ProtocolError as exc:
                self.kill()
                raise KernelDied(f"the kernel broke the protocol ({exc})") from None
            self._drain_stderr()
            if reply is not None:
                if reply.get("t") == "out":
                    on_output(reply.get("o"))
                    continue
                if interrupted is not None:
                    reply["interrupted"] = True
                return reply
            now, used = time.monotonic(), self.user_seconds() - user0
            if interrupted is None:
                if (used > cpu_limit or self.cpu_seconds() - cpu0 > cpu_limit * limits.cell_cpu_total
                        or now - start > limits.cell_wall or now - self.started > limits.notebook_wall):
                    self.interrupt()
                    interrupted, cpu_at_interrupt = now, self.cpu_seconds()
            elif (self.cpu_seconds() - cpu_at_interrupt > limits.interrupt_grace_cpu
                  or now - interrupted > limits.interrupt_grace_wall):
                self.kill()
                raise Unresponsive("the kernel did not stop after it was interrupted")

    def _died(self) -> KernelDied:
        oom = bool(self.group and self.group.oom_kills())
        self.kill()
        if oom:
            return KernelDied(f"the kernel was killed: its processes together used more than the "
                              f"{self.limits.memory_mb} MB the sandbox allows", oom=True)
        return KernelDied("the kernel died while running this cell (it crashed, ran out of memory or called os._exit)")

    # ------------------------------------------------------------------ end
    def kill(self) -> None:
        """Kill the sandbox and everything in it, now."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        if self.group is not None:
            self.group.kill_all()

    def _others(self) -> set[int]:
        """Processes in the sandbox besides bwrap, its init and the runner (the notebook's own children)."""
        known = {p for p in (getattr(self.proc, "pid", None), self.init_pid, self.runner_pid) if p}
        if self.group is not None:
            return self.group.pids() - known
        if not self.init_pid:
            return set()
        try:
            namespace = os.readlink(f"/proc/{self.init_pid}/ns/pid")
        except OSError:
            return set()
        found = set()
        for entry in os.listdir("/proc"):
            if entry.isdigit() and int(entry) not in known:
                try:
                    if os.readlink(f"/proc/{entry}/ns/pid") == namespace:
                        found.add(int(entry))
                except OSError:
                    continue
        return found

    def close(self) -> None:
        """Say goodbye, kill what is left, remove the cgroup and the stage: nothing stays behind."""
        if self.closed:
            return
        self.closed = True
        self.leftover = len(self._others())
        if self.group is not None:
            self.oom_kills = self.group.oom_kills()
        if self.proc is not None and self.proc.poll() is None:
            try:
                wire.send(self.to_runner, {"op": "bye"}, deadline=time.monotonic() + 2)
                self.proc.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()
        for fd in (getattr(self, "to_runner", None), getattr(self, "info_fd", None),
                   getattr(getattr(self, "reader", None), "fd", None)):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        if self.proc is not None and self.proc.stderr is not None:
            self.proc.stderr.close()
        if self.group is not None:
            self.group.remove()
            self.group = None
        if self.stage is not None:
            shutil.rmtree(self.stage, ignore_errors=True)
            self.stage = None
