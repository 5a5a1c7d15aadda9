"""Maps of the thaw that draw with no network.

Every map made here is a :class:`folium.Map` that carries its own copy of
Leaflet and of a Natural Earth basemap (vendored in ``koreathaw/_assets``;
see the README there), so it draws in a notebook, in a saved HTML file and in
a notebook sent by email, with no network at all. Online map tiles are used
only when you ask for them (``tiles="OpenStreetMap"``).

The assets travel in one of two ways, chosen per map:

``assets="inline"`` (the default)
    Leaflet, its stylesheet and the basemap are written *inside* the map's
    HTML. A map shown in JupyterLab (an output iframe) or saved on its own
    needs nothing else. It is a few hundred kilobytes.
``assets="linked"``
    The HTML refers to one shared local copy, ``koreathaw-assets/`` next to
    the saved file; :func:`save_map` copies it there. Best for many maps in
    one folder or on a course website. (A linked map shown in a notebook
    cannot find that folder: keep notebook maps inline, and choose the mode
    when saving with :func:`save_map`.)

Every text shown on a map (titles, quotes, names, the legend) goes through
:func:`escape_html`, so an apostrophe, a backtick or ``<script>`` in the data
shows as text and breaks nothing. Markers are drawn circles: no image files.
jQuery (vendored too) is added only to a map that holds a ``folium.Popup``,
whose template needs it; the course's own popups do not. Folium elements that
load plug-ins from the web (``folium.Icon``, ``folium.plugins``) still need a
network: use circle markers, or ``folium.Marker`` with its default icon.
Each map has a text equivalent, :func:`markers_table`, and the colours are the
colour-blind-safe Okabe-Ito palette (:data:`PALETTE`).

``folium`` is imported only when a map is made: ``import koreathaw`` stays
cheap.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import os
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from koreathaw.errors import DataError
from koreathaw.events import CATEGORIES, check_event_table

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    import folium

__all__ = [
    "PALETTE",
    "COLOUR_NAMES",
    "THAW_PLACES",
    "LINKED_FOLDER",
    "escape_html",
    "blank_map",
    "places_map",
    "events_map",
    "subset_map",
    "markers_table",
    "save_map",
]

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

#: The five places the lessons start from; :func:`places_map` labels them.
THAW_PLACES: tuple[str, ...] = ("panmunjom", "kaesong", "pyeongchang", "geneva", "beijing")

#: The folder :func:`save_map` copies the shared assets to, next to the map.
LINKED_FOLDER = "koreathaw-assets"

_ASSETS = Path(__file__).resolve().parent / "_assets"
_MODES = ("inline", "linked")
_EVENT_COLUMNS = ("event_id", "title", "category", "latitude", "longitude")
_PLACE_COLUMNS = ("name", "latitude", "longitude")
_HIGHLIGHT = "#D55E00"
_OTHER = "#0072B2"
_OUTLINE = "#222222"
_LAND, _SEA, _BORDER = "#F2EFE6", "#CFE3EF", "#8C8C8C"
# The view before any marker: the Korean peninsula; and the inset's view.
_KOREA_VIEW = ((33.0, 124.0), (43.0, 131.0))
_INSET_VIEW = ((33.8, 124.3), (42.6, 130.8))


# --- text --------------------------------------------------------------------------

def escape_html(text: Any) -> str:
    """Return ``text`` as HTML that shows it literally, safe in any map context.

    Escapes ``& < > " '`` like :func:`html.escape`, and also the backtick,
    ``$`` and the backslash, which mean something inside the JavaScript
    template strings that Folium's own popups and tooltips use. ``None`` and
    missing values become an empty string.

    Examples
    --------
    >>> escape_html("<script>alert('hi')</script>")
    '&lt;script&gt;alert(&#x27;hi&#x27;)&lt;/script&gt;'
    >>> escape_html("`${x}` \\\\ $5")
    '&#96;&#36;{x}&#96; &#92; &#36;5'
    >>> escape_html(None)
    ''
    """
    if _missing(text):
        return ""
    escaped = html.escape(str(text), quote=True)
    return escaped.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def _missing(value: Any) -> bool:
    """Return whether a cell is missing (None, NaN, NaT or pd.NA)."""
    if value is None:
        return True
    try:
        return bool(pd.api.types.is_scalar(value) and pd.isna(value))
    except (TypeError, ValueError):
        return False


def _text(value: Any) -> str:
    """Return a cell as plain text ('' for a missing value)."""
    if _missing(value):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _js_string(text: str) -> str:
    """Return ``text`` as a JavaScript string literal that is safe inside an inline <script>.

    JSON, with ``</`` and ``<!--`` broken up so the HTML parser cannot end the
    script early; shorter than escaping every ``<`` as Folium's ``tojson`` does.
    """
    return json.dumps(text, ensure_ascii=False).replace("</", "<\\/").replace("<!--", "\\u003c!--")


# --- assets ------------------------------------------------------------------------

@functools.cache
def _manifest() -> dict[str, Any]:
    """Return the vendored assets' manifest (written by tools/build_assets.sh)."""
    path = _ASSETS / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(path, "the vendored map assets are missing; reinstall koreathaw "
                              "(maintainers: run tools/build_assets.sh)") from None


