"""The benchmark's own arithmetic and probes (``benchmarks/``): ``make bench`` is not run here."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", REPO / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    helpers = [str(REPO / "tests" / "assignments"), str(REPO / "benchmarks")]
    sys.path[:0] = helpers
    try:
        spec.loader.exec_module(module)
    finally:
        for path in helpers:
            sys.path.remove(path)
    return module


def _record(name: str, seconds: float, loaded=(), errors=()):
    return {"notebook": name, "seconds": seconds, "loaded": list(loaded), "errors": list(errors)}


def test_decompose_splits_the_time_into_floor_components_and_own_work():
    run = _load("run")
    f1 = {"bare_kernel_s": 9.9,  # ignored: the interleaved plain kernels are the reference
          "components": {"pandas": [1.0, 1.0], "matplotlib.pyplot": [1.5, 1.5], "folium": [1.3],
                         "error": [1.2], "pandas error": [2.0]},
          "per_notebook": [
              _record("a.ipynb", 2.0, loaded=["matplotlib.pyplot"], errors=[{"ename": "KeyError", "through_pandas": True}]),
              _record("b.ipynb", 1.6, loaded=["folium"]),
              _record("c.ipynb", 1.1, errors=[{"ename": "ValueError", "through_pandas": False}]),
          ]}
    d = run.decompose(f1)
    assert d["bare"] == 1.0
    assert d["cost"] == pytest.approx({"matplotlib.pyplot": 0.5, "folium": 0.3, "error": 0.2, "pandas error": 1.0})
    # a: 1.0 + 0.5 + 1.0 = 2.5 predicted, 2.0 measured -> -0.5; b: 1.3 -> +0.3; c: 1.2 -> -0.1
    assert [r["own_work"] for r in d["rows"]] == pytest.approx([-0.5, 0.3, -0.1])
    assert d["own_work"] == pytest.approx(-0.3)
    assert d["parts"]["pandas error"]["notebooks"] == ["a"]
    assert d["parts"]["error"]["notebooks"] == ["c"]
    # floor + components + own work add up to the measured total
    assert d["n"] * d["bare"] + sum(p["seconds"] for p in d["parts"].values()) + d["own_work"] == pytest.approx(d["total"])
    assert d["content_floor"] == pytest.approx(3.0 + 0.5 + 1.0 + 0.3 + 0.2)
    # 1.5 x 3.0 = 4.5 s allowed; the content floor 5.0 s leaves nothing; then a goal that leaves 1.0 s
    assert "allows 4.5 s" in run.budget_sentence(d) and "leaves nothing" in run.budget_sentence(d)
    assert "leaves 1.0 s for the lessons' own work, 0.33 s a notebook, which took -0.3 s" in run.budget_sentence(d, goal=2.0)


@pytest.mark.slow
def test_nbexec_probe_reports_heavy_imports_and_errors(tmp_path):
    nbexec = _load("nbexec")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import ipywidgets"),
                nbformat.v4.new_code_cell("import pandas\npandas.DataFrame(index=['a']).loc['b']"),
                nbformat.v4.new_code_cell("raise ValueError('shallow')")]
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, path)
    rec = nbexec.execute(str(path), keep=str(tmp_path / "kept"), probe=True)
    assert rec["error"] == ""
    assert rec["loaded"] == ["ipywidgets"]
    assert [(e["ename"], e["through_pandas"]) for e in rec["errors"]] == [("KeyError", True), ("ValueError", False)]
    kept = nbformat.read(tmp_path / "kept" / "probe.ipynb", as_version=4)
    assert len(kept.cells) == 3, "the probe cell must not stay in the executed notebook"


def test_render_reports_the_ten_thousand_event_map_against_its_target():
    """Figure 4 has a row for the 10,000-event map: its build + render time against the 10 s target."""
    run = _load("run")
    data = {"machine": {"date": "today", "cores": 2, "cpu": "x", "memory": "1 GiB", "python": "3", "nbgrader": "0",
                        "nbclient": "0", "pandas": "3", "load_start": (0.0, 0.0, 0.0)},
            "repeats": 1, "baseline_repeats": 1,
            "fig4": {"maps": {"present": True, "maps": {},
                              "big": {"events": 10_000, "build_s": 1.0, "render_s": 0.5, "total_s": 1.5,
                                      "notebook_output_bytes": 12 * 1024 * 1024, "clusters": 10}}}}
    row = next(line for line in run.render(data).splitlines() if "10,000 events" in line)
    assert "1.50 s (build 1.00 s, render 0.50 s)" in row and "12.00 MiB" in row and "0.15×" in row


def test_typed_tables_code_types_every_table_as_the_loaders_do():
    """Figure 2's lower bound does the typing work it claims: the same rows and column types as the checked tables."""
    import koreathaw as kt
    from koreathaw import _files

    loads = _load("loads")
    root = kt.data_dir()
    scope: dict = {}
    exec(loads.typed_tables_code(str(root), sorted(str(p) for p in root.rglob("*.txt"))), scope)
    tables = scope["tables"]
    names = [r["name"] for r in _files.descriptor(root)["resources"]]
    assert sorted(tables) == sorted(names)
    for name in names:
        checked = _files.frame(name, _files.read_records(name, root)[1], root)
        typed = tables[name]
        assert list(typed.columns) == list(checked.columns), name
        assert len(typed) == len(checked) > 0, name
        for column in checked.columns:
            kind = checked[column].dtype.kind
            if kind in "Mif":  # dates, integers, numbers: the conversions the bound pays for
                assert typed[column].dtype.kind == kind, (name, column)
                assert typed[column].equals(checked[column].astype(typed[column].dtype)), (name, column)


