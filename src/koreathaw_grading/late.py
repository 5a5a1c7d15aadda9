"""Late submissions: due dates in the gradebook, minutes late, and a penalty policy.

nbgrader reads a submission's time from its ``timestamp.txt`` (its exchange writes it;
collect writes it from a Canvas or Moodle download) and the assignment's due date from
the gradebook (``koreathaw-grade duedate ASSIGNMENT DATE`` or ``release --duedate``);
a submission after the due date is late by the difference. What that costs is a
policy: nbgrader's ``LateSubmissionPlugin`` (no penalty, or zero) by default, or
:class:`PerDayPenalty`, set in ``assignments/nbgrader_config.py``::

    c.AssignLatePenalties.plugin_class = "koreathaw_grading.late.PerDayPenalty"
    c.PerDayPenalty.percent_per_day = 10     # of the score, per day or part of a day
    c.PerDayPenalty.grace_minutes = 15
"""

from __future__ import annotations

import datetime as dt
import math

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float


class PerDayPenalty(LateSubmissionPlugin):
    """A penalty of ``percent_per_day`` of the score for each day (or part of one) late, after a grace period."""

    percent_per_day = Float(10.0, help="percent of the score taken per day, or part of a day, late").tag(config=True)
    grace_minutes = Float(0.0, help="minutes after the due date that are not late").tag(config=True)
    max_percent = Float(100.0, help="the most a penalty may take, in percent of the score").tag(config=True)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float | None:
        """The points taken from ``score`` for a submission ``total_seconds_late`` seconds late."""
        late = total_seconds_late - 60 * self.grace_minutes
        if late <= 0:
            return 0.0
        days = math.ceil(late / 86400)
        return round(score * min(self.max_percent, days * self.percent_per_day) / 100, 4)


def parse_due(text: str) -> dt.datetime:
    """A due date as nbgrader stores it (naive UTC), from ``2026-03-01 17:00`` (UTC) or with an offset or zone name."""
    from nbgrader.utils import parse_utc

    try:
        return parse_utc(text)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"{text!r} is not a date: write it like 2026-03-01 17:00 (UTC), "
                         f"2026-03-01 17:00+09:00 or 2026-03-01 17:00 Asia/Seoul ({exc})") from None


def set_duedate(course, assignment: str, when: dt.datetime | None) -> None:
    """Set (or, with None, clear) the due date of a released assignment in the gradebook."""
    from nbgrader.api import MissingEntry

    with course.gradebook() as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            raise ValueError(f"{assignment} is not released yet: make release ASSIGNMENT={assignment} first") from None
        gb.update_or_create_assignment(assignment, duedate=when)


def minutes_late(seconds: float) -> int:
    """Whole minutes late, rounded up (one second late is one minute)."""
    return math.ceil(seconds / 60) if seconds > 0 else 0
