#!/usr/bin/env bash
# Benchmarks the pre-commit hooks (release build): `tollgate scan --staged` and
# `tollgate scan --staged --rule no-git-credentials` on a repository of four small staged
# files, warm plugin cache, RUNS runs each (default 50); prints the median and the 90th
# percentile in milliseconds.
#
# usage: bench/precommit.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# TOLLGATE_BIN measures another build (e.g. an older one, for a before/after).
bin=${TOLLGATE_BIN:-}
[ -n "$bin" ] || { cargo build --release --locked --quiet && bin=$PWD/target/release/tollgate; }
runs=${RUNS:-50}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
repo=$work/repo
git init -q "$repo"
printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      automountServiceAccountToken: false\n      containers:\n      - name: web\n        image: nginx:1.27\n' >"$repo/deploy.yaml"
printf 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny\n  namespace: shop\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n' >"$repo/policy.yaml"
printf '# Shop\n\nThe shop front end.\n' >"$repo/README.md"
printf 'fn main() {\n    println!("hello");\n}\n' >"$repo/main.rs"
git -C "$repo" add -A
export TOLLGATE_CACHE_DIR="$work/cache"
"$bin" rules >/dev/null # compile the plugins once: every run below is warm

latency() { # label, then the arguments of `tollgate`
  local label=$1; shift
  (
    cd "$repo"
    for _ in $(seq 3); do "$bin" "$@" >/dev/null 2>&1 || true; done # warm the page cache
    for _ in $(seq "$runs"); do
      start=$(date +%s%N)
      "$bin" "$@" >/dev/null 2>&1 || true
      echo $(( ($(date +%s%N) - start) / 1000 ))
    done
  ) | sort -n | awk -v label="$label" '{ v[NR] = $1 } END {
    printf "| `%s` | %.1f ms | %.1f ms |\n", label, v[int((NR + 1) / 2)] / 1000, v[int(NR * 0.9)] / 1000 }'
}
echo "| command | median | p90 |"
echo "|---|---:|---:|"
latency "tollgate scan --staged" scan --staged
latency "tollgate scan --staged --rule no-git-credentials" scan --staged --rule no-git-credentials
