"""Tests that the setup files agree with each other and CI runs the suite."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements() -> dict[str, list[Requirement]]:
    """pyproject.toml's requirements: the library's (``core``) and each extra's."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    groups = {"core": project["dependencies"], **project["optional-dependencies"]}
    return {group: [Requirement(spec) for spec in specs] for group, specs in groups.items()}


def _lock() -> dict[str, str]:
    """requirements.lock: normalised name -> exact version."""
    pins = {}
    for line in (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep, f"requirements.lock: {line!r} is not pinned with =="
            pins[_norm(name)] = version.strip()
    return pins


def _environment() -> dict[str, str]:
    """environment.yml's conda packages (python and pip aside): normalised name -> spec."""
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    specs = {}
    for dep in env["dependencies"]:
        assert isinstance(dep, str), f"environment.yml: {dep!r}: the library is installed by postBuild, not a pip: section"
        name = re.match(r"[A-Za-z0-9_.-]+", dep).group(0)
        if name not in ("python", "pip"):
            specs[_norm(name)] = dep[len(name):]
    return specs


def test_package_gives_compatible_ranges_not_pins():
    """The wheel's requirements are ranges with a floor and a ceiling, never exact pins."""
    for group, requirements in _requirements().items():
        for req in requirements:
            operators = {s.operator for s in req.specifier}
            assert "==" not in operators and "===" not in operators, f"{group}: {req} pins an exact version"
            assert operators & {">=", ">", "~="} and operators & {"<", "~="}, f"{group}: {req} needs a floor and a ceiling"


def test_lock_satisfies_every_range():
    """requirements.lock pins every requirement of pyproject.toml at a version inside its range."""
    lock = _lock()
    for group, requirements in _requirements().items():
        for req in requirements:
            assert _norm(req.name) in lock, f"requirements.lock has no pin for {req.name} ({group})"
            assert req.specifier.contains(lock[_norm(req.name)], prereleases=True), (
                f"requirements.lock pins {req.name}=={lock[_norm(req.name)]}, outside {group}'s {req.specifier}")


def test_environment_yml_agrees_with_pyproject_and_lock():
    """environment.yml lists the library's and the course's packages, each at the lock's exact version."""
    wanted = {_norm(r.name) for group in ("core", "course") for r in _requirements()[group]}
    env, lock = _environment(), _lock()
    assert set(env) == wanted, f"environment.yml: missing {sorted(wanted - set(env))}, extra {sorted(set(env) - wanted)}"
    for name, spec in env.items():
        assert spec == f"=={lock[name]}", f"environment.yml has {name}{spec}, requirements.lock {name}=={lock[name]}"
    python = next(d for d in yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))["dependencies"]
                  if isinstance(d, str) and d.startswith("python"))
    requires = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    assert python == "python" + requires


def test_core_packages_are_the_course_generation():
    """The lock holds the course's generation of the core tools: JupyterLab 4, nbgrader 0.9, ipywidgets 8."""
    lock = _lock()
    assert lock["jupyterlab"].startswith("4.") and lock["nbgrader"].startswith("0.9.")
    assert lock["ipywidgets"].startswith("8.") and lock["pandas"].startswith("3.")


def test_installed_versions_match_the_lock():
    """The environment the tests run in has exactly the locked versions (make setup installs with -c)."""
    from importlib.metadata import PackageNotFoundError, version

    wrong = {}
    for group in ("core", "course", "test"):
        for req in _requirements()[group]:
            try:
                installed = version(req.name)
            except PackageNotFoundError:
                installed = None
            if installed != _lock()[_norm(req.name)]:
                wrong[req.name] = (installed, _lock()[_norm(req.name)])
    assert wrong == {}, f"installed vs locked: {wrong}; run make setup"


def test_library_imports_only_what_it_declares():
    """Every third-party package the library (src/koreathaw) imports is one of its own requirements."""
    import ast
    import sys
    from importlib.metadata import packages_distributions

    declared = {_norm(r.name) for r in _requirements()["core"]}
    providers = packages_distributions()
    undeclared = set()
    for path in (REPO / "src" / "koreathaw").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else []
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top == "koreathaw":
                    continue
                if not {_norm(d) for d in providers.get(top, [top])} & declared:
                    undeclared.add(f"{top} ({path.relative_to(REPO).as_posix()})")
    assert not undeclared, f"imported but not in pyproject.toml's dependencies: {sorted(undeclared)}"


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
