#!/usr/bin/env bash
# The whole test suite: vet, every package's tests (SQLite always; PostgreSQL when
# CIVICGRID_TEST_POSTGRES is set; headless Chromium when /usr/bin/chromium exists), then each fuzz
# target for a bounded time (FUZZTIME, default 10s each).
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-10s}
echo "== go vet"
go vet ./...
echo "== go test"
go test -count=1 -timeout 40m ./...
echo "== fuzz (${FUZZTIME} each)"
fail=0
while read -r file fn; do
  dir=$(dirname "$file")
  if out=$(go test -run '^$' -fuzz "^${fn}\$" -fuzztime "$FUZZTIME" "./$dir" 2>&1); then
    echo "ok   ./$dir $fn"
  else
    echo "FAIL ./$dir $fn"; echo "$out"; fail=1
  fi
done < <(grep -r --include='*_test.go' -o '^func Fuzz[A-Za-z0-9_]*' internal | sed 's/:func / /')
[ "$fail" = 0 ] || { echo "fuzzing found failures"; exit 1; }
echo "== all tests passed"
