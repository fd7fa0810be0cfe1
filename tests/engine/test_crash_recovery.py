"""A worker can die between any two statements of the step cycle: no step is lost, and no
database-local action happens twice (SPEC §5.14). A "crash" here is an exception the engine does
not catch (like a killed process): it propagates, the transaction in progress rolls back, and the
run is resumed by the tick once its lease runs out."""
import datetime

import pytest
import time_machine
from django.core import mail

from lms_automations import api
from lms_automations.engine import stepping
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
    api.import_automation(DOCUMENT)
    return services.create_learner("ada", "ada@example.com")


def start(learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        api.emit("custom.go", learner, {})


def finish(django_capture_on_commit_callbacks):
    with time_machine.travel(AFTER_LEASE, tick=False), django_capture_on_commit_callbacks(execute=True):
        api.process_due()
    return Run.objects.get()


def assert_done_once(run, emails=1):
    assert run.status == Run.STATUS.fulfilled
    assert LearnerTag.objects.count() == 1
    assert PointsEntry.objects.count() == 1
    assert len(mail.outbox) == emails
    key = ActionExecution.objects.get(action="email.send").idempotency_key
    assert key.startswith(f"{run.pk}:mail:")
    assert {m.extra_headers["Message-ID"] for m in mail.outbox} == {f"<lms-automations.{key.replace(':', '.')}@lms>"}
    assert ActionExecution.objects.filter(status="succeeded").count() == 3
    assert Event.objects.filter(event_type="tag.added").count() == 1


@pytest.mark.parametrize("where", ["tag", "points"])
def test_crash_inside_a_database_local_action_rolls_it_back_and_it_runs_once(learner, where,
                                                                            django_capture_on_commit_callbacks):
    from lms_automations.actions import learner_data

    target = learner_data.TagAdd if where == "tag" else learner_data.PointsAward
    original = target.execute
    calls = []

    def crash_after_effect(self, params, context):
        result = original(self, params, context)
        calls.append(1)
        if len(calls) == 1:
            raise Crash()
        return result

    with time_machine.travel(T0, tick=False), pytest.MonkeyPatch.context() as patch:
        patch.setattr(target, "execute", crash_after_effect)
        with pytest.raises(Crash):
            start(learner, django_capture_on_commit_callbacks)
        assert Run.objects.get().status == Run.STATUS.executing  # the worker "died" holding it
        assert not (LearnerTag.objects.exists() if where == "tag" else PointsEntry.objects.exists())
    assert_done_once(finish(django_capture_on_commit_callbacks))


def test_crash_after_an_external_action_repeats_it_with_the_same_key(learner, django_capture_on_commit_callbacks):
    original = stepping._record_success
    calls = []

    def crash_once(execution, result):
        calls.append(execution.action)
        if execution.action == "email.send" and calls.count("email.send") == 1:
            raise Crash()
        return original(execution, result)

    with time_machine.travel(T0, tick=False), pytest.MonkeyPatch.context() as patch:
        patch.setattr(stepping, "_record_success", crash_once)
        with pytest.raises(Crash):
            start(learner, django_capture_on_commit_callbacks)
    run = finish(django_capture_on_commit_callbacks)
    # At least once: the e-mail went out twice, with one Message-ID the mail system can de-duplicate.
    assert_done_once(run, emails=2)
    assert ActionExecution.objects.get(action="email.send").attempts == 2


def test_crash_between_two_steps_resumes_at_the_next_step(learner, django_capture_on_commit_callbacks):
    original = stepping.get_step

    def crash_at_mail(automation_id, step_id):
        if step_id == "mail":
            raise Crash()
        return original(automation_id, step_id)

    with time_machine.travel(T0, tick=False), pytest.MonkeyPatch.context() as patch:
        patch.setattr(stepping, "get_step", crash_at_mail)
        with pytest.raises(Crash):
            start(learner, django_capture_on_commit_callbacks)
        assert Run.objects.get().current_step_id == "mail"
    assert_done_once(finish(django_capture_on_commit_callbacks))


def test_crash_during_the_claim_leaves_the_run_due(learner, django_capture_on_commit_callbacks):
    with time_machine.travel(T0, tick=False), pytest.MonkeyPatch.context() as patch:
        patch.setattr(stepping, "advance_run", lambda run, now=None: (_ for _ in ()).throw(Crash()))
        patch.setattr("lms_automations.engine.dispatch.advance_run", stepping.advance_run)
        with pytest.raises(Crash):
            start(learner, django_capture_on_commit_callbacks)
    with time_machine.travel(T0 + datetime.timedelta(minutes=5), tick=False):
        assert api.process_due() == 0  # still leased to the dead worker
    assert_done_once(finish(django_capture_on_commit_callbacks))
