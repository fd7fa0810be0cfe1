"""Progress event types: completions, lessons, thresholds, course completion, inactivity."""
from ..events import EventType


class BlockCompleted(EventType):
    key = "progress.block_completed"
    label = "Block completed"
    category = "Progress"
    description = "A learner completed a block (edx-completion reached 1.0); once per learner and block."
    payload_fields = {
        "course_key": "the course",
        "block_key": "the completed block",
        "block_type": "e.g. problem, video, html",
    }


class LessonStarted(EventType):
    key = "progress.lesson_started"
    label = "Lesson started"
    category = "Progress"
    description = "The first block of a unit (lesson) was completed."
    payload_fields = {
        "course_key": "the course",
        "lesson_key": "the unit",
    }


class LessonCompleted(EventType):
    key = "progress.lesson_completed"
    label = "Lesson completed"
    category = "Progress"
    description = "Every block of a unit (lesson) is complete."
    payload_fields = {
        "course_key": "the course",
        "lesson_key": "the unit",
    }


class ThresholdReached(EventType):
    key = "progress.threshold_reached"
    label = "Course progress threshold reached"
    category = "Progress"
    description = "The share of completed units crossed a threshold (setting PROGRESS_THRESHOLDS); filter on percent."
    payload_fields = {
        "course_key": "the course",
        "percent": "the threshold crossed, 0-100",
    }


class CourseCompleted(EventType):
    key = "progress.course_completed"
    label = "Course completed"
    category = "Progress"
    description = "Every unit available to the learner is complete; once per learner and course."
    payload_fields = {
        "course_key": "the course",
    }


class ActivityInactive(EventType):
    key = "activity.inactive"
    label = "Inactive in a course"
    category = "Progress"
    description = "No activity in a course for N days (daily scan); fires once per streak per N."
    payload_fields = {
        "course_key": "the course",
        "days": "days without activity",
        "last_activity_at": "when the learner was last active",
    }
