#!/usr/bin/env bash
# Asserts that two readyctl binaries write the same JSON report for each
# tree: an optimisation must not change what an audit says.
#
#   bash bench/same-report.sh BEFORE_BINARY AFTER_BINARY TREE...
#
# The audit time and the timestamp are the only fields allowed to differ.
set -euo pipefail
[[ $# -ge 3 ]] || { echo "usage: bench/same-report.sh BEFORE AFTER TREE..." >&2; exit 2; }
before=$1 after=$2
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The volatile fields, wherever they are nested.
normalise='walk(if type == "object" then del(.generated_at, .duration_ms) else . end)'
status=0
for tree in "$@"; do
    for side in before after; do
        # The "wrote …" line goes to a log, shown only when the audit fails.
        "${!side}" audit "$tree" --format json --exit-zero --no-repo-checks -o "$work/$side.raw.json" 2>"$work/$side.log" ||
            { cat "$work/$side.log" >&2; exit 2; }
        jq -S "$normalise" "$work/$side.raw.json" >"$work/$side.json"
    done
    if cmp -s "$work/before.json" "$work/after.json"; then
        echo "same: $tree ($(jq '[.checks[].findings | length] | add' "$work/after.json") findings)"
    else
        echo "DIFFERENT: $tree" >&2
        diff "$work/before.json" "$work/after.json" | head -40 >&2
        status=1
    fi
done
exit $status
