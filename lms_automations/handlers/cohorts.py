"""Cohort receiver (openedx-events)."""
from .base import never_raises, record_openedx_event


@never_raises
def on_cohort_membership_changed(sender, signal=None, **kwargs):
    """COHORT_MEMBERSHIP_CHANGED → ``cohort.joined``.

    The host sends this before writing the membership row, so everything comes from the payload; the
    row may not exist (or be committed) yet.
    """
    cohort = kwargs["cohort"]
    record_openedx_event(
        "cohort.joined",
        kwargs,
        user_id=cohort.user.id,
        course_key=str(cohort.course.course_key),
        cohort=cohort.name,
    )
