#!/usr/bin/env bash
# The load benchmark: `kaohe serve` on data made by `kaohe demo`, each endpoint driven by
# wrk (Debian's package) on loopback for a bounded time at 1, 32 and 256 connections,
# beside its limits measured in the same run:
#   - the storage limit of a save: the same write straight on the database, no web stack
#     (`kaohe bench-write`: version check, new version and history, audit row, one
#     transaction), at the same concurrency;
#   - the HTTP limit: a static file (the stylesheet) served by the same server.
#
# Usage: bench/load.sh [sqlite|postgres] [UNITS] [SECONDS]   (defaults: sqlite 1400 5)
# KAOHE_BENCH_ORGANISERS=100 makes 100 organisers of UNITS each (the province shape on
# PostgreSQL: 100 × 14); KAOHE_BENCH_CLIENTS picks the concurrencies (default 1 32 256);
# KAOHE_BENCH_ONLY, a regular expression, the endpoints (e.g. 'item|save');
# KAOHE_BENCH_DATA=DIR (SQLite) runs on a copy of data made before by `kaohe demo --data
# DIR` instead of making it again (a minute at 1,400 units).
# PostgreSQL: KAOHE_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/kaohe_bench;
# the database is dropped and made again). Prints one table row per endpoint and
# concurrency: requests/s, p50, p99 (wrk --latency), bytes, and the share of the limit.
backend=${1:-sqlite}
units=${2:-1400}
secs=${3:-5}
clients=${KAOHE_BENCH_CLIENTS:-1 32 256}
port=${KAOHE_BENCH_PORT:-18090}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"

case $backend in
  sqlite) db=(--data "$tmp/data") ;;
  postgres)
    url=${KAOHE_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/kaohe_bench}
    admin_url=${url%/*}/postgres
    name=${url##*/}
    psql -q "$admin_url" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name"
    db=(--database-url "$url") ;;
  *) echo "usage: bench/load.sh [sqlite|postgres] [UNITS] [SECONDS]" >&2; exit 2 ;;
esac

echo "# $(date -u +%F) $(git rev-parse --short HEAD) $backend, ${KAOHE_BENCH_ORGANISERS:-1} × $units units, ${secs}s a run, $(nproc) cores" >&2
start=$(date +%s.%N)
if [ -n "${KAOHE_BENCH_DATA:-}" ] && [ "$backend" = sqlite ]; then
  cp -r "$KAOHE_BENCH_DATA" "$tmp/data"
  echo "copied" >"$tmp/demo.out"
else
"$bin" demo "${db[@]}" --units "$units" --organisers "${KAOHE_BENCH_ORGANISERS:-1}" --years 3 --evidence-kib 64 >"$tmp/demo.out" 2>/dev/null
fi
printf '# data made in %.0f s: %s\n' "$(echo "$(date +%s.%N) - $start" | bc)" "$(head -1 "$tmp/demo.out")" >&2
serve "${db[@]}"
python3 bench/prepare.py "http://127.0.0.1:$port" "$tmp"
# shellcheck disable=SC1091
. "$tmp/env"
export KAOHE_SLOTS=$tmp/slots.lua KAOHE_BODY=$tmp/preview.body

# One wrk run: label, connections, cookie, path, [lua script]; prints the table row.
run() {
  local label=$1 c=$2 cookie=$3 path=$4 script=${5:-} threads=2 out
  last_rps=0
  if [ -n "${KAOHE_BENCH_ONLY:-}" ] && ! [[ $label =~ $KAOHE_BENCH_ONLY ]]; then return; fi
  [ "$c" -lt 2 ] && threads=1
  local args=(-t"$threads" -c"$c" -d"${secs}s" --timeout 30s --latency)
  [ -n "$cookie" ] && args+=(-H "Cookie: $cookie")
  [ -n "$script" ] && args+=(-s "$script")
  out=$(KAOHE_COOKIE=$cookie KAOHE_THREADS=$threads wrk "${args[@]}" "http://127.0.0.1:$port$path")
  local rps p50 p99 bytes extra
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  bytes=$(awk '/requests in/ {print $5}' <<<"$out")
  extra=$(grep -E '^saved|Non-2xx|Socket errors' <<<"$out" | tr '\n' ' ' || true)
  printf '%-22s %4d  %9.1f/s  p50 %9s  p99 %9s  %s read  %s\n' "$label" "$c" "$rps" "$p50" "$p99" "$bytes" "$extra"
  last_rps=$rps
}

for c in $clients; do
  echo "## $c connections"
  run "static (HTTP limit)" "$c" "" /assets/app.css
  http_limit=$last_rps
  run "item page" "$c" "$REPORTER_COOKIE" "$ITEM_PATH"
  run "score preview" "$c" "$REPORTER_COOKIE" "$PREVIEW_PATH" bench/wrk/post.lua
  if [ -z "${KAOHE_BENCH_ONLY:-}" ] || [[ "save a fact" =~ $KAOHE_BENCH_ONLY ]]; then
    python3 bench/prepare.py "http://127.0.0.1:$port" "$tmp" --refresh
    run "save a fact" "$c" "" "$ITEM_PATH" bench/wrk/save.lua
    save=$last_rps
    limit=$("$bin" bench-write "${db[@]}" --clients "$c" --seconds "$secs")
    echo "storage limit (write)   $c  $limit" | tr -d '\n'; echo
    limit_rps=$(awk '{print $6}' <<<"$limit")
    awk -v s="$save" -v l="$limit_rps" -v h="$http_limit" \
      'BEGIN { printf "  save = %.0f%% of the storage limit", 100 * s / l; if (h > 0) printf "; static file %.0f/s", h; printf "\n" }'
  fi
  run "review queue" "$c" "$OFFICE_COOKIE" "/c/$CURRENT/review"
  run "ranking (results)" "$c" "$LEADER_COOKIE" "/c/$PAST/results"
  run "audit log" "$c" "$AUDITOR_COOKIE" /audit
  run "summary.xlsx" "$c" "$LEADER_COOKIE" "/c/$PAST/results/summary.xlsx"
  echo "# server peak RSS so far (after $c connections): $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$server/status)" >&2
done
echo "# server RSS after the run: $(ps -o rss= -p "$server" | awk '{printf "%.0f MB", $1/1024}')" >&2
