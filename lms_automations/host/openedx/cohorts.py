"""Cohorts through ``openedx.core.djangoapps.course_groups.cohorts`` (which also sends the LMS's
cohort signals, so other automations see the change)."""
from ...engine.errors import PermanentError
from .errors import course_key_of, filter_refusal, host_call, user_for


def _cohort_named(key, name):
    from openedx.core.djangoapps.course_groups import cohorts  # pylint: disable=import-outside-toplevel
    from openedx.core.djangoapps.course_groups.models import CourseUserGroup  # pylint: disable=import-outside-toplevel

    try:
        return cohorts.get_cohort_by_name(key, name)
    except CourseUserGroup.DoesNotExist:
        raise PermanentError(f"{key} has no cohort named {name!r}") from None


class CohortsMixin:
    def get_cohort(self, user_id, course_key):
        from openedx.core.djangoapps.course_groups import cohorts  # pylint: disable=import-outside-toplevel

        key = course_key_of(course_key)
        with host_call():
            cohort = cohorts.get_cohort(user_for(user_id), key, assign=False)
        return None if cohort is None else cohort.name

    def add_to_cohort(self, user_id, course_key, cohort):
        from openedx.core.djangoapps.course_groups import cohorts  # pylint: disable=import-outside-toplevel

        key = course_key_of(course_key)
        user = user_for(user_id)
        group = _cohort_named(key, cohort)
        if self.get_cohort(user_id, key) == group.name:
            return  # already there: the LMS would raise ValueError, the automation's wish holds
        refusals = {ValueError: "the LMS refused the cohort change ({error})", **filter_refusal("the cohort change")}
        with host_call(refusals):
            cohorts.add_user_to_cohort(group, user)

    def remove_from_cohort(self, user_id, course_key, cohort):
        from openedx.core.djangoapps.course_groups import cohorts  # pylint: disable=import-outside-toplevel

        key = course_key_of(course_key)
        user = user_for(user_id)
        group = _cohort_named(key, cohort)
        with host_call({ValueError: f"the learner is not in the cohort {cohort!r} of {key}"}):
            cohorts.remove_user_from_cohort(group, user.username)

