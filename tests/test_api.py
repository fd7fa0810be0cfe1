"""The public API's event entry point."""
import datetime

import pytest

from lms_automations import api
from lms_automations.models import Automation, Event, Trigger

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner(django_user_model):
    return django_user_model.objects.create(username="grace", email="grace@example.com")


@pytest.fixture
def listening():
    """An automation that starts on webinar attendance: the event is handed to the engine."""
    automation = Automation.objects.create(name="after the webinar", status="active")
    Trigger.objects.create(automation=automation, event_type="custom.webinar_attended")


def test_emit_records_the_event_and_dispatches_it_after_commit(learner, listening,
                                                                django_capture_on_commit_callbacks):
    at = datetime.datetime(2026, 5, 1, 12, tzinfo=datetime.UTC)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event = api.emit("custom.webinar_attended", learner, {"webinar": "intro"}, occurred_at=at)
        assert event.dispatched_at is None
    assert len(callbacks) == 1
    callbacks[0]()
    event.refresh_from_db()
    assert (event.event_type, event.user, event.occurred_at) == ("custom.webinar_attended", learner, at)
    assert event.payload == {"webinar": "intro", "user_id": learner.pk}
    assert event.source == Event.SOURCE.api
    assert event.dispatch_status == Event.DISPATCH.dispatched


def test_emit_twice_with_one_key_is_one_event(learner):
    first = api.emit("custom.paid", learner.pk, {"n": 1}, idempotency_key="order-42")
    second = api.emit("custom.paid", learner.pk, {"n": 2}, idempotency_key="order-42")
    assert first.pk == second.pk
    assert Event.objects.count() == 1
    assert Event.objects.get().payload["n"] == 1
