"""Starting everyone enrolled in a course: ``python benchmarks/start_learners.py [--learners N ...] [--workers 2]``.

Prints figures and ratios (never asserts), on the sandbox with its own database (``DATABASE_URL``
for MariaDB/PostgreSQL): the admin's preview of N enrolled learners (counts, first 200 rows, skip
reasons); the planning of the id ranges handed to workers (the one task the admin enqueues;
publishing is stubbed: no broker); the workers' start of every range — ``--workers`` forked
processes, each with its own connection, as Celery prefork workers — set beside the database's own
bulk insert rate (four rows are written per learner: entry, run, timeline line, wake-up) and beside
the former path (``runs.start_run`` per learner in its own transaction) measured on a sample; the
statements and commits per learner; the peak resident memory of the caller and of each worker.
The runs are left due: advancing them is the tick's batched resume (``engine_throughput``).
``results(options)`` gives the same as rows for ``make bench``.
"""
import argparse
import multiprocessing
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_env  # noqa: F401  (the sandbox settings, DEBUG off, the benchmark database)

COURSE = "course-v1:Bench+Start+2026"
DEFAULT_SIZES = [10000, 50000]
SAMPLE = 300  # learners started the former way, one transaction each


def results(options=None):
    import django

    django.setup()
    import bulk_support  # pylint: disable=import-outside-toplevel

    workers = int(bulk_support.option(options, "workers", 2))
    rows = []
    for size in bulk_support.sizes(options, "learners", DEFAULT_SIZES):
        rows += measure(size, workers)
    return rows


def measure(learners, workers):
    import bulk_support  # pylint: disable=import-outside-toplevel
    from django.db import connection, connections, transaction
    from django.utils import timezone

    from lms_automations import tasks
    from lms_automations.admin import staff_actions
    from lms_automations.engine import lifecycle
    from lms_automations.engine.runs import start_run
    from lms_automations.models import Automation, Run, RunWake, Step
    from sandbox.lms import models

    bulk_support.fresh_database()
    now = timezone.now()
    course = models.Course.objects.create(course_key=COURSE, display_name="Start", org="Bench")
    low, high = bulk_support.seed_learners(learners + SAMPLE, "start", now)
    quote, adapt = connection.ops.quote_name, connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(models.CourseEnrollment._meta.db_table)} (user_id, course_id, mode, is_active, "
            f"created) SELECT u.id, %s, 'audit', TRUE, %s FROM {quote('auth_user')} u WHERE u.id BETWEEN %s AND %s",
            [course.pk, adapt(now), low, high - SAMPLE])
    from django.contrib.auth import get_user_model

    bulk_support.analyze(get_user_model(), models.CourseEnrollment)
    automation = Automation.objects.create(name="everyone", status=Automation.STATUS.active, scope_courses=[COURSE])
    Step.objects.create(automation=automation, step_id="wait", step_type="wait", kind="duration", params={"days": 1})
    caller_before = bulk_support.peak_rss_mb()

    started = time.perf_counter()
    preview = staff_actions.preview_enrolled(automation, 200)
    preview_s = time.perf_counter() - started
    assert preview.starting_count == learners, preview.starting_count

    published = []
    publish = tasks.start_learner_range.apply_async
    tasks.start_learner_range.apply_async = lambda args, **kwargs: published.append(args)
    try:
        started = time.perf_counter()
        tasks.start_learner_range(automation.pk, None, None, "staff", "", now.isoformat(), plan=True)
        plan_s = time.perf_counter() - started
    finally:
        tasks.start_learner_range.apply_async = publish
    caller_after = bulk_support.peak_rss_mb()

    insert_rate = bulk_support.bulk_insert_rate(min(learners * 4, 400000))
    ranges = [args[1:3] for args in published]
    connections.close_all()
    workers = 1 if connection.vendor == "sqlite" else workers  # one writer at a time on SQLite
    queue = multiprocessing.Queue()
    processes = [multiprocessing.get_context("fork").Process(
        target=_worker, args=(automation.pk, ranges[index::workers], now, queue)) for index in range(workers)]
    started = time.perf_counter()
    for process in processes:
        process.start()
    reports = [queue.get() for _process in processes]
    for process in processes:
        process.join()
    start_s = time.perf_counter() - started
    total = sum(report[0] for report in reports)
    assert total == learners and Run.objects.filter(automation=automation).count() == learners
    due = RunWake.objects.filter(run__automation=automation, due_at__lte=timezone.now()).count()

    sample = list(range(high - SAMPLE + 1, high + 1))
    started = time.perf_counter()
    for user_id in sample:
        with transaction.atomic():
            start_run(automation, user_id, started_by="staff")
    former_rate = SAMPLE / (time.perf_counter() - started)

    # One chunk of a second automation in this process, counted: statements and commits per learner.
    again = Automation.objects.create(name="counted", status=Automation.STATUS.active, scope_courses=[COURSE])
    with bulk_support.counting() as counts:
        first_started, _refused = lifecycle.start_enrolled_range(
            again, None, low + lifecycle.CHUNK - 1, requested_at=now)

    vendor, rate = connection.vendor, total / start_s
    worker_rss = max(report[1] for report in reports)
    print(f"[{vendor}] {learners} learners: preview {preview_s:.2f} s; planning {len(ranges)} ranges {plan_s:.2f} s; "
          f"{workers} workers started {total} in {start_s:.2f} s = {rate:.0f} learners/s ({due} runs due); "
          f"1M would take {1_000_000 / rate / 60:.1f} min")
    print(f"[{vendor}] former path (start_run per learner): {former_rate:.0f} learners/s; the database's bulk insert "
          f"{insert_rate:.0f} rows/s; per learner {counts['statements'] / first_started:.4f} statements, "
          f"{counts['commits'] / first_started:.4f} commits")
    print(f"[{vendor}] peak RSS: caller {caller_before:.0f} MB before, {caller_after:.0f} MB after preview and "
          f"planning; workers {', '.join(f'{report[1]:.0f}' for report in reports)} MB")
    return [
        bulk_support.row(f"start learners, {workers} workers [{vendor}]", learners, rate, "learners/s",
                         "database bulk insert ÷ 4 rows a learner", insert_rate / 4, counts["statements"],
                         counts["commits"], first_started),
        bulk_support.row(f"start learners vs former per-learner start [{vendor}]", learners, rate, "learners/s",
                         "start_run per learner (sample)", former_rate),
        bulk_support.row(f"start learners: preview [{vendor}]", learners, preview_s, "s"),
        bulk_support.row(f"start learners: planning the ranges [{vendor}]", learners, plan_s, "s"),
        bulk_support.row(f"start learners: caller peak RSS [{vendor}]", learners, caller_after, "MB",
                         "caller peak RSS before (MB)", caller_before),
        bulk_support.row(f"start learners: worker peak RSS [{vendor}]", learners, worker_rss, "MB"),
    ]


def _worker(automation_id, ranges, requested_at, queue):
    """One Celery worker's share of the ranges, in a forked process with its own connection."""
    import bulk_support  # pylint: disable=import-outside-toplevel

    from lms_automations.engine import lifecycle
    from lms_automations.models import Automation

    automation = Automation.objects.get(pk=automation_id)
    started = 0
    for after, upto in ranges:
        started += lifecycle.start_enrolled_range(automation, after, upto, requested_at=requested_at)[0]
    queue.put((started, bulk_support.peak_rss_mb()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, nargs="+", default=DEFAULT_SIZES)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    for line in results(args):
        print(line)


if __name__ == "__main__":
    main()
