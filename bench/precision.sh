#!/usr/bin/env bash
# Precision of the credential detectors on real code: a Git repository made of the Rust
# crate sources in the local cargo registry (~/.cargo/registry/src: real code that holds
# few credentials), scanned by tollgate (`--repo`, rule no-git-credentials), detect-secrets
# 1.5.0 and trufflehog3 3.0.10 (both from PyPI, installed into target/precision-venv).
# Prints the size scanned, each tool's finding count and every tollgate finding
# (file:line check evidence) for review by hand; the reports stay in target/precision/.
# The peers need tens of minutes: their reports are kept per Git tree and reused while
# the sources are the same.
#
# usage: bench/precision.sh [REGISTRY_SRC]   (default: ~/.cargo/registry/src)
set -euo pipefail
cd "$(dirname "$0")/.."
sources=${1:-$HOME/.cargo/registry/src}
work=$PWD/target/precision
venv=$PWD/target/precision-venv
repo=$work/repo
mkdir -p "$work"

if ! "$venv/bin/python" -c "import detect_secrets, trufflehog3" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check detect-secrets==1.5.0 trufflehog3==3.0.10
fi
cargo build --locked --quiet
bin=$PWD/target/debug/tollgate

# The repository: every crate directory of the registry, one commit.
rm -rf "$repo"
mkdir -p "$repo"
for index in "$sources"/*/; do
  cp -R "$index"/. "$repo"/
done
git -C "$repo" init -q
git -C "$repo" add -A -f
git -C "$repo" -c user.name=bench -c user.email=bench@example.com -c commit.gpgsign=false commit -qm sources
tree=$(git -C "$repo" rev-parse 'HEAD^{tree}')
megabytes=$(du -sm --exclude=.git "$repo" | cut -f1)
files=$(git -C "$repo" ls-files | wc -l)
echo "scanned: $files files, $megabytes MB from $sources (tree ${tree:0:12})"

TOLLGATE_CACHE_DIR=$work/cache "$bin" scan --repo "$repo" --rule no-git-credentials \
  --fail-on never --format json -o "$work/tollgate.json" || true
if [ ! -s "$work/detect-secrets-$tree.json" ]; then
  (cd "$repo" && "$venv/bin/detect-secrets" scan --all-files . >"$work/detect-secrets.tmp")
  mv "$work/detect-secrets.tmp" "$work/detect-secrets-$tree.json"
fi
if [ ! -s "$work/trufflehog3-$tree.json" ]; then
  "$venv/bin/trufflehog3" --no-history --zero --format JSON -o "$work/trufflehog3.tmp" "$repo" 2>/dev/null
  mv "$work/trufflehog3.tmp" "$work/trufflehog3-$tree.json"
fi

python3 - "$work" "$tree" <<'PY'
import json, sys
work, tree = sys.argv[1:3]
tollgate = json.load(open(f"{work}/tollgate.json"))
detect = json.load(open(f"{work}/detect-secrets-{tree}.json"))
truffle = json.load(open(f"{work}/trufflehog3-{tree}.json"))
found = tollgate["findings"]
print(f"tollgate       {len(found):6d} findings ({tollgate['summary']['errors']} errors)")
print(f"detect-secrets {sum(len(v) for v in detect['results'].values()):6d} findings")
print(f"trufflehog3    {len(truffle):6d} findings")
for f in found:
    at = f["location"]
    print(f"  {at['file']}:{at['line']} {f['check']} {f.get('evidence', '')}")
PY
