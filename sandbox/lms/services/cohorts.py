"""Cohort membership: one cohort per learner and course, as Open edX's cohorts app keeps it."""
from django.db import transaction

from ..models import CohortMembership
from .courses import get_course


def join_cohort(user, course_key, name):
    """Put the learner in cohort ``name`` of the course, moving them out of any other.

    The membership's save sends COHORT_MEMBERSHIP_CHANGED *before* the row is written. Joining the
    cohort the learner is already in changes and sends nothing (Open edX refuses it, also silently
    for receivers).
    """
    course = get_course(course_key)
    with transaction.atomic():
        membership = CohortMembership.objects.select_for_update().filter(user=user, course=course).first()
        if membership is not None and membership.name == name:
            return membership
        membership = membership or CohortMembership(user=user, course=course)
        membership.name = name
        membership.save()
    return membership
