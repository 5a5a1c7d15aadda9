"""Figure 2 of ``make bench``: ``import koreathaw`` + every loader against ``import pandas`` + ``read_csv``.

Each command runs in a fresh interpreter, timed (wall clock, repeated, alternating
order) and counted in instructions with valgrind's callgrind (three fresh processes
each; machine load does not change a count). Beside the loaders and their floor, two
bounds that tell what any loader could reach:

- **typed, no checks** (:func:`typed_tables_code`): the same tables read with the csv
  module and typed as ``datapackage.json`` declares (dates, integers, numbers), with no
  check, join or index: a lower bound for any loader that reads the CSV files;
- **a cache's best case** (:func:`cached_tables_code`): what a disk cache of the checked
  tables would cost at the least: ``import koreathaw``, every input hashed (each file of
  the data package and each top-level module of the library, which holds the loaders and
  all they import: the least a content-addressed key must read) and the four tables
  unpickled. Not built into the library; measured so that the
  choice not to build it rests on a number.

Used by ``run.py``; knows nothing of the other figures.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from common import PY, child_env, log, median, timed

#: Fresh processes counted per command: the median is reported, with the spread.
COUNT_REPEATS = 3
#: The commands counted in instructions (the others are only timed).
COUNTED = ("import pandas", "pandas + read_csv", "koreathaw + load all", "typed, no checks", "cache, best case")


def typed_tables_code(root: str, texts: list[str]) -> str:
    """Python code that reads every table of the data package typed as it declares, with no check at all.

    A lower bound for any loader of figure 2: the csv module, one DataFrame per table, and the
    declared dates, integers and numbers converted; no cell, key or quote checked, no join, no
    index. Leaves the tables in ``tables`` (name -> DataFrame) and reads the texts.
    """
    return ("import csv, json, pathlib, pandas as pd\n"
            f"d, tables = pathlib.Path({root!r}), {{}}\n"
            "for r in json.loads((d / 'datapackage.json').read_text(encoding='utf-8'))['resources']:\n"
            "    with open(d / r['path'], newline='', encoding='utf-8-sig') as fh: rows = list(csv.reader(fh))\n"
            "    t = tables[r['name']] = pd.DataFrame(dict(zip(rows[0], map(list, zip(*rows[1:])))))\n"
            "    for f in r['schema']['fields']:\n"
            "        c, k = f['name'], f.get('type', 'string')\n"
            "        if k == 'date': t[c] = pd.to_datetime(t[c].replace('', None))\n"
            "        elif k == 'integer': t[c] = t[c].astype('int64')\n"
            "        elif k == 'number': t[c] = t[c].astype('float64')\n"
            f"for p in {texts!r}: pathlib.Path(p).read_text(encoding='utf-8')")


def cache_fill_code(cache: str, loaders: list[str]) -> str:
    """Python code that pickles every loader's checked table into ``cache`` (``<name>.pickle``)."""
    return ("import pathlib, pickle, koreathaw as kt\n"
            f"for n in {loaders!r}:\n"
            f"    (pathlib.Path({cache!r}) / (n + '.pickle')).write_bytes(pickle.dumps(getattr(kt, 'load_' + n)(), protocol=5))")


def cached_tables_code(root: str, cache: str, loaders: list[str]) -> str:
    """Python code that does the least a disk cache of the checked tables must do on a hit.

    ``import koreathaw``; a SHA-256 key over every file of the data package and every top-level
    module of the library, the loaders and all they import (a cache keyed on less would serve
    stale tables after an edit; ``koreathaw.maps`` makes no table); then one pickle per loader
    unpickled. Leaves the key in ``key`` and the tables in ``tables``.
    """
    return ("import hashlib, pathlib, pickle, koreathaw\n"
            "key = hashlib.sha256()\n"
            f"for p in [*sorted(pathlib.Path({root!r}).rglob('*')), *sorted(pathlib.Path(koreathaw.__file__).parent.glob('*.py'))]:\n"
            "    if p.is_file(): key.update(p.read_bytes())\n"
            "tables = {}\n"
            f"for n in {loaders!r}:\n"
            f"    with open(pathlib.Path({cache!r}) / (n + '.pickle'), 'rb') as fh: tables[n] = pickle.load(fh)")


