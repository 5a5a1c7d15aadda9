#!/usr/bin/env bash
# Regenerate src/koreathaw/_assets/ from pinned npm packages.
#
# A maintainer's script: it is NOT run by the tests, by `make` or by a student's
# setup. The files it writes are committed; run it again only to change a
# version or the basemap recipe, then review the diff, run the tests
# (tests/test_maps_assets.py checks the manifest's hashes and sizes) and commit.
#
# Needs: bash, node + npm (>= 18), tar, and the npm registry. Nothing else.
#   tools/build_assets.sh            # writes src/koreathaw/_assets/
#   KEEP_WORK=1 tools/build_assets.sh  # keep the scratch folder to inspect
set -euo pipefail

LEAFLET_VERSION=1.9.4
JQUERY_VERSION=3.7.1
MARKERCLUSTER_VERSION=1.5.3
WORLD_ATLAS_VERSION=2.0.2
MAPSHAPER_VERSION=0.7.70

# The basemap is drawn in three tiers, finest where the course looks closest.
#   korea:  Natural Earth 1:10m, the peninsula and its neighbours
#   region: Natural Earth 1:50m, East and South-East Asia (Beijing, Vladivostok,
#           Japan, Hanoi, Singapore) outside the korea box
#   world:  Natural Earth 1:110m, the rest of the world (Geneva, Stockholm,
#           Washington), without Antarctica and the far north
# Boxes are west,south,east,north in degrees; intervals are mapshaper's
# simplification tolerance in metres; precision is the rounding of coordinates.
KOREA_BOX=120.5,32.8,132.5,43.6
REGION_BOX=95,-3,150,56
WORLD_BOX=-180,-58,180,78
EUROPE_BORDERS_BOX=-12,35,45,72   # country borders of the world tier are kept only here and in North America
AMERICA_BORDERS_BOX=-130,15,-60,60

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$REPO/src/koreathaw/_assets"
WORK="$(mktemp -d)"
if [ -z "${KEEP_WORK:-}" ]; then trap 'rm -rf "$WORK"' EXIT; else echo "scratch folder: $WORK"; fi

cd "$WORK"
echo ">>> npm pack leaflet@$LEAFLET_VERSION leaflet.markercluster@$MARKERCLUSTER_VERSION jquery@$JQUERY_VERSION world-atlas@$WORLD_ATLAS_VERSION"
npm pack --silent "leaflet@$LEAFLET_VERSION" "leaflet.markercluster@$MARKERCLUSTER_VERSION" "jquery@$JQUERY_VERSION" \
  "world-atlas@$WORLD_ATLAS_VERSION" >/dev/null
for name in leaflet leaflet.markercluster jquery world-atlas; do
  mkdir -p "$name"
  tar xzf "$name"-*.tgz -C "$name" --strip-components=1
done
echo ">>> npm install mapshaper@$MAPSHAPER_VERSION (build tool only, not vendored)"
npm install --silent --no-save --no-audit --no-fund --prefix "$WORK/tool" "mapshaper@$MAPSHAPER_VERSION" >/dev/null
MAPSHAPER="$WORK/tool/node_modules/.bin/mapshaper"

# --- basemap ------------------------------------------------------------------
# world-atlas 2.x keeps polygons that cross the antimeridian whole (for d3's
# spherical drawing); Leaflet and mapshaper are planar, so cut them first: unwrap
# each ring so that it is continuous, and give a ring that ends up east of 180
# a twin shifted by -360. The clip to WORLD_BOX then cuts both at +-180.
cat > fix_antimeridian.js <<'EOF'
const fs = require("fs");
const [src, dst] = process.argv.slice(2);
const fc = JSON.parse(fs.readFileSync(src, "utf8"));
function unwrap(ring) {
  let offset = 0;
  const out = [[ring[0][0], ring[0][1]]];
  for (let i = 1; i < ring.length; i++) {
    const dx = ring[i][0] - ring[i - 1][0];
    if (dx > 180) offset -= 360; else if (dx < -180) offset += 360;
    out.push([ring[i][0] + offset, ring[i][1]]);
  }
  return offset === 0 ? out : null; // a ring round a pole (Antarctica): dropped, it lies outside WORLD_BOX
}
const shift = (poly, dx) => poly.map(r => r.map(([x, y]) => [x + dx, y]));
for (const f of fc.features) {
  const g = f.geometry;
  if (!g) continue;
  const polys = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
  const fixed = [];
  for (const poly of polys) {
    const rings = poly.map(unwrap).filter(r => r);
    if (!rings.length) continue;
    fixed.push(rings);
    const xs = rings[0].map(p => p[0]);
    if (Math.max(...xs) > 180) fixed.push(shift(rings, -360));
    if (Math.min(...xs) < -180) fixed.push(shift(rings, 360));
  }
  f.geometry = { type: "MultiPolygon", coordinates: fixed };
}
fs.writeFileSync(dst, JSON.stringify(fc));
EOF

