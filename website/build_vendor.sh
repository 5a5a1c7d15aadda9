#!/usr/bin/env bash
# Regenerate the web assets the course website, the lessons' HTML exports and the
# website's accessibility test load, from pinned npm packages:
#
#   website/vendor/html-manager/  @jupyter-widgets/html-manager: draws the widgets from
#                                 the state embedded in a page (embed.js + its fonts)
#   website/vendor/mathjax/       mathjax 3: the TeX/MathML input, CommonHTML output
#                                 and its fonts (the site), the SVG output (exports)
#   tests/browser/vendor/axe-core/ axe-core: the accessibility audit of the site's test
#
# A maintainer's script, like tools/build_assets.sh: NOT run by make, the tests or a
# student's setup. The files it writes are committed; run it again only to change a
# version, then review the diff, run `make site` and the browser tests
# (tests/browser/test_site.py) and commit.
#
# Needs: bash, npm, tar, python3, and the npm registry.
set -euo pipefail

HTML_MANAGER_VERSION=1.0.15   # the manager of ipywidgets 8.1 (controls 2.0 / base 2.0 models)
MATHJAX_VERSION=3.2.2         # Sphinx's mathjax extension speaks MathJax 3
AXE_VERSION=4.11.1

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$REPO/website/vendor"
AXE_OUT="$REPO/tests/browser/vendor/axe-core"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
echo ">>> npm pack @jupyter-widgets/html-manager@$HTML_MANAGER_VERSION mathjax@$MATHJAX_VERSION axe-core@$AXE_VERSION"
npm pack --silent "@jupyter-widgets/html-manager@$HTML_MANAGER_VERSION" "mathjax@$MATHJAX_VERSION" "axe-core@$AXE_VERSION" >/dev/null
for pkg in html-manager mathjax axe-core; do
  mkdir -p "$pkg"
  tar xzf ./*"$pkg"-*.tgz -C "$pkg" --strip-components=1
done

rm -rf "$OUT.new" && mkdir -p "$OUT.new/html-manager" "$OUT.new/mathjax"

# html-manager: the standalone bundle (no require.js needed: it carries
# @jupyter-widgets/base, controls and output) and the icon fonts its CSS names
# relative to the script. Its npm package ships no licence file; the licence is
# ipywidgets' (the same repository, BSD-3-Clause), taken from the installed wheel.
cp html-manager/dist/embed.js html-manager/dist/embed.js.LICENSE.txt "$OUT.new/html-manager/"
find html-manager/dist -maxdepth 1 -regex '.*\.\(woff2\|woff\|ttf\|eot\|svg\)' -exec cp {} "$OUT.new/html-manager/" \;
"$REPO/.venv/bin/python" - "$OUT.new/html-manager/LICENSE" <<'PY'
import sys
from importlib.metadata import distribution
text = distribution("ipywidgets").read_text("licenses/LICENSE") or distribution("ipywidgets").read_text("LICENSE")
assert text and "BSD" in text.upper() or "Redistribution" in text, "ipywidgets' licence not found"
open(sys.argv[1], "w", encoding="utf-8").write(text)
PY

# MathJax: the combined components and what they load on demand (TeX extensions,
# CommonHTML fonts, the menu's accessibility and speech parts). Left out: the other
# output fonts, the node entry points, the other combined components.
( cd mathjax/es5
  for path in tex-mml-chtml.js tex-svg-full.js input/tex/extensions output/chtml/fonts/woff-v2 \
              a11y ui sre adaptors; do
    mkdir -p "$OUT.new/mathjax/$(dirname "$path")"
    cp -R "$path" "$OUT.new/mathjax/$path"
  done )
cp mathjax/LICENSE "$OUT.new/mathjax/LICENSE"

# axe-core, for tests/browser/test_site.py only (not part of the site).
rm -rf "$AXE_OUT" && mkdir -p "$AXE_OUT"
cp axe-core/axe.min.js axe-core/LICENSE axe-core/LICENSE-3RD-PARTY.txt "$AXE_OUT/"

# A manifest: where every file came from, with its size and hash (a test checks it).
"$REPO/.venv/bin/python" - "$OUT.new" "$AXE_OUT" "$HTML_MANAGER_VERSION" "$MATHJAX_VERSION" "$AXE_VERSION" <<'PY'
import hashlib, json, sys
from pathlib import Path
out, axe_out, hm, mj, axe = sys.argv[1:]
def files(root):
    root = Path(root)
    return {p.relative_to(root).as_posix(): {"bytes": p.stat().st_size,
            "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != "manifest.json"}
manifest = {
    "built_by": "website/build_vendor.sh",
    "packages": {
        "html-manager": {"package": "@jupyter-widgets/html-manager", "version": hm, "license": "BSD-3-Clause",
                         "license_file": "html-manager/LICENSE"},
        "mathjax": {"package": "mathjax", "version": mj, "license": "Apache-2.0", "license_file": "mathjax/LICENSE"},
    },
    "files": files(out),
}
(Path(out) / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
axe_manifest = {"built_by": "website/build_vendor.sh",
                "packages": {"axe-core": {"package": "axe-core", "version": axe, "license": "MPL-2.0",
                                          "license_file": "LICENSE"}},
                "files": files(axe_out)}
(Path(axe_out) / "manifest.json").write_text(json.dumps(axe_manifest, indent=1) + "\n")
PY

# README.md is kept by hand in the old folder.
if [ -f "$OUT/README.md" ]; then cp "$OUT/README.md" "$OUT.new/README.md"; fi
rm -rf "$OUT" && mv "$OUT.new" "$OUT"
du -sh "$OUT" "$AXE_OUT"
