/* The course maps' own layout (koreathaw.maps): no marker hides another, every label is readable.
 *
 * koreathawSpread(map, layers, options) lays out the markers given (a function returning them)
 * again at every zoom, and whenever a layer is switched on or off:
 *   - markers whose circles overlap on screen at their true points form a crowd (with the
 *     crowds they overlap); a crowd of more than SPREAD_MAX markers is drawn as one numbered
 *     bubble that zooms in on click (never at the last zoom, nor for markers at one spot);
 *   - every other marker is nudged, as little as it takes, until no two markers (nor a
 *     marker and a bubble) overlap and none lies under a control of the map (legend,
 *     inset, buttons): pairs that overlap are pushed apart along the line between them,
 *     a marker under a control to its nearest free side, again and again until none is
 *     (markers at one spot start apart in a fixed order), so the picture keeps its
 *     geography; a nudged marker keeps a thin line to a dot at its true point, and a
 *     bubble moved from under a control a line to its crowd's centre;
 *   - every permanent label (a tooltip with permanent: true) takes the first place beside
 *     its marker (outward first for a nudged marker, then right, left, top, bottom; on each
 *     side centred, then slid along it, then further out) where it overlaps no other label,
 *     no marker, no control of the map (legend, inset, buttons) and no map border; a label
 *     with no free place is hidden (its name stays in the marker's popup). Labels are
 *     placed in the order of the markers' koreathawPriority (lowest first).
 * A marker's radius is options.koreathawRadius or options.radius; options.koreathawCount
 * is how many events it stands for (a bubble adds them up). After each layout the map's
 * koreathawLayouts counts the layouts done (what a test waits for).
 *
 * discs.js, written after this script, draws the inset and the event discs.
 */
