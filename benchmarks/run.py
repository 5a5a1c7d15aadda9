"""The course against its floor: ``make bench`` (see benchmarks/RESULTS.md for the method).

Four figures, each measured side by side with its floor in one run, repeated,
medians reported:

1. the whole course (every lesson + every assignment's model solution) executed
   headless, one after another, against as many bare kernels (start +
   ``import pandas``);
2. ``import koreathaw`` + loading every table against ``import pandas`` +
   ``pandas.read_csv`` of the same files (fresh interpreters);
3. autograding N submissions (model solutions, blank releases, partly wrong
   answers) against executing the same N notebooks with plain nbclient on every
   core; the fast path (``koreathaw-grade autograde``) and the stock ways;
4. the size of the largest inline and linked map and of the largest executed notebook;
   the time to build and render an event map of 10,000 (made-up) events.

Writes the table between the markers of ``benchmarks/RESULTS.md`` and the raw
numbers to ``benchmarks/last-run.json`` (neither with ``BENCH_NO_WRITE=1``). Environment knobs: ``BENCH_N`` (40),
``BENCH_REPEATS`` (3), ``BENCH_BASELINE_REPEATS`` (1), ``BENCH_ASSIGNMENT``
(first assignment), ``BENCH_FIGURES`` (1,2,3,4), ``BENCH_BASELINES``
("unsandboxed,driver,serial,shards,per-student"; also "jobs+1"), ``BENCH_JOBS`` (all cores).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "assignments"))  # compare, samples
sys.path.insert(0, str(Path(__file__).resolve().parent))  # the figures' modules beside this one

import grading  # noqa: E402  (benchmarks: figure 3)
import loads  # noqa: E402  (benchmarks: figure 2)
from common import BENCH, PY, REPO, child_env, env_int, kb, log, median, spread, timed  # noqa: E402
from koreathaw_grading.pool import default_jobs  # noqa: E402

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
#: Issue 15's goal for figure 1: the whole course within this ratio of the bare-kernel floor.
GOAL_FIGURE1 = 1.5


def machine() -> dict[str, Any]:
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import nbclient
    import nbgrader
    import pandas

    return {"cores": default_jobs(), "cpu": cpu, "memory": mem, "python": platform.python_version(),
            "nbgrader": nbgrader.__version__, "nbclient": nbclient.__version__, "pandas": pandas.__version__,
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "load_start": os.getloadavg()}


# ------------------------------------------------------------------------- figure 1
def course_notebooks() -> list[Path]:
    lessons = sorted((REPO / "notebooks").glob("*.ipynb"))
    models = sorted((REPO / "assignments" / "source").glob("*/*.ipynb"))
    return [p for p in lessons + models if ".ipynb_checkpoints" not in p.parts]


#: The components of figure 1 measured on their own (``nbexec.VARIANTS``), and how many
#: rounds (one bare kernel per component, and one plain ``pandas`` kernel) each repeat runs.
COMPONENTS = ("matplotlib.pyplot", "folium", "ipywidgets", "error", "pandas error")
COMPONENT_ROUNDS = 2


def figure1(repeats: int, work: Path) -> dict[str, Any]:
    notebooks = course_notebooks()
    log(f"figure 1: {len(notebooks)} notebooks, {repeats} repeats")
    course_t, floor_t, per_nb, bare_s = [], [], {}, []
    keep = work / "executed"
    for r in range(repeats):
        out, bare = work / f"fig1-{r}.json", work / f"bare-{r}.json"
        runs = [("course", [PY, str(BENCH / "nbexec.py"), "--probe", "--json", str(out), "--keep", str(keep),
                            *map(str, notebooks)]),
                ("floor", [PY, str(BENCH / "nbexec.py"), "--bare", str(len(notebooks)), "--json", str(bare)])]
        for name, cmd in (runs if r % 2 == 0 else runs[::-1]):
            seconds = timed(cmd)
            (course_t if name == "course" else floor_t).append(seconds)
        for rec in json.loads(out.read_text()):
            per_nb.setdefault(Path(rec["notebook"]).relative_to(REPO).as_posix(), []).append(rec)
        bare_s += [b["seconds"] for b in json.loads(bare.read_text())]
    table = []
    for name, recs in per_nb.items():
        table.append({"notebook": name, "seconds": median([x["seconds"] for x in recs]),
                      "bytes": max(x["bytes"] for x in recs), "error_outputs": recs[-1]["error_outputs"],
                      "errors": recs[-1].get("errors", []), "loaded": recs[-1].get("loaded") or [],
                      "error": recs[-1]["error"], "slowest_cells": recs[-1].get("slowest_cells", [])})
    table.sort(key=lambda x: -x["seconds"])
    # Each component on its own: bare kernels that pay exactly that cost, side by side.
    # Interleaved in one process per repeat, after one warm-up kernel, with plain bare
    # kernels among them: each component is compared with bare kernels run alike.
    log(f"figure 1: components {', '.join(COMPONENTS)}")
    variants = ("pandas", *COMPONENTS)
    components: dict[str, list[float]] = {c: [] for c in variants}
    for r in range(repeats):
        out = work / f"components-{r}.json"
        order = variants if r % 2 == 0 else variants[::-1]
        timed([PY, str(BENCH / "nbexec.py"), "--warmup", "--bare", str(COMPONENT_ROUNDS),
               *(a for c in order for a in ("--variant", c)), "--json", str(out)])
        for x in json.loads(out.read_text()):
            components[x["notebook"].split(":", 1)[1]].append(x["seconds"])
    return {"notebooks": len(notebooks), "course_s": course_t, "floor_s": floor_t, "per_notebook": table,
            "bare_kernel_s": median(bare_s), "bare_kernel_samples": bare_s, "components": components}


def decompose(f1: dict[str, Any]) -> dict[str, Any]:
    """Split the course's per-notebook time into the floor, the components each notebook pays, and the rest.

    A notebook pays ``import X`` for every heavy package its kernel loaded (probe), and
    for its first traceback: the one through pandas if any of its errors enters pandas,
    else a shallow one. Each cost is its component kernel's median minus the bare
    kernel's median. What is left is the course's own work: the library calls, the other
    cells and their outputs.
    """
    comps = f1.get("components", {})
    bare = median(comps["pandas"]) if comps.get("pandas") else f1["bare_kernel_s"]
    cost = {c: median(v) - bare for c, v in comps.items() if v and c != "pandas"}
    parts: dict[str, dict[str, Any]] = {c: {"notebooks": [], "seconds": 0.0} for c in cost}
    rest, total = 0.0, 0.0
    rows = []
    for rec in f1["per_notebook"]:
        paid = [m for m in rec["loaded"] if m in cost]
        errors = rec.get("errors", [])
        if errors:
            paid.append("pandas error" if any(e["through_pandas"] for e in errors) else "error")
        predicted = bare + sum(cost[c] for c in paid if c in cost)
        for c in paid:
            if c in parts:
                parts[c]["notebooks"].append(Path(rec["notebook"]).stem)
                parts[c]["seconds"] += cost[c]
        rest += rec["seconds"] - predicted
        total += rec["seconds"]
        rows.append({"notebook": rec["notebook"], "seconds": rec["seconds"], "paid": paid,
                     "own_work": rec["seconds"] - predicted})
    n = len(f1["per_notebook"])
    content_floor = n * bare + sum(p["seconds"] for p in parts.values())
    return {"bare": bare, "cost": cost, "parts": parts, "own_work": rest, "total": total, "n": n,
            "content_floor": content_floor, "rows": rows}


# ------------------------------------------------------------------------- figure 4
MAPS_PROBE = r"""
import json, os, sys, tempfile
out = {"present": False}
try:
    from koreathaw import maps
