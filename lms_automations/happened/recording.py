"""Recording events: the one write a host signal causes, and one hand-off per host commit.

    record_event("enrollment.created", user_id=7, payload={...}, occurred_at=now,
                 source=Event.SOURCE.openedx_events, idempotency_key="oev:<metadata id>")

Receivers call this inside the host's request or task transaction. It does one insert, one round
trip (``insert_event``: on PostgreSQL its savepoint travels with it, so a failure cannot poison the
host's transaction). The keys of the events a transaction recorded are collected, and once the host
commits they are queued for the process's publisher thread (``publishing.publish_keys_soon``): no
broker I/O in the request, one message for the commits made meanwhile; a publish that cannot reach
the broker fails at once and the tick's outbox relay delivers later. Nothing here raises into the caller.

An event type nothing listens to (no trigger, exit condition or event wait; ``connect_engine``)
is recorded as history already marked dispatched: it costs no hand-off and no dispatch task.

This module does not import the engine: the engine registers its listener index and its hand-off
with ``connect_engine`` when it is imported (apps.ready imports it).
"""
import contextlib
import logging
import threading

from django.db import transaction
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from django.utils import timezone

from ..models import Event

log = logging.getLogger(__name__)
NO_LISTENER = "no automation listens to this event type"
#: Keys of events recorded while a worker advances runs: handed to that worker, not to Celery.
_collecting = threading.local()
_engine = {"listens": None, "hand_over": None, "enqueue": None}


def connect_engine(*, listens, hand_over, enqueue):
    """Called by the engine: ``listens(event_type) -> bool`` (cached), ``hand_over(items)`` after commit,
    where items are ``(idempotency_key, event_type, user_id)``, and ``enqueue(keys)`` (one publish)."""
    _engine.update(listens=listens, hand_over=hand_over, enqueue=enqueue)


def _listened(event_type):
    listens = _engine["listens"]
    if listens is None:
        return True
    try:
        return listens(event_type)
    except Exception:  # pylint: disable=broad-except
        log.exception("lms_automations: listener index unavailable; handing %s over", event_type)
        return True


def _new_event(event_type, user_id, payload, occurred_at, source, key, now):
    event = Event(event_type=event_type, user_id=user_id, payload=payload, occurred_at=occurred_at or now,
                  source=source, idempotency_key=key)
    if not _listened(event_type):
        event.dispatch_status, event.dispatched_at, event.dispatch_note = Event.DISPATCH.dispatched, now, NO_LISTENER
    return event


def record_event(event_type, *, user_id, payload, occurred_at=None, source, idempotency_key, created=None):
    """Insert an ``Event`` unless its key exists, and hand it over after commit.

    Returns the idempotency key, or None if the row could not be written. A duplicate is not an
    error: the dispatch finds the event already handled and does nothing. ``created``, a list,
    receives whether this call wrote the row (REST answers 201 or 200 by it, even when two
    requests with one key arrive together).
    """
    key = idempotency_key[:255]
    if user_id is None:
        # MySQL's INSERT IGNORE would store a NULL learner as 0 rather than fail: refuse it here.
        log.error("lms_automations: %s without a learner was not recorded", event_type)
        return None
    event = _new_event(event_type, user_id, payload, occurred_at, source, key, timezone.now())
    if getattr(_collecting, "fast", False):
        # Inside an engine round that rolls back whole on any error: no savepoint, errors propagate.
        insert_event(event, guarded=False, counted=False)
        if event.dispatched_at is None:
            _hand_over_after_commit([(key, event_type, user_id)])
        return key
    try:
        inserted = insert_event(event, counted=created is not None)
    except Exception:  # pylint: disable=broad-except
        # DatabaseError, or a payload that is not JSON: either way the host must not notice.
        log.exception("lms_automations: could not record %s for user %s", event_type, user_id)
        return None
    if created is not None:
        created.append(inserted)
    if event.dispatched_at is None:
        _hand_over_after_commit([(key, event_type, user_id)])
    return key


