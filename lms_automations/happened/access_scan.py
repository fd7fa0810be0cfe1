"""The daily access scan: ``access.ended`` for learners whose access to a course ended by a date.

Open edX sends nothing when a learner's audit access expires (course duration limits) or a course
ends: both are dates the LMS computes when it gates a page. Once a day the tick asks the host which
active enrolments reached either date since the last complete scan — a watermark, the
``PeriodicScan`` row ``access_ended:watermark`` — and records one event per learner, course, reason
and date (its idempotency key), so an overlap or a rerun records nothing twice. The first scan looks
back one day only: ends that lay in the past when the plugin (or the scan) started are not
announced, as "only future events" asks. Unenrolment, the third way access ends, is the LMS's own
signal (``transitions._enrollment_deactivated`` derives it).

Set-based like the inactivity scan (ADR 0014): a host whose tables share the plugin's database (the
sandbox) answers a queryset and the day's events are one ``INSERT … SELECT``; a host that streams its
ends (``openedx``: course duration limits compute each expiry) has them bulk-inserted. Either way one
transaction, conflicts on the keys ignored, one hand-over per learner after commit.
"""
import datetime
import logging

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..host import get_host
from ..models import Event, PeriodicScan

log = logging.getLogger(__name__)
EVENT_TYPE = "access.ended"
WATERMARK = "access_ended:watermark"
#: How far back the very first scan looks.
FIRST_LOOK_BACK = datetime.timedelta(days=1)
#: Streamed ends written per insert (all in one transaction).
BATCH = 5000


def scan_access_ends(now):
    """Record ``access.ended`` for the access ends in ``(watermark, now]``; returns how many are new.

    With no automation listening the host is not asked, but the watermark still moves: an automation
    activated later hears only of ends after its activation."""
    from ..scans import anyone_listens  # pylint: disable=import-outside-toplevel

    mark = PeriodicScan.objects.filter(name=WATERMARK).values_list("last_run_at", flat=True).first()
    after = mark if mark is not None else now - FIRST_LOOK_BACK
    recorded = 0
    if after < now and anyone_listens(EVENT_TYPE):
        recorded = _record(get_host().access_ends_between(after, now), now)
        log.info("lms_automations: access scan recorded %d access end(s) in (%s, %s]", recorded, after, now)
    # Only a scan that went through every end moves the watermark on.
    PeriodicScan.objects.update_or_create(name=WATERMARK, defaults={"last_run_at": max(now, after)})
    return recorded


def access_end_key(user_id, course_key, reason, ended_at):
    """One end's idempotency key: a course end or expiry moved to another day is a new end."""
    return f"access-ended:{user_id}:{course_key}:{reason}:{ended_at.date().isoformat()}"[:255]


def _event(end, now, stamp):
    ended_at = end["ended_at"].astimezone(datetime.UTC)
    return Event(event_type=EVENT_TYPE, user_id=end["user_id"], occurred_at=now, source=Event.SOURCE.scan,
                 recorded_at=stamp,
                 idempotency_key=access_end_key(end["user_id"], end["course_key"], end["reason"], ended_at),
                 payload={"user_id": end["user_id"], "course_key": str(end["course_key"]), "reason": end["reason"],
                          "mode": end.get("mode") or "", "ended_at": ended_at.isoformat()})


def _record(ends, now):
    """Write the ends' events in one transaction — one ``INSERT … SELECT`` from a host queryset,
    else bulk inserts of the streamed ends — conflicts on the keys ignored; hand the new ones over
    after commit (one hand-over per learner); returns how many are new."""
    from .. import inactivity_sql  # pylint: disable=import-outside-toplevel
    from ..scans import hand_over_new  # pylint: disable=import-outside-toplevel

    stamp = timezone.now()
    with transaction.atomic():
        if isinstance(ends, QuerySet) and inactivity_sql.supported():
            inactivity_sql.insert_access_ends(ends, now=now, stamp=stamp)
        else:
            batch = []
            for end in ends:
                if end["user_id"] is None:  # INSERT IGNORE would store learner 0 on MySQL
                    continue
                batch.append(_event(end, now, stamp))
                if len(batch) >= BATCH:
                    Event.objects.bulk_create(batch, ignore_conflicts=True)
                    batch = []
            Event.objects.bulk_create(batch, ignore_conflicts=True)
        return hand_over_new(stamp, (None, None), EVENT_TYPE)
