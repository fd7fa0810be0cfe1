"""``./manage.py lms automations_status``: is the plugin's machinery running? For operators after
an install or an upgrade, and for monitoring (exit status 1 when something is stuck)."""
import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from lms_automations.completion_tracking import SWITCH, automations_needing_completion, completion_tracking_enabled
from lms_automations.conf import get_setting
from lms_automations.models import Automation, Event, PeriodicScan, Run, RunWake

#: A due run still unclaimed after this long means no tick is running (cron runs it every minute).
TICK_LATE = datetime.timedelta(minutes=10)
#: A daily scan not run for this long means the tick has not run for a day.
SCAN_LATE = datetime.timedelta(hours=26)


class Command(BaseCommand):
    help = "Report whether the tick, the workers and the daily scans keep up; exit 1 if something is stuck."

    def handle(self, *args, **options):
        now = timezone.now()
        problems = []
        active = Automation.objects.filter(status__in=[Automation.STATUS.active, Automation.STATUS.testing]).count()
        in_flow = Run.objects.filter(status__in=Run.OPEN_STATUSES).count()
        self.stdout.write(f"automations active or testing: {active}; learners in a flow: {in_flow}")

        overdue = RunWake.objects.filter(due_at__lt=now - TICK_LATE).count()
        self.stdout.write(f"runs due more than {int(TICK_LATE.total_seconds() // 60)} minutes ago: {overdue}")
        if overdue:
            problems.append(f"{overdue} run(s) overdue: is `automations_tick` running every minute?")

        relay_after = datetime.timedelta(seconds=get_setting("OUTBOX_RELAY_AFTER_SECONDS"))
        waiting = Event.objects.filter(dispatched_at__isnull=True, recorded_at__lt=now - relay_after * 3)
        stuck = waiting.count()
        self.stdout.write(f"events waiting for dispatch longer than {int(relay_after.total_seconds() * 3)} s: {stuck}")
        if stuck:
            problems.append(f"{stuck} event(s) not dispatched: is a Celery worker consuming "
                            f"{get_setting('CELERY_QUEUE')!r}?")

        for scan in PeriodicScan.objects.order_by("name"):
            last = scan.last_run_at.isoformat(timespec="minutes") if scan.last_run_at else "never"
            self.stdout.write(f"daily scan {scan.name}: last run {last}")
            if active and (scan.last_run_at is None or now - scan.last_run_at > SCAN_LATE):
                problems.append(f"the {scan.name} scan has not run for over a day: is the tick running?")

        if completion_tracking_enabled() is False:
            needing = automations_needing_completion()
            self.stdout.write(f"completion tracking ({SWITCH}): off")
            if needing:
                problems.append(f"completion tracking is off, so no progress event fires and progress conditions "
                                f"read nothing, but these automations use them: {', '.join(needing)}; turn on the "
                                f"waffle switch {SWITCH}")

        for problem in problems:
            self.stderr.write(f"PROBLEM: {problem}")
        if problems:
            raise SystemExit(1)
        self.stdout.write("OK")
