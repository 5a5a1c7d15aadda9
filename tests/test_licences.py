"""Every file of the course says under which licence it is (REUSE.toml + LICENSES/), and pyproject.toml tells the truth.

The REUSE specification (https://reuse.software) is read here directly, as far as the
course uses it: ``[[annotations]]`` tables with ``path`` globs (``*`` does not cross a
``/``, ``**`` does), the last matching table applies. No network and no extra tool.
"""

from __future__ import annotations

import re
import subprocess
import tomllib
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
IDENTIFIER = re.compile(r"LicenseRef-[A-Za-z0-9.-]+|[A-Za-z0-9][A-Za-z0-9.+-]*")
OPERATORS = {"AND", "OR", "WITH"}


def _glob(pattern: str) -> re.Pattern[str]:
    """A REUSE.toml path glob as a regular expression."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "\\" and i + 1 < len(pattern):
            out, i = out + re.escape(pattern[i + 1]), i + 2
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + r"\Z")


@cache
def _annotations() -> list[dict]:
    config = tomllib.loads((REPO / "REUSE.toml").read_text(encoding="utf-8"))
    assert config["version"] == 1
    tables = config["annotations"]
    for table in tables:
        paths = table["path"] if isinstance(table["path"], list) else [table["path"]]
        table["_globs"] = [_glob(p) for p in paths]
    return tables


def licence_of(path: str) -> str | None:
    """The SPDX expression REUSE.toml gives ``path`` (the last matching table), or None."""
    found = None
    for table in _annotations():
        if any(g.match(path) for g in table["_globs"]):
            found = table["SPDX-License-Identifier"]
    return found


def identifiers(expression: str) -> set[str]:
    return {token for token in IDENTIFIER.findall(expression) if token not in OPERATORS}


@cache
def tracked() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    return [p for p in out.decode().split("\0") if p and Path(REPO, p).is_file()]


def test_every_tracked_file_has_a_licence():
    """Each file git tracks (LICENSES/ aside) is matched by an annotation of REUSE.toml, with a copyright."""
    uncovered = [p for p in tracked() if not p.startswith("LICENSES/") and licence_of(p) is None]
    assert uncovered == [], f"add these files to REUSE.toml: {uncovered[:20]}"
    for table in _annotations():
        assert table.get("SPDX-FileCopyrightText"), table["path"]


def test_every_licence_has_its_text_and_every_text_is_used():
    """LICENSES/ holds the text of each licence REUSE.toml names, and no other."""
    used = set().union(*(identifiers(t["SPDX-License-Identifier"]) for t in _annotations()))
    texts = {p.stem for p in (REPO / "LICENSES").glob("*.txt")}
    assert used == texts, f"named without a text: {sorted(used - texts)}; texts never named: {sorted(texts - used)}"
    for name in texts:
        assert (REPO / "LICENSES" / f"{name}.txt").stat().st_size > 300, name


@pytest.mark.parametrize("path, expected", [
    ("data/articles/ipu-toast.txt", "LicenseRef-Publisher-Copyright"),
    ("data/events.csv", "CC-BY-4.0"),
    ("course/syllabus.md", "CC-BY-4.0"),
    ("notebooks/03-timeline.ipynb", "CC-BY-4.0 AND MIT"),
    ("src/koreathaw/events.py", "MIT"),
    ("src/koreathaw/_assets/leaflet/leaflet.js", "BSD-2-Clause"),
    ("src/koreathaw/_assets/markercluster/leaflet.markercluster.js", "MIT"),
    ("src/koreathaw/_assets/basemap/basemap.js", "LicenseRef-Public-Domain AND ISC"),
])
def test_each_part_has_its_own_licence(path, expected):
    """Code MIT, the course's data and prose CC BY 4.0, the articles their publishers', vendored files their own."""
    assert path in tracked(), f"{path} is not tracked any more: update this test"
    assert licence_of(path) == expected


def test_no_article_is_under_an_open_licence():
    """The third-party articles are never covered by the course's MIT or CC BY licences."""
    articles = [p for p in tracked() if p.startswith("data/articles/")]
    assert len(articles) == 5
    assert {licence_of(p) for p in articles} == {"LicenseRef-Publisher-Copyright"}


def _wheel_sources() -> list[str]:
    """The tracked files the wheel is built from (pyproject.toml's packages and force-include)."""
    wheel = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["hatch"]["build"]["targets"]["wheel"]
    roots = list(wheel["packages"]) + list(wheel.get("force-include", {}))
    return [p for p in tracked() if any(p == r or p.startswith(r.rstrip("/") + "/") for r in roots)]


def test_pyproject_licence_names_exactly_the_wheels_licences():
    """pyproject.toml's SPDX expression is the licences of the files in the wheel, no more, no less,
    and its licence-files are their texts (a new vendored file under a new licence must be added)."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    expression = project["license"]
    assert set(expression.split()) - identifiers(expression) <= {"AND"}, "the wheel holds all of these: join them with AND"
    shipped = set().union(*(identifiers(licence_of(p) or "") for p in _wheel_sources()))
    assert identifiers(expression) == shipped, f"pyproject.toml says {sorted(identifiers(expression))}, the wheel holds {sorted(shipped)}"
    files = set(project["license-files"])
    assert files == {"LICENSE"} | {f"LICENSES/{name}.txt" for name in shipped}
