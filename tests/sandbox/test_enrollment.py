"""Enrolment services send edx-platform's sequences, duplicates included."""
import datetime

import pytest
import time_machine
from django.db import transaction
from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import CourseData, CourseEnrollmentData, UserData, UserPersonalData
from openedx_events.learning.signals import COURSE_ENROLLMENT_CREATED

from sandbox.lms import services
from sandbox.lms.models import Course, CourseEnrollment

from .conftest import COURSE

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)


def seq(recorder):
    """(name, mode, is_active) of each enrolment signal sent."""
    return [(s.name, s.data.mode, s.data.is_active) for s in recorder.sent]


@time_machine.travel(NOW, tick=False)
def test_new_enrollment_in_verified_goes_through_the_default_mode_first(recorder, course, ada):
    enrollment = services.enroll(ada, COURSE, mode="verified")

    assert seq(recorder) == [
        ("course.enrollment.changed", "audit", True),
        ("course.enrollment.created", "audit", True),
        ("course.enrollment.changed", "verified", True),
    ]
    assert (enrollment.mode, enrollment.is_active, enrollment.created) == ("verified", True, NOW)
    assert recorder.sent[1].data == CourseEnrollmentData(
        user=UserData(
            id=ada.id,
            is_active=True,
            pii=UserPersonalData(username="ada", email="ada@example.com", name="Ada Lovelace"),
        ),
        course=CourseData(course_key=CourseKey.from_string(COURSE), display_name=course.display_name),
        mode="audit",
        is_active=True,
        creation_date=NOW,
        created_by=None,
    )
    assert recorder.sent[1].data.course.start is None


def test_new_enrollment_in_the_default_mode_is_changed_then_created(recorder, course, ada):
    services.enroll(ada, COURSE)

    assert seq(recorder) == [("course.enrollment.changed", "audit", True), ("course.enrollment.created", "audit", True)]
    assert CourseEnrollment.objects.get(user=ada).mode == "audit"


@pytest.mark.parametrize(
    ("modes", "default"),
    [(("honor", "verified"), "honor"), (("verified",), "audit"), (("audit", "honor", "verified"), "audit")],
)
def test_default_mode_is_audit_then_honor(recorder, ada, modes, default):
    services.create_course("course-v1:Org+C1+R1", modes=modes)
    services.enroll(ada, "course-v1:Org+C1+R1", mode="verified")

    assert seq(recorder) == [
        ("course.enrollment.changed", default, True),
        ("course.enrollment.created", default, True),
        ("course.enrollment.changed", "verified", True),
    ]


def test_enrolling_again_while_active_repeats_created_without_changed(recorder, course, ada):
    services.enroll(ada, COURSE)
    recorder.clear()

    again = services.enroll(ada, COURSE)

    assert seq(recorder) == [("course.enrollment.created", "audit", True)]
    assert CourseEnrollment.objects.filter(user=ada).count() == 1
    assert again.mode == "audit"


def test_enrolling_again_while_active_in_another_mode_changes_then_creates(recorder, course, ada):
    services.enroll(ada, COURSE)
    recorder.clear()

    services.enroll(ada, COURSE, mode="verified")

    assert seq(recorder) == [
        ("course.enrollment.changed", "verified", True),
        ("course.enrollment.created", "verified", True),
    ]


def test_unenroll_is_changed_then_unenrollment_completed(recorder, course, ada):
    with time_machine.travel(NOW, tick=False):
        services.enroll(ada, COURSE, mode="verified")
    recorder.clear()

    enrollment = services.unenroll(ada, COURSE)

    assert seq(recorder) == [
        ("course.enrollment.changed", "verified", False),
        ("course.unenrollment.completed", "verified", False),
    ]
    assert recorder.sent[1].data.creation_date == NOW
    assert enrollment.is_active is False
    recorder.clear()
    assert services.unenroll(ada, COURSE).is_active is False
    assert recorder.sent == []


