"""koreathaw: the helper library of the Korean Thaw course (2018-2021).

Load the course data as pandas tables, search the five source articles, and
map and step through the events of the inter-Korean thaw; check the lessons'
exercises (``check``) and show figures with alt text (``figure_image``).

>>> import koreathaw as kt
>>> kt.load_articles().shape[0]
5

Each public name is imported from its module the first time it is used
(``kt.load_events`` imports :mod:`koreathaw.events`, ``kt.events_map`` the
maps), and heavy packages (folium, ipywidgets, matplotlib) only by the
functions that need them: ``import koreathaw`` costs a few milliseconds, and
a lesson pays for what it uses, when it uses it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: Where each public name lives: the module is imported on first use (PEP 562).
_WHERE: dict[str, str] = {
    "data_dir": "koreathaw._files",
    "check": "koreathaw.checks",
    "figure_image": "koreathaw.figures",
    "DataError": "koreathaw.errors",
    **dict.fromkeys(["clean_body", "kwic", "load_articles", "mention_counts", "term_counts", "tokens"],
                    "koreathaw.corpus"),
    **dict.fromkeys(["CATEGORIES", "days_between", "events_at", "events_between", "events_in_category",
                     "load_events"], "koreathaw.events"),
    **dict.fromkeys(["PALETTE", "THAW_PLACES", "CLUSTER_ABOVE", "blank_map", "escape_html", "events_map",
                     "markers_table", "places_map", "save_map", "subset_map"], "koreathaw.maps"),
    **dict.fromkeys(["canonical_name", "find_mentions", "load_names"], "koreathaw.names"),
    **dict.fromkeys(["distance_km", "load_places"], "koreathaw.places"),
    **dict.fromkeys(["article_explorer", "date_range_map", "timeline_stepper"], "koreathaw.widgets"),
}

if TYPE_CHECKING:  # what the lazy names are, for type checkers and editors
    from koreathaw._files import data_dir
    from koreathaw.checks import check
    from koreathaw.figures import figure_image
    from koreathaw.corpus import clean_body, kwic, load_articles, mention_counts, term_counts, tokens
    from koreathaw.errors import DataError
    from koreathaw.events import (CATEGORIES, days_between, events_at, events_between, events_in_category,
                                  load_events)
    from koreathaw.maps import (CLUSTER_ABOVE, PALETTE, THAW_PLACES, blank_map, escape_html, events_map,
                                markers_table, places_map, save_map, subset_map)
    from koreathaw.names import canonical_name, find_mentions, load_names
    from koreathaw.places import distance_km, load_places
    from koreathaw.widgets import article_explorer, date_range_map, timeline_stepper


def __getattr__(name: str) -> Any:
    """Import a public name from its module the first time it is asked for."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'koreathaw' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


__version__ = "0.1.0"

__all__ = [
    "CATEGORIES",
    "CLUSTER_ABOVE",
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
