"""The sandbox itself (koreathaw_grading.sandbox.launch): what student code can see, reach and use.

Each test starts a real sandbox (bubblewrap) and runs cells in it; traffic goes only
to listeners these tests open on 127.0.0.1.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

from koreathaw_grading.sandbox import launch
from koreathaw_grading.sandbox.host import read_only_paths
from koreathaw_grading.sandbox.launch import Limits, Sandbox

from conftest import needs_sandbox  # noqa: E402

pytestmark = needs_sandbox


def run(box: Sandbox, source: str, **kw) -> tuple[dict, list[dict]]:
    outputs: list[dict] = []
    reply = box.request({"op": "run", "source": source}, on_output=outputs.append, **kw)
    return reply, outputs


def text(outputs: list[dict]) -> str:
    return "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")


def errors(outputs: list[dict]) -> list[str]:
    return [o["ename"] for o in outputs if o.get("output_type") == "error"]


def test_this_machine_can_sandbox():
    """CI machines must grade in the sandbox: no silent fallback."""
    assert launch.unavailable() is None


def test_the_sandbox_user_has_no_privilege(tmp_path):
    """Student code runs as an unprivileged uid with no capabilities and no way to make a user namespace."""
    with Sandbox(None, Limits()) as box:
        reply, out = run(box, "import os, ctypes\nprint(os.getuid(), os.geteuid())\n"
                              "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('CapEff')][0])\n"
                              "print('unshare', ctypes.CDLL(None, use_errno=True).unshare(0x10000000))")
    ids_line, caps, unshare = text(out).strip().split("\n")
    uid, euid = ids_line.split()
    assert uid == euid and int(uid) != 0
    if os.geteuid() == 0:
        assert int(uid) >= 2_000_000, "as root the sandbox runs as a fresh unprivileged uid"
    assert caps == "0000000000000000"
    assert unshare == "unshare -1", "no nested user namespace"


def test_the_sandbox_sees_no_course_no_home_no_host_tmp(tmp_path):
    """Only /usr, Python, the venv, the library and its data, and its own /sandbox and /tmp are there."""
    secret = tmp_path / "secret.txt"
    secret.write_text("the answers")
    marker = Path("/tmp") / f"koreathaw-host-marker-{os.getpid()}"
    marker.write_text("host")
    try:
        with Sandbox(None, Limits()) as box:
            code = (f"import os\nprint(sorted(os.listdir('/')))\n"
                    f"print([p for p in [{str(secret)!r}, {str(marker)!r}, {str(Path.home())!r} + '/.bashrc', "
                    f"'/etc/passwd', '/root/.ssh', {str(Path.cwd())!r} + '/assignments'] if os.path.exists(p)])")
            reply, out = run(box, code)
    finally:
        marker.unlink()
    top, found = text(out).splitlines()
    course_tops = {p.parts[1] for p in read_only_paths()}  # where this checkout and its venv happen to live
    assert set(eval(top)) <= {"bin", "dev", "lib", "lib64", "proc", "root", "sbin", "sandbox", "tmp", "usr"} | course_tops, top
    assert found == "[]"


def test_the_course_files_it_sees_are_read_only():
    """The library's data and the venv cannot be changed from the sandbox."""
    import sys

    import koreathaw as kt

    data = Path(kt.data_dir()) / "names.csv"
    with Sandbox(None, Limits()) as box:
        reply, out = run(box, f"open({str(data)!r}, 'a').write('x')")
        assert errors(out) in (["OSError"], ["PermissionError"]), out
        reply, out = run(box, f"open({sys.prefix!r} + '/pwned', 'w')")
        assert errors(out) in (["OSError"], ["PermissionError"]), out


