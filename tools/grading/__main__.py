"""Command line of the grading driver: ``python -m grading <command> ...`` (with tools/ on PYTHONPATH).

Commands mirror the make targets of tools/grading.mk; see course/grading.md.
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grading", description=__doc__)
    parser.add_argument("--course", default="assignments", help="the nbgrader course root (default: assignments)")
    parser.add_argument("--roster", default=None, help="roster CSV with a column 'id' (default: <course>/students.csv)")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("release", help="generate the student version of one or all assignments")
    p.add_argument("assignment", nargs="?")
    sub.add_parser("init", help="create the gradebook's students from the roster")
    p = sub.add_parser("collect", help="copy a folder of submissions into submitted/")
    p.add_argument("submissions")
    p.add_argument("assignment", nargs="?")
    for name, text in (("autograde", "grade every student (or --students) and report"),
                       ("feedback", "generate feedback HTML without hidden tests"),
                       ("report", "write reports/<assignment>.md from the per-student reports")):
        p = sub.add_parser(name, help=text)
        p.add_argument("assignment", nargs="?", help="default: every assignment")
        if name == "autograde":
            p.add_argument("--students", default=None, help="comma-separated student ids (a shard); default: all")
            p.add_argument("--no-init", action="store_true",
                           help="do not touch the roster in the gradebook (shards: run 'init' once before)")
    p = sub.add_parser("export", help="write the grades CSV (one row per student and assignment)")
    p.add_argument("--output", default=None, help="default: <course>/reports/grades.csv")
    p = sub.add_parser("validate", help="student self-check: nbgrader validate plus a check for deleted cells")
    p.add_argument("notebooks", nargs="+")
    args = parser.parse_args(argv)

    if args.command == "validate":
        from grading.validate import main as validate_main

        return validate_main(args.notebooks, course=args.course)

    from grading.driver import Course

    course = Course(args.course, roster=args.roster)
    names = [args.assignment] if getattr(args, "assignment", None) else course.assignments()
    if args.command == "release":
        course.release(args.assignment)
    elif args.command == "init":
        course.init()
        released = course.released()
        print(f"gradebook ready: {len(course.roster())} students on the roster; released: {', '.join(released) or 'none'}")
        for name in sorted(set(course.assignments()) - set(released)):
            print(f"warning: {name} is not released yet (make release ASSIGNMENT={name})")
    elif args.command == "collect":
        try:
            course.collect(args.submissions, args.assignment)
        except (FileNotFoundError, ValueError) as exc:  # a wrong folder or layout: say what, no traceback
            print(f"error: collect: {exc}", file=sys.stderr)
            return 2
    elif args.command == "autograde":
        students = [s for s in args.students.split(",") if s] if args.students else None
        if not args.no_init:
            course.init()
        if not args.assignment:
            names = course.released()
        attention = 0
        for name in names:
            results = course.autograde(name, students)
            attention += sum(r.needs_attention for r in results)
            print(f"report: {course.report(name)}", flush=True)
        print(f"{attention} submission(s) need attention; see the reports above and the flags column of make export",
              flush=True)
    elif args.command == "report":
        for name in names:
            print(course.report(name))
    elif args.command == "feedback":
        for name in names:
            course.feedback(name)
    elif args.command == "export":
        course.export(args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
