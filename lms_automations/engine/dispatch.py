"""Dispatching recorded events to the engine, one learner at a time and in order.

A dispatch task names one event, but handles every undispatched event of that learner in the order
they were recorded, under the learner's ``LearnerDispatchLock``: parallel workers never match a
learner's events out of order, a duplicate task finds nothing left to do, and an event whose
dispatch crashed stays undispatched for the outbox relay. Each event is matched and marked in one
savepoint; the runs it started or resumed are advanced after the commit.
"""
import logging

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import Event, LearnerDispatchLock
from ..recording import collecting_dispatches, enqueue_dispatch
from ..retirement import drop_if_retired
from .matching import match_event
from .stepping import advance_run, claim_run

log = logging.getLogger(__name__)
MAX_DISPATCH_ATTEMPTS = 5
EVENTS_PER_PASS = 200
#: How many times a worker dispatches, in a row, the events its own steps recorded for the learner
#: before leaving the rest to Celery (a chain of automations cannot keep one worker forever).
MAX_INLINE_ROUNDS = 5


def dispatch_event(idempotency_key):
    """Dispatch the learner's pending events up to and including this one; False if nothing was due."""
    user_id = (
        Event.objects.filter(idempotency_key=idempotency_key, dispatched_at__isnull=True)
        .values_list("user_id", flat=True)
        .first()
    )
    if user_id is None:
        return False
    return dispatch_learner_events(user_id) > 0


def dispatch_learner_events(user_id, *, inline_execution=None, _round=0):
    """Match every undispatched event of one learner, oldest first; returns how many were handled.

    With ``inline_execution="sync"`` (in the host's process) only runs of ``sync`` automations are
    advanced here; the others go to Celery.
    """
    ready = []
    handled = 0
    with transaction.atomic():
        _lock_learner(user_id)
        if drop_if_retired(user_id):  # a retired learner's events are deleted, never matched (ADR 0011)
            return 0
        events = list(
            Event.objects.select_for_update()
            .filter(user_id=user_id, dispatched_at__isnull=True)
            .order_by("recorded_at", "id")[:EVENTS_PER_PASS]
        )
        learner_exists = get_user_model().objects.filter(pk=user_id).exists()
        for event in events:
            try:
                with transaction.atomic():
                    if learner_exists:
                        ready.extend(handle_event(event))
                    else:
                        event.dispatch_status, event.dispatch_note = Event.DISPATCH.ignored, "no such learner"
                    _mark_dispatched(event)
                handled += 1
            except Exception as error:  # pylint: disable=broad-except
                _record_failure(event, error)
    if inline_execution == "sync":
        from ..models import Automation  # pylint: disable=import-outside-toplevel
        from .tick import enqueue_resume  # pylint: disable=import-outside-toplevel

        inline = [run.pk for run in ready if run.automation.execution == Automation.EXECUTION.sync]
        later = [run.pk for run in ready if run.pk not in inline]
        advance_runs(inline)
        if later:
            transaction.on_commit(lambda: enqueue_resume(later, None))
    else:
        handled += _advance_then_dispatch_own_events(user_id, [run.pk for run in ready], _round)
    return handled


def _advance_then_dispatch_own_events(user_id, run_ids, round_number):
    """Advance the runs; then dispatch, in this worker, the events their steps recorded for this
    learner (what a Celery task would do a moment later, minus the task)."""
    with collecting_dispatches(user_id) as recorded:
        advance_runs(run_ids)
    if not recorded:
        return 0
    if round_number < MAX_INLINE_ROUNDS:
        try:
            return dispatch_learner_events(user_id, _round=round_number + 1)
        except Exception:  # pylint: disable=broad-except
            log.exception("lms_automations: in-worker dispatch for learner %s failed; handing it to Celery", user_id)
    for key in recorded:
        enqueue_dispatch(key)
    return 0


def _lock_learner(user_id):
    try:
        with transaction.atomic():
            LearnerDispatchLock.objects.get_or_create(user_id=user_id)
    except IntegrityError:
        pass  # created by a parallel worker since our read
    LearnerDispatchLock.objects.select_for_update().get(user_id=user_id)


def _mark_dispatched(event):
    if event.dispatch_status == Event.DISPATCH.pending:
        event.dispatch_status = Event.DISPATCH.dispatched
    event.dispatched_at = timezone.now()
    event.save(update_fields=["dispatch_status", "dispatched_at", "dispatch_note"])


def _record_failure(event, error):
    """A failing event is retried by the relay a few times, then set aside so later ones can flow."""
    log.exception("lms_automations: dispatch of %s failed", event.idempotency_key)
    event.dispatch_attempts += 1
    event.dispatch_note = f"{type(error).__name__}: {error}"[:255]
    fields = ["dispatch_attempts", "dispatch_note"]
    if event.dispatch_attempts >= MAX_DISPATCH_ATTEMPTS:
        event.dispatch_status = Event.DISPATCH.ignored
        event.dispatched_at = timezone.now()
        fields += ["dispatch_status", "dispatched_at"]
    event.save(update_fields=fields)


def handle_event(event):
    """Turn the host's repeats into changes, then match; returns the runs to advance after commit."""
    from ..transitions import apply_transition, record_derived  # pylint: disable=import-outside-toplevel

    ignored, derived = apply_transition(event)
    if ignored:
        event.dispatch_status, event.dispatch_note = Event.DISPATCH.ignored, ignored[:255]
        return []
    if derived:
        record_derived(event, derived)
    if event.event_type == "enrollment.mode_changed":
        event.save(update_fields=["payload"])  # from_mode, known only now
    return match_event(event)


def advance_runs(run_ids):
    """Claim and advance runs that are due now (a run someone else holds is skipped)."""
    for run_id in run_ids:
        run = claim_run(run_id)
        if run is not None:
            advance_run(run)
