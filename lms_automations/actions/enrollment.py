"""Enrolment actions: enrol, unenrol, change mode — in the LMS, through the host adapter.

They are external (at least once), so each first reads the enrolment and does nothing when it is
already as asked: a retried step must not re-send the LMS's enrolment signals.
"""
from ..catalogue import Action
from .params import COURSE_KEY, FREE_MODES, MODE, params, rendered_course_key, rendered_text


def _enrollment(context, course_key):
    return context.host.get_enrollment(context.user_id, course_key) or {}


class EnrollmentEnroll(Action):
    """Enrol in an explicit mode, never moving a paid enrolment to a free one.

    In Open edX an enrolment call without a mode, or in ``audit``, turns a ``verified`` enrolment
    back into ``audit``; a welcome flow that enrols "in case" must not cost a learner what they paid
    for, so an active paid enrolment is kept and the step reports it.
    """

    key = "enrollment.enroll"
    label = "Enrol in a course"
    category = "Enrolment"
    description = ("Enrols the learner in the course in the given mode (always explicit, e.g. audit or verified). "
                   "A learner already enrolled in a paid mode keeps it when the step asks for audit or honor. "
                   "force enrols even when enrolment is closed or the course is full.")
    params_schema = params(
        ("course_key", "mode"), course_key=COURSE_KEY, mode=MODE,
        force={"type": "boolean", "description": "enrol even when enrolment is closed (default false)"},
    )

    def execute(self, params, context):
        course_key, mode = rendered_course_key(params), rendered_text(params, "mode")
        current = _enrollment(context, course_key)
        if current.get("is_active"):
            if current.get("mode") == mode:
                return {"mode": mode, "changed": False}
            if mode in FREE_MODES and current.get("mode") not in FREE_MODES:
                return {"mode": current.get("mode"), "changed": False,
                        "note": f"kept the paid {current.get('mode')} enrolment instead of {mode}"}
        enrollment = context.host.enroll(context.user_id, course_key, mode, force=bool(params.get("force", False)))
        return {"mode": (enrollment or {}).get("mode", mode), "changed": True}


class EnrollmentUnenroll(Action):
    key = "enrollment.unenroll"
    label = "Unenrol from a course"
    category = "Enrolment"
    description = "Unenrols the learner from the course (nothing happens if they are not enrolled)."
    params_schema = params(("course_key",), course_key=COURSE_KEY)

    def execute(self, params, context):
        course_key = rendered_course_key(params)
        if not _enrollment(context, course_key).get("is_active"):
            return {"changed": False}
        context.host.unenroll(context.user_id, course_key)
        return {"changed": True}


class EnrollmentChangeMode(Action):
    """Move an enrolment to another mode, either way: unlike ``enrollment.enroll`` this may downgrade,
    because choosing this action is choosing the mode change (e.g. after a refund)."""

    key = "enrollment.change_mode"
    label = "Change enrolment mode"
    category = "Enrolment"
    description = ("Moves the learner's enrolment in the course to another mode — also from a paid mode to audit, "
                   "e.g. after a refund. The learner must be enrolled.")
    params_schema = params(("course_key", "mode"), course_key=COURSE_KEY, mode=MODE)

    def execute(self, params, context):
        course_key, mode = rendered_course_key(params), rendered_text(params, "mode")
        current = _enrollment(context, course_key)
        if current.get("mode") == mode:
            return {"mode": mode, "changed": False}
        context.host.change_mode(context.user_id, course_key, mode)
        return {"from_mode": current.get("mode"), "mode": mode, "changed": True}
