"""Long-lived forked graders taking students from one queue (koreathaw_grading.pool)."""

from __future__ import annotations

import os

from koreathaw_grading import pool


def test_a_dying_worker_loses_no_other_submission():
    """A grading worker that dies mid-batch costs only its own task, reported as lost; the rest are done."""
    def work(task, worker):
        if task == "crash":
            os._exit(3)
        return f"graded {task}"

    seen = []
    tasks = ["a", "b", "crash", "c", "d", "e"]
    results = pool.run(tasks, work, 2, on_result=lambda done, res: seen.append(done),
                       on_lost=lambda task, why: f"lost {task}: {why}")
    assert [r for t, r in zip(tasks, results) if t != "crash"] == [f"graded {t}" for t in tasks if t != "crash"]
    assert results[2].startswith("lost crash")
    assert sorted(seen) == list(range(1, len(tasks) + 1))


def test_default_jobs_is_the_usable_cores():
    """One worker per core this process may use."""
    assert pool.default_jobs() == len(os.sched_getaffinity(0))


def test_one_job_runs_in_this_process_and_reports_failures():
    """With one job nothing is forked; a task that raises is reported lost, the others are done."""
    seen = []

    def work(task, worker):
        if task == "bad":
            raise ValueError("broken")
        return (task, worker, os.getpid())

    results = pool.run(["a", "bad", "b"], work, 1, on_result=lambda done, res: seen.append(done),
                       on_lost=lambda task, why: f"lost {task}: {why}")
    assert results[0] == ("a", 0, os.getpid()) and results[1] == "lost bad: ValueError: broken"
    assert seen == [1, 2, 3]


def test_a_worker_that_raises_loses_only_that_task():
    """In a forked worker an exception is reported for its task; the worker goes on with the next."""
    def work(task, worker):
        if task == 2:
            raise RuntimeError("two")
        return task * 10

    results = pool.run([1, 2, 3, 4], work, 2, on_result=lambda done, res: None, on_lost=lambda t, why: why)
    assert results == [10, "RuntimeError: two", 30, 40]
