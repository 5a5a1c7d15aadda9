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

No marker of a places or events map hides another: the events at one point
are one disc that lists them all, and markers that would overlap at the zoom
shown, or that lie under the legend or the inset, are nudged apart, as little
as it takes, each keeping a line to its true point (a crowd of more than eight
is one numbered bubble that zooms in); labels take a side where they cover no
marker, label or control, and the peninsula inset zooms the map to the
peninsula when clicked. This layout is drawn by the course's own scripts, ``spread.js``
and ``discs.js``, written inline into the map. A map of more than
:data:`CLUSTER_ABOVE` events draws one circle per event in clusters instead
(the vendored Leaflet.markercluster), so ten thousand events still open at once.

``folium`` is imported only when a map is made: ``import koreathaw`` stays
cheap. The package, lowest module first (each imports only those above it):

``_base``
    colours, views, shared names and the argument checks;
``assets``
    the vendored files, inline or linked;
``elements``
    the Folium element classes (imports Folium);
``_layout``
    first view, inset, legend, points, popups, reproducible ids;
``_markers``
    a circle per place, a disc per point of events, a circle per event in clusters;
``builders``
    :func:`blank_map`, :func:`places_map`, :func:`events_map`, :func:`subset_map`;
``output``
    :func:`markers_table`, :func:`save_map`.

Escaping is :mod:`koreathaw._html`, the library's one layer (MarkupSafe).
"""

from koreathaw._html import escape_html
from koreathaw.maps._base import CLUSTER_ABOVE, COLOUR_NAMES, LINKED_FOLDER, PALETTE, THAW_PLACES
from koreathaw.maps.builders import blank_map, events_map, places_map, subset_map
from koreathaw.maps.output import markers_table, save_map

__all__ = [
    "PALETTE",
    "COLOUR_NAMES",
    "THAW_PLACES",
    "LINKED_FOLDER",
    "CLUSTER_ABOVE",
    "escape_html",
    "blank_map",
    "places_map",
    "events_map",
    "subset_map",
    "markers_table",
    "save_map",
]
