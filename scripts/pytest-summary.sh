#!/usr/bin/env bash
# Run one pytest command, show its output as it runs, and when it fails append to SUMMARY what
# failed: the failing test ids and pytest's last line ("2 failed, 1229 passed in 290 s").
#
#   bash scripts/pytest-summary.sh LABEL SUMMARY -- pytest [args...]
#
# The output is kept in var/test-logs/<label>.log. The exit code is pytest's.
set -uo pipefail
label=$1 summary=$2
shift 3
mkdir -p var/test-logs
log="var/test-logs/$(printf %s "$label" | tr -cs 'A-Za-z0-9' '-' | sed 's/-$//').log"
"$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then
  {
    if [ "$rc" -eq 5 ]; then
      echo "--- $label: no tests collected (pytest's exit code 5)"
    else
      echo "--- $label: $(tail -n 1 "$log" | sed -E 's/^=+ | =+$//g')"
      grep -E '^(FAILED|ERROR) ' "$log" | head -n 30
      grep -qE '^(FAILED|ERROR) ' "$log" || echo "    (no failing test listed: pytest stopped with exit code $rc)"
    fi
    echo "    full output: $log"
  } >> "$summary"
fi
exit "$rc"
