"""The daily inactivity scan over many enrolments: ``python benchmarks/scan_throughput.py [--enrolments N ...]``.

Prints figures and ratios (never asserts), against the sandbox host on its own database
(``DATABASE_URL`` for MariaDB/PostgreSQL): the first scan of a site (two thirds of its learners
quiet for 40 days: three threshold events each; the automation listening, and the watermarks
set, 41 days before — the heaviest first scan since ADR 0015), set beside the database's own rate of inserting
as many Event rows in one ``INSERT … SELECT``; the next day's scan (the same streaks, nothing new),
set beside one read of the host's enrolment query; statements and commits per event; the peak
resident memory of the process. Dispatch of the recorded events is not part of the figure (no
broker): the scan's own work is. ``results(options)`` gives the same as rows for ``make bench``.
"""
import argparse
import datetime
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_env  # noqa: F401  (the sandbox settings, DEBUG off, the benchmark database)

COURSES = 10
DEFAULT_SIZES = [20000, 100000]


def results(options=None):
    import django

    django.setup()
    import bulk_support  # pylint: disable=import-outside-toplevel

    rows = []
    for size in bulk_support.sizes(options, "enrolments", DEFAULT_SIZES):
        rows += measure(size)
    return rows


def measure(enrolments):
    """Seed ``enrolments`` (learners × 10 courses), scan twice, and return the table's rows."""
    import bulk_support  # pylint: disable=import-outside-toplevel
    from django.db import connection
    from django.utils import timezone

    from lms_automations import recording, scans
    from lms_automations.models import Automation, Event, PeriodicScan, Trigger
    from sandbox.lms.host_backend import SandboxHost

    bulk_support.fresh_database()
    handed = recording.hand_over
    recording.hand_over = lambda *args: None  # no broker here: measure the scan, not the dispatch
    try:
        automation = Automation.objects.create(name="quiet learners", status=Automation.STATUS.active)
        Trigger.objects.create(automation=automation, position=0, event_type="activity.inactive")
        now = timezone.now()
        # The heaviest first scan a site can have since ADR 0015: its automation has listened for 41
        # days, and the tick has not scanned since (the whole quiet history is inside the windows).
        since = now - datetime.timedelta(days=41)
        Trigger.objects.filter(automation=automation).update(listening_since=since)
        PeriodicScan.objects.filter(name__startswith="inactivity:").update(last_run_at=since)
        _seed(enrolments // COURSES, now)
        total = SandboxHost().enrollment_activity().count()
        thresholds = [7, 14, 30]
        rss_before = bulk_support.peak_rss_mb()
        with bulk_support.counting() as first_counts:
            started = time.perf_counter()
            recorded = scans.scan_inactivity(now, thresholds)
            first = time.perf_counter() - started
        rss_scan = bulk_support.peak_rss_mb()
        insert_rate = bulk_support.bulk_insert_rate(recorded)
        with bulk_support.counting() as next_counts:
            started = time.perf_counter()
            again = scans.scan_inactivity(now + datetime.timedelta(hours=24), thresholds)
            next_day = time.perf_counter() - started
        # A later day with new streaks: a fortieth of the learners was last active five days ago, so
        # their streaks reach 7 days on day two (a site's daily share of its enrolments, spread
        # over 40 days); the windows go to the host, which reads these candidates only.
        new_streaks = _add_recent_activity(now - datetime.timedelta(days=5))
        with bulk_support.counting() as later_counts:
            started = time.perf_counter()
            later = scans.scan_inactivity(now + datetime.timedelta(hours=48), thresholds)
            later_day = time.perf_counter() - started
        read_once = _read_host_query_once()
        rss_after = bulk_support.peak_rss_mb()
        stored = Event.objects.filter(event_type="activity.inactive").count()
    finally:
        recording.hand_over = handed
    vendor = connection.vendor
    print(f"[{vendor}] first scan: {total} enrolments in {first:.2f} s ({total / first:.0f} enrolments/s), "
          f"{recorded} events ({stored} stored; {recorded / first:.0f} events/s against the database's bulk "
          f"insert of {insert_rate:.0f} rows/s), {first_counts['statements']} statements, "
          f"{first_counts['commits']} commits")
    print(f"[{vendor}] next day: {next_day:.2f} s ({again} new), {next_counts['statements']} statements; one read "
          f"of the host query {read_once:.2f} s; peak RSS {rss_scan:.0f} MB after the first scan, "
          f"{rss_after:.0f} MB after the next day's (before the scans {rss_before:.0f} MB)")
    print(f"[{vendor}] a later day ({new_streaks} activity days added 5 days before): {later_day:.2f} s ({later} new), "
          f"{later_counts['statements']} statements, {later_counts['commits']} commits")
    return [
        bulk_support.row(f"scan first day, events/s [{vendor}]", total, recorded / first, "events/s",
                         "bulk INSERT … SELECT of Event rows", insert_rate, first_counts["statements"],
                         first_counts["commits"], recorded),
        bulk_support.row(f"scan first day, duration [{vendor}]", total, first, "s"),
        bulk_support.row(f"scan next day, duration [{vendor}]", total, next_day, "s",
                         "one read of the host's enrolment query (s)", read_once),
        bulk_support.row(f"scan a later day, {new_streaks} activity days added, duration [{vendor}]", total,
                         later_day, "s",
                         "one read of the host's enrolment query (s)", read_once, later_counts["statements"],
                         later_counts["commits"], later),
        bulk_support.row(f"scan peak RSS of the process [{vendor}]", total, rss_after, "MB",
                         "peak RSS before the scans (MB)", rss_before),
    ]


def _read_host_query_once():
    """Seconds to evaluate the host's enrolment query once over the whole site, last activity
    included (what any scan must at least read), counted in the database."""
    from django.db import connection

    from lms_automations.inactivity_sql import DIALECTS
    from sandbox.lms.host_backend import SandboxHost

    sql, params = SandboxHost().enrollment_activity().query.get_compiler(connection=connection).as_sql()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql} {DIALECTS[connection.vendor]['fence']}) a "
                       f"WHERE a.last_activity_at IS NOT NULL", params)
        cursor.fetchone()
    return time.perf_counter() - started


