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


def test_canonical_name_refuses_non_text():
    with pytest.raises(TypeError, match="name must be text"):
        kt.canonical_name(None)


def test_variant_of_a_variant_is_refused(data_copy):
    """A row pointing at a name that is itself only a variant is a DataError naming the row and the fix."""
    rows = data_copy.rows("names")
    header = rows[0]
    variant_row = next(r for r in rows[1:] if r[header.index("variant")] != r[header.index("canonical")])
    mid = variant_row[header.index("variant")]
    new = ["KJU-test"] + [""] * (len(header) - 1)
    new[header.index("canonical")] = mid
    new[header.index("kind")] = variant_row[header.index("kind")]
    rows.append(new)
    data_copy.write_rows("names", rows)
    with pytest.raises(kt.DataError, match=rf"line {len(rows)}.*KJU-test.*is not a canonical name"):
        kt.load_names()
