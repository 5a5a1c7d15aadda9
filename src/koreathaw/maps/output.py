"""A course map's text equivalent (:func:`markers_table`) and saving it to a file that opens offline (:func:`save_map`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from koreathaw.maps._base import LINKED_FOLDER, check_mode
from koreathaw.maps.assets import copy_assets

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    import folium

__all__ = ["markers_table", "save_map"]


def markers_table(m: Any) -> pd.DataFrame:
    """Return the markers of a map as a table: the map's text equivalent.

    One row per marker, in drawing order, with its ``layer``, ``latitude``,
    ``longitude``, its ``colour`` by name and what its popup says. On an
    event map a disc stands for all the events at its point: it gives one
    row per event, in date order (``date``, ``event_id``, ``title``,
    ``category``, ``place_name``, and ``events_here``, how many share the
    disc), its layer the event's category. On a places map: ``place_id``,
    ``name``, ``country``, ``precision``, ``labelled`` and ``events`` (how
    many events there). Markers you added yourself with Folium are listed
    too, with their position.

    Examples
    --------
    >>> from koreathaw import places_map
    >>> table = markers_table(places_map())
    >>> table.loc[table["place_id"] == "geneva", ["name", "latitude", "longitude"]].values.tolist()
    [['Geneva', 46.2044, 6.1432]]
    """
    import folium

    rows: list[dict[str, Any]] = []

    def visit(element: Any, layer: str) -> None:
        for child in element._children.values():
            if isinstance(child, (folium.CircleMarker, folium.Marker, folium.Circle)):
                where = {"layer": layer, "latitude": float(child.location[0]), "longitude": float(child.location[1])}
                for said in getattr(child, "_koreathaw_rows", None) or [getattr(child, "_koreathaw_row", {})]:
                    rows.append(where | said)
            elif isinstance(child, folium.FeatureGroup):
                visit(child, getattr(child, "_koreathaw_label", child.layer_name))
            else:
                visit(child, layer)

    visit(m, "")
    table = pd.DataFrame.from_records(rows)
    if table.empty:
        return pd.DataFrame(columns=["layer", "latitude", "longitude"])
    first = [c for c in ("date", "event_id", "place_id", "name", "title", "category", "place_name") if c in table]
    return table[first + [c for c in table.columns if c not in first]]


def _assets_element(m: Any) -> Any:
    """Return the map's OfflineAssets element, or None (folium is loaded by then: ``m`` is a map)."""
    from koreathaw.maps.elements import OfflineAssets

    for child in getattr(m, "_children", {}).values():
        if isinstance(child, OfflineAssets):
            return child
    return None


def save_map(m: folium.Map, path: str | os.PathLike[str], *, assets: str = "linked",
             assets_dir: str | os.PathLike[str] | None = None) -> Path:
    """Write a course map to an HTML file that opens with no network; return its path.

    Parameters
    ----------
    m : folium.Map
        A map from this module (:func:`places_map`, :func:`events_map`,
        :func:`subset_map`, :func:`blank_map`).
    path : str or Path
        The ``.html`` file to write; its folder is made if needed.
    assets : {"linked", "inline"}, default "linked"
        ``"linked"``: the file refers to a shared copy of the assets, by a
        relative path, and the copy is made (or brought up to date) in
        ``koreathaw-assets/`` next to the file. ``"inline"``: one standalone
        file, to send or open anywhere.
    assets_dir : str or Path, optional
        Where the shared copy goes in linked mode, e.g. one folder for a
        whole course site; the file links to it by a relative path.

    Raises
    ------
    ValueError
        If ``m`` was not made by :mod:`koreathaw.maps`, ``assets`` is neither
        mode, or ``path`` does not end in ``.html``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from koreathaw import places_map
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> saved = save_map(places_map(), folder / "places.html")
    >>> (folder / "koreathaw-assets" / "leaflet" / "leaflet.js").is_file()
    True
    >>> 'src="koreathaw-assets/leaflet/leaflet.js"' in saved.read_text(encoding="utf-8")
    True
    """
    check_mode(assets)
    element = _assets_element(m)
    if element is None:
        raise ValueError("this map does not carry the course's offline assets; make it with "
                         "koreathaw.blank_map(), places_map(), events_map() or subset_map()")
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"{path} should end in .html")
    path.parent.mkdir(parents=True, exist_ok=True)
    base = element.base
    if assets == "linked":
        target = Path(assets_dir) if assets_dir is not None else path.parent / LINKED_FOLDER
        copy_assets(target)
        relative = os.path.relpath(target.resolve(), path.parent.resolve())
        base = Path(relative).as_posix().rstrip("/") + "/"
    saved = (element.mode, element.base)
    element.mode, element.base = assets, base
    try:
        page = m.get_root().render()
    finally:
        element.mode, element.base = saved
    path.write_text(page, encoding="utf-8")
    return path
