"""Workers and ticks running at the same time, on the real databases (SPEC §5.3, §5.7).

SQLite cannot run these (one writer, no row locks): they run in ``make test-services`` against
MariaDB and PostgreSQL.
"""
import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from lms_automations.engine import tick
from lms_automations.engine.dispatch import dispatch_event
from lms_automations.models import Automation, Event, Run, RunWake, Trigger

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def in_parallel(functions):
    """Run the callables in threads released together; re-raise the first error."""
    barrier = threading.Barrier(len(functions))
    errors = []

    def worker(function):
        try:
            barrier.wait(timeout=30)
            function()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(function,)) for function in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]


@pytest.fixture
def learner(django_user_model):
    if connection.vendor == "sqlite":
        pytest.skip("needs row locks: run with make test-services")
    return django_user_model.objects.create(username="ada")


def record(learner, key):
    return Event.objects.create(event_type="custom.signup", user=learner, payload={}, occurred_at=timezone.now(),
                                source="api", idempotency_key=key)


def test_two_workers_with_the_same_event_start_one_run(learner):
    automation = Automation.objects.create(name="welcome", status="active")
    Trigger.objects.create(automation=automation, event_type="custom.signup")
    record(learner, "same")
    in_parallel([lambda: dispatch_event("same"), lambda: dispatch_event("same")])
    assert Run.objects.filter(automation=automation).count() == 1


def test_two_deliveries_of_one_occurrence_under_two_keys_start_one_run(learner):
    # The host re-sends (e.g. enrolment CREATED twice): two events, one learner, seconds apart.
    automation = Automation.objects.create(name="welcome", status="active")
    Trigger.objects.create(automation=automation, event_type="custom.signup")
    record(learner, "first")
    record(learner, "second")
    in_parallel([lambda: dispatch_event("first"), lambda: dispatch_event("second")])
    assert Run.objects.filter(automation=automation).count() == 1
    assert Event.objects.filter(event_type="custom.signup", dispatched_at__isnull=False).count() == 2


def test_four_ticks_at_once_claim_every_due_run_exactly_once(learner, monkeypatch):
    automation = Automation.objects.create(name="waits", status="active")
    due = timezone.now() - datetime.timedelta(minutes=1)
    runs = [Run.objects.create(automation=automation, user=learner, started_at=due, current_step_id="")
            for _ in range(200)]
    RunWake.objects.bulk_create(RunWake(run=run, due_at=due, reason="wait") for run in runs)
    claimed, lock = [], threading.Lock()

    def fake_enqueue(run_ids, token):
        with lock:
            claimed.extend(run_ids)

    monkeypatch.setattr(tick, "enqueue_resume", fake_enqueue)
    monkeypatch.setattr(tick, "get_setting", lambda name: {"TICK_BATCH_SIZE": 25, "TASK_BATCH_SIZE": 10,
                                                           "RUN_LEASE_SECONDS": 900}.get(name, 0))
    now = timezone.now()
    in_parallel([lambda: tick.claim_due_runs(now) for _ in range(4)])
    assert sorted(claimed) == sorted(run.pk for run in runs)
    assert not RunWake.objects.filter(due_at__lte=now).exists()


def test_only_events_no_other_batch_has_taken_are_put_back(learner):
    # A worker that finds a learner held elsewhere puts back only the events the holder's batch has not
    # locked (recorded after it read them); the others that batch marks itself.
    from django.db import transaction

    from lms_automations.engine import dispatch

    record(learner, "in-their-batch")
    record(learner, "late")
    held, release = threading.Event(), threading.Event()

    def holder():
        try:
            with transaction.atomic():
                list(Event.objects.select_for_update().filter(idempotency_key="in-their-batch"))
                held.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert held.wait(timeout=30)
        assert dispatch._not_taken(["in-their-batch", "late"], [learner.pk]) == ["late"]
    finally:
        release.set()
        thread.join(timeout=30)


def test_two_workers_filling_their_batches_with_each_others_new_learners_do_not_deadlock(
        learner, django_user_model, caplog):
    # Each worker holds the learner its message names, then fills its batch with the other's: the
    # learners' dispatch rows are new. Created inside the batches, each insert waited for the other
    # worker's, until the database broke the deadlock (a second on PostgreSQL) and a batch failed.
    from lms_automations.engine import dispatch

    automation = Automation.objects.create(name="welcome", status="active")
    Trigger.objects.create(automation=automation, event_type="custom.signup")
    grace = django_user_model.objects.create(username="grace")
    record(learner, "ada")
    record(grace, "grace")
    original, both_hold, seen = dispatch._lock_learners, threading.Barrier(2), threading.local()

    def lock_then_wait_for_the_other(user_ids, skip_locked):
        locked = original(user_ids, skip_locked)
        if not getattr(seen, "once", False):
            seen.once = True
            both_hold.wait(timeout=30)
        return locked

    dispatch._lock_learners = lock_then_wait_for_the_other
    try:
        in_parallel([lambda: dispatch.dispatch_events(["ada"]), lambda: dispatch.dispatch_events(["grace"])])
    finally:
        dispatch._lock_learners = original
    assert "failed" not in caplog.text
    assert Run.objects.filter(automation=automation).count() == 2
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()
