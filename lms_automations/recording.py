"""Recording events: the one write a host signal causes, and the hand-off to the engine.

    record_event("enrollment.created", user_id=7, payload={...}, occurred_at=now,
                 source=Event.SOURCE.openedx_events, idempotency_key="oev:<metadata id>")

Receivers call this inside the host's request or task transaction. It does one insert (in a
savepoint, so a failure cannot poison the host's transaction) and, once the host commits, enqueues
the dispatch. A duplicate key inserts nothing: the same host occurrence is one event. Nothing here
raises into the caller; an enqueue that fails is retried by the tick's outbox relay.
"""
import contextlib
import functools
import logging
import threading

from django.db import transaction
from django.utils import timezone

from .models import Event

log = logging.getLogger(__name__)
#: The learner whose runs this thread is advancing, and the events their steps recorded meanwhile.
_collecting = threading.local()


def record_event(event_type, *, user_id, payload, occurred_at=None, source, idempotency_key, created=None):
    """Insert an ``Event`` unless its key exists, and dispatch it after commit.

    Returns the idempotency key, or None if the row could not be written. A duplicate is not an
    error: the dispatch it enqueues finds the event already handled and does nothing. ``created``, a
    list, receives whether this call wrote the row (REST answers 201 or 200 by it, even when two
    requests with one key arrive together).
    """
    key = idempotency_key[:255]
    if user_id is None:
        # MySQL's INSERT IGNORE would store a NULL learner as 0 rather than fail: refuse it here.
        log.error("lms_automations: %s without a learner was not recorded", event_type)
        return None
    event = Event(
        event_type=event_type,
        user_id=user_id,
        payload=payload,
        occurred_at=occurred_at or timezone.now(),
        source=source,
        idempotency_key=key,
    )
    try:
        with transaction.atomic():
            Event.objects.bulk_create([event], ignore_conflicts=True)
            if created is not None:
                # Ours if the stored row carries our own recording instant (set on this instance).
                created.append(Event.objects.filter(idempotency_key=key, recorded_at=event.recorded_at).exists())
    except Exception:  # pylint: disable=broad-except
        # DatabaseError, or a payload that is not JSON: either way the host must not notice.
        log.exception("lms_automations: could not record %s for user %s", event_type, user_id)
        return None
    transaction.on_commit(lambda: hand_over(key, event_type, user_id))
    return key


def record_events(events):
    """Record many events at once (the daily scans): one read of the keys already stored, one insert
    of the rest, each new one handed to the engine after commit. ``events`` are dicts of
    ``record_event``'s arguments; returns the keys newly written. A scan that runs again the next day
    finds its known streaks in that one read instead of trying every insert again."""
    if not events:
        return []
    rows = {}
    for item in events:
        key = item["idempotency_key"][:255]
        if item.get("user_id") is not None and key not in rows:
            rows[key] = Event(event_type=item["event_type"], user_id=item["user_id"], payload=item["payload"],
                              occurred_at=item.get("occurred_at") or timezone.now(), source=item["source"],
                              idempotency_key=key)
    known = set(Event.objects.filter(idempotency_key__in=list(rows)).values_list("idempotency_key", flat=True))
    fresh = [event for key, event in rows.items() if key not in known]
    try:
        with transaction.atomic():
            Event.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=500)
    except Exception:  # pylint: disable=broad-except
        log.exception("lms_automations: could not record %d scan event(s)", len(fresh))
        return []
    handed = set()
    for event in fresh:
        # One hand-over per learner: the dispatch it causes takes all of that learner's new events in order.
        if event.user_id not in handed:
            handed.add(event.user_id)
            transaction.on_commit(functools.partial(hand_over, event.idempotency_key, event.event_type,
                                                    event.user_id))
    return [event.idempotency_key for event in fresh]


@contextlib.contextmanager
def collecting_dispatches(user_id):
    """While a worker advances one learner's runs, the events those steps record for the same
    learner (``tag.added``, ``email.sent``, ``automation.finished``…) are collected rather than sent
    to Celery: the worker dispatches them itself right after, in order and under the learner's lock,
    saving a task and a broker round trip per event."""
    previous = getattr(_collecting, "state", None)
    _collecting.state = (user_id, [])
    try:
        yield _collecting.state[1]
    finally:
        _collecting.state = previous


def hand_over(idempotency_key, event_type, user_id):
    """After the host commits: dispatch in this process when a ``sync`` automation listens to the
    event (its learner sees the outcome on the next page), else through Celery — unless this
    thread is advancing the same learner's runs and will dispatch it next (``collecting_dispatches``)."""
    state = getattr(_collecting, "state", None)
    if state is not None and state[0] == user_id:
        state[1].append(idempotency_key)
        return
    try:
        from .engine import trigger_index  # pylint: disable=import-outside-toplevel

        if trigger_index.has_sync_listener(event_type):
            from .engine.dispatch import dispatch_learner_events  # pylint: disable=import-outside-toplevel

            dispatch_learner_events(user_id, inline_execution="sync")
            return
    except Exception:  # pylint: disable=broad-except
        log.exception("lms_automations: in-process dispatch of %s failed; handing it to Celery", idempotency_key)
    enqueue_dispatch(idempotency_key)


def enqueue_dispatch(idempotency_key):
    """Hand an event to the engine through Celery; on failure the outbox relay retries later."""
    from .conf import get_setting  # pylint: disable=import-outside-toplevel
    from .publishing import publish  # pylint: disable=import-outside-toplevel
    from .tasks import dispatch_event  # pylint: disable=import-outside-toplevel

    try:
        publish(dispatch_event, [idempotency_key], queue=get_setting("CELERY_QUEUE"))  # never holds the caller
    except Exception:  # pylint: disable=broad-except
        log.exception("lms_automations: could not enqueue dispatch of event %s; the tick will retry", idempotency_key)
