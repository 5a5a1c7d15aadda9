"""Figure 3 of ``make bench``: autograding N submissions, every way, against plain nbclient on every core.

A throw-away copy of the course, one assignment released, N submissions (model
solutions, blank releases, partly wrong answers, from ``tests/assignments/samples.py``);
each way of grading starts from the same clean gradebook, and the grades, autograded
notebooks and reports of every way are compared with a reference way.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

import compare  # tests/assignments (on sys.path, put there by run.py): how two grading runs are compared
import samples  # tests/assignments: sample submissions
from common import BENCH, BIN, GRADE, PY, REPO, CpuMeter, child_env, log, median, spread, timed


class GradingBench:
    """A throw-away course copy with N submissions of one assignment, reset between runs."""

    def __init__(self, work: Path, assignment: str | None, n: int, jobs: int) -> None:
        self.base = work / "course"
        self.root = samples.course_copy(REPO, self.base)
        self.assignment = assignment or samples.assignments(self.root)[0]
        self.n, self.jobs = n, jobs
        self.env = child_env()
        subprocess.run([GRADE, "--course", str(self.root), "release", self.assignment],
                       cwd=self.root, env=self.env, check=True, capture_output=True)
        kinds = {f"s{i:03d}": samples.KINDS[i % len(samples.KINDS)] for i in range(n)}
        samples.write_submissions(self.root, self.assignment, kinds)
        self.kinds = kinds
        shutil.copy2(self.root / "gradebook.db", self.base / "gradebook.clean.db")
        self.notebooks = sorted(str(p) for p in (self.root / "submitted").glob(f"*/{self.assignment}/*.ipynb"))

    def reset(self) -> None:
        for name in ("autograded", "reports", "feedback"):
            shutil.rmtree(self.root / name, ignore_errors=True)
        shutil.copy2(self.base / "gradebook.clean.db", self.root / "gradebook.db")
        (self.root / ".nbgrader.log").unlink(missing_ok=True)

    def snapshot(self) -> dict[str, Any]:
        return {"grades": compare.grades(self.root, self.assignment),
                "outputs": compare.outputs(self.root, self.assignment)}

    # the ways of grading (each returns wall seconds)
    def floor(self) -> float:
        return timed([PY, str(BENCH / "nbexec.py"), "--jobs", str(self.jobs), "--json", str(self.base / "floor.json"),
                      *self.notebooks], env=self.env)

    def fast(self, jobs: int | None = None, env: dict[str, str] | None = None) -> float:
        return timed([GRADE, "--course", str(self.root), "autograde", "--jobs", str(jobs or self.jobs),
                      self.assignment], cwd=self.root, env=env or self.env)

    def unsandboxed(self) -> float:
        """The fast path with student code run as the instructor (``UNSAFE_NO_SANDBOX=1``): the speed before the sandbox."""
        return self.fast(env={**self.env, "UNSAFE_NO_SANDBOX": "1"})

    def driver(self) -> float:
        return timed([GRADE, "--course", str(self.root), "autograde", "--serial", self.assignment],
                     cwd=self.root, env=self.env)

    def serial(self) -> float:
        return timed([str(Path(BIN) / "nbgrader"), "autograde", self.assignment, "--force"], cwd=self.root, env=self.env)

    def shards(self) -> float:
        """``jobs`` stock ``nbgrader autograde`` processes at once, each grading its share of the students
        (the others excluded with ``--CourseDirectory.student_id_exclude``): one app per shard."""
        students = sorted(self.kinds)
        procs = []
        # stderr goes to files, not pipes: a shard that logs more than a pipe holds would
        # block on its write while we wait for the other (it did: the bench hung for good)
        logs = [tempfile.TemporaryFile(mode="w+") for _ in range(self.jobs)]
        start = time.perf_counter()
        for i in range(self.jobs):
            others = ",".join(s for j, s in enumerate(students) if j % self.jobs != i)
            procs.append(subprocess.Popen([str(Path(BIN) / "nbgrader"), "autograde", self.assignment, "--force",
                                           f"--CourseDirectory.student_id_exclude={others}"], cwd=self.root,
                                          env=self.env, stdout=subprocess.DEVNULL, stderr=logs[i], text=True))
        codes = [p.wait() for p in procs]
        seconds = time.perf_counter() - start
        errors = []
        for code, err in zip(codes, logs):
            err.seek(0)
            if code != 0:
                errors.append(err.read()[-300:])
            err.close()
        if errors:
            raise RuntimeError("shards failed: " + errors[0])
        return seconds

    def per_student(self) -> float:
        """One new ``nbgrader autograde --student S`` per student, ``jobs`` of them at a time."""
        students = sorted(self.kinds)
        errors: list[str] = []

        def lane(mine: list[str]) -> None:
            for s in mine:
                try:
                    timed([str(Path(BIN) / "nbgrader"), "autograde", self.assignment, "--student", s, "--force"],
                          cwd=self.root, env=self.env)
                except RuntimeError as exc:
                    errors.append(str(exc)[:300])

        start = time.perf_counter()
        threads = [threading.Thread(target=lane, args=(students[i::self.jobs],)) for i in range(self.jobs)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise RuntimeError("shards failed: " + errors[0])
        return time.perf_counter() - start


def _without_unsafe(reports: dict[str, Any]) -> dict[str, Any]:
    """Reports without what UNSAFE_NO_SANDBOX=1 adds on purpose (its flag, its detail, the attention it asks)."""
    out = {}
    for student, data in reports.items():
        data = dict(data)
        data["flags"] = [f for f in data.get("flags", []) if f != "UNSAFE_NO_SANDBOX"]
        data["details"] = [d for d in data.get("details", []) if not d.startswith("graded with UNSAFE_NO_SANDBOX")]
        data.pop("needs_attention", None)
        out[student] = data
    return out


def figure3(work: Path, n: int, repeats: int, baseline_repeats: int, assignment: str | None,
            baselines: list[str], jobs: int) -> dict[str, Any]:
    log(f"figure 3: preparing {n} submissions")
    bench = GradingBench(work, assignment, n, jobs)
    log(f"figure 3: {bench.assignment}, N={n}, {jobs} jobs, {repeats} repeats (baselines {baseline_repeats})")
    ways: dict[str, Callable[[], float]] = {"floor": bench.floor, "fastgrade": bench.fast}
    extra = {"unsandboxed": bench.unsandboxed, "serial": bench.serial,
             "per-student": bench.per_student, "driver": bench.driver, "shards": bench.shards,
             "jobs+1": lambda: bench.fast(jobs=jobs + 1)}
    times: dict[str, list[float]] = {k: [] for k in [*ways, *[b for b in baselines if b in extra]]}
    cpu: dict[str, list[float]] = {k: [] for k in times}
    snaps: dict[str, Any] = {}
    meter = CpuMeter()
    log(f"figure 3: CPU counted by {meter.kind}")
    for r in range(max(repeats, baseline_repeats)):
        plan = [k for k in ways] if r < repeats else []
        plan += [b for b in baselines if b in extra and r < baseline_repeats]
        if r % 2:
            plan.reverse()
        for name in plan:
            bench.reset()
            cpu0 = meter.seconds()
            seconds = (ways.get(name) or extra[name])()
            cpu[name].append(meter.seconds() - cpu0)
            times[name].append(seconds)
            log(f"  {name}: {seconds:.1f} s, {cpu[name][-1]:.1f} CPU s")
            if name != "floor" and name not in snaps:
                snaps[name] = bench.snapshot()
                if name in ("fastgrade", "driver", "unsandboxed", "jobs+1"):
                    snaps[name]["reports"] = compare.reports(bench.root, bench.assignment)
    meter.close()
    same = {}
    ref = "serial" if "serial" in snaps else "driver" if "driver" in snaps else "fastgrade"
    for name, snap in snaps.items():
        if name == ref:
            continue
        diffs = compare.differences(snap["grades"], snaps[ref]["grades"]) + \
            compare.differences(snap["outputs"], snaps[ref]["outputs"])
        same[name] = {"against": ref, "identical": not diffs, "differences": diffs[:5]}
    for name in ("fastgrade", "unsandboxed", "jobs+1"):
        if name in snaps and "driver" in snaps:
            diffs = compare.differences(_without_unsafe(snaps[name]["reports"]), _without_unsafe(snaps["driver"]["reports"]))
            same[f"{name} reports"] = {"against": "driver", "identical": not diffs, "differences": diffs[:5]}
    sizes = [Path(p).stat().st_size for p in (bench.root / "autograded").glob("*/*/*.ipynb")]
    totals = {}
    for student, cells in snaps.get("fastgrade", snaps.get(ref, {})).get("grades", {}).items():
        totals[student] = sum((v[0] or 0) for v in cells.values())
    return {"assignment": bench.assignment, "n": n, "jobs": jobs, "times": times, "cpu": cpu, "identical": same,
            "largest_autograded_bytes": max(sizes) if sizes else 0, "kinds": {k: list(bench.kinds.values()).count(k)
                                                                              for k in samples.KINDS},
            "scores": sorted(set(totals.values()))}


def table_rows(f3: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Figure 3's rows of the results table, and its CPU lines."""
    lines: list[str] = []
    cpu_lines: list[str] = []
    n, fl = f3["n"], median(f3["times"]["floor"])
    label = {"fastgrade": f"`koreathaw-grade autograde` ({f3['jobs']} workers, student code in the sandbox) — the fast path",
             "unsandboxed": "the same with `UNSAFE_NO_SANDBOX=1` (student code run as the instructor) — before the sandbox",
             "jobs+1": f"the fast path with {f3['jobs'] + 1} workers",
             "driver": "`koreathaw-grade autograde --serial` (one student after another)",
             "serial": "stock `nbgrader autograde` (serial)",
             "shards": f"stock `nbgrader autograde`, {f3['jobs']} parallel shards of the students, one app per shard "
                       "(gradebook initialised before)",
             "per-student": f"stock `nbgrader autograde --student S`, {f3['jobs']} at a time, a new app per student"}
    for name in ("fastgrade", "unsandboxed", "jobs+1", "driver", "serial", "shards", "per-student"):
        if name not in f3["times"] or not f3["times"][name]:
            continue
        t = median(f3["times"][name])
        lines.append(f"| 3. autograde {n} × {f3['assignment']}: {label[name]} | {t:.1f} s{spread(f3['times'][name])}, "
                     f"{60 * n / t:.0f}/min | {fl:.1f} s, {60 * n / fl:.0f}/min (nbclient, {f3['jobs']} processes) "
                     f"| **{t / fl:.2f}×** |")
        if f3.get("cpu", {}).get(name) and f3["cpu"].get("floor"):
            c, cf = median(f3["cpu"][name]), median(f3["cpu"]["floor"])
            cpu_lines.append(f"- {name}: {c / n:.2f} CPU s per submission, floor {cf / n:.2f} ({c / cf:.2f}×)")
    return lines, cpu_lines


