"""Lateness (koreathaw_grading.late): the per-day penalty, due dates parsed and stored."""

from __future__ import annotations

import datetime as dt

import pytest

from koreathaw_grading.late import PerDayPenalty, minutes_late, parse_due, set_duedate


@pytest.mark.parametrize("seconds, expected", [(0, 0.0), (60 * 10, 0.0), (60 * 16, 1.0), (86400 + 15 * 60, 1.0),
                                               (86400 + 16 * 60, 2.0), (20 * 86400, 10.0)])
def test_per_day_penalty_counts_days_after_the_grace(seconds, expected):
    """10 % of a 10-point score per day or part of one, after 15 minutes' grace, at most the score."""
    plugin = PerDayPenalty(percent_per_day=10, grace_minutes=15)
    assert plugin.late_submission_penalty("s", 10.0, seconds) == expected


def test_minutes_late_round_up():
    """One second late is one minute late; on time is 0."""
    assert (minutes_late(0), minutes_late(1), minutes_late(60), minutes_late(61)) == (0, 1, 1, 2)


def test_due_dates_are_read_in_utc_or_with_a_zone():
    """UTC by default; an offset or a zone name is converted; nonsense is an error that shows the forms."""
    assert parse_due("2026-03-01 17:00") == dt.datetime(2026, 3, 1, 17, 0)
    assert parse_due("2026-03-01 17:00 Asia/Seoul") == dt.datetime(2026, 3, 1, 8, 0)
    with pytest.raises(ValueError, match="write it like 2026-03-01 17:00"):
        parse_due("next tuesday-ish")


def test_a_due_date_needs_a_released_assignment(mini):
    """Set, read back, cleared; an unreleased assignment is an error naming the fix."""
    set_duedate(mini, "t1-mini", dt.datetime(2026, 3, 1, 8, 0))
    with mini.gradebook() as gb:
        assert gb.find_assignment("t1-mini").duedate == dt.datetime(2026, 3, 1, 8, 0)
    set_duedate(mini, "t1-mini", None)
    with pytest.raises(ValueError, match="make release ASSIGNMENT=nope"):
        set_duedate(mini, "nope", None)
