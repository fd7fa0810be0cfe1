"""Periodic scans run by the tick once a day: inactivity (turns the passing of time into events),
course-date waits whose course dates moved (``course_date_refresh``) and retention
(``retention.purge_expired``).

Inactivity: for every active enrolment, the days since the learner's last activity in the course
(or since enrolling) are compared with each threshold: the days active automations ask for plus
the operator's ``INACTIVITY_DAYS`` (``happened.thresholds``, ADR 0015). The event's idempotency
key holds the date of that last activity, so ``activity.inactive`` fires once per streak per
threshold however often the scan runs; activity starts a new streak.

The scan is set-based (ADR 0014): it walks the enrolments in learner-id ranges of about
``SCAN_BATCH`` enrolments, and writes each range's new events with one statement — an
``INSERT … SELECT`` over the host's query where the host's tables share the database
(``inactivity_sql``), else one bulk insert of the rows the host streams. Each threshold keeps a
watermark (a ``PeriodicScan`` row ``inactivity:<days>``: every streak that had reached the
threshold by then has its event, or nobody could use it), so a day's scan only looks at streaks
that reached a threshold since the last complete scan; the idempotency key still guards against
any overlap. A threshold starts at the moment an automation starts asking for it
(``start_watermarks``), or at its first scan: never at the dawn of time, since only streaks that
reach it from then on can start anyone (SPEC §5.1).

The windows also go to the host (``candidate_spans``, ADR 0025): it reads only the enrolments whose
last activity may lie in one — those made, and those last active, in the windows' days — so a day
after a daily scan costs the enrolments and activity days of a few days, not every enrolment with
its last activity. A tick that missed days has wider windows, merged into one span: every due event
is still recorded once.
"""
import datetime
import logging

from django.db import transaction
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from .happened import recording
from .host import get_host
from .models import Event, PeriodicScan

log = logging.getLogger(__name__)
SCAN_INTERVAL = datetime.timedelta(days=1)
#: Enrolments whose events one statement (and one transaction) records.
SCAN_BATCH = 50000
EVENT_TYPE = "activity.inactive"
#: Windows no wider than this (a scan the day after the last one) are read in one range.
NARROW_WINDOW = datetime.timedelta(days=2)
#: How much wider than a threshold's window the host is asked about (``candidate_spans``).
SPAN_SLACK = datetime.timedelta(milliseconds=1)


def run_due_scans(now):
    """Run each daily scan whose day has come; returns how many events the scans recorded.

    Safe when several ticks run at once: each scan's row is locked (SKIP LOCKED) while it runs.
    """
    from .course_date_refresh import refresh_course_date_waits  # pylint: disable=import-outside-toplevel
    from .happened.access_scan import scan_access_ends  # pylint: disable=import-outside-toplevel
    from .retention import purge_expired  # pylint: disable=import-outside-toplevel

    recorded = 0
    daily = (("inactivity", scan_inactivity), ("course_dates", refresh_course_date_waits),
             ("retention", purge_expired),
             ("access_ends", scan_access_ends))
    for name, scan_function in daily:
        done = _run_if_due(name, scan_function, now)
        if name in ("inactivity", "access_ends"):
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


def scan_inactivity(now, thresholds=None, *, batch=None):
    """Record ``activity.inactive`` for every threshold a learner's quiet streak has reached;
    returns how many events were new. ``thresholds`` (days) default to those automations ask for
    plus the operator's ``INACTIVITY_DAYS``.

    Skipped when no automation listens: reading every enrolment of a large site daily, and recording
    events nobody reads, costs more than it tells. The watermarks still move on: nobody missed
    anything, and a threshold asked for again later starts from then."""
    if not anyone_listens(EVENT_TYPE):
        log.info("lms_automations: no automation listens to activity.inactive; inactivity scan skipped")
        _advance_watermarks(now)
        return 0
    from .happened.thresholds import thresholds_for  # pylint: disable=import-outside-toplevel

    thresholds = sorted({int(days) for days in (thresholds or thresholds_for(EVENT_TYPE))})
    if not thresholds:
        _advance_watermarks(now)
        return 0
    windows = streak_windows(thresholds, now)
    spans = candidate_spans(windows)
    host, batch, recorded, after = get_host(), batch or SCAN_BATCH, 0, None
    # A day after a daily scan, one statement over the site: the candidates of one day's windows
    # are few, and walking the ranges would read every enrolment again. After missed days, ranges.
    narrow = all(upto - after <= NARROW_WINDOW for _days, after, upto in windows)
    while spans:  # no window today (every threshold new): nothing to read
        upto = None if narrow else host.enrollment_user_id_bound(after, batch)
        recorded += _scan_range(host.enrollment_activity(after, upto, spans), windows, now, (after, upto))
        if upto is None:
            break
        after = upto
    # Only a scan that went through every range moves the watermarks on.
    _advance_watermarks(now)
    log.info("lms_automations: inactivity scan recorded %d new quiet streak threshold(s)", recorded)
    return recorded


