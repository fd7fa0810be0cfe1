#!/usr/bin/env bash
# The whole test suite, as `make test-all` and CI run it: the default suite (Python 3.11, SQLite), the
# oldest supported row (Python 3.11, Django 4.2, openedx-events 9.x), the services suite (Python 3.12
# on MariaDB, then PostgreSQL, broker tests on Redis — it starts the services it needs), the browser
# checks (headless Chromium) and lint. Every make target creates the venv it needs. Each pytest run
# fails when it collects no test (exit 5), so a run that tested nothing cannot pass. Every step runs
# even after a failure, so one run reports everything; the script fails if any step did.
set -euo pipefail
cd "$(dirname "$0")/.."

start=$SECONDS
failed=()
step() {
  echo
  echo "=== $* (at $((SECONDS - start)) s)"
  if ! make --no-print-directory "$@"; then
    failed+=("$*")
    echo "=== FAILED: make $*"
  fi
}

step test
step test-oldest
step test-services
step test-browser
step quality

echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "=== the test suite failed after $((SECONDS - start)) s; failed steps:"
  for name in "${failed[@]}"; do echo "    make $name"; done
  # test-services says which runs failed and which tests (its summary file, kept per run).
  if [[ " ${failed[*]} " == *" test-services "* && -f var/test-logs/test-services.summary ]]; then
    echo "=== what failed in test-services:"
    cat var/test-logs/test-services.summary
  fi
  exit 1
fi
echo "=== the whole test suite passed in $((SECONDS - start)) s"
