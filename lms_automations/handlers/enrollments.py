"""Enrolment receivers (openedx-events).

The host re-sends CREATED for an already active enrolment and sends CHANGED for every change, mode or
activation. The receivers record each occurrence as it is; whether it is a new enrolment, a real mode
change or an upgrade is decided at dispatch against the stored last-known state, not here.
"""
from .base import never_raises, record_openedx_event


@never_raises
def on_enrollment_created(sender, signal=None, **kwargs):
    """COURSE_ENROLLMENT_CREATED → ``enrollment.created``."""
    enrollment = kwargs["enrollment"]
    course_key = enrollment.course.course_key
    record_openedx_event(
        "enrollment.created",
        kwargs,
        user_id=enrollment.user.id,
        course_key=str(course_key),
        org=course_key.org,
        mode=enrollment.mode,
    )


@never_raises
def on_enrollment_changed(sender, signal=None, **kwargs):
    """COURSE_ENROLLMENT_CHANGED → ``enrollment.mode_changed``; ``from_mode`` is filled in at dispatch.

    The host's payload holds only the new state, so the receiver cannot know the old mode without a
    query, and receivers do none.
    """
    enrollment = kwargs["enrollment"]
    record_openedx_event(
        "enrollment.mode_changed",
        kwargs,
        user_id=enrollment.user.id,
        course_key=str(enrollment.course.course_key),
        to_mode=enrollment.mode,
        from_mode=None,
        is_active=enrollment.is_active,
    )


@never_raises
def on_unenrollment_completed(sender, signal=None, **kwargs):
    """COURSE_UNENROLLMENT_COMPLETED → ``enrollment.deactivated``."""
    enrollment = kwargs["enrollment"]
    record_openedx_event(
        "enrollment.deactivated",
        kwargs,
        user_id=enrollment.user.id,
        course_key=str(enrollment.course.course_key),
        mode=enrollment.mode,
    )
