#!/usr/bin/env bash
# Benchmarks `tollgate scan --history` (release build) on a generated repository of
# COMMITS commits (default 10,000) and MEGABYTES of text blobs (default 1,100), plus two
# oversized blobs of 80 MiB that must be skipped unread. The repository is generated once
# under target/bench/history-repo (never committed) and reused. Prints blobs/s, MB/s and
# peak RSS.
#
# usage: bench/history.sh [COMMITS] [MEGABYTES]
set -euo pipefail
# TOLLGATE_BIN is taken relative to where the script was started.
[ -z "${TOLLGATE_BIN:-}" ] || TOLLGATE_BIN=$(realpath "$TOLLGATE_BIN")
cd "$(dirname "$0")/.."
commits=${1:-10000}
megabytes=${2:-1100}
# TOLLGATE_BIN measures another build (e.g. an older one, for a before/after).
bin=${TOLLGATE_BIN:-}
[ -n "$bin" ] || { cargo build --release --locked --quiet && bin=$PWD/target/release/tollgate; }
repo=$PWD/target/bench/history-repo-$commits-$megabytes
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ ! -d "$repo/.git" ]; then
  rm -rf "$repo"
  mkdir -p "$(dirname "$repo")"
  python3 bench/history.py "$commits" "$megabytes" 80 "$repo"
fi
read -r blobs bytes < <(git -C "$repo" cat-file --batch-all-objects --batch-check |
  awk '$2 == "blob" { n++; s += $3 } END { print n, s }')
echo "repository: $(git -C "$repo" rev-list --all --count) commits, $blobs blobs, $((bytes / 1000000)) MB of blob data"
export TOLLGATE_CACHE_DIR="$work/cache"
"$bin" rules >/dev/null # compile the plugins once: the run is warm
/usr/bin/time -f "%e %M %U %S" -o "$work/time" "$bin" scan --history --repo "$repo" \
  --format json -o "$work/report.json" 2>"$work/err" || true
read -r seconds kib user sys < <(tail -n 1 "$work/time")
python3 - "$work/report.json" "$seconds" "$kib" "$user" "$sys" <<'PY'
import json, sys
report, seconds, kib = json.load(open(sys.argv[1])), float(sys.argv[2]), int(sys.argv[3])
cpu = float(sys.argv[4]) + float(sys.argv[5])
read = [i for i in report["inputs"]]
size = sum(i["bytes"] for i in read)
oversized = [s for s in report["skipped"] if s["reason"] == "oversized"]
print(f"| blobs read | MB read | skipped oversized | wall | CPU (user+sys) | blobs/s | MB/s | peak RSS | findings |")
print(f"|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
print(f"| {len(read):,} | {size / 1e6:,.0f} | {len(oversized)} ({sum(s['bytes'] for s in oversized) / 2**20:.0f} MiB) "
      f"| {seconds:.1f} s | {cpu:.1f} s | {len(read) / seconds:,.0f} | {size / 1e6 / seconds:.1f} | {kib / 1024:.0f} MiB "
      f"| {len(report['findings'])} |")
PY
