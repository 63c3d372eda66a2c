#!/usr/bin/env bash
# Benchmarks credential scanning (release build): a generated repository of MEGABYTES
# (default 200) with planted credentials, scanned by `tollgate scan --repo` (the rule that
# reads files only), then a 20 MB one scanned by both tollgate and, for comparison,
# detect-secrets from PyPI (which needs minutes even for that). Prints wall time,
# throughput, peak memory and what each found.
#
# usage: bench/secrets.sh [MEGABYTES]
set -euo pipefail
cd "$(dirname "$0")/.."
megabytes=${1:-200}
cargo build --release --locked --quiet
bin=$PWD/target/release/tollgate
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

repository() { # megabytes, directory
  python3 bench/secrets.py "$1" "$2"
  git -C "$2" init -q
  git -C "$2" add -A
  git -C "$2" -c user.name=bench -c user.email=bench@example.com commit -qm tree
  bytes=$(git -C "$2" ls-files -z | (cd "$2" && xargs -0 cat) | wc -c)
}
export TOLLGATE_CACHE_DIR="$work/cache"
"$bin" rules >/dev/null # compile the plugins once: the runs below are warm

measure() { # label, then the command
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || true
  read -r seconds kib < <(tail -n 1 "$work/time")
  python3 -c "import sys; s=float(sys.argv[2]); print(f'{sys.argv[1]:<34} {s:6.2f} s  {int(sys.argv[3])/s/1e6:8.1f} MB/s  {int(sys.argv[4])//1024:5d} MiB peak')" \
    "$label" "$seconds" "$bytes" "$kib"
}

tollgate_runs() { # directory
  for run in 1 2 3; do
    measure "tollgate --repo #$run" "$bin" scan --repo "$1" --rule no-git-credentials --format json -o "$work/report.json"
  done
  python3 - "$work/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
checks = {}
for f in r["findings"]:
    checks[f["check"]] = checks.get(f["check"], 0) + 1
files = len({f["location"]["file"] for f in r["findings"]})
print(f"  -> {r['summary']['files']} files, {len(r['findings'])} findings in {files} files: {checks}")
PY
}

repository "$megabytes" "$work/repo"
tollgate_runs "$work/repo"
rm -rf "$work/repo"
repository 20 "$work/small"
tollgate_runs "$work/small"

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check detect-secrets==1.5.0
cd "$work/small"
measure "detect-secrets 1.5.0 scan" "$work/venv/bin/detect-secrets" scan --all-files .
python3 - "$work/out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
kinds = {}
for findings in r.values():
    for f in findings:
        kinds[f["type"]] = kinds.get(f["type"], 0) + 1
print(f"  -> {sum(kinds.values())} findings in {len(r)} files: {kinds}")
PY
