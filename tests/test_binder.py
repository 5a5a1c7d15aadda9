"""What Binder does, done here: a fresh environment from environment.yml, then postBuild, then a lesson.

conda-forge cannot be reached from the test machines, so the environment is a fresh
venv with environment.yml's packages installed by pip (pinned as the file pins them,
their dependencies by requirements.lock), *outside* the course folder as Binder's
``/srv/conda/envs/notebook`` is. Then ``postBuild`` runs in a copy of the course (the
files git tracks), and the lesson ``00-welcome`` is executed with nbclient on the
course's kernel from that environment; its checked outputs must come out as stored.
Slow (a few minutes: pip installs from its warm cache).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
LESSON = "notebooks/00-welcome.ipynb"

pytestmark = pytest.mark.slow


def _run(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    done = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, args))} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def binder(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("binder")
    course, prefix, home = root / "home" / "course", root / "srv" / "env", root / "home"
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout.decode()
    for name in filter(None, listed.split("\0")):
        if (REPO / name).is_file():
            (course / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, course / name)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "KOREATHAW_DATA", "PYTHONPATH")}
    env.update(PATH=f"{prefix / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}", HOME=str(home), PYTHONNOUSERSITE="1",
               JUPYTER_CONFIG_DIR=str(home / ".jupyter"), JUPYTER_DATA_DIR=str(home / ".local/share/jupyter"),
               JUPYTER_RUNTIME_DIR=str(root / "runtime"), IPYTHONDIR=str(home / ".ipython"),
               MPLCONFIGDIR=str(home / ".config/matplotlib"), PIP_CACHE_DIR=os.environ.get("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip")))
    # 1. the environment: environment.yml's packages, as conda would install them
    packages = [dep.replace(" ", "") for dep in yaml.safe_load((course / "environment.yml").read_text())["dependencies"]
                if isinstance(dep, str) and not re.match(r"(python|pip)\b", dep)]
    _run([sys.executable, "-m", "venv", str(prefix)], env, root)
    _run([str(prefix / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
          "--no-compile", "-c", str(course / "requirements.lock"), *packages], env, root)
    # 2. postBuild, as Binder runs it: in the course folder, with the environment's python on PATH
    built = _run(["./postBuild"], env, course)
    return {"course": course, "prefix": prefix, "env": env, "python": str(prefix / "bin" / "python"),
            "postBuild": built.stdout}


def test_post_build_installs_the_course_kernel(binder):
    """The kernel "Python 3 (Korean Thaw)" is in the environment and starts the environment's Python."""
    spec = json.loads((binder["prefix"] / "share/jupyter/kernels/koreathaw/kernel.json").read_text())
    assert spec["display_name"] == "Python 3 (Korean Thaw)"
    assert Path(spec["argv"][0]) == Path(binder["python"])
    found = json.loads(_run([binder["python"], "-m", "jupyter", "kernelspec", "list", "--json"], binder["env"],
                            binder["course"]).stdout)
    assert Path(found["kernelspecs"]["koreathaw"]["resource_dir"]).is_relative_to(binder["prefix"])


def test_post_build_installs_the_library_from_the_course(binder):
    """The environment imports koreathaw from the course folder and reads the course's data."""
    code = "import koreathaw as kt; print(kt.__file__); print(kt.data_dir()); print(len(kt.load_events()) > 0)"
    out = _run([binder["python"], "-c", code], binder["env"], Path("/")).stdout.split()
    assert Path(out[0]).is_relative_to(binder["course"] / "src") and Path(out[1]) == binder["course"] / "data"
    assert out[2] == "True"


def test_post_build_installs_the_jupyter_settings(binder):
    """JupyterLab's settings (no news, the course kernel by default) and nbgrader's find the course from the env."""
    etc, course = binder["prefix"] / "etc" / "jupyter", binder["course"]
    assert json.loads((etc / "jupyter_server_config.json").read_text()) == \
        json.loads((course / ".jupyter" / "jupyter_server_config.json").read_text())
    assert (binder["prefix"] / "share/jupyter/lab/settings/overrides.json").read_text() == \
        (course / ".jupyter" / "overrides.json").read_text()
    probe = ("from nbgrader.apps import NbGrader\napp = NbGrader(); app.load_config_file()\n"
             "print(app.config.CourseDirectory.get('root', '-'))")
    at_top = _run([binder["python"], "-c", probe], binder["env"], course).stdout.split()
    assert at_top == [str(course / "assignments")], "nbgrader does not find the course from an environment outside it"
    elsewhere = _run([binder["python"], "-c", probe], binder["env"], binder["prefix"]).stdout.split()
    assert elsewhere == ["-"]


def test_a_lesson_runs_on_the_course_kernel_of_the_environment(binder):
    """00-welcome executes with nbclient on the environment's kernel; every checked output comes out as stored."""
    code = ("import sys, nbformat\nfrom nbclient import NotebookClient\n"
            f"nb = nbformat.read({LESSON!r}, as_version=4)\n"
            "NotebookClient(nb, kernel_name='koreathaw', timeout=300, resources={'metadata': {'path': 'notebooks'}}).execute()\n"
            "nbformat.write(nb, sys.argv[1])\n")
    executed = binder["course"].parent / "executed.ipynb"
    _run([binder["python"], "-c", code, str(executed)], binder["env"], binder["course"])
    stored, ran = nbformat.read(REPO / LESSON, as_version=4), nbformat.read(executed, as_version=4)
    checked = [i for i, c in enumerate(stored.cells) if c.cell_type == "code" and c.outputs]
    assert checked, "the lesson has no checked output"
    for i in checked:
        expected = "".join(o.get("text", "") for o in stored.cells[i].outputs)
        got = "".join(o.get("text", "") for o in ran.cells[i].outputs)
        assert got == expected, f"cell {i}: {got!r} != {expected!r}"
    errors = [o for c in ran.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
