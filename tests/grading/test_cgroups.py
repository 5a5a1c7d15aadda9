"""cgroups for the sandbox (sandbox.cgroups): both layouts, read through fake cgroup trees, and a real one as root."""

from __future__ import annotations

import os

import pytest

from koreathaw_grading.sandbox import cgroups


def fake_v2(tmp_path, monkeypatch):
    """A cgroup v2 tree under tmp_path, this process in /user.slice/app.scope."""
    root = tmp_path / "cgroup"
    own = root / "user.slice" / "app.scope"
    own.mkdir(parents=True)
    (root / "cgroup.controllers").write_text("cpu memory pids\n")
    monkeypatch.setattr(cgroups, "ROOT", root)
    monkeypatch.setattr(cgroups, "_own_path", lambda controller: "/user.slice/app.scope" if controller == "" else None)
    return own


def test_v2_group_gets_the_limits_and_reports_cpu_and_oom(tmp_path, monkeypatch):
    """memory.max and pids.max are written; cpu.stat and memory.events are read."""
    own = fake_v2(tmp_path, monkeypatch)
    real_mkdir = os.mkdir

    def mkdir_with_files(path, *args):
        real_mkdir(path, *args)
        for name in ("memory.max", "pids.max", "memory.swap.max", "cgroup.procs"):
            (own / os.path.basename(path) / name).write_text("")

    monkeypatch.setattr(os, "mkdir", mkdir_with_files)
    group = cgroups._make_v2("box", 1024, 7)
    assert group is not None and group.version == 2
    path = group.dirs["unified"]
    assert (path / "memory.max").read_text() == "1024" and (path / "pids.max").read_text() == "7"
    assert (path / "memory.swap.max").read_text() == "0"
    (path / "cpu.stat").write_text("usage_usec 2500000\nuser_usec 1\n")
    (path / "memory.events").write_text("low 0\noom 1\noom_kill 2\n")
    (path / "cgroup.procs").write_text("")
    assert group.cpu_seconds() == 2.5 and group.oom_kills() == 2 and group.pids() == set()
    group.remove()


def test_v2_without_delegation_gives_no_group(tmp_path, monkeypatch):
    """Where the files cannot be written (no delegated subtree), create() falls back to no cgroup."""
    fake_v2(tmp_path, monkeypatch)
    assert cgroups._make_v2("box", 1024, 7) is None


def test_no_cgroup_tree_gives_no_group(tmp_path, monkeypatch):
    """No /sys/fs/cgroup of either kind: None, and the sandbox uses rlimits alone."""
    monkeypatch.setattr(cgroups, "ROOT", tmp_path / "none")
    monkeypatch.setattr(cgroups, "_own_path", lambda controller: None)
    assert cgroups.create(1024, 7) is None


def test_the_switch_turns_cgroups_off(monkeypatch):
    """KOREATHAW_SANDBOX_CGROUPS=off: no group, whatever the machine offers."""
    monkeypatch.setenv("KOREATHAW_SANDBOX_CGROUPS", "off")
    assert cgroups.create(1024, 7) is None


def test_own_path_reads_proc_self_cgroup():
    """This process's cgroup paths come from /proc/self/cgroup (v2's line has no controllers)."""
    text = open("/proc/self/cgroup").read()
    for line in text.splitlines():
        _, controllers, path = line.split(":", 2)
        name = "" if controllers == "" else controllers.split(",")[0]
        assert cgroups._own_path(name) == path


@pytest.mark.skipif(os.geteuid() != 0, reason="cgroups are made for root only")
def test_a_real_group_as_root_is_made_and_removed():
    """On this machine as root: a group with the limits, empty, then gone."""
    group = cgroups.create(512 * 1024 * 1024, 5)
    if group is None:
        pytest.skip("no writable cgroup tree here")
    try:
        assert group.pids() == set() and group.kill_all()
        assert group.cpu_seconds() >= 0 and group.oom_kills() == 0
    finally:
        group.remove()
    assert not any(d.exists() for d in group.dirs.values())


def test_a_sweep_removes_what_dead_graders_left_and_keeps_the_living(tmp_path, monkeypatch):
    """A grader killed (out of memory, say) leaves its sandboxes' cgroups and stage folders: the next run
    removes those whose grader is gone, and keeps its own, a running grader's and anything not ours."""
    import subprocess
    import tempfile

    from koreathaw_grading.sandbox import host

    own = fake_v2(tmp_path, monkeypatch)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp))
    dead = subprocess.run(["sh", "-c", "echo $$"], capture_output=True, text=True, check=True).stdout.strip()
    assert not cgroups.alive(int(dead))
    gone = [own / f"koreathaw-sandbox-{dead}-abc", tmp / f"koreathaw-sandbox-{dead}-xyz"]
    kept = [own / f"koreathaw-sandbox-{os.getpid()}-abc", tmp / f"koreathaw-sandbox-{os.getpid()}-xyz",
            own / "koreathaw-sandbox-oldstyle", tmp / "other"]
    for path in gone + kept:
        path.mkdir()
    (gone[1] / "a1-sources.ipynb").write_text("{}")
    removed = host.sweep()
    assert sorted(removed) == sorted(gone) and not any(p.exists() for p in gone)
    assert all(p.exists() for p in kept)
