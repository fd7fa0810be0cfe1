"""Enrolments, with the openedx-events sequences edx-platform sends for each path."""
from django.db import transaction
from openedx_events.learning.signals import (
    COURSE_ENROLLMENT_CHANGED,
    COURSE_ENROLLMENT_CREATED,
    COURSE_UNENROLLMENT_COMPLETED,
)

from .. import payloads
from ..models import CourseEnrollment
from .courses import course_key_of, get_course


class InvalidMode(ValueError):
    """The course does not offer this enrolment mode (edx-platform: ``CourseModeNotFoundError``)."""


def get_enrollment(user, course_key):
    """The learner's enrolment row (active or not), or None."""
    return CourseEnrollment.objects.filter(user=user, course__course_key=str(course_key_of(course_key))).first()


def _check_mode(course, mode):
    if mode not in course.modes:
        raise InvalidMode(f"{course.course_key} offers {course.modes}, not {mode!r}.")


def _update_enrollment(enrollment, mode=None, is_active=None):
    """Apply a change and announce it, as ``CourseEnrollment.update_enrollment`` does; no change, no event.

    CHANGED on any change; on deactivation UNENROLLMENT_COMPLETED follows it.
    """
    activation_changed = is_active is not None and enrollment.is_active != is_active
    mode_changed = mode is not None and enrollment.mode != mode
    if not (activation_changed or mode_changed):
        return
    if activation_changed:
        enrollment.is_active = is_active
    if mode_changed:
        enrollment.mode = mode
    enrollment.save(update_fields=["is_active", "mode"])
    COURSE_ENROLLMENT_CHANGED.send_event(enrollment=payloads.enrollment_data(enrollment))
    if activation_changed and not enrollment.is_active:
        COURSE_UNENROLLMENT_COMPLETED.send_event(enrollment=payloads.enrollment_data(enrollment))


def _activate(enrollment, mode):
    """``CourseEnrollment.enroll(mode=…)``: activate in ``mode`` (CHANGED if anything changed), then CREATED."""
    _update_enrollment(enrollment, mode=mode, is_active=True)
    COURSE_ENROLLMENT_CREATED.send_event(enrollment=payloads.enrollment_data(enrollment))


def enroll(user, course_key, mode="audit"):
    """Enrol ``user`` in ``mode``, with edx-platform's sequences of events.

    Not yet enrolled (no row, or an inactive one): the enrolment API path (``add_enrollment``), which
    enrols in the course's default mode and then switches mode —
    CHANGED(default, active) → CREATED(default) → CHANGED(mode) when ``mode`` is not the default,
    CHANGED → CREATED when it is.
    Already active: ``CourseEnrollment.enroll(mode=…)`` again, as instructor, bulk and fulfilment paths
    do — CREATED once more (the real duplicate), preceded by CHANGED(mode) only if the mode differs.
    Raises ``InvalidMode`` if the course does not offer ``mode``.
    """
    course = get_course(course_key)
    _check_mode(course, mode)
    with transaction.atomic():
        enrollment = CourseEnrollment.objects.select_for_update().filter(user=user, course=course).first()
        if enrollment is not None and enrollment.is_active:
            _activate(enrollment, mode)
            return enrollment
        if enrollment is None:
            enrollment = CourseEnrollment.objects.create(
                user=user, course=course, mode=course.default_mode, is_active=False
            )
        _activate(enrollment, course.default_mode)
        _update_enrollment(enrollment, mode=mode)
    return enrollment


def unenroll(user, course_key):
    """Deactivate: CHANGED(is_active=False) → COURSE_UNENROLLMENT_COMPLETED.

    Returns the enrolment, or None if there is none; an already inactive enrolment sends nothing.
    """
    course = get_course(course_key)
    with transaction.atomic():
        enrollment = CourseEnrollment.objects.select_for_update().filter(user=user, course=course).first()
        if enrollment is not None:
            _update_enrollment(enrollment, is_active=False)
    return enrollment


def change_mode(user, course_key, mode):
    """Switch the enrolment's mode (upgrade or downgrade): CHANGED only if the mode differs.

    Raises ``CourseEnrollment.DoesNotExist`` without an enrolment and ``InvalidMode`` for a mode the
    course does not offer.
    """
    course = get_course(course_key)
    _check_mode(course, mode)
    with transaction.atomic():
        enrollment = CourseEnrollment.objects.select_for_update().get(user=user, course=course)
        _update_enrollment(enrollment, mode=mode)
    return enrollment