(function () {
  "use strict";
  var GAP = 4;          // px kept free between two markers (options.gap)
  var SPREAD_MAX = 8;   // a crowd of more markers than this: a numbered bubble (options.spreadMax)
  var ROUNDS = 500;     // at most this many rounds of nudges (a few dozen are enough for the course maps)
  var GOLDEN = Math.PI * (3 - Math.sqrt(5));  // the first direction of the k-th marker at one spot
  var SIDES = ["right", "left", "top", "bottom"];
  // Where a label may go on its side: along the side (px, across it) and away from the marker (px).
  var SLIDES = [0, -8, 8, -16, 16, -24, 24], REACHES = [0, 14, 28, 42, 56];

  function radiusOf(layer) { return layer.options.koreathawRadius || layer.options.radius || 8; }
  function countOf(layer) { return layer.options.koreathawCount || 1; }
  function homeOf(layer) {
    if (!layer.koreathawHome) { layer.koreathawHome = layer.getLatLng(); }
    return layer.koreathawHome;
  }
  function elementOf(layer) { return layer._path || layer._icon || null; }
  function show(element, visible) {
    if (element) { element.style.display = visible ? "" : "none"; }
  }
  function bubbleRadius(count) { return count < 100 ? 16 : 20; }

  // The crowds: the items whose circles overlap at their true points, joined with the crowds
  // whose bubbles would overlap (so that two bubbles never cover each other).
  function crowds(items, atMaxZoom, layout) {
    var parent = items.map(function (_, i) { return i; });
    function find(i) { while (parent[i] !== i) { parent[i] = parent[parent[i]]; i = parent[i]; } return i; }
    function join(a, b) { a = find(a); b = find(b); if (a === b) { return false; } parent[Math.max(a, b)] = Math.min(a, b); return true; }
    var i, j;
    for (i = 0; i < items.length; i++) {
      for (j = i + 1; j < items.length; j++) {
        if (items[i].p.distanceTo(items[j].p) < items[i].r + items[j].r + layout.gap) { join(i, j); }
      }
    }
    for (var round = 0; round <= items.length; round++) {
      var groups = collect(items, find, atMaxZoom, layout), bubbles = groups.filter(function (g) { return g.bubble; }), merged = false;
      for (i = 0; i < bubbles.length; i++) {
        for (j = i + 1; j < bubbles.length; j++) {
          if (bubbles[i].centre.distanceTo(bubbles[j].centre) < bubbles[i].r + bubbles[j].r + layout.gap) {
            merged = join(bubbles[i].members[0].index, bubbles[j].members[0].index) || merged;
          }
        }
      }
      if (!merged) { return groups; }
    }
    return collect(items, find, atMaxZoom, layout);
  }

  function collect(items, find, atMaxZoom, layout) {
    var byRoot = {}, groups = [];
    items.forEach(function (item) {
      var root = find(item.index);
      if (!byRoot[root]) { byRoot[root] = {members: []}; groups.push(byRoot[root]); }
      byRoot[root].members.push(item);
    });
    groups.forEach(function (g) {
      var x = 0, y = 0, count = 0, spanned = false;
      g.members.forEach(function (m) { x += m.p.x; y += m.p.y; count += m.count; });
      g.centre = L.point(x / g.members.length, y / g.members.length);
      g.members.forEach(function (m) { spanned = spanned || m.p.distanceTo(g.centre) >= 1; });
      g.count = count;
      g.bubble = g.members.length > layout.spreadMax && !atMaxZoom && spanned;  // points at one spot are nudged, however many
      g.r = bubbleRadius(count);
      g.p = g.centre;
    });
    return groups;
  }

  // Nudge the movable items (their q, from their true point p) until no two overlap and none
  // overlaps a fixed disc (a bubble). Deterministic: the same items give the same layout.
  // The map's controls that are shown (zoom, layers, legend, inset, scale, attribution), as
  // boxes in layer points; and the map's own box.
  function controlBoxes(map) {
    var container = map.getContainer(), frame = container.getBoundingClientRect();
    return Array.prototype.filter.call(container.querySelectorAll(".leaflet-control"), function (c) {
      return c.getClientRects().length > 0;
    }).map(function (c) {
      var b = c.getBoundingClientRect();
      return {min: map.containerPointToLayerPoint(L.point(b.left - frame.left, b.top - frame.top)),
              max: map.containerPointToLayerPoint(L.point(b.right - frame.left, b.bottom - frame.top))};
    });
  }

  // A disc at q (radius r) moved out of every box it meets, the shortest way that lands on
  // the map (``view``) and under no other box, so that no control covers a marker.
  function meetsBox(q, r, b, gap) {
    var x = Math.max(b.min.x, Math.min(q.x, b.max.x)), y = Math.max(b.min.y, Math.min(q.y, b.max.y));
    return (q.x - x) * (q.x - x) + (q.y - y) * (q.y - y) < (r + gap) * (r + gap);
  }
  function outOfBoxes(q, r, boxes, view, gap) {
    boxes.forEach(function (b) {
      if (!meetsBox(q, r, b, gap)) { return; }
      var moves = [L.point(b.min.x - r - gap - q.x, 0), L.point(b.max.x + r + gap - q.x, 0),
                   L.point(0, b.min.y - r - gap - q.y), L.point(0, b.max.y + r + gap - q.y)];
      var length = function (d) { return Math.abs(d.x) + Math.abs(d.y); };
      var score = function (d) {  // 0: on the map and under no control; 1: on the map; 2: off it
        var at = q.add(d);
        if (!view.contains(at)) { return 2; }
        return boxes.some(function (o) { return o !== b && meetsBox(at, r, o, gap); }) ? 1 : 0;
      };
      moves.sort(function (c, d) { return score(c) - score(d) || length(c) - length(d); });
      q = q.add(moves[0]);
    });
    return q;
  }

  function nudge(movable, fixed, gap, boxes, view) {
    movable.forEach(function (m, k) { m.q = L.point(m.p.x, m.p.y); m.k = k; });
    for (var round = 0; round < ROUNDS; round++) {
      var moved = false, i, j;
      for (i = 0; i < movable.length; i++) {
        for (j = i + 1; j < movable.length; j++) {
          var a = movable[i], b = movable[j], need = a.r + b.r + gap;
          var dx = b.q.x - a.q.x, dy = b.q.y - a.q.y, d = Math.sqrt(dx * dx + dy * dy);
          if (d >= need - 0.01) { continue; }
          if (d < 0.01) { dx = Math.cos(b.k * GOLDEN); dy = Math.sin(b.k * GOLDEN); d = 1; a.q = a.q.add(L.point(-dx * 0.01, -dy * 0.01)); }
          var push = (need - d) / 2 + 0.05;
          a.q = a.q.subtract(L.point(dx / d * push, dy / d * push));
          b.q = b.q.add(L.point(dx / d * push, dy / d * push));
          moved = true;
        }
        for (j = 0; j < fixed.length; j++) {
          var m = movable[i], f = fixed[j], away = m.r + f.r + gap;
          var fx = m.q.x - f.p.x, fy = m.q.y - f.p.y, fd = Math.sqrt(fx * fx + fy * fy);
          if (fd >= away - 0.01) { continue; }
          if (fd < 0.01) { fx = Math.cos(m.k * GOLDEN); fy = Math.sin(m.k * GOLDEN); fd = 1; }
          m.q = L.point(f.p.x + fx / fd * (away + 0.05), f.p.y + fy / fd * (away + 0.05));
          moved = true;
        }
        var out = outOfBoxes(movable[i].q, movable[i].r, boxes, view, gap);
        if (out.distanceTo(movable[i].q) > 0.01) { movable[i].q = out; moved = true; }
      }
      if (!moved) { return; }
    }
  }

  function sideFor(dx, dy) {
    if (Math.abs(dx) >= Math.abs(dy)) { return dx >= 0 ? "right" : "left"; }
    return dy >= 0 ? "bottom" : "top";
  }

  function bubbleFor(map, group, state) {
    var places = group.members.length, events = group.count;
    var ofEvents = group.members.some(function (m) { return m.layer.options.koreathawCount; });
    var what = ofEvents ? events + " events at " + places + " places" : places + " places";
    var size = 2 * group.r;
    var div = document.createElement("div");
    div.className = "koreathaw-bubble-count";
    div.style.cssText = "width:" + size + "px;height:" + size + "px;line-height:" + size + "px;";
    div.textContent = ofEvents ? events : places;
    var bubble = L.marker(map.layerPointToLatLng(group.p), {
      icon: L.divIcon({html: div.outerHTML, className: "koreathaw-bubble", iconSize: [size, size]}),
      keyboard: true, riseOnHover: true, koreathawRadius: group.r
    });
    var homes = L.latLngBounds(group.members.map(function (m) { return m.home; }));
    bubble.on("click", function () { map.fitBounds(homes, {padding: [40, 40], animate: false}); });
    bubble.on("add", function () { this._icon.setAttribute("aria-label", what + ": zoom in to see them"); });
    bubble.bindTooltip(what + ": click to zoom in", {sticky: true});
    state.extras.addLayer(bubble);
    return bubble;
  }

  function place(map, layers, state) {
    var atMaxZoom = map.getZoom() >= map.getMaxZoom();
    state.extras.clearLayers();
    var items = [];
    layers().forEach(function (layer) {
      if (!map.hasLayer(layer)) { return; }
      var home = homeOf(layer);
      show(elementOf(layer), true);
      items.push({layer: layer, home: home, p: map.latLngToLayerPoint(home), r: radiusOf(layer),
                  count: countOf(layer), index: items.length, side: null, hidden: false});
    });
    var obstacles = [], fixed = [], movable = [], boxes = controlBoxes(map);
    var view = L.bounds(map.containerPointToLayerPoint(L.point(0, 0)), map.containerPointToLayerPoint(map.getSize()));
    crowds(items, atMaxZoom, state).forEach(function (group) {
      if (!group.bubble) { movable = movable.concat(group.members); return; }
      group.p = outOfBoxes(group.centre, group.r, boxes, view, state.gap);  // a bubble under the inset moves beside it
      var bubble = bubbleFor(map, group, state);
      if (group.p.distanceTo(group.centre) >= 1) {
        state.extras.addLayer(L.polyline([map.layerPointToLatLng(group.p), map.layerPointToLatLng(group.centre)], {
          pane: "koreathawLeaders", interactive: false, color: state.leaderColour, weight: 1.2, opacity: 0.9}));
      }
      group.members.forEach(function (m) { m.hidden = true; m.layer.setLatLng(m.home); show(elementOf(m.layer), false); });
      fixed.push(group);
      obstacles.push({p: group.p, r: group.r, layer: bubble});
    });
    nudge(movable, fixed, state.gap, boxes, view);
    movable.forEach(function (m) {
      var dx = m.q.x - m.p.x, dy = m.q.y - m.p.y;
      obstacles.push({p: m.q, r: m.r, layer: m.layer});
      if (dx * dx + dy * dy < 1) { m.layer.setLatLng(m.home); return; }
      m.layer.setLatLng(map.layerPointToLatLng(m.q));
      m.side = sideFor(dx, dy);
      state.extras.addLayer(L.polyline([m.home, m.layer.getLatLng()], {
        pane: "koreathawLeaders", interactive: false, color: state.leaderColour, weight: 1.2, opacity: 0.9}));
      state.extras.addLayer(L.circleMarker(m.home, {
        pane: "koreathawLeaders", interactive: false, radius: 2, stroke: false, fill: true,
        fillColor: state.leaderColour, fillOpacity: 1}));
    });
    label(map, items, obstacles, state);
    map.koreathawLayouts = (map.koreathawLayouts || 0) + 1;
  }

  // --- labels -------------------------------------------------------------------------
  function boxOf(element, origin) {
    var r = element.getBoundingClientRect();
    return {left: r.left - origin.left, top: r.top - origin.top, right: r.right - origin.left, bottom: r.bottom - origin.top};
  }
  function boxesMeet(a, b) { return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom; }
  // How far a disc's edge is from a box (negative: they overlap).
  function gapToDisc(box, centre, r) {
    var x = Math.max(box.left, Math.min(centre.x, box.right)), y = Math.max(box.top, Math.min(centre.y, box.bottom));
    return Math.sqrt((x - centre.x) * (x - centre.x) + (y - centre.y) * (y - centre.y)) - r;
  }

  // Where a label may go: beside its marker first (every side, slid along it), then further
  // out with a thin line from the marker to the label.
  function candidates(sides) {
    var found = [];
    REACHES.forEach(function (extra) {
      sides.forEach(function (side) { SLIDES.forEach(function (slide) { found.push([side, slide, extra]); }); });
    });
    return found;
  }

  function label(map, items, obstacles, state) {
    var container = map.getContainer(), frame = container.getBoundingClientRect(), size = map.getSize();
    var discs = obstacles.map(function (o) { return {c: map.layerPointToContainerPoint(o.p), r: o.r, layer: o.layer}; });
    // the map's own controls (zoom, layers, legend, inset, attribution) that are shown
    var controls = Array.prototype.filter.call(container.querySelectorAll(".leaflet-control"), function (c) {
      return c.getClientRects().length > 0;
    }).map(function (c) { return boxOf(c, frame); });
    var placed = [];
    items.filter(function (m) {
      var t = m.layer.getTooltip && m.layer.getTooltip();
      return t && t.options.permanent;
    }).sort(function (a, b) {
      return (a.layer.options.koreathawPriority || 99) - (b.layer.options.koreathawPriority || 99) || a.index - b.index;
    }).forEach(function (m) {
      var tooltip = m.layer.getTooltip(), element = tooltip.getElement();
      if (!element || !tooltip._map) { return; }
      show(element, !m.hidden);
      if (m.hidden) { return; }
      var centre = map.layerPointToContainerPoint(m.q || m.p);
      var sides = (m.side ? [m.side] : []).concat(SIDES.filter(function (s) { return s !== m.side; }));
      var tries = candidates(sides);
      for (var i = 0; i < tries.length; i++) {
        var side = tries[i][0], slide = tries[i][1], extra = tries[i][2], reach = m.r + 3 + extra;
        tooltip.options.direction = side;
        tooltip.options.offset = {right: [reach, slide], left: [-reach, slide], top: [slide, -reach], bottom: [slide, reach]}[side];
        tooltip.update();
        var box = boxOf(element, frame);
        var inside = box.left >= 0 && box.top >= 0 && box.right <= size.x && box.bottom <= size.y;
        // The label's tip: the middle of its side that faces the marker (where its arrow is).
        var tip = {right: L.point(box.left, (box.top + box.bottom) / 2), left: L.point(box.right, (box.top + box.bottom) / 2),
                   top: L.point((box.left + box.right) / 2, box.bottom), bottom: L.point((box.left + box.right) / 2, box.top)}[side];
        var own = tip.distanceTo(centre) - m.r;
        // free: inside the map, over no label, control or marker; beside its marker, its tip is
        // nearer that marker than any other (a label pointing at another marker would name the
        // wrong one); further out, its line passes by every other marker
        var free = inside && !placed.some(function (b) { return boxesMeet(b, box); }) &&
          !controls.some(function (b) { return boxesMeet(b, box); }) &&
          !discs.some(function (d) {
            if (d.layer === m.layer) { return false; }
            if (gapToDisc(box, d.c, d.r) < 0) { return true; }
            return extra ? L.LineUtil.pointToSegmentDistance(d.c, centre, tip) < d.r + 2 : tip.distanceTo(d.c) - d.r < own;
          });
        if (free) {
          placed.push(box);
          element.removeAttribute("aria-hidden");
          if (extra) {
            var from = centre.add(tip.subtract(centre).multiplyBy(m.r / Math.max(1, tip.distanceTo(centre))));
            state.extras.addLayer(L.polyline([map.containerPointToLatLng(from), map.containerPointToLatLng(tip)], {
              pane: "koreathawLeaders", interactive: false, color: state.leaderColour, weight: 1, opacity: 0.8, dashArray: "2 2"}));
          }
          return;
        }
      }
      show(element, false);
      element.setAttribute("aria-hidden", "true");
    });
  }

  window.koreathawSpread = function (map, layers, options) {
    if (!map.getPane("koreathawLeaders")) {
      var pane = map.createPane("koreathawLeaders");
      pane.style.zIndex = 390;  // above the basemap, below the markers (400)
      pane.style.pointerEvents = "none";
    }
    options = options || {};
    var state = {extras: L.layerGroup().addTo(map), leaderColour: options.leaderColour || "#333333",
                 spreadMax: options.spreadMax || SPREAD_MAX, gap: options.gap === undefined ? GAP : options.gap};
    var again = function () { place(map, layers, state); };
    map.on("zoomend moveend viewreset overlayadd overlayremove", again);  // a pan: labels at the edges move in
    map.koreathawRelayout = again;
    again();
    return state;
  };
})();
