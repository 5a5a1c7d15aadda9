"""koreathaw: the helper library of the Korean Thaw course (2018-2021).

Load the course data as pandas tables, search the five source articles, and
map and step through the events of the inter-Korean thaw.

>>> import koreathaw as kt
>>> kt.load_articles().shape[0]
5

Heavy packages (folium, ipywidgets, matplotlib) are imported only by the
functions that need them, so ``import koreathaw`` stays cheap.
"""

from koreathaw._files import data_dir
from koreathaw.corpus import clean_body, kwic, load_articles, mention_counts, term_counts, tokens
from koreathaw.errors import DataError
from koreathaw.events import (
    CATEGORIES,
    days_between,
    events_at,
    events_between,
    events_in_category,
    load_events,
)
from koreathaw.names import canonical_name, find_mentions, load_names
from koreathaw.places import distance_km, load_places

__version__ = "0.1.0"

__all__ = [
    "CATEGORIES",
    "DataError",
    "canonical_name",
    "clean_body",
    "data_dir",
    "days_between",
    "distance_km",
    "events_at",
    "events_between",
    "events_in_category",
    "find_mentions",
    "kwic",
    "load_articles",
    "load_events",
    "load_names",
    "load_places",
    "mention_counts",
    "term_counts",
    "tokens",
]
