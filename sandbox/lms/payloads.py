"""openedx-events data (the real attrs classes) built from sandbox rows, filled the way edx-platform fills them.

edx-platform is not uniform and receivers see the differences, so they are kept:
- enrolment payloads carry ``CourseData(course_key, display_name)``; certificate, cohort, grade and
  passing-status payloads carry ``CourseData(course_key)`` only; none carries course dates;
- ``CourseEnrollmentData.created_by`` and ``CertificateData.previous_status`` are never filled;
- ``pii.name`` is the profile name, except in the passing-status event, which uses Django's
  ``get_full_name()`` (first + last name, usually empty in Open edX).
"""
from django.core.exceptions import ObjectDoesNotExist
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


def profile_name(user):
    """The learner's full name from the profile; empty for users made without one (e.g. createsuperuser)."""
    try:
        return user.profile.name
    except ObjectDoesNotExist:
        return ""


def user_data(user, name=None):
    return UserData(
        id=user.id,
        is_active=user.is_active,
        pii=UserPersonalData(
            username=user.username,
            email=user.email,
            name=profile_name(user) if name is None else name,
        ),
    )


def enrollment_data(enrollment):
    course = enrollment.course
    return CourseEnrollmentData(
        user=user_data(enrollment.user),
        course=CourseData(course_key=course.key, display_name=course.display_name),
        mode=enrollment.mode,
        is_active=enrollment.is_active,
        creation_date=enrollment.created,
    )


def certificate_data(certificate):
    return CertificateData(
        user=user_data(certificate.user),
        course=CourseData(course_key=certificate.course.key),
        mode=certificate.mode,
        grade=certificate.grade,
        download_url=certificate.download_url,
        name=profile_name(certificate.user),
        current_status=certificate.status,
    )


def cohort_data(membership):
    return CohortData(
        user=user_data(membership.user),
        course=CourseData(course_key=membership.course.key),
        name=membership.name,
    )


def grade_data(grade):
    return PersistentCourseGradeData(
        user_id=grade.user_id,
        course=CourseData(course_key=grade.course.key),
        course_edited_timestamp=grade.course.modified,
        course_version="",
        grading_policy_hash="",
        percent_grade=grade.percent_grade,
        letter_grade=grade.letter_grade,
        passed_timestamp=grade.passed_timestamp,
    )


def passing_status_data(user, course, is_passing):
    return CoursePassingStatusData(
        is_passing=is_passing,
        course=CourseData(course_key=course.key),
        user=user_data(user, name=user.get_full_name()),
    )
