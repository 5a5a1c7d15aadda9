"""How a course map is laid out: first view, inset, labels, legend, popups, reproducible ids.

Pure helpers of :mod:`koreathaw.maps.builders`; the only Folium they touch is
the map they are given (and ``FitBounds``, imported when a view is fitted).
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd

from koreathaw._html import as_text, escape_html
from koreathaw.maps._base import INSET_VIEW, KOREA_VIEW, OUTLINE, in_box, walk


def stable_ids(m: Any, seed: str) -> None:
    """Give every element an id derived from ``seed``, so the HTML is reproducible.

    The seed (which describes every marker) is hashed once; each element's id
    is then a short hash of that digest and its number, so the cost grows
    linearly with the number of elements (hashing the whole seed per element
    made a 10,000-event map take minutes).
    """
    digest = hashlib.sha1(seed.encode()).hexdigest()
    for number, element in enumerate([m.get_root(), m, *walk(m)]):
        element._id = hashlib.sha1(f"{digest}:{number}".encode()).hexdigest()[:32]


def fit(m: Any, points: pd.DataFrame, bounds: Any = None) -> None:
    """Fit the first view to ``bounds`` or to the points (the peninsula if none)."""
    from folium.map import FitBounds

    if bounds is None:
        if len(points):
            bounds = ((float(points["latitude"].min()), float(points["longitude"].min())),
                      (float(points["latitude"].max()), float(points["longitude"].max())))
        else:
            bounds = KOREA_VIEW
    (s, w), (n, e) = bounds
    view = FitBounds([[s, w], [n, e]], padding=(30, 30), max_zoom=7)
    view.options["animate"] = False  # draw the first view at once, with no zoom animation
    m.add_child(view)


def wants_inset(points: pd.DataFrame, tiles: Any) -> bool:
    """Return whether a map needs the peninsula inset: points both in it and far away."""
    if tiles or not len(points):
        return False
    (s, w), (n, e) = INSET_VIEW
    lat = points["latitude"].to_numpy(dtype="float64")
    lon = points["longitude"].to_numpy(dtype="float64")
    inside = (lat >= s) & (lat <= n) & (lon >= w) & (lon <= e)
    return bool(np.any(inside) and not np.all(inside))


def label_side(place_id: str, spots: dict[str, tuple[float, float]]) -> str:
    """Return where a permanent label goes so that neighbouring labels do not overlap.

    Panmunjom and Kaesong are 11 km apart: the western one of a close pair is
    labelled on the left; a place with a labelled neighbour further east gets
    its label above, one with neighbours only to the west below; a place just
    west of the peninsula (Beijing) on the left, away from the peninsula.
    """
    lat, lon = spots[place_id]
    near = [(olat, olon) for other, (olat, olon) in spots.items()
            if other != place_id and abs(olat - lat) < 1.5 and abs(olon - lon) < 3]
    if any(0 < olon - lon < 1 for _, olon in near):
        return "left"
    if any(olon > lon for _, olon in near):
        return "top"
    if near:
        return "bottom"
    (s, w), (n, _e) = INSET_VIEW
    if not in_box(lat, lon, INSET_VIEW) and w - 20 < lon < w and s - 10 < lat < n + 10:
        return "left"
    return "right"


def legend_html(title: str, rows: list[tuple[str, str, str]]) -> str:
    """Return the legend: a title and (colour, css class, label) rows, all escaped."""
    items = "".join(
        f'<li><span class="koreathaw-swatch {escape_html(css)}" style="background:{escape_html(colour)};'
        f'border-color:{escape_html(colour if css == "ring" else OUTLINE)}"></span>{escape_html(label)}</li>'
        for colour, css, label in rows
    )
    return f"<h2>{escape_html(title)}</h2><ul>{items}</ul>"


def article_sources(articles: pd.DataFrame | None) -> dict[str, str]:
    """Return 'title, outlet, date' of each article, by id, as a popup names its source."""
    if articles is None:
        return {}
    return {str(aid): f"{as_text(t)}, {as_text(o)}, {as_text(d)}" for aid, t, o, d in
            zip(articles.index, articles["title"], articles["outlet"], articles["publication_date"])}


def event_popup(row: dict[str, Any], sources: dict[str, str]) -> str:
    """Return the escaped HTML of one event's popup (``row``: one event's cells, with ``date``)."""
    date = row["date"]
    when = date.strftime("%Y-%m-%d")
    end = row.get("end_date")
    if isinstance(end, pd.Timestamp) and not pd.isna(end) and end != date:
        when += " to " + end.strftime("%Y-%m-%d")
    place = as_text(row.get("place_name"))
    parts = [f'<span class="meta">{escape_html(when)} · {escape_html(as_text(row["category"]))}'
             f'{" · " + escape_html(place) if place else ""}</span>',
             f"<br><b>{escape_html(row['title'])}</b>"]
    quote = as_text(row.get("quote"))
    if quote:
        parts.append(f"<blockquote>{escape_html(quote)}</blockquote>")
    article_id = as_text(row.get("article_id"))
    source = sources.get(article_id, f"article {article_id}") if article_id else as_text(row.get("source_url"))
    if source:
        parts.append(f'{"" if quote else "<br>"}<span class="meta">Source: {escape_html(source)}</span>')
    parts.append(f'<br><span class="meta">{escape_html(row["event_id"])}</span>')
    return f'<div class="koreathaw-popup">{"".join(parts)}</div>'


def place_popup(row: dict[str, Any]) -> str:
    """Return the escaped HTML of one place's popup: names, variants, country, precision, note."""
    lines = [f"<b>{escape_html(row['name'])}</b>"]
    if as_text(row.get("name_hangul")):
        lines[0] += f" {escape_html(row['name_hangul'])}"
    variants = row.get("variants")
    if isinstance(variants, (list, tuple)) and variants:
        lines.append(f'<span class="meta">also: {escape_html("; ".join(map(str, variants)))}</span>')
    meta = " · ".join(x for x in (as_text(row.get("country")), as_text(row.get("precision"))) if x)
    if meta:
        lines.append(f'<span class="meta">{escape_html(meta)}</span>')
    if as_text(row.get("note")):
        lines.append(escape_html(row["note"]))
    return f'<div class="koreathaw-popup">{"<br>".join(lines)}</div>'
