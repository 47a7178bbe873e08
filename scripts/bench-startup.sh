#!/usr/bin/env bash
# Cold start to the first /healthz 200 with the demo on an empty data directory, and the
# server's resident memory right after start and after the map's API calls. Prints one line per run
# and the median. Usage: scripts/bench-startup.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
bin=$(mktemp -d)/civicgrid
go build -o "$bin" ./cmd/civicgrid
port=18765
times=(); rss=()
for i in $(seq 1 "$runs"); do
  data=$(mktemp -d)
  start=$(date +%s%N)
  "$bin" serve --addr 127.0.0.1:$port --data "$data" --demo >"$data/log" 2>&1 &
  pid=$!
  until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.005; done
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  kb=$(awk '/VmRSS/{print $2}' /proc/$pid/status)
  tok=$("$bin" token create --data "$data" --username admin | awk '{print $NF}')
  for _ in 1 2 3 4 5 6 7 8 9 10; do curl -fs -H "Authorization: Bearer $tok" "http://127.0.0.1:$port/api/v1/grids" >/dev/null; done
  kb2=$(awk '/VmRSS/{print $2}' /proc/$pid/status)
  kill -TERM $pid; wait $pid || true
  echo "run $i: cold start to /healthz ${ms} ms; RSS after start $((kb/1024)) MiB, after 10 map loads $((kb2/1024)) MiB"
  times+=("$ms"); rss+=("$kb")
  if [ "$i" = 1 ]; then warm_data=$data; else rm -rf "$data"; fi
done
# The warm case: a restart on a data directory that already holds the demo.
start=$(date +%s%N)
"$bin" serve --addr 127.0.0.1:$port --data "$warm_data" --demo >"$warm_data/log2" 2>&1 &
pid=$!
until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.005; done
end=$(date +%s%N)
echo "warm restart on the same data directory: $(( (end - start) / 1000000 )) ms; RSS $(( $(awk '/VmRSS/{print $2}' /proc/$pid/status) / 1024 )) MiB"
kill -TERM $pid; wait $pid || true
rm -rf "$warm_data"
sorted=$(printf '%s\n' "${times[@]}" | sort -n); median=$(echo "$sorted" | sed -n "$(( (runs+1)/2 ))p")
sortedr=$(printf '%s\n' "${rss[@]}" | sort -n); medr=$(echo "$sortedr" | sed -n "$(( (runs+1)/2 ))p")
echo "median over $runs runs: ${median} ms to first /healthz 200; RSS $((medr/1024)) MiB"
