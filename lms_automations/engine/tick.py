"""The tick: periodic work that keeps the engine moving without a Celery beat (Tutor has none).

Run by ``automations_tick`` from cron or a Kubernetes CronJob, or in a loop. Every part is safe to
run in several processes at once: rows are claimed, and a dispatch that was already done is a no-op.
"""
import dataclasses
import datetime
import logging

from django.db import transaction
from django.utils import timezone

from ..conf import get_setting
from ..models import Event
from ..recording import enqueue_dispatch

log = logging.getLogger(__name__)


@dataclasses.dataclass
class TickReport:
    """What one tick did, for the command's output and for tests."""

    relayed_events: int = 0

    def __str__(self):
        return f"relayed {self.relayed_events} undispatched event(s)"


def run_tick(now=None):
    """One pass of every periodic duty."""
    now = now or timezone.now()
    report = TickReport()
    report.relayed_events = relay_undispatched_events(now)
    return report


def relay_undispatched_events(now, limit=None):
    """Re-enqueue events whose on-commit dispatch never ran (lost enqueue, broker down, crash).

    An event qualifies once it has waited ``OUTBOX_RELAY_AFTER_SECONDS`` since it was recorded and
    since it was last relayed, so a backlog is not re-enqueued on every tick.
    """
    after = datetime.timedelta(seconds=get_setting("OUTBOX_RELAY_AFTER_SECONDS"))
    limit = limit or get_setting("TICK_BATCH_SIZE")
    cutoff = now - after
    relayed = 0
    while True:
        with transaction.atomic():
            keys = list(
                Event.objects.select_for_update(skip_locked=True)
                .filter(dispatched_at__isnull=True, recorded_at__lte=cutoff)
                .exclude(relayed_at__gt=cutoff)
                .order_by("recorded_at", "id")
                .values_list("idempotency_key", flat=True)[:limit]
            )
            if not keys:
                break
            Event.objects.filter(idempotency_key__in=keys).update(relayed_at=now)
        for key in keys:
            enqueue_dispatch(key)
        relayed += len(keys)
        if len(keys) < limit:
            break
    if relayed:
        log.info("lms_automations: relayed %d undispatched event(s)", relayed)
    return relayed
