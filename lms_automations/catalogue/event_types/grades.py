"""Grade event types: the grade itself, and transitions across the passing line.

The LMS recomputes grades often and repeats the passing status each time; only changes fire.
"""
from ..events import EventType


class GradeChanged(EventType):
    key = "grade.changed"
    label = "Grade changed"
    category = "Grades"
    description = "Fires when the learner's course grade is saved with a different percent or passing status (PERSISTENT_GRADE_SUMMARY_CHANGED); identical recomputes are ignored."
    payload_fields = {
        "course_key": "the course",
        "percent": "the grade, 0–100",
        "letter_grade": "the grade's letter, e.g. Pass or A",
        "passed": "whether the grade is passing",
    }


class CoursePassed(EventType):
    key = "course.passed"
    label = "Passed a course"
    category = "Grades"
    description = "Fires only on a transition to passing (COURSE_PASSING_STATUS_UPDATED), not on every grade recompute that repeats it."
    payload_fields = {
        "course_key": "the course",
    }


class CourseFailed(EventType):
    key = "course.failed"
    label = "Fell below passing"
    category = "Grades"
    description = "Fires only on a transition from passing to not passing; a learner who never passed does not trigger it."
    payload_fields = {
        "course_key": "the course",
    }


_PROBLEM_PAYLOAD = {
    "course_key": "the course",
    "problem_key": "the problem's usage key (block-v1:…+type@problem+block@…)",
    "earned": "the points scored (weighted, as in the progress page)",
    "possible": "the points the problem is worth (weighted)",
    "percent": "earned / possible, 0–100",
}


class ProblemPassed(EventType):
    key = "problem.passed"
    label = "Passed a problem"
    category = "Grades"
    description = ("Fires the first time the learner scores full marks on a scored problem (the LMS's "
                   "PROBLEM_WEIGHTED_SCORE_CHANGED); later submissions of a passed problem are not new passes.")
    payload_fields = dict(_PROBLEM_PAYLOAD)


class ProblemFailed(EventType):
    key = "problem.failed"
    label = "Failed a problem"
    category = "Grades"
    description = ("Fires on each scored attempt below full marks (PROBLEM_WEIGHTED_SCORE_CHANGED); filter on "
                   "event.percent to draw another line, e.g. percent < 50. A reset score is no attempt.")
    payload_fields = dict(_PROBLEM_PAYLOAD)
