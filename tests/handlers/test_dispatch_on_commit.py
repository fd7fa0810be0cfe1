"""The dispatch is enqueued only once the host commits, and marks the event dispatched."""
from unittest import mock

import pytest
from django.db import transaction
from openedx_events.learning import signals

from lms_automations.engine import dispatch
from lms_automations.models import Automation, Event, Run, Trigger
from lms_automations.tasks import dispatch_events

from . import factories as f

pytestmark = pytest.mark.django_db


def test_nothing_is_dispatched_before_commit_and_the_event_is_dispatched_after(
    ada, django_capture_on_commit_callbacks
):
    with mock.patch.object(dispatch_events, "apply_async", wraps=dispatch_events.apply_async) as enqueue:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            metadata = f.send(signals.COURSE_ENROLLMENT_CREATED, enrollment=f.enrollment_data(ada))
            event = Event.objects.get()
            assert (event.dispatch_status, event.dispatched_at) == (Event.DISPATCH.pending, None)
        assert enqueue.call_count == 0
        assert len(callbacks) == 1

        callbacks[0]()

    # One message per host commit, carrying the commit's keys, with one immediate reconnect at most.
    enqueue.assert_called_once_with(args=[[f"oev:{metadata.id}"]], queue="edx.lms.core.default", retry=True,
                                    retry_policy=dispatch.RETRY_POLICY)
    event.refresh_from_db()
    assert event.dispatch_status == Event.DISPATCH.dispatched
    assert event.dispatched_at is not None


def test_a_duplicate_delivery_is_handled_once(ada, django_capture_on_commit_callbacks):
    automation = Automation.objects.create(name="on login", status="active")
    Trigger.objects.create(automation=automation, event_type="account.logged_in")
    metadata = signals.SESSION_LOGIN_COMPLETED.generate_signal_metadata()
    with django_capture_on_commit_callbacks(execute=True):
        signals.SESSION_LOGIN_COMPLETED.send_event_with_custom_metadata(metadata, user=f.user_data(ada))
        signals.SESSION_LOGIN_COMPLETED.send_event_with_custom_metadata(metadata, user=f.user_data(ada))

    assert Run.objects.filter(automation=automation).count() == 1
    assert Event.objects.get(event_type="account.logged_in").dispatch_status == Event.DISPATCH.dispatched


def test_a_host_transaction_that_rolls_back_leaves_no_event_and_enqueues_nothing(
    ada, django_capture_on_commit_callbacks
):
    class HostError(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(HostError),
        transaction.atomic(),
    ):
        signals.COURSE_ENROLLMENT_CREATED.send_event(enrollment=f.enrollment_data(ada))
        raise HostError

    assert callbacks == []
    assert not Event.objects.exists()
