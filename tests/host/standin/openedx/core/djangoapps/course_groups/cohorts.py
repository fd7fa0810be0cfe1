"""Stand-in of ``openedx.core.djangoapps.course_groups.cohorts``."""
import standin_state
from opaque_keys.edx.keys import CourseKey
from standin_rows import CohortRow

from .models import CourseUserGroup


def get_cohort_by_name(course_key, name):
    assert isinstance(course_key, CourseKey)
    standin_state.LMS.record("get_cohort_by_name", course_key, name)
    cohort = standin_state.LMS.cohorts.get((course_key, name))
    if cohort is None:
        raise CourseUserGroup.DoesNotExist(name)
    return cohort


def get_cohort(user, course_key, assign=True, use_cached=False):
    assert isinstance(course_key, CourseKey)
    standin_state.LMS.record("get_cohort", user, course_key, assign=assign)
    name = standin_state.LMS.memberships.get((user.pk, course_key))
    return None if name is None else CohortRow(course_key, name)


def add_user_to_cohort(cohort, username_or_email_or_user):
    lms = standin_state.LMS
    lms.record("add_user_to_cohort", cohort, username_or_email_or_user)
    user = username_or_email_or_user
    previous = lms.memberships.get((user.pk, cohort.course_id))
    if previous == cohort.name:
        raise ValueError(f"User {user.username} already present in cohort {cohort.name}")
    lms.memberships[(user.pk, cohort.course_id)] = cohort.name
    return user, previous, False


def remove_user_from_cohort(cohort, username_or_email):
    lms = standin_state.LMS
    lms.record("remove_user_from_cohort", cohort, username_or_email)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username_or_email)
    if lms.memberships.get((user.pk, cohort.course_id)) != cohort.name:
        raise ValueError(f"User {username_or_email} was not present in cohort {cohort.name}")
    del lms.memberships[(user.pk, cohort.course_id)]