except ImportError as exc:
    print(json.dumps({"present": False, "why": str(exc)})); sys.exit(0)
out["present"], sizes = True, {}
def folder_bytes(d):
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(d) for f in fs)
for name in ("places_map", "events_map", "subset_map"):
    fn = getattr(maps, name, None)
    if fn is None:
        continue
    try:
        m = fn()
        rec = {"notebook_output_bytes": len(m._repr_html_().encode("utf-8"))}
        d = tempfile.mkdtemp()
        rec["inline_file_bytes"] = os.path.getsize(maps.save_map(m, os.path.join(d, "inline.html"), assets="inline"))
        d = tempfile.mkdtemp()
        page = maps.save_map(m, os.path.join(d, "linked.html"), assets="linked")
        rec["linked_html_bytes"] = os.path.getsize(page)
        rec["linked_total_bytes"] = folder_bytes(d)
    except Exception as exc:
        rec = {"error": f"{type(exc).__name__}: {exc}"[:200]}
    sizes[name] = rec
out["maps"] = sizes
# Scale: a made-up table of 10,000 events (the real ones repeated, moved a little), clustered.
try:
    import statistics, time
    import numpy as np
    import koreathaw as kt
    events = kt.load_events()
    rng = np.random.default_rng(15)
    big = events.iloc[rng.integers(0, len(events), 10_000)].copy()
    big["event_id"] = [f"S{i:05d}" for i in range(len(big))]
    big["latitude"] = (big["latitude"] + rng.normal(0, 0.4, len(big))).clip(-85, 85)
    big["longitude"] = (big["longitude"] + rng.normal(0, 0.4, len(big))).clip(-179, 179)
    big = big.sort_index(kind="stable")
    maps.events_map(big.iloc[:50])._repr_html_()  # warm: imports and caches, as in a kernel that drew a map
    runs = []
    for _ in range(3):
        t0 = time.perf_counter(); m = maps.events_map(big); t1 = time.perf_counter()
        page = m._repr_html_(); t2 = time.perf_counter()
        runs.append((t1 - t0, t2 - t1))
    out["big"] = {"events": len(big), "build_s": statistics.median(r[0] for r in runs),
                  "render_s": statistics.median(r[1] for r in runs),
                  "total_s": statistics.median(r[0] + r[1] for r in runs), "runs": runs,
                  "notebook_output_bytes": len(page.encode("utf-8")),
                  "clusters": page.count("L.markerClusterGroup(")}
