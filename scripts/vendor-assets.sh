#!/usr/bin/env bash
# Fetches the front-end libraries from the npm registry and copies the files the binary embeds into
# internal/web/static/vendor, with their licences. Run it when upgrading a library; the result is
# committed so that neither the build nor the running binary needs npm.
set -euo pipefail
cd "$(dirname "$0")/.."
LEAFLET=1.9.4
HTMX=2.0.4
ECHARTS=5.6.0
MARKERCLUSTER=1.5.3
LEAFLET_HEAT=0.2.0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund "leaflet@$LEAFLET" "htmx.org@$HTMX" "echarts@$ECHARTS" \
  "leaflet.markercluster@$MARKERCLUSTER" "leaflet.heat@$LEAFLET_HEAT" >/dev/null)
dst=internal/web/static/vendor
rm -rf "$dst" && mkdir -p "$dst/leaflet/images" "$dst/htmx" "$dst/echarts" "$dst/markercluster" "$dst/leaflet-heat"
cp "$work/node_modules/leaflet/dist/leaflet.js" "$work/node_modules/leaflet/dist/leaflet.css" "$dst/leaflet/"
cp "$work/node_modules/leaflet/dist/images/"*.png "$dst/leaflet/images/"
cp "$work/node_modules/leaflet/LICENSE" "$dst/leaflet/LICENSE"
cp "$work/node_modules/htmx.org/dist/htmx.min.js" "$dst/htmx/"
cp "$work/node_modules/htmx.org/LICENSE" "$dst/htmx/LICENSE"
cp "$work/node_modules/echarts/dist/echarts.min.js" "$dst/echarts/"
cp "$work/node_modules/echarts/LICENSE" "$dst/echarts/LICENSE"
cp "$work/node_modules/leaflet.markercluster/dist/leaflet.markercluster.js" "$work/node_modules/leaflet.markercluster/dist/MarkerCluster.css" \
  "$work/node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css" "$dst/markercluster/"
cp "$work/node_modules/leaflet.markercluster/MIT-LICENCE.txt" "$dst/markercluster/LICENSE"
cp "$work/node_modules/leaflet.heat/dist/leaflet-heat.js" "$dst/leaflet-heat/"
cp "$work/node_modules/leaflet.heat/LICENSE" "$dst/leaflet-heat/LICENSE"
printf 'leaflet %s\nhtmx.org %s\necharts %s\nleaflet.markercluster %s\nleaflet.heat %s\n' "$LEAFLET" "$HTMX" "$ECHARTS" "$MARKERCLUSTER" "$LEAFLET_HEAT" > "$dst/VERSIONS"
echo "vendored into $dst"
