"""The Folium elements of the course maps, defined at module level (so they can be pickled and documented).

Importing this module imports Folium; :mod:`koreathaw.maps` imports it only
inside the functions that make a map, so ``import koreathaw`` stays cheap.

The elements drawn once per marker (:class:`CompactCircleMarker`,
:class:`HtmlPopup`, :class:`HtmlTooltip`) write their line of JavaScript
directly instead of through a Jinja template: Folium compiles the text a
template produces as a new template, which for ten thousand markers costs far
more than the map itself. Every text they carry was escaped by
:func:`koreathaw.escape_html` and goes into the page as a JSON string literal.
"""

from __future__ import annotations

import json
from typing import Any

import folium
from branca.element import Element, Figure, MacroElement
from folium.map import Layer
from folium.template import Template

from koreathaw._html import escape_html, js_string
from koreathaw.maps._base import LINKED_FOLDER, walk
from koreathaw.maps.assets import asset_tags

__all__ = ["RawHtml", "OfflineAssets", "Basemap", "Inset", "InsetLabel", "CompactCircleMarker", "PieMarker",
           "HtmlPopup", "HtmlTooltip", "InfoBox", "ClusterGroup", "Spread", "CategorySwitches", "CourseMap"]


class RawHtml(Element):
    """A piece of the page written exactly as given (no template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RawHtml"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class _FastName:
    """Mixin: ``get_name()`` without branca's per-call regular expressions (called several times per marker)."""

    _js_prefix = ""

    def get_name(self) -> str:
        return f"{self._js_prefix}_{self._id}"


def _js_value(value: Any) -> str:
    """Return ``value`` as JSON that is safe inside an inline ``<script>`` (as :func:`koreathaw._html.js_string`)."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/").replace("<!--", "\\u003c!--")


def _add_script(element: Any, text: str) -> None:
    """Add one script line for ``element`` to its figure, then render its children (as MacroElement does)."""
    figure = element.get_root()
    if not isinstance(figure, Figure):
        raise ValueError(f"a {element._name} can only be drawn on a map (add it to one first)")
    figure.script.add_child(RawHtml(text), name=element.get_name())
    for child in element._children.values():
        child.render()


class OfflineAssets(MacroElement):
    """Put Leaflet (and, when needed, its cluster plug-in, jQuery, the basemap) into the page: inline or linked."""

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
        for element in walk(root):
            if isinstance(element, folium.Popup):
                return True
            if any(name == "jquery" for name, _ in getattr(type(element), "default_js", [])):
                return True
        return False

    def needs_cluster(self) -> bool:
        """Return whether the map draws markers in clusters."""
        root = self._parent
        return root is not None and any(isinstance(c, ClusterGroup) for c in root._children.values())

    def needs_spread(self) -> bool:
        """Return whether the map lays out its markers and labels with the course's script (spread.js)."""
        root = self._parent
        return root is not None and any(isinstance(c, (Spread, Inset)) for c in root._children.values())

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        if isinstance(figure, Figure):
            for name, tag in asset_tags(self.mode, self.base, basemap=self.basemap, jquery=self.needs_jquery(),
                                        cluster=self.needs_cluster(), spread=self.needs_spread()):
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
    """A small fixed map of the Korean peninsula with copies of the map's markers, laid out as the map's are.

    Shown while the main map's view is wider than the peninsula; hidden once the
    main map is zoomed in on it (zoom 5 or more with the peninsula in view),
    where the main map shows the same, larger. A click on the inset (or Enter
    or Space once it has the keyboard's focus) zooms the main map to the
    peninsula: what the inset covers on the main map is never out of reach.
    Drawn by ``koreathawInset`` (discs.js).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        koreathawInset({{ this._parent.get_name() }}, {{ this.settings|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, bounds: Any, title: str, width: int = 200, height: int = 220) -> None:
        super().__init__()
        self._name = "Inset"
        self.settings = {"bounds": [[float(x) for x in bounds[0]], [float(x) for x in bounds[1]]],
                         "titleHtml": f'<div class="koreathaw-inset-title">{escape_html(title)}</div>',
                         "action": f"{title}: click to zoom the map to it", "width": int(width), "height": int(height)}


class InsetLabel(_FastName, MacroElement):
    """Tell the inset to label the copy of this marker (escaped HTML); the inset chooses the side."""

    _js_prefix = "inset_label"

    def __init__(self, html_text: str) -> None:
        super().__init__()
        self._name = "InsetLabel"
        self.html = html_text

    def render(self, **kwargs: Any) -> None:
        _add_script(self, f"{self._parent.get_name()}.koreathawInsetLabel = {{html: {js_string(self.html)}}};\n")


class CompactCircleMarker(_FastName, folium.CircleMarker):
    """folium.CircleMarker, written with only the options that differ from Leaflet's defaults."""

    _js_prefix = "compact_circle_marker"

    _LEAFLET_DEFAULTS = {"stroke": True, "color": "#3388ff", "weight": 3, "opacity": 1.0, "lineCap": "round",
                         "lineJoin": "round", "fill": True, "fillOpacity": 0.2, "fillRule": "evenodd",
                         "bubblingMouseEvents": True, "radius": 10}

    @property
    def compact(self) -> dict[str, Any]:
        """The options Leaflet would not pick by itself."""
        return {k: v for k, v in self.options.items()
                if v is not None and self._LEAFLET_DEFAULTS.get(k, object()) != v}

    def render(self, **kwargs: Any) -> None:
        location = json.dumps([float(x) for x in self.location])
        _add_script(self, f"var {self.get_name()} = L.circleMarker({location}, {json.dumps(self.compact)})"
                          f".addTo({self._parent.get_name()});\n")