except Exception as exc:
    out["big"] = {"error": f"{type(exc).__name__}: {exc}"[:200]}
print(json.dumps(out))
"""


def figure4(fig1: dict[str, Any] | None, fig3: dict[str, Any] | None) -> dict[str, Any]:
    log("figure 4: sizes, and a 10,000-event map")
    proc = subprocess.run([PY, "-c", MAPS_PROBE], capture_output=True, text=True, env=child_env())
    try:
        maps = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        maps = {"present": None, "why": (proc.stderr or "")[-500:]}
    largest = max(fig1["per_notebook"], key=lambda x: x["bytes"]) if fig1 else None
    return {"maps": maps, "largest_executed": largest,
            "largest_autograded_bytes": fig3.get("largest_autograded_bytes") if fig3 else None}


# ------------------------------------------------------------------------- the table
def render(data: dict[str, Any]) -> str:
    m = data["machine"]
    load_end = data.get("load_end")
    lines = [f"Measured {m['date']} on {m['cores']} cores ({m['cpu'] or 'unknown CPU'}), {m['memory']} memory; "
             f"Python {m['python']}, nbgrader {m['nbgrader']}, nbclient {m['nbclient']}, pandas {m['pandas']}.",
             f"Load average (1/5/15 min) at the start: {'/'.join(f'{x:.2f}' for x in m['load_start'])}"
             + (f"; at the end: {'/'.join(f'{x:.2f}' for x in load_end)}" if load_end else "") + ".",
             f"Medians of {data['repeats']} repeats (baselines: {data['baseline_repeats']}); "
             f"wall-clock seconds from `time.perf_counter`; whole run {data.get('total_s', 0):.0f} s.", "",
             "| figure | measured | floor | ratio |", "| --- | --- | --- | --- |"]
    cpu_lines: list[str] = []
    f1, f2, f3, f4 = (data.get(k) for k in ("fig1", "fig2", "fig3", "fig4"))
    if f1:
        c, fl = median(f1["course_s"]), median(f1["floor_s"])
        lines.append(f"| 1. whole course, {f1['notebooks']} notebooks headless, one after another | {c:.1f} s{spread(f1['course_s'])} "
                     f"| {fl:.1f} s{spread(f1['floor_s'])} ({f1['notebooks']} × kernel start + `import pandas`) | **{c / fl:.2f}×** |")
    if f2:
        lines += loads.render(f2)
    if f3:
        rows, cpu_lines = grading.table_rows(f3)
        lines += rows
    if f4:
        maps = f4["maps"]
        if maps.get("present") and maps.get("maps"):
            for name, s in maps["maps"].items():
                if "error" in s:
                    lines.append(f"| 4. `maps.{name}()` | not measured: {s['error']} | – | – |")
                    continue
                lines.append(f"| 4. `maps.{name}()` (all rows) | inline: {kb(s['inline_file_bytes'])} saved, "
                             f"{kb(s['notebook_output_bytes'])} as a notebook output; linked: page "
                             f"{kb(s['linked_html_bytes'])} + shared assets = {kb(s['linked_total_bytes'])} | – | – |")
        else:
            lines.append(f"| 4. maps | not measured: `koreathaw.maps` is not there ({maps.get('why', '')[-80:]}) | – | – |")
        big = maps.get("big")
        if big and "error" in big:
            lines.append(f"| 4. `maps.events_map()` of 10,000 events | not measured: {big['error']} | – | – |")
        elif big:
            lines.append(f"| 4. `maps.events_map()` of {big['events']:,} events, clustered ({big['clusters']} cluster layers): "
                         f"build + render to HTML | {big['total_s']:.2f} s (build {big['build_s']:.2f} s, render "
                         f"{big['render_s']:.2f} s), {kb(big['notebook_output_bytes'])} as a notebook output "
                         f"| 10 s (the target) | {big['total_s'] / 10:.2f}× |")
        big = f4.get("largest_executed")
        if big:
            lines.append(f"| 4. largest executed notebook | {big['notebook']}: {kb(big['bytes'])} | – | – |")
        if f4.get("largest_autograded_bytes"):
            lines.append(f"| 4. largest autograded submission | {kb(f4['largest_autograded_bytes'])} | – | – |")
    if f3:
        lines += grading.details(f3)
    for number, why in data.get("failed", {}).items():
        lines += ["", f"**Figure {number} failed in this run:** {why}"]
    if cpu_lines:
        lines += ["", "CPU time of figure 3 (user + system, every process of the run including the kernels; "
                  "less sensitive to other load than wall time):", "", *cpu_lines]
    if f1:
        lines += ["", "Slowest notebooks of figure 1 (median seconds; a bare kernel + `import pandas` takes "
                  f"{f1['bare_kernel_s']:.2f} s):", ""]
        for rec in f1["per_notebook"][:6]:
            err = f", {rec['error_outputs']} error output(s)" if rec["error_outputs"] else ""
            err += f", FAILED: {rec['error']}" if rec["error"] else ""
            cells = "; ".join(f"`{c['first_line']}` {c['seconds']:.2f} s" + (f" ({c['error']})" if c["error"] else "")
                              for c in rec.get("slowest_cells", [])[:2])
            lines.append(f"- {rec['notebook']}: {rec['seconds']:.2f} s, {kb(rec['bytes'])}{err}"
                         + (f"; slowest cells: {cells}" if cells else ""))
    if f1 and f1.get("components"):
        d = decompose(f1)
        label = {"matplotlib.pyplot": "`import matplotlib.pyplot`", "folium": "`import folium` (maps)",
                 "ipywidgets": "`import ipywidgets` (widgets)", "error": "the first traceback, a shallow one",
                 "pandas error": "the first traceback, through pandas' own code"}
        excess = d["total"] - d["n"] * d["bare"]
        lines += ["", f"Where figure 1's time goes (per-kernel seconds, summed over the {d['n']} notebooks; each "
                  f"component measured on its own in {COMPONENT_ROUNDS} × {data['repeats']} bare kernels that pay only it, "
                  "interleaved with as many plain bare kernels, as its median minus theirs; which notebook pays what comes from a probe cell "
                  "listing the heavy packages its kernel loaded, and from its error outputs):", "",
                  "| part | paid by | each | total | share of the excess over the floor |", "| --- | --- | --- | --- | --- |",
                  f"| kernel start + `import pandas` (the floor) | all {d['n']} | {d['bare']:.2f} s | "
                  f"{d['n'] * d['bare']:.1f} s | – |"]
        for c, p in d["parts"].items():
            if not p["notebooks"]:
                continue
            lines.append(f"| {label.get(c, c)} | {len(p['notebooks'])}: {', '.join(p['notebooks'])} | {d['cost'][c]:.2f} s "
                         f"| {p['seconds']:.1f} s | {100 * p['seconds'] / excess:.0f} % |")
        lines += [f"| the course's own work: library calls, the other cells, their outputs | all {d['n']} | – | "
                  f"{d['own_work']:.1f} s | {100 * d['own_work'] / excess:.0f} % |",
                  f"| **sum of the notebooks' times** | | | **{d['total']:.1f} s** | excess {excess:.1f} s |", "",
                  f"Against a floor that also pays those imports and tracebacks ({d['content_floor']:.1f} s), the course "
                  f"runs at **{d['total'] / d['content_floor']:.2f}×**; against the bare floor, "
                  f"{d['total'] / (d['n'] * d['bare']):.2f}× (per-kernel times, so without the two Python start-ups "
                  "of the wall-clock row above).", "", budget_sentence(d)]
    return "\n".join(lines) + "\n"


def budget_sentence(d: dict[str, Any], goal: float = GOAL_FIGURE1) -> str:
    """What a ratio of ``goal`` to the bare floor leaves for the lessons' own work, once the floor pays the imports and tracebacks."""
    allowed = goal * d["n"] * d["bare"]
    left = allowed - d["content_floor"]
    return (f"The goal of {goal}× the bare floor allows {allowed:.1f} s. The floor with the imports and tracebacks the "
            f"lessons show ({d['content_floor']:.1f} s, {d['content_floor'] / (d['n'] * d['bare']):.2f}×) leaves "
            + (f"{left:.1f} s for the lessons' own work, {left / d['n']:.2f} s a notebook" if left > 0 else "nothing for the lessons' own work")
            + f", which took {d['own_work']:.1f} s in this run ({d['own_work'] / d['n']:.2f} s a notebook).")