def _add_recent_activity(day):
    """Every fortieth learner, quiet until now, was active on ``day`` in each course; returns how many
    enrolments that makes."""
    from django.db import connection

    from sandbox.lms import models

    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(models.UserActivity._meta.db_table)} (user_id, course_key, date) "
            f"SELECT e.user_id, c.course_key, %s FROM {quote(models.CourseEnrollment._meta.db_table)} e JOIN "
            f"{quote(models.Course._meta.db_table)} c ON c.id = e.course_id WHERE e.user_id %% 40 = 1", [day.date()])
        return cursor.rowcount


def _seed(learners, now):
    """``learners`` × 10 active enrolments made 40 days ago; every third learner active two days ago."""
    import bulk_support  # pylint: disable=import-outside-toplevel
    from django.db import connection

    from sandbox.lms import models

    courses = [models.Course.objects.create(course_key=f"course-v1:Bench+C{i}+2026", display_name=f"C{i}",
                                            org="Bench") for i in range(COURSES)]
    low, high = bulk_support.seed_learners(learners, "scan", now)
    quote = connection.ops.quote_name
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(models.CourseEnrollment._meta.db_table)} (user_id, course_id, mode, is_active, "
            f"created) SELECT u.id, c.id, 'audit', TRUE, %s FROM {quote('auth_user')} u CROSS JOIN "
            f"{quote(models.Course._meta.db_table)} c WHERE u.id BETWEEN %s AND %s",
            [adapt(now - datetime.timedelta(days=40)), low, high])
        cursor.execute(
            f"INSERT INTO {quote(models.UserActivity._meta.db_table)} (user_id, course_key, date) "
            f"SELECT u.id, c.course_key, %s FROM {quote('auth_user')} u CROSS JOIN "
            f"{quote(models.Course._meta.db_table)} c WHERE u.id BETWEEN %s AND %s AND u.id %% 3 = 0",
            [(now - datetime.timedelta(days=2)).date(), low, high])
    assert len(courses) == COURSES
    from django.contrib.auth import get_user_model

    bulk_support.analyze(get_user_model(), models.CourseEnrollment, models.UserActivity)


