"""The map builders: :func:`blank_map`, :func:`places_map`, :func:`events_map`, :func:`subset_map`.

Folium and the element classes (:mod:`koreathaw.maps.elements`) are imported
inside these functions, so importing this module stays cheap.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from koreathaw import _args
from koreathaw._html import escape_html
from koreathaw.events import CATEGORIES
from koreathaw.maps import _layout, _markers
from koreathaw.maps._base import (
    CLUSTER_ABOVE,
    HIGHLIGHT,
    INSET_VIEW,
    KOREA_VIEW,
    OTHER,
    OUTLINE,
    PALETTE,
    THAW_PLACES,
    check_events,
    check_mode,
    check_places,
)

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    import folium

__all__ = ["blank_map", "places_map", "events_map", "subset_map"]


def blank_map(*, location: Sequence[float] | None = None, zoom_start: int = 5, assets: str = "inline",
              tiles: Any = None) -> folium.Map:
    """Return an empty course map: offline Leaflet and the Natural Earth basemap.

    Start here to build a map step by step with Folium: add markers, lines
    and layers to it as to any :class:`folium.Map`.

    Parameters
    ----------
    location : (latitude, longitude), optional
        The centre of the first view; the Korean peninsula by default.
    zoom_start : int, default 5
        The first zoom level (2 shows the world, 7 the peninsula's provinces).
    assets : {"inline", "linked"}, default "inline"
        How the map carries Leaflet and the basemap (see :mod:`koreathaw.maps`).
    tiles : str, optional
        Online map tiles instead of the offline basemap, e.g.
        ``"OpenStreetMap"``. They need a network.

    Examples
    --------
    >>> import folium
    >>> m = blank_map()
    >>> folium.CircleMarker([37.9559, 126.6771], radius=6).add_to(m)  # doctest: +ELLIPSIS
    <folium.vector_layers.CircleMarker object at ...>
    >>> "cdn" in m.get_root().render()
    False
    """
    from koreathaw.maps.elements import Basemap, CourseMap, OfflineAssets

    check_mode(assets)
    if location is None:
        (s, w), (n, e) = KOREA_VIEW
        location = ((s + n) / 2, (w + e) / 2)
    zooms = {"min_zoom": 2, "max_zoom": 18 if tiles else 10}  # the offline basemap has no detail past 10
    m = CourseMap(location=list(location), zoom_start=zoom_start, tiles=tiles, control_scale=True, **zooms)
    m.options.update(zooms)  # Folium gives them to the tile layer only; Leaflet's map (and its clusters) need them too
    # Per instance, never on the class: folium.Map.default_js is shared by
    # every map in the kernel, and changing it would change them all.
    m.default_js = []
    m.default_css = []
    m.add_child(OfflineAssets(assets, basemap=not tiles), name="koreathaw_assets")
    if not tiles:
        m.add_child(Basemap(), name="koreathaw_basemap")
    return m


def _finish(m: Any, title: str, rows: list[tuple[str, str, str]], inset: bool, points: pd.DataFrame,
            bounds: Any, seed: list[Any], spread: bool = True) -> None:
    """Add the legend, the inset, the layer control, the first view and the layout; fix the element ids."""
    import folium

    from koreathaw.maps.elements import InfoBox, Inset, Spread

    m.add_child(InfoBox(_layout.legend_html(title, rows), "bottomleft", "koreathaw-box koreathaw-legend",
                        aria_label=f"Map: {title}"))
    if inset:
        m.add_child(Inset(INSET_VIEW, "The Korean peninsula"))
    folium.LayerControl(collapsed=True).add_to(m)
    _layout.fit(m, points, bounds)
    if spread:
        m.add_child(Spread())  # after the first view: it lays the markers out for it
    _layout.stable_ids(m, json.dumps(seed, sort_keys=True, default=str))


def places_map(places: pd.DataFrame | None = None, *, highlight: str | Iterable[str] | None = None,
               events: pd.DataFrame | None = None, assets: str = "inline", tiles: Any = None,
               title: str | None = None) -> folium.Map:
    """Return a map of the places of the thaw, one circle per place.

    The five places the lessons start from (:data:`THAW_PLACES`: Panmunjom,
    Kaesong, Pyeongchang, Geneva, Beijing) are labelled and drawn larger; the
    rest of the gazetteer is drawn smaller. A place known only to
    the country (no single site) is a dashed ring. Click a circle for its
    names, country, note and the events there in date order;
    :func:`markers_table` gives the same as a table.

    Circles that would overlap at the zoom shown are nudged apart, each
    keeping a line to its true point, and the labels take a side where they
    cover nothing; zoom in and each place moves back to its point. Panmunjom's
    site and the gazetteer's point for the *city* of Kaesong (not the liaison
    office, which stood south-east of it) are this close, in km:

    >>> from koreathaw import distance_km, load_places
    >>> gazetteer = load_places()
    >>> pan, kae = gazetteer.loc["panmunjom"], gazetteer.loc["kaesong"]
    >>> round(distance_km(pan["latitude"], pan["longitude"], kae["latitude"], kae["longitude"]))
    11

    Parameters
    ----------
    places : DataFrame, optional
        Rows of :func:`koreathaw.load_places` (indexed by ``place_id``, with
        ``name``, ``latitude`` and ``longitude``); all of them by default.
    highlight : str or list of str, optional
        The place id(s) to label; by default those of :data:`THAW_PLACES`
        present in ``places``.
    events : DataFrame, optional
        The events each place's popup lists (by ``place_id``);
        :func:`koreathaw.load_events` by default.
    assets : {"inline", "linked"}, default "inline"
        How the map carries Leaflet and the basemap (see :mod:`koreathaw.maps`).
    tiles : str, optional
        Online tiles (e.g. ``"OpenStreetMap"``) instead of the offline basemap.
    title : str, optional
        The title shown on the map.

    Raises
    ------
    TypeError
        If ``places`` is not a DataFrame.
    ValueError
        If a column is missing, a coordinate is not a finite number, or a
        highlighted place is not in the table.

    Examples
    --------
    >>> from koreathaw import markers_table
    >>> m = places_map()
    >>> table = markers_table(m)
    >>> sorted(table.loc[table["labelled"], "name"])
    ['Beijing', 'Geneva', 'Kaesong', 'Panmunjom', 'Pyeongchang']
    >>> int(table.loc[table["place_id"] == "geneva", "events"].iloc[0])
    1
    """
    import folium

    from koreathaw.events import check_event_table, load_events
    from koreathaw.places import load_places

    places = check_places(load_places() if places is None else places)
    events = check_event_table(load_events() if events is None else events, ("event_id", "title", "category", "place_id"))
    if highlight is None:
        chosen = [p for p in THAW_PLACES if p in places.index]
    else:
        chosen = _args.texts(highlight, "highlight", ["panmunjom", "beijing"])
        unknown = [p for p in chosen if p not in places.index]
        if unknown:
            raise ValueError(f"highlight={highlight!r}: {unknown} not in the places table "
                             f"(known: {sorted(map(str, places.index))})")
    title = "Places of the thaw" if title is None else title
    m = blank_map(assets=assets, tiles=tiles)
    labels = ("The five places of the lessons", "Other places in the gazetteer")
    groups = {True: folium.FeatureGroup(name=escape_html(labels[0])),
              False: folium.FeatureGroup(name=escape_html(labels[1]))}
    groups[True]._koreathaw_label, groups[False]._koreathaw_label = labels
    inset = _layout.wants_inset(places, tiles)
    seed_rows = _markers.place_circles(groups, places, chosen, events, inset)
    for group in (groups[False], groups[True]):  # the labelled places drawn last, on top
        m.add_child(group)
    rows = [(HIGHLIGHT, "", labels[0] + " (labelled)"), (OTHER, "", labels[1])]
    if any(r["precision"] == "country" for r in seed_rows):
        rows.append((OTHER, "ring", "a country, no single site"))
    _finish(m, title, rows, inset, places, None, ["places", title, assets, str(tiles), seed_rows])
    return m


_EVENT_CELLS = ("event_id", "title", "category", "latitude", "longitude", "place_name", "end_date", "quote",
                "article_id", "source_url", "geo_precision")


def events_map(events: pd.DataFrame | None = None, *, assets: str = "inline", tiles: Any = None,
               title: str | None = None, bounds: Any = None, cluster: bool | None = None) -> folium.Map:
    """Return a map of events: one disc per place, coloured by category.

    All the events at one point are one disc: of their category's colour, or a
    ring of slices when they are of several categories, with their number in
    its centre; click it for the list of them in date order (date, title,
    source quote and article). Discs that would overlap at the zoom shown are
    nudged apart, each keeping a line to its true point; a crowd of more than
    eight is one numbered bubble that zooms in when clicked. Each category has a
    colour in the legend (bottom left) and can be switched off (top right).
    :func:`markers_table` gives the same as a table, one row per event.

    A map of more than :data:`CLUSTER_ABOVE` events draws one circle per event
    instead, and nearby circles of a category as one numbered cluster that
    opens as you zoom in (Leaflet.markercluster; no peninsula inset).

    Parameters
    ----------
    events : DataFrame, optional
        Rows of :func:`koreathaw.load_events` (indexed by date, with
        ``event_id``, ``title``, ``category``, ``latitude``, ``longitude``);
        all events by default.
    assets : {"inline", "linked"}, default "inline"
        How the map carries Leaflet and the basemap (see :mod:`koreathaw.maps`).
    tiles : str, optional
        Online tiles (e.g. ``"OpenStreetMap"``) instead of the offline basemap.
    title : str, optional
        The title shown on the map; by default it gives the dates covered.
    bounds : ((south, west), (north, east)), optional
        The first view; by default it fits the events.
    cluster : bool, optional
        Draw one circle per event in clusters (True) or one disc per place
        (False); by default clusters above :data:`CLUSTER_ABOVE` events.

    Raises
    ------
    TypeError
        If ``events`` is not a DataFrame.
    ValueError
        If a column is missing, the table is not indexed by date, a category
        is unknown, or a coordinate is not a finite number.

    Examples
    --------
    >>> from koreathaw import load_events, markers_table
    >>> events = load_events()
    >>> m = events_map(events)
    >>> len(markers_table(m)) == len(events)
    True
    >>> table = markers_table(m)
    >>> at_panmunjom = table[table["place_name"] == "Panmunjom"]  # one disc, one row per event
    >>> int(at_panmunjom["events_here"].iloc[0]) == len(at_panmunjom) == int((events["place_id"] == "panmunjom").sum())
    True
    """
    import folium

    from koreathaw.corpus import load_articles
    from koreathaw.events import load_events
    from koreathaw.maps.elements import CategorySwitches

    events = check_events(load_events() if events is None else events)
    if cluster is not None and not isinstance(cluster, bool):
        raise TypeError(f"cluster must be True, False or None (cluster above {CLUSTER_ABOVE} events), not {cluster!r}")
    clustered = len(events) > CLUSTER_ABOVE if cluster is None else cluster
    cited = "article_id" in events.columns and events["article_id"].notna().any()
    sources = _layout.article_sources(load_articles() if cited else None)
    if title is None:
        title = "Events of the thaw"
        if len(events):
            title += f", {events.index.min():%Y-%m-%d} to {events.index.max():%Y-%m-%d}"
    m = blank_map(assets=assets, tiles=tiles)
    categories = events["category"].astype(str)
    counts = categories.value_counts()
    present = [c for c in CATEGORIES if c in counts.index]
    columns = {c: events[c].tolist() if c in events.columns else [None] * len(events) for c in _EVENT_CELLS}
    columns["category"] = categories.tolist()
    rows = [{c: values[number] for c, values in columns.items()} | {"date": date}
            for number, date in enumerate(events.index)]
    layer_of = {c: f"{c} ({counts[c]})" for c in present}
    if clustered:
        seed_rows = _markers.event_circles(m, rows, present, layer_of, sources)
    else:
        switches = {}
        for category in present:  # empty layers: the layer control's switches for the discs' slices
            switches[category] = folium.FeatureGroup(name=escape_html(layer_of[category]))
            switches[category].options["koreathawCategory"] = category
            switches[category]._koreathaw_label = layer_of[category]
        discs = folium.FeatureGroup(name="Events", control=False)
        seed_rows = _markers.event_discs(discs, rows, layer_of, sources)
        m.add_child(discs)
        for switch in switches.values():
            m.add_child(switch)
        m.add_child(CategorySwitches(discs))
    legend = [(PALETTE[c], "", layer_of[c]) for c in present] or [("#FFFFFF", "ring", "no events in this selection")]
    if not clustered and any(len(r["categories"]) > 1 for r in seed_rows):
        legend.append(("conic-gradient(#CC79A7 0 50%, #0072B2 0)", "",
                       "a ring of colours: several categories at one point; the number: its events"))
    if not clustered and any(r["dashed"] for r in seed_rows):
        legend.append((OUTLINE, "ring", "dashed: a whole country, no single site"))
    inset = not clustered and _layout.wants_inset(events, tiles)
    _finish(m, title, legend, inset, events, bounds, ["events", title, assets, str(tiles), clustered, seed_rows],
            spread=not clustered)
    return m


def subset_map(events: pd.DataFrame | None = None, start: Any = None, end: Any = None,
               category: str | Iterable[str] | None = None, *, keep_view: bool = True,
               assets: str = "inline", tiles: Any = None, cluster: bool | None = None) -> folium.Map:
    """Return an event map of the events between two dates and/or of some categories.

    Made for the widget lessons: a slider or a menu chooses ``start``, ``end``
    and ``category``, and the map redraws. By default the view stays the one
    that fits *all* the events, so the map does not jump as the choice changes.

    Parameters
    ----------
    events : DataFrame, optional
        The table to choose from; :func:`koreathaw.load_events` by default.
    start, end : str or Timestamp, optional
        The first and last start date to keep (both included), written as for
        :func:`koreathaw.events_between`: a day ``"2018-04-27"``, a month
        ``"2018-04"`` or a year ``"2018"`` (the whole month or year, at either
        end); open-ended when left out.
    category : str or list of str, optional
        One category or several (see :data:`koreathaw.CATEGORIES`).
    keep_view : bool, default True
        Fit the first view to all of ``events`` (True) or to the chosen ones.
    assets, tiles, cluster
        As for :func:`events_map`.

    Raises
    ------
    TypeError
        If a date is not text or a Timestamp, or ``category`` is neither text
        nor a list of texts (and as :func:`events_map`).
    ValueError
        If ``end`` is before ``start``, a date cannot be read, or a category is
        unknown (and as :func:`events_map`).

    Examples
    --------
    >>> from koreathaw import markers_table
    >>> m = subset_map(start="2018", end="2018", category="summit")
    >>> table = markers_table(m)
    >>> set(table["category"])
    {'summit'}
    >>> bool(table["date"].dt.year.eq(2018).all())
    True
    """
    from koreathaw.events import load_events

    events = check_events(load_events() if events is None else events)
    chosen = None if category is None else _args.choices(category, "category", CATEGORIES)
    _args.flag(keep_view, "keep_view")
    first, last = _args.date_range(start, end, open_ends=True)
    mask = np.ones(len(events), dtype=bool)
    if first is not None:
        mask &= events.index >= first
    if last is not None:
        mask &= events.index <= last
    if chosen is not None:
        mask &= events["category"].astype(str).isin(chosen).to_numpy()
    subset = events.iloc[mask.nonzero()[0]]
    title = f"Events from {'the start' if first is None else f'{first:%Y-%m-%d}'} to " \
            f"{'the end' if last is None else f'{last:%Y-%m-%d}'}"
    if chosen is not None:
        title += f" ({', '.join(chosen)})"
    title += f": {len(subset)} of {len(events)}"
    bounds = None
    if keep_view and len(events):
        bounds = ((float(events["latitude"].min()), float(events["longitude"].min())),
                  (float(events["latitude"].max()), float(events["longitude"].max())))
    return events_map(subset, assets=assets, tiles=tiles, title=title, bounds=bounds, cluster=cluster)
