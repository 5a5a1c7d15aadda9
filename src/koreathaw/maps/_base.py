"""What every part of :mod:`koreathaw.maps` shares: colours, views, names, and the argument checks.

The lowest module of the package: it imports no other module of it, and no
Folium, so the others import from here and never the other way round
(``_base`` <- ``assets`` <- ``elements`` <- ``_layout`` <- ``_markers`` <- ``builders``, ``output``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from koreathaw._args import given
from koreathaw._html import as_text
from koreathaw.events import CATEGORIES, check_event_table

__all__ = ["PALETTE", "COLOUR_NAMES", "THAW_PLACES", "LINKED_FOLDER", "CLUSTER_ABOVE"]

#: The name of each colour the maps use, for the text equivalent: the eight
#: Okabe-Ito colours (Okabe & Ito 2008), told apart by people with any common
#: colour-vision deficiency, then grey and white (told apart by lightness).
COLOUR_NAMES: dict[str, str] = {
    "#56B4E9": "sky blue",
    "#0072B2": "blue",
    "#CC79A7": "reddish purple",
    "#009E73": "bluish green",
    "#E69F00": "orange",
    "#F0E442": "yellow",
    "#000000": "black",
    "#D55E00": "vermillion",
    "#999999": "grey",
    "#FFFFFF": "white",
}

_PREFERRED_COLOUR = {
    "statement": "#56B4E9",
    "talks": "#0072B2",
    "summit": "#CC79A7",
    "agreement": "#009E73",
    "sport_culture": "#E69F00",
    "communication": "#F0E442",
    "military": "#000000",
    "economic": "#FFFFFF",
    "sanctions": "#999999",
    "coercion": "#D55E00",
}


def _palette(categories: Iterable[str]) -> dict[str, str]:
    """Give each category its preferred colour; a new category the first unused one.

    Raises ValueError when there are more categories than distinguishable colours
    (a maintainer adding an eleventh category must give it a look of its own).
    """
    categories = list(categories)
    palette = {c: _PREFERRED_COLOUR[c] for c in categories if c in _PREFERRED_COLOUR}
    spare = [c for c in COLOUR_NAMES if c not in palette.values()]
    new = [c for c in categories if c not in palette]
    if len(new) > len(spare):
        raise ValueError(f"{len(categories)} categories but only {len(COLOUR_NAMES)} distinguishable colours: "
                         f"no colour left for {new[len(spare):]}; add one to koreathaw.maps.COLOUR_NAMES")
    palette.update(zip(new, spare))
    return {c: palette[c] for c in categories}


#: One colour per event category (see :data:`koreathaw.CATEGORIES`), each
#: with a name in :data:`COLOUR_NAMES`; every circle has a dark outline, so
#: the white one shows on the light land.
PALETTE: dict[str, str] = _palette(CATEGORIES)

#: The five places the lessons start from (lesson 04's first table); :func:`~koreathaw.places_map` labels them.
THAW_PLACES: tuple[str, ...] = ("panmunjom", "kaesong", "pyeongchang", "geneva", "beijing")

#: The folder :func:`~koreathaw.save_map` copies the shared assets to, next to the map.
LINKED_FOLDER = "koreathaw-assets"

#: An event map with more markers than this draws them in clusters (Leaflet.markercluster).
CLUSTER_ABOVE = 300

ASSETS = Path(__file__).resolve().parents[1] / "_assets"
MODES = ("inline", "linked")
HIGHLIGHT = "#D55E00"
OTHER = "#0072B2"
OUTLINE = "#222222"
LAND, SEA, BORDER = "#F2EFE6", "#CFE3EF", "#8C8C8C"
# The view before any marker: the Korean peninsula; and the inset's view.
KOREA_VIEW = ((33.0, 124.0), (43.0, 131.0))
INSET_VIEW = ((33.8, 124.3), (42.6, 130.8))
EVENT_COLUMNS = ("event_id", "title", "category", "latitude", "longitude")
PLACE_COLUMNS = ("name", "latitude", "longitude")


def walk(element: Any) -> Iterator[Any]:
    """Yield every element below a Folium ``element`` (depth first, in order)."""
    for child in element._children.values():
        yield child
        yield from walk(child)


def in_box(lat: float, lon: float, box: Any) -> bool:
    """Return whether the point lies in the ((south, west), (north, east)) box."""
    (s, w), (n, e) = box
    return s <= lat <= n and w <= lon <= e


# --- argument checks ------------------------------------------------------------------

def check_mode(assets: object) -> str:
    """Return ``assets`` if it is one of :data:`MODES`, else raise ValueError saying which to choose."""
    if assets not in MODES:
        raise ValueError(f"assets={assets!r}: choose 'inline' (the assets inside the HTML) "
                         "or 'linked' (a shared koreathaw-assets/ folder)")
    return str(assets)


def check_coordinates(frame: pd.DataFrame, ids: Any, what: str) -> None:
    """Raise ValueError unless every row has a finite, possible latitude and longitude."""
    for col, bound in (("latitude", 90.0), ("longitude", 180.0)):
        values = pd.to_numeric(frame[col], errors="coerce").astype("float64")
        bad = ~(values.abs() <= bound)  # NaN and inf are bad too
        if bad.any():
            where = int(bad.to_numpy().nonzero()[0][0])
            raise ValueError(f"{what} {ids[where]!r} has {col} {frame[col].iloc[where]!r}: a map needs a finite "
                             f"{col} between -{bound:g} and {bound:g}")


def check_places(places: object) -> pd.DataFrame:
    """Return ``places`` if it is a places table with names and coordinates; else raise."""
    if not isinstance(places, pd.DataFrame):
        raise TypeError(f"places must be a pandas DataFrame such as koreathaw.load_places(), "
                        f"not {given(places)}")
    missing = [c for c in PLACE_COLUMNS if c not in places.columns]
    if missing:
        raise ValueError(f"the places table is missing the columns {missing}; "
                         "pass koreathaw.load_places() or some of its rows")
    check_coordinates(places, places.index, "place")
    return places


def check_events(events: object) -> pd.DataFrame:
    """Return ``events`` if it is an event table a map can draw; else raise naming the problem."""
    table = check_event_table(events, EVENT_COLUMNS)
    categories = table["category"].astype(str)
    unknown = ~categories.isin(list(CATEGORIES)) | table["category"].isna().to_numpy()
    if unknown.any():
        where = int(unknown.to_numpy().nonzero()[0][0])
        raise ValueError(f"event {table['event_id'].iloc[where]!r} has the unknown category "
                         f"{as_text(table['category'].iloc[where])!r}; choose one of {sorted(CATEGORIES)}")
    check_coordinates(table, table["event_id"].to_numpy(), "event")
    return table

