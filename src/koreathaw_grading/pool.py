"""A pool of long-lived, forked workers that take tasks from one shared queue.

The parent sets up everything expensive (imports, the nbgrader app or course,
the gradebook) *before* forking, so each worker starts with it loaded and pays
no start-up of its own; tasks are handed out one at a time, so a slow
submission (a timeout) does not hold up a whole shard. Results come back in the
order they finish; ``on_result`` sees each one at once (progress lines).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from multiprocessing.connection import wait
from typing import Any, Callable, Sequence


def default_jobs() -> int:
    """Return the number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _interrupt(signum, frame):  # SIGTERM in a worker: stop like Ctrl-C, so nbclient shuts its kernel down
    raise KeyboardInterrupt


def _worker(index: int, work: Callable[[Any, int], Any], tasks, conn, after_fork) -> None:
    """Take tasks until the sentinel; send each result down this worker's own pipe.

    ``Connection.send`` writes before it returns (a ``multiprocessing.Queue`` hands
    the result to a feeder thread, and a worker that dies a moment later loses it).
    """
    signal.signal(signal.SIGTERM, _interrupt)
    if after_fork is not None:
        after_fork()
    try:
        while True:
            item = tasks.get()
            if item is None:
                break
            key, task = item
            try:
                conn.send((key, True, work(task, index)))
            except KeyboardInterrupt:
                raise
            except BaseException as exc:
                conn.send((key, False, f"{type(exc).__name__}: {exc}"))
    except KeyboardInterrupt:
        pass
    finally:
        conn.close()
        sys.stdout.flush()
        sys.stderr.flush()


def run(tasks: Sequence[Any], work: Callable[[Any, int], Any], jobs: int,
        on_result: Callable[[int, Any], None], on_lost: Callable[[Any, str], Any],
        after_fork: Callable[[], None] | None = None) -> list[Any]:
    """Run ``work(task, worker_index)`` for every task on ``jobs`` forked workers.

    ``on_result(done_count, result)`` is called in the parent as each task
    finishes. A task whose worker died or raised gets ``on_lost(task, why)`` as
    its result. ``after_fork()`` runs first thing in each worker. Returns the
    results in task order.
    """
    results: list[Any] = [None] * len(tasks)
    done = 0
    if jobs <= 1 or len(tasks) <= 1:
        for i, task in enumerate(tasks):
            try:
                results[i] = work(task, 0)
            except Exception as exc:
                results[i] = on_lost(task, f"{type(exc).__name__}: {exc}")
            done += 1
            on_result(done, results[i])
        return results
    ctx = multiprocessing.get_context("fork")  # workers inherit the loaded app: no second start-up
    task_q = ctx.Queue()
    for i, task in enumerate(tasks):
        task_q.put((i, task))
    jobs = min(jobs, len(tasks))
    for _ in range(jobs):
        task_q.put(None)
    sys.stdout.flush()
    sys.stderr.flush()
    workers, readers = [], {}
    for w in range(jobs):
        reader, writer = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_worker, args=(w, work, task_q, writer, after_fork), name=f"koreathaw-grader-{w}")
        proc.start()
        writer.close()  # the parent keeps only the reading end: EOF when the worker is gone
        workers.append(proc)
        readers[reader] = proc
    seen: set[int] = set()

    def take(key: int, ok: bool, value: Any) -> None:
        nonlocal done
        seen.add(key)
        results[key] = value if ok else on_lost(tasks[key], value)
        done += 1
        on_result(done, results[key])

    try:
        while readers and len(seen) < len(tasks):
            for conn in wait(list(readers), timeout=5.0):
                try:
                    take(*conn.recv())
                except (EOFError, OSError):  # the worker finished or died; all it sent has been read
                    readers.pop(conn).join(timeout=5)
                    conn.close()
    except KeyboardInterrupt:
        for proc in workers:
            if proc.is_alive():
                proc.terminate()
        raise
    finally:
        for proc in workers:
            proc.join(timeout=60)
            if proc.is_alive():
                proc.terminate()
    for key, task in enumerate(tasks):
        if key not in seen:  # its worker died (killed, crashed) before reporting it
            take(key, False, "the grading worker died before reporting this submission")
    return results
