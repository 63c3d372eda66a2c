#!/usr/bin/env bash
# Benchmarks `tollgate scan` (release build) on generated estates: 3,000 objects with a cold
# and a warm plugin cache, and 100,000 objects warm. Prints wall time and peak memory.
#
# usage: bench/run.sh [OBJECTS...]   (default: 3000 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
bin=target/release/tollgate
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(3000 100000)

measure() { # label, then the command
  local label=$1; shift
  /usr/bin/time -f "%e s wall, %M KiB peak RSS" -o "$work/time" "$@" >/dev/null 2>"$work/err" || true
  printf '%-30s %s\n' "$label" "$(tail -n 1 "$work/time")"
}

for n in "${sizes[@]}"; do
  python3 bench/generate.py "$n" "$work/estate-$n"
  export TOLLGATE_CACHE_DIR="$work/cache-$n"
  measure "$n objects, cold cache" "$bin" scan "$work/estate-$n" --format json -o "$work/report.json"
  for run in 1 2 3; do
    measure "$n objects, warm cache #$run" "$bin" scan "$work/estate-$n" --format json -o "$work/report.json"
  done
  python3 - "$work/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["summary"]
print(f"  -> {r['objects']} objects in {r['files']} files: {r['findings']} findings, {r['errors']} errors")
PY
done
