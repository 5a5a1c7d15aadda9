"""The markers of the course maps: a circle per place, a disc per point of events, a circle per event in clusters.

Helpers of :mod:`koreathaw.maps.builders`: each draws its markers into the
layers it is given and returns the rows that seed the map's reproducible ids.
What a marker says in :func:`~koreathaw.markers_table` is kept on it
(``_koreathaw_row``, or ``_koreathaw_rows`` for a disc of several events).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from koreathaw._html import as_text, escape_html
from koreathaw.events import CATEGORIES
from koreathaw.maps import _layout
from koreathaw.maps._base import COLOUR_NAMES, HIGHLIGHT, INSET_VIEW, OTHER, OUTLINE, PALETTE, in_box

__all__ = ["place_circles", "event_row", "event_circles", "event_discs"]


def place_circles(groups: dict[bool, Any], places: pd.DataFrame, chosen: list[str], events: pd.DataFrame,
                  inset: bool) -> list[dict[str, Any]]:
    """Draw one circle per place into ``groups[labelled]``; label the ``chosen`` ones; list each place's events."""
    from koreathaw.maps.elements import CompactCircleMarker, HtmlPopup, HtmlTooltip, InsetLabel

    here: dict[str, list[dict[str, Any]]] = {}
    cells = [c for c in ("event_id", "title", "category", "place_id", "end_date") if c in events.columns]
    for date, event in zip(events.index, events[cells].to_dict("records")):
        here.setdefault(as_text(event["place_id"]), []).append(event | {"date": date})
    seed_rows = []
    for place_id, row in zip(places.index, places.to_dict("records")):
        labelled = place_id in chosen
        name = as_text(row["name"])
        precision = as_text(row.get("precision"))
        ring = precision == "country"
        colour = HIGHLIGHT if labelled else OTHER
        marker = CompactCircleMarker(
            location=[float(row["latitude"]), float(row["longitude"])],
            radius=9 if labelled else 6,
            color=colour if ring else OUTLINE, weight=2 if ring else 1,
            dash_array="4 3" if ring else None,
            fill=True, fill_color=colour, fill_opacity=0.15 if ring else 0.9,
        )
        marker.options["koreathawSpread"] = True
        at_place = here.get(str(place_id), [])
        marker.add_child(HtmlPopup(_layout.place_popup(row, at_place)))
        if labelled:
            marker.options["koreathawPriority"] = chosen.index(place_id) + 1
            marker.add_child(HtmlTooltip(escape_html(name), permanent=True))
            if inset and in_box(float(row["latitude"]), float(row["longitude"]), INSET_VIEW):
                marker.add_child(InsetLabel(escape_html(name)))
        else:
            marker.add_child(HtmlTooltip(escape_html(name)))
        marker._koreathaw_row = {
            "place_id": str(place_id), "name": name, "country": as_text(row.get("country")),
            "precision": precision, "labelled": labelled, "colour": COLOUR_NAMES[colour], "events": len(at_place),
        }
        seed_rows.append(marker._koreathaw_row | {"lat": marker.location[0], "lon": marker.location[1]})
        groups[labelled].add_child(marker)
    return seed_rows


def event_row(row: dict[str, Any], layer: str) -> dict[str, Any]:
    """Return what :func:`markers_table` says of one event."""
    return {"layer": layer, "date": row["date"], "event_id": as_text(row["event_id"]), "title": as_text(row["title"]),
            "category": row["category"], "place_name": as_text(row["place_name"]),
            "colour": COLOUR_NAMES[PALETTE[row["category"]]]}


def event_circles(m: Any, rows: list[dict[str, Any]], present: list[str], layer_of: dict[str, str],
                   sources: dict[str, str]) -> list[dict[str, Any]]:
    """Draw one circle per event, in one cluster layer per category; return the rows that seed the ids."""
    from koreathaw.maps.elements import ClusterGroup, CompactCircleMarker, HtmlPopup, HtmlTooltip

    groups = {}
    for category in present:
        groups[category] = ClusterGroup(escape_html(layer_of[category]), PALETTE[category])
        groups[category]._koreathaw_label = layer_of[category]
    seed_rows = []
    for row in rows:
        marker = CompactCircleMarker(location=[float(row["latitude"]), float(row["longitude"])], radius=7,
                                     color=OUTLINE, weight=1, fill=True, fill_color=PALETTE[row["category"]],
                                     fill_opacity=0.9)
        marker.add_child(HtmlPopup(_layout.event_popup(row, sources)))
        marker.add_child(HtmlTooltip(escape_html(f"{row['date']:%Y-%m-%d} {as_text(row['title'])}")))
        marker._koreathaw_row = event_row(row, layer_of[row["category"]])
        del marker._koreathaw_row["layer"]  # markers_table takes it from the cluster layer
        seed_rows.append(marker._koreathaw_row | {"lat": marker.location[0], "lon": marker.location[1]})
        groups[row["category"]].add_child(marker)
    for group in groups.values():
        m.add_child(group)
    return seed_rows


def event_discs(group: Any, rows: list[dict[str, Any]], layer_of: dict[str, str],
                 sources: dict[str, str]) -> list[dict[str, Any]]:
    """Draw one disc per point, listing its events in date order; return the rows that seed the ids."""
    from koreathaw.maps.elements import HtmlPopup, HtmlTooltip, PieMarker

    seed_rows = []
    for numbers in _layout.points([r["latitude"] for r in rows], [r["longitude"] for r in rows]):
        here = _layout.in_date_order([rows[n] for n in numbers])
        first = here[0]
        tally = pd.Series([r["category"] for r in here]).value_counts()
        slices = [(c, PALETTE[c], int(tally[c])) for c in CATEGORIES if c in tally.index]
        names = _layout.place_names(here)
        if len(here) == 1:
            label = f"{first['date']:%Y-%m-%d} {as_text(first['title'])}"
            popup = _layout.event_popup(first, sources)
        else:
            label = f"{names or 'This point'}: {len(here)} events, {first['date']:%Y-%m-%d} to {here[-1]['date']:%Y-%m-%d}"
            popup = _layout.point_popup(here, sources)
        dashed = all(r.get("geo_precision") == 3 for r in here)  # geo_precision 3 (as ACLED): the country only
        disc = PieMarker([float(first["latitude"]), float(first["longitude"])], slices,
                         radius=7 if len(here) == 1 else round(8 + 2 * len(here) ** 0.5, 1), label=escape_html(label),
                         dashed=dashed)
        disc.add_child(HtmlPopup(popup))
        disc.add_child(HtmlTooltip(escape_html(label)))
        disc._koreathaw_rows = [event_row(r, layer_of[r["category"]]) | {"events_here": len(here)} for r in here]
        seed_rows.append({"lat": disc.location[0], "lon": disc.location[1], "categories": [c for c, _, _ in slices],
                          "dashed": dashed, "events": disc._koreathaw_rows})
        group.add_child(disc)
    return seed_rows