class PieMarker(_FastName, folium.Marker):
    """One point of an event map: a disc of its category's colour, or a ring of slices for several, with its count.

    ``slices`` are (category, colour, number of events) in the legend's order;
    ``label`` (escaped HTML) names the point for screen readers; ``dashed``
    outlines a point that stands for a whole country. The disc is drawn
    by ``koreathawPieMarker`` (discs.js): an SVG icon, keyboard-focusable.
    """

    _js_prefix = "pie_marker"

    def __init__(self, location: Any, slices: list[tuple[str, str, int]], radius: float, label: str,
                 dashed: bool = False) -> None:
        super().__init__(location=location)
        self._name = "PieMarker"
        for _, colour, _ in slices:
            if not (isinstance(colour, str) and len(colour) == 7 and colour[0] == "#"
                    and all(c in "0123456789abcdefABCDEF" for c in colour[1:])):
                raise ValueError(f"a slice's colour must be written #RRGGBB, not {colour!r}")
        self.options = {"koreathawSlices": [[str(c), str(colour), int(n)] for c, colour, n in slices],
                        "koreathawRadius": float(radius), "koreathawCount": sum(int(n) for _, _, n in slices),
                        "koreathawLabel": label, "koreathawSpread": True}
        if dashed:
            self.options["koreathawDashed"] = True

    def render(self, **kwargs: Any) -> None:
        location = json.dumps([float(x) for x in self.location])
        _add_script(self, f"var {self.get_name()} = koreathawPieMarker({location}, {_js_value(self.options)})"
                          f".addTo({self._parent.get_name()});\n")


class HtmlPopup(_FastName, MacroElement):
    """A popup whose content is HTML we escaped, passed to Leaflet as a string."""

    _js_prefix = "html_popup"

    def __init__(self, html_text: str, max_width: int = 320) -> None:
        super().__init__()
        self._name = "HtmlPopup"
        self.html = html_text
        self.options = {"maxWidth": max_width}

    def render(self, **kwargs: Any) -> None:
        _add_script(self, f"{self._parent.get_name()}.bindPopup({js_string(self.html)}, {json.dumps(self.options)});\n")


class HtmlTooltip(_FastName, MacroElement):
    """A tooltip (or a permanent label) from escaped HTML, passed as a string."""

    _js_prefix = "html_tooltip"

    def __init__(self, html_text: str, permanent: bool = False, direction: str = "right") -> None:
        super().__init__()
        self._name = "HtmlTooltip"
        self.html = html_text
        offset = {"left": [-8, 0], "right": [8, 0], "top": [0, -8], "bottom": [0, 8]}.get(direction, [0, 0])
        self.options = ({"permanent": True, "direction": direction, "offset": offset, "className": "koreathaw-label"}
                        if permanent else {"sticky": True})

    def render(self, **kwargs: Any) -> None:
        _add_script(self, f"{self._parent.get_name()}.bindTooltip({js_string(self.html)}, "
                          f"{json.dumps(self.options)});\n")