def test_there_is_no_network():
    """Only a loopback of its own: a listener on the host's 127.0.0.1 is never reached."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    port = server.getsockname()[1]
    reached: list[bytes] = []

    def accept():
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline:
            try:
                conn, _ = server.accept()
                reached.append(conn.recv(100))
            except OSError:
                continue

    listener = threading.Thread(target=accept)
    listener.start()
    try:
        with Sandbox(None, Limits()) as box:
            reply, out = run(box, f"import socket\nprint(socket.if_nameindex())\n"
                                  f"socket.create_connection(('127.0.0.1', {port}), timeout=3).sendall(b'pwned')")
            reply2, out2 = run(box, "import urllib.request\nurllib.request.urlopen('http://example.org', timeout=3)")
    finally:
        listener.join()
        server.close()
    assert text(out).strip() == "[(1, 'lo')]"
    assert errors(out) == ["ConnectionRefusedError"]
    assert errors(out2) == ["URLError"]
    assert reached == []


def test_a_loop_is_interrupted_after_its_cpu_seconds():
    """A cell that loops meets a KeyboardInterrupt once it used its CPU seconds; the kernel goes on."""
    with Sandbox(None, Limits(cell_cpu=1.0)) as box:
        reply, out = run(box, "while True:\n    pass")
        assert reply.get("interrupted") is True and errors(out) == ["KeyboardInterrupt"]
        reply, out = run(box, "print('still here')")
        assert text(out) == "still here\n"


def test_the_verdict_reads_user_time_and_kernel_work_meets_a_backstop():
    """Touching memory is the kernel's work (system time, which a busy machine inflates): it does not
    spend a cell's CPU seconds; a loop of such work is still stopped, by the user + system backstop."""
    # 500 MB touched costs 0.05 s of user time and 0.3-1 s of system time on a quiet machine (2 s seen for
    # 1 GB): the backstop is far enough above that for a busy machine, and the loop below still meets it.
    with Sandbox(None, Limits(cell_cpu=1.0, cell_cpu_total=8.0)) as box:
        user0, cpu0 = box.user_seconds(), box.cpu_seconds()
        reply, out = run(box, "chunks = [bytearray(100 * 1024 * 1024) for _ in range(5)]\ndel chunks")
        user, system = box.user_seconds() - user0, box.cpu_seconds() - cpu0 - (box.user_seconds() - user0)
        assert not reply.get("interrupted") and errors(out) == [], out
        assert user < system, (user, system)
        user0, cpu0 = box.user_seconds(), box.cpu_seconds()
        reply, out = run(box, "zero = open('/dev/zero', 'rb', buffering=0)\nwhile True:\n    zero.read(1 << 24)")
        assert reply.get("interrupted") is True and errors(out) == ["KeyboardInterrupt"]
        assert box.cpu_seconds() - cpu0 > 8.0 and box.user_seconds() - user0 < 1.0, "the backstop fired, not the user clock"


def test_a_loop_is_interrupted_when_the_grader_ignores_sigint():
    """A grader started in the background ignores SIGINT (and its children inherit that): cells are interrupted all the same."""
    import signal

    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with Sandbox(None, Limits(cell_cpu=1.0)) as box:
            reply, out = run(box, "while True:\n    pass")
    finally:
        signal.signal(signal.SIGINT, old)
    assert reply.get("interrupted") is True and errors(out) == ["KeyboardInterrupt"]


def test_a_sleeping_cell_costs_no_cpu_and_meets_the_wall_backstop():
    """Sleeping is not CPU: the CPU limit does not fire, the (generous) wall backstop does."""
    with Sandbox(None, Limits(cell_cpu=1.0, cell_wall=2.0)) as box:
        start = time.monotonic()
        reply, out = run(box, "import time\ntime.sleep(30)")
        assert reply.get("interrupted") is True and time.monotonic() - start < 20


def test_a_kernel_that_ignores_the_interrupt_is_killed():
    """A loop that swallows KeyboardInterrupt: killed after its grace CPU seconds; Unresponsive."""
    with Sandbox(None, Limits(cell_cpu=0.5, interrupt_grace_cpu=0.5)) as box:
        with pytest.raises(launch.Unresponsive):
            run(box, "while True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        pass")
        assert box.proc.poll() is not None


def test_a_kernel_that_exits_is_reported_dead():
    """os._exit in a cell: KernelDied, not a hang."""
    with Sandbox(None, Limits()) as box:
        with pytest.raises(launch.KernelDied, match="died"):
            run(box, "import os\nos._exit(3)")


def test_memory_beyond_the_limit_is_a_memory_error():
    """One process asking for more than the limit gets a MemoryError (RLIMIT_AS); the kernel lives on."""
    with Sandbox(None, Limits(memory_mb=1024)) as box:
        reply, out = run(box, "x = bytearray(2 * 1024 * 1024 * 1024)")
        assert errors(out) == ["MemoryError"]
        reply, out = run(box, "print('alive')")
        assert text(out) == "alive\n"