@functools.cache
def _asset_text(relpath: str) -> str:
    """Return the text of one vendored asset file."""
    path = _ASSETS / relpath
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(path, "a vendored map asset is missing; reinstall koreathaw "
                              "(maintainers: run tools/build_assets.sh)") from None


# Inline <style> shared by the legend, title and labels of the course maps.
_COURSE_CSS = """
.koreathaw-box { background: rgba(255,255,255,0.93); padding: 6px 9px; border-radius: 5px;
  box-shadow: 0 1px 5px rgba(0,0,0,0.35); font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif;
  max-width: 280px; color: #111; }
.koreathaw-box h2 { font-size: 14px; margin: 0 0 4px 0; }
.koreathaw-box ul { list-style: none; margin: 0; padding: 0; }
.koreathaw-swatch { display: inline-block; width: 11px; height: 11px; border-radius: 50%;
  border: 1px solid #222; margin-right: 6px; vertical-align: -1px; }
.koreathaw-swatch.ring { background: transparent !important; border-style: dashed; }
.koreathaw-popup { font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 300px; }
.koreathaw-popup blockquote { margin: 6px 0; padding-left: 8px; border-left: 3px solid #bbb; font-style: italic; }
.koreathaw-popup .meta { color: #444; font-size: 12px; }
.koreathaw-label { font-weight: 600; }
.koreathaw-inset { padding: 4px; }
.koreathaw-inset-title { font-weight: 600; font-size: 12px; margin: 0 0 3px 2px; }
.koreathaw-inset-map { border: 1px solid #999; }
.koreathaw-inset-map .koreathaw-label { font-size: 11px; padding: 1px 4px; }
"""


# Inline <script>: draws the vendored basemap on a Leaflet map (the main map
# and the inset use it); it needs window.KOREATHAW_BASEMAP from basemap.js.
_COURSE_JS = """
window.koreathawBasemap = function (map) {
  if (!map.getPane("koreathawBasemap")) {
    var pane = map.createPane("koreathawBasemap");
    pane.style.zIndex = 250;
    pane.style.pointerEvents = "none";
  }
  map.getContainer().style.background = "%(sea)s";
  return L.featureGroup([
    L.geoJSON(window.KOREATHAW_BASEMAP, {
      pane: "koreathawBasemap", interactive: false, className: "koreathaw-land",
      attribution: "Natural Earth (public domain)",
      filter: function (f) { return f.properties.kind === "land"; },
      style: {stroke: false, fill: true, fillColor: "%(land)s", fillOpacity: 1}
    }),
    L.geoJSON(window.KOREATHAW_BASEMAP, {
      pane: "koreathawBasemap", interactive: false, className: "koreathaw-border",
      filter: function (f) { return f.properties.kind === "border"; },
      style: {color: "%(border)s", weight: 0.8, opacity: 1, fill: false}
    })
  ]).addTo(map);
};
""" % {"sea": _SEA, "land": _LAND, "border": _BORDER}


def _asset_tags(mode: str, base: str, *, basemap: bool, jquery: bool) -> list[tuple[str, str | None]]:
    """Return (name, tag) pairs for the page header; tag None means 'remove'."""
    wanted = [
        ("koreathaw_leaflet_css", "leaflet/leaflet.css", True),
        ("koreathaw_leaflet", "leaflet/leaflet.js", True),
        ("koreathaw_leaflet_icons", "leaflet/leaflet-icons.js", True),
        ("koreathaw_jquery", "jquery/jquery.min.js", jquery),
        ("koreathaw_basemap_data", "basemap/basemap.js", basemap),
    ]
    bundles = _manifest()["bundles"]
    files = _manifest()["files"]
    tags: list[tuple[str, str | None]] = []
    for name, relpath, needed in wanted:
        if not needed:
            tags.append((name, None))
            continue
        bundle = bundles[files[relpath]["bundle"]]
        note = f"{relpath}: {bundle['package']} {bundle['version']}, {bundle['license']}; see koreathaw/_assets"
        if mode == "inline":
            body = _asset_text(relpath)
            if relpath.endswith(".css"):
                tags.append((name, f"<style>/* {note} */\n{body}\n</style>"))
            else:
                tags.append((name, f"<script>/* {note} */\n{body}\n</script>"))
        else:
            url = escape_html(base + relpath)
            if relpath.endswith(".css"):
                tags.append((name, f'<link rel="stylesheet" href="{url}"/>'))
            else:
                tags.append((name, f'<script src="{url}"></script>'))
    tags.append(("koreathaw_course_css", f"<style>{_COURSE_CSS}</style>"))
    tags.append(("koreathaw_course_js", f"<script>{_COURSE_JS}</script>" if basemap else None))
    return tags


def _walk(element: Any) -> Iterable[Any]:
    """Yield every element below ``element`` (depth first, in order)."""
    for child in element._children.values():
        yield child
        yield from _walk(child)


