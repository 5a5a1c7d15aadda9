"""The lessons' exercises: what each asks, its expected answer computed from the data, and the wrong methods it knows.

Exercise ``"NN.k"`` is exercise *k* of lesson *NN*; :func:`koreathaw.check` looks it up
here. Every expected value is computed when the check runs, from the course's data
through the library, so the exercises stay right when the data grows. Each exercise
names at least one plausible wrong answer -- the value a wrong method gives -- and what
to tell the student who gives it (``tests/test_checks.py`` proves every one of them
differs from the right answer).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from koreathaw.checks import Exercise, LabelExercise, ListExercise, MapExercise, NumberExercise

__all__ = ["EXERCISES"]


def _events() -> pd.DataFrame:
    from koreathaw.events import load_events

    return load_events()


def _articles() -> pd.DataFrame:
    from koreathaw.corpus import load_articles

    return load_articles()


def _event_date(event_id: str) -> pd.Timestamp:
    events = _events()
    return events.index[events["event_id"] == event_id][0]


def _top(counts: pd.Series) -> list[Any]:
    """Every label that shares the largest value (more than one when there is a tie)."""
    return [label.item() if hasattr(label, "item") else label for label in counts.index[counts == counts.max()]]


# --- 00 welcome ------------------------------------------------------------------------------------------

def _located_at_most(events: pd.DataFrame) -> pd.DataFrame:
    return events[events["geo_precision"] < 3]


EXERCISES: dict[str, Exercise] = {
    "00.1": NumberExercise(
        asks="the number of events (rows) in the table",
        expected=lambda: len(_events()),
        hint="len() of a table gives its number of rows.",
        wrong=lambda: [(len(_events().columns), "that is the number of columns; len(events) counts the rows."),
                       (_events().size, "that is rows times columns, every cell of the table; len(events) counts the rows.")],
        praise="Every row is one event."),
    "00.2": NumberExercise(
        asks="the number of texts published in 2018",
        expected=lambda: int((_articles()["publication_date"].dt.year == 2018).sum()),
        hint="Keep the rows whose publication_date falls in 2018 (.dt.year == 2018), then count them.",
        wrong=lambda: [(len(_articles()), "that counts every text; keep those published in 2018."),
                       (len(_events().loc["2018"]), "that counts the events of 2018; the question is about the texts, "
                                                    "kt.load_articles().")]),
    "00.3": NumberExercise(
        asks="the number of different places where events happened",
        expected=lambda: _events()["place_id"].nunique(),
        hint="A column's .nunique() counts its different values.",
        wrong=lambda: [(len(_events()), "that counts the rows, one per event; several events share a place. "
                                        "Count the different values of place_id with .nunique().")]),

    # --- 01 sources ----------------------------------------------------------------------------------------
    "01.1": ListExercise(
        asks="the ids of the articles whose publication date is inferred, sorted",
        expected=lambda: sorted(_articles().index[_articles()["date_basis"] == "inferred"]),
        hint="Select the rows where date_basis is 'inferred' and take their index.",
        wrong=lambda: [(list(_articles().index[_articles()["date_basis"] == "stated"]),
                        "those are the articles whose date is stated in their text; the question asks for the inferred ones."),
                       (list(_articles().index), "that is every article; keep those whose date_basis is 'inferred'.")]),
    "01.2": NumberExercise(
        asks="the number of paragraphs in the body of the article ipu-toast",
        expected=lambda: len(_articles().loc["ipu-toast", "body"].split("\n\n")),
        hint="The body's paragraphs are separated by a blank line: split the body on \"\\n\\n\" and count the parts.",
        wrong=lambda: [(len(_articles().loc["ipu-toast", "text"].splitlines()),
                        "that counts the lines of the raw text, blank lines and page furniture included; split the body."),
                       (len([line for line in _articles().loc["ipu-toast", "text"].splitlines() if line.strip()]),
                        "those are the raw text's non-empty lines, page furniture included; split the body, not the text."),
                       (len(_articles().loc["ipu-toast", "text"].split("\n\n")),
                        "that splits the raw text, page furniture included; split the body, not the text.")],
        praise="The body keeps the reporting and drops the page around it."),
    "01.3": NumberExercise(
        asks="the percentage of its words that cleaning removed from warm-climate",
        expected=lambda: _removed_share("warm-climate", base="text") * 100,
        hint="Words removed divided by the words of the raw text (word_count), times 100.",
        tolerance=0.05,
        wrong=lambda: [(_removed_share("warm-climate", base="body") * 100,
                        "you divided by the words kept in the body; a share of what was removed is taken of the whole "
                        "raw text, word_count."),
                       (_removed_share("warm-climate", base="text"), "that is a fraction; multiply by 100 for a percentage."),
                       (_removed_words("warm-climate"), "that is the number of words removed, not a percentage.")],
        praise="A percentage compares texts of different lengths."),

    # --- 02 names and voices -------------------------------------------------------------------------------
    "02.1": LabelExercise(
        asks="the canonical form of the place name 'Gaeseong'",
        thing="name",
        expected=lambda: [_canonical("Gaeseong")],
        hint="kt.canonical_name(...) looks a variant up in the names table.",
        wrong=lambda: [("Gaeseong", "that is the variant itself; kt.canonical_name(...) gives its canonical form.")],
        praise="Gaeseong is South Korea's official romanisation; the course's canonical form is the spelling most "
               "English texts use."),
    "02.2": NumberExercise(
        asks="the number of different people mentioned in talks-panmunjom",
        expected=lambda: int((_people_row("talks-panmunjom") > 0).sum()),
        hint="Take that article's row of kt.mention_counts(kind='person') and count the values above zero.",
        wrong=lambda: [(int(_people_row("talks-panmunjom").sum()),
                        "that adds up the mentions; one person mentioned three times is still one person. "
                        "Count the values above zero."),
                       (len(_people_row("talks-panmunjom")),
                        "that counts every person column of the table, also the people this article never mentions.")]),
    "02.3": NumberExercise(
        asks="how often the five texts mention the United States, under all its names",
        expected=lambda: int(_mentions("country")["United States"].sum()),
        hint="kt.mention_counts(kind='country') merges every name of a country; add up its column.",
        wrong=lambda: [(len(_kwic("United States")),
                        "that counts one spelling only; the texts also say 'US'. kt.mention_counts merges the names."),
                       (len(_kwic("US")), "kt.kwic ignores case, so 'US' also finds the word 'us'; and it misses "
                                          "'United States'. kt.mention_counts matches the names table's spellings exactly.")],
        praise="Counting under canonical names catches every spelling, and only the names."),

    # --- 03 timeline ---------------------------------------------------------------------------------------
    "03.1": NumberExercise(
        asks="the number of days of event E007, counting the first and the last",
        expected=lambda: int(_events().loc[_events()["event_id"] == "E007", "duration_days"].iloc[0]),
        hint="The column duration_days of the row whose event_id is 'E007'.",
        whole=True,
        wrong=lambda: [(_end_minus_start("E007"),
                        "subtracting the dates does not count the first day; duration_days counts both ends.")]),
    "03.2": LabelExercise(
        asks="the year with the most events",
        thing="year",
        expected=lambda: _top(_events().groupby(_events().index.year).size()),
        choices=lambda: sorted(set(_events().index.year)),
        hint="Count the events per year (groupby(events.index.year).size()); .idxmax() gives the year of the largest count.",
        wrong=lambda: [(int(_events().groupby(_events().index.year).size().max()),
                        "that is the number of events of the busiest year; .idxmax() gives the year itself.")]),
    "03.3": LabelExercise(
        asks="the month with the most events, written 'YYYY-MM'",
        thing="month",
        expected=lambda: _top(pd.Series(_events().index.strftime("%Y-%m")).value_counts()),
        choices=lambda: sorted(set(_events().index.strftime("%Y-%m"))),
        hint="Label each event with .strftime('%Y-%m'), count the labels with .value_counts(), take the label of the largest.",
        wrong=lambda: [(f"{month:02d}", "that groups the same month of every year together; keep the year: "
                                        "strftime('%Y-%m').")
                       for month in _top(pd.Series(_events().index.month).value_counts())]),
    "03.4": NumberExercise(
        asks="the median number of days between one event and the next",
        expected=lambda: float(_gaps().median()),
        hint="The gaps are the .diff() of the dates; .dt.days turns them into numbers; then .median().",
        tolerance=0.05,
        wrong=lambda: [(float(_gaps().mean()), "that is the mean gap; a few long silences pull the mean up. "
                                               "The median is the middle gap: .median().")]),

    # --- 04 places -----------------------------------------------------------------------------------------
    "04.1": NumberExercise(
        asks="the distance from Seoul to Pyeongchang in km, rounded to a whole number",
        expected=lambda: round(_km("seoul", "pyeongchang")),
        hint="kt.distance_km with the two places' latitude and longitude (or km_between), then round(...).",
        tolerance=0.5,
        wrong=lambda: [(round(_flat_km("seoul", "pyeongchang")),
                        "that is a distance on a flat map of degrees; kt.distance_km follows the curve of the Earth.")]),
    "04.2": LabelExercise(
        asks="the place_id of the place with the most events, leaving out country-only points",
        thing="place_id",
        expected=lambda: _top(_located_at_most(_events())["place_id"].value_counts()),
        choices=lambda: list(_events()["place_id"].unique()),
        hint="Keep the rows with geo_precision below 3, count their place_id values, take the label of the largest.",
        wrong=lambda: [(place, "that is a country-only point (geo_precision 3): it stands for a whole country, "
                               "not a place where things happened.")
                       for place in _top(_events()["place_id"].value_counts())
                       if place not in _top(_located_at_most(_events())["place_id"].value_counts())]),
    "04.3": MapExercise(
        asks="a map with one marker per summit",
        thing="summit",
        expected=lambda: _points(_summits()),
        hint="Loop over kt.events_in_category(events, 'summit') and add a folium.Marker at each row's latitude and "
             "longitude to kt.blank_map().",
        wrong=lambda: [(_points(_events()), "that is a marker for every event; keep only the summits "
                                            "(kt.events_in_category).")]),

    # --- 05 coverage ---------------------------------------------------------------------------------------
    "05.1": NumberExercise(
        asks="how often the whole word 'meet' occurs in the body of liaison-meeting",
        expected=lambda: int(_terms(["meet"]).loc["liaison-meeting", "meet"]),
        hint="kt.term_counts(['meet']) counts whole words, per article.",
        wrong=lambda: [(_articles().loc["liaison-meeting", "body"].lower().count("meet"),
                        "that counts the letters 'meet' inside longer words too, such as 'meeting'; "
                        "kt.term_counts counts whole words.")]),
    "05.2": NumberExercise(
        asks="the rate of the military frame in talks-panmunjom, per 1,000 words of its body",
        expected=lambda: _military_rate("talks-panmunjom", base="body") * 1000,
        hint="The frame's count (kt.term_counts of its terms, summed), divided by the body's words, times 1,000.",
        tolerance=0.05,
        wrong=lambda: [(int(_military_counts()["talks-panmunjom"]),
                        "that is the raw count; divide by the article's words and multiply by 1,000."),
                       (_military_rate("talks-panmunjom", base="text") * 1000,
                        "you divided by word_count, the raw text's words; the terms were counted in the body, "
                        "so divide by the body's words (body_words)."),
                       (_military_rate("talks-panmunjom", base="body"),
                        "that is the rate per word; multiply by 1,000 for the rate per 1,000 words.")]),
    "05.3": LabelExercise(
        asks="the article_id of the article with the highest rate of the military frame",
        thing="article id",
        expected=lambda: _top(_military_counts() / _body_words()),
        choices=lambda: list(_articles().index),
        hint="Compute the frame's rate per 1,000 words for every article, then .idxmax().",
        wrong=lambda: [(article, "that article has the most military terms, but it is also long: compare rates "
                                 "per 1,000 words, not raw counts.")
                       for article in _top(_military_counts())
                       if article not in _top(_military_counts() / _body_words())]),

    # --- 06 thaw to freeze ---------------------------------------------------------------------------------
    "06.1": NumberExercise(
        asks="the number of days from event E044 to event E012",
        expected=lambda: (_event_date("E012") - _event_date("E044")).days,
        hint="kt.days_between(events, first_id, second_id), from the earlier event to the later one.",
        wrong=lambda: [((_event_date("E044") - _event_date("E012")).days,
                        "the sign is the wrong way round: start from E044, the earlier event.")]),
    "06.2": LabelExercise(
        asks="the event_id of the event of 2018 followed by the longest silence within 2018",
        thing="event id",
        expected=lambda: _gap_ends(_events().loc["2018"])[0],
        choices=lambda: list(_events()["event_id"]),
        hint="Compute the gaps of the events of 2018 only (events.loc['2018']), as gaps is computed for the whole "
             "table; the event before the longest gap is the answer.",
        wrong=lambda: [(event_id, "that is the event that ends the silence; you want the one before it.")
                       for event_id in _gap_ends(_events().loc["2018"])[1]
                       if event_id not in _gap_ends(_events().loc["2018"])[0]]
                      + [(event_id, "that event begins the longest silence of the whole table; keep the events of "
                                    "2018 only.")
                         for event_id in _gap_ends(_events())[0] if event_id not in _gap_ends(_events().loc["2018"])[0]]),
    "06.3": LabelExercise(
        asks="the half-year, written like '2018-H1', in which conflict makes up the largest share of the events",
        thing="half-year",
        expected=lambda: _top(_conflict_by_half().mean()),
        choices=lambda: list(_conflict_by_half().mean().index),
        hint="Group the conflict flag (quad_class 3 or 4) by half_year and take the .mean(): the share; then .idxmax().",
        wrong=lambda: [(half, "that half-year has as many conflict events as any, but it also has many others: "
                              "compare shares (.mean()), not counts (.sum()).")
                       for half in _top(_conflict_by_half().sum()) if half not in _top(_conflict_by_half().mean())]),
}


# --- helpers: every expected value is computed here, from the data -------------------------------------------

def _removed_words(article_id: str) -> int:
    row = _articles().loc[article_id]
    return len(row["text"].split()) - len(row["body"].split())


def _removed_share(article_id: str, base: str) -> float:
    row = _articles().loc[article_id]
    return _removed_words(article_id) / len(row[base].split())


def _canonical(name: str) -> str:
    from koreathaw.names import canonical_name

    return canonical_name(name)


def _mentions(kind: str) -> pd.DataFrame:
    from koreathaw.corpus import mention_counts

    return mention_counts(kind=kind)


def _people_row(article_id: str) -> pd.Series:
    return _mentions("person").loc[article_id]


def _kwic(term: str) -> pd.DataFrame:
    from koreathaw.corpus import kwic

    return kwic(term)


def _end_minus_start(event_id: str) -> int:
    row = _events().loc[_events()["event_id"] == event_id].iloc[0]
    return int((row["end_date"] - row.name).days)


def _gaps() -> pd.Series:
    return _events().index.to_series().diff().dt.days.dropna()


def _places() -> pd.DataFrame:
    from koreathaw.places import load_places

    return load_places()


def _km(first: str, second: str) -> float:
    from koreathaw.places import distance_km

    a, b = _places().loc[first], _places().loc[second]
    return distance_km(a["latitude"], a["longitude"], b["latitude"], b["longitude"])


def _flat_km(first: str, second: str) -> float:
    """The wrong way: Pythagoras on degrees, one degree taken as 111.2 km."""
    a, b = _places().loc[first], _places().loc[second]
    return math.hypot(a["latitude"] - b["latitude"], a["longitude"] - b["longitude"]) * 111.195


def _summits() -> pd.DataFrame:
    events = _events()
    return events[events["category"] == "summit"]


def _points(table: pd.DataFrame) -> list[tuple[float, float]]:
    return list(zip(table["latitude"], table["longitude"]))


def _terms(terms: list[str]) -> pd.DataFrame:
    from koreathaw.corpus import term_counts

    return term_counts(terms)


def _body_words() -> pd.Series:
    from koreathaw.corpus import tokens

    return _articles()["body"].map(lambda body: len(tokens(body)))


MILITARY = ["military", "missile", "missiles"]


def _military_counts() -> pd.Series:
    return _terms(MILITARY).sum(axis=1)


def _military_rate(article_id: str, base: str) -> float:
    words = _body_words()[article_id] if base == "body" else _articles().loc[article_id, "word_count"]
    return float(_military_counts()[article_id]) / float(words)


def _gap_ends(events: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The events before, and the events after, the longest gap(s) between consecutive events of ``events``."""
    ids = events["event_id"].to_numpy()
    gaps = events.index.to_series().diff().dt.days.to_numpy()
    longest = max(g for g in gaps[1:])
    at = [i for i in range(1, len(gaps)) if gaps[i] == longest]
    return [str(ids[i - 1]) for i in at], [str(ids[i]) for i in at]


def _conflict_by_half() -> Any:
    events = _events()
    half = events.index.year.astype(str) + "-H" + ((events.index.month - 1) // 6 + 1).astype(str)
    return (events["quad_class"] >= 3).groupby(half)
