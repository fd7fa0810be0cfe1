"""Stand-in of ``common.djangoapps.student.models``.

``CourseEnrollment.enroll`` and ``update_enrollment`` send the openedx-events enrolment signals as
edx-platform's do (host reference §1.6): ``enroll`` gets or creates an inactive row, activates it in
``mode`` (the course default when omitted) through ``update_enrollment`` — CHANGED if anything
changed — and then sends CREATED; a deactivation sends CHANGED, then UNENROLLMENT_COMPLETED.
"""
import datetime

import standin_state
from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import CourseData, CourseEnrollmentData, UserData, UserPersonalData
from openedx_events.learning.signals import (
    COURSE_ENROLLMENT_CHANGED,
    COURSE_ENROLLMENT_CREATED,
    COURSE_UNENROLLMENT_COMPLETED,
)
from standin_rows import EnrollmentRow, TableOf

#: The stand-in courses' default mode (``CourseMode.DEFAULT_MODE_SLUG`` for a course with audit).
DEFAULT_MODE = "audit"


def _user(user_id):
    from django.contrib.auth import get_user_model  # pylint: disable=import-outside-toplevel

    return get_user_model().objects.get(pk=user_id)


def enrollment_data(row):
    """The ``CourseEnrollmentData`` edx-platform builds for a row."""
    user = _user(row.user_id)
    return CourseEnrollmentData(
        user=UserData(id=user.pk, is_active=user.is_active,
                      pii=UserPersonalData(username=user.username, email=user.email, name=user.username)),
        course=CourseData(course_key=row.course_id), mode=row.mode, is_active=row.is_active,
        creation_date=row.created)


def update_enrollment(row, mode=None, is_active=None):
    """``CourseEnrollment.update_enrollment``: CHANGED when the mode or activation changed, then
    UNENROLLMENT_COMPLETED on a deactivation; nothing when nothing changed."""
    activation_changed = is_active is not None and row.is_active != is_active
    mode_changed = mode is not None and row.mode != mode
    if not (activation_changed or mode_changed):
        return row
    if activation_changed:
        row.is_active = is_active
    if mode_changed:
        row.mode = mode
    COURSE_ENROLLMENT_CHANGED.send_event(enrollment=enrollment_data(row))
    if activation_changed and not row.is_active:
        COURSE_UNENROLLMENT_COMPLETED.send_event(enrollment=enrollment_data(row))
    return row


class CourseEnrollment:
    objects = TableOf("enrollments")

    @classmethod
    def enroll(cls, user, course_key, mode=None, check_access=False, can_upgrade=False):
        """Get or create the (inactive) row, activate it in ``mode`` (CHANGED), then CREATED."""
        assert isinstance(course_key, CourseKey), "CourseEnrollment.enroll takes a CourseKey"
        lms = standin_state.LMS
        row = lms.enrollments.filter(user_id=user.pk, course_id=course_key).first()
        if row is None:
            row = EnrollmentRow(user.pk, course_key, DEFAULT_MODE, False, datetime.datetime.now(datetime.UTC))
            lms.enrollments.rows.append(row)
        update_enrollment(row, mode=mode or DEFAULT_MODE, is_active=True)
        COURSE_ENROLLMENT_CREATED.send_event(enrollment=enrollment_data(row))
        return row

    @classmethod
    def unenroll(cls, user, course_id, skip_refund=False):
        assert isinstance(course_id, CourseKey), "CourseEnrollment.unenroll takes a CourseKey"
        standin_state.LMS.record("CourseEnrollment.unenroll", user, course_id, skip_refund=skip_refund)
        for row in standin_state.LMS.enrollments.filter(user_id=user.pk, course_id=course_id).rows:
            update_enrollment(row, is_active=False)


class UserAttribute:
    objects = TableOf("user_attributes")


class CourseAccessRole:
    objects = TableOf("access_roles")


def user_by_anonymous_id(uid):
    """The user behind a course-specific anonymous id, or None."""
    standin_state.LMS.record("user_by_anonymous_id", uid)
    user_id = standin_state.LMS.anonymous_ids.get(uid)
    if user_id is None:
        return None
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=user_id)


class Registration:
    """Only its class is the sender of USER_ACCOUNT_ACTIVATED."""
