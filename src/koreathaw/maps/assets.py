"""The vendored web assets of the maps (Leaflet, its cluster plug-in, jQuery, the basemap).

They live in ``koreathaw/_assets`` with their licences, listed in its
``manifest.json`` (both written by ``tools/build_assets.sh`` from npm
packages). A map carries them inline or links to a copy that :func:`copy_assets`
puts next to a saved map; nothing is fetched from the network.
"""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from koreathaw._html import escape_html
from koreathaw.errors import DataError
from koreathaw.maps._base import ASSETS, BORDER, LAND, SEA

__all__ = ["manifest", "asset_text", "spread_js", "asset_tags", "copy_assets"]

_MISSING = "a vendored map asset is missing; reinstall koreathaw (maintainers: run tools/build_assets.sh)"


@functools.cache
def manifest() -> dict[str, Any]:
    """Return the vendored assets' manifest (written by tools/build_assets.sh)."""
    path = ASSETS / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(path, "the vendored map assets are missing; reinstall koreathaw "
                              "(maintainers: run tools/build_assets.sh)") from None


@functools.cache
def asset_text(relpath: str) -> str:
    """Return the text of one vendored asset file."""
    path = ASSETS / relpath
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(path, _MISSING) from None


@functools.cache
def spread_js() -> str:
    """Return the course's own map scripts: ``spread.js`` (markers nudged apart, labels placed), then
    ``discs.js`` (the peninsula inset, the event discs, the category switches)."""
    texts = []
    for name in ("spread.js", "discs.js"):
        path = Path(__file__).with_name(name)
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise DataError(path, "a script of the maps is missing; reinstall koreathaw") from None
    return "\n".join(texts)


# Inline <style> shared by the legend, title and labels of the course maps.
COURSE_CSS = """
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
.koreathaw-legend summary { cursor: pointer; }
.koreathaw-legend summary h2 { display: inline; }
.koreathaw-inset { padding: 4px; cursor: pointer; }
.koreathaw-inset-title { font-weight: 600; font-size: 12px; margin: 0 0 3px 2px; }
.koreathaw-inset:focus-visible { outline: 3px solid #0072B2; outline-offset: 2px; }
.koreathaw-inset-map { border: 1px solid #999; cursor: pointer; }
.koreathaw-inset-map .koreathaw-label { font-size: 11px; padding: 1px 4px; }
.koreathaw-pie, .koreathaw-bubble { background: none; border: none; }
.koreathaw-pie svg { display: block; overflow: visible; }
.koreathaw-bubble-count { background: #fff; color: #000; border: 2px solid #222; border-radius: 50%;
  text-align: center; font: 700 12px system-ui, sans-serif; box-shadow: 0 0 0 3px rgba(255,255,255,0.6); }
.koreathaw-popup .koreathaw-events { max-height: 260px; overflow-y: auto; margin: 4px 0 0 0; padding: 0 4px 0 18px; }
.koreathaw-popup .koreathaw-events li { margin: 0 0 6px 0; }
"""

# Inline <script>: draws the vendored basemap on a Leaflet map (the main map
# and the inset use it); it needs window.KOREATHAW_BASEMAP from basemap.js.
COURSE_JS = """
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
""" % {"sea": SEA, "land": LAND, "border": BORDER}


def asset_tags(mode: str, base: str, *, basemap: bool, jquery: bool,
               cluster: bool = False, spread: bool = False) -> list[tuple[str, str | None]]:
    """Return (name, tag) pairs for the page header; tag None means 'remove'.

    ``mode`` "inline" writes each file inside a ``<style>`` or ``<script>``;
    "linked" refers to it below ``base`` (a relative URL ending in ``/``).
    The course's own style and scripts (``spread``: :func:`spread_js`) are
    always inline: they are small.
    """
    wanted = [
        ("koreathaw_leaflet_css", "leaflet/leaflet.css", True),
        ("koreathaw_leaflet", "leaflet/leaflet.js", True),
        ("koreathaw_leaflet_icons", "leaflet/leaflet-icons.js", True),
        ("koreathaw_cluster_css", "markercluster/MarkerCluster.css", cluster),
        ("koreathaw_cluster_default_css", "markercluster/MarkerCluster.Default.css", cluster),
        ("koreathaw_cluster", "markercluster/leaflet.markercluster.js", cluster),
        ("koreathaw_jquery", "jquery/jquery.min.js", jquery),
        ("koreathaw_basemap_data", "basemap/basemap.js", basemap),
    ]
    bundles, files = manifest()["bundles"], manifest()["files"]
    tags: list[tuple[str, str | None]] = []
    for name, relpath, needed in wanted:
        if not needed:
            tags.append((name, None))
            continue
        if relpath not in files:
            raise DataError(ASSETS / "manifest.json", f"{relpath} is not listed; {_MISSING}")
        bundle = bundles[files[relpath]["bundle"]]
        note = f"{relpath}: {bundle['package']} {bundle['version']}, {bundle['license']}; see koreathaw/_assets"
        css = relpath.endswith(".css")
        if mode == "inline":
            body = asset_text(relpath)
            tags.append((name, f"<style>/* {note} */\n{body}\n</style>" if css
                         else f"<script>/* {note} */\n{body}\n</script>"))
        else:
            url = escape_html(base + relpath)
            tags.append((name, f'<link rel="stylesheet" href="{url}"/>' if css else f'<script src="{url}"></script>'))
    tags.append(("koreathaw_course_css", f"<style>{COURSE_CSS}</style>"))
    tags.append(("koreathaw_course_js", f"<script>{COURSE_JS}</script>" if basemap else None))
    tags.append(("koreathaw_course_spread", f"<script>{spread_js()}</script>" if spread else None))
    return tags


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_assets(target: Path) -> None:
    """Copy the vendored assets (with licences) to ``target``, skipping identical files."""
    listed = manifest()
    wanted = list(listed["files"]) + [b["license_file"] for b in listed["bundles"].values()]
    wanted += ["README.md", "manifest.json"]
    for relpath in wanted:
        source = ASSETS / relpath
        if not source.is_file():
            raise DataError(source, _MISSING)
        dest = target / relpath
        if dest.is_file() and dest.stat().st_size == source.stat().st_size and _sha256(dest) == _sha256(source):
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
