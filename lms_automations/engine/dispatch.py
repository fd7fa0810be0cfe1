"""Dispatching recorded events in batches: many learners per transaction, each in recorded order.

A dispatch task carries the keys of the events one host commit recorded (or none: a sweep of the
outbox). It locks the learners concerned (``LearnerDispatchLock``, in user-id order, so parallel
workers never deadlock and never match one learner's events out of order), takes every
undispatched event of theirs oldest first, and matches them in *waves*: the first event of each
learner, then the second… Each wave is written with a few bulk statements (``engine.batch``), all
waves in one transaction with the dispatched marks. The runs started or resumed are then advanced
together by the stepper, and the events their steps recorded are dispatched by the same worker.

A batch that fails is retried learner by learner, and a learner's events one by one: an event that
keeps failing is set aside (``ignored``, with the error) after a few attempts, never failing the
other learners of its batch.
"""
import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ..conf import get_setting
from ..happened import transitions
from ..happened.recording import collecting_dispatches, enqueue_dispatch
from ..models import Automation, Event, LearnerCourseState, LearnerDispatchLock
from ..retirement import drop_retired
from . import stepping, trigger_index
from .batch import Batch
from .bulk import update_rows
from .matching import LearnerCourses, match_wave
from .trigger_index import definitions

log = logging.getLogger(__name__)
MAX_DISPATCH_ATTEMPTS = 5
EVENTS_PER_PASS = 200
LEARNERS_PER_BATCH = 200
#: How many times a worker dispatches, in a row, the events its own steps recorded before leaving
#: the rest to Celery (a chain of automations cannot keep one worker forever).
MAX_INLINE_ROUNDS = 5
#: Above this many keys a message asks for a sweep of the outbox instead of naming them.
MAX_KEYS_PER_MESSAGE = 1000


#: How many times a message whose learners another worker holds is put back (after 1, 2, 4… s).
MAX_REQUEUES = 6


def dispatch_events(keys=None, *, inline_execution=None, attempt=0):
    """Dispatch the learners of these event keys (None: sweep the outbox); returns events handled.

    A learner another worker holds is skipped, not waited for (that worker is dispatching their
    events, and waiting would serialise the workers); if their event is still undispatched after
    this batch, the message is put back with a growing delay, a few times, then left to the relay.
    """
    if keys is None:
        return sweep()
    user_ids = set(Event.objects.filter(idempotency_key__in=list(keys), dispatched_at__isnull=True)
                   .values_list("user_id", flat=True))
    if not user_ids and inline_execution is not None:
        return 0
    # A message whose events another task took (its batch filled with them) still fills a batch with
    # the oldest events nobody holds: under a backlog the workers drain events, not messages.
    skipped = []
    handled = dispatch_learners(user_ids, inline_execution=inline_execution, fill=inline_execution is None,
                                skip_locked=True, skipped=skipped)
    if skipped and attempt < MAX_REQUEUES:
        left = _not_taken(keys, skipped)
        if left:
            publish(left, countdown=2 ** attempt, attempt=attempt + 1)
    return handled


def _not_taken(keys, user_ids):
    """Of these learners' undispatched events, those no other worker's batch has taken (their rows are
    locked by the batch that will mark them): only these need the message again. The worker holding
    the learner also looks for such late events once it has committed (``dispatch_learners``); the
    message put back is the safety net if it died meanwhile."""
    with transaction.atomic():
        return list(Event.objects.select_for_update(skip_locked=True).filter(
            idempotency_key__in=list(keys), user_id__in=user_ids, dispatched_at__isnull=True).values_list(
            "idempotency_key", flat=True))


def dispatch_event(idempotency_key):
    """Dispatch the learner's pending events up to and including this one; False if nothing was due."""
    return dispatch_events([idempotency_key]) > 0


def dispatch_learner_events(user_id, *, inline_execution=None):
    """Match every undispatched event of one learner, oldest first; returns how many were handled."""
    return dispatch_learners([user_id], inline_execution=inline_execution)


def sweep(limit=None):
    """Dispatch the oldest undispatched events of learners no other worker holds, until none is left."""
    limit = limit or LEARNERS_PER_BATCH
    handled = 0
    while True:
        user_ids = list(dict.fromkeys(
            Event.objects.filter(dispatched_at__isnull=True).order_by("recorded_at", "id")
            .values_list("user_id", flat=True)[:limit]))
        if not user_ids:
            return handled
        done = dispatch_learners(user_ids, skip_locked=True)
        handled += done
        if not done:
            return handled


