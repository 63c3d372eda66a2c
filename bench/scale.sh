#!/usr/bin/env bash
# Scaling of manifest scanning (release build): generated estates of 1k, 10k, 100k and 300k
# objects scanned with a warm plugin cache (wall time, objects/s, MB/s, peak RSS; median of
# RUNS runs, 3 by default, one run from 100k up), then Checkov against tollgate on the same
# 3k-object estate in the same run (tollgate's median of 11 runs there), with its Kubernetes checks and with its secrets scanner
# added (Checkov from PyPI into target/bench-venv; skipped with a message when it cannot be
# installed). Writes target/bench/scale.tsv and the plot
# bench/scale.svg (target/bench/scale.svg when sizes are given), and prints the tables
# BENCHMARKS.md shows.
#
# usage: bench/scale.sh [OBJECTS...]   (default: 1000 10000 100000 300000)
set -euo pipefail
# TOLLGATE_BIN is taken relative to where the script was started.
[ -z "${TOLLGATE_BIN:-}" ] || TOLLGATE_BIN=$(realpath "$TOLLGATE_BIN")
cd "$(dirname "$0")/.."
# TOLLGATE_BIN measures another build (e.g. an older one, for a before/after).
bin=${TOLLGATE_BIN:-}
[ -n "$bin" ] || { cargo build --release --locked --quiet && bin=$PWD/target/release/tollgate; }
out=$PWD/target/bench
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000 300000)
runs=${RUNS:-3}
export TOLLGATE_CACHE_DIR="$work/cache"
"$bin" rules >/dev/null # compile the plugins once: every run below is warm

printf 'objects\tbytes\tseconds\tkib\tcpu\n' >"$out/scale.tsv"
for n in "${sizes[@]}"; do
  python3 bench/generate.py "$n" "$work/estate-$n" >/dev/null
  bytes=$(cat "$work/estate-$n"/*.yaml | wc -c)
  count=$runs
  [ "$n" -lt 100000 ] || count=1
  read -r seconds kib cpu < <(python3 bench/measure.py "$count" "$bin" scan "$work/estate-$n" --format json -o "$work/report.json")
  printf '%s\t%s\t%s\t%s\t%s\n' "$n" "$bytes" "$seconds" "$kib" "$cpu" >>"$out/scale.tsv"
  [ "$n" -lt 100000 ] || rm -rf "$work/estate-$n"
done

echo "| objects | input | wall | CPU (user+sys) | objects/s | MB/s | peak RSS | RSS / input |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
tail -n +2 "$out/scale.tsv" | while read -r n bytes seconds kib cpu; do
  python3 -c "import sys; n, b, s, k, c = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]); \
print(f'| {n:,} | {b / 1e6:.1f} MB | {s:.3f} s | {c:.2f} s | {n / s:,.0f} | {b / 1e6 / s:.1f} | {k / 1024:.0f} MiB | {k * 1024 / b:.1f}x |')" \
    "$n" "$bytes" "$seconds" "$kib" "$cpu"
done
# The committed plot is the full run's: a run of chosen sizes plots into target/bench.
plot=bench/scale.svg
[ $# -eq 0 ] || plot=$out/scale.svg
python3 bench/plot.py "$out/scale.tsv" "$plot"

# Checkov on the same 3k-object estate, in this run, two ways: its Kubernetes checks only,
# and with its secrets scanner added (tollgate's credential rule reads every file, which
# in Checkov is the secrets framework).
python3 bench/generate.py 3000 "$work/estate-3k" >/dev/null
# Eleven runs: a scan this short varies by several milliseconds from run to run.
# (measure.py prints the median run's wall seconds, peak RSS in KiB and CPU seconds.)
read -r ours ours_kib ours_cpu < <(python3 bench/measure.py 11 "$bin" scan "$work/estate-3k" --format json -o "$work/report.json")
venv=$PWD/target/bench-venv
if [ -x "$venv/bin/checkov" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet --disable-pip-version-check checkov; } >"$work/pip.log" 2>&1; then
  version=$("$venv/bin/checkov" --version)
  echo
  printf '3,000 objects: tollgate %.3f s wall, %.3f s CPU, %d MiB\n' "$ours" "$ours_cpu" $((ours_kib / 1024))
  for frameworks in "kubernetes" "kubernetes secrets"; do
    # shellcheck disable=SC2086 # one word per framework
    read -r theirs theirs_kib theirs_cpu < <(python3 bench/measure.py 1 "$venv/bin/checkov" --quiet --compact --framework $frameworks -d "$work/estate-3k" -o json)
    python3 -c "import sys; o, oc, t, tk, tc = (float(a) for a in sys.argv[1:6]); \
print(f'Checkov {sys.argv[6]} --framework {sys.argv[7]}: {t:.1f} s wall, {tc:.1f} s CPU, {tk / 1024:.0f} MiB: '
      f'{t / o:,.0f}x in wall time, {tc / max(oc, 0.01):,.0f}x in CPU time')" \
      "$ours" "$ours_cpu" "$theirs" "$theirs_kib" "$theirs_cpu" "$version" "$frameworks"
  done
else
  echo
  echo "Checkov could not be installed from PyPI (see below); the ratio was not measured."
  tail -n 5 "$work/pip.log"
fi