_SAVEPOINT = "lmsauto_record_event"


def insert_event(event, *, guarded=True, counted=True):
    """INSERT ``event`` unless its key is stored: one statement, one round trip; whether it was written
    (``counted=False``: not asked — None — which spares reading the results' row counts, and on
    psycopg 2 a read of the row).

    ``guarded``: inside the host's transaction a failing insert must not poison it. On PostgreSQL
    (where any error aborts the transaction) the insert is sent between a SAVEPOINT and its
    RELEASE in the same round trip, and rolled back to it on error; MySQL and SQLite roll back the
    failing statement alone and need no savepoint. (Django's ``atomic()`` costs two more round
    trips: about +0.5 ms of the host's request, measured.)
    """
    connection = transaction.get_connection()
    savepoint = _savepoint(connection) if guarded else None
    if savepoint == "atomic":
        with transaction.atomic(using=connection.alias):
            return insert_event(event, guarded=False, counted=counted)
    sql, params = _insert_statement(connection, event)
    counts = _execute(connection, sql, params, savepoint, counted=counted)
    if not counted:
        return None
    written = None if counts is None else max(counts) == 1
    if written is None:  # a driver that shows only the last statement's count (psycopg 2)
        written = Event.objects.filter(idempotency_key=event.idempotency_key, recorded_at=event.recorded_at).exists()
    return written


def set_pending_payload(idempotency_key, payload, *, guarded=True):
    """Replace the payload of an event not dispatched yet (one the host's transaction in progress
    recorded): one UPDATE, one round trip, guarded in the host's transaction as ``insert_event`` is
    (Django's ``update()`` in ``atomic()`` was three statements and ~0.3 ms of the request). Whether
    a row changed."""
    connection = transaction.get_connection()
    savepoint = _savepoint(connection) if guarded else None
    if savepoint == "atomic":
        with transaction.atomic(using=connection.alias):
            return set_pending_payload(idempotency_key, payload, guarded=False)
    quote = connection.ops.quote_name
    sql = (f"UPDATE {quote(Event._meta.db_table)} SET {quote('payload')} = %s "
           f"WHERE {quote('idempotency_key')} = %s AND {quote('dispatched_at')} IS NULL")
    params = (_PAYLOAD.get_db_prep_save(payload, connection=connection), idempotency_key[:255])
    counts = _execute(connection, sql, params, savepoint, counted=True)
    return counts is None or max(counts) >= 1


def _execute(connection, sql, params, savepoint, *, counted):
    """Execute one statement, between a SAVEPOINT and its RELEASE in the same round trip if
    ``savepoint``, rolled back to it on error; the row counts of its results if ``counted`` (None:
    unknown or not asked)."""
    if savepoint:
        sql = f"SAVEPOINT {_SAVEPOINT}; {sql}; RELEASE SAVEPOINT {_SAVEPOINT}"
    with connection.cursor() as cursor:
        try:
            cursor.execute(sql, params)
        except Exception:
            if savepoint:
                cursor.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}; RELEASE SAVEPOINT {_SAVEPOINT}")
            raise
        return _row_counts(cursor, several=bool(savepoint)) if counted else None


_EVENT_FIELDS = [field for field in Event._meta.concrete_fields if not field.primary_key]
_PAYLOAD = Event._meta.get_field("payload")
_COMPILED = "_lms_automations_event_insert"