def write_results(text: str) -> None:
    path = BENCH / "RESULTS.md"
    old = path.read_text(encoding="utf-8") if path.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN not in old or END not in old:
        old += f"\n{BEGIN}\n{END}\n"
    head, rest = old.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{BEGIN}\n{text}{END}{tail}", encoding="utf-8")


def main() -> int:
    if sys.argv[1:2] == ["--render"]:  # print the table of a saved run (last-run.json or BENCH_JSON)
        print(render(json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))))
        return 0
    start = time.perf_counter()
    figures = [f.strip() for f in os.environ.get("BENCH_FIGURES", "1,2,3,4").split(",") if f.strip()]
    repeats = env_int("BENCH_REPEATS", 3)
    baseline_repeats = env_int("BENCH_BASELINE_REPEATS", 1)
    n = env_int("BENCH_N", 40)
    jobs = env_int("BENCH_JOBS", default_jobs())
    baselines = [b.strip() for b in os.environ.get("BENCH_BASELINES", "unsandboxed,driver,serial,shards,per-student").split(",") if b.strip()]
    data: dict[str, Any] = {"machine": machine(), "repeats": repeats, "baseline_repeats": baseline_repeats}
    log(f"machine: {data['machine']}")
    with tempfile.TemporaryDirectory(prefix="koreathaw-bench-") as tmp:
        work = Path(tmp)
        plan = [("2", "fig2", lambda: loads.figure2(max(11, repeats + 2))),
                ("1", "fig1", lambda: figure1(repeats, work)),
                ("3", "fig3", lambda: grading.figure3(work, n, repeats, baseline_repeats, os.environ.get("BENCH_ASSIGNMENT"),
                                              baselines, jobs)),
                ("4", "fig4", lambda: figure4(data.get("fig1"), data.get("fig3")))]
        data["failed"] = {}
        for number, key, make in plan:
            if number not in figures:
                continue
            try:
                data[key] = make()
            except Exception as exc:  # one broken figure must not lose the others
                log(f"figure {number} FAILED: {exc}")
                data["failed"][number] = f"{type(exc).__name__}: {str(exc)[:400]}"
    data["load_end"] = os.getloadavg()
    data["total_s"] = time.perf_counter() - start
    if os.environ.get("BENCH_JSON"):  # the raw numbers, anywhere (re-render with --render FILE)
        Path(os.environ["BENCH_JSON"]).write_text(json.dumps(data, indent=1, default=str) + "\n", encoding="utf-8")
    text = render(data)
    if os.environ.get("BENCH_NO_WRITE"):
        print(text)
    else:
        (BENCH / "last-run.json").write_text(json.dumps(data, indent=1, default=str) + "\n", encoding="utf-8")
        write_results(text)
        print(text)
        log(f"wrote {BENCH / 'RESULTS.md'} and {BENCH / 'last-run.json'} in {data['total_s']:.0f} s")
    if data["failed"]:  # the table says which figure failed and why; the exit status must say it too
        log(f"figure(s) {', '.join(data['failed'])} FAILED: see above")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