def test_files_larger_than_the_limit_cannot_be_written():
    """RLIMIT_FSIZE: a file beyond file_mb fails with EFBIG (and the tmpfs is small anyway)."""
    with Sandbox(None, Limits(file_mb=1)) as box:
        reply, out = run(box, "open('/tmp/big', 'wb').write(b'x' * 2 * 1024 * 1024)")
        assert errors(out) == ["OSError"] and "File too large" in out[-1]["evalue"]


@pytest.mark.skipif(os.geteuid() != 0, reason="cgroups are set up for root only")
def test_processes_are_capped_and_the_ones_left_behind_are_killed():
    """A fork bomb stops at the cgroup's pids limit; children still running at the end are counted and killed."""
    with Sandbox(None, Limits(processes=8)) as box:
        assert box.group is not None, "as root the sandbox has a cgroup"
        reply, out = run(box, "import os, time\nkids = 0\nfor i in range(100):\n    try:\n        pid = os.fork()\n"
                              "    except OSError:\n        break\n    if pid == 0:\n        time.sleep(300)\n"
                              "        os._exit(0)\n    kids += 1\nprint(kids)")
        kids = int(text(out))
        group = box.group
    assert 1 <= kids <= 8
    assert box.leftover == kids
    assert group.pids() == set() and not any(d.exists() for d in group.dirs.values())


def test_without_a_cgroup_no_process_can_be_started(monkeypatch):
    """Where no cgroup holds the tree, student code may not start any process (so RLIMIT_AS bounds the memory)."""
    monkeypatch.setenv("KOREATHAW_SANDBOX_CGROUPS", "off")
    with Sandbox(None, Limits()) as box:
        assert box.group is None
        reply, out = run(box, "import os\nos.fork()")
        assert errors(out) == ["BlockingIOError"]


@pytest.mark.skipif(os.geteuid() != 0, reason="cgroups are set up for root only")
def test_memory_split_across_processes_is_held_by_the_cgroup():
    """A parent and a child each under RLIMIT_AS but together over the limit: the OOM killer stops one of them."""
    with Sandbox(None, Limits(memory_mb=700)) as box:
        code = ("import os, signal, time\npid = os.fork()\nblocks = []\nfor _ in range(12):\n"
                "    blocks.append(b'\\x01' * (50 * 1024 * 1024))\n"
                "if pid == 0:\n    os._exit(0)\n_, status = os.waitpid(pid, 0)\n"
                "print('child', 'killed' if os.WIFSIGNALED(status) else 'finished')")
        try:
            reply, out = run(box, code)
            outcome = text(out).strip()
        except launch.KernelDied as exc:
            assert exc.oom
            outcome = "kernel killed"
        box.close()
    assert outcome in ("child killed", "kernel killed") and box.oom_kills >= 1


def test_nothing_stays_behind(tmp_path):
    """After close: no process, no stage folder, no cgroup."""
    submission = tmp_path / "sub"
    submission.mkdir()
    (submission / "notes.txt").write_text("mine")
    with Sandbox(submission, Limits()) as box:
        reply, out = run(box, "print(open('notes.txt').read())")
        stage, runner = box.stage, box.runner_pid
    assert text(out) == "mine\n"
    assert stage is None or not Path(stage).exists()
    assert runner is None or not Path(f"/proc/{runner}").exists()


def test_a_kernel_that_stops_reading_its_requests_is_killed_not_waited_for():
    """A cell writes a fake end-of-cell reply and sleeps with its request pipe unread: the grader's next
    (large) request cannot block it for ever; at the deadline the kernel counts as dead and is killed."""
    fake_done = ("import json, os, struct, sys, time\n_b = json.dumps({'t': 'done', 'status': 'ok', 'count': 1}).encode()\n"
                 "os.write(int(sys.argv[-1]), struct.pack('>I', len(_b)) + _b)\ntime.sleep(10**6)")
    with Sandbox(None, Limits(cell_wall=3.0)) as box:
        reply, _ = run(box, fake_done)
        assert reply.get("t") == "done"  # the fake one: the cell is still asleep
        start = time.monotonic()
        with pytest.raises(launch.KernelDied):
            run(box, "#" + "x" * 300_000)
        assert time.monotonic() - start < 60
