#!/usr/bin/env bash
# Starts MariaDB, PostgreSQL and Redis if they are down (installing them if missing), waits until
# each answers, and prepares the `lms_automations` test user on both databases. Safe to re-run.
set -euo pipefail

SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
apt_install() {
  echo "==> installing $*"
  $SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}
wait_for() {  # wait_for NAME COMMAND...
  local name=$1; shift
  for _ in $(seq 1 60); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  echo "$name did not come up within 60 s" >&2; return 1
}

# --- MariaDB ------------------------------------------------------------------------------------
command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || apt_install mariadb-server
if ! mariadb -e 'select 1' >/dev/null 2>&1; then
  echo "==> starting MariaDB"
  $SUDO mkdir -p /run/mysqld && $SUDO chown mysql:mysql /run/mysqld 2>/dev/null || true
  $SUDO start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
fi
wait_for MariaDB mariadb -e 'select 1'
$SUDO mariadb <<'SQL'
CREATE USER IF NOT EXISTS 'lms_automations'@'localhost' IDENTIFIED BY 'lms_automations';
CREATE USER IF NOT EXISTS 'lms_automations'@'127.0.0.1' IDENTIFIED BY 'lms_automations';
GRANT ALL PRIVILEGES ON `lms_automations`.* TO 'lms_automations'@'localhost', 'lms_automations'@'127.0.0.1';
GRANT ALL PRIVILEGES ON `test\_lms_automations%`.* TO 'lms_automations'@'localhost', 'lms_automations'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL

# --- PostgreSQL ---------------------------------------------------------------------------------
command -v pg_ctlcluster >/dev/null || apt_install postgresql
if ! su postgres -c "psql -tAc 'select 1'" >/dev/null 2>&1; then
  echo "==> starting PostgreSQL"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
fi
wait_for PostgreSQL su postgres -c "psql -tAc 'select 1'"
su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='lms_automations'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"CREATE ROLE lms_automations LOGIN CREATEDB PASSWORD 'lms_automations'\""
su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='lms_automations'\"" | grep -q 1 \
  || su postgres -c "psql -qc 'CREATE DATABASE lms_automations OWNER lms_automations'"

# --- Redis --------------------------------------------------------------------------------------
command -v redis-server >/dev/null || apt_install redis-server
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  echo "==> starting Redis"
  $SUDO mkdir -p /var/lib/redis /var/log/redis
  $SUDO redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
wait_for Redis redis-cli -h 127.0.0.1 ping

echo "services ready: mysql://lms_automations@127.0.0.1:3306, postgres://lms_automations@127.0.0.1:5432, redis://127.0.0.1:6379"
