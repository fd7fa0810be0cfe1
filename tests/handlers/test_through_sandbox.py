"""The receivers against the stand-in LMS, which sends what edx-platform sends, in its order and with its repeats."""
import pytest
from openedx_events.learning.signals import COHORT_MEMBERSHIP_CHANGED

from lms_automations.models import Event
from sandbox.lms import services
from sandbox.lms.models import CohortMembership

pytestmark = pytest.mark.django_db
COURSE = "course-v1:Demo+S1+2026"
QUIZ = "block-v1:Demo+S1+2026+type@problem+block@quiz-1"


@pytest.fixture
def grace():
    services.create_course(COURSE)
    return services.create_learner("grace", "grace@example.com")


def recorded(*keys):
    """(event type, those of the payload's ``keys`` it has) of every event, oldest first."""
    return [(e.event_type, {k: e.payload[k] for k in keys if k in e.payload}) for e in Event.objects.order_by("id")]


def test_cohort_joined_while_the_membership_row_is_not_written_yet(grace):
    rows_when_sent = []

    def count_rows(sender, signal=None, **kwargs):
        rows_when_sent.append(CohortMembership.objects.filter(user=grace).count())

    COHORT_MEMBERSHIP_CHANGED.connect(count_rows, weak=False, dispatch_uid="tests.handlers.count_rows")
    try:
        services.join_cohort(grace, COURSE, "Evening")
    finally:
        COHORT_MEMBERSHIP_CHANGED.disconnect(dispatch_uid="tests.handlers.count_rows")

    assert rows_when_sent == [0]
    assert recorded("user_id", "course_key", "cohort") == [
        ("cohort.joined", {"user_id": grace.id, "course_key": COURSE, "cohort": "Evening"})
    ]


def test_grade_recomputes_record_every_announcement(grace):
    services.set_grade(grace, COURSE, 0.4, passed=False)
    services.set_grade(grace, COURSE, 0.75, passed=True)

    assert recorded("percent", "passed") == [
        ("grade.changed", {"percent": 40.0, "passed": False}),
        ("course.failed", {}),
        ("grade.changed", {"percent": 75.0, "passed": True}),
        ("course.passed", {}),
    ]


def test_certificate_award_regeneration_and_revocation(grace):
    services.enroll(grace, COURSE, mode="verified")
    Event.objects.all().delete()
    services.set_grade(grace, COURSE, 0.9, passed=True)
    Event.objects.all().delete()

    services.award_certificate(grace, COURSE)
    services.award_certificate(grace, COURSE)  # a re-save re-sends CREATED, with a new event id
    services.revoke_certificate(grace, COURSE)

    assert recorded("course_key") == [
        ("certificate.awarded", {"course_key": COURSE}),
        ("certificate.awarded", {"course_key": COURSE}),
        ("certificate.revoked", {"course_key": COURSE}),
    ]
    assert Event.objects.filter(event_type="certificate.awarded").first().payload["mode"] == "verified"


def test_completing_a_block_twice_is_one_event(grace):
    services.complete_block(grace, QUIZ)
    services.complete_block(grace, QUIZ)

    assert recorded("course_key", "block_key", "block_type") == [
        ("progress.block_completed", {"course_key": COURSE, "block_key": QUIZ, "block_type": "problem"})
    ]


def test_registration_and_login(db):
    user = services.register("ada", "ada@example.com")
    services.login(user)

    assert recorded("user_id") == [
        ("account.registered", {"user_id": user.id}),
        ("account.logged_in", {"user_id": user.id}),
    ]
