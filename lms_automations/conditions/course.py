"""Conditions on the learner in a course, answered by the LMS through the host adapter.

Percents are 0–100, as course staff think of them; day counts are whole days (24-hour periods).
Course keys may be templates (``{{ event.course_key }}``); an empty rendering is an error.
"""
import datetime

from ..catalogue import Condition
from ..engine.errors import PermanentError
from ..engine.ops import as_moment, compare
from .params import COURSE_KEY, NUMERIC_OP, PERCENT, params, rendered_course_key

#: Open edX certificate statuses (lms.djangoapps.certificates.data.CertificateStatuses).
CERTIFICATE_STATUSES = ["downloadable", "notpassing", "unavailable", "generating", "error", "deleted", "deleting",
                        "audit_passing", "audit_notpassing", "honor_passing", "unverified", "invalidated",
                        "requesting", "auditing", "restricted"]
KEYS = {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1, "uniqueItems": True}


class UnitProgress:
    """The learner's units in one course: which are complete, and the percent complete (0–100).

    A unit is complete when all its blocks are; units without blocks have nothing to complete and are
    left out. The percent is rounded down to one decimal, so it never claims more than was done
    (99.96 shows as 99.9, not as 100).
    """

    def __init__(self, context, course_key):
        outline = context.host.get_course_outline(course_key) or []
        self.units = [unit["key"] for unit in outline if unit.get("blocks")]
        completed = context.host.completed_blocks(context.user_id, course_key)
        self.done = [unit["key"] for unit in outline
                     if unit.get("blocks") and all(block in completed for block in unit["blocks"])]
        self.percent = (1000 * len(self.done) // len(self.units)) / 10 if self.units else 0.0

    @property
    def complete(self):
        return bool(self.units) and len(self.done) == len(self.units)


class CourseEnrolled(Condition):
    key = "course.enrolled"
    label = "Enrolled in a course"
    category = "Course"
    description = ("Whether the learner is enrolled in the course, optionally only in one of the given modes "
                   "(audit, verified…). active=true (the default) needs an active enrolment; active=false matches "
                   "learners who enrolled and then unenrolled. A learner who never enrolled matches neither.")
    params_schema = params(("course_key",), course_key=COURSE_KEY,
                           modes={**KEYS, "description": "enrolment modes such as audit, verified"},
                           active={"type": "boolean"})

    def evaluate(self, params, context):
        enrollment = context.host.get_enrollment(context.user_id, rendered_course_key(params))
        if enrollment is None:
            return False, None
        observed = {"mode": enrollment["mode"], "is_active": bool(enrollment["is_active"])}
        result = observed["is_active"] == params.get("active", True)
        if params.get("modes"):
            result = result and enrollment["mode"] in params["modes"]
        return result, observed


class CourseProgress(Condition):
    key = "course.progress"
    label = "Course progress"
    category = "Course"
    description = ("Compares the percent (0–100) of the course's units (lessons) the learner has completed; a unit "
                   "counts when all its blocks are complete. A course without units is at 0.")
    params_schema = params(("course_key", "op", "value"), course_key=COURSE_KEY, op=NUMERIC_OP, value=PERCENT)

    def evaluate(self, params, context):
        progress = UnitProgress(context, rendered_course_key(params))
        return compare(progress.percent, params["op"], params["value"], now=context.now), progress.percent


class CourseLessonCompleted(Condition):
    key = "course.lesson_completed"
    label = "Completed a lesson"
    category = "Course"
    description = ("Whether the learner has completed any of the given lessons (unit usage keys, "
                   "block-v1:…+type@vertical+block@…): every block of the unit complete.")
    params_schema = params(("course_key", "lesson_keys"), course_key=COURSE_KEY,
                           lesson_keys={**KEYS, "description": "unit (vertical) usage keys"})

    def evaluate(self, params, context):
        course_key = rendered_course_key(params)
        progress = UnitProgress(context, course_key)
        wanted = [str(key).strip() for key in params["lesson_keys"]]
        if not set(wanted) & set(progress.units):
            raise PermanentError(f"params.lesson_keys: none of {', '.join(wanted)} is a unit with content in "
                                 f"{course_key}")
        matched = [key for key in wanted if key in progress.done]
        return bool(matched), matched


class CourseCompleted(Condition):
    key = "course.completed"
    label = "Completed the course"
    category = "Course"
    description = ("Whether the learner has completed every unit of the course (every block of every unit). "
                   "A course without units is never completed.")
    params_schema = params(("course_key",), course_key=COURSE_KEY)

    def evaluate(self, params, context):
        progress = UnitProgress(context, rendered_course_key(params))
        return progress.complete, progress.percent


class CourseGrade(Condition):
    key = "course.grade"
    label = "Course grade"
    category = "Course"
    description = ("Compares the learner's course grade as a percent, 0–100 (the LMS's 0.85 is 85). "
                   "A learner not graded yet is at 0.")
    params_schema = params(("course_key", "op", "value"), course_key=COURSE_KEY, op=NUMERIC_OP, value=PERCENT)

    def evaluate(self, params, context):
        grade = context.host.get_grade(context.user_id, rendered_course_key(params))
        percent = round(float(grade["percent"]), 2) if grade and grade.get("percent") is not None else 0.0
        return compare(percent, params["op"], params["value"], now=context.now), percent


class CoursePassedCondition(Condition):
    key = "course.passed"
    label = "Passed the course"
    category = "Course"
    description = "Whether the learner's course grade is passing (a learner not graded yet has not passed)."
    params_schema = params(("course_key",), course_key=COURSE_KEY)

    def evaluate(self, params, context):
        grade = context.host.get_grade(context.user_id, rendered_course_key(params))
        if grade is None:
            return False, None
        return bool(grade.get("passed")), grade.get("percent")


class CourseCertificate(Condition):
    key = "course.certificate"
    label = "Has a certificate"
    category = "Course"
    description = ("Whether the learner's certificate in the course has one of the given statuses "
                   "(default: downloadable, i.e. awarded). A learner without a certificate never matches.")
    params_schema = params(("course_key",), course_key=COURSE_KEY,
                           statuses={"type": "array", "items": {"type": "string", "enum": CERTIFICATE_STATUSES},
                                     "minItems": 1, "uniqueItems": True})

    def evaluate(self, params, context):
        certificate = context.host.get_certificate(context.user_id, rendered_course_key(params))
        status = certificate["status"] if certificate else None
        return status is not None and status in params.get("statuses", ["downloadable"]), status


class CourseLastActivity(Condition):
    key = "course.last_activity"
    label = "Days since last activity"
    category = "Course"
    description = ("Compares the whole days since the learner was last active in the course (e.g. gte 7: quiet "
                   "for a week or more). A learner never active counts from their enrolment, as the daily "
                   "inactivity scan does; one neither active nor enrolled never matches.")
    params_schema = params(("course_key", "op", "days"), course_key=COURSE_KEY, op=NUMERIC_OP,
                           days={"type": "integer", "minimum": 0, "maximum": 36500, "description": "whole days"})

    def evaluate(self, params, context):
        course_key = rendered_course_key(params)
        last = as_moment(context.host.last_activity(context.user_id, course_key))
        if last is None:
            enrollment = context.host.get_enrollment(context.user_id, course_key)
            last = as_moment(enrollment.get("created")) if enrollment else None
        if last is None:
            return False, None
        days = max((context.now - last).days, 0)
        return compare(days, params["op"], params["days"], now=context.now), days


class CourseDaysLeft(Condition):
    key = "course.days_left"
    label = "Days of access left"
    category = "Course"
    description = ("Compares the whole days until the learner's access to the course ends: the audit access "
                   "expiry where there is one, else the course end (negative once it has passed). Access with no "
                   "end is unlimited: gt, gte and ne match, eq, lt and lte do not.")
    params_schema = params(("course_key", "op", "days"), course_key=COURSE_KEY, op=NUMERIC_OP,
                           days={"type": "integer", "minimum": -36500, "maximum": 36500, "description": "whole days"})

    def evaluate(self, params, context):
        ends = as_moment(context.host.access_expires_at(context.user_id, rendered_course_key(params)))
        if ends is None:
            return params["op"] in ("gt", "gte", "ne"), None
        days = _whole_days(ends - context.now)
        return compare(days, params["op"], params["days"], now=context.now), days


def _whole_days(delta):
    """Whole days in ``delta``, rounded toward zero (``timedelta.days`` floors: -1 hour would be -1 day)."""
    days = abs(delta) // datetime.timedelta(days=1)
    return days if delta >= datetime.timedelta(0) else -days
