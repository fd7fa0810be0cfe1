"""Waiting relative to Open edX course dates: course start or end, enrolment, upgrade deadline.

``end`` is when the learner's access ends: the audit access expiry where the LMS limits it, else
the course end — what "before the course ends" means to that learner.
"""
import datetime

from ..catalogue import Wait
from ..engine.durations import parse_duration
from ..engine.errors import EndRun, PermanentError
from ..engine.ops import as_moment

ANCHORS = ("start", "end", "enrollment", "upgrade_deadline")


class CourseDateWait(Wait):
    key = "course_date"
    label = "Wait for a course date"
    category = "Course"
    description = ("Waits until a course date plus a signed offset (-P3D: three days before). end is the learner's "
                   "access end. If the moment has passed: continue or end the run.")
    params_schema = {
        "type": "object",
        "properties": {
            "course_key": {"type": "string", "minLength": 1},
            "anchor": {"type": "string", "enum": list(ANCHORS)},
            "offset": {"type": "string", "pattern": "^[-+]?P"},
            "if_past": {"type": "string", "enum": ["continue", "end"]},
        },
        "required": ["course_key", "anchor"],
        "additionalProperties": False,
    }

    def due_at(self, params, context):
        course_key, anchor = params["course_key"], params["anchor"]
        moment = as_moment(self._anchor(context, course_key, anchor))
        if moment is None:
            raise PermanentError(f"{course_key} has no {anchor} date for this learner")
        due = moment + (parse_duration(params["offset"]) if params.get("offset") else datetime.timedelta(0))
        if due <= context.now and params.get("if_past") == "end":
            raise EndRun(f"the course's {anchor} date had already passed")
        return due

    @staticmethod
    def _anchor(context, course_key, anchor):
        host, user_id = context.host, context.user_id
        if anchor == "start":
            return (host.get_course(course_key) or {}).get("start")
        if anchor == "end":
            return host.access_expires_at(user_id, course_key)
        if anchor == "enrollment":
            return (host.get_enrollment(user_id, course_key) or {}).get("created")
        return host.upgrade_deadline(user_id, course_key)
