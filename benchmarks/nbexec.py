"""Execute notebooks headless with plain nbclient, on one or more cores: the benchmarks' floor.

    python benchmarks/nbexec.py [--jobs N] [--json OUT] NOTEBOOK...   execute these notebooks
    python benchmarks/nbexec.py [--jobs N] --bare K                   K bare kernels: start + ``import pandas``

The floor is made as low as honest: ``rfc3987_syntax`` (1.5 s of import that
jsonschema makes for a format nbformat never checks) is not imported, as in
fastgrade; ``NBEXEC_FULL_IMPORTS=1`` keeps it. Each notebook runs in a fresh kernel (its own kernelspec, else ``koreathaw``) with
its folder as the working directory, ``allow_errors=True`` (a failing cell is
recorded, not fatal). ``--jobs N`` spreads the notebooks over N worker processes
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


def _bare() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("import pandas"))
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": KERNEL, "language": "python"}
    return nb


def execute(path: str | None, keep: str | None = None) -> dict:
    """Execute one notebook (``None``: a bare kernel + ``import pandas``); return its record."""
    start = time.perf_counter()
    if path is None:
        nb, cwd = _bare(), os.getcwd()
    else:
        nb, cwd = nbformat.read(path, as_version=4), str(Path(path).resolve().parent)
    kernel = nb.metadata.get("kernelspec", {}).get("name") or KERNEL
    client = NotebookClient(nb, kernel_name=kernel, allow_errors=True, timeout=600,
                            resources={"metadata": {"path": cwd}})
    error = ""
    try:
        client.execute()
    except Exception as exc:  # a dead kernel or a timeout: record it, keep going
        error = f"{type(exc).__name__}: {exc}"[:300]
    seconds = time.perf_counter() - start
    text = nbformat.writes(nb)
    if keep and path:
        Path(keep).mkdir(parents=True, exist_ok=True)
        (Path(keep) / Path(path).name).write_text(text, encoding="utf-8")
    errors = sum(1 for c in nb.cells if c.cell_type == "code"
                 for o in c.get("outputs", []) if o.get("output_type") == "error")
    return {"notebook": path or "bare", "seconds": seconds, "bytes": len(text.encode("utf-8")),
            "error_outputs": errors, "error": error, "slowest_cells": slowest_cells(nb)}


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


def run(paths: list[str | None], jobs: int = 1, keep: str | None = None) -> list[dict]:
    """Execute ``paths`` on ``jobs`` processes; return the records in input order."""
    tasks = [(p, keep) for p in paths]
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
    parser.add_argument("--json", help="write the records here (default: stdout)")
    args = parser.parse_args(argv)
    paths: list[str | None] = [None] * args.bare if args.bare else list(args.notebooks)
    records = run(paths, args.jobs, args.keep)
    text = json.dumps(records)
    if args.json:
        Path(args.json).write_text(text, encoding="utf-8")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
