"""Progress event types: completions, lessons, thresholds, course completion, inactivity.

Lessons, thresholds and course completion are derived from block completions and the course
outline the learner can see; each is recorded once per learner.
"""
from ..events import EventType


class BlockCompleted(EventType):
    key = "progress.block_completed"
    label = "Completed a component"
    category = "Progress"
    description = "Fires when a component (problem, video, text…) becomes complete (edx-completion reaches 1.0), once per learner and component; partial progress is ignored."
    payload_fields = {
        "course_key": "the course",
        "block_key": "the completed component",
        "block_type": "e.g. problem, video, html",
    }


class LessonStarted(EventType):
    key = "progress.lesson_started"
    label = "Started a lesson"
    category = "Progress"
    description = "Fires when the first component inside a unit (lesson) is completed, once per unit."
    payload_fields = {
        "course_key": "the course",
        "lesson_key": "the unit",
    }


class LessonCompleted(EventType):
    key = "progress.lesson_completed"
    label = "Completed a lesson"
    category = "Progress"
    description = "Fires when every component of a unit (lesson) is complete, once per unit."
    payload_fields = {
        "course_key": "the course",
        "lesson_key": "the unit",
    }


class ThresholdReached(EventType):
    key = "progress.threshold_reached"
    label = "Reached a progress milestone"
    category = "Progress"
    description = "Fires when the share of completed units first crosses a threshold (LMS_AUTOMATIONS['PROGRESS_THRESHOLDS'], default 25, 50, 75, 100), once per threshold; filter on percent to pick one."
    payload_fields = {
        "course_key": "the course",
        "percent": "the threshold crossed, 0–100",
    }


class CourseCompleted(EventType):
    key = "progress.course_completed"
    label = "Completed a course"
    category = "Progress"
    description = "Fires when every unit available to the learner is complete, once per learner and course."
    payload_fields = {
        "course_key": "the course",
    }


class ActivityInactive(EventType):
    key = "activity.inactive"
    label = "Inactive in a course"
    category = "Progress"
    description = "Fires when a learner has had no activity in a course for N days (daily scan); once per quiet streak per N — activity starts a new streak."
    payload_fields = {
        "course_key": "the course",
        "days": "days without activity (the N that was crossed)",
        "last_activity_at": "when the learner was last active",
    }
