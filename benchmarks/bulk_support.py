"""What the set-based benchmarks (``scan_throughput``, ``start_learners``) share: seeding a large
sandbox site in SQL, the database's own bulk insert rate (their baseline, measured in the same
run), counting statements and commits, and resident memory.

Import after ``django.setup()``.
"""
import contextlib
import resource
import time

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

DIGITS = " UNION ALL ".join(f"SELECT {digit} AS d" for digit in range(10))


def option(options, name, default):
    """``options.name`` or ``options[name]`` (``run_all`` may pass a namespace or a dict)."""
    if options is None:
        return default
    value = options.get(name) if isinstance(options, dict) else getattr(options, name, None)
    return default if value is None else value


def sizes(options, name, default):
    value = option(options, name, None) or option(options, "sizes", None) or default
    return [int(size) for size in (value if isinstance(value, (list, tuple)) else [value])]


def concat(*parts):
    return f"CONCAT({', '.join(parts)})" if connection.vendor == "mysql" else " || ".join(parts)


def numbers(count):
    """A derived table ``n(i)`` of 0 … count-1 from cross-joined digits (every database, no CTE)."""
    places = max(1, len(str(max(count - 1, 1))))
    joins = " CROSS JOIN ".join(f"({DIGITS}) d{place}" for place in range(places))
    value = " + ".join(f"d{place}.d * {10 ** place}" for place in range(places))
    return f"(SELECT {value} AS i FROM {joins}) n WHERE n.i < {int(count)}"


def fresh_database():
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)


def seed_learners(count, prefix, joined):
    """``count`` learner accounts in one statement; returns their ids' range ``(low, high)``."""
    from django.contrib.auth import get_user_model  # pylint: disable=import-outside-toplevel

    table = connection.ops.quote_name(get_user_model()._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (password, is_superuser, username, first_name, last_name, email, is_staff, "
            f"is_active, date_joined) SELECT '!', FALSE, {concat(repr(prefix), 'n.i')}, '', '', '', FALSE, TRUE, %s "
            f"FROM {numbers(count)}", [connection.ops.adapt_datetimefield_value(joined)])
    users = get_user_model().objects.filter(username__startswith=prefix)
    return users.order_by("pk").values_list("pk", flat=True).first(), users.order_by("-pk").values_list(
        "pk", flat=True).first()


def analyze(*models):
    """Refresh the planner's statistics of freshly seeded tables, as a live site's autovacuum (or
    InnoDB's persistent statistics) has them: without, PostgreSQL plans a keyset page over a table
    it believes empty as a full sort."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in models:
            table = quote(model._meta.db_table)
            cursor.execute({"mysql": f"ANALYZE TABLE {table}", "sqlite": "ANALYZE"}.get(
                connection.vendor, f"ANALYZE {table}"))
            if connection.vendor == "mysql":
                cursor.fetchall()


def bulk_insert_rate(rows):
    """The database's own rate of writing ``rows`` Event rows (indexes and all) with one
    ``INSERT … SELECT``: what a set-based write on this database cannot beat. The rows are removed."""
    from lms_automations.models import Event  # pylint: disable=import-outside-toplevel

    table = connection.ops.quote_name(Event._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    from django.utils import timezone  # pylint: disable=import-outside-toplevel

    now = adapt(timezone.now())
    payload = {"mysql": "JSON_OBJECT('i', n.i)", "postgresql": "jsonb_build_object('i', n.i)"}.get(
        connection.vendor, "json_object('i', n.i)")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (event_type, user_id, payload, occurred_at, source, idempotency_key, recorded_at, "
            f"dispatch_status, dispatch_note, dispatch_attempts) SELECT 'bench.baseline', n.i + 1, {payload}, %s, "
            f"'scan', {concat(repr('baseline:'), 'n.i')}, %s, 'pending', '', 0 FROM {numbers(rows)}", [now, now])
        elapsed = time.perf_counter() - started
        cursor.execute(f"DELETE FROM {table} WHERE event_type = 'bench.baseline'")
    return rows / elapsed


@contextlib.contextmanager
def counting():
    """``{"statements", "commits"}`` run inside the block (Django's query capture; commits counted
    where Django commits a transaction it opened)."""
    counts = {"statements": 0, "commits": 0}
    original = connection.commit

    def commit():
        counts["commits"] += 1
        return original()

    connection.commit = commit
    try:
        with CaptureQueriesContext(connection) as captured:
            yield counts
    finally:
        connection.commit = original
    counts["statements"] = len(captured.captured_queries)


def peak_rss_mb():
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def row(name, size, value, unit, baseline_name=None, baseline_value=None, statements=None, commits=None,
        events=None):
    """One line of ``make bench``'s table."""
    ratio = round(value / baseline_value, 3) if baseline_value else None

    def per(count):
        return round(count / events, 4) if events and count is not None else None

    return {"name": name, "size": size, "value": round(value, 3), "unit": unit, "baseline_name": baseline_name,
            "baseline_value": None if baseline_value is None else round(baseline_value, 3), "ratio": ratio,
            "statements_per_event": per(statements), "commits_per_event": per(commits)}
