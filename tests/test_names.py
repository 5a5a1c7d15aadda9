"""Tests for spelling variants and canonical names (koreathaw.names)."""

from __future__ import annotations

import pytest

import koreathaw as kt


@pytest.mark.parametrize(
    "variant, canonical",
    [
        ("Kim Jong-un", "Kim Jong Un"),
        ("Kim Jong-Un", "Kim Jong Un"),
        ("Kim Jong Un", "Kim Jong Un"),
        ("Moon Jae In", "Moon Jae-in"),
        ("Moon Jae-In", "Moon Jae-in"),
        ("PyeongChang", "Pyeongchang"),
        ("KCNA", "Korean Central News Agency"),
    ],
)
def test_canonical_name_variants(variant, canonical):
    """The variants the issue lists map to one canonical name."""
    assert kt.canonical_name(variant) == canonical


def test_canonical_name_unknown_suggests():
    """An unknown spelling raises KeyError with a near match."""
    with pytest.raises(KeyError, match=r"did you mean 'Kim Jong Un'"):
        kt.canonical_name("Kim Jung Un")


def test_every_variant_found_in_corpus_or_documented():
    """Every person variant in names.csv that the corpus uses is found by find_mentions."""
    names = kt.load_names()
    text = "\n".join(kt.load_articles()["text"])
    found = set(kt.find_mentions(text, names)["variant"])
    for variant in ("Kim Jong-un", "Kim Jong Un", "Kim Jong-Un", "Moon Jae-in", "Moon Jae In", "Moon Jae-In", "PyeongChang", "Pyeongchang", "KCNA"):
        assert variant in found


def test_find_mentions_longest_first():
    """'Korean Central News Agency' is one mention; no shorter name inside it is counted."""
    found = kt.find_mentions("the Korean Central News Agency (KCNA) said")
    assert found["variant"].tolist() == ["Korean Central News Agency", "KCNA"]
    assert set(found["canonical"]) == {"Korean Central News Agency"}


def test_find_mentions_no_partial_words():
    """'US' inside 'USA' or 'UN' inside 'UNESCO' are not mentions."""
    assert kt.find_mentions("USA and UNESCO").empty


def test_load_names_canonical_must_be_variant(data_copy):
    """A canonical name that is not itself a variant is refused by line."""
    rows = data_copy.rows("names")
    rows.append(["Kim Jong-eun", "Kim Jong-eun Un", "person", ""])
    data_copy.write_rows("names", rows)
    with pytest.raises(kt.DataError, match=rf"names\.csv, line {len(rows)} \(Kim Jong-eun\), column 'canonical'"):
        kt.load_names()


def test_load_names_duplicate_variant(data_copy):
    """The same variant twice is refused."""
    rows = data_copy.rows("names")
    rows.append(["KCNA", "Korean Central News Agency", "organisation", ""])
    data_copy.write_rows("names", rows)
    with pytest.raises(kt.DataError, match=r"duplicate variant 'KCNA'"):
        kt.load_names()
