"""Dispatching a recorded event to the engine.

Dispatch claims the event row (so a duplicate enqueue or a parallel relay does nothing), hands it to
matching, and marks it dispatched in the same transaction: an event is handled exactly once, and one
whose dispatch crashed stays undispatched for the outbox relay.
"""
import logging

from django.db import transaction
from django.utils import timezone

from ..models import Event

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
        handle_event(event)
        if event.dispatch_status == Event.DISPATCH.pending:
            event.dispatch_status = Event.DISPATCH.dispatched
        event.dispatched_at = timezone.now()
        event.save(update_fields=["dispatch_status", "dispatched_at", "dispatch_note"])
    return True


def handle_event(event):
    """Match the event against exit conditions and triggers (the engine's matching stage)."""
    log.debug("lms_automations: dispatched %s", event)
