"""A worker can die anywhere in a batch: no step is lost, and no database-local action happens
twice (SPEC §5.14). A "crash" here is an exception the engine does not catch (like a killed
process): it propagates, the transaction in progress rolls back — with every decision of the batch
in it — and the tick relays the events and resumes the runs (once a lease, if any, runs out).

Crash points: inside a database-local action, between a round's commit and its external call,
after an external call before its result is recorded, in the dispatch batch's write, between
the dispatch commit and the stepper, and in a stepper round's write with several learners in it."""
import datetime

import pytest
import time_machine
from django.core import mail

from lms_automations import api
from lms_automations.engine import batch, dispatch, stepping
from lms_automations.engine.tick import run_tick
from lms_automations.models import ActionExecution, CustomEventType, Event, LearnerTag, PointsEntry, Run
from sandbox.lms import services

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 7, 1, 9, 0, tzinfo=datetime.UTC)
AFTER_LEASE = T0 + datetime.timedelta(hours=1)


class Crash(BaseException):
    """Not an Exception: nothing in the engine handles it, as nothing handles a killed worker."""


DOCUMENT = {
    "format": "lms-automations/v1", "name": "crash test", "status": "active",
    "triggers": [{"event": "custom.go", "filter": None}],
    "steps": [
        {"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": ["seen"]}},
        {"id": "mail", "type": "action", "action": "email.send",
         "params": {"subject": "Hi", "body_html": "<p>x</p>", "category": "transactional"}},
        {"id": "points", "type": "action", "action": "points.award", "params": {"amount": 10}},
    ],
}


@pytest.fixture
def learner():
    CustomEventType.objects.create(slug="go", label="Go")
    with time_machine.travel(T0 - datetime.timedelta(hours=1), tick=False):
        api.import_automation(DOCUMENT)  # activated before the events (SPEC §5.1)
    return services.create_learner("ada", "ada@example.com")


