"""Tests for the articles and text tools (koreathaw.corpus)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

import koreathaw as kt

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def test_load_articles_shape_and_dtypes():
    """Five articles, indexed by id, with a datetime publication date."""
    articles = kt.load_articles()
    assert articles.shape[0] == 5
    assert articles.index.name == "article_id"
    assert pd.api.types.is_datetime64_any_dtype(articles["publication_date"])
    assert articles["word_count"].dtype == "int64"


def test_load_articles_metadata_only_as_far_as_text_shows():
    """An outlet is named only if the text states it or an external attribution documents it; no URL is invented."""
    articles = kt.load_articles()
    assert articles.loc["warm-climate", "outlet"] == "The Straits Times"
    assert articles.loc["warm-climate", "outlet_basis"] == "stated"
    for article_id, row in articles.iterrows():
        if row["outlet_basis"] == "stated":
            assert row["outlet"] in row["text"], f"{article_id}: a stated outlet must be written in the text"
        assert (row["outlet"] == "unknown") == (row["outlet_basis"] == "unknown"), article_id
        # The texts carry no web address: a known URL can only come from the external attribution.
        assert (row["url"] != "unknown") == (row["outlet_basis"] == "external"), article_id
    assert articles.loc["ipu-toast", "publication_date"] == pd.Timestamp("2018-03-28")
    assert set(articles.loc[articles["date_basis"] == "inferred"].index) == {"talks-panmunjom", "liaison-meeting"}


def test_external_attributions_name_their_source():
    """An external attribution gives the page it rests on (an http(s) address) and says so in outlet_note."""
    articles = kt.load_articles()
    external = articles[articles["outlet_basis"] == "external"]
    assert set(external.index) == {"ipu-toast", "liaison-meeting"}, "the attributions documented in data/README.md"
    for article_id, row in external.iterrows():
        assert row["url"].startswith(("http://", "https://")), article_id
        assert "External attribution" in row["outlet_note"], article_id
        assert row["outlet"] not in row["text"], f"{article_id}: an outlet the text names is 'stated', not 'external'"


def test_load_articles_unknown_outlet_basis(data_copy):
    """An outlet basis outside the vocabulary is refused, naming the row."""
    data_copy.set_cell("articles", "ipu-toast", "outlet_basis", "guessed")
    with pytest.raises(kt.DataError, match=r"articles\.csv, line \d \(ipu-toast\), column 'outlet_basis': 'guessed' is not one of"):
        kt.load_articles()


def test_load_articles_title_occurs_in_text():
    """Every manifest title is written in its article (a no-break space counts as a space)."""
    articles = kt.load_articles()
    for article_id, row in articles.iterrows():
        assert row["title"] in row["text"].replace("\u00a0", " "), article_id


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed folder ../shared/seeds is not beside this checkout")
def test_articles_are_verbatim_copies_of_seeds():
    """Each article file is byte-for-byte the seed it was copied from."""
    articles = kt.load_articles()
    for article_id, row in articles.iterrows():
        ours = (kt.data_dir() / row["file"]).read_bytes()
        seed = (SEEDS / row["seed_file"]).read_bytes()
        assert hashlib.sha256(ours).digest() == hashlib.sha256(seed).digest(), article_id


def test_load_articles_missing_text_file(data_copy):
    """A manifest row whose text file is gone names the row and the file."""
    (data_copy.root / "articles" / "ipu-toast.txt").unlink()
    with pytest.raises(kt.DataError, match=r"articles\.csv, line \d \(ipu-toast\), column 'file': article file articles/ipu-toast\.txt is missing"):
        kt.load_articles()


def test_load_articles_changed_text(data_copy):
    """An edited article no longer matches its word count and is refused."""
    path = data_copy.root / "articles" / "warm-climate.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nAn added line.\n", encoding="utf-8")
    with pytest.raises(kt.DataError, match=r"\(warm-climate\), column 'word_count': word_count says 460 but"):
        kt.load_articles()


def test_clean_body_drops_comment_form_and_footer():
    """The blog's comment form and the publishers' footers are not in the body."""
    articles = kt.load_articles()
    assert "Leave a Reply" not in articles.loc["talks-panmunjom", "body"]
    assert "bloggers like this" not in articles.loc["talks-panmunjom", "body"]
    assert "Print Edition" not in articles.loc["warm-climate", "body"]
    assert "The best videos delivered daily" not in articles.loc["channels-restored", "body"]
    assert "Back To Top" not in articles.loc["liaison-meeting", "body"]


def test_clean_body_drops_headers_links_and_captions():
    """Date lines, related links, captions and pull quotes are dropped; the story stays."""
    articles = kt.load_articles()
    toast = articles.loc["ipu-toast", "body"]
    assert "PUBLISHED" not in toast
    assert "shows China and North Korea are still allies" not in toast
    assert toast.startswith("Senior North and South Korean parliamentarians")
    assert toast.endswith("since he assumed power in 2011.")
    assert "Image Credit" not in articles.loc["talks-panmunjom", "body"]
    assert "In this photo provided" not in articles.loc["channels-restored", "body"]
    climate = articles.loc["warm-climate", "body"]
    assert climate.count("sees inter-Korean dialogue in a positive light") == 1
    assert "SOUTH KOREAN PRESIDENT" not in climate


def test_clean_body_keeps_every_paragraph_once():
    """Body paragraphs are lines of the raw text, in their original order."""
    for article_id, row in kt.load_articles().iterrows():
        position = 0
        for paragraph in row["body"].split("\n\n"):
            found = row["text"].find(paragraph, position)
            assert found >= 0, (article_id, paragraph[:40])
            position = found + len(paragraph)


def test_clean_body_rules_on_crafted_text():
    """Each documented rule acts on a made-up page."""
    raw = "\n".join([
        "Section",
        "A real sentence that tells the story of the day.",
        "Related: a headline without a full stop",
        "Image Credit: somebody",
        "A real sentence that tells the story of the day.",
        "THE SPEAKER SAID so, to someone.",
        "Leave a Reply",
        "A comment.",
    ])
    assert kt.clean_body(raw) == "A real sentence that tells the story of the day."


def test_tokens_handles_curly_apostrophes_and_hyphens():
    """Curly apostrophes become straight ones; hyphenated words stay whole."""
    assert kt.tokens("Korea’s inter-Korean “talks”") == ["korea's", "inter-korean", "talks"]


def test_kwic_finds_phrase_with_context():
    """A phrase is found across the corpus with its left and right context."""
    hits = kt.kwic("liaison office", width=20)
    assert set(hits["article_id"]) == {"liaison-meeting"}
    assert len(hits) == 4
    first = hits.iloc[0]
    assert first["left"] == "of the inter-Korean "
    assert first["right"].startswith(" met Friday")


def test_kwic_whole_words_only():
    """'Jong' does not match inside 'Kim Jong-un', nor 'Korea' inside 'Korean'."""
    jong = kt.kwic("jong")
    assert len(jong) == 4  # Kim Jong Un three times, Kim Yo Jong once; never Kim Jong-un
    assert not (jong["left"].str.endswith("-") | jong["right"].str.startswith("-")).any()
    hits = kt.kwic("korea")
    assert not hits["right"].str.match(r"[\w-]").any()
    assert len(hits) == kt.term_counts(["korea"]).to_numpy().sum() + kt.term_counts(["korea's"]).to_numpy().sum()


def test_kwic_empty_term_is_an_error():
    """An empty search term is refused with a message."""
    with pytest.raises(ValueError, match="term must not be empty"):
        kt.kwic("  ")


def test_term_counts_given_terms():
    """Counts of chosen terms and phrases per article, whole words, any case."""
    counts = kt.term_counts(["peace", "winter olympics", "denuclearization"])
    assert counts.loc["ipu-toast", "peace"] == 2
    assert counts.loc["talks-panmunjom", "winter olympics"] == 2
    assert counts.loc["liaison-meeting", "denuclearization"] == 4
    assert list(counts.index) == list(kt.load_articles().index)


def test_term_counts_all_words_sorted():
    """Without terms every word gets a column, the most frequent first."""
    counts = kt.term_counts()
    totals = counts.sum()
    assert totals.is_monotonic_decreasing, "columns are not ordered by total count"
    assert counts.columns[0] == "the"
    assert totals["the"] == sum(kt.tokens(body).count("the") for body in kt.load_articles()["body"])


def test_term_counts_rejects_wordless_term():
    """A term made only of punctuation is refused."""
    with pytest.raises(ValueError, match="has no words"):
        kt.term_counts(["--"])


def test_mention_counts_merges_variants():
    """Kim Jong-un, Kim Jong Un and Kim Jong-Un count as one person."""
    people = kt.mention_counts(kind="person")
    assert people.loc["talks-panmunjom", "Kim Jong Un"] == 3
    assert people.loc["ipu-toast", "Kim Jong Un"] == 1
    assert people.loc["talks-panmunjom", "Moon Jae-in"] == 2
    orgs = kt.mention_counts(kind="organisation")
    assert orgs.loc["warm-climate", "Korean Central News Agency"] == 3


def test_mention_counts_bad_kind():
    """An unknown kind lists the allowed ones."""
    with pytest.raises(ValueError, match=r"kind must be one of"):
        kt.mention_counts(kind="people")


@pytest.mark.parametrize("bad", [None, 123])
def test_kwic_refuses_a_term_that_is_not_text(bad):
    with pytest.raises(TypeError, match="term must be text"):
        kt.kwic(bad)


def test_article_path_that_is_a_folder_is_a_data_error(data_copy):
    """A folder where an article file should be: a DataError naming articles.csv, the line and the article."""
    rows = data_copy.rows("articles")
    header = rows[0]
    first = rows[1]
    target = data_copy.root / first[header.index("file")]
    target.unlink()
    target.mkdir()
    with pytest.raises(kt.DataError, match=rf"articles\.csv.*line 2.*{first[0]}.*cannot be read"):
        kt.load_articles()
