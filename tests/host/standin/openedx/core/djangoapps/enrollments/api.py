"""Stand-in of ``openedx.core.djangoapps.enrollments.api``: course ids are strings here."""
import datetime

import standin_state
from opaque_keys.edx.keys import CourseKey
from standin_rows import EnrollmentRow

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
    lms.enrollments.rows.append(EnrollmentRow(user.pk, key, mode or "audit", is_active,
                                              datetime.datetime.now(datetime.UTC)))
    return {"mode": mode, "is_active": is_active, "course_details": {"course_id": course_id}}


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
    if mode is not None:
        row.mode = mode
    if is_active is not None:
        row.is_active = is_active
    return {"mode": row.mode, "is_active": row.is_active}
