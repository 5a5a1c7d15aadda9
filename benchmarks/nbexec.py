"""Execute notebooks headless with plain nbclient, on one or more cores: the benchmarks' floor.

    python benchmarks/nbexec.py [--jobs N] [--json OUT] NOTEBOOK...   execute these notebooks
    python benchmarks/nbexec.py [--jobs N] --bare K                   K bare kernels: start + ``import pandas``
    python benchmarks/nbexec.py --warmup --bare K --variant A --variant B ...
                                            K rounds of bare kernels, one per variant (see VARIANTS)
    python benchmarks/nbexec.py --probe NOTEBOOK...                 also record the heavy packages each loaded

The floor is made as low as honest: ``rfc3987_syntax`` (1.5 s of import that
jsonschema makes for a format nbformat never checks) is not imported, as in
fastgrade; ``NBEXEC_FULL_IMPORTS=1`` keeps it. Each notebook runs in a fresh kernel (its own kernelspec, else ``koreathaw``) with
its folder as the working directory, ``allow_errors=True`` (a failing cell is
recorded, not fatal); each record lists its error outputs and whether the
traceback runs through pandas' own code. ``--probe`` appends one cell that lists which
of :data:`HEAVY` the kernel has imported (then drops it again, so sizes are not
changed); ``--variant`` runs bare kernels that pay one of those costs on purpose
(several ``--variant`` interleave, round after round; ``--warmup`` first starts one
unrecorded kernel, so no variant pays the process's first kernelspec lookup).
Together they let ``run.py`` split the course's time into its parts. ``--jobs N`` spreads the notebooks over N worker processes
(forked, so the workers pay no second Python start). Prints one JSON record per
notebook (seconds, executed size in bytes, error cells) to ``--json`` or stdout.
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path

# The floor should be the least a run can cost: skip the 1.5 s import jsonschema makes
# of rfc3987_syntax (a parser for "iri" formats nbformat never checks), as fastgrade does.
if os.environ.get("NBEXEC_FULL_IMPORTS") != "1":
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]

import nbformat
from nbclient import NotebookClient

KERNEL = "koreathaw"

#: Third-party packages a lesson may load that a bare kernel does not (each costs a
#: measurable import); ``--probe`` reports which of them a notebook's kernel loaded.
HEAVY = ("matplotlib.pyplot", "folium", "ipywidgets")
_PROBE = f"import json as _j, sys as _s\nprint('PROBE' + _j.dumps([m for m in {HEAVY!r} if m in _s.modules]))"

#: Bare kernels that pay one cost on purpose: the components of the course's time.
VARIANTS: dict[str, list[str]] = {
    "pandas": ["import pandas"],
    "matplotlib.pyplot": ["import pandas", "import matplotlib.pyplot"],
    "folium": ["import pandas", "import folium"],
    "ipywidgets": ["import pandas", "import ipywidgets"],
    # the first traceback a kernel shows: a shallow one, and one through pandas' own code
    "error": ["import pandas", "raise ValueError('a shallow error')"],
    "pandas error": ["import pandas", "pandas.DataFrame(index=['a']).loc['b']"],
}


def _bare(variant: str = "pandas") -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells.extend(nbformat.v4.new_code_cell(code) for code in VARIANTS[variant])
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": KERNEL, "language": "python"}
    return nb


def _errors(nb: nbformat.NotebookNode) -> list[dict]:
    """The error outputs of an executed notebook: name, and whether the traceback enters pandas."""
    return [{"ename": o.get("ename", ""),
             "through_pandas": any(f"{os.sep}pandas{os.sep}" in line for line in o.get("traceback", []))}
            for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]


def _take_probe(nb: nbformat.NotebookNode) -> list[str] | None:
    """Remove the probe cell appended by ``execute(probe=True)``; return what it printed."""
    cell = nb.cells.pop()
    for out in cell.get("outputs", []):
        text = out.get("text", "")
        if out.get("output_type") == "stream" and text.startswith("PROBE"):
            return json.loads(text[len("PROBE"):])
    return None


def execute(path: str | None, keep: str | None = None, probe: bool = False, variant: str = "pandas") -> dict:
    """Execute one notebook (``None``: a bare kernel running ``VARIANTS[variant]``); return its record."""
    start = time.perf_counter()
    if path is None:
        nb, cwd = _bare(variant), os.getcwd()
    else:
        nb, cwd = nbformat.read(path, as_version=4), str(Path(path).resolve().parent)
    if probe:
        nb.cells.append(nbformat.v4.new_code_cell(_PROBE))
    kernel = nb.metadata.get("kernelspec", {}).get("name") or KERNEL
    client = NotebookClient(nb, kernel_name=kernel, allow_errors=True, timeout=600,
                            resources={"metadata": {"path": cwd}})
    error = ""
    try:
        client.execute()
    except Exception as exc:  # a dead kernel or a timeout: record it, keep going
        error = f"{type(exc).__name__}: {exc}"[:300]
    seconds = time.perf_counter() - start
    loaded = _take_probe(nb) if probe else None
    text = nbformat.writes(nb)
    if keep and path:
        Path(keep).mkdir(parents=True, exist_ok=True)
        (Path(keep) / Path(path).name).write_text(text, encoding="utf-8")
    errors = _errors(nb)
    return {"notebook": path or f"bare:{variant}", "seconds": seconds, "bytes": len(text.encode("utf-8")),
            "error_outputs": len(errors), "errors": errors, "loaded": loaded, "error": error,
            "slowest_cells": slowest_cells(nb)}


def _stamp(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def slowest_cells(nb, keep: int = 3) -> list[dict]:
    """The ``keep`` slowest code cells, from the timings nbclient records in each cell's metadata."""
    rows = []
    for index, cell in enumerate(nb.cells):
        timing = cell.get("metadata", {}).get("execution", {})
        begin = timing.get("iopub.execute_input") or timing.get("shell.execute_reply.started")
        end = timing.get("shell.execute_reply")
        if cell.cell_type != "code" or not (begin and end):
            continue
        errors = [o.get("ename") for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        first = next((line for line in cell.source.splitlines() if line.strip()), "")
        rows.append({"cell": index, "seconds": (_stamp(end) - _stamp(begin)).total_seconds(),
                     "first_line": first[:80], "error": errors[0] if errors else ""})
    rows.sort(key=lambda r: -r["seconds"])
    return rows[:keep]


def _execute_star(args):
    return execute(*args)


def run(paths: list[str | None], jobs: int = 1, keep: str | None = None, probe: bool = False,
        variants: list[str] | None = None) -> list[dict]:
    """Execute ``paths`` on ``jobs`` processes; return the records in input order.

    A ``None`` path is a bare kernel; the bare kernels cycle through ``variants``.
    """
    cycle = variants or ["pandas"]
    tasks = [(p, keep, probe, cycle[i % len(cycle)]) for i, p in enumerate(paths)]
    if jobs <= 1 or len(paths) <= 1:
        return [execute(*t) for t in tasks]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(min(jobs, len(paths))) as pool:
        return pool.map(_execute_star, tasks, chunksize=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--bare", type=int, default=0, help="run this many bare kernels instead")
    parser.add_argument("--keep", help="write the executed notebooks into this folder")
    parser.add_argument("--probe", action="store_true", help="record which heavy packages each kernel loaded")
    parser.add_argument("--variant", action="append", choices=sorted(VARIANTS),
                        help="what the bare kernels run (repeatable: interleaved; default pandas)")
    parser.add_argument("--warmup", action="store_true", help="start one unrecorded bare kernel first")
    parser.add_argument("--json", help="write the records here (default: stdout)")
    args = parser.parse_args(argv)
    variants = args.variant or ["pandas"]
    paths: list[str | None] = [None] * (args.bare * len(variants)) if args.bare else list(args.notebooks)
    if args.warmup:
        execute(None)
    records = run(paths, args.jobs, args.keep, args.probe, variants)
    text = json.dumps(records)
    if args.json:
        Path(args.json).write_text(text, encoding="utf-8")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