class InfoBox(MacroElement):
    """A box in a corner of the map (title or legend) holding escaped HTML.

    A box whose HTML has a ``<details>`` (the legend) starts folded when, open,
    it would cover more than a third of the map's height: on a map the size
    of a notebook's output it would hide the markers under it.
    """

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
        (function (box, map) {
            var fold = box.querySelector("details");
            if (fold && box.offsetHeight > map.getSize().y / 3) { fold.open = false; }
        })({{ this.get_name() }}.getContainer(), {{ this._parent.get_name() }});
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


class ClusterGroup(folium.FeatureGroup):
    """A layer whose markers are drawn in clusters (vendored Leaflet.markercluster), e.g. one event category.

    A layer of the layer control like a :class:`folium.FeatureGroup`; markers
    are added to it while it is off the map, so the plug-in clusters them all at
    once, in chunks that keep the page responsive. A cluster is a circle of the
    layer's ``colour`` (its legend colour) showing how many markers it holds.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.markerClusterGroup(L.extend({{ this.options|tojson }}, {
            iconCreateFunction: function (cluster) {
                var n = cluster.getChildCount(), size = n < 100 ? 30 : n < 1000 ? 36 : 42;
                var div = document.createElement("div");
                div.style.cssText = {{ this.icon_style|tojson }} + "width:" + size + "px;height:" + size + "px;line-height:" + size + "px;";
                div.textContent = n;
                return L.divIcon({html: div.outerHTML, className: "marker-cluster koreathaw-cluster", iconSize: L.point(size, size)});
            }
        }));
        {% endmacro %}
        """
    )

    def __init__(self, name: str, colour: str = "#0072B2", **options: Any) -> None:
        super().__init__(name=name)
        self._name = "ClusterGroup"
        self.colour = colour
        self.options = {"chunkedLoading": True, "showCoverageOnHover": False, "maxClusterRadius": 50, **options}

    @property
    def icon_style(self) -> str:
        """The CSS of a cluster's circle: the layer's colour, a dark outline, readable digits."""
        red, green, blue = (int(self.colour[i:i + 2], 16) for i in (1, 3, 5))
        text = "#000" if 0.299 * red + 0.587 * green + 0.114 * blue > 140 else "#fff"
        return (f"background:{self.colour};color:{text};border:2px solid #222;border-radius:50%;"
                "text-align:center;font:600 12px system-ui,sans-serif;opacity:0.9;")


class Spread(MacroElement):
    """Lay out the map's course markers at every zoom (spread.js): none hides another, labels readable.

    Add it after the first view is fitted: it lays the markers out at once, then
    again at every zoom and whenever a layer is switched on or off.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        koreathawSpread({{ this._parent.get_name() }}, function () {
            var found = [];
            {{ this._parent.get_name() }}.eachLayer(function (layer) {
                if (layer.options && layer.options.koreathawSpread) { found.push(layer); }
            });
            return found;
        });
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "Spread"


class CategorySwitches(MacroElement):
    """Make the layer control's category entries (empty layers with a ``koreathawCategory``) filter the event discs.

    ``group`` is the layer holding the map's :class:`PieMarker` discs.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        koreathawCategorySwitches({{ this._parent.get_name() }}, {{ this.group.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, group: Any) -> None:
        super().__init__()
        self._name = "CategorySwitches"
        self.group = group


class CourseMap(folium.Map):
    """A folium.Map whose notebook view, an iframe, has a title naming the map (for screen readers)."""

    def _repr_html_(self, **kwargs: Any) -> str:
        names = [e.aria_label for e in walk(self) if isinstance(e, InfoBox) and e.aria_label]
        title = escape_html(names[0] if names else "Map")
        return super()._repr_html_(**kwargs).replace("<iframe ", f'<iframe title="{title}" ', 1)
