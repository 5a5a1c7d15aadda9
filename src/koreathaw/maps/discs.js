/* The course maps' peninsula inset and event discs (koreathaw.maps); after spread.js.
 *
 * koreathawInset(main, options) draws the peninsula inset (see below).
 * koreathawPieIcon(slices, radius, count, dashed) draws one place of an event map: a
 * disc (one category) or a ring of slices (several), with the number of events in a
 * white centre, and a dashed outline for a point that stands for a whole country.
 * koreathawPieMarker(latlng, options) is such a disc as a keyboard-focusable marker.
 * koreathawCategorySwitches(map, group) makes the layer control's category entries show
 * or hide those categories in the places' discs.
 */
(function () {
  "use strict";
  // --- the peninsula inset ----------------------------------------------------------------
  // koreathawInset(main, options): a small fixed map of options.bounds (options.width x
  // options.height px, titled options.titleHtml, escaped HTML) at the bottom right of the
  // main map, with copies of its course markers laid out as the main map's are. Shown while
  // the main map's view is wider than the peninsula; a click on it (or Enter, Space) zooms
  // the main map there (options.action says so to a screen reader).
  window.koreathawInset = function (main, options) {
    var bounds = L.latLngBounds(options.bounds);
    var control = L.control({position: "bottomright"});
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "koreathaw-box koreathaw-inset");
      div.innerHTML = options.titleHtml;  // escaped by the Python side
      var holder = L.DomUtil.create("div", "koreathaw-inset-map", div);
      holder.style.width = options.width + "px";
      holder.style.height = options.height + "px";
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      div.tabIndex = 0;
      div.setAttribute("role", "button");
      div.setAttribute("aria-label", options.action);
      div.title = options.action;
      L.DomEvent.on(div, "click", zoomIn);
      L.DomEvent.on(div, "keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { L.DomEvent.preventDefault(e); zoomIn(); }
      });
      return div;
    };
    // Fit the peninsula clear of the legend (bottom left): beside it or above it, whichever
    // leaves the larger zoom.
    function zoomIn() {
      var legend = main.getContainer().querySelector(".koreathaw-legend"), fit = {animate: false, padding: [10, 10]};
      if (legend && legend.offsetHeight) {
        var frame = main.getContainer().getBoundingClientRect(), box = legend.getBoundingClientRect();
        var beside = box.right - frame.left + 6, above = frame.bottom - box.top + 6;
        var besideZoom = main.getBoundsZoom(bounds, false, L.point(beside + 10, 20));
        var aboveZoom = main.getBoundsZoom(bounds, false, L.point(20, above + 10));
        fit = besideZoom >= aboveZoom ? {animate: false, paddingTopLeft: [beside, 10], paddingBottomRight: [10, 10]}
                                      : {animate: false, paddingTopLeft: [10, 10], paddingBottomRight: [10, above]};
      }
      main.fitBounds(bounds, fit);
    }
    control.addTo(main);
    var inset = L.map(control.getContainer().querySelector(".koreathaw-inset-map"), {
      zoomControl: false, attributionControl: false, dragging: false, scrollWheelZoom: false,
      doubleClickZoom: false, boxZoom: false, keyboard: false, touchZoom: false, zoomSnap: 0.25
    });
    inset.fitBounds(bounds);
    koreathawBasemap(inset);
    var copies = [];
    main.eachLayer(function (layer) {
      var circle = layer instanceof L.CircleMarker && layer.options.interactive !== false;
      var disc = layer instanceof L.Marker && layer.options.koreathawSlices;
      if (!circle && !disc) { return; }
      var at = layer.koreathawHome || layer.getLatLng(), copy;
      if (circle) {
        copy = L.circleMarker(at, L.extend({}, layer.options, {interactive: false, radius: Math.max(3, layer.options.radius * 0.6)}));
      } else {
        var radius = Math.max(5, Math.round(layer.options.koreathawRadius * 0.6));
        var slices = layer.options.koreathawSlices.map(function (s) { return [s[1], s[2]]; });
        copy = L.marker(at, {interactive: false, keyboard: false, koreathawRadius: radius,
                             icon: koreathawPieIcon(slices, radius, 1, layer.options.koreathawDashed)});
      }
      copy.options.koreathawPriority = layer.options.koreathawPriority;
      copy.addTo(inset);
      copies.push(copy);
      var label = layer.koreathawInsetLabel;
      if (label) {
        copy.bindTooltip(label.html, {permanent: true, direction: "right", className: "koreathaw-label", interactive: false});
      }
    });
    koreathawSpread(inset, function () { return copies; }, {spreadMax: Infinity, gap: 2});  // no bubble: the inset's markers are not clickable
    function toggle() {
      if (!main._loaded) { return; }
      var near = main.getZoom() >= 5 && main.getBounds().intersects(bounds);
      control.getContainer().style.display = near ? "none" : "";
    }
    main.on("zoomend moveend", toggle);
    toggle();
  };

  // --- the discs of an event map ---------------------------------------------------------
  window.koreathawPieIcon = function (slices, radius, count, dashed) {
    var size = 2 * radius + 2, c = radius + 1, total = 0, parts = [];
    slices.forEach(function (s) { total += s[1]; });
    if (slices.length === 1) {
      parts.push('<circle cx="' + c + '" cy="' + c + '" r="' + radius + '" fill="' + slices[0][0] + '"/>');
    } else {
      var start = -Math.PI / 2;
      slices.forEach(function (s) {
        var end = start + 2 * Math.PI * s[1] / total;
        var x1 = c + radius * Math.cos(start), y1 = c + radius * Math.sin(start);
        var x2 = c + radius * Math.cos(end), y2 = c + radius * Math.sin(end);
        parts.push('<path d="M' + c + ' ' + c + 'L' + x1.toFixed(2) + ' ' + y1.toFixed(2) + 'A' + radius + ' ' + radius +
                   ' 0 ' + (end - start > Math.PI ? 1 : 0) + ' 1 ' + x2.toFixed(2) + ' ' + y2.toFixed(2) + 'Z" fill="' + s[0] + '"/>');
        start = end;
      });
    }
    parts.push('<circle cx="' + c + '" cy="' + c + '" r="' + radius + '" fill="none" stroke="#222" stroke-width="' +
               (dashed ? '2" stroke-dasharray="4 3' : "1") + '"/>');
    if (count > 1) {
      var inner = Math.max(6, radius * 0.6);
      parts.push('<circle cx="' + c + '" cy="' + c + '" r="' + inner.toFixed(1) + '" fill="#fff" stroke="#222" stroke-width="0.8"/>');
      parts.push('<text x="' + c + '" y="' + c + '" text-anchor="middle" dominant-baseline="central" ' +
                 'font-family="system-ui,sans-serif" font-weight="700" font-size="' + (count > 99 ? 9 : 11) + '" fill="#000">' + count + "</text>");
    }
    var svg = '<svg xmlns="http://www.w3.org/2000/svg" width="' + size + '" height="' + size + '" viewBox="0 0 ' + size + " " + size +
              '" aria-hidden="true" focusable="false">' + parts.join("") + "</svg>";
    return L.divIcon({html: svg, className: "koreathaw-pie", iconSize: [size, size], iconAnchor: [c, c]});
  };

  // The text of a label given as escaped HTML (parsed inert: DOMParser runs no script, loads nothing).
  function textOf(html) { return new DOMParser().parseFromString(html, "text/html").documentElement.textContent; }

  window.koreathawPieMarker = function (latlng, options) {
    var marker = L.marker(latlng, L.extend({keyboard: true, riseOnHover: true}, options, {
      icon: window.koreathawPieIcon(options.koreathawSlices.map(function (s) { return [s[1], s[2]]; }),
                                    options.koreathawRadius, options.koreathawCount, options.koreathawDashed)}));
    var name = textOf(options.koreathawLabel);
    marker.on("add", function () { this._icon.setAttribute("aria-label", name); });
    marker.koreathawName = name;
    return marker;
  };

  window.koreathawCategorySwitches = function (map, group) {
    var all = group.getLayers();
    map.on("overlayadd overlayremove", function () {
      var shown = {};
      map.eachLayer(function (l) { if (l.options && l.options.koreathawCategory) { shown[l.options.koreathawCategory] = true; } });
      all.forEach(function (marker) {
        var slices = marker.options.koreathawSlices.filter(function (s) { return shown[s[0]]; });
        var count = slices.reduce(function (n, s) { return n + s[2]; }, 0);
        if (!count) { group.removeLayer(marker); return; }
        marker.options.koreathawCount = count;
        marker.setIcon(window.koreathawPieIcon(slices.map(function (s) { return [s[1], s[2]]; }), marker.options.koreathawRadius,
                                               count, marker.options.koreathawDashed));
        if (!group.hasLayer(marker)) { group.addLayer(marker); }
        if (marker._icon) { marker._icon.setAttribute("aria-label", marker.koreathawName); }
      });
      if (map.koreathawRelayout) { map.koreathawRelayout(); }
    });
  };
})();