def figure2(repeats: int) -> dict[str, Any]:
    """Time every command ``repeats`` times (fresh interpreters, alternating order) and count the main ones."""
    env = child_env()
    probe = subprocess.run([PY, "-c", (
        "import json, koreathaw as kt\n"
        "from koreathaw import _files\n"
        "d = kt.data_dir(); desc = _files.descriptor()\n"
        "res = [(r['name'], str(d / r['path'])) for r in desc['resources']]\n"
        "print(json.dumps({'root': str(d), 'tables': res, 'loaders': [n for n, _ in res if hasattr(kt, 'load_' + n)],"
        " 'texts': sorted(str(p) for p in d.rglob('*.txt'))}))")],
        capture_output=True, text=True, env=env, check=True)
    info = json.loads(probe.stdout)
    loads = "; ".join(f"kt.load_{n}()" for n in info["loaders"])
    csvs = [p for _, p in info["tables"]]
    with tempfile.TemporaryDirectory(prefix="koreathaw-cache-") as cache:
        timed([PY, "-c", cache_fill_code(cache, info["loaders"])], env=env)
        cmds = {
            "import pandas": "import pandas",
            "import koreathaw": "import koreathaw",
            "pandas + read_csv": ("import pandas as pd, pathlib\n"
                                  f"for p in {csvs!r}: pd.read_csv(p)\n"
                                  f"for p in {info['texts']!r}: pathlib.Path(p).read_text(encoding='utf-8')"),
            "koreathaw + load all": f"import koreathaw as kt; {loads}",
            "typed, no checks": typed_tables_code(info["root"], info["texts"]),
            "cache, best case": cached_tables_code(info["root"], cache, info["loaders"]),
            "grader start-up": "import nbgrader.apps, nbgrader.api",
            "grader start-up, trimmed": "import sys; sys.modules['rfc3987_syntax'] = None; import nbgrader.apps, nbgrader.api",
        }
        log(f"figure 2: {len(cmds)} commands x {repeats}")
        times: dict[str, list[float]] = {k: [] for k in cmds}
        for r in range(repeats):
            for name in (list(cmds) if r % 2 == 0 else list(cmds)[::-1]):
                times[name].append(timed([PY, "-c", cmds[name]], env=env))
        counts = instructions({k: cmds[k] for k in COUNTED})
    return {"times": times, "loaders": info["loaders"], "csv": [Path(p).name for p in csvs],
            "texts": len(info["texts"]), "instructions": counts}


def instructions(cmds: dict[str, str], repeats: int = COUNT_REPEATS) -> dict[str, list[int]]:
    """Count the instructions of each command in ``repeats`` fresh interpreters ({} without valgrind).

    Unlike wall-clock time a count does not change with the machine's load; it still moves by
    a per cent or two between processes (memory layout, the allocator), hence the repeats.
    The processes run as many at a time as there are cores (the counts do not care).
    """
    if not shutil.which("valgrind"):
        log("figure 2: valgrind is not installed, no instruction counts")
        return {}
    log(f"figure 2: counting instructions of {len(cmds)} commands x {repeats} with callgrind")
    runs = [(name, i) for i in range(repeats) for name in cmds]
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        def count(run: tuple[str, int]) -> int:
            name, i = run
            proc = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/{list(cmds).index(name)}-{i}.out",
                                   PY, "-c", cmds[name]], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                  env=child_env() | {"PYTHONHASHSEED": "0"})
            found = [line.split("Collected :")[1] for line in proc.stderr.splitlines() if "Collected :" in line]
            if proc.returncode != 0 or not found:
                raise RuntimeError(f"callgrind failed on {name!r}: {proc.stderr[-500:]}")
            return int(found[-1].strip())
        results = list(pool.map(count, runs))
    counts: dict[str, list[int]] = {name: [] for name in cmds}
    for (name, _), n in zip(runs, results):
        counts[name].append(n)
    return counts