def start(learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        api.emit("custom.go", learner, {})


def finish(django_capture_on_commit_callbacks, when=AFTER_LEASE):
    """What the tick does later: relay the undispatched events, resume the due runs."""
    with time_machine.travel(when, tick=False), django_capture_on_commit_callbacks(execute=True):
        run_tick()
        api.process_due()
    return Run.objects.order_by("pk").first()


def assert_done_once(run, emails=1, learners=1):
    assert run.status == Run.STATUS.fulfilled
    assert LearnerTag.objects.count() == learners
    assert PointsEntry.objects.count() == learners
    assert len(mail.outbox) == emails
    key = ActionExecution.objects.get(run=run, action="email.send").idempotency_key
    assert key.startswith(f"{run.pk}:mail:")
    mine = {m.extra_headers["Message-ID"] for m in mail.outbox if m.to == [run.user.email]}
    assert mine == {f"<lms-automations.{key.replace(':', '.')}@lms>"}
    assert ActionExecution.objects.filter(status="succeeded").count() == 3 * learners
    assert Event.objects.filter(event_type="tag.added").count() == learners


def crash_on(calls, number=1):
    """A function that raises Crash on its ``number``-th call, counted in ``calls``."""
    def crash(*args, **kwargs):
        calls.append(1)
        if len(calls) == number:
            raise Crash()
    return crash


@pytest.mark.parametrize(("where", "status", "emails"), [
    ("tag", Run.STATUS.pending, 1),  # the first round: its claim rolled back too, the run is due
    ("tag, for the set", Run.STATUS.pending, 1),  # the same in the set's execute_many
    # After the e-mail: the round recording it rolled back, so it goes again (at least once, same key).
    ("points", Run.STATUS.executing, 2),
])
def test_crash_inside_a_database_local_action_rolls_it_back_and_it_runs_once(learner, where, status, emails,
                                                                            django_capture_on_commit_callbacks):
    from lms_automations.actions import learner_data

    target = learner_data.TagAdd if where.startswith("tag") else learner_data.PointsAward
    method = "execute_many" if where.endswith("set") else "execute"
    original = getattr(target, method)
    calls = []

    def crash_after_effect(self, *args):
        result = original(self, *args)
        calls.append(1)
        if len(calls) == 1:
            raise Crash()
        return result

    with time_machine.travel(T0, tick=False), pytest.MonkeyPatch.context() as patch:
        patch.setattr(target, method, crash_after_effect)
        if method == "execute":
            patch.setattr(target, "execute_many", None)
        with pytest.raises(Crash):
            start(learner, django_capture_on_commit_callbacks)
        # The round rolled back whole: the effect and the step records with it.
        assert Run.objects.get().status == status
        assert not (LearnerTag.objects.exists() if where == "tag" else PointsEntry.objects.exists())
    assert_done_once(finish(django_capture_on_commit_callbacks), emails=emails)


def test_crash_after_an_external_action_repeats_it_with_the_same_key(learner, django_capture_on_commit_callbacks):
    original = stepping.record_call
    calls = []

    def crash_once(batch, run, call):
        calls.append(call.step.kind)
        if call.step.kind == "email.send" and calls.count("email.send") == 1:
            raise Crash()
        return original(batch, run, call)

    with time_machine.travel(T0, tick=False), pytest.MonkeyPatch.context() as patch:
        patch.setattr(stepping, "record_call", crash_once)
        with pytest.raises(Crash):
            start(learner, django_capture_on_commit_callbacks)
        assert Run.objects.get().status == Run.STATUS.executing  # the worker "died" holding it
    with time_machine.travel(T0 + datetime.timedelta(minutes=5), tick=False):
        assert api.process_due() == 0  # still leased to the dead worker
    run = finish(django_capture_on_commit_callbacks)
    # At least once: the e-mail went out twice, with one Message-ID the mail system can de-duplicate.
    assert_done_once(run, emails=2)
    assert ActionExecution.objects.get(action="email.send").attempts == 2


def test_crash_between_a_round_and_its_external_call_resumes_at_that_step(learner,
                                                                         django_capture_on_commit_callbacks):
    calls = []
    with time_machine.travel(T0, tick=False), pytest.MonkeyPatch.context() as patch:
        patch.setattr(stepping, "perform", crash_on(calls))
        with pytest.raises(Crash):
            start(learner, django_capture_on_commit_callbacks)
        run = Run.objects.get()
        assert (run.current_step_id, run.status) == ("mail", Run.STATUS.executing)
        assert LearnerTag.objects.count() == 1 and not mail.outbox
    assert_done_once(finish(django_capture_on_commit_callbacks))


def test_crash_in_the_dispatch_batch_write_leaves_the_event_for_the_relay(learner,
                                                                           django_capture_on_commit_callbacks):
    calls = []
    original = batch.Batch.flush

    def crash_first(self):
        crash_on(calls)()
        return original(self)

    with time_machine.travel(T0, tick=False), pytest.MonkeyPatch.context() as patch:
        patch.setattr(batch.Batch, "flush", crash_first)
        with pytest.raises(Crash):
            start(learner, django_capture_on_commit_callbacks)
        assert not Run.objects.exists()
        assert Event.objects.get(event_type="custom.go").dispatched_at is None
    assert_done_once(finish(django_capture_on_commit_callbacks))


def test_crash_between_the_dispatch_commit_and_the_stepper_leaves_the_run_due(learner,
                                                                              django_capture_on_commit_callbacks):
    with time_machine.travel(T0, tick=False), pytest.MonkeyPatch.context() as patch:
        patch.setattr(dispatch.stepping, "advance_runs", crash_on([]))
        with pytest.raises(Crash):
            start(learner, django_capture_on_commit_callbacks)
        run = Run.objects.get()
        assert (run.status, run.current_step_id) == (Run.STATUS.pending, "tag")
        assert Event.objects.get(event_type="custom.go").dispatched_at is not None
    assert_done_once(finish(django_capture_on_commit_callbacks, when=T0 + datetime.timedelta(minutes=1)))


def test_crash_in_a_stepper_round_with_several_learners_repeats_nothing(learner, django_capture_on_commit_callbacks):
    grace = services.create_learner("grace", "grace@example.com")
    calls = []
    original = batch.Batch.flush

    def crash_in_the_first_stepper_round(self):
        if self.new_executions:  # a stepper round (the dispatch's batch has no executions)
            crash_on(calls)()
        return original(self)

    with time_machine.travel(T0, tick=False), pytest.MonkeyPatch.context() as patch:
        patch.setattr(batch.Batch, "flush", crash_in_the_first_stepper_round)
        with pytest.raises(Crash), django_capture_on_commit_callbacks(execute=True):
            api.emit("custom.go", learner, {})
            api.emit("custom.go", grace, {})
        assert set(Run.objects.values_list("status", flat=True)) == {Run.STATUS.pending}
        assert not LearnerTag.objects.exists()
    finish(django_capture_on_commit_callbacks)
    for run in Run.objects.all():
        assert_done_once(run, emails=2, learners=2)
