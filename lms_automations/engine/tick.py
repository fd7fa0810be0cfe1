"""The tick: periodic work that keeps the engine moving without a Celery beat (Tutor has none).

Run by ``automations_tick`` from cron or a Kubernetes CronJob, or in a loop. Every part is safe to
run in several processes at once: rows are claimed, and a dispatch that was already done is a no-op.
"""
import dataclasses
import datetime
import logging

from django.db import connection, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from ..conf import get_setting
from ..happened.recording import NO_LISTENER, enqueue_dispatch
from ..models import Event, RunWake
from ..scans import run_due_scans
from .trigger_index import definitions

log = logging.getLogger(__name__)


@dataclasses.dataclass
class TickReport:
    """What one tick did, for the command's output and for tests."""

    resumed_runs: int = 0
    relayed_events: int = 0
    scanned: int = 0

    def __str__(self):
        return (f"resumed {self.resumed_runs} due run(s), relayed {self.relayed_events} undispatched event(s), "
                f"{self.scanned} scan event(s)")


def run_tick(now=None):
    """One pass of every periodic duty."""
    now = now or timezone.now()
    report = TickReport()
    report.resumed_runs = claim_due_runs(now)
    report.scanned = run_due_scans(now)
    report.relayed_events = relay_undispatched_events(now)
    return report


def relay_undispatched_events(now, limit=None):
    """Re-enqueue events whose on-commit hand-off never ran (lost publish, broker down, crash).

    An event qualifies once it has waited ``OUTBOX_RELAY_AFTER_SECONDS`` since it was recorded and
    since it was last relayed, so a backlog is not re-enqueued on every tick. Each batch is one
    message; events that nothing listens to (any more) are marked dispatched without one.
    """
    after = datetime.timedelta(seconds=get_setting("OUTBOX_RELAY_AFTER_SECONDS"))
    limit = limit or get_setting("TICK_BATCH_SIZE")
    cutoff = now - after
    relayed = 0
    snapshot = definitions()
    while True:
        with transaction.atomic():
            rows = list(
                Event.objects.select_for_update(skip_locked=True)
                .filter(dispatched_at__isnull=True, recorded_at__lte=cutoff)
                .exclude(relayed_at__gt=cutoff)
                .order_by("recorded_at", "id")
                .values_list("pk", "idempotency_key", "event_type")[:limit]
            )
            if not rows:
                break
            unheard = [pk for pk, _key, event_type in rows if not snapshot.listens(event_type)]
            if unheard:
                Event.objects.filter(pk__in=unheard).update(
                    dispatch_status=Event.DISPATCH.dispatched, dispatched_at=now, dispatch_note=NO_LISTENER)
            keys = [key for pk, key, event_type in rows if pk not in set(unheard)]
            Event.objects.filter(idempotency_key__in=keys).update(relayed_at=now)
        if keys:
            enqueue_dispatch(keys)
        relayed += len(rows)
        if len(rows) < limit:
            break
    if relayed:
        log.info("lms_automations: relayed %d undispatched event(s)", relayed)
    return relayed


def claim_due_runs(now, limit=None, passes=None):
    """Lease every run that is due and hand them to workers in batches; returns how many.

    Claiming locks due wake rows with SKIP LOCKED and pushes their due time to the end of a lease in
    the same transaction, so ticks running in parallel never claim the same run twice. The lease
    end is the token the resume task must present. ``passes``: at most this many batches.

    Each batch starts where the last one ended, in ``(due_at, run_id)`` order (a keyset): the rows
    a batch leased leave their former place in the index only when the database cleans up (vacuum,
    InnoDB's purge), and a batch that started from the lowest due time again would walk past all of
    them — its cost grew with the tick's length (ADR 0026). A run skipped because another process
    held it is left for the next tick.
    """
    limit = limit or get_setting("TICK_BATCH_SIZE")
    lease_until = _lease_end(now)
    claimed, done, after = 0, 0, None
    while passes is None or done < passes:
        run_ids, after = _lease(RunWake.objects.filter(due_at__lte=now), lease_until, limit, after)
        _hand_over(run_ids, lease_until)
        claimed += len(run_ids)
        done += 1
        if len(run_ids) < limit:
            break
    return claimed


def hand_to_workers(run_ids, now=None):
    """Lease these runs (those due now) and resume them through Celery in batches, as the tick does:
    for staff actions on many learners, whose steps must not run inside the admin request."""
    now = now or timezone.now()
    lease_until = _lease_end(now)
    leased, _after = _lease(RunWake.objects.filter(run_id__in=list(run_ids), due_at__lte=now), lease_until)
    _hand_over(leased, lease_until)
    return len(leased)


def _lease_end(now):
    return now + datetime.timedelta(seconds=get_setting("RUN_LEASE_SECONDS"))


def _lease(wakes, lease_until, limit=None, after=None):
    """Lease the runs of ``wakes`` (at most ``limit``) that no one else holds, in ``(due_at, run_id)``
    order from past ``after``: ``(run ids, the last row's (due_at, run_id))``."""
    if after is not None:
        wakes = wakes.filter(_past(*after))
    with transaction.atomic():
        rows = list(wakes.order_by("due_at", "run_id").select_for_update(skip_locked=True)
                    .values_list("run_id", "due_at")[:limit])
        run_ids = [run_id for run_id, _due_at in rows]
        # The reason (wait over, timeout, retry) is kept: the resume acts on it.
        RunWake.objects.filter(run_id__in=run_ids).update(due_at=lease_until)
    return run_ids, ((rows[-1][1], rows[-1][0]) if rows else after)


def _past(due_at, run_id):
    """Wake rows after ``(due_at, run_id)`` in the claim's order, as the index ``(due_at, run_id)``
    reads them from that point: a row comparison on PostgreSQL (its planner turns the OR below
    into a bitmap and a sort of every due row), the OR on MySQL/MariaDB and SQLite (the range
    optimiser reads it as two ranges of the index; it reads a row comparison as a filter)."""
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        return RawSQL(f"({quote('due_at')}, {quote('run_id')}) > (%s, %s)", [due_at, run_id],
                      output_field=BooleanField())
    return Q(due_at__gt=due_at) | Q(due_at=due_at, run_id__gt=run_id)


def _hand_over(run_ids, lease_until):
    """One message per ``TASK_BATCH_SIZE`` leased runs, the lease end as their token."""
    batch_size = get_setting("TASK_BATCH_SIZE")
    for start in range(0, len(run_ids), batch_size):
        enqueue_resume(run_ids[start:start + batch_size], lease_until.isoformat())


def enqueue_resume(run_ids, token):
    """One Celery task per batch of runs (a task per tiny step would cost more than the step)."""
    from ..publishing import publish  # pylint: disable=import-outside-toplevel
    from ..tasks import resume_runs  # pylint: disable=import-outside-toplevel

    try:
        publish(resume_runs, [list(run_ids), token], queue=get_setting("CELERY_QUEUE"))
    except Exception:  # pylint: disable=broad-except
        # The lease runs out and the next tick claims these runs again.
        log.exception("lms_automations: could not enqueue %d due run(s)", len(run_ids))