def streak_windows(thresholds, now):
    """``[(days, after, upto)]``: a streak whose last activity lies in ``(after, upto]`` reached
    ``days`` since the threshold's watermark. A threshold without one starts now (its window is
    empty today): it was never asked for before, so no streak that reached it so far can start
    anyone."""
    start_watermarks(thresholds, now)
    marks = dict(PeriodicScan.objects.filter(name__in=[watermark_name(days) for days in thresholds])
                 .values_list("name", "last_run_at"))
    windows = []
    for days in thresholds:
        mark = marks.get(watermark_name(days)) or now
        span = datetime.timedelta(days=days)
        if mark < now:
            windows.append((days, mark - span, now - span))
    return windows


def candidate_spans(windows):
    """The instants the host is asked about (``enrollment_activity``'s ``spans``): the windows'
    ``(after, upto]``, widened by a millisecond each way (SQLite compares instants to the millisecond,
    the host at its own precision: a streak on a window's edge is never left out) and merged
    where they overlap (a backlog of days makes the thresholds' windows one span). The host answers
    the enrolments whose last activity may lie in a span; the windows then keep the exact ones."""
    spans = []
    for _days, after, upto in sorted(windows, key=lambda window: (window[1] is not None, window[1])):
        after, upto = (None if after is None else after - SPAN_SLACK), upto + SPAN_SLACK
        if spans and (after is None or after <= spans[-1][1]):
            spans[-1] = (spans[-1][0], max(spans[-1][1], upto))  # sorted: the earlier one starts first
        else:
            spans.append((after, upto))
    return spans


def watermark_name(days):
    return f"inactivity:{int(days)}"


def start_watermarks(thresholds, moment):
    """Give each threshold without a watermark one at ``moment`` (when an automation started asking
    for it); one that has one keeps it."""
    existing = set(PeriodicScan.objects.filter(name__in=[watermark_name(days) for days in thresholds])
                   .values_list("name", flat=True))
    missing = [PeriodicScan(name=watermark_name(days), last_run_at=moment) for days in sorted(set(thresholds))
               if watermark_name(days) not in existing]
    if missing:
        PeriodicScan.objects.bulk_create(missing, ignore_conflicts=True)


def _advance_watermarks(now):
    """After a complete scan (or a day nobody listened), every threshold is dealt with up to ``now``."""
    PeriodicScan.objects.filter(name__startswith="inactivity:").filter(
        Q(last_run_at__lt=now) | Q(last_run_at__isnull=True)).update(last_run_at=now)


def _scan_range(source, windows, now, user_range):
    """Write one learner-id range's new events in one transaction; hand them over after it commits."""
    if not windows:
        return 0
    from . import inactivity_sql  # pylint: disable=import-outside-toplevel

    stamp = timezone.now()
    with transaction.atomic():
        if isinstance(source, QuerySet) and inactivity_sql.supported():
            inactivity_sql.insert_events(source, windows, now=now, stamp=stamp)
        else:
            Event.objects.bulk_create(_streamed_events(source, windows, now, stamp), ignore_conflicts=True,
                                      batch_size=5000)
        return hand_over_new(stamp, user_range)


def _streamed_events(rows, windows, now, stamp):
    """The new events of rows the host streamed (an iterable of tuples, or a queryset's dicts)."""
    events = []
    for row in rows:
        user_id, course_key, last = (row["user_id"], row["course_key"], row["last_activity_at"]) \
            if isinstance(row, dict) else row
        for days, after, upto in windows:
            if last <= upto and (after is None or last > after):
                events.append(Event(
                    event_type=EVENT_TYPE, user_id=user_id, occurred_at=now, source=Event.SOURCE.scan,
                    recorded_at=stamp, idempotency_key=streak_key(user_id, course_key, days, last),
                    payload={"user_id": user_id, "course_key": str(course_key), "days": days,
                             "last_activity_at": last.isoformat()}))
    return events


def streak_key(user_id, course_key, days, last_activity):
    """The idempotency key of one streak's threshold (``inactivity_sql`` writes the same)."""
    return f"inactive:{user_id}:{course_key}:{days}:{last_activity.date().isoformat()}"[:255]


def hand_over_new(stamp, user_range, event_type=EVENT_TYPE):
    """Hand the range's new events to the engine once its transaction commits: one hand-over per
    learner (its dispatch takes all of that learner's new events); returns how many are new."""
    after, upto = user_range
    new = Event.objects.filter(recorded_at__gte=stamp, event_type=event_type, source=Event.SOURCE.scan,
                               dispatched_at__isnull=True)
    if after is not None:
        new = new.filter(user_id__gt=after)
    if upto is not None:
        new = new.filter(user_id__lte=upto)
    learners = list(new.order_by().values("user_id").annotate(key=Min("idempotency_key"), count=Count("id")))

    items = [(learner["key"], event_type, learner["user_id"]) for learner in learners]
    if items:
        # One hand-off for the range (one message for the batched dispatcher).
        transaction.on_commit(lambda: recording.hand_over(items))
    return sum(learner["count"] for learner in learners)
