"""Conditions on the learner in a course, answered by the host (enrolment, progress, grades…).

Percentages are 0–100, as course staff think of them; day counts are whole days.
"""
from ..catalogue import Condition
from ..engine.ops import as_moment, compare
from .schemas import COURSE_KEY, NUMERIC_OPS, params

NUMERIC_OP = {"type": "string", "enum": NUMERIC_OPS}


def unit_progress(context, course_key):
    """``(percent of units complete, completed unit keys, all units)`` for the learner."""
    units = [unit for unit in context.host.get_course_outline(course_key) if unit.get("blocks")]
    completed = context.host.completed_blocks(context.user_id, course_key)
    done = [unit["key"] for unit in units if all(block in completed for block in unit["blocks"])]
    percent = round(100 * len(done) / len(units), 2) if units else 0.0
    return percent, done, units


class CourseEnrolled(Condition):
    key = "course.enrolled"
    label = "Enrolled in a course"
    category = "Course"
    description = "Whether the learner is enrolled (active by default), optionally only in the given modes."
    params_schema = params(("course_key",), course_key=COURSE_KEY,
                           modes={"type": "array", "items": {"type": "string"}, "minItems": 1},
                           active={"type": "boolean"})

    def evaluate(self, params, context):
        enrollment = context.host.get_enrollment(context.user_id, params["course_key"])
        if enrollment is None:
            return False, None
        result = enrollment["is_active"] == params.get("active", True)
        if params.get("modes"):
            result = result and enrollment["mode"] in params["modes"]
        return result, {"mode": enrollment["mode"], "is_active": enrollment["is_active"]}


class CourseProgress(Condition):
    key = "course.progress"
    label = "Course progress"
    category = "Course"
    description = "Compares the percent (0–100) of the course's units the learner has completed."
    params_schema = params(("course_key", "op", "value"), course_key=COURSE_KEY, op=NUMERIC_OP,
                           value={"type": "number", "minimum": 0, "maximum": 100})

    def evaluate(self, params, context):
        percent, _done, _units = unit_progress(context, params["course_key"])
        return compare(percent, params["op"], params["value"]), percent


class CourseLessonCompleted(Condition):
    key = "course.lesson_completed"
    label = "Completed a lesson"
    category = "Course"
    description = "Whether the learner has completed any of the given lessons (units)."
    params_schema = params(("course_key", "lesson_keys"), course_key=COURSE_KEY,
                           lesson_keys={"type": "array", "items": {"type": "string"}, "minItems": 1})

    def evaluate(self, params, context):
        _percent, done, _units = unit_progress(context, params["course_key"])
        matched = [key for key in params["lesson_keys"] if key in done]
        return bool(matched), matched


class CourseCompleted(Condition):
    key = "course.completed"
    label = "Completed the course"
    category = "Course"
    description = "Whether every unit of the course is complete for the learner."
    params_schema = params(("course_key",), course_key=COURSE_KEY)

    def evaluate(self, params, context):
        percent, _done, units = unit_progress(context, params["course_key"])
        return bool(units) and percent >= 100, percent


class CourseGrade(Condition):
    key = "course.grade"
    label = "Course grade"
    category = "Course"
    description = "Compares the learner's course grade, 0–100 (no grade yet counts as 0)."
    params_schema = params(("course_key", "op", "value"), course_key=COURSE_KEY, op=NUMERIC_OP,
                           value={"type": "number", "minimum": 0, "maximum": 100})

    def evaluate(self, params, context):
        grade = context.host.get_grade(context.user_id, params["course_key"])
        percent = grade["percent"] if grade else 0
        return compare(percent, params["op"], params["value"]), percent


class CoursePassedCondition(Condition):
    key = "course.passed"
    label = "Passed the course"
    category = "Course"
    description = "Whether the learner has a passing grade in the course."
    params_schema = params(("course_key",), course_key=COURSE_KEY)

    def evaluate(self, params, context):
        grade = context.host.get_grade(context.user_id, params["course_key"])
        return bool(grade and grade["passed"]), grade["percent"] if grade else None


class CourseCertificate(Condition):
    key = "course.certificate"
    label = "Has a certificate"
    category = "Course"
    description = "Whether the learner's certificate has one of the statuses (default: downloadable)."
    params_schema = params(("course_key",), course_key=COURSE_KEY,
                           statuses={"type": "array", "items": {"type": "string"}, "minItems": 1})

    def evaluate(self, params, context):
        certificate = context.host.get_certificate(context.user_id, params["course_key"])
        status = certificate["status"] if certificate else None
        return status in params.get("statuses", ["downloadable"]), status


class CourseLastActivity(Condition):
    key = "course.last_activity"
    label = "Days since last activity"
    category = "Course"
    description = "Compares the whole days since the learner's last activity in the course (never active: no match)."
    params_schema = params(("course_key", "op", "days"), course_key=COURSE_KEY, op=NUMERIC_OP,
                           days={"type": "integer", "minimum": 0})

    def evaluate(self, params, context):
        last = as_moment(context.host.last_activity(context.user_id, params["course_key"]))
        if last is None:
            return False, None
        days = (context.now - last).days
        return compare(days, params["op"], params["days"]), days


class CourseDaysLeft(Condition):
    key = "course.days_left"
    label = "Days of access left"
    category = "Course"
    description = "Compares the whole days until the learner's access ends (audit expiry, else the course end)."
    params_schema = params(("course_key", "op", "days"), course_key=COURSE_KEY, op=NUMERIC_OP,
                           days={"type": "integer"})

    def evaluate(self, params, context):
        ends = as_moment(context.host.access_expires_at(context.user_id, params["course_key"]))
        if ends is None:
            return False, None
        days = (ends - context.now).days
        return compare(days, params["op"], params["days"]), days


class CohortMember(Condition):
    key = "cohort.member"
    label = "In a cohort"
    category = "Course"
    description = "Whether the learner is in the named cohort of the course."
    params_schema = params(("course_key", "cohort"), course_key=COURSE_KEY, cohort={"type": "string", "minLength": 1})

    def evaluate(self, params, context):
        cohort = context.host.get_cohort(context.user_id, params["course_key"])
        return cohort == params["cohort"], cohort
