"""The same host occurrence delivered twice (re-send, at-least-once event bus) is one Event (SPEC §5.4)."""
import pytest
from openedx_events.learning import signals

from lms_automations.models import Event

from . import factories as f

pytestmark = pytest.mark.django_db


def test_a_redelivery_with_the_same_metadata_is_one_event(ada):
    metadata = signals.COURSE_ENROLLMENT_CREATED.generate_signal_metadata(time=f.AT)
    enrollment = f.enrollment_data(ada)

    signals.COURSE_ENROLLMENT_CREATED.send_event_with_custom_metadata(metadata, enrollment=enrollment)
    signals.COURSE_ENROLLMENT_CREATED.send_event_with_custom_metadata(metadata, enrollment=enrollment)

    event = Event.objects.get()
    assert event.idempotency_key == f"oev:{metadata.id}"
    assert (event.event_type, event.occurred_at) == ("enrollment.created", f.AT)
    assert event.source == Event.SOURCE.event_bus


def test_the_bus_copy_of_an_event_seen_in_process_is_the_same_event(ada):
    certificate = f.certificate_data(ada)
    metadata = f.send(signals.CERTIFICATE_CREATED, certificate=certificate)

    signals.CERTIFICATE_CREATED.send_event_with_custom_metadata(metadata, certificate=certificate)

    event = Event.objects.get()
    assert event.source == Event.SOURCE.openedx_events  # the first delivery is the one kept
    assert event.idempotency_key == f"oev:{metadata.id}"


def test_metadata_survives_the_bus_round_trip(ada):
    # The consumer rebuilds the metadata from the message headers; the key must not change with it.
    metadata = f.send(signals.SESSION_LOGIN_COMPLETED, user=f.user_data(ada))
    rebuilt = type(metadata).from_json(metadata.to_json())

    signals.SESSION_LOGIN_COMPLETED.send_event_with_custom_metadata(rebuilt, user=f.user_data(ada))

    assert Event.objects.count() == 1


def test_two_host_occurrences_with_the_same_data_are_two_events(ada):
    # The host's repeated CREATED is a new occurrence with its own id; collapsing it is dispatch's job.
    enrollment = f.enrollment_data(ada)
    first = f.send(signals.COURSE_ENROLLMENT_CREATED, enrollment=enrollment)
    second = f.send(signals.COURSE_ENROLLMENT_CREATED, enrollment=enrollment)

    assert first.id != second.id
    assert sorted(Event.objects.values_list("idempotency_key", flat=True)) == sorted(
        [f"oev:{first.id}", f"oev:{second.id}"]
    )
