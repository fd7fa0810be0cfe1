"""Progress actions: marking blocks complete and personal due-date extensions, in the LMS."""
from ..catalogue import Action
from ..completion_tracking import require_completion_tracking
from ..engine.errors import PermanentError
from .emitting import emit_plugin_event
from .params import BLOCK_KEYS, COURSE_KEY, params, rendered_course_key


def _mark_complete_schema():
    schema = params(("course_key",), course_key=COURSE_KEY, block_keys=BLOCK_KEYS,
                    whole_course={"type": "boolean",
                                  "description": "every block of every unit of the course (instead of block_keys)"})
    schema["anyOf"] = [{"required": ["block_keys"]},
                       {"required": ["whole_course"], "properties": {"whole_course": {"const": True}}}]
    schema["description"] = "list block_keys, or set whole_course to true"
    return schema


class ProgressMarkComplete(Action):
    """Only blocks not yet complete are submitted: a retry, or a learner who got there first, sends
    no second round of completion signals."""

    key = "progress.mark_complete"
    label = "Mark blocks complete"
    category = "Course"
    description = ("Marks blocks of the course complete for the learner, whatever their real progress (e.g. a "
                   "lesson they proved they know), or with whole_course every block of every unit, so the course "
                   "counts as completed. Blocks already complete are left as they are.")
    params_schema = _mark_complete_schema()

    def execute(self, params, context):
        course_key = rendered_course_key(params)
        wanted = list(dict.fromkeys(params.get("block_keys") or ()))
        if params.get("whole_course"):
            outline = context.host.get_course_outline(course_key) or []
            wanted = list(dict.fromkeys(block for unit in outline for block in unit.get("blocks") or ()))
        done = context.host.completed_blocks(context.user_id, course_key)
        missing = [key for key in wanted if key not in done]
        if missing:
            require_completion_tracking()
            context.host.mark_blocks_complete(context.user_id, course_key, missing)
        return {"marked": len(missing), "already_complete": len(wanted) - len(missing)}


class DatesExtend(Action):
    key = "dates.extend"
    label = "Extend due dates"
    category = "Course"
    description = ("Gives the learner a personal due-date extension of some days (edx-when personal date "
                   "overrides, as the instructor dashboard's extensions), for every dated block of the course or "
                   "only the listed ones, and records access.extended. Open edX has no way to move an audit "
                   "learner's access expiry by some days: upgrading the enrolment (enrollment.change_mode) lifts it.")
    params_schema = params(
        ("course_key", "days"), course_key=COURSE_KEY,
        days={"type": "integer", "minimum": 1, "maximum": 365, "description": "days to add (1–365)"},
        block_keys=BLOCK_KEYS,
    )

    def execute(self, params, context):
        course_key = rendered_course_key(params)
        days = params["days"]
        # Keyed on the step: a retry (after the LMS call, before the step was recorded) leaves the
        # dates this step already moved, since the LMS can only add days to the current date.
        blocks = context.host.extend_due_dates(context.user_id, course_key, days, params.get("block_keys"),
                                               idempotency_key=context.idempotency_key)
        if not blocks:
            raise PermanentError(f"{course_key} has no due dates to extend (set them in Studio, or list "
                                 "block_keys that have one)")
        try:
            ends = context.host.access_expires_at(context.user_id, course_key)
        except PermanentError:
            ends = None
        # The LMS announces no date override: the plugin says what it did (keyed on the step, so once).
        emit_plugin_event(context, "access.extended", {
            "course_key": course_key, "days": days, "blocks": blocks,
            "access_ends_at": ends.isoformat() if ends else ""}, course_key)
        return {"days": days, "blocks": blocks}
