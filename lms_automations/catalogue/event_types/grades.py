"""Grade event types: the grade itself and transitions across the passing line."""
from ..events import EventType


class GradeChanged(EventType):
    key = "grade.changed"
    label = "Grade changed"
    category = "Grades"
    description = "The learner's course grade changed (PERSISTENT_GRADE_SUMMARY_CHANGED), not every identical recompute."
    payload_fields = {
        "course_key": "the course",
        "percent": "the grade, 0-100",
        "letter_grade": "e.g. Pass",
        "passed": "true once the learner has passed",
    }


class CoursePassed(EventType):
    key = "course.passed"
    label = "Passed a course"
    category = "Grades"
    description = "The learner went from not passing to passing (not every recompute)."
    payload_fields = {
        "course_key": "the course",
    }


class CourseFailed(EventType):
    key = "course.failed"
    label = "Fell below passing"
    category = "Grades"
    description = "The learner went from passing to not passing."
    payload_fields = {
        "course_key": "the course",
    }
