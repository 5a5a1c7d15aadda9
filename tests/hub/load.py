"""The hub under a class: N students (30) log in, fetch, submit and are graded in one run; times and memory.

    make hub-load [HUB_LOAD_STUDENTS=30]        (root or password-less sudo)

Stands a hub up as the hub test does (``hubkit.stand_up``), runs the whole round
trip (``roundtrip.run_class``) with ten students arriving at a time, checks every
grade, measures the memory of every process of the hub while every student's
server is up (proportional set size, so shared pages are not counted twice), then
the memory of one kernel that has loaded the course's library and data, and takes
everything down. Writes ``benchmarks/hub-load.json`` and the section between the
``hub-load`` markers of ``benchmarks/RESULTS.md`` (``make bench`` leaves it alone).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from hubkit import REPO, stand_up  # noqa: E402
from roundtrip import EXPECTED, run_class  # noqa: E402

RESULTS = REPO / "benchmarks" / "RESULTS.md"
RAW = REPO / "benchmarks" / "hub-load.json"
BEGIN, END = "<!-- hub-load:begin -->", "<!-- hub-load:end -->"
KERNEL_PROBE = "import koreathaw as kt\nkt.load_articles(); kt.load_events(); kt.load_places(); kt.load_names()\n"


def pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory(hub) -> dict[str, float]:
    """MiB of PSS by part: the students' servers, the graders' service, the hub and proxy, PostgreSQL."""
    import pwd

    from kthub.system import processes_of

    s = hub.settings
    uid = {name: pwd.getpwnam(name).pw_uid for name in s.students + [s.grader]}
    students = [p for p in processes_of([uid[n] for n in s.students])]
    service = processes_of([uid[s.grader]])
    hub_pid = int((s.state / "jupyterhub.pid").read_text())
    hub_side = [p for p in os.listdir("/proc") if p.isdigit() and _session(int(p)) == hub_pid]
    postgres = [int(p) for p in os.listdir("/proc") if p.isdigit() and _is_cluster(int(p), s)]
    mib = lambda pids: round(sum(pss_kib(int(p)) for p in pids) / 1024, 1)  # noqa: E731
    return {"students_servers": mib(students), "per_student_server": round(mib(students) / len(s.students), 1),
            "formgrader_service": mib(service), "hub_and_proxy": mib(hub_side), "postgresql": mib(postgres),
            "student_processes": len(students)}


def _session(pid: int) -> int | None:
    try:
        return os.getsid(pid)
    except OSError:
        return None


def _is_cluster(pid: int, s) -> bool:
    """A process of the hub's PostgreSQL cluster: the server and its workers work in the cluster's data folder."""
    try:
        return os.readlink(f"/proc/{pid}/cwd") == f"/var/lib/postgresql/{s.pg_version}/{s.pg_cluster}"
    except OSError:
        return False


def mem_available_mib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def stats(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    return {"median": round(statistics.median(values), 2), "p90": round(values[int(0.9 * (len(values) - 1))], 2),
            "max": round(values[-1], 2), "n": len(values)}


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 30
    started = time.perf_counter()
    load_before = os.getloadavg()
    available_before = mem_available_mib()
    hub, teardown = stand_up(n)
    setup_seconds = time.perf_counter() - started
    try:
        run = run_class(hub, workers=min(n, 10))
        mem = memory(hub)
        kernel_mib = _kernel_mib(next(iter(run.students.values())))
        available_during = mem_available_mib()
        wrong = {name: (run.kinds[name], got["score"]) for name, got in run.gradebook.items()
                 if got["score"] != EXPECTED[run.kinds[name]]}
    finally:
        teardown()
    per = {k: stats(v) for k, v in run.times["per_student"].items()}
    figures = {
        "measured": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "students": n,
        "cores": os.cpu_count(), "machine": platform.processor() or platform.machine(),
        "setup_seconds": round(setup_seconds, 1), "per_student": per,
        "steps": {k: round(v, 1) for k, v in run.times.items() if isinstance(v, float)},
        "memory_mib": mem, "kernel_with_course_mib": kernel_mib,
        "mem_available_mib": {"before": available_before, "all_servers_up": available_during},
        "grades_wrong": wrong, "late_student": run.late,
        "load_average": {"start": [round(x, 2) for x in load_before], "end": [round(x, 2) for x in os.getloadavg()]},
    }
    RAW.write_text(json.dumps(figures, indent=1) + "\n")
    write_results(figures)
    print(json.dumps(figures, indent=1))
    return 1 if wrong else 0


def _kernel_mib(user) -> float:
    """PSS of one kernel that has imported the library and loaded every table (measured from inside it)."""
    code = KERNEL_PROBE + "\nfor line in open('/proc/self/smaps_rollup'):\n    " \
                          "print(line.split()[1]) if line.startswith('Pss:') else None\n"
    out = user.run(code, kernel="koreathaw").strip().splitlines()
    return round(int(out[-1]) / 1024, 1)


def write_results(f: dict) -> None:
    """Rewrite the hub-load section of benchmarks/RESULTS.md (added at the end the first time)."""
    per, steps, mem = f["per_student"], f["steps"], f["memory_mib"]
    server = mem["per_student_server"]
    kernel = f["kernel_with_course_mib"]
    fixed = mem["formgrader_service"] + mem["hub_and_proxy"] + mem["postgresql"]
    total_gib = 24.0
    holds_idle = int((total_gib * 1024 - fixed - 2048) // server) if server else 0
    holds_working = int((total_gib * 1024 - fixed - 2048) // (server + kernel)) if server else 0
    per_sub = steps["autograde"] / f["students"]
    lines = [
        BEGIN,
        f"Measured {f['measured']} on {f['cores']} cores; {f['students']} students, ten arriving at a time; "
        f"`make hub-load` (tests/hub/load.py; raw figures in `benchmarks/hub-load.json`). Every grade was "
        f"{'right' if not f['grades_wrong'] else 'NOT right: ' + str(f['grades_wrong'])}."
        + (f" Load average (1/5/15 min) at the start {'/'.join(map(str, f['load_average']['start']))}, at the end "
           f"{'/'.join(map(str, f['load_average']['end']))}: the machine is shared, so times vary from run to run."
           if "load_average" in f else ""),
        "",
        "| step | time |",
        "| --- | --- |",
        f"| login → server ready (PAM login, token, spawn, server answering), per student | median "
        f"{per['login_to_ready']['median']} s, p90 {per['login_to_ready']['p90']} s, max {per['login_to_ready']['max']} s |",
        f"| fetch, per student (nbgrader's assignment list, through the student's server) | median {per['fetch']['median']} s, "
        f"max {per['fetch']['max']} s |",
        f"| the whole class logged in and fetched | {steps['all_logged_in_and_fetched']} s |",
        f"| submit, per student | median {per['submit']['median']} s, max {per['submit']['max']} s |",
        f"| collect from the exchange (owner and time checked) | {steps['collect']} s |",
        f"| autograde in the sandbox, PostgreSQL gradebook (`koreathaw-grade autograde`, every core) | "
        f"{steps['autograde']} s ({per_sub:.2f} s a submission) |",
        f"| feedback (`koreathaw-grade feedback`) + release to the exchange | {steps['feedback']} s + "
        f"{steps['release_feedback']} s |",
        f"| fetch feedback, per student | median {per['fetch_feedback']['median']} s, max {per['fetch_feedback']['max']} s |",
        "",
        "| memory (proportional set size, every server up) | MiB |",
        "| --- | --- |",
        f"| {f['students']} students' servers ({mem['student_processes']} processes) | {mem['students_servers']} "
        f"({server} each) |",
        f"| one kernel with the course's library and all four tables loaded | {kernel} |",
        f"| the Formgrader service | {mem['formgrader_service']} |",
        f"| the hub and the proxy | {mem['hub_and_proxy']} |",
        f"| PostgreSQL | {mem['postgresql']} |",
        "",
        f"**What one 2-core, 24 GiB machine holds** (derived from the figures above, keeping 2 GiB for the system): "
        f"about {holds_idle} students with a server open, or about {holds_working} working at once with a kernel "
        f"each (server + kernel ≈ {server + kernel:.0f} MiB). Memory is not what limits a class on such a machine: "
        f"the two cores are. Starting servers costs CPU (a class of {f['students']} logged in and fetched in "
        f"{steps['all_logged_in_and_fetched']} s), and so does every running lesson notebook; grading takes "
        f"{per_sub:.1f} s of the machine a submission, so the 200 submissions of a large class take about "
        f"{200 * per_sub / 60:.0f} minutes. For a class of 30 working at once, one such machine does; for a "
        "class of 200 in one room, give it more cores (or Kubernetes) and limit each server's CPU.",
        END,
    ]
    text = RESULTS.read_text(encoding="utf-8")
    block = "\n".join(lines)
    if BEGIN in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n## The course on a JupyterHub: a class of students at once\n\n" + block + "\n"
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
