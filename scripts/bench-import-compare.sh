#!/usr/bin/env bash
# Compares the hotline import speed of two or more civicgrid binaries: each runs
# `bench import` ROUNDS times (default 3), the binaries alternating so that a change in the
# machine's load hits them alike, and the rates are printed per binary.
#
#   go build -o /tmp/cg-old ./cmd/civicgrid   # on the old commit
#   go build -o /tmp/cg-new ./cmd/civicgrid   # on the new one
#   scripts/bench-import-compare.sh 1000000 /tmp/cg-old /tmp/cg-new
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 ROWS BINARY... (env ROUNDS, default 3)" >&2
  exit 2
fi
rows=$1
shift
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
declare -A rates
for ((round = 1; round <= ${ROUNDS:-3}; round++)); do
  for bin in "$@"; do
    rm -rf "$data/run"
    rate=$("$bin" bench import --rows "$rows" --data "$data/run" --json | sed -n 's/.*"import_rows_per_s":\([0-9.]*\).*/\1/p')
    rates[$bin]="${rates[$bin]:-} ${rate%.*}"
    echo "round $round: $bin ${rate%.*} rows/s" >&2
  done
done
for bin in "$@"; do
  echo "$bin:${rates[$bin]}"
done
