"""The instructor's command: ``koreathaw-grade <verb> ...`` (the make targets call it).

Verbs follow the workflow of ``course/grading.md``::

    koreathaw-grade release   [ASSIGNMENT] [--duedate DATE]   student versions -> release/
    koreathaw-grade duedate   ASSIGNMENT DATE|none        set the due date in the gradebook
    koreathaw-grade init                                  the roster's students into the gradebook
    koreathaw-grade collect   FOLDER|ZIP [ASSIGNMENT]     submissions (also Canvas, Moodle) -> submitted/
    koreathaw-grade autograde [ASSIGNMENT] [--students a,b] [--jobs N | --serial]
    koreathaw-grade grade-manual ASSIGNMENT STUDENT CELL SCORE [--comment TEXT]
    koreathaw-grade report    [ASSIGNMENT]                reports/<assignment>.md and .html
    koreathaw-grade feedback  [ASSIGNMENT] [--students a,b]   feedback/ (no hidden test)
    koreathaw-grade export    [--output FILE] [--assignment A] [--format long|wide|canvas|moodle]
    koreathaw-grade validate  NOTEBOOK...             the student's self-check
    koreathaw-grade edition   [--output dist]         the student edition (no solution, no hidden test)

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
    p.add_argument("--duedate", default=None, help="due date, e.g. '2026-03-01 17:00' (UTC) or '... Asia/Seoul'")
    p = sub.add_parser("duedate", help="set (or clear, with 'none') an assignment's due date in the gradebook")
    p.add_argument("assignment")
    p.add_argument("date")
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
                       ("report", "write reports/<assignment>.md and .html from the gradebook and the reports")):
        p = sub.add_parser(name, help=text)
        p.add_argument("assignment", nargs="?", help="default: every assignment")
        if name == "feedback":
            p.add_argument("--students", default=None, help="comma-separated student ids; default: all")
    p = sub.add_parser("grade-manual", help="set the manual score (and a comment) of one answer of one student")
    p.add_argument("assignment")
    p.add_argument("student")
    p.add_argument("cell", help="the grade_id of the answer cell")
    p.add_argument("score", type=float)
    p.add_argument("--comment", default=None)
    p.add_argument("--notebook", default=None, help="default: the assignment's only notebook")
    p = sub.add_parser("export", help="write the grades CSV (one row per student and assignment)")
    p.add_argument("--output", default=None, help="default: <course>/reports/grades[-FORMAT].csv")
    p.add_argument("--assignment", default=None, help="only this assignment")
    p.add_argument("--format", default="long", help="long (default), wide, canvas or moodle")
    p = sub.add_parser("validate", help="student self-check: nbgrader validate plus a check for deleted cells")
    p.add_argument("notebooks", nargs="+")
    p = sub.add_parser("edition", help="build the student edition (dist/student/ and its zip) from this repository")
    p.add_argument("--output", default="dist", help="default: dist (beside the course root)")
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

    from koreathaw_grading.sandbox.host import sweep

    sweep()  # what a grader killed in an earlier run left behind
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
        sweep()  # a worker killed while grading (out of memory, say) could not clean up after itself
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
            if args.duedate:
                from koreathaw_grading.late import parse_due, set_duedate

                for name in names:
                    set_duedate(course, name, parse_due(args.duedate))
        elif args.command == "duedate":
            from koreathaw_grading.late import parse_due, set_duedate

            when = None if args.date.lower() == "none" else parse_due(args.date)
            set_duedate(course, args.assignment, when)
            print(f"{args.assignment}: due {when.isoformat() + ' UTC' if when else 'never'}")
        elif args.command == "grade-manual":
            from koreathaw_grading.manual import grade_manual

            print(grade_manual(course, args.assignment, args.student, args.cell, args.score, args.comment,
                               args.notebook))
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

            only = [s for s in args.students.split(",") if s] if args.students else None
            for name in names:
                feedback(course, name, only)
        elif args.command == "export":
            from koreathaw_grading.export import export

            export(course, args.output, [args.assignment] if args.assignment else None, args.format)
        elif args.command == "edition":
            from koreathaw_grading.edition import build

            build(course.root.parent, course.root.parent / args.output if args.output == "dist" else args.output)
    except (FileNotFoundError, ValueError, BadId) as exc:  # a wrong folder, layout or id: say what, no traceback
        print(f"error: {args.command}: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