echo ">>> basemap: cut at the antimeridian, clip, simplify"
for res in 10m 50m 110m; do
  "$MAPSHAPER" -quiet -i "world-atlas/countries-$res.json" -drop target=land -o "raw-$res.json" format=geojson
  node fix_antimeridian.js "raw-$res.json" "countries-$res.json"
done

# tier NAME RESOLUTION CLIP_BOX ERASE_BOX INTERVAL MIN_ISLAND PRECISION
tier() {
  mkdir -p "tier-$1"
  local erase=()
  [ -n "$4" ] && erase=(-erase "bbox=$4")
  "$MAPSHAPER" -quiet -i "countries-$2.json" name=countries \
    -clip "bbox=$3" "${erase[@]}" \
    -simplify "interval=$5" keep-shapes \
    -filter-islands "min-area=$6" remove-empty \
    -innerlines + name=borders \
    -target countries -dissolve + name=land \
    -o "tier-$1/" format=geojson "precision=$7" target=land,borders
}
tier korea 10m "$KOREA_BOX" "" 1000 30km2 0.001
tier region 50m "$REGION_BOX" "$KOREA_BOX" 5000 300km2 0.01
tier world 110m "$WORLD_BOX" "$REGION_BOX" 25000 3000km2 0.1
"$MAPSHAPER" -quiet -i tier-world/borders.json -clip "bbox=$EUROPE_BORDERS_BOX" -o tier-world/borders-europe.json format=geojson precision=0.1
"$MAPSHAPER" -quiet -i tier-world/borders.json -clip "bbox=$AMERICA_BORDERS_BOX" -o tier-world/borders-america.json format=geojson precision=0.1

# --- write the assets -------------------------------------------------------------
rm -rf "$OUT.new"
mkdir -p "$OUT.new/leaflet" "$OUT.new/markercluster" "$OUT.new/jquery" "$OUT.new/basemap"
cp leaflet/dist/leaflet.js leaflet/LICENSE "$OUT.new/leaflet/"
# Leaflet.markercluster: the built plug-in and its two stylesheets (no images: the
# cluster icons are CSS), unchanged, with its licence.
cp leaflet.markercluster/dist/leaflet.markercluster.js leaflet.markercluster/dist/MarkerCluster.css \
   leaflet.markercluster/dist/MarkerCluster.Default.css leaflet.markercluster/MIT-LICENCE.txt "$OUT.new/markercluster/"
cp jquery/dist/jquery.min.js jquery/LICENSE.txt "$OUT.new/jquery/"
cp world-atlas/LICENSE "$OUT.new/basemap/LICENSE"

cat > write_assets.js <<'EOF'
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");
const [out, leafletVersion, jqueryVersion, atlasVersion, mapshaperVersion, clusterVersion] = process.argv.slice(2);
const dataUri = file => "data:image/png;base64," + fs.readFileSync(file).toString("base64");

