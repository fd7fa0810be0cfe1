#!/usr/bin/env bash
# Makes MariaDB, PostgreSQL, Redis and RabbitMQ available for `make test-services`:
#   - installs any that is missing (Debian packages), starts any that is down, waits until each
#     answers (at most 60 s each);
#   - prepares the test user: MariaDB 'lms_automations'@'localhost'/'127.0.0.1' and the PostgreSQL
#     role lms_automations (CREATEDB), password 'lms_automations' on both, allowed to create and drop
#     the test_* databases Django's test runner makes (test_<NAME>, test_<NAME>_gw<N> under xdist);
#   - loads MariaDB's time-zone tables if empty (Django's time-zone-aware date functions need them).
# Safe to run again and again: every step checks before it acts. Prints the URLs it prepared.
set -euo pipefail

SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
WAIT_SECONDS=${WAIT_SECONDS:-60}
export PATH="$PATH:/usr/sbin:/sbin"

APT_UPDATED=""
apt_install() {
  echo "==> installing $* (Debian packages)"
  if [ -z "$APT_UPDATED" ]; then $SUDO apt-get update -qq >/dev/null; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

wait_for() {  # wait_for NAME COMMAND... : polls COMMAND until it succeeds, for at most WAIT_SECONDS
  local name=$1; shift
  local deadline=$((SECONDS + WAIT_SECONDS))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "$name did not answer within ${WAIT_SECONDS} s" >&2
      return 1
    fi
    sleep 0.5
  done
}

as_postgres() { (cd / && if [ "$(id -un)" = postgres ]; then "$@"; else $SUDO su postgres -s /bin/sh -c "$(printf "%q " "$@")"; fi); }
pg() { as_postgres psql -v ON_ERROR_STOP=1 -qtAX "$@"; }
maria() { $SUDO mariadb --protocol=socket -u root "$@"; }

# --- MariaDB ------------------------------------------------------------------------------------
[ -x /usr/sbin/mariadbd ] || apt_install mariadb-server mariadb-client
if ! maria -e 'SELECT 1' >/dev/null 2>&1; then
  echo "==> starting MariaDB"
  $SUDO install -d -o mysql -g mysql /run/mysqld 2>/dev/null || $SUDO mkdir -p /run/mysqld
  $SUDO start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
fi
wait_for MariaDB maria -e 'SELECT 1'
maria <<'SQL'
CREATE USER IF NOT EXISTS 'lms_automations'@'localhost' IDENTIFIED BY 'lms_automations';
CREATE USER IF NOT EXISTS 'lms_automations'@'127.0.0.1' IDENTIFIED BY 'lms_automations';
ALTER USER 'lms_automations'@'localhost' IDENTIFIED BY 'lms_automations';
ALTER USER 'lms_automations'@'127.0.0.1' IDENTIFIED BY 'lms_automations';
GRANT ALL PRIVILEGES ON `lms_automations`.* TO 'lms_automations'@'localhost', 'lms_automations'@'127.0.0.1';
GRANT ALL PRIVILEGES ON `test\_%`.* TO 'lms_automations'@'localhost', 'lms_automations'@'127.0.0.1';
-- the benchmarks' own databases (benchmarks/run_all.py: lms_automations_bench, …)
GRANT ALL PRIVILEGES ON `lms\_automations\_%`.* TO 'lms_automations'@'localhost', 'lms_automations'@'127.0.0.1';
CREATE DATABASE IF NOT EXISTS `lms_automations` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
FLUSH PRIVILEGES;
SQL
if [ "$(maria -N -e 'SELECT COUNT(*) FROM mysql.time_zone_name')" = 0 ]; then
  echo "==> loading MariaDB's time-zone tables"
  tzload=$(command -v mariadb-tzinfo-to-sql || command -v mysql_tzinfo_to_sql || true)
  if [ -n "$tzload" ] && [ -d /usr/share/zoneinfo ]; then
    "$tzload" /usr/share/zoneinfo 2>/dev/null | maria mysql
  else
    echo "    (no tzinfo loader or /usr/share/zoneinfo: skipped)"
  fi
fi

# --- PostgreSQL ---------------------------------------------------------------------------------
command -v pg_ctlcluster >/dev/null || apt_install postgresql
if ! pg -c 'SELECT 1' >/dev/null 2>&1; then
  echo "==> starting PostgreSQL"
  # The machine's documented command, with the newest cluster version if there are several.
  # shellcheck disable=SC2012
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
fi
wait_for PostgreSQL pg -c 'SELECT 1'
if [ "$(pg -c "SELECT 1 FROM pg_roles WHERE rolname = 'lms_automations'")" != 1 ]; then
  pg -c "CREATE ROLE lms_automations LOGIN CREATEDB PASSWORD 'lms_automations'"
else
  pg -c "ALTER ROLE lms_automations LOGIN CREATEDB PASSWORD 'lms_automations'"
fi
if [ "$(pg -c "SELECT 1 FROM pg_database WHERE datname = 'lms_automations'")" != 1 ]; then
  pg -c 'CREATE DATABASE lms_automations OWNER lms_automations'
fi

# --- Redis --------------------------------------------------------------------------------------
command -v redis-server >/dev/null || apt_install redis-server
if ! redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
  echo "==> starting Redis"
  $SUDO mkdir -p /var/lib/redis /var/log/redis
  $SUDO redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
wait_for Redis sh -c 'redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG'

# --- RabbitMQ (the broker tests run on it too; guest/guest, which RabbitMQ allows from localhost) --
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if ! port_open 5672; then
  command -v rabbitmq-server >/dev/null || [ -x /usr/sbin/rabbitmq-server ] || apt_install rabbitmq-server
  echo "==> starting RabbitMQ"
  $SUDO rabbitmq-server -detached >/dev/null 2>&1 || true
fi
WAIT_SECONDS=$((WAIT_SECONDS * 2)) wait_for RabbitMQ port_open 5672

# --- check the test user over TCP, as the tests connect --------------------------------------------
wait_for "MariaDB login as lms_automations" \
  mariadb -h 127.0.0.1 -P 3306 -u lms_automations -plms_automations -e 'SELECT 1' lms_automations
wait_for "PostgreSQL login as lms_automations" \
  env PGPASSWORD=lms_automations psql -h 127.0.0.1 -p 5432 -U lms_automations -d lms_automations -qtAXc 'SELECT 1'

echo "==> services ready:"
echo "    DATABASE_URL=mysql://lms_automations:lms_automations@127.0.0.1:3306/lms_automations"
echo "    DATABASE_URL=postgres://lms_automations:lms_automations@127.0.0.1:5432/lms_automations"
echo "    CELERY_BROKER_URL=redis://127.0.0.1:6379/<N>"
echo "    CELERY_BROKER_URL=amqp://guest:guest@127.0.0.1:5672//"
