"""The environment every user runs: a venv from Debian's Python, the course's kernel and config, the proxy.

The repository's ``.venv`` may live where students cannot reach (``/root/...``), and
is editable (it points into the checkout, whose ``assignments/source`` holds the
answers). The hub gets its own: ``<prefix>/venv``, made with ``/usr/bin/python3 -m
venv``, the course installed *non-editable* from ``requirements.lock`` with the
``course`` and ``hub`` extras (JupyterLab, nbgrader; JupyterHub, psycopg2), readable by all, writable by root. A stamp of
the inputs' contents makes a second install quick.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from kthub.settings import Settings
from kthub.system import run

#: What the venv is made of: when none of these changes, it is not rebuilt.
VENV_INPUTS = ("requirements.lock", "pyproject.toml", "src", "data", ".jupyter", "website/nbconvert",
               "website/_static/koreathaw-widgets.js")
#: What the student edition is made of, besides the venv's inputs.
EDITION_INPUTS = ("notebooks", "assignments/source", "course", "LICENSE", "README.md")
#: The proxy, from npm: version 5 needs node 20; Debian 12's node 18 gets 4.6.
PROXY = {20: "configurable-http-proxy@5.3.0", 0: "configurable-http-proxy@4.6.3"}
#: nbgrader's Formgrader and authoring tools, which students have no use for.
STUDENT_OFF_SERVER = ("nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list")
STUDENT_OFF_LAB = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:course-list")


def digest(repo: Path, names) -> str:
    """A hash of the contents of ``names`` under ``repo`` (files and whole folders)."""
    h = hashlib.sha256()
    for name in names:
        base = repo / name
        files = sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else [base] if base.is_file() else []
        for path in files:
            if "__pycache__" in path.parts or ".ipynb_checkpoints" in path.parts:
                continue
            h.update(str(path.relative_to(repo)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _lock_pin(repo: Path, name: str) -> str:
    for line in (repo / "requirements.lock").read_text().splitlines():
        if line.lower().startswith(name + "=="):
            return line.strip()
    raise RuntimeError(f"requirements.lock pins no {name}")


def _deps_digest(repo: Path) -> str:
    """A hash of what decides the installed packages: the lock and the project's requirements (not its other settings)."""
    import tomllib

    project = tomllib.loads((repo / "pyproject.toml").read_text())["project"]
    wanted = json.dumps([project.get("dependencies"), project.get("optional-dependencies")], sort_keys=True)
    return hashlib.sha256((repo / "requirements.lock").read_bytes() + wanted.encode()).hexdigest()


def build_venv(settings: Settings, repo: Path, echo=print) -> bool:
    """Make or update ``<prefix>/venv``; True if anything was installed.

    New requirements make a new venv (installing over old packages with changed pins
    sends pip's resolver into long backtracking); a changed library only reinstalls it.
    """
    venv, stamp = settings.venv, settings.venv / ".koreathaw-hub-stamp"
    want = {"deps": _deps_digest(repo), "all": digest(repo, VENV_INPUTS)}
    have = json.loads(stamp.read_text()) if stamp.is_file() else {}
    if all(have.get(k) == v for k, v in want.items()):
        return False
    if have.get("deps") != want["deps"] or not (venv / "bin" / "python").exists():
        known = have.get("relaxed", [])
        shutil.rmtree(venv, ignore_errors=True)
        echo(f">>> creating {venv} from /usr/bin/python3; installing the course's pinned packages "
             "(requirements.lock, with the 'course' and 'hub' extras)")
        run(["/usr/bin/python3", "-m", "venv", str(venv)])
        lock = constraints(settings, repo, known)
        pip = _pip(venv, lock)
        run(pip + [_lock_pin(repo, "hatchling")])
        want["relaxed"] = known + install_relaxing(pip, [f"{repo}[course,hub]"], lock, echo)
    else:
        want["relaxed"] = have.get("relaxed", [])
        echo(">>> reinstalling the course's library and grading package")
        run(_pip(venv, repo / "requirements.lock") + ["--no-build-isolation", "--no-deps", "--force-reinstall", str(repo)])
    install_jupyter_config(settings, repo)
    stamp.write_text(json.dumps(want))
    return True


def _pip(venv: Path, lock: Path) -> list[str]:
    return [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "-c", str(lock)]


def constraints(settings: Settings, repo: Path, relaxed: list[str]) -> Path:
    """The lock the shared environment is installed with: requirements.lock less the pins known not to fit here."""
    path = settings.venv / "constraints.txt"
    lines = (repo / "requirements.lock").read_text().splitlines()
    path.write_text("\n".join(line for line in lines if line.strip() not in relaxed) + "\n")
    return path


def install_relaxing(pip: list[str], what: list[str], lock: Path, echo=print, rounds: int = 5) -> list[str]:
    """``pip install`` with the lock; a pin this Python cannot install is dropped, said, and returned.

    The lock is made on the developers' Python; Debian 12's is 3.11.2, and a few pinned
    releases need a later 3.11 (soupsieve 4.1 needs 3.11.5). For those pip then takes the
    newest release that supports this Python; every other pin holds.
    """
    import re
    import subprocess

    relaxed: list[str] = []
    command = [a for a in pip if a != "--quiet"] + ["--no-build-isolation", *what]
    for _ in range(rounds):
        proc = subprocess.run(command, capture_output=True, text=True, cwd="/")
        if proc.returncode == 0:
            return relaxed
        pins = re.findall(r"The user requested \(constraint\) ([A-Za-z0-9_.-]+==[^\s]+)", proc.stdout + proc.stderr)
        if not pins:
            raise RuntimeError(f"{' '.join(command)} failed:\n{proc.stdout[-2000:]}{proc.stderr[-3000:]}")
        lines = lock.read_text().splitlines()
        lock.write_text("\n".join(l for l in lines if l.strip() not in pins) + "\n")
        relaxed += pins
        echo(f">>> this Python ({_python_version(pip[0])}) cannot install {', '.join(pins)}: "
             "taking the newest release that supports it")
    raise RuntimeError(f"pip could not install the course after relaxing {relaxed}")


