"""What every receiver shares: the never-raise guard and the one call that records an event.

A receiver runs inside the host's code path (often inside its request transaction, and with
``DEBUG`` on, openedx-events sends without catching), so it must not be able to break an enrolment or
a grade update. It reads the payload, builds primitives, and calls ``record_event`` once.
"""
import functools
import hashlib
import logging

from ..models import Event
from ..recording import record_event

log = logging.getLogger("lms_automations.handlers")

#: Length of ``Event.idempotency_key``; longer business keys are hashed rather than truncated.
MAX_KEY_LENGTH = 255


def never_raises(receiver):
    """Run ``receiver``; log and swallow any error so the sender carries on as if we were not there."""

    @functools.wraps(receiver)
    def guarded(sender, signal=None, **kwargs):
        try:
            receiver(sender, signal=signal, **kwargs)
        except Exception:  # pylint: disable=broad-except
            log.exception("lms_automations: receiver %s failed; the event is not recorded", receiver.__name__)

    return guarded


def record_openedx_event(event_type, signal_kwargs, *, user_id, **fields):
    """Record an openedx-events occurrence under its own id, so a re-delivery is the same event.

    ``signal_kwargs`` are the receiver's keyword arguments (``metadata``, ``from_event_bus``);
    ``fields`` are the payload besides ``user_id``, already primitives. Returns the key, or None
    when the row could not be written.
    """
    metadata = signal_kwargs.get("metadata")
    if metadata is None:
        raise ValueError(f"{event_type}: the signal carried no openedx-events metadata")
    source = Event.SOURCE.event_bus if signal_kwargs.get("from_event_bus") else Event.SOURCE.openedx_events
    return record_event(
        event_type,
        user_id=user_id,
        payload={"user_id": user_id, **fields},
        occurred_at=metadata.time,
        source=source,
        idempotency_key=f"oev:{metadata.id}",
    )


def business_key(kind, *parts):
    """An idempotency key from the facts that identify an occurrence, for signals with no event id.

    Kept readable (it shows in admin) unless too long for the column, where it is hashed: cutting it
    would let two different occurrences share a key.
    """
    key = ":".join([kind, *map(str, parts)])
    if len(key) <= MAX_KEY_LENGTH:
        return key
    return f"{kind}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"
