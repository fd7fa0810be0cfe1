"""Waiting relative to Open edX course dates: start, end, the learner's enrolment, the upgrade deadline.

``end`` is when *this learner's* access ends: the audit access expiry where the LMS limits it, else
the course end. "Three days before the end" is only useful while the learner can still act, and an
audit learner whose access expires in week 6 of a 12-week course would otherwise hear about it after
losing access. (``course.days_left`` counts to the same moment.)

Course dates are instants, so the offset is an exact duration (``-P3D`` is 72 hours before) and the
wait has no time zone of its own.
"""

from ..catalogue import Wait, object_schema
from ..engine.errors import EndRun, PermanentError
from .clock import as_utc
from .params import COURSE_KEY, IF_PAST, SIGNED_DURATION, offset_errors, parsed_offset

ANCHORS = ("start", "end", "enrollment", "upgrade_deadline")
_ANCHOR_NAMES = {"start": "start date", "end": "end of access", "enrollment": "enrolment date",
                 "upgrade_deadline": "upgrade deadline"}


class CourseDateWait(Wait):
    """Until a course date plus a signed offset; a moment already past continues or ends the run."""

    key = "course_date"
    label = "Wait for a course date"
    category = "Course"
    description = ("Waits until a course date plus a signed offset (-P3D: three days before): the course start, "
                   "the end of the learner's access (audit expiry, else the course end), the learner's enrolment, "
                   "or the upgrade deadline. If that moment has passed: continue, or end the run. Without "
                   "course_key, the course of the event that started the run.")
    params_schema = object_schema(
        ("anchor",), course_key=COURSE_KEY, anchor={"type": "string", "enum": list(ANCHORS)},
        offset=SIGNED_DURATION, if_past=IF_PAST,
    )

    @classmethod
    def check_params(cls, params):
        return super().check_params(params) + offset_errors(params)

    def due_at(self, params, context):
        course_key = str(params.get("course_key") or getattr(context, "course_key", None) or "").strip()
        if not course_key:
            raise PermanentError("params.course_key: no course to read dates from; name one, or use a template "
                                 "like {{ event.course_key }} with an event that carries a course")
        anchor = params["anchor"]
        moment = as_utc(self.anchor_moment(context, course_key, anchor))
        if moment is None:
            raise PermanentError(f"params.anchor: {course_key} has no {_ANCHOR_NAMES[anchor]} for this learner; "
                                 "set it in Studio or pick another anchor")
        try:
            due = moment + parsed_offset(params.get("offset"))
        except OverflowError:  # a date near year 1 or 9999 and a long offset: off the calendar
            raise PermanentError(f"params.offset: the course's {_ANCHOR_NAMES[anchor]} plus "
                                 f"{params.get('offset')} is not a date") from None
        if due < context.now and params.get("if_past") == "end":
            raise EndRun(f"the course's {_ANCHOR_NAMES[anchor]} (offset {params.get('offset') or 'none'}) had "
                         "already passed when the learner reached this wait")
        return due

    @staticmethod
    def anchor_moment(context, course_key, anchor):
        """The anchor's date from the host (a datetime, possibly naive UTC), or None when it has none."""
        host, user_id = context.host, context.user_id
        if anchor == "start":
            course = host.get_course(course_key)
            if course is None:
                raise PermanentError(f"params.course_key: the LMS has no course {course_key}")
            return course.get("start")
        if anchor == "end":
            return host.access_expires_at(user_id, course_key)
        if anchor == "enrollment":
            enrollment = host.get_enrollment(user_id, course_key)
            if enrollment is None:
                raise PermanentError(f"params.anchor: the learner is not enrolled in {course_key}, so there is "
                                     "no enrolment date")
            return enrollment.get("created")
        return host.upgrade_deadline(user_id, course_key)
