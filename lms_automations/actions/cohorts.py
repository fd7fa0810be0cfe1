"""Cohort actions, through the host adapter. A learner is in at most one cohort per course (as in
Open edX), so adding moves them out of any other; both do nothing when already as asked."""
from ..catalogue import Action
from .params import COHORT, COURSE_KEY, params, rendered_course_key, rendered_text

COHORT_PARAMS = params(("course_key", "cohort"), course_key=COURSE_KEY, cohort=COHORT)


class CohortAdd(Action):
    key = "cohort.add"
    label = "Add to a cohort"
    category = "Course"
    description = ("Puts the learner in a cohort of the course, moving them out of the cohort they were in "
                   "(a learner is in one cohort per course).")
    params_schema = COHORT_PARAMS

    def execute(self, params, context):
        course_key, cohort = rendered_course_key(params), rendered_text(params, "cohort", max_length=255)
        previous = context.host.get_cohort(context.user_id, course_key)
        if previous == cohort:
            return {"changed": False}
        context.host.add_to_cohort(context.user_id, course_key, cohort)
        return {"changed": True, "previous_cohort": previous}


class CohortRemove(Action):
    key = "cohort.remove"
    label = "Remove from a cohort"
    category = "Course"
    description = "Takes the learner out of the named cohort of the course (nothing happens if they are not in it)."
    params_schema = COHORT_PARAMS

    def execute(self, params, context):
        course_key, cohort = rendered_course_key(params), rendered_text(params, "cohort", max_length=255)
        if context.host.get_cohort(context.user_id, course_key) != cohort:
            return {"changed": False}
        context.host.remove_from_cohort(context.user_id, course_key, cohort)
        return {"changed": True}
