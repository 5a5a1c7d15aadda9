"""The five source articles: raw text, body text and simple text tools.

The raw text of each article is kept verbatim, page furniture and all. The
``body`` is the raw text with that furniture removed by five documented rules,
applied line by line (see :func:`clean_body`):

1. **Comment forms.** Everything from a line ``Leave a Reply`` to the end is a
   blog's comment form, not the article.
2. **Publisher footers and captions.** Lines that begin with a known footer or
   caption phrase (``A version of this article appeared``, ``The best videos
   delivered daily``, ``Watch the stories that matter``, ``In this photo``) or
   contain ``Image Credit:`` are dropped.
3. **Short lines with no sentence ending.** A line of fewer than 20 words that
   does not end in ``.``, ``!``, ``:`` or a closing quotation mark is a
   headline, subheading, section label, date line, link or button, and is
   dropped (so is a short question such as ``Why the thaw?``: a subheading).
4. **Pull quotes.** A line whose words repeat, in order, words already in the
   body is dropped, and so is a line that starts with three words written all
   in capitals (a pull quote's attribution).
5. The remaining lines are the paragraphs of the body, joined by blank lines.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from pathlib import Path

import pandas as pd

from koreathaw import _args
from koreathaw._files import data_dir, frame, read_records
from koreathaw.errors import DataError

__all__ = [
    "load_articles",
    "clean_body",
    "tokens",
    "kwic",
    "term_counts",
    "mention_counts",
]

_FOOTER_STARTS = (
    "A version of this article appeared",
    "The best videos delivered daily",
    "Watch the stories that matter",
    "In this photo",
)
_SENTENCE_END = (".", "!", ":", "”", "\"", "’", "'")
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


def clean_body(text: str) -> str:
    """Return the body of an article: ``text`` without page furniture.

    See the module docstring for the rules.

    Examples
    --------
    >>> raw = "Back To Top\\n\\nThe talks went well.\\n\\nLeave a Reply\\n\\nLog Out"
    >>> clean_body(raw)
    'The talks went well.'
    """
    _args.text(text, "text", "an article's raw text")
    return _clean_body(text)


@functools.lru_cache(maxsize=32)
def _clean_body(text: str) -> str:
    """clean_body's work, memoised on the text (load_articles runs it for every article on each call)."""
    kept: list[str] = []
    seen = " "  # the tokens of the kept lines, space-separated, to find a repeated line in one search
    for line in (raw.strip() for raw in text.splitlines()):
        if not line:
            continue
        if line == "Leave a Reply":
            break
        if line.startswith(_FOOTER_STARTS) or "Image Credit:" in line:
            continue
        if len(line.split()) < 20 and not line.endswith(_SENTENCE_END):
            continue
        words = line.split()
        if all(w.isupper() for w in words[:3]):
            continue
        words = " ".join(tokens(line))
        if kept and f" {words} " in seen:
            continue
        kept.append(line)
        seen += f"{words} "
    return "\n\n".join(kept)


def load_articles(root: Path | None = None) -> pd.DataFrame:
    """Return the articles, one row each, indexed by ``article_id``.

    Columns: the manifest's ``title``, ``outlet``, ``url``,
    ``publication_date`` (a datetime), ``date_basis`` and notes, the
    ``word_count``, the verbatim ``text`` and the cleaned ``body``.

    Raises
    ------
    DataError
        If the manifest or an article file is missing, or the file's word
        count differs from the manifest's.

    Examples
    --------
    >>> articles = load_articles()
    >>> len(articles)
    5
    >>> articles.loc["warm-climate", "outlet"]
    'The Straits Times'
    """
    root = root or data_dir()
    rows = article_records(root)
    for row in rows:
        row["body"] = clean_body(row["text"])
    return frame("articles", rows, root).set_index("article_id")


def article_records(root: Path | None = None) -> list[dict]:
    """Return the checked rows of articles.csv, each with the verbatim ``text`` of its file."""
    root = root or data_dir()
    path, rows = read_records("articles", root)
    for row in rows:
        file = root / row["file"]
        try:
            text = file.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise DataError(path, f"article file {row['file']} is missing", line=row["_line"],
                            column="file", row_id=row["article_id"]) from None
        except UnicodeDecodeError as exc:
            raise DataError(file, f"not UTF-8 text ({exc.reason} at byte {exc.start}); it is the text of "
                            f"article {row['article_id']!r} ({path.name} line {row['_line']})") from None
        except OSError as exc:  # a folder where the file should be, no permission ...
            raise DataError(path, f"article file {row['file']} cannot be read ({exc.strerror})", line=row["_line"],
                            column="file", row_id=row["article_id"]) from None
        words = len(text.split())
        if words != row["word_count"]:
            raise DataError(path, f"word_count says {row['word_count']} but {row['file']} has {words} words; "
                            "was the text changed?", line=row["_line"], column="word_count", row_id=row["article_id"])
        row["text"] = text
    return rows


