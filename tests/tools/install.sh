#!/usr/bin/env bash
# Installs the real external tools the end-to-end tests use, into target/test-tools
# (Chromium and ssh-keygen come from Debian): the SARIF multitool (npm), Python with compliance-trestle
# (OSCAL models), junitparser, jsonschema, pre-commit, PyYAML (the reference reader of the
# differential YAML test), componentize-py (builds the Python example rule) and cmarkgfm (GitHub's
# Markdown engine, for the Markdown diff) (PyPI), headless
# Chromium and OpenSSH's ssh-keygen. Idempotent: what is already there is kept. The tests fail, naming this script,
# when a tool is missing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="$root/target/test-tools"
mkdir -p "$tools"

sarif() {
    local bin="$tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
    if [ ! -e "$bin" ]; then
        (cd "$tools" && npm install --no-audit --no-fund --loglevel=error @microsoft/sarif-multitool@5.7.0)
    fi
    # npm does not run the package's install script that makes it executable.
    chmod u+x "$bin"
}

python_tools() {
    local python="$tools/venv/bin/python"
    if ! "$python" -c "import trestle, junitparser, jsonschema, pre_commit, yaml, componentize_py, cmarkgfm" 2>/dev/null; then
        python3 -m venv "$tools/venv"
        "$python" -m pip install --quiet --disable-pip-version-check \
            compliance-trestle==5.2.0 junitparser==5.0.3 jsonschema==4.26.0 pre-commit==4.7.0 \
            PyYAML==6.0.4 componentize-py==0.25.1 cmarkgfm==2025.10.22
    fi
}

# Headless Chromium (the HTML report, the diff as a GitHub comment) and OpenSSH's ssh-keygen (signed reports), in one
# apt-get run: two at once would contend for dpkg's lock.
debian_packages() {
    local missing=()
    command -v chromium >/dev/null || missing+=(chromium)
    command -v ssh-keygen >/dev/null || missing+=(openssh-client)
    # The emoji of the Markdown diff's heading, in the screenshot of docs/report-diff.png.
    dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || missing+=(fonts-noto-color-emoji)
    if [ "${#missing[@]}" = 0 ]; then
        return
    fi
    local sudo=""
    if [ "$(id -u)" != 0 ]; then
        sudo="sudo"
    fi
    $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
        { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; }
}

# In parallel: each writes its own log, shown only when it fails.
pids=()
for step in sarif python_tools debian_packages; do
    ( "$step" >"$tools/$step.log" 2>&1 ) &
    pids+=("$!:$step")
done
failed=0
for entry in "${pids[@]}"; do
    if ! wait "${entry%%:*}"; then
        echo "tests/tools/install.sh: ${entry#*:} failed:" >&2
        cat "$tools/${entry#*:}.log" >&2
        failed=1
    fi
done
exit "$failed"
