"""LMS downloads (koreathaw_grading.lms): safe unpacking, the layouts told apart, Canvas and Moodle names read."""

from __future__ import annotations

import datetime as dt
import stat
import zipfile

import pytest

from koreathaw_grading import lms


def make_zip(path, members: dict[str, bytes], when=(2026, 11, 19, 10, 0, 0)):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, when), data)
    return path


def test_unpack_keeps_names_and_times(tmp_path):
    """Members land under the target with the zip's time, read as UTC."""
    archive = make_zip(tmp_path / "a.zip", {"kim_1_2_a1.ipynb": b"{}", "sub/x.txt": b"x"})
    out = lms.unpack(archive, tmp_path / "out")
    assert (out / "kim_1_2_a1.ipynb").read_bytes() == b"{}" and (out / "sub" / "x.txt").is_file()
    when = dt.datetime.fromtimestamp((out / "sub" / "x.txt").stat().st_mtime, tz=dt.timezone.utc)
    assert when == dt.datetime(2026, 11, 19, 10, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("name", ["../evil.ipynb", "/etc/evil", "a/../../evil", "C:evil"])
def test_unpack_refuses_paths_outside(tmp_path, name):
    """Zip slip: a member that would land outside the folder stops the unpacking, naming it."""
    archive = make_zip(tmp_path / "a.zip", {name: b"x"})
    with pytest.raises(lms.UnsafeArchive, match="points outside"):
        lms.unpack(archive, tmp_path / "out")
    assert not (tmp_path / "evil.ipynb").exists()


def test_unpack_refuses_links_and_bombs(tmp_path, monkeypatch):
    """A member stored as a link is refused; so is a zip that unpacks to more than the limit."""
    archive = tmp_path / "link.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        info = zipfile.ZipInfo("passwd")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(lms.UnsafeArchive, match="is a link"):
        lms.unpack(archive, tmp_path / "out1")
    monkeypatch.setattr(lms, "MAX_BYTES", 10)
    with pytest.raises(lms.UnsafeArchive, match="more than"):
        lms.unpack(make_zip(tmp_path / "big.zip", {"a": b"x" * 11}), tmp_path / "out2")
    monkeypatch.setattr(lms, "MAX_FILES", 1)
    with pytest.raises(lms.UnsafeArchive, match="holds 2 files"):
        lms.unpack(make_zip(tmp_path / "many.zip", {"a": b"", "b": b""}), tmp_path / "out3")


def test_layouts_are_told_apart(tmp_path):
    """Canvas's flat files, Moodle's folders, and everything else as folders."""
    canvas = tmp_path / "canvas"
    canvas.mkdir()
    (canvas / "kimminjun_LATE_7001_99_a1-sources.ipynb").write_text("{}")
    (canvas / "leeseo_7002_98_a1-sources-1.ipynb").write_text("{}")
    moodle = tmp_path / "moodle" / "Min-jun Kim_7001_assignsubmission_file_"
    moodle.mkdir(parents=True)
    (moodle / "a1-sources.ipynb").write_text("{}")
    folders = tmp_path / "folders" / "kim01"
    folders.mkdir(parents=True)
    assert lms.layout(canvas) == "canvas" and lms.layout(tmp_path / "moodle") == "moodle"
    assert lms.layout(tmp_path / "folders") == "folders"


def test_canvas_files_are_grouped_by_user_with_late_marks(tmp_path):
    """One delivery per Canvas user id, original file names, the LATE mark; strays are listed."""
    (tmp_path / "kimminjun_LATE_7001_99_a1-sources.ipynb").write_text("{}")
    (tmp_path / "kimminjun_LATE_7001_100_a1-sources-1.ipynb").write_text("{}")
    (tmp_path / "leeseo_7002_98_notes.txt").write_text("x")
    (tmp_path / "readme.txt").write_text("x")
    found, strays = lms.canvas(tmp_path)
    by_id = {d.lms_id: d for d in found}
    assert sorted(name for _, name in by_id["7001"].files) == ["a1-sources-1.ipynb", "a1-sources.ipynb"]
    assert by_id["7001"].late and not by_id["7002"].late and "kimminjun" in by_id["7001"].label
    assert strays == ["readme.txt"] and by_id["7001"].when is not None


def test_moodle_folders_are_read_with_their_files(tmp_path):
    """One delivery per participant folder, with the files inside it."""
    folder = tmp_path / "José Müller_7003_assignsubmission_file_"
    (folder / "sub").mkdir(parents=True)
    (folder / "a1-sources.ipynb").write_text("{}")
    (folder / "sub" / "data.csv").write_text("x")
    (tmp_path / "stray").mkdir()
    found, strays = lms.moodle(tmp_path)
    assert [(d.lms_id, sorted(n for _, n in d.files)) for d in found] == [("7003", ["a1-sources.ipynb", "sub/data.csv"])]
    assert strays == ["stray"] and "José Müller" in found[0].label


def test_timestamps_are_written_as_nbgrader_reads_them():
    """nbgrader's timestamp.txt format, in UTC."""
    when = dt.datetime(2026, 11, 19, 19, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    assert lms.timestamp_text(when) == "2026-11-19 10:00:00.000000 UTC"
