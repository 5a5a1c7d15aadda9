#!/usr/bin/env bash
# Regenerate src/koreathaw_grading/static/koreathaw-mathjax/: the part of MathJax 2 that
# nbgrader's Formgrader page loads (MathJax.js?config=TeX-AMS_CHTML-full,Safe), from
# the npm package, so the Formgrader works with no network.
#
# A maintainer's script: not run by make, the tests or a student's setup. The files
# it writes are committed; run it again only to change the version, then run the
# browser tests (tests/browser/test_lab_instructor.py checks that MathJax starts
# and that the page asks nothing of the network) and commit.
#
# Needs: bash, npm, tar, and the npm registry.
set -euo pipefail

MATHJAX_VERSION=2.7.9

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$HERE/../src/koreathaw_grading/static/koreathaw-mathjax"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
echo ">>> npm pack mathjax@$MATHJAX_VERSION"
npm pack --silent "mathjax@$MATHJAX_VERSION" >/dev/null
mkdir mathjax && tar xzf mathjax-*.tgz -C mathjax --strip-components=1

rm -rf "$OUT" && mkdir -p "$OUT"
cd mathjax
# The loader, the combined configuration the Formgrader asks for, the extensions it
# and the menu load on demand, the TeX input, the CommonHTML output and its web fonts.
# (Left out: the other output formats and fonts, the 3.7 MB accessibility explorer
# except its menu entry, the localisations, which are not English.)
for path in LICENSE MathJax.js config/TeX-AMS_CHTML-full.js config/Safe.js \
            extensions/*.js extensions/TeX extensions/HTML-CSS extensions/MathML \
            extensions/a11y/accessibility-menu.js \
            jax/element jax/input/TeX jax/output/CommonHTML fonts/HTML-CSS/TeX/woff; do
  mkdir -p "$OUT/$(dirname "$path")"
  cp -R "$path" "$OUT/$path"
done
cat > "$OUT/VENDORED.md" <<NOTE
# MathJax $MATHJAX_VERSION (subset)

From the npm package \`mathjax@$MATHJAX_VERSION\` (Apache License 2.0, see LICENSE),
by \`tools/formgrader/build_mathjax.sh\`. Unmodified files; only the parts that
\`MathJax.js?config=TeX-AMS_CHTML-full,Safe\` loads are kept.
NOTE
du -sh "$OUT"
