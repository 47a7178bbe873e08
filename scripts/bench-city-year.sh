#!/usr/bin/env bash
# The city-year benchmark (issues #13 and #17): generates 10,000,000 orders over 50 towns and
# measures every GET route for every role (`bench pages`) and the KPI queries with a district's
# whole monthly report (`bench kpi`), on PostgreSQL and then on SQLite, one database at a time.
# Hours of work on a 2-core machine (PostgreSQL ~1 h, SQLite ~3 h): run it on a quiet machine,
# where nothing else builds or tests, or the figures measure the other work.
#
#   scripts/bench-city-year.sh            # both databases
#   DBS=postgres scripts/bench-city-year.sh
#   N=1000000 TOWNS=12 scripts/bench-city-year.sh   # a smaller run of the same protocol
#
# Environment: N (orders, 10000000), TOWNS (50), DBS ("postgres sqlite"), OUT (the directory
# for the logs, the tables and the SQLite data: /tmp/bench-city-year), PG (a PostgreSQL URL whose
# database exists; the orders go into schema cg_bench_<N>_t<TOWNS>, kept for the next run),
# ROUNDS (requests per route and role, 10), KEEP=1 keeps the SQLite data and the schema.
# Each step's output goes to OUT/<db>-<step>.*; the load average is written before each step.
# From 2,000,000 orders bench kpi times the kept figures only (its --scan-rounds default): the
# scan it compares them with takes most of an hour per query at 10⁷.
set -euo pipefail
N=${N:-10000000}
TOWNS=${TOWNS:-50}
DBS=${DBS:-postgres sqlite}
OUT=${OUT:-/tmp/bench-city-year}
PG=${PG:-postgres://root@127.0.0.1:5432/cgbench?sslmode=disable}
ROUNDS=${ROUNDS:-10}
mkdir -p "$OUT"
bin="$OUT/civicgrid"
go build -o "$bin" ./cmd/civicgrid
git rev-parse HEAD >"$OUT/commit" 2>/dev/null || true

step() { # step NAME: notes the time and the load before a step
  echo "$(date -u +%FT%TZ) $1: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/steps.log" >&2
}

for db in $DBS; do
  case $db in
  postgres) where=(--db "$PG") ;;
  sqlite) where=(--data "$OUT/sqlite") ;;
  *)
    echo "unknown database $db (postgres or sqlite)" >&2
    exit 2
    ;;
  esac
  step "$db: generate and measure the pages"
  "$bin" bench pages --orders "$N" --towns "$TOWNS" "${where[@]}" --rounds "$ROUNDS" \
    >"$OUT/$db-pages.md" 2>"$OUT/$db-pages.log"
  step "$db: KPI queries and the district's monthly report"
  "$bin" bench kpi --orders "$N" --towns "$TOWNS" "${where[@]}" --rounds 5 >"$OUT/$db-kpi.txt" 2>"$OUT/$db-kpi.log"
  step "$db: done"
  if [ "${KEEP:-}" != 1 ]; then
    case $db in
    postgres) "$bin" bench pages --orders "$N" --towns "$TOWNS" "${where[@]}" --only '^$' --drop >/dev/null 2>&1 ;;
    sqlite) rm -rf "$OUT/sqlite" ;;
    esac
  fi
done
echo "tables in $OUT/*-pages.md and $OUT/*-kpi.txt; steps in $OUT/steps.log" >&2
