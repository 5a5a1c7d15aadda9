"""How a course map is laid out: first view, inset, legend, points, popups, reproducible ids.

Pure helpers of :mod:`koreathaw.maps.builders`; the only Folium they touch is
the map they are given (and ``FitBounds``, imported when a view is fitted).
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd

from koreathaw._html import as_text, escape_html
from koreathaw.maps._base import INSET_VIEW, KOREA_VIEW, OUTLINE, walk


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


def legend_html(title: str, rows: list[tuple[str, str, str]]) -> str:
    """Return the legend: a title and (colour, css class, label) rows, all escaped.

    The rows fold under the title (a ``<details>``), which a click opens or
    closes; :class:`~koreathaw.maps.elements.InfoBox` folds them at first on a
    map too small to show them without covering much of it.
    """
    items = "".join(
        f'<li><span class="koreathaw-swatch {escape_html(css)}" style="background:{escape_html(colour)};'
        f'border-color:{escape_html(colour if css == "ring" else OUTLINE)}"></span>{escape_html(label)}</li>'
        for colour, css, label in rows
    )
    return f"<details open><summary><h2>{escape_html(title)}</h2></summary><ul>{items}</ul></details>"


def article_sources(articles: pd.DataFrame | None) -> dict[str, str]:
    """Return 'title, outlet, date' of each article, by id, as a popup names its source."""
    if articles is None:
        return {}
    return {str(aid): f"{as_text(t)}, {as_text(o)}, {as_text(d)}" for aid, t, o, d in
            zip(articles.index, articles["title"], articles["outlet"], articles["publication_date"])}


def _when(row: dict[str, Any]) -> str:
    """Return an event's dates: its start, and its end when it lasted more than a day."""
    date = row["date"]
    when = date.strftime("%Y-%m-%d")
    end = row.get("end_date")
    if isinstance(end, pd.Timestamp) and not pd.isna(end) and end != date:
        when += " to " + end.strftime("%Y-%m-%d")
    return when


def event_entry(row: dict[str, Any], sources: dict[str, str], *, with_place: bool = True) -> str:
    """Return the escaped HTML of one event: dates, category, place, title, quote, source and id."""
    place = as_text(row.get("place_name")) if with_place else ""
    parts = [f'<span class="meta">{escape_html(_when(row))} · {escape_html(as_text(row["category"]))}'
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
    return "".join(parts)


def event_popup(row: dict[str, Any], sources: dict[str, str]) -> str:
    """Return the escaped HTML of one event's popup (``row``: one event's cells, with ``date``)."""
    return f'<div class="koreathaw-popup">{event_entry(row, sources)}</div>'


def in_date_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return event rows (each with ``date`` and ``event_id``) sorted by date, then id."""
    return sorted(rows, key=lambda r: (r["date"], as_text(r["event_id"])))


def place_names(rows: list[dict[str, Any]]) -> str:
    """Return the names of the places of some events, each once, joined by ' / ' (two places may share a point)."""
    return " / ".join(dict.fromkeys(as_text(r.get("place_name")) for r in rows if as_text(r.get("place_name"))))


def point_popup(rows: list[dict[str, Any]], sources: dict[str, str]) -> str:
    """Return the escaped HTML of the popup of one point with several events: its place, their number, each in date order."""
    rows = in_date_order(rows)
    names = place_names(rows) or "This point"
    span = f"{rows[0]['date']:%Y-%m-%d} to {rows[-1]['date']:%Y-%m-%d}"
    items = "".join(f"<li>{event_entry(r, sources, with_place=False)}</li>" for r in rows)
    return (f'<div class="koreathaw-popup"><b>{escape_html(names)}</b><br>'
            f'<span class="meta">{len(rows)} events, {escape_html(span)}, in date order</span>'
            f'<ol class="koreathaw-events" tabindex="0" aria-label="{escape_html(f"Events at {names}")}">{items}</ol></div>')


def points(latitudes: Any, longitudes: Any) -> list[list[int]]:
    """Return the positions of the rows at each point (same latitude and longitude), points in order of first row.

    >>> points([37.9558, 46.2044, 37.9558], [126.6767, 6.1432, 126.6767])
    [[0, 2], [1]]
    """
    found: dict[tuple[float, float], list[int]] = {}
    for number, spot in enumerate(zip(map(float, latitudes), map(float, longitudes))):
        found.setdefault(spot, []).append(number)
    return list(found.values())


def place_popup(row: dict[str, Any], events: list[dict[str, Any]] | None = None) -> str:
    """Return the escaped HTML of one place's popup: names, variants, country, precision, note, and its events in date order."""
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
    body = "<br>".join(lines)
    if events:
        items = "".join(f'<li><span class="meta">{escape_html(_when(r))} · {escape_html(as_text(r["category"]))}</span> '
                        f'{escape_html(r["title"])} <span class="meta">({escape_html(r["event_id"])})</span></li>'
                        for r in in_date_order(events))
        plural = "" if len(events) == 1 else "s"
        body += (f'<br><span class="meta">{len(events)} event{plural} here, in date order:</span>'
                 f'<ol class="koreathaw-events" tabindex="0" aria-label="{escape_html("Events at " + as_text(row["name"]))}">'
                 f"{items}</ol>")
    return f'<div class="koreathaw-popup">{body}</div>'
