#!/usr/bin/env bash
# Benchmarks a directory of many tiny manifests (release build): 10k, 50k and 100k files of
# one small ConfigMap each, 1,000 files a directory, scanned with a warm plugin cache. The
# time per file must stay flat (linear in the number of files).
#
# usage: bench/files.sh [FILES...]   (default: 10000 50000 100000)
set -euo pipefail
# TOLLGATE_BIN is taken relative to where the script was started.
[ -z "${TOLLGATE_BIN:-}" ] || TOLLGATE_BIN=$(realpath "$TOLLGATE_BIN")
cd "$(dirname "$0")/.."
# TOLLGATE_BIN measures another build (e.g. an older one, for a before/after).
bin=${TOLLGATE_BIN:-}
[ -n "$bin" ] || { cargo build --release --locked --quiet && bin=$PWD/target/release/tollgate; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 50000 100000)
export TOLLGATE_CACHE_DIR="$work/cache"
"$bin" rules >/dev/null # compile the plugins once: every run below is warm

echo "| files | wall | CPU (user+sys) | files/s | µs per file | peak RSS |"
echo "|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
  python3 - "$n" "$work/files-$n" <<'PY'
import os, sys
n, root = int(sys.argv[1]), sys.argv[2]
for i in range(n):
    directory = os.path.join(root, f"d{i // 1000:03d}")
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, f"cm-{i:06d}.yaml"), "w") as f:
        f.write(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\n  namespace: team-{i % 50}\n"
                f"data:\n  key: value-{i}\n")
PY
  /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$bin" scan "$work/files-$n" --format json -o "$work/report.json" 2>"$work/err" || true
  read -r seconds kib user sys < <(tail -n 1 "$work/time")
  python3 -c "import sys; n, s, k, c = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]) + float(sys.argv[5]); \
print(f'| {n:,} | {s:.2f} s | {c:.2f} s | {n / s:,.0f} | {s / n * 1e6:.0f} | {k / 1024:.0f} MiB |')" "$n" "$seconds" "$kib" "$user" "$sys"
  rm -rf "$work/files-$n"
done
