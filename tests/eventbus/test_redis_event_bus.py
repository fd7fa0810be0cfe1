"""Events produced by other services reach the plugin through the Redis event bus, once each.

Credentials (program certificates, badges) and edx-exams (exam attempts) run in their own processes:
their events reach the LMS only through the event bus, where an LMS-side ``consume_events`` process
re-sends them as the same openedx-events signals. These tests put real openedx-events data through
edx-event-bus-redis's producer into Redis, run the real ``consume_events`` command (with a consumer
that stops after N messages), and check the plugin's receivers recorded one ``Event`` per occurrence,
however many times the bus delivers it (delivery is at-least-once).
"""
import datetime
import uuid

import pytest
from opaque_keys.edx.keys import CourseKey, UsageKey
from openedx_events.learning import signals
from openedx_events.learning.data import (
    BadgeData,
    BadgeTemplateData,
    ExamAttemptData,
    ProgramCertificateData,
    ProgramData,
    UserData,
    UserPersonalData,
)

from lms_automations.models import Event

pytestmark = [pytest.mark.services, pytest.mark.django_db]

PROGRAM_UUID = "5b1f3c2e-7a44-4a8e-9b0e-1c2d3e4f5a6b"
BADGE_UUID = "0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b"
COURSE = "course-v1:Demo+EB1+2026"
EXAM_BLOCK = "block-v1:Demo+EB1+2026+type@sequential+block@final_exam"


@pytest.fixture
def learner(django_user_model):
    return django_user_model.objects.create(username="grace", email="grace@example.com", first_name="Grace")


def user_data(user):
    return UserData(id=user.id, is_active=True,
                    pii=UserPersonalData(username=user.username, email=user.email, name=user.first_name))


def program_certificate_awarded(user):
    program = ProgramData(uuid=PROGRAM_UUID, title="Data Science", program_type="MicroMasters")
    certificate = ProgramCertificateData(
        user=user_data(user), program=program, uuid=str(uuid.uuid4()), status="awarded",
        url="https://credentials.example.com/credentials/abc/",
        certificate_available_date=datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC),
    )
    return (signals.PROGRAM_CERTIFICATE_AWARDED, {"program_certificate": certificate},
            "program_certificate.awarded", {"program_uuid": PROGRAM_UUID, "program_title": "Data Science"})


def badge_awarded(user):
    template = BadgeTemplateData(uuid=str(uuid.uuid4()), origin="credentials", name="Finisher",
                                 description="Finished a course", image_url="https://example.com/b.png")
    badge = BadgeData(uuid=BADGE_UUID, user=user_data(user), template=template)
    return (signals.BADGE_AWARDED, {"badge": badge},
            "badge.awarded", {"badge_name": "Finisher", "badge_uuid": BADGE_UUID})


def exam_attempt_submitted(user):
    attempt = ExamAttemptData(student_user=user_data(user), course_key=CourseKey.from_string(COURSE),
                              usage_key=UsageKey.from_string(EXAM_BLOCK), exam_type="proctored")
    return (signals.EXAM_ATTEMPT_SUBMITTED, {"exam_attempt": attempt},
            "exam.submitted", {"course_key": COURSE, "block_key": EXAM_BLOCK, "exam_type": "proctored"})


def recorded(user):
    return list(Event.objects.filter(user=user).order_by("id"))


@pytest.mark.parametrize("occurrence", [program_certificate_awarded, badge_awarded, exam_attempt_submitted],
                         ids=["program_certificate", "badge", "exam_attempt"])
def test_an_event_from_another_service_is_recorded_for_its_learner(bus, learner, occurrence):
    signal, event_data, event_type, payload = occurrence(learner)
    topic, group = bus.topic_of(signal), "lms-automations"
    bus.create_group(topic, group)  # the LMS's consumer was started before the event was produced
    metadata = signal.generate_signal_metadata()

    bus.produce(signal, metadata, **event_data)
    assert bus.stream_length(topic) == 1, "the producer did not write to Redis (its errors are only logged)"
    assert recorded(learner) == []  # nothing in-process: the event is only on the bus so far

    consumer = bus.consume(topic, group, max_messages=1, check_backlog=True)

    assert (consumer.processed, consumer.timed_out) == ([str(metadata.id)], False)
    [event] = recorded(learner)
    assert event.event_type == event_type
    assert event.payload == {"user_id": learner.id, **payload}
    assert event.source == Event.SOURCE.event_bus
    assert event.idempotency_key == f"oev:{metadata.id}"
    assert event.occurred_at == metadata.time


def test_a_message_delivered_twice_is_recorded_once(bus, learner):
    signal, event_data, event_type, _ = program_certificate_awarded(learner)
    topic, group = bus.topic_of(signal), "lms-automations"
    bus.create_group(topic, group)
    metadata = signal.generate_signal_metadata()

    # The producing service sends the same occurrence twice (a retry after a lost acknowledgement).
    bus.produce(signal, metadata, **event_data)
    bus.produce(signal, metadata, **event_data)
    assert bus.stream_length(topic) == 2
    first = bus.consume(topic, group, max_messages=2, check_backlog=True)
    # The operator replays the stream from its start (`--extra '{"last_read_msg_id": "0"}'`).
    replay = bus.consume(topic, group, max_messages=2, last_read_msg_id="0")

    assert first.processed == replay.processed == [str(metadata.id)] * 2, "each delivery reached the receivers"
    assert [(e.event_type, e.idempotency_key) for e in recorded(learner)] == [(event_type, f"oev:{metadata.id}")]


def test_the_consumer_stops_when_nothing_arrives(bus, learner):
    """The bound itself: an empty topic ends the command at the timeout instead of hanging the suite."""
    consumer = bus.consume("learning-badges-lifecycle", "lms-automations", max_messages=1, timeout=1.5)
    assert (consumer.processed, consumer.timed_out) == ([], True)
    assert recorded(learner) == []
