"""Conditions on the learner's cohort in a course (Open edX course cohorts)."""
from ..catalogue import Condition
from .params import COURSE_KEY, NAME, params, rendered_course_key


class CohortMember(Condition):
    key = "cohort.member"
    label = "In a cohort"
    category = "Course"
    description = ("Whether the learner is in the named cohort of the course (the name exactly, case included). "
                   "A learner in no cohort is in none.")
    params_schema = params(("course_key", "cohort"), course_key=COURSE_KEY, cohort=NAME)

    def evaluate(self, params, context):
        cohort = context.host.get_cohort(context.user_id, rendered_course_key(params))
        return cohort is not None and cohort == params["cohort"], cohort
