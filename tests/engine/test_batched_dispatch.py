"""The batched engine: many learners per batch, each in recorded order, a poison event or run alone
set aside, refusals recorded, course scope applied to course-less events, and work nobody asked
for not done (issue 9; SPEC §5.3, §5.4, §5.16)."""
import datetime
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lms_automations import api
from lms_automations.actions import learner_data
from lms_automations.engine import dispatch, trigger_index
from lms_automations.happened import transitions
from lms_automations.models import CustomEventType, EntryRefusal, Event, LearnerTag, Run, TestLearner
from lms_automations.tasks import dispatch_events
from sandbox.lms import services

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 7, 1, 9, 0, tzinfo=datetime.UTC)
COURSE = "course-v1:Demo+B1+2026"


def automation(name="tagger", *, event="custom.go", policy="each_time", status="active", scope=None, steps=None):
    return api.import_automation({
        "format": "lms-automations/v1", "name": name, "status": status,
        "entry": {"policy": policy, "period": None},
        "scope": {"courses": scope or [], "orgs": []},
        "triggers": [{"event": event}],
        "steps": steps if steps is not None else [
            {"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": [name]}},
            {"id": "wait", "type": "wait", "wait": "duration", "params": {"days": 1}}],
    })


@pytest.fixture
def go():
    CustomEventType.objects.create(slug="go", label="Go")
    CustomEventType.objects.create(slug="quiet", label="Nobody listens")


def learners(count):
    return [services.create_learner(f"learner{number}") for number in range(count)]


def record(learner, key, event_type="custom.go", payload=None):
    return Event.objects.create(event_type=event_type, user=learner, payload=payload or {}, occurred_at=T0,
                                source="api", idempotency_key=key)


@time_machine.travel(T0, tick=False)
def test_a_batch_of_learners_starts_every_run_and_marks_every_event(go):
    automation()
    people = learners(5)
    keys = [record(person, f"go:{person.pk}").idempotency_key for person in people]
    assert dispatch.dispatch_events(keys) >= 5
    assert Run.objects.filter(current_step_id="wait", status=Run.STATUS.pending).count() == 5
    assert LearnerTag.objects.filter(tag="tagger").count() == 5
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()


@time_machine.travel(T0, tick=False)
def test_the_statements_of_a_batch_do_not_grow_with_its_learners(go):
    automation(steps=[{"id": "wait", "type": "wait", "wait": "duration", "params": {"days": 1}}])

    def statements(count, offset):
        people = [services.create_learner(f"l{offset + number}") for number in range(count)]
        keys = [record(person, f"go:{person.pk}").idempotency_key for person in people]
        with CaptureQueriesContext(connection) as queries:
            dispatch.dispatch_events(keys)
        assert Run.objects.filter(user__in=people, current_step_id="wait").count() == count
        return len(queries)

    trigger_index.definitions()  # built once per definitions version, then cached
    assert statements(40, 0) == statements(4, 100)


@time_machine.travel(T0, tick=False)
def test_a_learners_events_are_matched_in_recorded_order_within_one_batch(go):
    flow = api.import_automation({
        "format": "lms-automations/v1", "name": "until quiet", "status": "active",
        "triggers": [{"event": "custom.go"}], "exit_conditions": [{"event": "custom.quiet", "outcome": "exited"}],
        "steps": [{"id": "wait", "type": "wait", "wait": "duration", "params": {"days": 1}}],
    })
    ada, grace = learners(2)
    record(ada, "a1")  # go, then quiet: the run starts and the exit ends it
    record(grace, "g1", "custom.quiet")  # quiet, then go: nothing to exit, the run starts and stays
    record(ada, "a2", "custom.quiet")
    record(grace, "g2")
    dispatch.dispatch_events(["a1", "g1"])
    assert Run.objects.get(automation=flow, user=ada).status == Run.STATUS.exited
    assert Run.objects.get(automation=flow, user=grace).status == Run.STATUS.pending
    assert not Event.objects.filter(dispatched_at__isnull=True).exclude(event_type="automation.finished").exists()


