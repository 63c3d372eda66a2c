#!/usr/bin/env bash
# The scan step of the tollgate GitHub Action (action.yml): one scan to a JSON report, then
# SARIF for code scanning and Markdown appended to the job summary, both rendered from that
# report. It writes the step outputs (report, sarif, exit-code) and exits 0 once they are
# written, so that the SARIF upload runs before the action's last step fails the job on
# tollgate's exit code (0 pass, 1 findings, 2 errors).
#
# Inputs, as the action passes them:
#   INPUT_PATHS    files or directories to scan, whitespace-separated (default: .)
#   INPUT_FAIL_ON  lowest failing severity (default: the config's, else low)
#   INPUT_ARGS     more `tollgate scan` arguments, whitespace-separated
#   TOLLGATE       the tollgate binary (default: tollgate on PATH)
#   RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY  as GitHub Actions sets them
set -euo pipefail

tollgate="${TOLLGATE:-tollgate}"
out_dir="${RUNNER_TEMP:?RUNNER_TEMP is not set}/tollgate"
mkdir -p "$out_dir"
report="$out_dir/report.json"
sarif="$out_dir/report.sarif"

# Words separated by spaces or new lines (read stops at the NUL it never finds: status 1).
read -r -d '' -a paths <<<"${INPUT_PATHS:-}" || true
[ "${#paths[@]}" -gt 0 ] || paths=(.)
read -r -d '' -a extra <<<"${INPUT_ARGS:-}" || true
fail_on=()
if [ -n "${INPUT_FAIL_ON:-}" ]; then
    fail_on=(--fail-on "$INPUT_FAIL_ON")
fi

code=0
"$tollgate" scan "${paths[@]}" "${fail_on[@]}" "${extra[@]}" --format json -o "$report" || code=$?
if [ ! -s "$report" ]; then
    # A usage error or an unreadable config: no report to render.
    echo "tollgate: the scan wrote no report (exit code $code)" >&2
    exit "$code"
fi
# `tollgate report` exits with the report's code: whether it rendered is whether the file is there.
render() {
    rm -f "$2"
    "$tollgate" report "$report" --format "$1" -o "$2" || true
    if [ ! -s "$2" ]; then
        echo "tollgate: cannot render $report as $1" >&2
        exit 2
    fi
}
render sarif "$sarif"
render markdown "$out_dir/summary.md"
cat "$out_dir/summary.md" >>"${GITHUB_STEP_SUMMARY:?GITHUB_STEP_SUMMARY is not set}"

{
    echo "report=$report"
    echo "sarif=$sarif"
    echo "exit-code=$code"
} >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
