"""How long autograding one submission takes, against a bare kernel start.

``PYTHONPATH=tools .venv/bin/python -m grading.timing [N]`` builds a private copy
of the course in a temporary folder, submits the model solution of a1-sources
for N students (default 8), grades them with the course driver (one process, one
student after another) and prints, side by side:

* bare kernel start: start the course kernel, wait until it answers, shut it down;
* kernel start + ``import koreathaw`` + loading the tables the assignment uses;
* the driver's seconds per submission in the batch (median);
* stock ``nbgrader autograde`` run once for the whole batch, per submission.

It is a measurement for the closing note of issue 6 and a starting point for
the benchmarks of issue 8, not a test.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def bare_kernel_start(code: str | None = None) -> float:
    from jupyter_client.manager import start_new_kernel

    start = time.perf_counter()
    km, kc = start_new_kernel(kernel_name="koreathaw")
    if code:
        kc.execute_interactive(code, timeout=60, output_hook=lambda msg: None)
    km.shutdown_kernel(now=True)
    kc.stop_channels()
    return time.perf_counter() - start


def main(n: int = 8) -> None:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        shutil.copytree(REPO / "assignments" / "source", base / "assignments" / "source")
        shutil.copy(REPO / "assignments" / "nbgrader_config.py", base / "assignments")
        shutil.copytree(REPO / "tools" / "grading", base / "tools" / "grading", ignore=shutil.ignore_patterns("__pycache__"))
        env["PYTHONPATH"] = str(base / "tools")
        root = base / "assignments"
        run = lambda *a: subprocess.run(list(a), cwd=root, env=env, check=True, capture_output=True, text=True)  # noqa: E731
        run(sys.executable, "-m", "grading", "--course", str(root), "release", "a1-sources")
        sys.path.insert(0, str(REPO / "tests" / "assignments"))
        from gradingkit import read, solved, write

        good = solved(read(root / "release/a1-sources/a1-sources.ipynb"), read(root / "source/a1-sources/a1-sources.ipynb"))
        for i in range(n):
            write(good, root / "submitted" / f"s{i:03d}" / "a1-sources" / "a1-sources.ipynb")

        kernels = [bare_kernel_start() for _ in range(5)]
        loaded = [bare_kernel_start("import koreathaw as kt; _a = kt.load_articles(); _n = kt.load_names()") for _ in range(5)]

        start = time.perf_counter()
        run(sys.executable, "-m", "grading", "--course", str(root), "autograde", "a1-sources")
        driver_total = time.perf_counter() - start
        per = [json.loads(p.read_text())["seconds"] for p in (root / "reports" / "a1-sources").glob("*.json")]

        start = time.perf_counter()
        run(str(Path(sys.executable).parent / "nbgrader"), "autograde", "a1-sources", "--force")
        stock_total = time.perf_counter() - start

    print(f"load average: {os.getloadavg()[0]:.1f}")
    print(f"submissions: {n} (a1-sources model solution, 6 code cells), {os.cpu_count()} cores")
    print(f"bare kernel start (median of 5):            {statistics.median(kernels):.2f} s")
    print(f"kernel start + import koreathaw + load:     {statistics.median(loaded):.2f} s")
    print(f"driver, per submission in a batch (median): {statistics.median(per):.2f} s")
    print(f"driver, whole batch incl. start-up:         {driver_total:.1f} s = {driver_total / n:.2f} s per submission")
    print(f"stock nbgrader autograde, whole batch:      {stock_total:.1f} s = {stock_total / n:.2f} s per submission")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 8)