@time_machine.travel(T0, tick=False)
def test_refusals_say_why_a_learner_did_not_enter(go):
    once = automation("once", policy="once")
    ada, = learners(1)
    record(ada, "first")
    dispatch.dispatch_events(["first"])
    with time_machine.travel(T0 + datetime.timedelta(seconds=30), tick=False):
        record(ada, "within the guard")
        dispatch.dispatch_events(["within the guard"])
    with time_machine.travel(T0 + datetime.timedelta(hours=1), tick=False):
        record(ada, "again")
        dispatch.dispatch_events(["again"])
    assert Run.objects.filter(automation=once).count() == 1
    assert list(EntryRefusal.objects.order_by("at").values_list("reason", flat=True)) == ["guard", "once"]


@time_machine.travel(T0, tick=False)
def test_testing_mode_refuses_learners_who_are_not_test_learners(go):
    testing = automation("trial", status="testing")
    ada, grace = learners(2)
    TestLearner.objects.create(automation=testing, user=ada)
    record(ada, "a")
    record(grace, "g")
    dispatch.dispatch_events(["a", "g"])
    assert list(Run.objects.values_list("user", "is_test")) == [(ada.pk, True)]
    assert list(EntryRefusal.objects.values_list("user", "reason")) == [(grace.pk, "testing")]


@time_machine.travel(T0, tick=False)
def test_a_course_scoped_automation_hears_course_less_events_only_of_its_learners(go):
    services.create_course(COURSE)
    scoped = automation("course team", scope=[COURSE])
    site_wide = automation("site")
    enrolled, outsider = learners(2)
    services.enroll(enrolled, COURSE)
    record(enrolled, "e")
    record(outsider, "o")
    record(outsider, "other course", payload={"course_key": "course-v1:Other+X+2026"})
    dispatch.dispatch_events(["e", "o", "other course"])
    assert set(Run.objects.filter(automation=scoped).values_list("user", flat=True)) == {enrolled.pk}
    assert set(Run.objects.filter(automation=site_wide).values_list("user", flat=True)) == {enrolled.pk,
                                                                                           outsider.pk}
    # Another course's event is not a refusal: the automation was never asked to hear it.
    assert list(EntryRefusal.objects.filter(automation=scoped).values_list("user", "reason")) == [
        (outsider.pk, "scope")]


@time_machine.travel(T0, tick=False)
def test_a_poison_event_is_set_aside_without_failing_its_batch_mates(go):
    automation()
    ada, grace, alan = learners(3)
    for person in (ada, grace, alan):
        record(person, f"go:{person.pk}", payload={"course_key": COURSE})
    def poison(state, event):
        if event.user_id == grace.pk:
            raise RuntimeError("a bug for grace only")
        return None, []

    with mock.patch.object(transitions, "tracked_course", return_value=COURSE), \
            mock.patch.object(transitions, "transition_state", side_effect=poison):
        for _attempt in range(dispatch.MAX_DISPATCH_ATTEMPTS):
            dispatch.sweep()
    assert set(Run.objects.values_list("user", flat=True)) == {ada.pk, alan.pk}
    poisoned = Event.objects.get(user=grace, event_type="custom.go")
    assert poisoned.dispatch_status == Event.DISPATCH.ignored
    assert poisoned.dispatch_attempts == dispatch.MAX_DISPATCH_ATTEMPTS
    assert "a bug for grace only" in poisoned.dispatch_note


@pytest.mark.parametrize("in_a_set", [True, False], ids=["tags added for the set", "tags added one by one"])
@time_machine.travel(T0, tick=False)
def test_a_poison_run_is_set_aside_and_its_batch_mates_go_on(go, monkeypatch, in_a_set):
    automation()
    ada, grace, alan = learners(3)
    original, original_many = learner_data.TagAdd.execute, learner_data.TagAdd.execute_many

    def unstorable_for_grace(self, params, context):
        result = original(self, params, context)
        return {"unstorable": object()} if context.user_id == grace.pk else result

    def unstorable_for_grace_in_the_set(self, calls):
        results = original_many(self, calls)
        return [{"unstorable": object()} if context.user_id == grace.pk else result
                for (_params, context), result in zip(calls, results, strict=True)]

    monkeypatch.setattr(learner_data.TagAdd, "execute", unstorable_for_grace)
    monkeypatch.setattr(learner_data.TagAdd, "execute_many", unstorable_for_grace_in_the_set if in_a_set else None)
    keys = [record(person, f"go:{person.pk}").idempotency_key for person in (ada, grace, alan)]
    dispatch.dispatch_events(keys)
    runs = {run.user_id: run for run in Run.objects.all()}
    assert (runs[ada.pk].current_step_id, runs[alan.pk].current_step_id) == ("wait", "wait")
    assert runs[grace.pk].current_step_id == "tag"
    assert runs[grace.pk].status == Run.STATUS.pending and runs[grace.pk].attempts == 1  # retried later
    assert set(LearnerTag.objects.values_list("user", flat=True)) == {ada.pk, alan.pk}