def _python_version(python: str) -> str:
    return run([python, "-c", "import platform; print(platform.python_version())"]).stdout.strip()


def install_jupyter_config(settings: Settings, repo: Path) -> None:
    """The kernel and the course's Jupyter settings, as ``make setup`` installs them, plus the hub's nbgrader config."""
    venv = settings.venv
    run([str(venv / "bin" / "python"), "-m", "ipykernel", "install", "--sys-prefix", "--name", "koreathaw",
         "--display-name", "Python 3 (Korean Thaw)"])
    etc, share = venv / "etc" / "jupyter", venv / "share" / "jupyter"
    (share / "lab" / "settings").mkdir(parents=True, exist_ok=True)
    etc.mkdir(parents=True, exist_ok=True)
    shutil.copy2(repo / ".jupyter" / "overrides.json", share / "lab" / "settings" / "overrides.json")
    for name in ("jupyter_server_config.json", "jupyter_server_config.py"):
        shutil.copy2(repo / ".jupyter" / name, etc / name)
    mathjax = repo / "src" / "koreathaw_grading" / "templates" / "mathjax.html.j2"
    for template in ("formgrade", "feedback"):
        (share / "nbconvert" / "templates" / template).mkdir(parents=True, exist_ok=True)
        shutil.copy2(mathjax, share / "nbconvert" / "templates" / template / "mathjax.html.j2")
    export = share / "nbconvert" / "templates" / "koreathaw"
    shutil.rmtree(export, ignore_errors=True)
    shutil.copytree(repo / "website" / "nbconvert" / "koreathaw", export)
    (export / "html-manager").mkdir()
    (export / "mathjax").mkdir()
    shutil.copy2(repo / "website" / "_static" / "koreathaw-widgets.js", export)
    shutil.copy2(repo / "website" / "vendor" / "html-manager" / "embed.js", export / "html-manager")
    shutil.copy2(repo / "website" / "vendor" / "mathjax" / "tex-svg-full.js", export / "mathjax")
    shutil.copy2(repo / "website" / "nbconvert" / "jupyter_nbconvert_config.json", etc / "jupyter_nbconvert_config.json")
    write_nbgrader_config(settings)
    write_student_config(settings)


def write_nbgrader_config(settings: Settings) -> Path:
    """Every user's nbgrader: the course and its exchange (``<venv>/etc/jupyter/nbgrader_config.py``)."""
    path = settings.venv / "etc" / "jupyter" / "nbgrader_config.py"
    path.write_text(
        '"""nbgrader on the course\'s hub, for every user (written by hub/hubctl install; see course/hub.md)."""\n'
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {settings.course_id!r}\n"
        f"c.Exchange.root = {settings.exchange!r}\n", encoding="utf-8")
    return path


def write_student_config(settings: Settings) -> Path:
    """A Jupyter config folder for students' servers: no Formgrader, no authoring tools."""
    folder = settings.etc / "jupyter-student"
    (folder / "labconfig").mkdir(parents=True, exist_ok=True)
    (folder / "jupyter_server_config.json").write_text(json.dumps(
        {"ServerApp": {"jpserver_extensions": {name: False for name in STUDENT_OFF_SERVER}}}, indent=1))
    (folder / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {name: True for name in STUDENT_OFF_LAB}}, indent=1))
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return folder


def build_edition(settings: Settings, repo: Path, echo=print) -> Path:
    """The student edition (``koreathaw-grade edition``), rebuilt when its inputs change; returns its folder."""
    out = settings.state / "edition"
    stamp = out / ".stamp"
    want = digest(repo, VENV_INPUTS + EDITION_INPUTS)
    if not (stamp.is_file() and stamp.read_text() == want):
        echo(">>> building the student edition")
        env = dict(os.environ, PATH=f"{settings.venv / 'bin'}:/usr/bin:/bin")
        run([str(settings.venv / "bin" / "koreathaw-grade"), "--course", str(repo / "assignments"), "edition",
             "--output", str(out)], env=env)
        stamp.write_text(want)
    return out / "student"


def install_proxy(settings: Settings, echo=print) -> Path:
    """configurable-http-proxy from npm into ``<prefix>/node``."""
    major = int(run(["node", "--version"]).stdout.strip().lstrip("v").split(".")[0])
    package = PROXY[20] if major >= 20 else PROXY[0]
    command = settings.node / "node_modules" / ".bin" / "configurable-http-proxy"
    installed = settings.node / "node_modules" / "configurable-http-proxy" / "package.json"
    if installed.is_file() and json.loads(installed.read_text())["version"] == package.split("@")[1]:
        return command
    echo(f">>> npm install {package}")
    settings.node.mkdir(parents=True, exist_ok=True)
    run(["npm", "install", "--prefix", str(settings.node), "--no-audit", "--no-fund", "--loglevel=error", package])
    return command

