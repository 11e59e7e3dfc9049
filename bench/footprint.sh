#!/usr/bin/env bash
# The footprint: the stripped binary's size, cold start to the first page served on an
# existing database of UNITS units (not the first run's demo seeding), RSS idle, and one
# request each (curl, the second of two) to the pages that grow with the units, with
# their bytes; then the demo's heaviest page and how ECharts is cached.
# Usage: bench/footprint.sh [UNITS]   (default 1400)
units=${1:-1400}
port=${KAOHE_BENCH_PORT:-18091}
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
strip -o "$tmp/kaohe" "$bin"
echo "binary: $(( $(stat -c %s "$tmp/kaohe") / 1048576 )) MB stripped, $(( $(stat -c %s "$bin") / 1048576 )) MB with line tables"
"$bin" demo --data "$tmp/data" --units "$units" --years 3 >/dev/null 2>&1
echo "database: $(( $(stat -c %s "$tmp/data/kaohe.db") / 1048576 )) MB for $units units"

start() {
  local begin end
  begin=$(date +%s%N)
  serve --data "$1"
  end=$(date +%s%N)
  elapsed=$(( (end - begin) / 1000000 ))
}
for i in 1 2 3; do
  start "$tmp/data"
  echo "cold start $i: $elapsed ms to the first page, RSS $(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' /proc/$server/status) idle"
  [ "$i" -lt 3 ] && stop_server
done

login() {
  local jar=$tmp/$1.jar token
  token=$(curl -s -c "$jar" -b "$jar" "http://127.0.0.1:$port/login" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"//')
  curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf=$token" \
    --data-urlencode "username=$1" --data-urlencode "password=kaohe-demo-2026" "http://127.0.0.1:$port/login"
}
page() {
  local who=$1 path=$2
  curl -s -o /dev/null -b "$tmp/$who.jar" "http://127.0.0.1:$port$path"
  curl -s -o /dev/null -b "$tmp/$who.jar" -w "%{http_code} %{size_download} %{time_total}" "http://127.0.0.1:$port$path" |
    awk -v p="$path" '{ printf "  %-32s %s %8.0f KB %7.3f s\n", p, $1, $2 / 1024, $3 }'
}
for who in s1-admin s1-office s1-leader; do login "$who"; done
echo "pages at $units units (second of two requests):"
page s1-admin /admin
page s1-office /
page s1-office /c/3/review
page s1-admin /admin/c/3/progress
page s1-leader /c/2/results
page s1-leader /c/2/results/u/2
page s1-leader /c/2/results/summary.xlsx
page s1-admin /admin/c/3
echo "RSS after them: $(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' /proc/$server/status)"
token=$(curl -s -b "$tmp/s1-admin.jar" "http://127.0.0.1:$port/account/password" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"//')
for i in 1 2 3; do
  curl -s -o /dev/null -b "$tmp/s1-admin.jar" -w "computing results of $units units: %{time_total} s\n" \
    --data-urlencode "csrf=$token" --data-urlencode "force=yes" "http://127.0.0.1:$port/admin/c/3/results"
done
echo "peak RSS: $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$server/status)"
stop_server

# The demo as a newcomer starts it: its heaviest page, and the chart library's caching.
serve --data "$tmp/demo"
login lingdao
echo "demo pages:"
for path in /c/2/results /c/2/results/u/3 /c/2/gaps /guide; do
  page lingdao "$path"
done
echo "ECharts: $(curl -sI "http://127.0.0.1:$port/assets/echarts.min.js" | tr -d '\r' | grep -iE '^(cache-control|content-length)' | tr '\n' ' ')"
