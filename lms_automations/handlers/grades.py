"""Grade receivers (openedx-events).

The host sends both signals on every grade recomputation, not only when something changes; turning
``course.passed`` / ``course.failed`` into transitions happens at dispatch.
"""
from .base import never_raises, record_openedx_event


def _percent(fraction):
    """The host's 0–1 grade as the 0–100 percent course staff use in conditions (SPEC §4.2)."""
    return round(float(fraction) * 100, 2)


@never_raises
def on_persistent_grade_changed(sender, signal=None, **kwargs):
    """PERSISTENT_GRADE_SUMMARY_CHANGED → ``grade.changed``.

    This payload carries a bare ``user_id``, not a ``UserData``. ``passed`` is whether the host has
    stamped a passing time on the grade.
    """
    grade = kwargs["grade"]
    record_openedx_event(
        "grade.changed",
        kwargs,
        user_id=grade.user_id,
        course_key=str(grade.course.course_key),
        percent=_percent(grade.percent_grade),
        letter_grade=grade.letter_grade or "",
        passed=grade.passed_timestamp is not None,
    )


@never_raises
def on_passing_status_updated(sender, signal=None, **kwargs):
    """COURSE_PASSING_STATUS_UPDATED → ``course.passed`` or ``course.failed``."""
    status = kwargs["course_passing_status"]
    record_openedx_event(
        "course.passed" if status.is_passing else "course.failed",
        kwargs,
        user_id=status.user.id,
        course_key=str(status.course.course_key),
    )
