#!/usr/bin/env bash
# Regenerates the README's pictures: runs the browser tests with their screenshots going to
# docs/screenshots/ (the tests themselves write them outside the repository). Needs /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export CIVICGRID_E2E_SHOTS="$PWD/docs/screenshots"
go test -count=1 -timeout 20m ./internal/e2e/ "$@"
echo "screenshots written to docs/screenshots/ — look at them, then commit the ones you mean to change"
