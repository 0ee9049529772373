#!/usr/bin/env bash
# The audit step of the readyctl Action (action.yml): runs `readyctl audit`
# with the Action's inputs, writes the Markdown report to the job summary,
# and exposes score, verdict and the JSON report's path as step outputs.
# The gate's exit code is kept for the Action's last step, so the SARIF
# upload still happens when the gate fails.
set -uo pipefail

out_dir="${RUNNER_TEMP:-/tmp}/readyctl"
mkdir -p "$out_dir"
json="$out_dir/readyctl.json"
sarif="$out_dir/readyctl.sarif"

args=(audit "${INPUT_PATH:-.}" --report "json=$json" --report "sarif=$sarif")
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  args+=(--report "markdown=$GITHUB_STEP_SUMMARY")
fi
if [ -n "${INPUT_CONFIG:-}" ]; then args+=(--config "$INPUT_CONFIG"); fi
if [ -n "${INPUT_FAIL_UNDER:-}" ]; then args+=(--fail-under "$INPUT_FAIL_UNDER"); fi
if [ -n "${INPUT_FAIL_ON:-}" ]; then args+=(--fail-on "$INPUT_FAIL_ON"); fi
if [ -n "${INPUT_STAGE:-}" ]; then args+=(--stage "$INPUT_STAGE"); fi
if [ -n "${INPUT_BASELINE:-}" ]; then args+=(--baseline "$INPUT_BASELINE"); fi
if [ -n "${INPUT_FORMAT:-}" ]; then args+=(--format "$INPUT_FORMAT"); fi
# Extra arguments, split on whitespace like a command line without quotes.
if [ -n "${INPUT_ARGS:-}" ]; then
  read -r -a extra <<< "$INPUT_ARGS"
  args+=("${extra[@]}")
fi

"${READYCTL:-readyctl}" "${args[@]}"
code=$?

score=""
verdict=""
if [ -s "$json" ]; then
  score="$(jq -r '.summary.score // ""' "$json")"
  verdict="$(jq -r '.summary.verdict // ""' "$json")"
fi
{
  echo "score=$score"
  echo "verdict=$verdict"
  echo "report-path=$json"
  echo "sarif-path=$sarif"
  echo "exit-code=$code"
} >> "${GITHUB_OUTPUT:-/dev/null}"
# 0 and 1 are verdicts the last step applies; 2 is a usage or input error.
if [ "$code" -ge 2 ]; then
  exit "$code"
fi
exit 0