def test_one_publish_per_host_commit_and_none_for_events_nobody_listens_to(go, django_capture_on_commit_callbacks):
    automation()
    ada, grace = learners(2)
    with mock.patch.object(dispatch_events, "apply_async") as publish, \
            django_capture_on_commit_callbacks(execute=True):
        api.emit("custom.go", ada, {})
        api.emit("custom.go", grace, {})
        api.emit("custom.quiet", ada, {})
    assert publish.call_count == 1
    (keys,) = publish.call_args.kwargs["args"]
    assert sorted(Event.objects.get(idempotency_key=key).event_type for key in keys) == ["custom.go", "custom.go"]
    quiet = Event.objects.get(event_type="custom.quiet")
    assert quiet.dispatched_at is not None and quiet.dispatch_status == Event.DISPATCH.dispatched


def test_a_broker_that_is_down_costs_the_host_nothing_and_the_relay_delivers(go, django_capture_on_commit_callbacks):
    from kombu.exceptions import OperationalError

    automation()
    ada, = learners(1)
    with mock.patch.object(dispatch_events, "apply_async", side_effect=OperationalError("down")) as publish, \
            django_capture_on_commit_callbacks(execute=True):
        api.emit("custom.go", ada, {})
    assert publish.call_args.kwargs["retry"] is False  # fails at once instead of retrying in the request
    assert Event.objects.get(event_type="custom.go").dispatched_at is None
    from django.utils import timezone

    from lms_automations.engine.tick import relay_undispatched_events

    assert relay_undispatched_events(timezone.now() + datetime.timedelta(hours=1)) == 1
    assert Run.objects.filter(user=ada).exists()


@time_machine.travel(T0, tick=False)
def test_an_event_committed_while_its_learner_is_held_is_dispatched_by_the_holder_after_its_commit(go, monkeypatch):
    # Another worker got this event's message while this one held the learner, and skipped it: the
    # holder looks for such late events once its batch has committed, and dispatches them itself.
    automation()
    automation("later", event="custom.quiet")  # a second automation: the 60 s guard is per automation
    ada, = learners(1)
    record(ada, "first")
    original, late = transitions.lock_states, []

    def meanwhile(wave):
        if not late:  # recorded after the batch read the learner's events
            late.append(record(ada, "late", event_type="custom.quiet"))
        return original(wave)

    monkeypatch.setattr(transitions, "lock_states", meanwhile)
    dispatch.dispatch_events(["first"])

    assert not Event.objects.filter(dispatched_at__isnull=True).exists()
    assert sorted(Run.objects.values_list("event__idempotency_key", flat=True)) == ["first", "late"]


def test_a_message_whose_learner_is_held_elsewhere_is_not_put_back_when_the_holder_has_its_event(go, monkeypatch):
    automation()
    ada, = learners(1)
    record(ada, "held")
    put_back = []
    monkeypatch.setattr(dispatch, "publish", lambda keys, **options: put_back.append(keys))
    monkeypatch.setattr(dispatch, "_not_taken", lambda keys, user_ids: [])  # the holder's batch locks the row
    monkeypatch.setattr(dispatch, "_lock_learners", lambda user_ids, skip_locked: [])  # another worker holds Ada

    assert dispatch.dispatch_events(["held"]) == 0
    assert put_back == []


def test_a_lost_definitions_version_never_brings_back_a_snapshot_built_before_the_edits(go):
    # The version lives in the shared cache; a cache can lose it (eviction, restart, a timeout). Had it
    # restarted at the same value, a process that built its snapshot then would serve it as current
    # and miss every automation made since.
    from django.core.cache import cache

    cache.delete(trigger_index._VERSION_KEY)
    before = trigger_index.definitions()
    kept_by_another_process = dict(trigger_index._local)
    automation("made-later")  # bumps the version (this process forgets its snapshots; another does not)…
    trigger_index._local.update(kept_by_another_process)
    cache.delete(trigger_index._VERSION_KEY)  # …and the cache then loses it
    after = trigger_index.definitions()
    assert after is not before
    assert "custom.go" in after.triggers_by_type