def tokens(text: str) -> list[str]:
    """Return the lower-case words of ``text``.

    A word is a run of letters or digits, possibly joined by hyphens or
    apostrophes (``inter-korean``, ``north's``).

    Examples
    --------
    >>> tokens("Inter-Korean talks: North Korea's “peace” offer")
    ['inter-korean', 'talks', 'north', "korea's", 'peace', 'offer']
    """
    _args.text(text, "text", "North Korea's peace offer")
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def _article_bodies(articles: pd.DataFrame | None, column: str) -> pd.Series:
    """Return the chosen column of the articles table, after checking both arguments."""
    if column not in ("body", "text"):
        raise ValueError(f"column must be 'body' (the cleaned text) or 'text' (the raw text), not {_args.given(column)}")
    if articles is None:
        return load_articles()[column]
    if not isinstance(articles, pd.DataFrame):
        raise TypeError(f"articles must be a pandas DataFrame such as koreathaw.load_articles(), "
                        f"not {_args.given(articles)}")
    if column not in articles.columns:
        raise ValueError(f"the articles table has no column {column!r}; pass koreathaw.load_articles() "
                         "or some of its rows")
    return articles[column]


def kwic(term: str, articles: pd.DataFrame | None = None, width: int = 40, column: str = "body") -> pd.DataFrame:
    """Return every occurrence of ``term`` with its context (keyword in context).

    The search ignores case and matches whole words as :func:`tokens` splits
    them (``jong`` does not match inside ``Jong-un``); a phrase of several
    words is allowed. Columns: ``article_id``, ``left``, ``match``,
    ``right``; ``left`` and ``right`` hold up to ``width`` characters.

    Raises
    ------
    TypeError
        If ``term`` is not text.
    ValueError
        If ``term`` is empty.

    Examples
    --------
    >>> k = kwic("Swiss wine")
    >>> k[["article_id", "match"]].values.tolist()
    [['ipu-toast', 'Swiss wine']]
    """
    _args.text(term, "term", "sanctions")
    if not term.strip():
        raise ValueError("term must not be empty: give a word or phrase such as 'sanctions'")
    _args.whole_number(width, "width")
    pattern = re.compile(r"(?<![\w-])" + r"\s+".join(map(re.escape, term.split())) + r"(?![\w-])", re.IGNORECASE)
    rows = []
    for article_id, text in _article_bodies(articles, column).items():
        flat = " ".join(text.split())
        for m in pattern.finditer(flat):
            rows.append({"article_id": article_id, "left": flat[max(0, m.start() - width):m.start()],
                         "match": m.group(0), "right": flat[m.end():m.end() + width]})
    return pd.DataFrame(rows, columns=["article_id", "left", "match", "right"])


def term_counts(terms: str | list[str] | None = None, articles: pd.DataFrame | None = None,
                column: str = "body") -> pd.DataFrame:
    """Return how often each term occurs in each article's body.

    With ``terms`` given (one term as text, or a list of them), returns one
    column per term (a term may be a phrase), counted case-insensitively as
    whole words: ``term_counts("peace")`` is one column, ``peace``. Without,
    returns the counts of every word, one column per word, most frequent first.

    Raises
    ------
    TypeError
        If ``terms`` is neither text nor a list of texts.
    ValueError
        If a term has no word in it (``"--"``).

    Examples
    --------
    >>> counts = term_counts(["sanctions", "peace"])
    >>> int(counts.loc["warm-climate", "sanctions"])
    4
    >>> term_counts("peace").columns.tolist()
    ['peace']
    """
    bodies = _article_bodies(articles, column)
    if terms is not None:
        terms = _args.texts(terms, "terms", ["peace", "sanctions"])
    if terms is None:
        table = pd.DataFrame({aid: Counter(tokens(text)) for aid, text in bodies.items()}).T.fillna(0).astype("int64")
        return table[table.sum().sort_values(ascending=False, kind="stable").index]
    data = {}
    for term in terms:
        words = tokens(term)
        if not words:
            raise ValueError(f"term {term!r} has no words in it")
        n = len(words)
        data[term] = [sum(toks[i:i + n] == words for i in range(len(toks) - n + 1))
                      for toks in (tokens(t) for t in bodies)]
    frame = pd.DataFrame(data, index=bodies.index, dtype="int64")
    frame.columns.name = "term"
    return frame


def mention_counts(articles: pd.DataFrame | None = None, kind: str | None = None, column: str = "body") -> pd.DataFrame:
    """Return how often each canonical name is mentioned in each article.

    Spelling variants are merged (see :mod:`koreathaw.names`). ``kind``
    keeps only persons, places, organisations or countries.

    Examples
    --------
    >>> m = mention_counts(kind="person")
    >>> int(m.loc["talks-panmunjom", "Kim Jong Un"])
    3
    """
    from koreathaw.names import find_mentions, load_names

    allowed = {"person", "place", "organisation", "country"}
    if kind is not None and kind not in allowed:
        raise ValueError(f"kind must be one of {sorted(allowed)}, not {_args.given(kind)}")
    names = load_names()
    bodies = _article_bodies(articles, column)
    counts = {}
    for article_id, text in bodies.items():
        found = find_mentions(text, names)
        if kind is not None:
            found = found[found["kind"] == kind]
        counts[article_id] = found["canonical"].value_counts()
    table = pd.DataFrame(counts).T.reindex(bodies.index).fillna(0).astype("int64")
    table.columns.name = "canonical"
    return table[sorted(table.columns)]