def _count(counts: dict[str, Any], name: str) -> tuple[float, str]:
    """The median count of ``name`` and its spread as text (a saved run may hold one count, not a list)."""
    values = counts[name] if isinstance(counts[name], list) else [counts[name]]
    spread = f" ({min(values) / 1e6:,.1f}–{max(values) / 1e6:,.1f})" if len(values) > 1 else ""
    return median(values), spread


def render(f2: dict[str, Any]) -> list[str]:
    """Figure 2's rows of the results table."""
    t = {k: median(v) for k, v in f2["times"].items()}
    floor_t = t["pandas + read_csv"]
    lines = [f"| 2. `import koreathaw` + {len(f2['loaders'])} loaders ({', '.join(f2['loaders'])}) | "
             f"{t['koreathaw + load all']:.3f} s | {floor_t:.3f} s (`import pandas` + read_csv of "
             f"{len(f2['csv'])} CSVs + {f2['texts']} texts) | **{t['koreathaw + load all'] / floor_t:.2f}×** |"]
    counts = f2.get("instructions") or {}
    floor_n, floor_spread = _count(counts, "pandas + read_csv") if counts else (0.0, "")
    if counts:
        n, s = _count(counts, "koreathaw + load all")
        runs = len(counts["pandas + read_csv"]) if isinstance(counts["pandas + read_csv"], list) else 1
        lines.append(f"| 2, counted: the same two, in instructions (valgrind's callgrind, median of {runs} fresh "
                     f"process{'es' if runs > 1 else ''} each, min–max in brackets; machine load does not change it) | "
                     f"{n / 1e6:,.1f} M{s} | {floor_n / 1e6:,.1f} M{floor_spread} | **{n / floor_n:.3f}×** |")
    lines.append(f"| 2a. `import koreathaw` alone | {t['import koreathaw']:.3f} s | {t['import pandas']:.3f} s "
                 f"(`import pandas`) | {t['import koreathaw'] / t['import pandas']:.2f}× |")
    if "import pandas" in counts:
        n, s = _count(counts, "import pandas")
        lines.append(f"| 2a, counted: `import pandas` alone, the floor without its reading (what is left for any "
                     f"loader: the floor's read_csv and texts) | {n / 1e6:,.1f} M{s} | {floor_n / 1e6:,.1f} M{floor_spread} "
                     f"| {n / floor_n:.3f}× |")

    def bound(name: str, label: str) -> None:
        """A bound's timed row, and its counted row when counted."""
        if name in t:
            lines.append(f"| {label} | {t[name]:.3f} s | {floor_t:.3f} s (as row 2) | {t[name] / floor_t:.2f}× |")
        if name in counts:
            n, s = _count(counts, name)
            lines.append(f"| {label.split('.')[0]}, counted: the same, in instructions | {n / 1e6:,.1f} M{s} | "
                         f"{floor_n / 1e6:,.1f} M{floor_spread} | {n / floor_n:.3f}× |")

    bound("typed, no checks", "2b. the same tables typed as the data package declares, with no check, join or index "
                              "at all (csv module + DataFrame + dates, integers, numbers): a lower bound for any "
                              "loader that reads the CSV files")
    if "grader start-up" in t:
        start, trimmed = t["grader start-up"], t["grader start-up, trimmed"]
        lines.append(f"| 2c. a grader process starting: `import nbgrader.apps, nbgrader.api` | before {start:.2f} s, "
                     f"after (no `rfc3987_syntax`) {trimmed:.2f} s | {t['import pandas']:.3f} s (`import pandas`) | "
                     f"{start / t['import pandas']:.1f}× → {trimmed / t['import pandas']:.1f}× |")
    bound("cache, best case", "2d. a disk cache's best case, not built: `import koreathaw`, every file of the data "
                              "package and every top-level module of the library (the loaders and all they import) "
                              "hashed (the least a content-addressed key must read), the four checked tables unpickled")
    return lines
