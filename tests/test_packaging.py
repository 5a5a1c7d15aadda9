"""A built wheel carries the data and works installed, not only from a checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(REPO)],
                   check=True, capture_output=True, text=True)
    (path,) = out.glob("koreathaw-*.whl")
    return path


def test_wheel_carries_data(wheel):
    """The wheel holds the data package, the tables and the five articles."""
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("datapackage.json", "events.csv", "places.csv", "names.csv", "articles.csv"):
        assert f"koreathaw/_data/{name}" in names
    assert len([n for n in names if n.startswith("koreathaw/_data/articles/") and n.endswith(".txt")]) == 5


def test_wheel_carries_the_maps_scripts(wheel):
    """The maps' own scripts, written inline into every places and events map, are in the wheel."""
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"koreathaw/maps/spread.js", "koreathaw/maps/discs.js"} <= names


def test_wheel_works_installed(wheel, tmp_path):
    """Installed from the wheel into a bare folder, the library loads its own data copy."""
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, text=True)
    env = {k: v for k, v in os.environ.items() if k != "KOREATHAW_DATA"}
    env["PYTHONPATH"] = str(target)
    code = ("import koreathaw as k; print(k.__file__); print(k.data_dir()); "
            "print(k.load_articles().shape[0], k.load_events().shape[0] > 0)")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, check=True, capture_output=True, text=True)
    module_file, data, counts = out.stdout.splitlines()
    assert Path(module_file).is_relative_to(target)
    assert Path(data) == target / "koreathaw" / "_data"
    assert counts.split() == ["5", "True"]
