"""What every figure of ``make bench`` shares: paths, the child environment, timing, CPU and medians."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "benchmarks"
PY = sys.executable
BIN = str(Path(PY).parent)
GRADE = str(Path(BIN) / "koreathaw-grade")


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, "") or default)


def child_env() -> dict[str, str]:
    """This environment for a benchmark's child: the venv's bin first, no user site, the course's own data."""
    env = dict(os.environ)
    env["PATH"] = BIN + os.pathsep + env.get("PATH", "")
    env["PYTHONNOUSERSITE"] = "1"
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    env.pop("KOREATHAW_DATA", None)
    return env


def log(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", flush=True)


def timed(cmd: list[str], cwd: Path | str | None = None, env: dict | None = None, check: bool = True,
          quiet: bool = True) -> float:
    """Run ``cmd``; return its wall time in seconds."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env or child_env(), text=True,
                          stdout=subprocess.PIPE if quiet else None, stderr=subprocess.PIPE if quiet else None)
    seconds = time.perf_counter() - start
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{(proc.stderr or '')[-3000:]}")
    return seconds


def children_cpu() -> float:
    """CPU seconds (user + system) of every finished child process and its descendants so far."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class CpuMeter:
    """CPU seconds of this process and everything it starts, the grading sandboxes included.

    The sandboxes run as other users in namespaces of their own, and their processes
    are not always reaped by a process of ours, so ``RUSAGE_CHILDREN`` misses them. As
    root with cgroup v1's ``cpuacct``, this process moves into a cgroup of its own while
    figure 3 runs; the sandboxes' cgroups are created inside it, and its counter covers
    them all. Elsewhere, the rusage of reaped children is the fallback.
    """

    def __init__(self) -> None:
        self.path: Path | None = None
        try:
            own = next(line.split(":", 2)[2] for line in Path("/proc/self/cgroup").read_text().splitlines()
                       if "cpuacct" in line.split(":")[1].split(","))
            self.parent = Path("/sys/fs/cgroup/cpuacct") / own.lstrip("/")
            path = self.parent / f"koreathaw-bench-{os.getpid()}"
            path.mkdir()
            (path / "cgroup.procs").write_text(str(os.getpid()))
            self.path = path
        except (OSError, StopIteration):
            self.path = None

    @property
    def kind(self) -> str:
        return "cgroup" if self.path else "rusage"

    def seconds(self) -> float:
        if self.path is None:
            return children_cpu()
        return int((self.path / "cpuacct.usage").read_text()) / 1e9

    def close(self) -> None:
        if self.path is not None:
            try:
                (self.parent / "cgroup.procs").write_text(str(os.getpid()))
                self.path.rmdir()
            except OSError:
                pass
            self.path = None


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def spread(values: list[float]) -> str:
    if len(values) < 2:
        return ""
    return f" (min {min(values):.2f}, max {max(values):.2f})"


def kb(n: float | None) -> str:
    if n is None:
        return "n/a"
    return f"{n / 1024:.0f} KiB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.2f} MiB"
