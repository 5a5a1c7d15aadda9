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


def test_import_cost_close_to_pandas():
    """import koreathaw costs little more than import pandas (median of 3 fresh interpreters)."""
    def cost(module: str) -> float:
        code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
        return sorted(float(_fresh(code)) for _ in range(3))[1]

    pandas_cost = cost("pandas")
    assert cost("koreathaw") < pandas_cost + 0.25


def test_all_names_exist_and_are_documented():
    """Every public name is defined and has a docstring a student can read with '?'."""
    for name in kt.__all__:
        obj = getattr(kt, name)
        if callable(obj):
            assert obj.__doc__ and len(obj.__doc__.strip()) > 20, name
