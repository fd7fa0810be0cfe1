"""A run ended while a worker is in the middle of its steps — by an exit condition, by another
automation's ``automation.exit`` or by staff — does not go on with the following steps, and keeps
the outcome it was given (SPEC §5.8, §5.9)."""
import datetime

import pytest
import time_machine
from django.core import mail

from lms_automations import api
from lms_automations.actions.messaging import EmailSend
from lms_automations.engine.dispatch import dispatch_learner_events
from lms_automations.engine.errors import PermanentError, TransientError
from lms_automations.models import Automation, CustomEventType, LearnerTag, Run, RunLog, RunWake
from sandbox.lms import services

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 7, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def activated_before_t0():
    """The automations are activated before the events at T0 (SPEC §5.1: only later events start runs)."""
    with time_machine.travel(T0 - datetime.timedelta(hours=1), tick=False):
        yield


def flow(name="mid-flow", exit_conditions=()):
    return {
        "format": "lms-automations/v1", "name": name, "status": "active",
        "triggers": [{"event": "custom.go", "filter": None}],
        "steps": [
            {"id": "mail", "type": "action", "action": "email.send",
             "params": {"subject": "Hi", "body_html": "<p>x</p>", "category": "transactional"}},
            {"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": ["seen"]}},
            {"id": "points", "type": "action", "action": "points.award", "params": {"amount": 10}},
        ],
        "exit_conditions": list(exit_conditions),
    }


def by_exit_condition(learner):
    """Another worker handles the learner's ``custom.stop`` event, an exit condition of the flow."""
    api.emit("custom.stop", learner, {})
    dispatch_learner_events(learner.pk)


def by_another_automation(learner):
    """Another worker runs an automation whose step takes the learner out of this one."""
    api.emit("custom.leave", learner, {})
    dispatch_learner_events(learner.pk)


def by_staff(learner):
    api.cancel(Run.objects.get(automation__name="mid-flow"))


@pytest.mark.parametrize("end, outcome", [
    (by_exit_condition, Run.STATUS.converted),
    (by_another_automation, Run.STATUS.exited),
    (by_staff, Run.STATUS.cancelled),
])
def test_a_run_ended_during_a_step_runs_no_further_step(end, outcome, django_capture_on_commit_callbacks,
                                                        monkeypatch):
    for slug in ("go", "stop", "leave"):
        CustomEventType.objects.create(slug=slug, label=slug)
    automation = api.import_automation(flow(exit_conditions=[
        {"event": "custom.stop", "filter": None, "outcome": "converted"}]))
    api.import_automation({
        "format": "lms-automations/v1", "name": "take out", "status": "active", "execution": "sync",
        "triggers": [{"event": "custom.leave", "filter": None}],
        "steps": [{"id": "out", "type": "action", "action": "automation.exit",
                   "params": {"automation_id": automation.pk}}],
    })
    learner = services.create_learner("ada", "ada@example.com")
    original = EmailSend.execute

    def send_while_the_run_is_ended_elsewhere(self, params, context):
        result = original(self, params, context)
        end(learner)
        return result

    monkeypatch.setattr(EmailSend, "execute", send_while_the_run_is_ended_elsewhere)
    with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
        api.emit("custom.go", learner, {})

    run = Run.objects.get(automation=automation)
    assert run.status == outcome
    assert len(mail.outbox) == 1
    assert not LearnerTag.objects.filter(user=learner).exists()
    assert not RunLog.objects.filter(run=run, step_id__in=["tag", "points"]).exists()
    assert not RunLog.objects.filter(run=run, message="reached the end of the flow").exists()
    assert Automation.objects.get(pk=automation.pk).runs.filter(status__in=Run.OPEN_STATUSES).count() == 0


@pytest.mark.parametrize("error", [TransientError("the mail server is down"), PermanentError("no such address")])
@pytest.mark.parametrize("end, outcome", [
    (by_exit_condition, Run.STATUS.converted),
    (by_staff, Run.STATUS.cancelled),
])
def test_a_step_failing_after_its_run_was_ended_elsewhere_neither_retries_nor_reopens_it(
        end, outcome, error, django_capture_on_commit_callbacks, monkeypatch):
    for slug in ("go", "stop"):
        CustomEventType.objects.create(slug=slug, label=slug)
    automation = api.import_automation(flow(exit_conditions=[
        {"event": "custom.stop", "filter": None, "outcome": "converted"}]))
    learner = services.create_learner("ada", "ada@example.com")

    def fail_after_the_run_was_ended(self, params, context):
        end(learner)
        raise error

    monkeypatch.setattr(EmailSend, "execute", fail_after_the_run_was_ended)
    with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
        api.emit("custom.go", learner, {})
    run = Run.objects.get(automation=automation)
    assert (run.status, run.error) == (outcome, "")
    assert not RunWake.objects.filter(run=run).exists()
    with time_machine.travel(T0 + datetime.timedelta(days=1), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        assert api.process_due() == 0
    run.refresh_from_db()
    assert run.status == outcome
    assert not LearnerTag.objects.filter(user=learner).exists()