@functools.cache
def _classes() -> Any:
    """Define the Folium element classes (here, so folium loads only when needed)."""
    import folium
    from branca.element import Element, Figure, MacroElement
    from folium.map import Layer
    from folium.template import Template

    class RawHtml(Element):
        """A piece of the page written exactly as given (no template)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self._name = "RawHtml"
            self.text = text

        def render(self, **kwargs: Any) -> str:
            return self.text

    class OfflineAssets(MacroElement):
        """Put Leaflet (and jQuery, the basemap) into the page: inline or linked."""

        _template = Template("")

        def __init__(self, mode: str, basemap: bool) -> None:
            super().__init__()
            self._name = "OfflineAssets"
            self.mode = mode
            self.base = LINKED_FOLDER + "/"
            self.basemap = basemap
            self.jquery: bool | None = None  # None: only when an element needs it

        def needs_jquery(self) -> bool:
            """Return whether something on the map uses jQuery (Folium's popups do)."""
            if self.jquery is not None:
                return self.jquery
            root = self._parent
            if root is None:
                return False
            if getattr(root, "objects_to_stay_in_front", None):
                return True
            for element in _walk(root):
                if isinstance(element, folium.Popup):
                    return True
                if any(name == "jquery" for name, _ in getattr(type(element), "default_js", [])):
                    return True
            return False

        def render(self, **kwargs: Any) -> None:
            figure = self.get_root()
            if isinstance(figure, Figure):
                for name, tag in _asset_tags(self.mode, self.base, basemap=self.basemap, jquery=self.needs_jquery()):
                    if tag is None:
                        figure.header._children.pop(name, None)
                    else:
                        figure.header.add_child(RawHtml(tag), name=name)
            super().render(**kwargs)

    class Basemap(Layer):
        """The vendored Natural Earth land and borders, in a pane below the markers."""

        _template = Template(
            """
            {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = koreathawBasemap({{ this._parent.get_name() }});
            {% endmacro %}
            """
        )

        def __init__(self) -> None:
            super().__init__(name="Natural Earth basemap", overlay=False, control=False, show=True)
            self._name = "Basemap"

    class Inset(MacroElement):
        """A small fixed map of the Korean peninsula with copies of the map's circles."""

        _template = Template(
            """
            {% macro script(this, kwargs) %}
            (function () {
                var main = {{ this._parent.get_name() }};
                var control = L.control({position: "bottomright"});
                control.onAdd = function () {
                    var div = L.DomUtil.create("div", "koreathaw-box koreathaw-inset");
                    div.innerHTML = {{ this.title_html|tojson }};
                    var holder = L.DomUtil.create("div", "koreathaw-inset-map", div);
                    holder.style.width = "{{ this.width|int }}px";
                    holder.style.height = "{{ this.height|int }}px";
                    L.DomEvent.disableClickPropagation(div);
                    L.DomEvent.disableScrollPropagation(div);
                    return div;
                };
                control.addTo(main);
                var inset = L.map(control.getContainer().querySelector(".koreathaw-inset-map"), {
                    zoomControl: false, attributionControl: false, dragging: false, scrollWheelZoom: false,
                    doubleClickZoom: false, boxZoom: false, keyboard: false, touchZoom: false, zoomSnap: 0.25
                });
                inset.fitBounds({{ this.bounds|tojson }});
                koreathawBasemap(inset);
                main.eachLayer(function (layer) {
                    if (!(layer instanceof L.CircleMarker)) { return; }
                    var options = L.extend({}, layer.options, {interactive: false, radius: Math.max(4, layer.options.radius - 2)});
                    var copy = L.circleMarker(layer.getLatLng(), options).addTo(inset);
                    var label = layer.koreathawInsetLabel;
                    if (label) {
                        copy.bindTooltip(label.html, {permanent: true, direction: label.direction,
                                                      offset: {left: [-6, 0], right: [6, 0], top: [0, -6], bottom: [0, 6]}[label.direction],
                                                      className: "koreathaw-label", interactive: false});
                    }
                });
            })();
            {% endmacro %}
            """
        )

        def __init__(self, bounds: Any, title: str, width: int = 200, height: int = 220) -> None:
            super().__init__()
            self._name = "Inset"
            self.bounds = [list(bounds[0]), list(bounds[1])]
            self.title_html = f'<div class="koreathaw-inset-title">{escape_html(title)}</div>'
            self.width, self.height = width, height

    class InsetLabel(MacroElement):
        """Tell the inset to label the copy of this marker (escaped HTML)."""

        _template = Template(
            "{% macro script(this, kwargs) %}"
            "{{ this._parent.get_name() }}.koreathawInsetLabel = {html: {{ this.html|tojson }}, "
            "direction: {{ this.direction|tojson }}};\n"
            "{% endmacro %}"
        )

        def __init__(self, html_text: str, direction: str) -> None:
            super().__init__()
            self._name = "InsetLabel"
            self.html = html_text
            self.direction = direction

    class CompactCircleMarker(folium.CircleMarker):
        """folium.CircleMarker, written with only the options that differ from Leaflet's defaults."""

        _template = Template(
            "{% macro script(this, kwargs) %}"
            "var {{ this.get_name() }} = L.circleMarker({{ this.location|tojson }}, {{ this.compact|tojson }})"
            ".addTo({{ this._parent.get_name() }});\n"
            "{% endmacro %}"
        )
        _LEAFLET_DEFAULTS = {"stroke": True, "color": "#3388ff", "weight": 3, "opacity": 1.0, "lineCap": "round",
                             "lineJoin": "round", "fill": True, "fillOpacity": 0.2, "fillRule": "evenodd",
                             "bubblingMouseEvents": True, "radius": 10}

        @property
        def compact(self) -> dict[str, Any]:
            return {k: v for k, v in self.options.items()
                    if v is not None and self._LEAFLET_DEFAULTS.get(k, object()) != v}

    class HtmlPopup(MacroElement):
        """A popup whose content is HTML we escaped, passed to Leaflet as a string."""

        _template = Template(
            "{% macro script(this, kwargs) %}"
            "{{ this._parent.get_name() }}.bindPopup({{ this.html_js }}, {{ this.options|tojson }});\n"
            "{% endmacro %}"
        )

        def __init__(self, html_text: str, max_width: int = 320) -> None:
            super().__init__()
            self._name = "HtmlPopup"
            self.html = html_text
            self.html_js = _js_string(html_text)
            self.options = {"maxWidth": max_width}

    class HtmlTooltip(MacroElement):
        """A tooltip (or a permanent label) from escaped HTML, passed as a string."""

        _template = Template(
            "{% macro script(this, kwargs) %}"
            "{{ this._parent.get_name() }}.bindTooltip({{ this.html_js }}, {{ this.options|tojson }});\n"
            "{% endmacro %}"
        )

        def __init__(self, html_text: str, permanent: bool = False, direction: str = "right") -> None:
            super().__init__()
            self._name = "HtmlTooltip"
            self.html = html_text
            self.html_js = _js_string(html_text)
            offset = {"left": [-8, 0], "right": [8, 0], "top": [0, -8], "bottom": [0, 8]}.get(direction, [0, 0])
            self.options = ({"permanent": True, "direction": direction, "offset": offset, "className": "koreathaw-label"}
                            if permanent else {"sticky": True})

    class InfoBox(MacroElement):
        """A box in a corner of the map (title or legend) holding escaped HTML."""

        _template = Template(
            """
            {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
            {{ this.get_name() }}.onAdd = function () {
                var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
            {%- if this.aria_label %}
            {{ this._parent.get_name() }}.getContainer().setAttribute("aria-label", {{ this.aria_label|tojson }});
            {%- endif %}
            {% endmacro %}
            """
        )

        def __init__(self, html_text: str, position: str, css_class: str, aria_label: str = "") -> None:
            super().__init__()
            self._name = "InfoBox"
            self.html = html_text
            self.position = position
            self.css_class = css_class
            self.aria_label = aria_label

    class Classes:
        pass

    ns = Classes()
    for cls in (RawHtml, OfflineAssets, Basemap, Inset, InsetLabel, CompactCircleMarker, HtmlPopup, HtmlTooltip,
                InfoBox):
        setattr(ns, cls.__name__, cls)
    return ns


def _assets_element(m: Any) -> Any:
    """Return the map's OfflineAssets element, or None."""
    cls = _classes().OfflineAssets
    for child in getattr(m, "_children", {}).values():
        if isinstance(child, cls):
            return child
    return None


# --- maps ----------------------------------------------------------------------------

def _check_mode(assets: str) -> None:
    if assets not in _MODES:
        raise ValueError(f"assets={assets!r}: choose 'inline' (the assets inside the HTML) "
                         "or 'linked' (a shared koreathaw-assets/ folder)")


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
        How the map carries Leaflet and the basemap (see the module's help).
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
    import folium

    _check_mode(assets)
    ns = _classes()
    if location is None:
        (s, w), (n, e) = _KOREA_VIEW
        location = ((s + n) / 2, (w + e) / 2)
    m = folium.Map(location=list(location), zoom_start=zoom_start, tiles=tiles,
                   min_zoom=2, max_zoom=18 if tiles else 10, control_scale=True)
    # Per instance, never on the class: folium.Map.default_js is shared by
    # every map in the kernel, and changing it would change them all.
    m.default_js = []
    m.default_css = []
    m.add_child(ns.OfflineAssets(assets, basemap=not tiles), name="koreathaw_assets")
    if not tiles:
        m.add_child(ns.Basemap(), name="koreathaw_basemap")
    return m


def _stable_ids(m: Any, seed: str) -> None:
    """Give every element an id derived from ``seed``, so the HTML is reproducible."""
    elements = [m.get_root(), m, *_walk(m)]
    for number, element in enumerate(elements):
        element._id = hashlib.sha1(f"{seed}:{number}".encode()).hexdigest()[:32]


def _fit(m: Any, points: pd.DataFrame, bounds: Any = None) -> None:
    """Fit the first view to ``bounds`` or to the points (the peninsula if none)."""
    if bounds is None:
        if len(points):
            bounds = ((float(points["latitude"].min()), float(points["longitude"].min())),
                      (float(points["latitude"].max()), float(points["longitude"].max())))
        else:
            bounds = _KOREA_VIEW
    from folium.map import FitBounds

    (s, w), (n, e) = bounds
    fit = FitBounds([[s, w], [n, e]], padding=(30, 30), max_zoom=7)
    fit.options["animate"] = False  # draw the first view at once, with no zoom animation
    m.add_child(fit)


def _in_box(lat: float, lon: float, box: Any) -> bool:
    (s, w), (n, e) = box
    return s <= lat <= n and w <= lon <= e


def _wants_inset(points: pd.DataFrame, tiles: Any) -> bool:
    """Return whether a map needs the peninsula inset: points both in it and far away."""
    if tiles or not len(points):
        return False
    inside = [_in_box(float(a), float(o), _INSET_VIEW) for a, o in zip(points["latitude"], points["longitude"])]
    return any(inside) and not all(inside)


def _label_side(place_id: str, spots: dict[str, tuple[float, float]]) -> str:
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
    (s, w), (n, _e) = _INSET_VIEW
    if not _in_box(lat, lon, _INSET_VIEW) and w - 20 < lon < w and s - 10 < lat < n + 10:
        return "left"
    return "right"


def _check_coordinates(frame: pd.DataFrame, what: str) -> None:
    """Raise ValueError unless every row has a finite, possible latitude and longitude."""
    for col, bound in (("latitude", 90.0), ("longitude", 180.0)):
        values = pd.to_numeric(frame[col], errors="coerce").astype("float64")
        bad = ~(values.abs() <= bound)  # NaN and inf are bad too
        if bad.any():
            where = int(bad.to_numpy().nonzero()[0][0])
            row_id = frame.index[where] if what == "place" else frame["event_id"].iloc[where]
            raise ValueError(f"{what} {row_id!r} has {col} {frame[col].iloc[where]!r}: a map needs a finite "
                             f"{col} between -{bound:g} and {bound:g}")


def _check_places(places: pd.DataFrame) -> None:
    if not isinstance(places, pd.DataFrame):
        raise TypeError(f"places must be a pandas DataFrame such as koreathaw.load_places(), not {type(places).__name__}")
    missing = [c for c in _PLACE_COLUMNS if c not in places.columns]
    if missing:
        raise ValueError(f"the places table is missing the columns {missing}; "
                         "pass koreathaw.load_places() or some of its rows")
    _check_coordinates(places, "place")


def _check_events(events: pd.DataFrame) -> None:
    check_event_table(events, _EVENT_COLUMNS)
    for value, event_id in zip(events["category"], events["event_id"]):
        if _text(value) not in CATEGORIES:
            raise ValueError(f"event {event_id!r} has the unknown category {_text(value)!r}; "
                             f"choose one of {sorted(CATEGORIES)}")
    _check_coordinates(events, "event")


def _check_categories(category: str | Iterable[str] | None) -> list[str] | None:
    if category is None:
        return None
    chosen = [category] if isinstance(category, str) else list(category)
    for name in chosen:
        if name not in CATEGORIES:
            raise ValueError(f"unknown category {name!r}; choose one of {sorted(CATEGORIES)}")
    return chosen


def _legend_html(title: str, rows: list[tuple[str, str, str]]) -> str:
    """Return the legend: a title and (colour, css class, label) rows, all escaped."""
    items = "".join(
        f'<li><span class="koreathaw-swatch {escape_html(css)}" style="background:{escape_html(colour)};'
        f'border-color:{escape_html(colour if css == "ring" else _OUTLINE)}"></span>{escape_html(label)}</li>'
        for colour, css, label in rows
    )
    return f"<h2>{escape_html(title)}</h2><ul>{items}</ul>"


def places_map(places: pd.DataFrame | None = None, *, highlight: Iterable[str] | None = None,
               assets: str = "inline", tiles: Any = None, title: str | None = None) -> folium.Map:
    """Return a map of the places of the thaw, one circle per place.

    The five places the lessons start from (:data:`THAW_PLACES`: Panmunjom,
    Kaesong, Pyeongchang, Geneva, Beijing) are labelled and drawn larger; the
    rest of the gazetteer is drawn smaller. A place known only to the country
    (no single site) is a dashed ring. Click a circle for its names, country
    and note; :func:`markers_table` gives the same as a table.

    Parameters
    ----------
    places : DataFrame, optional
        Rows of :func:`koreathaw.load_places` (indexed by ``place_id``, with
        ``name``, ``latitude`` and ``longitude``); all of them by default.
    highlight : list of str, optional
        The place ids to label; by default those of :data:`THAW_PLACES`
        present in ``places``.
    assets : {"inline", "linked"}, default "inline"
        How the map carries Leaflet and the basemap (see the module's help).
    tiles : str, optional
        Online tiles (e.g. ``"OpenStreetMap"``) instead of the offline basemap.
    title : str, optional
        The title shown on the map.

    Raises
    ------
    ValueError
        If a column is missing, a coordinate is not a finite number, or a
        highlighted place is not in the table.

    Examples
    --------
    >>> m = places_map()
    >>> table = markers_table(m)
    >>> sorted(table.loc[table["labelled"], "name"])
    ['Beijing', 'Geneva', 'Kaesong', 'Panmunjom', 'Pyeongchang']
    """
    import folium

    from koreathaw.places import load_places

    places = load_places() if places is None else places
    _check_places(places)
    if highlight is None:
        chosen = [p for p in THAW_PLACES if p in places.index]
    else:
        chosen = [highlight] if isinstance(highlight, str) else list(highlight)
        unknown = [p for p in chosen if p not in places.index]
        if unknown:
            raise ValueError(f"cannot highlight {unknown}: not in the places table "
                             f"(known: {sorted(map(str, places.index))})")
    title = "Places of the thaw" if title is None else title
    m = blank_map(assets=assets, tiles=tiles)
    ns = _classes()
    labels = ("The five places of the lessons", "Other places in the gazetteer")
    groups = {True: folium.FeatureGroup(name=escape_html(labels[0])),
              False: folium.FeatureGroup(name=escape_html(labels[1]))}
    groups[True]._koreathaw_label, groups[False]._koreathaw_label = labels
    inset = _wants_inset(places, tiles)
    spots = {p: (float(places.loc[p, "latitude"]), float(places.loc[p, "longitude"])) for p in chosen}
    seed_rows = []
    for place_id, row in places.iterrows():
        labelled = place_id in chosen
        name = _text(row["name"])
        precision = _text(row.get("precision"))
        ring = precision == "country"
        colour = _HIGHLIGHT if labelled else _OTHER
        marker = ns.CompactCircleMarker(
            location=[float(row["latitude"]), float(row["longitude"])],
            radius=9 if labelled else 6,
            color=colour if ring else _OUTLINE, weight=2 if ring else 1,
            dash_array="4 3" if ring else None,
            fill=True, fill_color=colour, fill_opacity=0.15 if ring else 0.9,
        )
        lines = [f"<b>{escape_html(name)}</b>"]
        if _text(row.get("name_hangul")):
            lines[0] += f" {escape_html(row['name_hangul'])}"
        variants = row.get("variants")
        if isinstance(variants, (list, tuple)) and variants:
            lines.append(f'<span class="meta">also: {escape_html("; ".join(map(str, variants)))}</span>')
        meta = " · ".join(x for x in (_text(row.get("country")), precision) if x)
        if meta:
            lines.append(f'<span class="meta">{escape_html(meta)}</span>')
        if _text(row.get("note")):
            lines.append(escape_html(row["note"]))
        marker.add_child(ns.HtmlPopup(f'<div class="koreathaw-popup">{"<br>".join(lines)}</div>'))
        if labelled:
            lat, lon = spots[place_id]
            direction = _label_side(place_id, spots)
            if inset and _in_box(lat, lon, _INSET_VIEW):
                marker.add_child(ns.HtmlTooltip(escape_html(name)))
                marker.add_child(ns.InsetLabel(escape_html(name), direction))
            else:
                marker.add_child(ns.HtmlTooltip(escape_html(name), permanent=True, direction=direction))
        else:
            marker.add_child(ns.HtmlTooltip(escape_html(name)))
        marker._koreathaw_row = {
            "place_id": str(place_id), "name": name, "country": _text(row.get("country")),
            "precision": precision, "labelled": labelled,
            "colour": COLOUR_NAMES[colour],
        }
        seed_rows.append(marker._koreathaw_row | {"lat": marker.location[0], "lon": marker.location[1]})
        groups[labelled].add_child(marker)
    for group in (groups[False], groups[True]):  # the five places drawn last, on top
        m.add_child(group)
    rows = [(_HIGHLIGHT, "", labels[0] + " (labelled)"), (_OTHER, "", labels[1])]
    if any(r["precision"] == "country" for r in seed_rows):
        rows.append((_OTHER, "ring", "a country, no single site"))
    m.add_child(ns.InfoBox(_legend_html(title, rows), "bottomleft", "koreathaw-box koreathaw-legend",
                           aria_label=f"Map: {title}"))
    if inset:
        m.add_child(ns.Inset(_INSET_VIEW, "The Korean peninsula"))
    folium.LayerControl(collapsed=True).add_to(m)
    _fit(m, places)
    _stable_ids(m, json.dumps(["places", title, assets, str(tiles), seed_rows], sort_keys=True, default=str))
    return m


def _event_popup(date: pd.Timestamp, row: pd.Series, articles: pd.DataFrame | None) -> str:
    """Return the escaped HTML of one event's popup."""
    when = date.strftime("%Y-%m-%d")
    end = row.get("end_date")
    if isinstance(end, pd.Timestamp) and not pd.isna(end) and end != date:
        when += " to " + end.strftime("%Y-%m-%d")
    category = _text(row["category"])
    place = _text(row.get("place_name"))
    parts = [f'<span class="meta">{escape_html(when)} · {escape_html(category)}'
             f'{" · " + escape_html(place) if place else ""}</span>',
             f"<br><b>{escape_html(row['title'])}</b>"]
    quote = _text(row.get("quote"))
    if quote:
        parts.append(f"<blockquote>{escape_html(quote)}</blockquote>")
    article_id = _text(row.get("article_id"))
    if article_id:
        if articles is not None and article_id in articles.index:
            art = articles.loc[article_id]
            source = f"{_text(art['title'])}, {_text(art['outlet'])}, {_text(art['publication_date'])}"
        else:
            source = f"article {article_id}"
        parts.append(f'{"" if quote else "<br>"}<span class="meta">Source: {escape_html(source)}</span>')
    elif _text(row.get("source_url")):
        parts.append(f'{"" if quote else "<br>"}<span class="meta">Source: {escape_html(row["source_url"])}</span>')
    parts.append(f'<br><span class="meta">{escape_html(row["event_id"])}</span>')
    return f'<div class="koreathaw-popup">{"".join(parts)}</div>'


def events_map(events: pd.DataFrame | None = None, *, assets: str = "inline", tiles: Any = None,
               title: str | None = None, bounds: Any = None) -> folium.Map:
    """Return a map of events: one circle per event, coloured by category.

    Each category is a layer you can switch off (top right) and has a colour
    in the legend (bottom left); click a circle for the event's date, title,
    source quote and article. :func:`markers_table` gives the same as a table.

    Parameters
    ----------
    events : DataFrame, optional
        Rows of :func:`koreathaw.load_events` (indexed by date, with
        ``event_id``, ``title``, ``category``, ``latitude``, ``longitude``);
        all events by default.
    assets : {"inline", "linked"}, default "inline"
        How the map carries Leaflet and the basemap (see the module's help).
    tiles : str, optional
        Online tiles (e.g. ``"OpenStreetMap"``) instead of the offline basemap.
    title : str, optional
        The title shown on the map; by default it gives the dates covered.
    bounds : ((south, west), (north, east)), optional
        The first view; by default it fits the events.

    Raises
    ------
    ValueError
        If a column is missing, the table is not indexed by date, a category
        is unknown, or a coordinate is not a finite number.

    Examples
    --------
    >>> from koreathaw import load_events
    >>> events = load_events()
    >>> m = events_map(events)
    >>> len(markers_table(m)) == len(events)
    True
    """
    import folium

    from koreathaw.corpus import load_articles
    from koreathaw.events import load_events

    events = load_events() if events is None else events
    _check_events(events)
    articles = load_articles() if "article_id" in events.columns and events["article_id"].notna().any() else None
    if title is None:
        title = "Events of the thaw"
        if len(events):
            title += f", {events.index.min():%Y-%m-%d} to {events.index.max():%Y-%m-%d}"
    m = blank_map(assets=assets, tiles=tiles)
    ns = _classes()
    counts = events["category"].astype(str).value_counts()
    groups = {}
    for category in CATEGORIES:
        if category in counts.index:
            label = f"{category} ({counts[category]})"
            group = folium.FeatureGroup(name=escape_html(label))
            group._koreathaw_label = label
            groups[category] = group
    seed_rows = []
    for date, row in zip(events.index, (r for _, r in events.iterrows())):
        category = _text(row["category"])
        colour = PALETTE[category]
        marker = ns.CompactCircleMarker(
            location=[float(row["latitude"]), float(row["longitude"])], radius=7,
            color=_OUTLINE, weight=1, fill=True, fill_color=colour, fill_opacity=0.9,
        )
        marker.add_child(ns.HtmlPopup(_event_popup(date, row, articles)))
        marker.add_child(ns.HtmlTooltip(escape_html(f"{date:%Y-%m-%d} {_text(row['title'])}")))
        marker._koreathaw_row = {
            "date": date, "event_id": _text(row["event_id"]), "title": _text(row["title"]),
            "category": category, "place_name": _text(row.get("place_name")), "colour": COLOUR_NAMES[colour],
        }
        seed_rows.append(marker._koreathaw_row | {"lat": marker.location[0], "lon": marker.location[1]})
        groups[category].add_child(marker)
    for group in groups.values():
        m.add_child(group)
    rows = [(PALETTE[c], "", f"{c} ({counts[c]})") for c in groups]
    if not rows:
        rows = [("#FFFFFF", "ring", "no events in this selection")]
    m.add_child(ns.InfoBox(_legend_html(title, rows), "bottomleft", "koreathaw-box koreathaw-legend",
                           aria_label=f"Map: {title}"))
    if _wants_inset(events, tiles):
        m.add_child(ns.Inset(_INSET_VIEW, "The Korean peninsula"))
    folium.LayerControl(collapsed=True).add_to(m)
    _fit(m, events, bounds)
    _stable_ids(m, json.dumps(["events", title, assets, str(tiles), seed_rows], sort_keys=True, default=str))
    return m


def subset_map(events: pd.DataFrame | None = None, start: Any = None, end: Any = None,
               category: str | Iterable[str] | None = None, *, keep_view: bool = True,
               assets: str = "inline", tiles: Any = None) -> folium.Map:
    """Return an event map of the events between two dates and/or of some categories.

    Made for the widget lessons: a slider or a menu chooses ``start``, ``end``
    and ``category``, and the map redraws. By default the view stays the one
    that fits *all* the events, so the map does not jump as the choice changes.

    Parameters
    ----------
    events : DataFrame, optional
        The table to choose from; :func:`koreathaw.load_events` by default.
    start, end : str or Timestamp, optional
        The first and last start date to keep (both included), e.g.
        ``"2018-04-27"``; open-ended when left out.
    category : str or list of str, optional
        One category or several (see :data:`koreathaw.CATEGORIES`).
    keep_view : bool, default True
        Fit the first view to all of ``events`` (True) or to the chosen ones.
    assets, tiles
        As for :func:`events_map`.

    Raises
    ------
    ValueError
        If ``start`` is after ``end``, a date cannot be read, or a category is
        unknown (and as :func:`events_map`).

    Examples
    --------
    >>> m = subset_map(start="2018-01-01", end="2018-12-31", category="summit")
    >>> table = markers_table(m)
    >>> set(table["category"])
    {'summit'}
    >>> bool(table["date"].dt.year.eq(2018).all())
    True
    """
    from koreathaw.events import load_events

    events = load_events() if events is None else events
    _check_events(events)
    chosen = _check_categories(category)
    stamps = {}
    for name, value in (("start", start), ("end", end)):
        if value is None:
            continue
        try:
            stamps[name] = pd.Timestamp(value)
        except (ValueError, TypeError):
            raise ValueError(f"{name}={value!r} is not a date; write it YYYY-MM-DD, e.g. '2018-04-27'") from None
        if pd.isna(stamps[name]):
            raise ValueError(f"{name}={value!r} is not a date; write it YYYY-MM-DD, e.g. '2018-04-27'")
    if "start" in stamps and "end" in stamps and stamps["start"] > stamps["end"]:
        raise ValueError(f"start {stamps['start']:%Y-%m-%d} is after end {stamps['end']:%Y-%m-%d}")
    mask = pd.Series(True, index=range(len(events)))
    if "start" in stamps:
        mask &= (events.index >= stamps["start"])
    if "end" in stamps:
        mask &= (events.index <= stamps["end"])
    if chosen is not None:
        mask &= events["category"].astype(str).isin(chosen).to_numpy()
    subset = events.iloc[mask.to_numpy().nonzero()[0]]
    span = (f"{stamps['start']:%Y-%m-%d}" if "start" in stamps else "the start",
            f"{stamps['end']:%Y-%m-%d}" if "end" in stamps else "the end")
    title = f"Events from {span[0]} to {span[1]}"
    if chosen is not None:
        title += f" ({', '.join(chosen)})"
    title += f": {len(subset)} of {len(events)}"
    bounds = None
    if keep_view and len(events):
        bounds = ((float(events["latitude"].min()), float(events["longitude"].min())),
                  (float(events["latitude"].max()), float(events["longitude"].max())))
    return events_map(subset, assets=assets, tiles=tiles, title=title, bounds=bounds)


# --- text equivalent -------------------------------------------------------------

def markers_table(m: Any) -> pd.DataFrame:
    """Return the markers of a map as a table: the map's text equivalent.

    One row per marker, in drawing order, with its ``layer``, ``latitude``,
    ``longitude``, its ``colour`` by name and what its popup says (for an
    event map: ``date``, ``event_id``, ``title``, ``category``,
    ``place_name``; for a places map: ``place_id``, ``name``, ``country``,
    ``precision``, ``labelled``). Markers you added yourself with Folium are
    listed too, with their position.

    Examples
    --------
    >>> table = markers_table(places_map())
    >>> table.loc[table["place_id"] == "geneva", ["name", "latitude", "longitude"]].values.tolist()
    [['Geneva', 46.2044, 6.1432]]
    """
    import folium

    rows: list[dict[str, Any]] = []

    def visit(element: Any, layer: str) -> None:
        for child in element._children.values():
            if isinstance(child, (folium.CircleMarker, folium.Marker, folium.Circle)):
                row = {"layer": layer, "latitude": float(child.location[0]), "longitude": float(child.location[1])}
                row.update(getattr(child, "_koreathaw_row", {}))
                rows.append(row)
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


# --- saving ------------------------------------------------------------------------

def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _copy_assets(target: Path) -> None:
    """Copy the vendored assets (with licences) to ``target``, skipping identical files."""
    manifest = _manifest()
    wanted = list(manifest["files"]) + [b["license_file"] for b in manifest["bundles"].values()]
    wanted += ["README.md", "manifest.json"]
    for relpath in wanted:
        source = _ASSETS / relpath
        if not source.is_file():
            raise DataError(source, "a vendored map asset is missing; reinstall koreathaw "
                                    "(maintainers: run tools/build_assets.sh)")
        dest = target / relpath
        if dest.is_file() and dest.stat().st_size == source.stat().st_size and _sha256(dest) == _sha256(source):
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)


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
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> saved = save_map(places_map(), folder / "places.html")
    >>> (folder / "koreathaw-assets" / "leaflet" / "leaflet.js").is_file()
    True
    >>> 'src="koreathaw-assets/leaflet/leaflet.js"' in saved.read_text(encoding="utf-8")
    True
    """
    _check_mode(assets)
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
        _copy_assets(target)
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