def dispatch_learners(user_ids, *, skip_locked=False, inline_execution=None, fill=False, skipped=None, _round=0):
    """Dispatch these learners' events in batches, then advance the runs they started or resumed.

    With ``fill``, a batch with room left also takes the oldest undispatched events of learners no
    other worker holds (SKIP LOCKED): under load one task does the work of the messages queued
    behind it, which then find their events dispatched and cost one read."""
    handled, ready = 0, []
    ordered = sorted(set(user_ids))
    follow_ups = 0
    chunks = [[]] if fill and not ordered else None  # nobody named: only the fill
    while ordered or chunks:
        held = []
        for chunk in chunks or [ordered[start:start + LEARNERS_PER_BATCH]
                                for start in range(0, len(ordered), LEARNERS_PER_BATCH)]:
            room = LEARNERS_PER_BATCH - len(chunk) if fill else 0
            candidates = _ensure_lock_rows(chunk, room)
            if not chunk and not candidates:
                continue
            try:
                with transaction.atomic():
                    count, runs = _dispatch_batch(chunk, skip_locked=skip_locked, held=held, skipped=skipped,
                                                  fill=room, candidates=candidates)
            except Exception:  # pylint: disable=broad-except
                log.exception("lms_automations: a dispatch batch of %d learner(s) failed; retrying them one by one",
                              len(chunk))
                count, runs = _dispatch_isolated(chunk)
            handled += count
            ready.extend(runs)
        ordered, chunks = (_late_learners(held) if follow_ups < MAX_FOLLOW_UPS else []), None
        follow_ups += 1
    if inline_execution == "sync":
        inline = [run.pk for run in ready if run.automation.execution == Automation.EXECUTION.sync]
        later = [run.pk for run in ready if run.automation.execution != Automation.EXECUTION.sync]
        stepping.advance_runs(inline)
        if later:
            stepping.enqueue_resume(later, None)
        return handled
    return handled + _advance_then_dispatch_own_events([run.pk for run in ready], _round)


#: How many times a worker dispatches again the learners it held whose events arrived meanwhile.
MAX_FOLLOW_UPS = 3


def _late_learners(held):
    """After the commit: the learners this worker held who have events its batch did not see (their host
    committed meanwhile, and the worker their message went to skipped them as held here) — one read."""
    if not held:
        return []
    return sorted(set(Event.objects.filter(user_id__in=held, dispatched_at__isnull=True, dispatch_attempts=0)
                      .values_list("user_id", flat=True)))


def _advance_then_dispatch_own_events(run_ids, round_number):
    """Advance the runs; then dispatch, in this worker, the events their steps recorded (what a
    Celery task would do a moment later, minus the task)."""
    if not run_ids:
        return 0
    with collecting_dispatches() as recorded:
        stepping.advance_runs(run_ids)
    if not recorded:
        return 0
    keys = [key for key, _type, _user in recorded]
    if round_number < MAX_INLINE_ROUNDS:
        try:
            users = {user_id for _key, _type, user_id in recorded}
            return dispatch_learners(users, _round=round_number + 1)
        except Exception:  # pylint: disable=broad-except
            log.exception("lms_automations: in-worker dispatch of %d event(s) failed; handing them to Celery",
                          len(keys))
    enqueue_dispatch(keys)
    return 0


def _dispatch_isolated(user_ids):
    """After a failed batch: each learner alone, and a learner that still fails event by event."""
    handled, ready = 0, []
    for user_id in user_ids:
        _ensure_lock_rows([user_id])
        try:
            with transaction.atomic():
                count, runs = _dispatch_batch([user_id], candidates=())
        except Exception:  # pylint: disable=broad-except
            log.exception("lms_automations: dispatch for learner %s failed; retrying event by event", user_id)
            count, runs = _dispatch_one_by_one(user_id)
        handled += count
        ready.extend(runs)
    return handled, ready


def _dispatch_one_by_one(user_id):
    handled, ready = 0, []
    pending = list(Event.objects.filter(user_id=user_id, dispatched_at__isnull=True)
                   .order_by("recorded_at", "id").values_list("pk", flat=True)[:EVENTS_PER_PASS])
    _ensure_lock_rows([user_id])
    for event_id in pending:
        try:
            with transaction.atomic():
                count, runs = _dispatch_batch([user_id], only_event=event_id, candidates=())
        except Exception as error:  # pylint: disable=broad-except
            with transaction.atomic():
                event = Event.objects.select_for_update().filter(pk=event_id, dispatched_at__isnull=True).first()
                if event is not None:
                    _record_failure(event, error)
            continue
        handled += count
        ready.extend(runs)
    return handled, ready


