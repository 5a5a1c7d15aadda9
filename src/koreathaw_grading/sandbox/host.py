"""What the sandbox is made of on this host: who runs it, what it sees, its environment.

Used by :mod:`.launch` to build the bubblewrap command line.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: Inside the sandbox: the submission (read-only) and the working folder it is copied to.
SANDBOX_DIR = "/sandbox"
SUBMISSION = f"{SANDBOX_DIR}/submission"
WORK = f"{SANDBOX_DIR}/work"


def is_root() -> bool:
    """True when the grader runs as root (the sandbox then gets a fresh uid and a cgroup)."""
    return os.geteuid() == 0


def requirements() -> list[str]:
    """The host commands the sandbox is started with."""
    return ["bwrap", "prlimit"] + (["unshare", "setpriv", "mount"] if is_root() else [])


def read_only_paths() -> list[Path]:
    """What the sandbox sees read-only besides /usr: Python, the venv, the library and its data."""
    import koreathaw

    import koreathaw_grading

    paths = [Path(sys.base_prefix), Path(sys.prefix), Path(koreathaw.__file__).parent,
             Path(koreathaw_grading.__file__).parent, Path(koreathaw.data_dir())]
    out: list[Path] = []
    for path in (p.resolve() for p in paths):
        if path == Path("/usr") or str(path).startswith("/usr/") or any(path.is_relative_to(o) for o in out):
            continue
        out = [o for o in out if not o.is_relative_to(path)] + [path]
    return out


def system_links() -> list[str]:
    """bwrap arguments for /bin, /lib, /lib64, /sbin: links where the host has links, read-only binds otherwise."""
    args = []
    for name in ("bin", "lib", "lib64", "sbin"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    return args


def environment(data: Path, extra_processes: int) -> dict[str, str]:
    return {
        "PATH": f"{Path(sys.prefix) / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": WORK, "TMPDIR": "/tmp", "IPYTHONDIR": "/tmp/.ipython", "MPLCONFIGDIR": "/tmp/.matplotlib",
        "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1", "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "NUMEXPR_MAX_THREADS": "1",
        "KOREATHAW_DATA": str(data), "KOREATHAW_SUBMISSION": SUBMISSION, "KOREATHAW_NPROC": str(extra_processes),
        "NBGRADER_EXECUTION": "autograde",
    }




def sweep() -> list[Path]:
    """Remove what the sandboxes of a killed grader left behind: their cgroups (processes killed) and
    their stage folders in the temporary folder (a copy of a submission). A grader that is still
    running keeps its own. Returns what was removed."""
    import shutil
    import tempfile

    from koreathaw_grading.sandbox import cgroups

    removed = cgroups.sweep()
    for path in Path(tempfile.gettempdir()).glob(cgroups.PREFIX + "*"):
        pid = cgroups.owner(path.name)
        if pid is not None and not cgroups.alive(pid) and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
            if not path.exists():
                removed.append(path)
    return removed