def _insert_statement(connection, event):
    """The INSERT of ``event`` and its parameters: the SQL compiled once per connection, the values
    prepared per event by the fields themselves, as Django's insert compiler prepares them.

    Compiling the statement for every event cost ~0.05 ms of the host's request (a third of what
    recording an event cost in Python); the statement is the same for every event — one row, the
    same columns, placeholders only — so it is built once, on the connection object (one per thread
    and alias, so never shared across backends or threads). A field whose placeholder is not a plain
    ``%s`` (``get_placeholder``), or a value that is an expression, takes the full compile."""
    compiled = connection.__dict__.get(_COMPILED)
    if compiled is None:
        query = InsertQuery(Event, on_conflict=OnConflict.IGNORE)
        query.insert_values(_EVENT_FIELDS, [event])
        ((sql, params),) = query.get_compiler(connection=connection).as_sql()
        plain = not any(hasattr(field, "get_placeholder") for field in _EVENT_FIELDS)
        if not plain or len(params) != len(_EVENT_FIELDS):
            return sql, params
        connection.__dict__[_COMPILED] = sql
        return sql, params
    sql = compiled
    params = []
    for field in _EVENT_FIELDS:
        value = field.pre_save(event, add=True)  # auto_now_add (recorded_at) as the compiler would
        if hasattr(value, "resolve_expression"):
            query = InsertQuery(Event, on_conflict=OnConflict.IGNORE)
            query.insert_values(_EVENT_FIELDS, [event])
            ((sql, params),) = query.get_compiler(connection=connection).as_sql()
            return sql, params
        params.append(None if value is None and field.null else field.get_db_prep_save(value, connection=connection))
    return sql, tuple(params)


def _savepoint(connection):
    """None (no savepoint needed), ``"one_trip"`` or ``"atomic"`` for an insert in the host's transaction.

    Only PostgreSQL inside a transaction needs one; it goes in the insert's round trip when the
    parameters are bound on the client (Django's default for psycopg 3; psycopg 2 always)."""
    if connection.vendor != "postgresql" or (connection.get_autocommit() and not connection.in_atomic_block):
        return None
    return "atomic" if connection.settings_dict.get("OPTIONS", {}).get("server_side_binding") else "one_trip"


def _row_counts(cursor, *, several):
    """The row counts of an execute's results (a savepointed execute has three), or None where the
    driver shows only the last one's (psycopg 2)."""
    if not several:
        return [cursor.rowcount]
    counts = [cursor.rowcount]
    try:
        while cursor.nextset():
            counts.append(cursor.rowcount)
    except Exception:  # pylint: disable=broad-except
        return None
    return counts


def record_events(events):
    """Record many events at once (scans, the engine's own events): one read of the keys already
    stored, one insert of the rest, one hand-off after commit. ``events`` are dicts of
    ``record_event``'s arguments; returns the keys newly written."""
    if not events:
        return []
    now = timezone.now()
    rows = {}
    for item in events:
        key = item["idempotency_key"][:255]
        if item.get("user_id") is not None and key not in rows:
            rows[key] = _new_event(item["event_type"], item["user_id"], item["payload"], item.get("occurred_at"),
                                   item["source"], key, now)
    known = set(Event.objects.filter(idempotency_key__in=list(rows)).values_list("idempotency_key", flat=True))
    fresh = [event for key, event in rows.items() if key not in known]
    if getattr(_collecting, "fast", False):
        # Inside an engine round that rolls back whole on any error: no savepoint, errors propagate.
        Event.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=500)
    else:
        try:
            with transaction.atomic():
                Event.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=500)
        except Exception:  # pylint: disable=broad-except
            log.exception("lms_automations: could not record %d event(s)", len(fresh))
            return []
    _hand_over_after_commit([(event.idempotency_key, event.event_type, event.user_id)
                             for event in fresh if event.dispatched_at is None])
    return [event.idempotency_key for event in fresh]


def record_new_events(events):
    """Record events whose keys are new by construction (``automation.started:<new run id>``) inside
    the caller's transaction: one insert, no read of existing keys and no savepoint — an error rolls
    back the caller's work with them (the engine's bulk writes). Handed over after commit."""
    now = timezone.now()
    fresh = [_new_event(item["event_type"], item["user_id"], item["payload"], item.get("occurred_at"),
                        item["source"], item["idempotency_key"][:255], now) for item in events]
    if not fresh:
        return
    Event.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=500)
    _hand_over_after_commit([(event.idempotency_key, event.event_type, event.user_id)
                             for event in fresh if event.dispatched_at is None])


