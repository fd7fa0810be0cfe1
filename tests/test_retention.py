"""Retention: the tick forgets ended runs and handled events past their retention, once a day."""
import datetime
from unittest import mock

import pytest
import time_machine

from lms_automations import api
from lms_automations.engine.tick import run_tick
from lms_automations.models import Automation, Event, ExitCondition, Run, RunLog
from sandbox.lms import services

T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
pytestmark = pytest.mark.django_db


def day(n):
    return time_machine.travel(T0 + datetime.timedelta(days=n), tick=False)


@mock.patch("lms_automations.engine.tick.enqueue_dispatch")  # the broker is down: nothing gets dispatched
def test_old_history_goes_and_open_work_stays(enqueue_dispatch, settings, django_capture_on_commit_callbacks):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "RUN_RETENTION_DAYS": 30, "EVENT_RETENTION_DAYS": 10}
    ada = services.create_learner("ada")
    automation = Automation.objects.create(name="Old flow")
    ExitCondition.objects.create(automation=automation, event_type="custom.stuck")  # someone listens to it
    with day(0), django_capture_on_commit_callbacks(execute=True):
        handled = api.emit("custom.old_news", ada, {}, idempotency_key="old-handled")
    Event.objects.filter(pk=handled.pk).update(dispatched_at=T0)
    with day(0):
        waiting = Event.objects.create(event_type="custom.stuck", user=ada, payload={}, occurred_at=T0,
                                       source="rest", idempotency_key="old-undispatched")
        ended = Run.objects.create(automation=automation, user=ada, status=Run.STATUS.fulfilled,
                                   started_at=T0, ended_at=T0)
        RunLog.objects.create(run=ended, at=T0, kind=RunLog.KIND.error, message="an old failure")
        still_open = Run.objects.create(automation=automation, user=ada, status=Run.STATUS.pending, started_at=T0)
    with day(9):
        run_tick()
        assert Event.objects.filter(pk=handled.pk).exists(), "not yet past 10 days"
    with day(11):
        run_tick()
        assert not Event.objects.filter(pk=handled.pk).exists()
        assert Event.objects.filter(pk=waiting.pk).exists(), "an event never dispatched is kept"
        assert Run.objects.filter(pk=ended.pk).exists(), "runs keep 30 days"
    with day(40):
        run_tick()
        assert not Run.objects.filter(pk=ended.pk).exists()
        assert enqueue_dispatch.called, "the tick kept trying to dispatch the waiting event"
        assert not RunLog.objects.filter(run_id=ended.pk).exists()
        assert Run.objects.filter(pk=still_open.pk).exists(), "an open run is never purged"


def test_refusals_go_with_the_runs_and_outlive_the_event_they_name(settings):
    from lms_automations.models import EntryRefusal  # pylint: disable=import-outside-toplevel
    from lms_automations.retention import purge_expired  # pylint: disable=import-outside-toplevel

    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "RUN_RETENTION_DAYS": 30, "EVENT_RETENTION_DAYS": 10}
    ada = services.create_learner("ada")
    automation = Automation.objects.create(name="Once")
    event = Event.objects.create(event_type="custom.go", user=ada, payload={}, occurred_at=T0, source="rest",
                                 idempotency_key="go", dispatched_at=T0)
    refusal = EntryRefusal.objects.create(automation=automation, user=ada, at=T0, reason="once", event=event,
                                          event_type="custom.go")
    purge_expired(T0 + datetime.timedelta(days=11))
    refusal.refresh_from_db()
    assert refusal.event is None and refusal.event_type == "custom.go", "the event went; what it was stays"
    purge_expired(T0 + datetime.timedelta(days=31))
    assert not EntryRefusal.objects.exists()
