"""Real openedx-events payloads (the attrs classes the host sends), and a send that tells its metadata."""
import datetime

from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import (
    CertificateData,
    CohortData,
    CourseData,
    CourseEnrollmentData,
    CoursePassingStatusData,
    PersistentCourseGradeData,
    UserData,
    UserPersonalData,
)

COURSE = "course-v1:Demo+W1+2026"
COURSE_KEY = CourseKey.from_string(COURSE)
AT = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)


def user_data(user):
    return UserData(
        id=user.id,
        is_active=True,
        pii=UserPersonalData(username=user.username, email=user.email, name="Ada Lovelace"),
    )


def course_data(course_key=COURSE_KEY):
    return CourseData(course_key=course_key, display_name="Demo course")


def enrollment_data(user, mode="audit", is_active=True, course_key=COURSE_KEY):
    return CourseEnrollmentData(
        user=user_data(user),
        course=course_data(course_key),
        mode=mode,
        is_active=is_active,
        creation_date=AT,
    )


def grade_data(user, percent_grade, letter_grade="", passed_timestamp=None):
    return PersistentCourseGradeData(
        user_id=user.id,
        course=CourseData(course_key=COURSE_KEY),
        course_edited_timestamp=AT,
        course_version="",
        grading_policy_hash="",
        percent_grade=percent_grade,
        letter_grade=letter_grade,
        passed_timestamp=passed_timestamp,
    )


def passing_status_data(user, is_passing):
    return CoursePassingStatusData(
        is_passing=is_passing, course=CourseData(course_key=COURSE_KEY), user=user_data(user)
    )


def certificate_data(user, mode="verified", grade="0.87", download_url="https://lms.example.com/certificates/abc"):
    return CertificateData(
        user=user_data(user),
        course=CourseData(course_key=COURSE_KEY),
        mode=mode,
        grade=grade,
        download_url=download_url,
        name="Ada Lovelace",
        current_status="downloadable",
    )


def cohort_data(user, name="Group A"):
    return CohortData(user=user_data(user), course=CourseData(course_key=COURSE_KEY), name=name)


def send(signal, time=AT, **data):
    """``signal.send_event(...)`` as the host calls it; returns the metadata the receivers were given."""
    seen = []

    def spy(sender, signal, metadata, **kwargs):
        seen.append(metadata)

    uid = f"tests.handlers.spy.{signal.event_type}"
    signal.connect(spy, weak=False, dispatch_uid=uid)
    try:
        signal.send_event(time=time, **data)
    finally:
        signal.disconnect(dispatch_uid=uid)
    (metadata,) = seen
    return metadata