def test_cache_best_case_hashes_every_input_and_returns_the_loaders_tables(tmp_path):
    """Figure 2's cache bound reads what a content-addressed key must read and gives back the checked tables."""
    import hashlib

    import koreathaw as kt
    import pandas as pd

    loads = _load("loads")
    root, loaders = kt.data_dir(), ["articles", "places", "names", "events"]
    exec(loads.cache_fill_code(str(tmp_path), loaders), {})
    scope: dict = {}
    exec(loads.cached_tables_code(str(root), str(tmp_path), loaders), scope)
    for name in loaders:
        pd.testing.assert_frame_equal(scope["tables"][name], getattr(kt, "load_" + name)())
    inputs = [p for p in sorted(root.rglob("*")) if p.is_file()]
    inputs += sorted(Path(kt.__file__).parent.glob("*.py"))
    assert len(inputs) > 15 and any(p.suffix == ".txt" for p in inputs)
    key = hashlib.sha256()
    for p in inputs:
        key.update(p.read_bytes())
    assert scope["key"].hexdigest() == key.hexdigest()


def test_instruction_counts_are_skipped_without_valgrind_and_rendered_with_it(monkeypatch):
    loads = _load("loads")
    monkeypatch.setattr(loads.shutil, "which", lambda name: None)
    assert loads.instructions({"a": "pass"}) == {}
    run = _load("run")
    times = {k: [1.0] for k in ("import pandas", "import koreathaw", "pandas + read_csv", "koreathaw + load all",
                                "typed, no checks", "cache, best case")}
    data = {"machine": {"cores": 2, "cpu": "x", "memory": "1 GiB", "python": "3", "nbgrader": "0", "nbclient": "0",
                        "pandas": "3", "date": "today", "load_start": [0.0, 0.0, 0.0]}, "repeats": 1, "baseline_repeats": 1,
            "fig2": {"times": times, "loaders": ["events"], "csv": ["events.csv"], "texts": 5,
                     "instructions": {"import pandas": [990_000_000] * 3,
                                      "pandas + read_csv": [1_000_000_000, 990_000_000, 1_020_000_000],
                                      "koreathaw + load all": [1_080_000_000] * 3,
                                      "typed, no checks": [1_010_000_000] * 3, "cache, best case": [1_005_000_000] * 3}}}
    table = run.render(data)
    assert "| 1,080.0 M (1,080.0–1,080.0) | 1,000.0 M (990.0–1,020.0) | **1.080×** |" in table
    assert "| 2b, counted: the same, in instructions | 1,010.0 M (1,010.0–1,010.0) | 1,000.0 M (990.0–1,020.0) | 1.010× |" in table
    assert "| 2d, counted: the same, in instructions | 1,005.0 M (1,005.0–1,005.0) | 1,000.0 M (990.0–1,020.0) | 1.005× |" in table
    assert "`import pandas` alone, the floor without its reading" in table and "| 0.990× |" in table
    # a run saved before the repeats holds one count per command
    data["fig2"]["instructions"] = {"pandas + read_csv": 1_000_000_000, "koreathaw + load all": 1_080_000_000}
    assert "| 1,080.0 M | 1,000.0 M | **1.080×** |" in run.render(data)
    del data["fig2"]["instructions"]
    assert "callgrind" not in run.render(data)
