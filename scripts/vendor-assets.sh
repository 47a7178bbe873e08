#!/usr/bin/env bash
# Fetches the front-end libraries from the npm registry and copies the files the binary embeds into
# internal/web/static/vendor, with their licences. Run it when upgrading a library; the result is
# committed so that neither the build nor the running binary needs npm.
set -euo pipefail
cd "$(dirname "$0")/.."
LEAFLET=1.9.4
HTMX=2.0.4
ECHARTS=5.6.0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund "leaflet@$LEAFLET" "htmx.org@$HTMX" "echarts@$ECHARTS" >/dev/null)
dst=internal/web/static/vendor
rm -rf "$dst" && mkdir -p "$dst/leaflet/images" "$dst/htmx" "$dst/echarts"
cp "$work/node_modules/leaflet/dist/leaflet.js" "$work/node_modules/leaflet/dist/leaflet.css" "$dst/leaflet/"
cp "$work/node_modules/leaflet/dist/images/"*.png "$dst/leaflet/images/"
cp "$work/node_modules/leaflet/LICENSE" "$dst/leaflet/LICENSE"
cp "$work/node_modules/htmx.org/dist/htmx.min.js" "$dst/htmx/"
cp "$work/node_modules/htmx.org/LICENSE" "$dst/htmx/LICENSE"
cp "$work/node_modules/echarts/dist/echarts.min.js" "$dst/echarts/"
cp "$work/node_modules/echarts/LICENSE" "$dst/echarts/LICENSE"
printf 'leaflet %s\nhtmx.org %s\necharts %s\n' "$LEAFLET" "$HTMX" "$ECHARTS" > "$dst/VERSIONS"
echo "vendored into $dst"