// leaflet.css: the control icons become data URIs, so the CSS works inlined
// too; the default-marker rule is emptied (leaflet-icons.js sets the icon).
let css = fs.readFileSync("leaflet/dist/leaflet.css", "utf8");
css = css.replace(/url\(images\/marker-icon\.png\)/g, "none");
css = css.replace(/url\(images\/([\w-]+\.png)\)/g, (m, name) => `url(${dataUri("leaflet/dist/images/" + name)})`);
if (/url\(images\//.test(css)) throw new Error("leaflet.css still refers to an image file");
fs.writeFileSync(path.join(out, "leaflet/leaflet.css"), css);

// Leaflet finds its default marker by reading a CSS background URL; give it
// the images directly instead (a folium.Marker then draws with no files).
const icons = `/* Leaflet ${leafletVersion}'s default marker images (BSD-2-Clause, see LICENSE) as data URIs. */
L.Icon.Default.imagePath = "";
L.Icon.Default.mergeOptions({
  iconUrl: "${dataUri("leaflet/dist/images/marker-icon.png")}",
  iconRetinaUrl: "${dataUri("leaflet/dist/images/marker-icon-2x.png")}",
  shadowUrl: "${dataUri("leaflet/dist/images/marker-shadow.png")}"
});
`;
fs.writeFileSync(path.join(out, "leaflet/leaflet-icons.js"), icons);

// basemap.js: one GeoJSON FeatureCollection assigned to a global, so a page
// can load it with <script src> even from file:// (where fetch() is refused).
const features = [];
const add = (file, kind, tier) => {
  const g = JSON.parse(fs.readFileSync(file, "utf8"));
  const geoms = g.type === "FeatureCollection" ? g.features.map(f => f.geometry)
    : g.type === "GeometryCollection" ? g.geometries : [g];
  // one feature per kind and tier: fewer SVG paths, less repeated JSON
  const lines = [], polygons = [];
  for (const geo of geoms) {
    if (!geo) continue;
    if (geo.type === "LineString") lines.push(geo.coordinates);
    else if (geo.type === "MultiLineString") lines.push(...geo.coordinates);
    else if (geo.type === "Polygon") polygons.push(geo.coordinates);
    else if (geo.type === "MultiPolygon") polygons.push(...geo.coordinates);
    else throw new Error(`${file}: unexpected ${geo.type}`);
  }
  const geometry = kind === "land" ? { type: "MultiPolygon", coordinates: polygons } : { type: "MultiLineString", coordinates: lines };
  const last = features[features.length - 1];
  if (last && last.properties.kind === kind && last.properties.tier === tier) {
    last.geometry.coordinates.push(...geometry.coordinates);  // the world tier's two border boxes
  } else {
    features.push({ type: "Feature", properties: { kind, tier }, geometry });
  }
};
for (const tier of ["world", "region", "korea"]) add(`tier-${tier}/land.json`, "land", tier);
add("tier-world/borders-europe.json", "border", "world");
add("tier-world/borders-america.json", "border", "world");
add("tier-region/borders.json", "border", "region");
add("tier-korea/borders.json", "border", "korea");
const collection = {
  type: "FeatureCollection",
  name: "koreathaw-basemap",
  source: `Natural Earth admin-0 countries (public domain) via world-atlas@${atlasVersion}, simplified with mapshaper@${mapshaperVersion}`,
  features,
};
fs.writeFileSync(path.join(out, "basemap/basemap.js"), "window.KOREATHAW_BASEMAP = " + JSON.stringify(collection) + ";\n");

// Inlined into <script>/<style>, a file must not close its element early.
for (const [file, closer] of [["leaflet/leaflet.js", "</script"], ["leaflet/leaflet-icons.js", "</script"],
                              ["markercluster/leaflet.markercluster.js", "</script"],
                              ["markercluster/MarkerCluster.css", "</style"], ["markercluster/MarkerCluster.Default.css", "</style"],
                              ["jquery/jquery.min.js", "</script"], ["basemap/basemap.js", "</script"],
                              ["leaflet/leaflet.css", "</style"]]) {
  const text = fs.readFileSync(path.join(out, file), "utf8").toLowerCase();
  if (text.includes(closer) || text.includes("<!--")) throw new Error(`${file} contains ${closer} or <!--`);
}

const pkg = {
  leaflet: { package: "leaflet", version: leafletVersion, license: "BSD-2-Clause", license_file: "leaflet/LICENSE" },
  markercluster: { package: "leaflet.markercluster", version: clusterVersion, license: "MIT",
                   license_file: "markercluster/MIT-LICENCE.txt" },
  jquery: { package: "jquery", version: jqueryVersion, license: "MIT", license_file: "jquery/LICENSE.txt" },
  basemap: { package: "world-atlas", version: atlasVersion, license: "ISC (package); Natural Earth data: public domain",
             license_file: "basemap/LICENSE" },
};
const files = {};
for (const [key, list] of Object.entries({
  leaflet: ["leaflet/leaflet.js", "leaflet/leaflet.css", "leaflet/leaflet-icons.js"],
  markercluster: ["markercluster/leaflet.markercluster.js", "markercluster/MarkerCluster.css",
                  "markercluster/MarkerCluster.Default.css"],
  jquery: ["jquery/jquery.min.js"],
  basemap: ["basemap/basemap.js"],
})) {
  for (const file of list) {
    const data = fs.readFileSync(path.join(out, file));
    files[file] = { bundle: key, bytes: data.length, sha256: crypto.createHash("sha256").update(data).digest("hex") };
  }
}
const manifest = { built_by: "tools/build_assets.sh", mapshaper: mapshaperVersion, bundles: pkg, files };
fs.writeFileSync(path.join(out, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
for (const [file, info] of Object.entries(files)) console.log(`    ${file}: ${(info.bytes / 1024).toFixed(1)} KB`);
EOF
node write_assets.js "$OUT.new" "$LEAFLET_VERSION" "$JQUERY_VERSION" "$WORLD_ATLAS_VERSION" "$MAPSHAPER_VERSION" \
  "$MARKERCLUSTER_VERSION"

# README.md and the basemap's licence note are kept by hand in the old folder.
for keep in README.md basemap/NOTICE.md; do
  if [ -f "$OUT/$keep" ]; then cp "$OUT/$keep" "$OUT.new/$keep"; fi
done
find "$OUT.new" -type f -exec chmod 644 {} +   # npm tarballs carry odd modes (0777)
rm -rf "$OUT"
mv "$OUT.new" "$OUT"
echo ">>> wrote $OUT"
