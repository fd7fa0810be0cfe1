"""Each openedx-events signal, sent for real, becomes one Event of the catalogue type with a primitive payload."""
import pytest
from opaque_keys.edx.keys import CourseKey
from openedx_events.learning import signals

from lms_automations.models import Event

from . import factories as f

pytestmark = pytest.mark.django_db


def recorded(metadata):
    """The one Event recorded, checked against the metadata of the signal that caused it."""
    event = Event.objects.get()
    assert event.idempotency_key == f"oev:{metadata.id}"
    assert event.occurred_at == f.AT == metadata.time
    assert event.source == Event.SOURCE.openedx_events
    return event


def test_registration(ada):
    metadata = f.send(signals.STUDENT_REGISTRATION_COMPLETED, user=f.user_data(ada))

    event = recorded(metadata)
    assert (event.event_type, event.user) == ("account.registered", ada)
    assert event.payload == {"user_id": ada.id, "username": "ada", "email": "ada@example.com"}


def test_login(ada):
    metadata = f.send(signals.SESSION_LOGIN_COMPLETED, user=f.user_data(ada))

    event = recorded(metadata)
    assert (event.event_type, event.user, event.payload) == ("account.logged_in", ada, {"user_id": ada.id})


def test_enrollment_created(ada):
    metadata = f.send(signals.COURSE_ENROLLMENT_CREATED, enrollment=f.enrollment_data(ada, mode="verified"))

    event = recorded(metadata)
    assert (event.event_type, event.user) == ("enrollment.created", ada)
    assert event.payload == {"user_id": ada.id, "course_key": f.COURSE, "org": "Demo", "mode": "verified"}


@pytest.mark.parametrize("is_active", [True, False])
def test_enrollment_changed_leaves_the_previous_mode_to_dispatch(ada, is_active):
    enrollment = f.enrollment_data(ada, mode="verified", is_active=is_active)
    metadata = f.send(signals.COURSE_ENROLLMENT_CHANGED, enrollment=enrollment)

    event = recorded(metadata)
    assert (event.event_type, event.user) == ("enrollment.mode_changed", ada)
    assert event.payload == {
        "user_id": ada.id,
        "course_key": f.COURSE,
        "to_mode": "verified",
        "from_mode": None,
        "is_active": is_active,
    }


def test_unenrollment(ada):
    enrollment = f.enrollment_data(ada, mode="audit", is_active=False)
    metadata = f.send(signals.COURSE_UNENROLLMENT_COMPLETED, enrollment=enrollment)

    event = recorded(metadata)
    assert (event.event_type, event.user) == ("enrollment.deactivated", ada)
    assert event.payload == {"user_id": ada.id, "course_key": f.COURSE, "mode": "audit"}


@pytest.mark.parametrize(
    ("fraction", "letter", "passed_at", "percent", "passed"),
    [
        (0.85, "Pass", f.AT, 85.0, True),
        (0.42, "", None, 42.0, False),
        (0.0, "", None, 0.0, False),
        (1.0, "A", f.AT, 100.0, True),
        (0.289, "", None, 28.9, False),
    ],
)
def test_grade_changed_in_percent(ada, fraction, letter, passed_at, percent, passed):
    grade = f.grade_data(ada, fraction, letter_grade=letter, passed_timestamp=passed_at)
    metadata = f.send(signals.PERSISTENT_GRADE_SUMMARY_CHANGED, grade=grade)

    event = recorded(metadata)
    assert (event.event_type, event.user) == ("grade.changed", ada)
    assert event.payload == {
        "user_id": ada.id,
        "course_key": f.COURSE,
        "percent": percent,
        "letter_grade": letter,
        "passed": passed,
    }


@pytest.mark.parametrize(("is_passing", "event_type"), [(True, "course.passed"), (False, "course.failed")])
def test_passing_status(ada, is_passing, event_type):
    metadata = f.send(
        signals.COURSE_PASSING_STATUS_UPDATED, course_passing_status=f.passing_status_data(ada, is_passing)
    )

    event = recorded(metadata)
    assert (event.event_type, event.user) == (event_type, ada)
    assert event.payload == {"user_id": ada.id, "course_key": f.COURSE}


def test_every_recompute_is_recorded_transitions_are_found_at_dispatch(ada):
    for _ in range(2):
        signals.COURSE_PASSING_STATUS_UPDATED.send_event(course_passing_status=f.passing_status_data(ada, True))

    assert list(Event.objects.values_list("event_type", flat=True)) == ["course.passed", "course.passed"]


def test_certificate_awarded(ada):
    metadata = f.send(signals.CERTIFICATE_CREATED, certificate=f.certificate_data(ada))

    event = recorded(metadata)
    assert (event.event_type, event.user) == ("certificate.awarded", ada)
    assert event.payload == {
        "user_id": ada.id,
        "course_key": f.COURSE,
        "mode": "verified",
        "grade": "0.87",
        "download_url": "https://lms.example.com/certificates/abc",
    }


def test_certificate_revoked(ada):
    metadata = f.send(signals.CERTIFICATE_REVOKED, certificate=f.certificate_data(ada, grade="0.3", download_url=""))

    event = recorded(metadata)
    assert (event.event_type, event.user) == ("certificate.revoked", ada)
    assert event.payload == {"user_id": ada.id, "course_key": f.COURSE}


def test_cohort_joined_from_the_payload_alone(ada):
    # No membership row exists at all: the host sends this signal before writing it.
    metadata = f.send(signals.COHORT_MEMBERSHIP_CHANGED, cohort=f.cohort_data(ada, name="Evening"))

    event = recorded(metadata)
    assert (event.event_type, event.user) == ("cohort.joined", ada)
    assert event.payload == {"user_id": ada.id, "course_key": f.COURSE, "cohort": "Evening"}


def test_events_are_recorded_for_the_learner_in_the_payload(ada, bob):
    signals.COURSE_ENROLLMENT_CREATED.send_event(enrollment=f.enrollment_data(bob))
    signals.SESSION_LOGIN_COMPLETED.send_event(user=f.user_data(ada))

    assert sorted(Event.objects.values_list("event_type", "user__username", "payload__user_id")) == [
        ("account.logged_in", "ada", ada.id),
        ("enrollment.created", "bob", bob.id),
    ]


def test_a_ccx_course_key_is_recorded_as_its_string(ada):
    ccx = CourseKey.from_string("ccx-v1:Demo+W1+2026+ccx@3")
    signals.COURSE_ENROLLMENT_CREATED.send_event(enrollment=f.enrollment_data(ada, course_key=ccx))

    assert Event.objects.get().payload["course_key"] == "ccx-v1:Demo+W1+2026+ccx@3"
    assert Event.objects.get().payload["org"] == "Demo"
