#!/usr/bin/env bash
# `kaohe score` on the Beilun rubric with N units (the demo's rows repeated under fresh
# names), for each output: wall time, peak RSS and bytes written. Runs the release binary;
# prints one line per run, so a return to quadratic work or to whole-document buffering
# shows as a ratio between sizes. Usage: bench/cli-score.sh [N…] (default 10000 100000).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-10000 100000}")
cargo build --release -p kaohe --quiet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for n in ${sizes[@]}; do
  python3 - "$n" "$tmp/facts-$n.csv" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
lines = [l for l in open("examples/beilun-2026-demo.csv", encoding="utf-8").read().split("\n")
         if l and not l.startswith("#")]
header, rows = lines[0], lines[1:]
with open(path, "w", encoding="utf-8") as f:
    f.write(header + "\n")
    for i in range(n):
        f.write(f"单位{i:07d}," + rows[i % len(rows)].split(",", 1)[1] + "\n")
PY
  for mode in "" "--csv" "--json --compact" "--json"; do
    /usr/bin/time -f "%e %M" -o "$tmp/time" \
      ./target/release/kaohe score --rubric rubrics/beilun-2026.toml "$tmp/facts-$n.csv" $mode > "$tmp/out"
    read -r secs kb < "$tmp/time"
    printf '%8d units  %-17s %7.2f s  %7d MB peak  %8d KB out\n' \
      "$n" "${mode:-table}" "$secs" $((kb / 1024)) $(( $(stat -c %s "$tmp/out") / 1024 ))
  done
done
