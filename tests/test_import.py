"""Tests that importing the library stays cheap and its public names are real."""

from __future__ import annotations

import json
import subprocess
import sys

import koreathaw as kt

HEAVY = ("folium", "branca", "ipywidgets", "matplotlib", "jinja2", "nbformat")


def _fresh(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout


def test_import_does_not_load_heavy_packages():
    """import koreathaw loads none of folium, ipywidgets, matplotlib."""
    loaded = json.loads(_fresh("import sys, json, koreathaw; print(json.dumps(sorted(sys.modules)))"))
    assert not [name for name in loaded if name.split(".")[0] in HEAVY]


def test_import_adds_only_own_and_standard_modules_to_pandas():
    """After ``import pandas``, ``import koreathaw`` loads only its own modules and standard-library ones.

    What makes an import cost more than pandas is another third-party package; this
    counts them instead of timing (a timing would depend on how busy the machine is).
    ``make bench`` (figure 2a) measures the time.
    """
    code = ("import sys, json, pandas; before = set(sys.modules); import koreathaw; "
            "print(json.dumps(sorted(set(sys.modules) - before)))")
    added = json.loads(_fresh(code))
    foreign = [m for m in added if m.split(".")[0] not in sys.stdlib_module_names and m.split(".")[0] != "koreathaw"]
    assert foreign == [], f"import koreathaw loads third-party modules beyond pandas: {foreign}"
    own = [m for m in added if m.split(".")[0] == "koreathaw"]
    assert "koreathaw" in own and len(added) - len(own) <= 10, added


def test_all_names_exist_and_are_documented():
    """Every public name is defined and has a docstring a student can read with '?'."""
    for name in kt.__all__:
        obj = getattr(kt, name)
        if callable(obj):
            assert obj.__doc__ and len(obj.__doc__.strip()) > 20, name


def test_no_module_of_the_library_is_over_400_lines():
    """One module per concern, small enough to read: every module of src/koreathaw has at most 400 lines."""
    from pathlib import Path

    src = Path(kt.__file__).resolve().parent
    long = {p.relative_to(src).as_posix(): n for p in src.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}, f"split these modules by concern: {long}"


def test_lazy_public_names_are_exactly_all():
    """Every name of __all__ is found (imported on first use) and listed by dir(); nothing else is public."""
    from koreathaw import _WHERE

    assert set(kt.__all__) == set(_WHERE)
    assert set(kt.__all__) <= set(dir(kt))
    loaded = json.loads(_fresh("import sys, json, koreathaw as kt; kt.load_events; print(json.dumps(sorted(sys.modules)))"))
    assert "koreathaw.events" in loaded and "koreathaw.widgets" not in loaded and "koreathaw.maps" not in loaded
    try:
        kt.no_such_name
    except AttributeError as exc:
        assert "no attribute 'no_such_name'" in str(exc)
    else:
        raise AssertionError("an unknown name must raise AttributeError")