def test_unenroll_without_enrollment_sends_nothing(recorder, course, ada):
    assert services.unenroll(ada, COURSE) is None
    assert recorder.sent == []


def test_reactivating_keeps_the_row_and_sends_changed_then_created(recorder, course, ada):
    with time_machine.travel(NOW, tick=False):
        services.enroll(ada, COURSE)
    services.unenroll(ada, COURSE)
    recorder.clear()

    enrollment = services.enroll(ada, COURSE)

    assert seq(recorder) == [("course.enrollment.changed", "audit", True), ("course.enrollment.created", "audit", True)]
    assert enrollment.created == NOW  # the original row, reactivated
    assert CourseEnrollment.objects.count() == 1


def test_reactivating_a_verified_enrollment_passes_through_the_default_mode(recorder, course, ada):
    services.enroll(ada, COURSE, mode="verified")
    services.unenroll(ada, COURSE)
    recorder.clear()

    services.enroll(ada, COURSE, mode="verified")

    assert seq(recorder) == [
        ("course.enrollment.changed", "audit", True),
        ("course.enrollment.created", "audit", True),
        ("course.enrollment.changed", "verified", True),
    ]


def test_change_mode_sends_changed_only_when_the_mode_differs(recorder, course, ada):
    services.enroll(ada, COURSE)
    recorder.clear()

    services.change_mode(ada, COURSE, "verified")
    services.change_mode(ada, COURSE, "verified")

    assert seq(recorder) == [("course.enrollment.changed", "verified", True)]
    assert CourseEnrollment.objects.get(user=ada).mode == "verified"


def test_change_mode_of_an_inactive_enrollment_keeps_it_inactive(recorder, course, ada):
    services.enroll(ada, COURSE)
    services.unenroll(ada, COURSE)
    recorder.clear()

    services.change_mode(ada, COURSE, "verified")

    assert seq(recorder) == [("course.enrollment.changed", "verified", False)]


def test_errors_leave_nothing_behind(recorder, course, ada):
    with pytest.raises(services.InvalidMode):
        services.enroll(ada, COURSE, mode="professional")
    with pytest.raises(Course.DoesNotExist):
        services.enroll(ada, "course-v1:No+Such+Course")
    with pytest.raises(CourseEnrollment.DoesNotExist):
        services.change_mode(ada, COURSE, "verified")
    assert recorder.sent == []
    assert not CourseEnrollment.objects.exists()


def test_receivers_run_inside_the_service_transaction(course, ada, settings):
    settings.DEBUG = True  # openedx-events then lets a receiver error through (pytest-django turns DEBUG off)
    seen = []

    def receiver(**kwargs):
        seen.append(transaction.get_connection().in_atomic_block)
        raise RuntimeError("receiver failure")

    COURSE_ENROLLMENT_CREATED.connect(receiver, weak=False, dispatch_uid="test-raising")
    try:
        # The error reaches the service: the whole enrolment rolls back, as an edx-platform request would.
        with pytest.raises(RuntimeError):
            services.enroll(ada, COURSE)
    finally:
        COURSE_ENROLLMENT_CREATED.disconnect(dispatch_uid="test-raising")
    assert seen == [True]
    assert not CourseEnrollment.objects.exists()


def test_without_debug_a_failing_receiver_does_not_break_the_enrollment(recorder, course, ada, settings):
    settings.DEBUG = False

    def receiver(**kwargs):
        raise RuntimeError("receiver failure")

    COURSE_ENROLLMENT_CREATED.connect(receiver, weak=False, dispatch_uid="test-raising")
    try:
        services.enroll(ada, COURSE)
    finally:
        COURSE_ENROLLMENT_CREATED.disconnect(dispatch_uid="test-raising")
    assert CourseEnrollment.objects.get(user=ada).is_active is True
    assert recorder.names() == ["course.enrollment.changed", "course.enrollment.created"]