def _ensure_lock_rows(user_ids, room=0):
    """Before the batch's transaction: the dispatch rows of these learners, and of up to ``room``
    learners with the oldest undispatched events (the batch's fill candidates, returned), created if
    missing — in a statement of its own, ascending. Created inside the batch, two workers' inserts of
    each other's learners waited for each other until the database broke the deadlock (a second on
    PostgreSQL: the p95 latency)."""
    candidates = set()
    if room > 0:
        candidates = set(Event.objects.filter(dispatched_at__isnull=True).exclude(user_id__in=list(user_ids))
                         .order_by("recorded_at", "id").values_list("user_id", flat=True)[:room])
    wanted = set(user_ids) | candidates
    if wanted:
        # Only the missing rows: on InnoDB an INSERT IGNORE that meets an existing row waits for
        # the lock another worker's batch holds on it (a duplicate check takes a shared lock).
        wanted -= set(LearnerDispatchLock.objects.filter(user_id__in=wanted).values_list("user_id", flat=True))
    if wanted:
        LearnerDispatchLock.objects.bulk_create([LearnerDispatchLock(user_id=user_id) for user_id in sorted(wanted)],
                                                ignore_conflicts=True)
    return candidates


def _lock_learners(user_ids, skip_locked):
    """Lock the learners' dispatch rows in user-id order; returns the ids held (a learner without a
    row — created by ``_ensure_lock_rows`` before the transaction, deleted at retirement — is not)."""
    return list(LearnerDispatchLock.objects.select_for_update(skip_locked=skip_locked)
                .filter(user_id__in=user_ids).order_by("user_id").values_list("user_id", flat=True))


def _dispatch_batch(user_ids, *, skip_locked=False, only_event=None, fill=0, skipped=None, held=None,
                    candidates=None):
    """Inside a transaction: match these learners' pending events; returns ``(handled, runs to advance)``.
    ``held`` receives the learners locked (whose late events the caller looks for after the commit);
    ``candidates``, the learners whose dispatch rows were made for the fill."""
    if candidates is None:
        _ensure_lock_rows(user_ids)
    locked = _lock_learners(user_ids, skip_locked)
    if skipped is not None and len(locked) < len(user_ids):
        skipped.extend(set(user_ids) - set(locked))
    more = set(candidates or ()) - set(user_ids)
    if fill > 0 and more:
        # The fill candidates' learners after ours, never waiting for them (SKIP LOCKED on their
        # dispatch rows, read before the transaction): no lock order can go round in a circle, and
        # two workers filling at once take different learners. Their event rows are not locked
        # here: locking another worker's learner's events while waiting for our own deadlocked.
        locked += list(LearnerDispatchLock.objects.select_for_update(skip_locked=True)
                       .filter(user_id__in=more).order_by("user_id").values_list("user_id", flat=True))
    if locked:
        retired = drop_retired(locked)  # a retired learner's events are deleted, never matched (ADR 0011)
        locked = [user_id for user_id in locked if user_id not in retired]
    if not locked:
        return 0, []
    if held is not None:
        held.extend(locked)
    events = Event.objects.select_for_update().filter(user_id__in=locked, dispatched_at__isnull=True)
    if only_event is not None:
        events = events.filter(pk=only_event)
    events = list(events.order_by("recorded_at", "id")[:EVENTS_PER_PASS * len(locked)])
    if not events:
        return 0, []
    now = timezone.now()
    existing = set(get_user_model().objects.filter(pk__in=locked).values_list("pk", flat=True))
    snapshot = definitions()
    learner_courses = LearnerCourses()
    queues = {}
    for event in events:
        if event.user_id in existing:
            queues.setdefault(event.user_id, []).append(event)
        else:
            event.dispatch_status, event.dispatch_note = Event.DISPATCH.ignored, "no such learner"
    ready = []
    depth = max((len(queue) for queue in queues.values()), default=0)
    for index in range(depth):
        wave = [queue[index] for queue in queues.values() if len(queue) > index]
        batch = Batch(now=now)
        matched = _apply_transitions(batch, wave)
        if matched:
            ready.extend(match_wave(batch, snapshot, matched, learner_courses))
        batch.flush()
    _mark(events, now)
    return len(events), ready


