"""Tests that the setup files agree with each other and CI runs the suite."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def _pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = list(project["dependencies"]) + [d for group in project["optional-dependencies"].values() for d in group]
    pins = {}
    for spec in specs:
        name, _, version = spec.partition("==")
        assert version, f"pyproject.toml: {spec!r} is not pinned with =="
        pins[name.strip().lower()] = version.strip()
    return pins


def _environment_pins() -> dict[str, str]:
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    pins = {}
    deps = [d for d in env["dependencies"] if isinstance(d, str)]
    # packages conda-forge does not carry under the same name stand in the pip section
    deps += [d for section in env["dependencies"] if isinstance(section, dict) for d in section.get("pip", [])]
    for dep in deps:
        if dep.startswith(("python", "pip", "-")):
            continue
        name, _, version = dep.partition("==")
        assert version, f"environment.yml: {dep!r} is not pinned with =="
        pins[name.strip().lower()] = version.strip()
    return pins


def test_environment_yml_matches_pyproject():
    """environment.yml lists the same packages at the same pins as pyproject.toml."""
    assert _environment_pins() == _pyproject_pins()


def test_core_packages_pinned():
    """The course's core packages are all pinned (jupyterlab 4, nbgrader 0.9, ipywidgets 8)."""
    pins = _pyproject_pins()
    for name in ("jupyterlab", "nbgrader", "pandas", "ipywidgets", "folium", "nbval", "pytest"):
        assert name in pins
    assert pins["jupyterlab"].startswith("4.")
    assert pins["nbgrader"].startswith("0.9.")
    assert pins["ipywidgets"].startswith("8.")


def test_lock_file_agrees_with_pins():
    """requirements.lock pins the direct dependencies at the same versions."""
    lock = {}
    for line in (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            name, _, version = line.partition("==")
            lock[re.sub(r"[-_.]+", "-", name.lower())] = version.strip()
    for name, version in _pyproject_pins().items():
        assert lock.get(re.sub(r"[-_.]+", "-", name)) == version, name


def test_installed_versions_match_pins():
    """The environment the tests run in has exactly the pinned versions."""
    from importlib.metadata import version

    for name, pinned in _pyproject_pins().items():
        assert version(name) == pinned, name


def test_ci_runs_make_test_only():
    """.ci/run calls make test and nothing else, and stops on failure."""
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line.strip() for line in script.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert commands[-1] == "exec make test"
    assert "set -euo pipefail" in commands
    assert all(c.startswith(("set ", "cd ", "exec make test")) for c in commands)


def test_readme_starts_with_the_two_commands():
    """The README's first code block is make lab and make test."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("```", 2)[1]
    assert [line.split("#")[0].strip() for line in block.strip().splitlines()] == ["make lab", "make test"]


def test_gitignore_keeps_nbgrader_working_folders_out():
    """release/, submitted/, autograded/, feedback/ and gradebook.db are not tracked."""
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").split()
    for entry in ("assignments/release/", "assignments/submitted/", "assignments/autograded/",
                  "assignments/feedback/", "assignments/gradebook.db", ".venv/"):
        assert entry in ignored


def test_library_under_test_is_this_checkout():
    """The tests must exercise this checkout's ``src/koreathaw``, not another clone's.

    A venv whose editable install points elsewhere (a borrowed or moved venv) would
    run every test against other code; ``make setup`` repairs it, this proves it did.
    """
    import koreathaw

    where = Path(koreathaw.__file__).resolve()
    assert where.is_relative_to(REPO / "src" / "koreathaw"), (
        f"koreathaw is imported from {where}, not from {REPO / 'src'}: run `make setup`")


def test_course_kernel_runs_this_venv():
    """The ``koreathaw`` kernel must start this venv's Python (so lessons see this library)."""
    import json
    import sys

    spec = Path(sys.prefix) / "share" / "jupyter" / "kernels" / "koreathaw" / "kernel.json"
    assert spec.exists(), f"{spec} is missing: run `make setup`"
    argv = json.loads(spec.read_text(encoding="utf-8"))["argv"]
    assert argv[0] == sys.executable, f"{spec} starts {argv[0]}, not {sys.executable}: run `make setup`"
