"""The daily inactivity scan over many enrolments: ``python benchmarks/scan_throughput.py [--enrolments N]``.

Prints figures and ratios (never asserts): enrolments read per second, the events recorded, and the
Python memory the scan's streaming keeps at its peak (tracemalloc), against the sandbox host on its
own database (``DATABASE_URL`` for MariaDB/PostgreSQL). Dispatch of the recorded events is not part
of the figure (no broker): the scan's own work is.
"""
import argparse
import datetime
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_env  # noqa: F401  (the sandbox settings, DEBUG off, the benchmark database)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enrolments", type=int, default=20000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from lms_automations import recording
    from lms_automations.models import Automation, Event, Trigger
    from lms_automations.scans import scan_inactivity
    from sandbox.lms import models

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    recording.hand_over = lambda *args: None  # no broker here: measure the scan, not the dispatch
    automation = Automation.objects.create(name="quiet learners", status=Automation.STATUS.active)
    Trigger.objects.create(automation=automation, position=0, event_type="activity.inactive")

    now = timezone.now()
    courses = [models.Course.objects.create(course_key=f"course-v1:Bench+C{i}+2026", display_name=f"C{i}",
                                            org="Bench") for i in range(10)]
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"scan{i}") for i in range(args.enrolments // len(courses)))
    models.CourseEnrollment.objects.bulk_create(
        (models.CourseEnrollment(user=user, course=course, is_active=True) for user in users for course in courses),
        batch_size=5000)
    models.CourseEnrollment.objects.update(created=now - datetime.timedelta(days=40))
    # A third of them were active recently; the rest have been quiet for 40 days.
    models.UserActivity.objects.bulk_create(
        (models.UserActivity(user=user, course_key=course.course_key, date=(now - datetime.timedelta(days=2)).date())
         for index, user in enumerate(users) if index % 3 == 0 for course in courses), batch_size=5000)
    total = models.CourseEnrollment.objects.count()

    tracemalloc.start()
    started = time.perf_counter()
    recorded = scan_inactivity(now)
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    events = Event.objects.filter(event_type="activity.inactive").count()
    print(f"first scan: {total} enrolments in {elapsed:.2f} s = {total / elapsed:.0f} enrolments/s; "
          f"{recorded} new threshold event(s) ({events} stored); peak Python memory {peak / 2**20:.1f} MiB")
    started = time.perf_counter()
    again = scan_inactivity(now + datetime.timedelta(hours=24))
    elapsed = time.perf_counter() - started
    print(f"next day's scan (the same streaks): {total / elapsed:.0f} enrolments/s, {again} new event(s)")


if __name__ == "__main__":
    main()
