"""Student ids: one rule for collect and the roster (koreathaw_grading.ids)."""

from __future__ import annotations

import pytest

from koreathaw_grading import ids


@pytest.mark.parametrize("text", ["kim01", "Kim.Min-jun_2", "josé", "김민준", "müller", "a" * 64])
def test_problem_accepts_plain_ids(text):
    """Letters of any script, digits, '.', '_' and '-' make an id."""
    assert ids.problem(text) is None


@pytest.mark.parametrize("text, why", [
    ("", "empty"), (".hidden", "starts with a dot"), ("a..b", "'..'"), ("a/b", "slash"), ("a\\b", "slash"),
    ("a b", "space"), ("a\nb", "control"), ("a\u200bb", "invisible"), ("<img src=x>", "'<'"),
    ("a|b", "'|'"), ("a" * 65, "longer than 64"), ("../../../../tmp/x/pwn", "starts with a dot"), ("x/../y", "'..'"),
])
def test_problem_names_what_is_wrong(text, why):
    """A bad id is refused with the reason."""
    assert why in ids.problem(text)


def test_check_normalises_to_nfc():
    """An NFD id (as a Mac writes folder names) becomes the NFC one of the roster."""
    nfd = "jose\u0301"
    assert ids.check(nfd, "here") == "jos\u00e9"
    assert ids.key(nfd) == ids.key("JOSÉ")


def test_check_raises_naming_the_place():
    """The error names where the id was found and why it is refused."""
    with pytest.raises(ids.BadId, match=r"roster.csv, line 3: '\.x' is not a usable student id: it starts with a dot"):
        ids.check(".x", "roster.csv, line 3")


def test_check_roster_refuses_the_same_student_twice(tmp_path):
    """Kim01 and kim01 are one student: the second row is an error naming both lines."""
    rows = [{"id": "kim01"}, {"id": "lee"}, {"id": "Kim01"}]
    with pytest.raises(ids.BadId, match=r"line 4: 'Kim01' is the same student as line 2"):
        ids.check_roster(rows, tmp_path / "students.csv")


def test_check_roster_skips_blank_ids_and_keeps_the_rest(tmp_path):
    """Rows without an id are dropped; the others come back NFC-normalised."""
    rows = [{"id": "jose\u0301", "email": "j@x"}, {"id": ""}]
    assert ids.check_roster(rows, tmp_path / "r.csv") == [{"id": "jos\u00e9", "email": "j@x"}]


def test_match_ignores_case_and_normalisation():
    """A folder name finds its roster id whatever its case or Unicode form."""
    assert ids.match("KIM01", ["lee", "kim01"]) == "kim01"
    assert ids.match("jose\u0301", ["jos\u00e9"]) == "jos\u00e9"
    assert ids.match("park", ["lee"]) is None
