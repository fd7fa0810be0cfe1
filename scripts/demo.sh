#!/usr/bin/env bash
# The sandbox demo: installs what it needs, prepares the database and serves the admin with a
# Celery worker and the tick running. Stop it with Ctrl-C (the worker and the tick stop with it).
set -euo pipefail
cd "$(dirname "$0")/.."

HOST="${DEMO_HOST:-127.0.0.1}"
PORT="${DEMO_PORT:-8000}"
export DJANGO_SETTINGS_MODULE=sandbox.settings
export SANDBOX_DEBUG="${SANDBOX_DEBUG:-0}"
# Links in the e-mails the demo sends (tracking, unsubscribe) point at this server.
export LMS_ROOT_URL="${LMS_ROOT_URL:-http://${HOST}:${PORT}}"

make --no-print-directory requirements
PY=.venv/bin/python
mkdir -p var

echo "==> Migrating the sandbox database (var/sandbox.sqlite3 unless DATABASE_URL is set)"
$PY manage.py migrate --noinput -v0
$PY manage.py collectstatic --noinput -v0

echo "==> Loading demo courses, learners and example automations"
$PY manage.py demo_setup --password-file var/admin-password.txt

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

echo "==> Starting a Celery worker (log: var/worker.log) and the tick every 30 s (log: var/tick.log)"
.venv/bin/celery -A sandbox worker --queues edx.lms.core.default --concurrency 1 --loglevel INFO \
  --without-gossip --without-mingle >var/worker.log 2>&1 &
pids+=($!)
$PY manage.py automations_tick --loop 30 >var/tick.log 2>&1 &
pids+=($!)

echo
echo "  Sandbox admin:  http://${HOST}:${PORT}/admin/"
echo "  Login:          admin / $(cat var/admin-password.txt)"
echo "  Mail sent:      var/mail/"
echo
$PY manage.py runserver "${HOST}:${PORT}" --noreload --insecure
