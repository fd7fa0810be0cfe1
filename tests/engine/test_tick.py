"""The tick's outbox relay: events whose dispatch was lost are handed to the engine again."""
import datetime
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from lms_automations.engine.tick import relay_undispatched_events, run_tick
from lms_automations.models import Automation, Event, Trigger
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