def details(f3: dict[str, Any]) -> list[str]:
    """The grading batch, the verdicts of the comparisons, and the before-and-after table."""
    lines: list[str] = []
    lines += ["", f"Grading batch: {f3['n']} submissions of {f3['assignment']} "
              f"({', '.join(f'{v} {k}' for k, v in f3['kinds'].items())}); total scores seen: "
              f"{', '.join(f'{s:g}' for s in f3['scores'])}."]
    for name, same in f3["identical"].items():
        verdict = "identical" if same["identical"] else "DIFFERENT: " + "; ".join(same["differences"])
        what = "per-student reports (status, score, flags)" if name.endswith("reports") else \
            "grades per student and cell, autograded cells and outputs"
        lines.append(f"- {name} vs {same['against']}: {what} {verdict}.")
    t = {k: median(v) for k, v in f3["times"].items() if v}
    c = {k: median(v) / f3["n"] for k, v in f3.get("cpu", {}).items() if v}
    fl = t["floor"]

    def step(label: str, before: str, after: str) -> None:
        if before in t and after in t:
            cpu = (f"; CPU per submission {c[before]:.2f} → {c[after]:.2f} s" if before in c and after in c else "")
            lines.append(f"| {label} | {t[before]:.1f} s ({t[before] / fl:.2f}×) | {t[after]:.1f} s "
                         f"({t[after] / fl:.2f}×) | {t[before] / t[after]:.2f}×{cpu} |")

    lines += ["", "Before and after, from this run (figure 3; ratios to the all-cores floor in brackets):", "",
              "| change | before | after | speed-up |", "| --- | --- | --- | --- |"]
    step("grade on every core: one long-lived forked grader per core, students from one queue, gradebook "
         "initialised once before the fork (`autograde --serial` → `autograde`)", "driver", "fastgrade")
    step("no new nbgrader app per student (`nbgrader autograde --student S` per student, in parallel → "
         "`autograde`)", "per-student", "fastgrade")
    step("one app per shard instead (stock parallel shards → `autograde`)", "shards", "fastgrade")
    step("the sandbox: student code in its own namespaces, tests judged outside it "
         "(`UNSAFE_NO_SANDBOX=1` → default; a ratio below 1 is its overhead)", "unsandboxed", "fastgrade")
    step("all together: stock serial `nbgrader autograde` → `fastgrade`", "serial", "fastgrade")
    step("all together: the course driver, serial → `fastgrade`", "driver", "fastgrade")
    return lines
