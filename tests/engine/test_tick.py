"""The tick: due runs leased and handed to workers; the outbox relay (events whose dispatch was lost
are handed to the engine again)."""
import datetime
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from lms_automations.engine import tick
from lms_automations.engine.tick import relay_undispatched_events, run_tick
from lms_automations.models import Automation, Event, Run, RunWake, Trigger
from lms_automations.recording import record_event

pytestmark = pytest.mark.django_db
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def learner(django_user_model):
    # Someone listens to the event type: an event nobody listens to is recorded already handled.
    automation = Automation.objects.create(name="after the webinar", status="active")
    Trigger.objects.create(automation=automation, event_type="custom.webinar_attended")
    return django_user_model.objects.create(username="ada", email="ada@example.com")


def record(learner, key):
    # Recorded outside any captured on-commit block: the on-commit enqueue is "lost".
    record_event("custom.webinar_attended", user_id=learner.pk, payload={}, source="api", idempotency_key=key)


@time_machine.travel(START, tick=False)
def test_lost_dispatch_is_relayed_after_the_delay_and_dispatched(learner, settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "OUTBOX_RELAY_AFTER_SECONDS": 120}
    record(learner, "k1")
    assert Event.objects.get(event_type="custom.webinar_attended").dispatched_at is None

    assert relay_undispatched_events(timezone.now() + datetime.timedelta(seconds=60)) == 0
    assert relay_undispatched_events(timezone.now() + datetime.timedelta(seconds=121)) == 1

    event = Event.objects.get(event_type="custom.webinar_attended")
    assert event.dispatch_status == Event.DISPATCH.dispatched
    assert event.dispatched_at is not None


@time_machine.travel(START, tick=False)
def test_a_relayed_event_is_not_relayed_again_until_the_delay_passes(learner):
    record(learner, "k1")
    later = timezone.now() + datetime.timedelta(minutes=5)
    with mock.patch("lms_automations.engine.tick.enqueue_dispatch") as enqueue:
        assert relay_undispatched_events(later) == 1
        assert relay_undispatched_events(later + datetime.timedelta(seconds=30)) == 0
        assert relay_undispatched_events(later + datetime.timedelta(minutes=3)) == 1
    assert enqueue.call_args_list == [mock.call(["k1"]), mock.call(["k1"])]


@time_machine.travel(START, tick=False)
def test_relay_works_through_a_backlog_in_batches(learner, settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "TICK_BATCH_SIZE": 3}
    for number in range(7):
        record(learner, f"k{number}")
    with mock.patch("lms_automations.engine.tick.enqueue_dispatch") as enqueue:
        assert relay_undispatched_events(timezone.now() + datetime.timedelta(hours=1)) == 7
    # One message per relayed batch of keys.
    assert [len(call.args[0]) for call in enqueue.call_args_list] == [3, 3, 1]
    assert sorted(key for call in enqueue.call_args_list for key in call.args[0]) == [f"k{n}" for n in range(7)]


def test_tick_command_prints_what_it_did(learner, capsys):
    with time_machine.travel(START, tick=False):
        record(learner, "k1")
    with time_machine.travel(START + datetime.timedelta(hours=1), tick=False):
        call_command("automations_tick")
        assert str(run_tick()).startswith("resumed 0 due run(s), relayed 0 undispatched event(s)")
    assert "relayed 1 undispatched event(s)" in capsys.readouterr().out
    assert Event.objects.get(event_type="custom.webinar_attended").dispatched_at is not None


@time_machine.travel(START, tick=False)
def test_the_relay_marks_events_nobody_listens_to_any_more_without_a_task(learner):
    record(learner, "k1")
    Automation.objects.update(status="inactive")
    for automation in Automation.objects.all():
        automation.save()  # the definitions version moves on
    with mock.patch("lms_automations.engine.tick.enqueue_dispatch") as enqueue:
        assert relay_undispatched_events(timezone.now() + datetime.timedelta(hours=1)) == 1
    assert enqueue.call_count == 0
    assert Event.objects.get(event_type="custom.webinar_attended").dispatched_at is not None


@time_machine.travel(START, tick=False)
def test_a_long_tick_hands_over_every_due_run_once_in_due_order(learner, settings, monkeypatch):
    # Batches of 3 over 8 due runs, 5 of them due at the same instant: each batch goes on from where
    # the last one ended, ties included; the run not yet due stays.
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "TICK_BATCH_SIZE": 3, "TASK_BATCH_SIZE": 2}
    automation = Automation.objects.create(name="waits", status="active")
    now = timezone.now()
    earlier, tied, later = (now - datetime.timedelta(hours=2), now - datetime.timedelta(minutes=1),
                            now + datetime.timedelta(minutes=1))
    due_at = [tied, earlier, tied, tied, earlier, tied, earlier, tied, later]
    runs = [Run.objects.create(automation=automation, user=learner, started_at=earlier, current_step_id="")
            for _ in due_at]
    RunWake.objects.bulk_create(RunWake(run=run, due_at=at, reason="wait")
                                for run, at in zip(runs, due_at, strict=True))
    handed = []
    monkeypatch.setattr(tick, "enqueue_resume", lambda run_ids, token: handed.extend(run_ids))
    assert tick.claim_due_runs(now) == 8
    expected = sorted((at, run.pk) for run, at in zip(runs, due_at, strict=True) if at <= now)
    assert handed == [run_id for _at, run_id in expected]
    assert RunWake.objects.get(run=runs[-1]).due_at == later  # not due: not leased
    assert tick.claim_due_runs(now) == 0  # leased: the next tick finds nothing due
