#!/usr/bin/env bash
# The GitHub Action's lint step: ONE lambdalint run writes the SARIF report (for code
# scanning), the annotations (GitHub shows the first 10 errors and 10 warnings of a step) and
# a Markdown table of every finding for the job summary, which has no such limit.
#
# Environment: LAMBDALINT (the executable), LAMBDALINT_PATHS (space-separated, never
# glob-expanded), LAMBDALINT_FAIL_ON, LAMBDALINT_CONFIG, LAMBDALINT_BASELINE, LAMBDALINT_SARIF,
# LAMBDALINT_ANNOTATIONS and LAMBDALINT_SUMMARY ("true"/"false"), RUNNER_TEMP, GITHUB_OUTPUT,
# GITHUB_STEP_SUMMARY. Prints `exit-code=N` to $GITHUB_OUTPUT; exits non-zero only when
# lambdalint could not write its report (the action's last step fails the job on findings).
set -euo pipefail
set -f  # the paths are taken as given, never glob-expanded

read -r -a paths <<< "${LAMBDALINT_PATHS:-.}"
if [ "${#paths[@]}" -eq 0 ]; then paths=(.); fi
args=(check "${paths[@]}" --fail-on "${LAMBDALINT_FAIL_ON:-warning}" --color never)
if [ -n "${LAMBDALINT_CONFIG:-}" ]; then args+=(--config "$LAMBDALINT_CONFIG"); fi
if [ -n "${LAMBDALINT_BASELINE:-}" ]; then args+=(--baseline "$LAMBDALINT_BASELINE"); fi
args+=(--output-format "sarif:${LAMBDALINT_SARIF:-lambdalint.sarif}")
if [ "${LAMBDALINT_ANNOTATIONS:-true}" = "true" ]; then
  args+=(--output-format github)
else
  args+=(--output-format concise)
fi
summary=""
if [ "${LAMBDALINT_SUMMARY:-true}" = "true" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  summary="$(mktemp "${RUNNER_TEMP:-/tmp}/lambdalint-summary.XXXXXX")"
  args+=(--output-format "markdown:$summary")
fi

# a report left by an earlier run must not pass for this run's
rm -f "${LAMBDALINT_SARIF:-lambdalint.sarif}"
set +e
"${LAMBDALINT:-lambdalint}" "${args[@]}"
code=$?
set -e
echo "exit-code=$code" >> "$GITHUB_OUTPUT"

if [ -n "$summary" ]; then
  if [ -s "$summary" ]; then cat "$summary" >> "$GITHUB_STEP_SUMMARY"; fi
  rm -f "$summary"
fi
if [ ! -s "${LAMBDALINT_SARIF:-lambdalint.sarif}" ]; then
  echo "::error title=lambdalint::lambdalint failed before writing its report (exit $code)"
  exit "$code"
fi
