#!/usr/bin/env bash
# Benchmarks the pre-commit hooks (release build): `tollgate scan --staged` and
# `tollgate scan --staged --rule no-git-credentials` on a repository (one commit) with four
# small staged files, warm plugin cache, RUNS runs each (default 50); prints the median and
# the 90th percentile of wall time, the CPU time per run (user + system, tollgate and its
# git processes) and the load average, since the machine may be shared.
#
# usage: bench/precommit.sh
set -euo pipefail
# TOLLGATE_BIN is taken relative to where the script was started.
[ -z "${TOLLGATE_BIN:-}" ] || TOLLGATE_BIN=$(realpath "$TOLLGATE_BIN")
cd "$(dirname "$0")/.."
# TOLLGATE_BIN measures another build (e.g. an older one, for a before/after).
bin=${TOLLGATE_BIN:-}
[ -n "$bin" ] || { cargo build --release --locked --quiet && bin=$PWD/target/release/tollgate; }
runs=${RUNS:-50}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
repo=$work/repo
git init -q "$repo"
printf '# Shop\n' >"$repo/README.md"
git -C "$repo" add -A
git -C "$repo" -c user.name=bench -c user.email=bench@example.com commit -q -m start
printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      automountServiceAccountToken: false\n      containers:\n      - name: web\n        image: nginx:1.27\n' >"$repo/deploy.yaml"
printf 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny\n  namespace: shop\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n' >"$repo/policy.yaml"
printf '# Shop\n\nThe shop front end.\n' >"$repo/README.md"
printf 'fn main() {\n    println!("hello");\n}\n' >"$repo/main.rs"
git -C "$repo" add -A
export TOLLGATE_CACHE_DIR="$work/cache"
"$bin" rules >/dev/null # compile the plugins once: every run below is warm

latency() { # label, then the arguments of `tollgate`
  local label=$1; shift
  local cpu=n/a
  if command -v perf >/dev/null; then # CPU per run: tollgate and its git processes
    (cd "$repo" && perf stat -x, -o "$work/cpu" -r 20 -e task-clock -- "$bin" "$@" >/dev/null 2>&1) || true
    cpu=$(awk -F, '/task-clock/ { printf "%.1f ms", $1 }' "$work/cpu")
  fi
  (
    cd "$repo"
    for _ in $(seq 3); do "$bin" "$@" >/dev/null 2>&1 || true; done # warm the page cache
    for _ in $(seq "$runs"); do
      start=$(date +%s%N)
      "$bin" "$@" >/dev/null 2>&1 || true
      echo $(( ($(date +%s%N) - start) / 1000 ))
    done
  ) | sort -n | awk -v label="$label" -v cpu="$cpu" '{ v[NR] = $1 } END {
    printf "| `%s` | %.1f ms | %.1f ms | %s |\n", label, v[int((NR + 1) / 2)] / 1000,
      v[int(NR * 0.9)] / 1000, cpu }'
}
echo "| command | median | p90 | CPU per run |"
echo "|---|---:|---:|---:|"
latency "tollgate scan --staged" scan --staged
latency "tollgate scan --staged --rule no-git-credentials" scan --staged --rule no-git-credentials
echo
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