_PENDING = "_lms_automations_pending"


class _Commit:
    """The events one transaction recorded; the first of its on-commit callbacks hands them all over."""

    def __init__(self):
        self.items = []
        self.callbacks = set()
        self.done = False

    def callback(self):
        def hand_over_once():
            if not self.done:
                self.done = True
                hand_over(self.items)

        self.callbacks.add(id(hand_over_once))
        return hand_over_once

    def registered_in(self, connection):
        return any(id(entry[1]) in self.callbacks for entry in connection.run_on_commit)


def _hand_over_after_commit(items):
    """Queue ``items`` with this transaction's other events; one hand-off (one publish) per commit.

    Every recording registers a callback (a list append, no I/O), so a savepoint rolled back with
    one callback cannot strand the keys of the others; the first callback to run at the commit
    hands over every key and the rest do nothing. A transaction whose callbacks are all gone
    (rolled back) or have run (committed) starts a new queue.
    """
    if not items:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        hand_over(items)  # autocommit: the insert is committed already
        return
    commit = connection.__dict__.get(_PENDING)
    if commit is None or commit.done or not commit.registered_in(connection):
        commit = connection.__dict__[_PENDING] = _Commit()
    commit.items.extend(items)
    transaction.on_commit(commit.callback())


def current_commit():
    """The hand-off of the host transaction in progress — the same object for every event it has
    recorded so far — or None outside a transaction or before its first event (receivers use it to
    tell "in the same host commit" from "later")."""
    connection = transaction.get_connection()
    commit = connection.__dict__.get(_PENDING)
    if not connection.in_atomic_block or commit is None or commit.done or not commit.registered_in(connection):
        return None
    return commit


@contextlib.contextmanager
def collecting_dispatches(user_id=None):
    """While a worker advances runs, the events their steps record (``tag.added``, ``email.sent``,
    ``automation.finished``…) are collected rather than sent to Celery: the worker dispatches them
    itself right after, in order and under the learners' locks, saving a task per batch.
    ``user_id`` (legacy) is ignored: every learner's events are collected."""
    previous = getattr(_collecting, "items", None)
    _collecting.items = []
    try:
        yield _collecting.items
    finally:
        _collecting.items = previous


@contextlib.contextmanager
def without_savepoints():
    """For the engine's rounds: events recorded meanwhile are inserted without a savepoint and an
    error propagates (the round rolls back whole and is done again, carefully)."""
    previous = getattr(_collecting, "fast", False)
    _collecting.fast = True
    try:
        yield
    finally:
        _collecting.fast = previous


def hand_over(items):
    """After commit: to the collecting worker if there is one, else to the engine (or Celery)."""
    collected = getattr(_collecting, "items", None)
    if collected is not None:
        collected.extend(items)
        return
    engine_hand_over = _engine["hand_over"]
    if engine_hand_over is not None:
        try:
            engine_hand_over(items)
            return
        except Exception:  # pylint: disable=broad-except
            log.exception("lms_automations: hand-over of %d event(s) failed; the tick will relay them", len(items))
            return
    enqueue_dispatch([key for key, _type, _user in items])


def enqueue_dispatch(keys):
    """One Celery message for these keys, never blocking: no publish retries (the relay retries)."""
    from ..conf import get_setting  # pylint: disable=import-outside-toplevel
    from ..publishing import publish  # pylint: disable=import-outside-toplevel

    keys = [keys] if isinstance(keys, str) else list(keys)
    if not keys:
        return
    if _engine["enqueue"] is not None:
        _engine["enqueue"](keys)
        return
    try:
        # Never holds the host: one attempt, short timeouts, a pause after a failure (ADR 0011).
        publish("lms_automations.dispatch_events", [keys], queue=get_setting("CELERY_QUEUE"))
    except Exception:  # pylint: disable=broad-except
        log.exception("lms_automations: could not enqueue dispatch of %d event(s); the tick will retry", len(keys))

