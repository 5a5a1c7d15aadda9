"""The instructor's command: ``koreathaw-grade <verb> ...`` (the make targets call it).

Verbs follow the workflow of ``course/grading.md``::

    koreathaw-grade release   [ASSIGNMENT]            student versions -> release/
    koreathaw-grade init                              the roster's students into the gradebook
    koreathaw-grade collect   FOLDER [ASSIGNMENT]     submissions -> submitted/
    koreathaw-grade autograde [ASSIGNMENT] [--students a,b] [--jobs N | --serial]
    koreathaw-grade report    [ASSIGNMENT]            reports/<assignment>.md
    koreathaw-grade feedback  [ASSIGNMENT]            feedback/ (no hidden test)
    koreathaw-grade export    [--output FILE]         one row per student and assignment
    koreathaw-grade validate  NOTEBOOK...             the student's self-check

``--course`` is the nbgrader course root (default ``assignments``), ``--roster``
the class list (default ``<course>/students.csv``).
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="koreathaw-grade", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--course", default="assignments", help="the nbgrader course root (default: assignments)")
    parser.add_argument("--roster", default=None, help="roster CSV with a column 'id' (default: <course>/students.csv)")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("release", help="generate the student version of one or all assignments")
    p.add_argument("assignment", nargs="?")
    sub.add_parser("init", help="create the gradebook's students from the roster")
    p = sub.add_parser("collect", help="copy a folder of submissions into submitted/")
    p.add_argument("submissions")
    p.add_argument("assignment", nargs="?")
    p = sub.add_parser("autograde", help="grade every student (or --students) on every core, and report")
    p.add_argument("assignment", nargs="?", help="default: every released assignment")
    p.add_argument("--students", default=None, help="comma-separated student ids; default: all")
    p.add_argument("--jobs", "-j", type=int, default=None, help="grader processes (default: the usable cores)")
    p.add_argument("--serial", action="store_true", help="one student after another, in this process")
    p.add_argument("--no-init", action="store_true", help="do not touch the roster in the gradebook")
    for name, text in (("feedback", "generate feedback HTML without hidden tests"),
                       ("report", "write reports/<assignment>.md from the per-student reports")):
        p = sub.add_parser(name, help=text)
        p.add_argument("assignment", nargs="?", help="default: every assignment")
    p = sub.add_parser("export", help="write the grades CSV (one row per student and assignment)")
    p.add_argument("--output", default=None, help="default: <course>/reports/grades.csv")
    p = sub.add_parser("validate", help="student self-check: nbgrader validate plus a check for deleted cells")
    p.add_argument("notebooks", nargs="+")
    return parser


def _autograde(course, args) -> int:
    from koreathaw_grading import grade, parallel
    from koreathaw_grading.report import report
    from koreathaw_grading.sandbox.launch import unavailable

    if grade.unsandboxed():
        print("WARNING: UNSAFE_NO_SANDBOX=1: student code runs as you, with this course, its gradebook and the "
              "network in reach; every report line says so", file=sys.stderr, flush=True)
    else:
        why = unavailable()
        if why:
            print(f"error: autograde: student code must run in the sandbox, and this machine cannot sandbox: {why}. "
                  "To grade anyway, at your own risk, set UNSAFE_NO_SANDBOX=1.", file=sys.stderr)
            return 2

    students = [s for s in args.students.split(",") if s] if args.students else None
    if not args.no_init:
        course.init()
    names = [args.assignment] if args.assignment else course.released()
    attention = 0
    for name in names:
        if args.serial:
            done = grade.autograde(course, name, students)
        else:
            done = parallel.autograde(course, name, students, jobs=args.jobs)
        attention += sum(r.needs_attention for r in done)
        print(f"report: {report(course, name)}", flush=True)
    print(f"{attention} submission(s) need attention; see the reports above and the flags column of make export",
          flush=True)
    return 0


def _alembic_on_path() -> None:
    """nbgrader runs ``alembic`` by name: put this Python's ``bin/`` (the venv's) on PATH if it is not there."""
    import os
    import shutil
    from pathlib import Path

    here = str(Path(sys.executable).parent)
    if shutil.which("alembic") is None and (Path(here) / "alembic").exists():
        os.environ["PATH"] = here + os.pathsep + os.environ.get("PATH", "")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one verb; return the exit status (2 for a usage or input error, with a message, no traceback)."""
    args = _parser().parse_args(argv)
    _alembic_on_path()
    if args.command == "validate":
        from koreathaw_grading.validate import main as validate_main

        return validate_main(args.notebooks, course=args.course)

    from koreathaw_grading.course import Course
    from koreathaw_grading.ids import BadId

    try:
        course = Course(args.course, roster=args.roster)
        names = [args.assignment] if getattr(args, "assignment", None) else course.assignments()
        if args.command == "release":
            course.release(args.assignment)
        elif args.command == "init":
            course.init()
            released = course.released()
            print(f"gradebook ready: {len(course.roster())} students on the roster; "
                  f"released: {', '.join(released) or 'none'}")
            for name in sorted(set(course.assignments()) - set(released)):
                print(f"warning: {name} is not released yet (make release ASSIGNMENT={name})")
        elif args.command == "collect":
            from koreathaw_grading.collect import collect

            collect(course, args.submissions, args.assignment)
        elif args.command == "autograde":
            return _autograde(course, args)
        elif args.command == "report":
            from koreathaw_grading.report import report

            for name in names:
                print(report(course, name))
        elif args.command == "feedback":
            from koreathaw_grading.feedback import feedback

            for name in names:
                feedback(course, name)
        elif args.command == "export":
            from koreathaw_grading.export import export

            export(course, args.output)
    except (FileNotFoundError, ValueError, BadId) as exc:  # a wrong folder, layout or id: say what, no traceback
        print(f"error: {args.command}: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
