"""Collecting from nbgrader's exchange on a hub (koreathaw_grading.hub): whose, when and which.

The submissions here are made by the user running the tests (their unix name is
the student id), and by that same user in the name of another account (``nobody``),
as a student on a hub would try. ``tests/hub/`` does the same with real users.
"""

from __future__ import annotations

import json
import os
import pwd
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from conftest import ASSIGNMENT, make_mini

from koreathaw_grading import hub
from koreathaw_grading.course import Course

ME = pwd.getpwuid(os.geteuid()).pw_name
OTHER = "nobody"


@pytest.fixture()
def course(tmp_path, monkeypatch):
    """The mini course with an exchange of its own (KOREATHAW_EXCHANGE) and an empty inbound folder."""
    monkeypatch.setenv("KOREATHAW_EXCHANGE", str(tmp_path / "exchange"))
    root = make_mini(tmp_path)
    (tmp_path / "exchange" / "korean-thaw" / "inbound").mkdir(parents=True)
    return Course(root, echo=lambda text: None)


def submit(course: Course, student: str, claimed: str, notebook: str = "{}", random: str = "abc") -> Path:
    """A submission folder as nbgrader's submit makes it, claiming the time ``claimed``."""
    folder = hub.exchange_course(course) / "inbound" / f"{student}+{ASSIGNMENT}+{claimed}+{random}"
    folder.mkdir()
    (folder / f"{ASSIGNMENT}.ipynb").write_text(notebook, encoding="utf-8")
    (folder / "timestamp.txt").write_text(claimed, encoding="utf-8")
    (folder / hub.SECRET).write_text("s3cret", encoding="utf-8")
    return folder


def now_text() -> str:
    return datetime.now(timezone.utc).strftime(hub.TIME_FORMAT)


def test_exchange_root_comes_from_the_environment(course, tmp_path):
    """KOREATHAW_EXCHANGE sets the exchange of the course's config; the course id names its folder."""
    assert hub.exchange_course(course) == tmp_path / "exchange" / "korean-thaw"


def test_collect_exchange_copies_with_the_kernels_time_and_keeps_the_secret(course):
    """A genuine submission is collected; timestamp.txt is the kernel's time; the feedback secret is kept."""
    before = datetime.now(timezone.utc)
    submit(course, ME, now_text(), notebook='{"mine": 1}')
    seen = hub.collect_exchange(course, ASSIGNMENT)
    dest = course.root / "submitted" / ME / ASSIGNMENT
    assert [s.status for s in seen] == ["collected"] and seen[0].flags == []
    assert (dest / f"{ASSIGNMENT}.ipynb").read_text() == '{"mine": 1}'
    assert (dest / hub.SECRET).read_text() == "s3cret"
    stamped = hub._parse_time((dest / "timestamp.txt").read_text())
    assert before.timestamp() - 1 <= stamped.timestamp() <= datetime.now(timezone.utc).timestamp() + 1


def test_collect_exchange_corrects_a_backdated_timestamp(course):
    """A timestamp.txt claiming an earlier time is replaced by the kernel's, and flagged."""
    submit(course, ME, "2020-01-01 00:00:00.000000 UTC")
    seen = hub.collect_exchange(course, ASSIGNMENT)
    assert seen[0].flags and seen[0].flags[0].startswith("timestamp_corrected:2020-01-01")
    stamped = (course.root / "submitted" / ME / ASSIGNMENT / "timestamp.txt").read_text()
    assert stamped.startswith(str(datetime.now(timezone.utc).year))


def test_collect_exchange_refuses_a_submission_in_another_students_name(course):
    """A folder named for another student but made by me is refused and collects nothing for them."""
    submit(course, OTHER, now_text())
    seen = hub.collect_exchange(course, ASSIGNMENT)
    assert [s.status for s in seen] == ["refused"]
    assert f"made by {ME}, not by {OTHER}" in seen[0].details[0]
    assert not (course.root / "submitted" / OTHER).exists()


def test_collect_exchange_refuses_links(course, tmp_path):
    """A link inside a submission, or a submission that is a link, is refused; nothing is followed."""
    secret = tmp_path / "answers.txt"
    secret.write_text("the model solution")
    folder = submit(course, ME, now_text())
    (folder / "peek.txt").symlink_to(secret)
    (hub.exchange_course(course) / "inbound" / f"{ME}+{ASSIGNMENT}+{now_text()}+lnk").symlink_to(folder)
    seen = hub.collect_exchange(course, ASSIGNMENT)
    assert sorted(s.status for s in seen) == ["refused", "refused"]
    assert any("peek.txt is a link" in s.details[0] for s in seen)
    assert not (course.root / "submitted" / ME).exists()


def test_collect_exchange_takes_the_newest_by_the_kernels_clock(course):
    """Of two submissions the later one counts, whatever time their names claim."""
    submit(course, ME, "2099-01-01 00:00:00.000000 UTC", notebook='{"first": 1}', random="one")
    time.sleep(0.05)  # inode times are at least this fine; the second submission is made later
    submit(course, ME, now_text(), notebook='{"second": 2}', random="two")
    hub.collect_exchange(course, ASSIGNMENT)
    assert (course.root / "submitted" / ME / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text() == '{"second": 2}'


def test_collect_exchange_notes_replace_the_students_earlier_entries(course):
    """The collect notes hold the student's latest exchange entry (its flags reach the report), not old ones."""
    first = submit(course, ME, "2020-01-01 00:00:00.000000 UTC", random="one")
    hub.collect_exchange(course, ASSIGNMENT)
    time.sleep(0.05)
    submit(course, ME, now_text(), random="two")
    hub.collect_exchange(course, ASSIGNMENT)
    notes = json.loads((course.root / "reports" / "collect" / f"{ASSIGNMENT}.json").read_text())
    mine = [n for n in notes if n["student"] == ME]
    assert [n["folder"].endswith("+two") for n in mine] == [True] and mine[0]["flags"] == []
    assert first.name not in {n["folder"] for n in notes}


def test_collect_exchange_errors_name_the_problem(course, tmp_path):
    """An unknown assignment, or an exchange with no inbound folder, is a clear error (exit status 2)."""
    with pytest.raises(ValueError, match="unknown assignment 'nope'"):
        hub.collect_exchange(course, "nope")
    (hub.exchange_course(course) / "inbound").rmdir()
    assert hub.main(["--course", str(course.root), "collect", ASSIGNMENT]) == 2


def test_parse_name_reads_nbgraders_folder_names():
    """student+assignment+time(+random) with '+' allowed in the student part only as nbgrader allows."""
    assert hub.parse_name("ann+a1+2026-01-01 10:00:00.000000 UTC+x_y") == ("ann", "a1", "2026-01-01 10:00:00.000000 UTC")
    assert hub.parse_name("ann+a1+2026-01-01 10:00:00 UTC") == ("ann", "a1", "2026-01-01 10:00:00 UTC")
    assert hub.parse_name("no-plus-here") is None
