"""Actions that act in the LMS through the host adapter: enrolment, cohorts, progress, dates,
certificates. They are external (at least once): each is safe to repeat."""
from ..catalogue import Action
from .base import COURSE_KEY, params

MODE = {"type": "string", "minLength": 1, "description": "an enrolment mode such as audit or verified"}
BLOCK_KEYS = {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1}


class EnrollmentEnroll(Action):
    key = "enrollment.enroll"
    label = "Enrol in a course"
    category = "Enrolment"
    description = ("Enrols the learner in the given mode (always explicit). An existing paid enrolment is never "
                   "downgraded; force enrols even when enrolment is closed.")
    params_schema = params(("course_key", "mode"), course_key=COURSE_KEY, mode=MODE, force={"type": "boolean"})

    def execute(self, params, context):
        enrollment = context.host.enroll(context.user_id, params["course_key"], params["mode"],
                                         force=params.get("force", False))
        return {"mode": (enrollment or {}).get("mode")}


class EnrollmentUnenroll(Action):
    key = "enrollment.unenroll"
    label = "Unenrol from a course"
    category = "Enrolment"
    description = "Unenrols the learner from the course."
    params_schema = params(("course_key",), course_key=COURSE_KEY)

    def execute(self, params, context):
        context.host.unenroll(context.user_id, params["course_key"])
        return {}


class EnrollmentChangeMode(Action):
    key = "enrollment.change_mode"
    label = "Change enrolment mode"
    category = "Enrolment"
    description = "Moves the learner's enrolment to another mode."
    params_schema = params(("course_key", "mode"), course_key=COURSE_KEY, mode=MODE)

    def execute(self, params, context):
        context.host.change_mode(context.user_id, params["course_key"], params["mode"])
        return {}


class CohortAdd(Action):
    key = "cohort.add"
    label = "Add to a cohort"
    category = "Course"
    description = "Puts the learner in a cohort of the course."
    params_schema = params(("course_key", "cohort"), course_key=COURSE_KEY, cohort={"type": "string", "minLength": 1})

    def execute(self, params, context):
        if context.host.get_cohort(context.user_id, params["course_key"]) == params["cohort"]:
            return {"already": True}
        context.host.add_to_cohort(context.user_id, params["course_key"], params["cohort"])
        return {}


class CohortRemove(Action):
    key = "cohort.remove"
    label = "Remove from a cohort"
    category = "Course"
    description = "Takes the learner out of a cohort of the course."
    params_schema = params(("course_key", "cohort"), course_key=COURSE_KEY, cohort={"type": "string", "minLength": 1})

    def execute(self, params, context):
        if context.host.get_cohort(context.user_id, params["course_key"]) != params["cohort"]:
            return {"already": True}
        context.host.remove_from_cohort(context.user_id, params["course_key"], params["cohort"])
        return {}


class ProgressMarkComplete(Action):
    key = "progress.mark_complete"
    label = "Mark blocks complete"
    category = "Course"
    description = "Marks blocks complete for the learner, whatever their real progress."
    params_schema = params(("course_key", "block_keys"), course_key=COURSE_KEY, block_keys=BLOCK_KEYS)

    def execute(self, params, context):
        context.host.mark_blocks_complete(context.user_id, params["course_key"], params["block_keys"])
        return {"blocks": len(params["block_keys"])}


class DatesExtend(Action):
    key = "dates.extend"
    label = "Extend due dates"
    category = "Course"
    description = "Gives the learner a personal due-date extension (edx-when), for all or the given blocks."
    params_schema = params(("course_key", "days"), course_key=COURSE_KEY,
                           days={"type": "integer", "minimum": 1, "maximum": 365}, block_keys=BLOCK_KEYS)

    def execute(self, params, context):
        context.host.extend_due_dates(context.user_id, params["course_key"], params["days"], params.get("block_keys"))
        return {}


class CertificateGenerate(Action):
    key = "certificate.generate"
    label = "Generate a certificate"
    category = "Course"
    description = "Asks the LMS to generate the learner's certificate; allowlist bypasses the grade check."
    params_schema = params(("course_key",), course_key=COURSE_KEY, allowlist={"type": "boolean"})

    def execute(self, params, context):
        context.host.generate_certificate(context.user_id, params["course_key"],
                                          allowlist=params.get("allowlist", False))
        return {}
