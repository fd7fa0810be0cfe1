"""Periodic scans run by the tick once a day: inactivity (turns the passing of time into events),
course-date waits whose course dates moved (``course_date_refresh``) and retention
(``retention.purge_expired``).

Inactivity: for every active enrolment, the days since the learner's last activity in the course
(or since enrolling) are compared with ``INACTIVITY_DAYS``. The event's idempotency key holds the
date of that last activity, so ``activity.inactive`` fires once per streak per threshold however
often the scan runs; activity starts a new streak.
"""
import datetime
import itertools
import logging

from django.db import transaction

from .conf import get_setting
from .host import get_host
from .models import Event, PeriodicScan
from .recording import record_events

log = logging.getLogger(__name__)
SCAN_INTERVAL = datetime.timedelta(days=1)
#: Enrolments whose events one transaction records.
SCAN_BATCH = 1000


def run_due_scans(now):
    """Run each daily scan whose day has come; returns how many events the scans recorded.

    Safe when several ticks run at once: each scan's row is locked (SKIP LOCKED) while it runs.
    """
    from .course_date_refresh import refresh_course_date_waits  # pylint: disable=import-outside-toplevel
    from .retention import purge_expired  # pylint: disable=import-outside-toplevel

    recorded = 0
    daily = (("inactivity", scan_inactivity), ("course_dates", refresh_course_date_waits),
             ("retention", purge_expired))
    for name, scan_function in daily:
        done = _run_if_due(name, scan_function, now)
        if name == "inactivity":
            recorded += done
    return recorded


def _run_if_due(name, scan_function, now):
    """Claim today's run of a scan (its row is locked only while it is marked), then run it outside
    that transaction: a scan over a large site commits in batches, never as one huge transaction.
    A scan that dies half-way runs again the next day; its events' keys keep it from counting twice."""
    with transaction.atomic():
        PeriodicScan.objects.get_or_create(name=name)
        scan = PeriodicScan.objects.select_for_update(skip_locked=True).filter(name=name).first()
        if scan is None or (scan.last_run_at and now - scan.last_run_at < SCAN_INTERVAL):
            return 0
        scan.last_run_at = now
        scan.save()
    return scan_function(now)


def anyone_listens(event_type):
    """Whether an automation starts on, exits on, or a run waits for ``event_type``."""
    from .engine import trigger_index  # pylint: disable=import-outside-toplevel
    from .models import Run  # pylint: disable=import-outside-toplevel

    return bool(trigger_index.triggers_for(event_type) or trigger_index.exits_for(event_type)
                or Run.objects.filter(status__in=Run.OPEN_STATUSES, awaited_event_type=event_type).exists())


def scan_inactivity(now):
    """Record ``activity.inactive`` for every threshold a learner's quiet streak has reached.

    Skipped when no automation listens: reading every enrolment of a large site daily, and recording
    events nobody reads, costs more than it tells."""
    if not anyone_listens("activity.inactive"):
        log.info("lms_automations: no automation listens to activity.inactive; inactivity scan skipped")
        return 0
    thresholds = sorted(get_setting("INACTIVITY_DAYS"))
    recorded = 0
    readings = iter(get_host().active_enrollment_activity())
    while True:
        batch = list(itertools.islice(readings, SCAN_BATCH))
        if not batch:
            break
        with transaction.atomic():  # each batch's new events are handed to the engine when it commits
            events = [event for user_id, course_key, last_activity in batch
                      for event in _threshold_events(user_id, course_key, last_activity, thresholds, now)]
            recorded += len(record_events(events))
    log.info("lms_automations: inactivity scan recorded %d new quiet streak threshold(s)", recorded)
    return recorded


def _threshold_events(user_id, course_key, last_activity, thresholds, now):
    """One ``activity.inactive`` per threshold the quiet streak has reached, keyed on the streak."""
    days = (now - last_activity).days
    return [
        {"event_type": "activity.inactive", "user_id": user_id, "occurred_at": now, "source": Event.SOURCE.scan,
         "payload": {"user_id": user_id, "course_key": course_key, "days": threshold,
                     "last_activity_at": last_activity.isoformat()},
         "idempotency_key": f"inactive:{user_id}:{course_key}:{threshold}:{last_activity.date().isoformat()}"}
        for threshold in thresholds if days >= threshold
    ]
