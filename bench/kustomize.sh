#!/usr/bin/env bash
# Benchmarks kustomize trees (release build): a generated tree of one base (a workload,
# its ServiceAccount, Role, RoleBinding and Service per app) and OVERLAYS overlays (8 by
# default), each with its namespace, a patch and a NetworkPolicy, as real repositories lay
# them out. Scans it with every build run (the kept builds removed before each run), with
# every build kept from the run before, and after one overlay's patch changed (only that
# overlay is built again); RUNS runs each (default 5), warm plugin cache. Prints medians of
# wall and CPU time. Needs `kustomize` or `kubectl` on PATH.
#
# usage: bench/kustomize.sh
set -euo pipefail
# TOLLGATE_BIN is taken relative to where the script was started.
[ -z "${TOLLGATE_BIN:-}" ] || TOLLGATE_BIN=$(realpath "$TOLLGATE_BIN")
cd "$(dirname "$0")/.."
if ! command -v kustomize >/dev/null && ! command -v kubectl >/dev/null; then
  echo "neither kustomize nor kubectl is on PATH: nothing to measure"
  exit 0
fi
# TOLLGATE_BIN measures another build (e.g. an older one, for a before/after).
bin=${TOLLGATE_BIN:-}
[ -n "$bin" ] || { cargo build --release --locked --quiet && bin=$PWD/target/release/tollgate; }
runs=${RUNS:-5}
overlays=${OVERLAYS:-8}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tree=$work/tree

mkdir -p "$tree/base"
printf 'resources:\n' >"$tree/base/kustomization.yaml"
for app in web api worker cache; do
  printf -- '- %s.yaml\n' "$app" >>"$tree/base/kustomization.yaml"
  cat >"$tree/base/$app.yaml" <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: $app
spec:
  replicas: 1
  selector:
    matchLabels: {app: $app}
  template:
    metadata:
      labels: {app: $app}
    spec:
      serviceAccountName: $app
      containers:
      - name: $app
        image: registry.example.com/$app:1.0
        args: ["--listen=:8080"]
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: $app
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: $app
rules:
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: $app
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: $app}
subjects:
- {kind: ServiceAccount, name: $app}
---
apiVersion: v1
kind: Service
metadata:
  name: $app
spec:
  selector: {app: $app}
  ports:
  - port: 80
    targetPort: 8080
EOF
done
for i in $(seq 1 "$overlays"); do
  dir=$tree/overlays/env-$i
  mkdir -p "$dir"
  cat >"$dir/kustomization.yaml" <<EOF
namespace: env-$i
resources:
- ../../base
- policy.yaml
patches:
- path: replicas.yaml
EOF
  printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n' >"$dir/replicas.yaml"
  printf 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n' >"$dir/policy.yaml"
done

export TOLLGATE_CACHE_DIR="$work/cache"
export TOLLGATE_CACHE_KEY="$work/cache.key"
"$bin" rules >/dev/null # compile the plugins once: every run below is warm
scan=("$bin" scan "$tree" --format json -o "$work/report.json")

# The medians of RUNS runs of the scan (wall and CPU seconds), the shell command `$1` run
# before each, with `$run` the run's number. (measure.py prints one run's wall seconds,
# peak RSS in KiB and CPU seconds.)
medians() {
  local before=$1 wall=() cpu=() run w c
  for run in $(seq 1 "$runs"); do
    eval "$before"
    read -r w _ c < <(python3 bench/measure.py 1 "${scan[@]}")
    wall+=("$w") cpu+=("$c")
  done
  python3 -c 'import statistics, sys; n = len(sys.argv) // 2; w, c = sys.argv[1:n + 1], sys.argv[n + 1:]; print(statistics.median(map(float, w)), statistics.median(map(float, c)))' "${wall[@]}" "${cpu[@]}"
}

read -r cold cold_cpu < <(medians 'rm -rf "$TOLLGATE_CACHE_DIR/kustomize"')
"${scan[@]}" >/dev/null 2>&1 || true # keep every build
read -r warm warm_cpu < <(medians ':')
# A patch of one overlay changed before each run: that overlay alone is built again.
read -r changed changed_cpu < <(medians 'printf "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: %d\n" $((run + 2)) >"$tree/overlays/env-1/replicas.yaml"')
objects=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["summary"]["objects"])' "$work/report.json")

echo "$overlays overlays over one base, $objects objects built; medians of $runs runs"
echo
echo "| builds | wall | CPU |"
echo "|---|---:|---:|"
printf '| every build run | %.3f s | %.2f s |\n' "$cold" "$cold_cpu"
printf '| every build kept | %.3f s | %.2f s |\n' "$warm" "$warm_cpu"
printf '| one overlay changed | %.3f s | %.2f s |\n' "$changed" "$changed_cpu"
