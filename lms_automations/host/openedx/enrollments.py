"""Enrolments through the enrolment API, as the LMS's own enrolment endpoint does.

``add_enrollment`` / ``update_enrollment`` take the course id as a *string* and a username; they
check that the mode exists and that enrolment is open (``force_enrollment`` lifts the latter). The
enrolment API is used rather than ``CourseEnrollment.enroll`` because ``enroll`` without a mode
silently moves a paying learner back to the default mode.

``add_enrollment`` enrols in the course's default mode and then sets the mode asked for; it runs in
one transaction here (as it does in the LMS's request), so the plugin sees one enrolment in that
mode, not an enrolment and an upgrade (ADR 0018).
"""
from django.db import transaction

from .errors import course_key_of, filter_refusal, host_call, user_for

#: Modes nobody paid for: an automation may enrol into them but never replaces a paid mode with one.
FREE_MODES = ("audit", "honor")


def _enrollment_errors():
    from openedx.core.djangoapps.enrollments import errors  # pylint: disable=import-outside-toplevel
    from openedx.core.lib.exceptions import CourseNotFoundError  # pylint: disable=import-outside-toplevel

    permanent = {
        errors.CourseModeNotFoundError: "the course does not offer that mode ({error})",
        errors.UserNotFoundError: "the LMS has no such learner ({error})",
        CourseNotFoundError: "the LMS has no such course ({error})",
        errors.CourseEnrollmentClosedError: "enrolment in the course is closed (set force to enrol anyway)",
        errors.CourseEnrollmentFullError: "the course is full",
        errors.EnrollmentNotFoundError: "the learner is not enrolled in the course",
        errors.InvalidEnrollmentAttribute: "the LMS refused the enrolment attributes ({error})",
    }
    permanent.update(filter_refusal("the enrolment"))
    transient = {errors.EnrollmentApiLoadError: "the LMS could not load the enrolment data ({error})"}
    return permanent, transient


def _active_enrollments(course_keys=None, after_user_id=None, upto_user_id=None):
    """Active ``student_courseenrollment`` rows (of ``course_keys``, else every course) of learners
    with ids in (after, upto]: keyset pages over its ``(user_id, course_id)`` unique index."""
    from common.djangoapps.student.models import CourseEnrollment  # pylint: disable=import-outside-toplevel

    rows = CourseEnrollment.objects.filter(is_active=True)
    if course_keys is not None:
        rows = rows.filter(course_id__in=[course_key_of(key) for key in course_keys])
    if after_user_id is not None:
        rows = rows.filter(user_id__gt=after_user_id)
    if upto_user_id is not None:
        rows = rows.filter(user_id__lte=upto_user_id)
    return rows


class EnrollmentsMixin:
    def get_enrollment(self, user_id, course_key):
        from common.djangoapps.student.models import CourseEnrollment  # pylint: disable=import-outside-toplevel

        key = course_key_of(course_key)
        row = CourseEnrollment.objects.filter(user_id=user_id, course_id=key).first()
        return None if row is None else {"mode": row.mode, "is_active": row.is_active, "created": row.created}

    def enrolled_user_ids(self, course_keys):
        from common.djangoapps.student.models import CourseEnrollment  # pylint: disable=import-outside-toplevel

        keys = [course_key_of(key) for key in course_keys]
        return set(CourseEnrollment.objects.filter(course_id__in=keys, is_active=True)
                   .values_list("user_id", flat=True))

    def enrollment_user_id_bound(self, after_user_id, count, course_keys=None):
        rows = _active_enrollments(course_keys, after_user_id).order_by("user_id").values_list("user_id", flat=True)
        return next(iter(rows[count - 1:count]), None)

    def enrolled_user_ids_between(self, course_keys, after_user_id=None, upto_user_id=None, limit=None):
        rows = (_active_enrollments(course_keys, after_user_id, upto_user_id).order_by("user_id")
                .values_list("user_id", flat=True).distinct())
        return list(rows[:limit] if limit else rows)

    def active_course_keys(self, user_id):
        from common.djangoapps.student.models import CourseEnrollment  # pylint: disable=import-outside-toplevel

        rows = CourseEnrollment.objects.filter(user_id=user_id, is_active=True).values_list("course_id", flat=True)
        return {str(course_id) for course_id in rows}

    def enroll(self, user_id, course_key, mode, *, force=False):
        from openedx.core.djangoapps.enrollments import api  # pylint: disable=import-outside-toplevel
        from openedx.core.djangoapps.enrollments.errors import (  # pylint: disable=import-outside-toplevel
            CourseEnrollmentExistsError,
        )

        key = course_key_of(course_key)
        user = user_for(user_id)
        current = self.get_enrollment(user_id, key)
        if current and current["is_active"] and current["mode"] not in FREE_MODES and mode in FREE_MODES:
            return current  # never downgrade a paid enrolment
        permanent, transient = _enrollment_errors()
        with host_call(permanent, transient):
            if current is None:
                try:
                    with transaction.atomic():
                        api.add_enrollment(user.username, str(key), mode=mode, is_active=True,
                                           force_enrollment=force)
                except CourseEnrollmentExistsError:
                    pass  # enrolled meanwhile (another worker, the learner): settle the mode below
                else:
                    return self.get_enrollment(user_id, key)
            api.update_enrollment(user.username, str(key), mode=mode, is_active=True)
        return self.get_enrollment(user_id, key)

    def unenroll(self, user_id, course_key):
        from common.djangoapps.student.models import CourseEnrollment  # pylint: disable=import-outside-toplevel

        key = course_key_of(course_key)
        user = user_for(user_id)
        with host_call(filter_refusal("the unenrolment")):
            CourseEnrollment.unenroll(user, key)

    def change_mode(self, user_id, course_key, mode):
        from openedx.core.djangoapps.enrollments import api  # pylint: disable=import-outside-toplevel

        key = course_key_of(course_key)
        user = user_for(user_id)
        current = self.get_enrollment(user_id, key)
        if not current:
            from ...engine.errors import PermanentError  # pylint: disable=import-outside-toplevel

            raise PermanentError(f"the learner is not enrolled in {key}")
        permanent, transient = _enrollment_errors()
        with host_call(permanent, transient):
            api.update_enrollment(user.username, str(key), mode=mode)

