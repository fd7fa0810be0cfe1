"""Progress event types: completions, lessons, thresholds, course completion, inactivity.

Lessons, thresholds and course completion are derived from block completions and the course
outline the learner can see; each is recorded once per learner. The percentage of
``progress.threshold_reached`` and the days of ``activity.inactive`` are chosen per trigger
(ADR 0015): the plugin computes the ones active automations ask for, plus the operator's defaults.
"""
import datetime

from ..base import object_schema
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
    description = ("Fires when the share of completed units first crosses the percentage the trigger chooses "
                   "(1–100), once per learner, course and percentage; a learner already past it when the "
                   "automation is activated does not get it. Without a percentage the trigger hears the "
                   "operator's defaults (LMS_AUTOMATIONS['PROGRESS_THRESHOLDS'], 25, 50, 75, 100 unless changed).")
    payload_fields = {
        "course_key": "the course",
        "percent": "the threshold crossed, 1–100",
    }
    params_schema = object_schema(percent={
        "type": "integer", "minimum": 1, "maximum": 100,
        "description": "the share of units complete, in percent, that starts the run; empty: the operator's defaults"})
    threshold_param = "percent"
    thresholds_setting = "PROGRESS_THRESHOLDS"


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
    description = ("Fires when a learner has had no activity in a course for the N days the trigger chooses "
                   "(1–365; the daily scan); once per quiet streak per N — activity starts a new streak. Only a "
                   "streak that reaches N days after the automation is activated counts. Without N the trigger "
                   "hears the operator's defaults (LMS_AUTOMATIONS['INACTIVITY_DAYS'], 7, 14, 30 unless changed).")
    payload_fields = {
        "course_key": "the course",
        "days": "days without activity (the N that was crossed)",
        "last_activity_at": "when the learner was last active",
    }
    params_schema = object_schema(days={
        "type": "integer", "minimum": 1, "maximum": 365,
        "description": "days without activity in the course that start the run; empty: the operator's defaults"})
    threshold_param = "days"
    thresholds_setting = "INACTIVITY_DAYS"

    @classmethod
    def happened_at(cls, payload, occurred_at):
        """The moment the streak reached its days (the scan records it up to a day later)."""
        try:
            last = datetime.datetime.fromisoformat(str(payload["last_activity_at"]))
            reached = last + datetime.timedelta(days=int(payload["days"]))
        except (KeyError, TypeError, ValueError, OverflowError):
            return occurred_at
        if reached.tzinfo is None:
            reached = reached.replace(tzinfo=datetime.UTC)
        return min(reached, occurred_at) if occurred_at else reached
