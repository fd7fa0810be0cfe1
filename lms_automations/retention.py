"""Forgetting old history: ended runs (with their timelines), entry refusals and handled events past
their retention.

Operators set ``RUN_RETENTION_DAYS`` and ``EVENT_RETENTION_DAYS``; the tick purges once a day in
small batches, so no purge holds a long lock on a busy table. Open runs are never touched, nor are
events still waiting for dispatch. Conditions that look back (``event.occurred``) can only see as far
as events are kept.
"""
import datetime
import logging

from django.db import transaction

from .conf import get_setting
from .models import EntryRefusal, Event, Run

log = logging.getLogger(__name__)
#: Rows deleted per transaction.
PURGE_BATCH = 1000


def purge_expired(now):
    """Delete ended runs and dispatched events older than their retention; returns how many rows."""
    run_cutoff = now - datetime.timedelta(days=get_setting("RUN_RETENTION_DAYS"))
    event_cutoff = now - datetime.timedelta(days=get_setting("EVENT_RETENTION_DAYS"))
    runs = _purge(Run.objects.exclude(status__in=Run.OPEN_STATUSES).filter(ended_at__lt=run_cutoff))
    # Refusals are a run's history too (why none started), kept as long; purged before the events they name.
    runs += _purge(EntryRefusal.objects.filter(at__lt=run_cutoff))
    events = _purge(Event.objects.filter(dispatched_at__isnull=False, occurred_at__lt=event_cutoff))
    if runs or events:
        log.info("lms_automations: retention purged %d ended run(s) and %d event(s)", runs, events)
    return runs + events


def _purge(queryset):
    purged = 0
    while True:
        with transaction.atomic():
            ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:PURGE_BATCH])
            if not ids:
                return purged
            queryset.model.objects.filter(pk__in=ids).delete()  # runs cascade to logs, wakes, executions
        purged += len(ids)
        if len(ids) < PURGE_BATCH:
            return purged
