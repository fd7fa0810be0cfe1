"""Recording the SPEC §4.1 events the built-in actions cause (``tag.added``, ``email.sent``…)."""
import hashlib

from ..models import Event
from ..recording import record_event, record_events

KEY_LENGTH = 255


def emit_plugin_event(context, event_type, payload, discriminator=""):
    """Record an event the action caused, keyed on the step's idempotency key.

    A retried external action (same run, step and visit) therefore emits once; ``discriminator``
    separates several events of one type from one execution (one ``tag.added`` per tag).
    """
    item = plugin_event(context, event_type, payload, discriminator)
    record_event(item.pop("event_type"), **item)


def plugin_event(context, event_type, payload, discriminator=""):
    """The event ``emit_plugin_event`` records, as a dict of ``record_event``'s arguments: for
    actions that record the events of many learners at once (``emit_plugin_events``)."""
    step_key = context.idempotency_key or f"direct:{context.user_id}:{context.now.isoformat()}"
    key = f"action:{step_key}:{event_type}:{discriminator}"
    if len(key) > KEY_LENGTH:
        # Event keys are cut at 255 characters: a long tag must not make two events one.
        key = f"action:{step_key}:{event_type}:{hashlib.sha256(discriminator.encode()).hexdigest()}"
    return {"event_type": event_type, "user_id": context.user_id, "payload": {**payload, "user_id": context.user_id},
            "occurred_at": context.now, "source": Event.SOURCE.plugin, "idempotency_key": key}


def emit_plugin_events(items):
    """Record ``plugin_event`` dicts in one read and one insert (in recorded order)."""
    if items:
        record_events(items)
