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
  # Go's fuzzer now and then ends a clean run with "context deadline exceeded" when the time is
  # up during a worker's call, writing no failing input: that run is tried once more. A real
  # failure writes its input to testdata/fuzz and fails both times.
  for attempt in 1 2; do
    if out=$(go test -run '^$' -fuzz "^${fn}\$" -fuzztime "$FUZZTIME" "./$dir" 2>&1); then
      echo "ok   ./$dir $fn"; break
    fi
    if [ "$attempt" = 1 ] && ! grep -q "Failing input written" <<<"$out" && grep -q "context deadline exceeded" <<<"$out"; then
      echo "again ./$dir $fn (the fuzzer's deadline, no failing input)"; continue
    fi
    echo "FAIL ./$dir $fn"; echo "$out"; fail=1; break
  done
done < <(grep -r --include='*_test.go' -o '^func Fuzz[A-Za-z0-9_]*' internal | sed 's/:func / /')
[ "$fail" = 0 ] || { echo "fuzzing found failures"; exit 1; }
echo "== all tests passed"
