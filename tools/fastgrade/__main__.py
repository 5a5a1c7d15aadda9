"""Command line: ``python -m fastgrade`` (with ``tools/`` on PYTHONPATH) or ``python tools/fastgrade``.

    python -m fastgrade [--course assignments] [--roster R] [--jobs N] autograde [ASSIGNMENT] [--students a,b] [--no-init]
        the course driver's ``python -m grading autograde`` on N workers (default: every core):
        same per-student reports, same progress lines, same report files.

    python -m fastgrade [--course assignments] [--jobs N] plain ASSIGNMENT [--student ID ...] [nbgrader flags]
        plain ``nbgrader autograde ASSIGNMENT`` on N workers, for a course root without
        the grading driver; other flags (``--force``, ``--Execute.timeout=60`` ...) go to nbgrader.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

# jsonschema (imported by nbformat) imports rfc3987_syntax, which builds a parser for
# 1.5 s, only to check "iri" string formats; nbformat and nbgrader never check formats.
# Without it every grader process starts 1.5 s sooner; FASTGRADE_TUNING=none keeps it.
if os.environ.get("FASTGRADE_TUNING", "all") != "none" and "--no-tuning" not in sys.argv:
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]

if __package__ in (None, ""):  # run as `python tools/fastgrade`: make `fastgrade` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastgrade.pool import default_jobs  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fastgrade", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--course", default="assignments", help="the nbgrader course root (default: assignments)")
    parser.add_argument("--roster", default=None, help="roster CSV with a column 'id' (default: <course>/students.csv)")
    parser.add_argument("--jobs", "-j", type=int, default=default_jobs(),
                        help="worker processes (default: the usable cores, %(default)s here)")
    parser.add_argument("--no-tuning", action="store_true",
                        help="no engine cache, no warm-up, no import trimming (to measure what they save)")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("autograde", help="the course's grading driver, on every core")
    p.add_argument("assignment", nargs="?", help="default: every released assignment")
    p.add_argument("--students", default=None, help="comma-separated student ids; default: all")
    p.add_argument("--no-init", action="store_true", help="do not touch the roster in the gradebook")
    p = sub.add_parser("plain", help="plain nbgrader autograde, on every core")
    p.add_argument("assignment")
    p.add_argument("--student", action="append", default=[], metavar="ID",
                   help="grade only this student (a glob; repeat or separate with commas)")
    p.add_argument("--json", metavar="FILE", help="also write one record per student to FILE (JSON)")
    args, extra = parser.parse_known_args(argv)
    if os.environ.get("FASTGRADE_TUNING", "all") == "none":
        args.no_tuning = True
    if args.command == "autograde":
        if extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        if str(Path(args.course).resolve().parent / "tools") not in sys.path:
            sys.path.insert(0, str(Path(args.course).resolve().parent / "tools"))
        from fastgrade.course import main as course_main

        students = [s for s in args.students.split(",") if s] if args.students else None
        return course_main(args.course, args.assignment, students, roster=args.roster, jobs=args.jobs,
                           init=not args.no_init, tuning=not args.no_tuning)
    from fastgrade.plain import autograde

    students = [s for arg in args.student for s in arg.split(",") if s]
    results = autograde(args.assignment, students, course_root=args.course, jobs=args.jobs, nbgrader_args=extra,
                        tuning=not args.no_tuning)
    failed = [r for r in results if not r.ok]
    graded = sum(1 for r in results if r.ok and not r.skipped)
    sys.stderr.write(f"[fastgrade] {args.assignment}: {graded} graded, "
                     f"{sum(r.skipped for r in results)} skipped, {len(failed)} failed, on {args.jobs} workers\n")
    if args.json:
        Path(args.json).write_text(json.dumps([r.as_dict() for r in results], indent=1), encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
