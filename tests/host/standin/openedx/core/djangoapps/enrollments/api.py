"""Stand-in of ``openedx.core.djangoapps.enrollments.api``: course ids are strings here.

``add_enrollment`` does what edx-platform's ``create_course_enrollment`` does: ``CourseEnrollment.enroll``
*without* the mode (the course default), then ``update_enrollment`` to the mode asked for — so a
verified enrolment sends CHANGED(audit) → CREATED(audit) → CHANGED(verified) (host reference §1.6).
"""
import standin_state
from common.djangoapps.student.models import CourseEnrollment
from common.djangoapps.student.models import update_enrollment as update_row
from opaque_keys.edx.keys import CourseKey

from . import errors


def add_enrollment(username, course_id, mode=None, is_active=True, enrollment_attributes=None,
                   enterprise_uuid=None, force_enrollment=False, include_expired=False):
    assert isinstance(course_id, str), "the enrolment API takes the course id as a string"
    lms = standin_state.LMS
    lms.record("add_enrollment", username, course_id, mode=mode, is_active=is_active,
               force_enrollment=force_enrollment)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    key = CourseKey.from_string(course_id)
    existing = lms.enrollments.filter(user_id=user.pk, course_id=key).first()
    if existing and existing.is_active:
        raise errors.CourseEnrollmentExistsError("already enrolled", {"mode": existing.mode})
    row = CourseEnrollment.enroll(user, key, check_access=True, can_upgrade=force_enrollment)
    update_row(row, mode=mode, is_active=is_active)
    return {"mode": row.mode, "is_active": row.is_active, "course_details": {"course_id": course_id}}


def update_enrollment(username, course_id, mode=None, is_active=None, enrollment_attributes=None,
                      include_expired=False):
    assert isinstance(course_id, str), "the enrolment API takes the course id as a string"
    lms = standin_state.LMS
    lms.record("update_enrollment", username, course_id, mode=mode, is_active=is_active)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    row = lms.enrollments.filter(user_id=user.pk, course_id=CourseKey.from_string(course_id)).first()
    if row is None:
        raise errors.EnrollmentNotFoundError("no enrollment")
    update_row(row, mode=mode, is_active=is_active)
    return {"mode": row.mode, "is_active": row.is_active}
