#!/usr/bin/env bash
# Builds the front end into static/build (git-ignored): GOV.UK Frontend Sass with the
# portal's settings, the GOV.UK Frontend ES module, its images, Chart.js and axe-core.
# Node is needed here only, never at run time. Safe to run again.
set -euo pipefail

cd "$(dirname "$0")/.."

command -v npm >/dev/null || { echo "build-assets: npm is needed (Node 20+)" >&2; exit 1; }

# Reinstall only when node_modules is missing or older than the lock file.
if [[ ! -d node_modules || package-lock.json -nt node_modules ]]; then
  # No install scripts: none of these packages needs one to build.
  npm ci --no-audit --no-fund --ignore-scripts
  touch node_modules
fi

GOVUK=node_modules/govuk-frontend/dist/govuk
OUT=static/build

for f in "$GOVUK/govuk-frontend.min.js" "$GOVUK/assets/images" \
         node_modules/chart.js/dist/chart.umd.min.js node_modules/axe-core/axe.min.js \
         node_modules/.bin/sass static/src/portal.scss; do
  [[ -e $f ]] || { echo "build-assets: missing $f" >&2; exit 1; }
done

mkdir -p "$OUT"

node_modules/.bin/sass --load-path=node_modules --style=compressed --no-source-map \
  --quiet-deps static/src/portal.scss "$OUT/portal.css"

# NOTE: drop the sourceMappingURL comments: WhiteNoise's manifest storage fails on
# references to .map files that are not shipped. The comment is removed, not its line:
# govuk-frontend.min.js is one line with the comment at its end.
strip_map() { sed -E 's@//[#@] sourceMappingURL=[^[:space:]]*[[:space:]]*$@@' "$1" > "$2"; }
strip_map "$GOVUK/govuk-frontend.min.js" "$OUT/govuk-frontend.min.js"
strip_map node_modules/chart.js/dist/chart.umd.min.js "$OUT/chart.umd.min.js"
strip_map node_modules/axe-core/axe.min.js "$OUT/axe.min.js"

# Images only (portal.css refers to images/govuk-crest.svg): no GDS Transport fonts, and
# no GOV.UK web app manifest, whose icons are the crown.
rm -rf "$OUT/assets"
mkdir -p "$OUT/assets"
cp -R "$GOVUK/assets/images" "$OUT/assets/images"

# /favicon.ico, for browsers and tools that ask for it by that name (the pages link the SVG).
# NOTE: the Docker image's Node stage has no Python: its Python stage writes the icon instead.
if command -v python3 >/dev/null; then
  python3 scripts/make_favicon.py "$OUT/favicon.ico"
fi

if grep -q "GDS Transport" "$OUT/portal.css"; then
  echo "build-assets: portal.css refers to GDS Transport" >&2
  exit 1
fi
if grep -q "sourceMappingURL" "$OUT"/*.js "$OUT/portal.css"; then
  echo "build-assets: a sourceMappingURL comment is left in static/build" >&2
  exit 1
fi

echo "build-assets: built $OUT"
