"""koreathaw: the helper library of the Korean Thaw course (2018-2021).

Load the course data as pandas tables, search the five source articles, and
map and step through the events of the inter-Korean thaw; check the lessons'
exercises (``check``) and show figures with alt text (``figure_image``).

>>> import koreathaw as kt
>>> kt.load_articles().shape[0]
5

Heavy packages (folium, ipywidgets, matplotlib) are imported only by the
functions that need them, so ``import koreathaw`` stays cheap.
"""

from koreathaw._files import data_dir
from koreathaw.checks import check
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
from koreathaw.maps import (
    PALETTE,
    THAW_PLACES,
    blank_map,
    escape_html,
    events_map,
    markers_table,
    places_map,
    save_map,
    subset_map,
)
from koreathaw.figures import figure_image
from koreathaw.names import canonical_name, find_mentions, load_names
from koreathaw.places import distance_km, load_places
from koreathaw.widgets import article_explorer, date_range_map, timeline_stepper

__version__ = "0.1.0"

__all__ = [
    "CATEGORIES",
    "PALETTE",
    "THAW_PLACES",
    "DataError",
    "article_explorer",
    "blank_map",
    "canonical_name",
    "check",
    "clean_body",
    "data_dir",
    "date_range_map",
    "days_between",
    "distance_km",
    "escape_html",
    "events_at",
    "events_between",
    "events_in_category",
    "events_map",
    "figure_image",
    "find_mentions",
    "kwic",
    "load_articles",
    "load_events",
    "load_names",
    "load_places",
    "markers_table",
    "mention_counts",
    "places_map",
    "save_map",
    "subset_map",
    "term_counts",
    "timeline_stepper",
    "tokens",
]
