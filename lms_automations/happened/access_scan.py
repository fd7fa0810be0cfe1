"""The daily access scan: ``access.ended`` for learners whose access to a course ended by a date.

Open edX sends nothing when a learner's audit access expires (course duration limits) or a course
ends: both are dates the LMS computes when it gates a page. Once a day the tick asks the host which
active enrolments reached either date since the last complete scan — a watermark, the
``PeriodicScan`` row ``access_ended:watermark`` — and records one event per learner, course, reason
and date (its idempotency key), so an overlap or a rerun records nothing twice. The first scan looks
back one day only: ends that lay in the past when the plugin (or the scan) started are not
announced, as "only future events" asks. Unenrolment, the third way access ends, is the LMS's own
signal (``transitions._enrollment_deactivated`` derives it).
"""
import datetime
import logging

from django.db import transaction

from ..host import get_host
from ..models import Event, PeriodicScan
from . import recording

log = logging.getLogger(__name__)
EVENT_TYPE = "access.ended"
WATERMARK = "access_ended:watermark"
#: How far back the very first scan looks.
FIRST_LOOK_BACK = datetime.timedelta(days=1)
#: Events recorded per transaction.
BATCH = 1000


def scan_access_ends(now):
    """Record ``access.ended`` for the access ends in ``(watermark, now]``; returns how many are new.

    With no automation listening the host is not asked, but the watermark still moves: an automation
    activated later hears only of ends after its activation."""
    from ..scans import anyone_listens  # pylint: disable=import-outside-toplevel

    mark = PeriodicScan.objects.filter(name=WATERMARK).values_list("last_run_at", flat=True).first()
    after = mark if mark is not None else now - FIRST_LOOK_BACK
    recorded = 0
    if after < now and anyone_listens(EVENT_TYPE):
        batch = []
        for end in get_host().access_ends_between(after, now):
            batch.append(_event(end, now))
            if len(batch) >= BATCH:
                recorded += _record(batch)
                batch = []
        recorded += _record(batch)
        log.info("lms_automations: access scan recorded %d access end(s) in (%s, %s]", recorded, after, now)
    # Only a scan that went through every end moves the watermark on.
    PeriodicScan.objects.update_or_create(name=WATERMARK, defaults={"last_run_at": max(now, after)})
    return recorded


def access_end_key(user_id, course_key, reason, ended_at):
    """One end's idempotency key: a course end or expiry moved to another day is a new end."""
    return f"access-ended:{user_id}:{course_key}:{reason}:{ended_at.date().isoformat()}"[:255]


def _event(end, now):
    ended_at = end["ended_at"].astimezone(datetime.UTC)
    return {"event_type": EVENT_TYPE, "user_id": end["user_id"], "occurred_at": now, "source": Event.SOURCE.scan,
            "idempotency_key": access_end_key(end["user_id"], end["course_key"], end["reason"], ended_at),
            "payload": {"user_id": end["user_id"], "course_key": str(end["course_key"]), "reason": end["reason"],
                        "mode": end.get("mode") or "", "ended_at": ended_at.isoformat()}}


def _record(events):
    if not events:
        return 0
    with transaction.atomic():
        return len(recording.record_events(events))
