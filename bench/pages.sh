#!/usr/bin/env bash
# One request to every page each role reaches (bench/crawl.py), then the server's memory
# through a fixed sequence of loads; on data made by `kaohe demo` (or a copy of
# KAOHE_BENCH_DATA). Prints the slowest pages of each role, then VmRSS and VmHWM after
# each step of the sequence: the results pages of two years, a unit's pages, then 4 s at
# 32 connections (wrk) of the item page, the ranking, the review queue and the summary
# workbook.
#
# Usage: bench/pages.sh [UNITS]   (default 1400; SQLite)
units=${1:-1400}
port=${KAOHE_BENCH_PORT:-18092}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
if [ -n "${KAOHE_BENCH_DATA:-}" ]; then
  cp -r "$KAOHE_BENCH_DATA" "$tmp/data"
else
  "$bin" demo --data "$tmp/data" --units "$units" --years 3 --evidence-kib 64 >/dev/null 2>&1
fi
echo "# $(date -u +%F) $(git rev-parse --short HEAD), $units units, $(nproc) cores" >&2
serve --data "$tmp/data"
python3 bench/prepare.py "http://127.0.0.1:$port" "$tmp"
# shellcheck disable=SC1091
. "$tmp/env"
for role in REPORTER OFFICE LEADER AUDITOR ADMIN; do
  cookie=${role}_COOKIE
  echo "## pages of $role (ms, bytes, path)"
  python3 bench/crawl.py "http://127.0.0.1:$port" "${!cookie}" 150 12
done
# Memory from a fresh start.
stop_server
serve --data "$tmp/data"
rss() { awk '/VmRSS|VmHWM/ {printf "%s %.0f MB  ", $1, $2/1024}' "/proc/$server/status"; echo "$1"; }
get() { curl -s -o /dev/null -H "Cookie: $1" "http://127.0.0.1:$port$2"; }
load() { wrk -t2 -c32 -d4s -H "Cookie: $1" "http://127.0.0.1:$port$2" >/dev/null; }
echo "## memory"
rss "started"
get "$LEADER_COOKIE" "/c/$PAST/results"; get "$LEADER_COOKIE" "/c/$PAST/results"; get "$LEADER_COOKIE" "/c/$((PAST - 1))/results"
rss "the results pages of two years"
get "$REPORTER_COOKIE" /; get "$REPORTER_COOKIE" "${ITEM_PATH%/i/*}"
rss "a unit's pages"
load "$REPORTER_COOKIE" "$ITEM_PATH"; rss "item page, 32 connections"
load "$LEADER_COOKIE" "/c/$PAST/results"; rss "ranking, 32 connections"
load "$OFFICE_COOKIE" "/c/$CURRENT/review"; rss "review queue, 32 connections"
load "$LEADER_COOKIE" "/c/$PAST/results/summary.xlsx"; rss "summary workbook, 32 connections"