def measure_access(expiries):
    """The daily access scan over ``expiries`` audit enrolments whose access ends in the day: the
    set-based scan (one ``INSERT … SELECT``) beside, in the same run, the same ends computed in
    Python and recorded through ``recording.record_events`` 1,000 at a time (the former path)."""
    import bulk_support  # pylint: disable=import-outside-toplevel
    from django.db import connection, transaction
    from django.utils import timezone

    from lms_automations import recording
    from lms_automations.happened import access_scan
    from lms_automations.models import Automation, Event, PeriodicScan, Trigger
    from sandbox.lms import dates, models

    bulk_support.fresh_database()
    handed = recording.hand_over
    recording.hand_over = lambda *args: None  # no broker here: measure the scan, not the dispatch
    try:
        now = timezone.now()
        Trigger.objects.create(automation=Automation.objects.create(name="access", status="active"), position=0,
                               event_type="access.ended")
        course = models.Course.objects.create(course_key="course-v1:Bench+A1+2026", display_name="A1", org="Bench",
                                              start=now - datetime.timedelta(days=60),
                                              end=now + datetime.timedelta(days=60))
        low, high = bulk_support.seed_learners(expiries, "access", now)
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(models.CourseEnrollment._meta.db_table)} (user_id, course_id, mode, is_active, "
                f"created) SELECT u.id, %s, 'audit', TRUE, %s FROM {quote('auth_user')} u WHERE u.id BETWEEN %s AND %s",
                [course.pk, connection.ops.adapt_datetimefield_value(now - dates.AUDIT_ACCESS
                                                                     - datetime.timedelta(hours=12)), low, high])
        after = now - datetime.timedelta(days=1)

        def scan():
            PeriodicScan.objects.update_or_create(name=access_scan.WATERMARK, defaults={"last_run_at": after})
            started = time.perf_counter()
            recorded = access_scan.scan_access_ends(now)
            return recorded, time.perf_counter() - started

        def former():
            started = time.perf_counter()
            ends = [access_scan._event(end, now, now)  # pylint: disable=protected-access
                    for end in dates.access_ends_between(after, now)]
            events = [{"event_type": e.event_type, "user_id": e.user_id, "occurred_at": now, "source": e.source,
                       "idempotency_key": e.idempotency_key, "payload": e.payload} for e in ends]
            recorded = 0
            for start in range(0, len(events), 1000):
                with transaction.atomic():
                    recorded += len(recording.record_events(events[start:start + 1000]))
            return recorded, time.perf_counter() - started

        with bulk_support.counting() as counts:
            recorded, seconds = scan()
        Event.objects.filter(event_type="access.ended").delete()
        former_recorded, former_seconds = former()
    finally:
        recording.hand_over = handed
    vendor = connection.vendor
    print(f"[{vendor}] access scan: {recorded} ends in {seconds:.2f} s ({counts['statements']} statements, "
          f"{counts['commits']} commits); former path (Python, record_events) {former_recorded} in "
          f"{former_seconds:.2f} s")
    return [bulk_support.row(f"access scan, duration [{vendor}]", expiries, seconds, "s",
                             "former path: ends in Python, record_events (s)", former_seconds,
                             counts["statements"], counts["commits"], recorded)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enrolments", type=int, nargs="+", default=DEFAULT_SIZES)
    parser.add_argument("--access", type=int, nargs="*", default=[],
                        help="also measure the access scan over this many expiring enrolments")
    args = parser.parse_args()
    if args.enrolments != [0]:
        for line in results(args):
            print(line)
    import django  # pylint: disable=import-outside-toplevel

    django.setup()
    for size in args.access:
        for line in measure_access(size):
            print(line)


if __name__ == "__main__":
    main()
