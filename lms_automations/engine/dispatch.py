"""Dispatching a recorded event to the engine.

Dispatch locks the event row (so a duplicate enqueue or a parallel relay does nothing), matches it
(exits, event waits, triggers) and marks it dispatched in one transaction: an event is handled once,
and one whose dispatch crashed stays undispatched for the outbox relay. The runs it started or
resumed are advanced after that commit.
"""
import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ..models import Event
from .matching import match_event
from .stepping import advance_run, claim_run

log = logging.getLogger(__name__)


def dispatch_event(idempotency_key):
    """Handle one recorded event; returns False if it was already handled or does not exist."""
    with transaction.atomic():
        event = (
            Event.objects.select_for_update()
            .filter(idempotency_key=idempotency_key, dispatched_at__isnull=True)
            .first()
        )
        if event is None:
            return False
        if not get_user_model().objects.filter(pk=event.user_id).exists():
            event.dispatch_status = Event.DISPATCH.ignored
            event.dispatch_note = "no such learner"
            ready = []
        else:
            ready = handle_event(event)
        if event.dispatch_status == Event.DISPATCH.pending:
            event.dispatch_status = Event.DISPATCH.dispatched
        event.dispatched_at = timezone.now()
        event.save(update_fields=["dispatch_status", "dispatched_at", "dispatch_note"])
    advance_runs([run.pk for run in ready])
    return True


def handle_event(event):
    """The engine's matching stage; returns the runs to advance once the dispatch commits."""
    return match_event(event)


def advance_runs(run_ids):
    """Claim and advance runs that are due now (a run someone else holds is skipped)."""
    for run_id in run_ids:
        run = claim_run(run_id)
        if run is not None:
            advance_run(run)
