"""The machine: Debian packages, unix users with homes of their own, the exchange, processes.

Every user the setup creates carries the settings' ``marker`` as its comment, and
only such users are ever removed (:func:`remove_user`). Homes are mode 0700: no
student reads another's files, the instructor's course or anyone's feedback.
"""

from __future__ import annotations

import grp
import os
import pwd
import secrets
import shutil
import signal
import stat
import subprocess
import time
from pathlib import Path
from typing import Iterable, Sequence

from kthub.settings import Settings

#: Debian packages the hub needs, by the command that proves each is there.
PACKAGES = {"pg_createcluster": "postgresql", "bwrap": "bubblewrap", "npm": "npm", "node": "nodejs"}


def run(cmd: Sequence[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a command; on failure raise a RuntimeError with the command and its output."""
    kwargs.setdefault("cwd", "/")
    proc = subprocess.run(list(cmd), capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return proc


def need_root() -> None:
    if os.geteuid() != 0:
        raise PermissionError("the hub setup creates unix users and a PostgreSQL cluster: run it as root (sudo)")


def ensure_packages(echo=print) -> None:
    """Install the Debian packages that are missing (apt-get), or say which cannot be had."""
    missing = sorted({pkg for command, pkg in PACKAGES.items() if shutil.which(command) is None})
    try:
        run(["/usr/bin/python3", "-c", "import ensurepip, venv"])
    except RuntimeError:
        missing.append("python3-venv")
    if not missing:
        return
    if shutil.which("apt-get") is None:
        raise RuntimeError(f"install these packages first (no apt-get here): {', '.join(missing)}")
    echo(f">>> apt-get install {' '.join(missing)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(["apt-get", "update", "-qq"], env=env)
    run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], env=env)


# ---------------------------------------------------------------------- users
def exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def ensure_user(settings: Settings, name: str) -> bool:
    """Create unix user ``name`` with a private home (0700) unless it exists; True if created."""
    if exists(name):
        entry = pwd.getpwnam(name)
        if entry.pw_uid == 0:
            raise RuntimeError(f"{name!r} is root: a hub user must be an ordinary user")
        return False
    home = Path(settings.home_base) / name
    run(["useradd", "--create-home", "--home-dir", str(home), "--comment", settings.marker,
         "--shell", "/bin/bash", "--user-group", name])
    home.chmod(0o700)
    return True


def set_passwords(settings: Settings, names: Iterable[str]) -> Path:
    """Give ``names`` new random passwords (for PAM logins); write them to ``etc/passwords.csv`` (root only)."""
    pairs = [(name, secrets.token_urlsafe(12)) for name in names]
    run(["chpasswd"], input="".join(f"{n}:{p}\n" for n, p in pairs))
    path = settings.etc / "passwords.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    old = {}
    if path.is_file():
        old = dict(line.split(",", 1) for line in path.read_text().splitlines()[1:] if "," in line)
    old.update(pairs)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text("user,password\n" + "".join(f"{n},{p}\n" for n, p in sorted(old.items())))
    return path


def read_passwords(settings: Settings) -> dict[str, str]:
    path = settings.etc / "passwords.csv"
    return dict(line.split(",", 1) for line in path.read_text().splitlines()[1:] if "," in line)


def ours(settings: Settings, name: str) -> bool:
    """True if ``name`` is a unix user this setup created (its comment is the marker)."""
    try:
        return pwd.getpwnam(name).pw_gecos == settings.marker
    except KeyError:
        return False


def remove_user(settings: Settings, name: str) -> bool:
    """Remove a user the setup created, its processes and its home; never any other user."""
    if not ours(settings, name):
        return False
    kill(processes_of([pwd.getpwnam(name).pw_uid]))
    run(["userdel", "--remove", name])
    try:
        grp.getgrnam(name)
        run(["groupdel", name])
    except (KeyError, RuntimeError):
        pass
    return True


# ---------------------------------------------------------------------- processes
def processes_of(uids: Iterable[int]) -> list[int]:
    """Pids of the processes whose real uid is one of ``uids``."""
    wanted, found = set(uids), []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            for line in Path(f"/proc/{entry}/status").read_text().splitlines():
                if line.startswith("Uid:"):
                    if int(line.split()[1]) in wanted:
                        found.append(int(entry))
                    break
        except (OSError, ValueError):
            continue
    return found


def kill(pids: Iterable[int], grace: float = 5.0) -> None:
    """SIGTERM ``pids``, then SIGKILL what is still there after ``grace`` seconds."""
    pids = [p for p in pids if p != os.getpid()]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(_alive(p) for p in pids):
            time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except OSError:
        return False


# ---------------------------------------------------------------------- exchange and homes
def ensure_exchange(settings: Settings) -> Path:
    """The exchange root (world-writable, sticky) and the course's folders, made now and owned by the grader.

    nbgrader would make the course's folders at the first release; made here, no
    student can make them first (and own, say, everyone's inbound).
    """
    entry = pwd.getpwnam(settings.grader)
    root = Path(settings.exchange)
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o1777)
    course = root / settings.course_id
    modes = {course: 0o755, course / "outbound": 0o755, course / "inbound": 0o2733, course / "feedback": 0o711}
    for path, mode in modes.items():
        path.mkdir(exist_ok=True)
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode) or (info.st_uid not in (0, entry.pw_uid)):
            raise RuntimeError(f"{path} exists and belongs to someone else (uid {info.st_uid}): remove it and run again")
        os.chown(path, entry.pw_uid, entry.pw_gid)
        os.chmod(path, mode)
    return course


def chown_tree(path: Path, user: str) -> None:
    entry = pwd.getpwnam(user)
    for item in [path, *path.rglob("*")]:
        os.lchown(item, entry.pw_uid, entry.pw_gid)


def install_home(settings: Settings, user: str, edition: Path) -> Path:
    """Copy the student edition into ``~user/korean-thaw`` (first time only: it becomes the student's).

    The home is made private (no access for group or others) whoever made it: the
    exchange and the grading rely on no student reading another's files.
    """
    home = Path(settings.home_base) / user
    os.chmod(home, os.stat(home).st_mode & 0o700)
    target = home / "korean-thaw"
    if not target.exists():
        shutil.copytree(edition, target, symlinks=True)
        chown_tree(target, user)
    return target


def install_course(settings: Settings, repo: Path) -> Path:
    """The instructor's course in the grader's home: ``assignments/`` (sources, config), the roster, nbgrader config."""
    root = settings.course_root
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(repo / "assignments" / "source", root / "source", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    shutil.copy2(repo / "assignments" / "nbgrader_config.py", root / "nbgrader_config.py")
    (root / "students.csv").write_text("id\n" + "".join(f"{s}\n" for s in settings.students), encoding="utf-8")
    jupyter = Path(settings.home_base) / settings.grader / ".jupyter"
    jupyter.mkdir(exist_ok=True)
    (jupyter / "nbgrader_config.py").write_text(
        '"""The grader\'s nbgrader config: the course\'s own (written by hub/hubctl install)."""\n'
        f"load_subconfig({str(root / 'nbgrader_config.py')!r})  # noqa: F821\n", encoding="utf-8")
    chown_tree(Path(settings.home_base) / settings.grader, settings.grader)
    os.chmod(Path(settings.home_base) / settings.grader, 0o700)
    return root


def protect_checkout(repo: Path, echo=print) -> None:
    """The checkout the setup runs from must not hand the model solutions to students on this machine."""
    source = repo / "assignments" / "source"
    if source.is_dir() and os.stat(source).st_mode & 0o077:
        os.chmod(source, 0o700)
        echo(f">>> {source} was readable by other users (students on this machine): made it 0700")