def _apply_transitions(batch, wave):
    """Turn the host's repeats into changes (``happened.transitions``); returns the events to match."""
    states = transitions.lock_states(wave)
    changed, matched = [], []
    for event in wave:
        course_key = transitions.tracked_course(event)
        if course_key is not None:
            state = states[(event.user_id, course_key)]
            ignored, derived = transitions.transition_state(state, event)
            changed.append(state)
            if ignored:
                event.dispatch_status, event.dispatch_note = Event.DISPATCH.ignored, ignored[:255]
                continue
            batch.events.extend(transitions.derived_events(event, derived))
            if event.event_type == "enrollment.mode_changed":
                event.save(update_fields=["payload"])  # from_mode, known only now
        matched.append(event)
    if changed:
        now = timezone.now()
        for state in changed:
            state.modified = now
        update_rows(LearnerCourseState, changed, transitions.state_fields())
    return matched


def _mark(events, now):
    """The dispatched marks: one statement per outcome (dispatched, each reason for ignoring)."""
    groups = {}
    for event in events:
        status = Event.DISPATCH.dispatched if event.dispatch_status == Event.DISPATCH.pending else event.dispatch_status
        groups.setdefault((status, event.dispatch_note), []).append(event.pk)
    for (status, note), ids in groups.items():
        Event.objects.filter(pk__in=ids).update(dispatch_status=status, dispatch_note=note, dispatched_at=now)


def _record_failure(event, error):
    """A failing event is retried by the relay a few times, then set aside so later ones can flow."""
    log.error("lms_automations: dispatch of %s failed: %s", event.idempotency_key, error)
    event.dispatch_attempts += 1
    event.dispatch_note = f"{type(error).__name__}: {error}"[:255]
    fields = ["dispatch_attempts", "dispatch_note"]
    if event.dispatch_attempts >= MAX_DISPATCH_ATTEMPTS:
        event.dispatch_status = Event.DISPATCH.ignored
        event.dispatched_at = timezone.now()
        fields += ["dispatch_status", "dispatched_at"]
    event.save(update_fields=fields)


def advance_runs(run_ids):
    """Claim and advance runs that are due now (kept for callers of the old path)."""
    stepping.advance_runs(run_ids)


# --- the hand-over from recording ------------------------------------------------------------------


def hand_over(items):
    """After a host commit: ``sync`` automations' learners are dispatched here and now (their learner
    sees the outcome on the next page); every other event goes to Celery in ONE message."""
    snapshot = definitions(max_age=trigger_index.HOST_VERSION_SECONDS)
    sync_users = {user_id for _key, event_type, user_id in items
                  if any(snapshot.automations[a].automation.execution == Automation.EXECUTION.sync
                         for a in snapshot.triggers_by_type.get(event_type, ()))}
    if sync_users:
        try:
            dispatch_learners(sync_users, inline_execution="sync")
        except Exception:  # pylint: disable=broad-except
            log.exception("lms_automations: in-process dispatch failed; handing it to Celery")
            sync_users = set()
    keys = [key for key, _type, user_id in items if user_id not in sync_users]
    if keys:
        # Queued for this process's publisher thread: the request does not wait for the broker, and
        # the keys of commits made meanwhile go in the same message (ADR 0021).
        publish(keys, soon=True)


def publish(keys, *, countdown=None, attempt=0, soon=False):
    """One message for the keys of one commit; it fails at once when the broker is down (no retry
    loop in the host's request): the tick's outbox relay delivers later. ``soon``: queued for this
    process's publisher thread, with the keys of other commits (``publishing.publish_keys_soon``)."""
    from ..publishing import publish as publish_once  # pylint: disable=import-outside-toplevel
    from ..publishing import publish_keys_soon  # pylint: disable=import-outside-toplevel
    from ..tasks import dispatch_events as task  # pylint: disable=import-outside-toplevel

    keys = list(keys)
    if soon:
        publish_keys_soon(task, keys, queue=get_setting("CELERY_QUEUE"))
        return
    options = {"countdown": countdown, "kwargs": {"attempt": attempt}} if attempt else {}
    try:
        # One attempt, short timeouts, a pause after a failure (ADR 0011): never holds the host.
        publish_once(task, [keys if len(keys) <= MAX_KEYS_PER_MESSAGE else None],
                     queue=get_setting("CELERY_QUEUE"), **options)
    except Exception:  # pylint: disable=broad-except
        log.exception("lms_automations: could not enqueue dispatch of %d event(s); the tick will retry", len(keys))
