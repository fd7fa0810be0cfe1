"""Every benchmark in one table: ``make bench`` or ``python benchmarks/run_all.py [options]``.

Imports each benchmark module of this folder that defines ``results(options) -> list[dict]``
(keys: name, size, value, unit, baseline_name, baseline_value, ratio, statements_per_event,
commits_per_event) and prints their rows together; a module that is absent is skipped. Figures are
printed, never asserted. ``--database`` chooses SQLite (a file), PostgreSQL or MariaDB (their own
benchmark database, created if missing); ``--size`` chooses a preset of sizes::

    small   events 200,1000      waiting 10k,100k   due 2k,2k      (a few minutes)
    medium  events 1000,5000     waiting 10k,200k   due 10k,10k
    full    events 1000,5000     waiting 10k,1M     due 100k,100k  (the issue's sizes)
"""
import argparse
import importlib
import os
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
MODULES = ["engine_throughput", "wake_ups", "host_cost", "scan_throughput", "start_learners"]
DATABASES = {
    "postgres": "postgres://lms_automations:lms_automations@127.0.0.1:5432/lms_automations_bench",
    "mariadb": "mysql://lms_automations:lms_automations@127.0.0.1:3306/lms_automations_bench",
}
PRESETS = {
    "small": {"events": [200, 1000], "waiting": [10000, 100000], "due": [2000, 2000]},
    "medium": {"events": [1000, 5000], "waiting": [10000, 200000], "due": [10000, 10000]},
    "full": {"events": [1000, 5000], "waiting": [10000, 1000000], "due": [100000, 100000]},
}


def setup(options):
    """Point the sandbox at the chosen database and broker, create the database, migrate."""
    url = DATABASES.get(options.database, options.database)
    if url and url != "sqlite":
        os.environ["DATABASE_URL"] = url
        _create_database(url)
    if getattr(options, "broker", ""):
        os.environ["CELERY_BROKER_URL"] = options.broker
        # Workers and this process share the definitions version, as the LMS's processes do.
        os.environ.setdefault("SANDBOX_CACHE_URL", options.broker.rsplit("/", 1)[0] + "/13")
    import bench_env  # noqa: F401  (the sandbox settings, DEBUG off)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _create_database(url):
    from urllib.parse import urlparse

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if parsed.scheme.startswith("postgres"):
        import psycopg

        with psycopg.connect(host=parsed.hostname, port=parsed.port or 5432, user=parsed.username,
                             password=parsed.password, dbname="postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    elif parsed.scheme.startswith("mysql"):
        import pymysql

        conn = pymysql.connect(host=parsed.hostname, port=parsed.port or 3306, user=parsed.username,
                               password=parsed.password or "")
        conn.cursor().execute(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4")
        conn.close()


def _number(value):
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def print_table(rows):
    header = ["figure", "size", "value", "unit", "baseline (same run)", "baseline value", "ratio",
              "statements/event", "commits/event"]
    lines = [[row["name"], _number(row["size"]), _number(row["value"]), row["unit"], row["baseline_name"] or "—",
              _number(row["baseline_value"]), _number(row["ratio"]), _number(row["statements_per_event"]),
              _number(row["commits_per_event"])] for row in rows]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for line in lines:
        print("| " + " | ".join(line) + " |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="sqlite", help="sqlite, postgres, mariadb or a DATABASE_URL")
    parser.add_argument("--size", choices=sorted(PRESETS), default="small")
    parser.add_argument("--only", default="", help="comma-separated module names to run")
    import engine_throughput
    import host_cost

    engine_throughput.add_arguments(parser)
    host_cost.add_arguments(parser)
    options, _unknown = parser.parse_known_args()
    preset = PRESETS[options.size]
    for name in ("events", "waiting", "due"):
        if f"--{name}" not in sys.argv:
            setattr(options, name, preset[name])
    setup(options)
    print(f"# {platform.node()} ({os.cpu_count()} cores), database {options.database}, "
          f"broker {options.broker or 'none'}, size {options.size}")
    rows = []
    for name in MODULES if not options.only else options.only.split(","):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        if hasattr(module, "results"):
            rows.extend(module.results(options))
    print_table(rows)


if __name__ == "__main__":
    main()
